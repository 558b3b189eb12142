/**
 * Moderation cases and appeals against them.
 *
 * Personal data (handles, links, excerpts, names, emails, free text) lives in nullable columns so
 * the retention purge can blank it while the rows, dates, codes and outcomes stay for the
 * anonymous transparency figures.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, timestamp } from './columns.ts';
import { principleVersions } from './principles.ts';

/** The appeal's statuses; the state machine over them is src/lib/appeals/state.ts. */
export const APPEAL_STATUSES = ['new', 'in-review', 'waiting', 'decided', 'withdrawn'] as const;

export const PLATFORMS = ['facebook', 'x', 'instagram', 'linkedin', 'youtube', 'tiktok', 'other'] as const;
export const CASE_ACTIONS = ['hidden', 'deleted', 'blocked', 'reported', 'police', 'legal'] as const;
/** No-reference path: what the appellant says we did ("not sure" is an answer). */
export const CLAIMED_ACTIONS = ['hidden', 'deleted', 'blocked', 'not-sure'] as const;
/** "Who is asking?": for themselves, or for someone else (with that person's permission). */
export const ASKING_FOR = ['self', 'someone-else'] as const;
/** How someone asking for another person knows them. */
export const RELATIONSHIPS = ['carer', 'advocate', 'family', 'friend', 'other'] as const;
/** Ways of hearing from us other than email (the NHS Accessible Information Standard). */
export const CONTACT_NEEDS = ['large-print', 'easy-read', 'bsl', 'post', 'phone', 'other'] as const;

/** The shapes the appeal's who-is-asking and contact-needs columns are read into (src/lib/appeals). */
export type Relationship = (typeof RELATIONSHIPS)[number];
export type ContactNeed = (typeof CONTACT_NEEDS)[number];

/** "Who is asking?": someone else only with the person's permission (the page requires it). */
export type WhoIsAsking =
  { askingFor: 'self' } | { askingFor: 'someone-else'; relationship: Relationship; name: string | null; consent: true };

/** Other ways to contact them ([] for none); the address, phone and note go with their need. */
export interface ContactNeeds {
  needs: ContactNeed[];
  address: string | null;
  phone: string | null;
  other: string | null;
}
export const DETECTION = ['own-monitoring', 'public-report', 'platform-filter'] as const;
export const OUTCOMES = ['upheld', 'overturned', 'partly-overturned'] as const;
/** How the person was told about the action (src/lib/platform/labels.ts NOTICE_METHOD_LABELS). */
export const NOTICE_METHODS = ['reply', 'private-message', 'email', 'other'] as const;

/** One moderation action (or set of actions on one post) recorded by a moderator. */
export const cases = sqliteTable(
  'cases',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Canonical formatted case reference (src/lib/cases/references.ts). */
    reference: text('reference').notNull(),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    accountHandle: text('account_handle'),
    postUrl: text('post_url'),
    excerpt: text('excerpt'),
    statementOfReasons: text('statement_of_reasons'),
    /** The principles version in force at `actionAt`; the grounds come from it. */
    principleVersionId: integer('principle_version_id')
      .notNull()
      .references(() => principleVersions.id),
    actionAt: timestamp('action_at').notNull(),
    detectedBy: text('detected_by', { enum: DETECTION }).notNull(),
    automated: integer('automated', { mode: 'boolean' }).notNull(),
    /** Staff id of the moderator who recorded it (staff table). */
    recordedBy: integer('recorded_by').notNull(),
    closedAt: timestamp('closed_at'),
    purgedAt: timestamp('purged_at'),
    createdAt: createdAt(),
    /**
     * Was the person told (DSA Art. 17/20)? When they were told and how; or, when they could not
     * be, why (free text, purged with the case). The appeal window runs from the later of
     * `actionAt` and `noticeSentAt` (src/lib/appeals/appeals.ts appealWindowStart).
     */
    noticeSentAt: timestamp('notice_sent_at'),
    noticeMethod: text('notice_method', { enum: NOTICE_METHODS }),
    noticeNotSentReason: text('notice_not_sent_reason'),
    noticeRecordedAt: timestamp('notice_recorded_at'),
    noticeRecordedBy: integer('notice_recorded_by'),
  },
  (t) => [
    uniqueIndex('cases_reference').on(t.reference),
    index('cases_action_at').on(t.actionAt),
    index('cases_platform_action_at').on(t.platform, t.actionAt),
    index('cases_handle').on(t.accountHandle),
    // The appeal queue's search by handle: exact match in any case (the query tries the handle
    // with and without its leading @), never a LIKE scan (decision 020).
    index('cases_handle_key').on(sql`lower(${t.accountHandle})`),
    // Covers the transparency figures' grouping, so counting never reads the table itself.
    index('cases_figures').on(t.actionAt, t.platform, t.detectedBy, t.automated),
  ],
);

export const caseActions = sqliteTable(
  'case_actions',
  {
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    action: text('action', { enum: CASE_ACTIONS }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.action] }), index('case_actions_action').on(t.action)],
);

/** Ground codes applied to a case (codes of the case's principles version). */
export const caseGrounds = sqliteTable(
  'case_grounds',
  {
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    groundCode: text('ground_code').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.groundCode] }), index('case_grounds_code').on(t.groundCode)],
);

/** An appeal by a member of the public, with or without a case reference. */
export const appeals = sqliteTable(
  'appeals',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Public appeal reference shown on the confirmation page (same format as case references). */
    reference: text('reference').notNull(),
    caseId: integer('case_id').references(() => cases.id),
    /** No-reference path: what the person told us, until staff link a case. */
    claimedPlatform: text('claimed_platform', { enum: PLATFORMS }),
    claimedHandle: text('claimed_handle'),
    claimedDate: text('claimed_date'),
    claimedPostUrl: text('claimed_post_url'),
    claimedAction: text('claimed_action', { enum: CLAIMED_ACTIONS }),
    reason: text('reason'),
    email: text('email'),
    name: text('name'),
    /** Who is asking (null: asked before the question existed). */
    askingFor: text('asking_for', { enum: ASKING_FOR }),
    askingRelationship: text('asking_relationship', { enum: RELATIONSHIPS }),
    /** The name of the person they ask for (optional). */
    askingForName: text('asking_for_name'),
    /** They ticked "I have the person's permission…" (required to ask for someone else). */
    askingConsent: integer('asking_consent', { mode: 'boolean' }),
    /** Other ways to contact them, as codes ([] for none; null: not asked). Health-related: purged. */
    contactNeeds: text('contact_needs', { mode: 'json' }).$type<(typeof CONTACT_NEEDS)[number][]>(),
    contactAddress: text('contact_address'),
    contactPhone: text('contact_phone'),
    contactOther: text('contact_other'),
    status: text('status', { enum: APPEAL_STATUSES }).notNull().default('new'),
    receivedAt: timestamp('received_at').notNull(),
    /** Decision due date (working days); moves when the clock is paused. */
    dueAt: timestamp('due_at').notNull(),
    /** While waiting for the appellant: when the clock stopped. */
    pausedAt: timestamp('paused_at'),
    assignedTo: integer('assigned_to'),
    outcome: text('outcome', { enum: OUTCOMES }),
    explanation: text('explanation'),
    /** The principles version relied on in the decision. */
    decisionVersionId: integer('decision_version_id').references(() => principleVersions.id),
    decidedBy: integer('decided_by'),
    decidedAt: timestamp('decided_at'),
    /** Working days from receipt to decision, excluding paused time (kept after purge, for figures). */
    workingDaysToDecision: integer('working_days_to_decision'),
    withdrawnAt: timestamp('withdrawn_at'),
    purgedAt: timestamp('purged_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('appeals_reference').on(t.reference),
    // One open appeal per case, enforced by the database.
    uniqueIndex('appeals_one_open_per_case')
      .on(t.caseId)
      .where(sql`${t.caseId} is not null and ${t.status} not in ('decided', 'withdrawn')`),
    // The queue's order is due date, then received time (ties), then id: every index it reads
    // ends in (due_at, received_at) so the order comes from the index, never a sort.
    index('appeals_status_due').on(t.status, t.dueAt, t.receivedAt),
    index('appeals_assignee_status_due').on(t.assignedTo, t.status, t.dueAt, t.receivedAt),
    // The review queue in due-date order with no filter and by assignee alone.
    index('appeals_due').on(t.dueAt, t.receivedAt),
    index('appeals_assignee_due').on(t.assignedTo, t.dueAt, t.receivedAt),
    // The queue's default view: open appeals (new, in review, waiting; "not decided or withdrawn"
    // as in appeals_one_open_per_case), alone and by assignee.
    index('appeals_open_due')
      .on(t.dueAt, t.receivedAt)
      .where(sql`${t.status} not in ('decided', 'withdrawn')`),
    index('appeals_open_assignee_due')
      .on(t.assignedTo, t.dueAt, t.receivedAt)
      .where(sql`${t.status} not in ('decided', 'withdrawn')`),
    // The queue's search: exact matches on the email (stored in lower case) and on the handle in
    // any case (decision 020).
    index('appeals_email').on(t.email),
    index('appeals_claimed_handle_key').on(sql`lower(${t.claimedHandle})`),
    // Appeals of a case (the case page; the retention purge's "no open or recent appeal" check,
    // which otherwise scans every appeal for every old case).
    index('appeals_case').on(t.caseId),
    index('appeals_received').on(t.receivedAt),
    index('appeals_decided').on(t.decidedAt),
    // Cover the transparency figures (decisions histogram, withdrawals).
    index('appeals_decided_figures').on(t.decidedAt, t.outcome, t.workingDaysToDecision),
    index('appeals_withdrawn').on(t.withdrawnAt),
  ],
);

/**
 * Private status links of an appeal: one for each email sent to the appellant, every one live
 * until the retention purge deletes them with the appeal's personal data (decision 024). Only the
 * SHA-256 of each token is kept; the token itself is only ever emailed.
 */
export const appealStatusLinks = sqliteTable(
  'appeal_status_links',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    appealId: integer('appeal_id')
      .notNull()
      .references(() => appeals.id),
    tokenHash: text('token_hash').notNull(),
    /** The kind of email that carried it (an outbox kind, e.g. `appeal-ack`); never personal data. */
    sentWith: text('sent_with').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('appeal_status_links_token').on(t.tokenHash), index('appeal_status_links_appeal').on(t.appealId)],
);

/**
 * The history of an appeal: every state change, note, email, assignment and message, with who
 * and when. Internal notes (`kind = 'note'`) are never shown to the public.
 */
export const appealEvents = sqliteTable(
  'appeal_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    appealId: integer('appeal_id')
      .notNull()
      .references(() => appeals.id),
    at: timestamp('at').notNull(),
    actorType: text('actor_type', { enum: ['staff', 'appellant', 'system'] }).notNull(),
    actorId: integer('actor_id'),
    kind: text('kind').notNull(),
    /** Free text (a note, further information, a request for information); purged with the appeal. */
    body: text('body'),
    /** Structured details, e.g. {"from":"new","to":"in-review"}; never personal data. */
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index('appeal_events_appeal').on(t.appealId, t.at)],
);

/** After an overturn: what staff must do on the platform (restore a comment, unblock an account). */
export const followUps = sqliteTable(
  'follow_ups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    appealId: integer('appeal_id')
      .notNull()
      .references(() => appeals.id),
    kind: text('kind', { enum: ['restore-comment', 'unblock-account'] }).notNull(),
    dueAt: timestamp('due_at').notNull(),
    doneAt: timestamp('done_at'),
    doneBy: integer('done_by'),
    createdAt: createdAt(),
  },
  (t) => [index('follow_ups_open').on(t.doneAt, t.dueAt)],
);
