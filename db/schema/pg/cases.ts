/**
 * PostgreSQL twin of db/schema/sqlite/cases.ts (the column and index comments live there, and so
 * do the value lists, which are dialect-neutral).
 */
import { sql } from 'drizzle-orm';
import { boolean, index, integer, json, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import {
  APPEAL_STATUSES,
  ASKING_FOR,
  CASE_ACTIONS,
  CLAIMED_ACTIONS,
  CONTACT_NEEDS,
  DETECTION,
  NOTICE_METHODS,
  OUTCOMES,
  PLATFORMS,
  RELATIONSHIPS,
} from '../sqlite/cases.ts';
import { createdAt, id, timestamp } from './columns.ts';
import { principleVersions } from './principles.ts';

export const cases = pgTable(
  'cases',
  {
    id: id(),
    reference: text('reference').notNull(),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    accountHandle: text('account_handle'),
    postUrl: text('post_url'),
    excerpt: text('excerpt'),
    statementOfReasons: text('statement_of_reasons'),
    principleVersionId: integer('principle_version_id')
      .notNull()
      .references(() => principleVersions.id),
    actionAt: timestamp('action_at').notNull(),
    detectedBy: text('detected_by', { enum: DETECTION }).notNull(),
    automated: boolean('automated').notNull(),
    recordedBy: integer('recorded_by').notNull(),
    closedAt: timestamp('closed_at'),
    purgedAt: timestamp('purged_at'),
    createdAt: createdAt(),
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
    index('cases_handle_key').on(sql`lower(${t.accountHandle})`),
    index('cases_figures').on(t.actionAt, t.platform, t.detectedBy, t.automated),
  ],
);

export const caseActions = pgTable(
  'case_actions',
  {
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    action: text('action', { enum: CASE_ACTIONS }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.action] }), index('case_actions_action').on(t.action)],
);

export const caseGrounds = pgTable(
  'case_grounds',
  {
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    groundCode: text('ground_code').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.groundCode] }), index('case_grounds_code').on(t.groundCode)],
);

export const appeals = pgTable(
  'appeals',
  {
    id: id(),
    reference: text('reference').notNull(),
    caseId: integer('case_id').references(() => cases.id),
    claimedPlatform: text('claimed_platform', { enum: PLATFORMS }),
    claimedHandle: text('claimed_handle'),
    claimedDate: text('claimed_date'),
    claimedPostUrl: text('claimed_post_url'),
    claimedAction: text('claimed_action', { enum: CLAIMED_ACTIONS }),
    reason: text('reason'),
    email: text('email'),
    name: text('name'),
    askingFor: text('asking_for', { enum: ASKING_FOR }),
    askingRelationship: text('asking_relationship', { enum: RELATIONSHIPS }),
    askingForName: text('asking_for_name'),
    askingConsent: boolean('asking_consent'),
    contactNeeds: json('contact_needs').$type<(typeof CONTACT_NEEDS)[number][]>(),
    contactAddress: text('contact_address'),
    contactPhone: text('contact_phone'),
    contactOther: text('contact_other'),
    status: text('status', { enum: APPEAL_STATUSES }).notNull().default('new'),
    receivedAt: timestamp('received_at').notNull(),
    dueAt: timestamp('due_at').notNull(),
    pausedAt: timestamp('paused_at'),
    assignedTo: integer('assigned_to'),
    outcome: text('outcome', { enum: OUTCOMES }),
    explanation: text('explanation'),
    decisionVersionId: integer('decision_version_id').references(() => principleVersions.id),
    decidedBy: integer('decided_by'),
    decidedAt: timestamp('decided_at'),
    workingDaysToDecision: integer('working_days_to_decision'),
    withdrawnAt: timestamp('withdrawn_at'),
    purgedAt: timestamp('purged_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('appeals_reference').on(t.reference),
    uniqueIndex('appeals_one_open_per_case')
      .on(t.caseId)
      .where(sql`${t.caseId} is not null and ${t.status} not in ('decided', 'withdrawn')`),
    index('appeals_status_due').on(t.status, t.dueAt, t.receivedAt),
    index('appeals_assignee_status_due').on(t.assignedTo, t.status, t.dueAt, t.receivedAt),
    index('appeals_due').on(t.dueAt, t.receivedAt),
    index('appeals_assignee_due').on(t.assignedTo, t.dueAt, t.receivedAt),
    index('appeals_open_due')
      .on(t.dueAt, t.receivedAt)
      .where(sql`${t.status} not in ('decided', 'withdrawn')`),
    index('appeals_open_assignee_due')
      .on(t.assignedTo, t.dueAt, t.receivedAt)
      .where(sql`${t.status} not in ('decided', 'withdrawn')`),
    index('appeals_email').on(t.email),
    index('appeals_claimed_handle_key').on(sql`lower(${t.claimedHandle})`),
    index('appeals_case').on(t.caseId),
    index('appeals_received').on(t.receivedAt),
    index('appeals_decided').on(t.decidedAt),
    index('appeals_decided_figures').on(t.decidedAt, t.outcome, t.workingDaysToDecision),
    index('appeals_withdrawn').on(t.withdrawnAt),
  ],
);

export const appealStatusLinks = pgTable(
  'appeal_status_links',
  {
    id: id(),
    appealId: integer('appeal_id')
      .notNull()
      .references(() => appeals.id),
    tokenHash: text('token_hash').notNull(),
    sentWith: text('sent_with').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('appeal_status_links_token').on(t.tokenHash), index('appeal_status_links_appeal').on(t.appealId)],
);

export const appealEvents = pgTable(
  'appeal_events',
  {
    id: id(),
    appealId: integer('appeal_id')
      .notNull()
      .references(() => appeals.id),
    at: timestamp('at').notNull(),
    actorType: text('actor_type', { enum: ['staff', 'appellant', 'system'] }).notNull(),
    actorId: integer('actor_id'),
    kind: text('kind').notNull(),
    body: text('body'),
    details: json('details').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index('appeal_events_appeal').on(t.appealId, t.at)],
);

export const followUps = pgTable(
  'follow_ups',
  {
    id: id(),
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
