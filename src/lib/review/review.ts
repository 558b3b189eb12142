/**
 * Staff review of appeals: start review, assign, internal notes, ask for more information,
 * resume, decide (with the decision email and follow-ups), tick off follow-ups. Every action is
 * ONE transaction with its history entry (appeal_events) and its audit entry.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { invalidateTransparencyCache } from '../transparency/index.ts';
import {
  transition,
  type AppealAction,
  queueAppellantEmail,
  statusLinkParagraph,
  infoWaitDates,
  isOpen,
  claimedDay,
} from '../appeals/index.ts';
import {
  addWorkingDays,
  remainingWorkingDays,
  resumeDueDate,
  workingDaysBetween,
  APPEAL_EVENT_LABELS,
  APPEAL_STATUS_LABELS,
  emailQueuedLabel,
  FOLLOW_UP_KIND_LABELS,
  humanise,
  OUTCOME_LABELS,
  statusChangeLabel,
  type AppealEventKind,
  formatDate,
  characterLength,
  cleanText,
  LIMITS,
  requiredText,
  tooLongMessage,
  type Actor,
  type Runtime,
  queueTags,
} from '../platform/index.ts';
import { notificationEmail } from '../email/index.ts';
import { nearbyReferences, parseReference } from '../cases/index.ts';
import {
  findAppealById,
  findAppealByReference,
  findOpenAppealForCase,
  findCaseReferenceById,
  findVersionNumberById,
  insertAppealEvent,
  listAppealEvents,
  updateAppeal,
  type AppealRow,
} from '../../../db/appeals.ts';
import type { DbOrTx } from '../../../db/client.ts';
import { recordAudit } from '../../../db/audit.ts';
import { findCaseById, findCaseByReference } from '../../../db/cases.ts';
import { isUniqueViolation } from '../../../db/errors.ts';
import { OUTCOMES } from '../../../db/schema.ts';
import { enqueueEmail } from '../../../db/outbox.ts';
import { findPublishedVersion, listPublishedVersions } from '../../../db/principles.ts';
import {
  countByStatus,
  countQueueFilters,
  findFollowUpById,
  insertFollowUp,
  listFollowUpsForAppeal,
  listOpenFollowUpsWithAppeal,
  listQueue,
  listReviewers,
  searchQueue,
  type QueueSearch,
  markFollowUpDone,
  staffNames,
  type FollowUpKind,
} from '../../../db/review.ts';
import { appealDecisionEmail, type DecisionOutcome } from './emails/decision.ts';
import { followUpDoneEmail } from './emails/follow-up-done.ts';
import { hasMustEditMarker, templatesForAppeal } from './reply-templates.ts';
import { findTemplate } from '../../../db/reply-templates.ts';
import { afterCommit, transaction } from '../../../db/transactions.ts';

export type { Actor };

export type ReviewError =
  | 'not-found'
  | 'not-allowed'
  | 'recorded-by-you'
  | 'case-not-settled'
  | 'version-not-found'
  | 'explanation-required'
  | 'explanation-too-long'
  | 'text-required'
  | 'text-too-long'
  | 'not-a-reviewer'
  | 'preview-changed'
  | 'must-edit-marker';
export type ReviewResult = { ok: true } | { ok: false; error: ReviewError };

// ---- What staff type: refused with a field error when blank or too long, never cut short ----

export const REVIEW_FIELD_MESSAGES = {
  noteEmpty: 'Enter a note',
  noteTooLong: tooLongMessage('Note', LIMITS.internalNote),
  messageEmpty: 'Enter what you need the appellant to tell you',
  messageTooLong: tooLongMessage('Your request for information', LIMITS.informationRequest),
  outcome: 'Select the outcome',
  explanationEmpty: 'Enter the reasons for the decision',
  explanationTooLong: tooLongMessage('Reasons for the decision', LIMITS.decisionExplanation),
  version: 'Select a published version of the principles',
} as const;

export const NoteFormSchema = z.object({
  note: requiredText(LIMITS.internalNote, REVIEW_FIELD_MESSAGES.noteEmpty, REVIEW_FIELD_MESSAGES.noteTooLong),
});

export const InformationRequestFormSchema = z.object({
  message: requiredText(
    LIMITS.informationRequest,
    REVIEW_FIELD_MESSAGES.messageEmpty,
    REVIEW_FIELD_MESSAGES.messageTooLong,
  ),
});

export const DecisionFormSchema = z.object({
  outcome: z.enum(OUTCOMES, { error: REVIEW_FIELD_MESSAGES.outcome }),
  explanation: requiredText(
    LIMITS.decisionExplanation,
    REVIEW_FIELD_MESSAGES.explanationEmpty,
    REVIEW_FIELD_MESSAGES.explanationTooLong,
  ),
  // Version numbers are short ("1.0", "12.3"); anything else is simply not a published version.
  version: z.string({ error: REVIEW_FIELD_MESSAGES.version }).max(20, REVIEW_FIELD_MESSAGES.version),
});

/** Blank or over the limit: the domain refuses it too, whatever the page did. */
function checkText(text: string, max: number): ReviewResult | undefined {
  if (!text.trim()) return { ok: false, error: 'text-required' };
  if (characterLength(text) > max) return { ok: false, error: 'text-too-long' };
  return undefined;
}

// ---- Linking an appeal made without a case reference to its case ----

export type LinkCaseError =
  | 'empty'
  | 'invalid-character'
  | 'wrong-length'
  | 'check-failed'
  | 'appeal-reference'
  | 'case-not-found'
  | 'case-has-open-appeal'
  | 'not-found'
  | 'not-allowed';
export type LinkCaseResult =
  { ok: true; caseId: number; caseReference: string } | { ok: false; error: LinkCaseError; message: string };

const LINK_MESSAGES: Record<Exclude<LinkCaseError, 'case-has-open-appeal'>, string> = {
  empty: 'Enter the case reference',
  'invalid-character': 'Case reference must only include letters, numbers, spaces and hyphens',
  'wrong-length': 'Case reference must be 11 letters and numbers, like 7K3M-Q9TX-2MC',
  'check-failed': 'Check the case reference: one of the characters looks mistyped',
  'appeal-reference': 'That is an appeal reference. Enter the reference of the moderation case',
  'case-not-found': 'There is no case with that reference',
  'not-found': 'This appeal could not be found',
  'not-allowed': 'Only an open appeal without a case can be linked to one',
};

/**
 * Links an appeal made without a case reference to the case staff have found, in ONE transaction
 * with its history entry and audit entry. The reference is checked (check character first, then
 * lookup); a case that already has an open appeal is refused (one open appeal per case). From then
 * on the appeal is like any other: the case, its grounds and version show, and whoever recorded
 * the case may not decide it.
 */
export async function linkAppealToCase(
  rt: Runtime,
  appealId: number,
  typedReference: string,
  actor: Actor,
): Promise<LinkCaseResult> {
  const fail = (error: Exclude<LinkCaseError, 'case-has-open-appeal'>): LinkCaseResult => ({
    ok: false,
    error,
    message: LINK_MESSAGES[error],
  });
  if (characterLength(typedReference) > 100) return fail('wrong-length');
  const parsed = parseReference(typedReference);
  if (!parsed.ok) return fail(parsed.error);
  const now = rt.now();
  try {
    return await transaction(rt.db, async (tx): Promise<LinkCaseResult> => {
      const row = await findAppealById(tx, appealId);
      if (!row) return fail('not-found');
      if (row.caseId !== null || row.status === 'decided' || row.status === 'withdrawn') return fail('not-allowed');
      const found = await findCaseByReference(tx, parsed.reference);
      if (!found || found.purgedAt)
        return (await findAppealByReference(tx, parsed.reference)) ? fail('appeal-reference') : fail('case-not-found');
      const open = await findOpenAppealForCase(tx, found.id);
      if (open) {
        return {
          ok: false,
          error: 'case-has-open-appeal',
          message: `Case ${found.reference} already has an open appeal (${open.reference}). A case can only have one open appeal at a time`,
        };
      }
      await updateAppeal(tx, row.id, { caseId: found.id });
      await insertAppealEvent(tx, {
        appealId: row.id,
        at: now,
        actorType: 'staff',
        actorId: actor.id,
        kind: 'case-linked',
        details: { caseReference: found.reference },
      });
      await recordAudit(tx, {
        actorId: actor.id,
        action: 'appeal.case-linked',
        entityType: 'appeal',
        entityId: String(row.id),
        ip: actor.ip,
        details: { caseId: found.id, caseReference: found.reference },
      });
      return { ok: true, caseId: found.id, caseReference: found.reference };
    });
  } catch (error) {
    // Another appeal on the case was opened at the same moment: the partial unique index decides.
    if (isUniqueViolation(error, 'appeals.case_id')) {
      return {
        ok: false,
        error: 'case-has-open-appeal',
        message: `Case ${parsed.reference} already has an open appeal. A case can only have one open appeal at a time`,
      };
    }
    throw error;
  }
}

// ---- Independence: who may decide ----

/** What decides whether someone may decide an appeal (see decisionBlocker). */
export interface DecisionFacts {
  /** The case the appeal is about: given by the appellant, or linked by staff; null when neither. */
  caseId: number | null;
  /** Who recorded that case (undefined when there is no case, or it has been purged). */
  caseRecordedBy: number | null | undefined;
  /** Whether staff have recorded, on a no-reference appeal, that no matching case was found. */
  noMatchingCase: boolean;
}

/**
 * Why `staffId` may not decide the appeal now, or null when they may:
 * - 'recorded-by-you': they recorded the case the appeal is about (given or linked);
 * - 'case-not-settled': a no-reference appeal that is neither linked to its case nor marked "no
 *   matching case found". Without this, on an appeal made without a reference the reviewer would
 *   choose whether the rule applies to them simply by not linking the case.
 */
export function decisionBlocker(facts: DecisionFacts, staffId: number): 'recorded-by-you' | 'case-not-settled' | null {
  if (facts.caseId === null) return facts.noMatchingCase ? null : 'case-not-settled';
  if (facts.caseRecordedBy != null && facts.caseRecordedBy === staffId) return 'recorded-by-you';
  return null;
}

/** The history kind of the explicit "no matching case found" record. */
export const NO_MATCHING_CASE = 'no-matching-case';

async function hasNoMatchingCase(tx: DbOrTx, appealId: number): Promise<boolean> {
  return (await listAppealEvents(tx, appealId)).some((e) => e.kind === NO_MATCHING_CASE);
}

/**
 * Records, on an open appeal made without a case reference, that staff looked and found no
 * matching case: the appeal may then be decided without one. ONE transaction with its history
 * entry and audit entry (who and when), so the choice not to link is always on the record. The
 * appeal can still be linked later if the case turns up; the recorded-by rule then applies.
 */
export async function recordNoMatchingCase(rt: Runtime, appealId: number, actor: Actor): Promise<ReviewResult> {
  const now = rt.now();
  return transaction(rt.db, async (tx): Promise<ReviewResult> => {
    const row = await findAppealById(tx, appealId);
    if (!row) return { ok: false, error: 'not-found' };
    if (
      row.caseId !== null ||
      row.status === 'decided' ||
      row.status === 'withdrawn' ||
      (await hasNoMatchingCase(tx, row.id))
    )
      return { ok: false, error: 'not-allowed' };
    await insertAppealEvent(tx, {
      appealId: row.id,
      at: now,
      actorType: 'staff',
      actorId: actor.id,
      kind: NO_MATCHING_CASE,
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'appeal.no-matching-case',
      entityType: 'appeal',
      entityId: String(row.id),
      ip: actor.ip,
    });
    return { ok: true };
  });
}

/** Working days given to staff to act on an overturn. */
export const FOLLOW_UP_WORKING_DAYS = 2;

async function stateChange(
  rt: Runtime,
  appealId: number,
  actor: Actor,
  action: AppealAction,
  kind: string,
  extra: (tx: DbOrTx, row: AppealRow, now: Date) => void | Promise<void> = () => {},
): Promise<ReviewResult> {
  const now = rt.now();
  return transaction(rt.db, async (tx): Promise<ReviewResult> => {
    const row = await findAppealById(tx, appealId);
    if (!row) return { ok: false, error: 'not-found' };
    const next = transition(row.status, action);
    if (!next.ok) return { ok: false, error: 'not-allowed' };
    await updateAppeal(tx, row.id, {
      status: next.status,
      ...(row.assignedTo == null && action === 'start-review' ? { assignedTo: actor.id } : {}),
    });
    await insertAppealEvent(tx, {
      appealId: row.id,
      at: now,
      actorType: 'staff',
      actorId: actor.id,
      kind,
      details: { from: row.status, to: next.status },
    });
    await extra(tx, row, now);
    await recordAudit(tx, {
      actorId: actor.id,
      action: `appeal.${action}`,
      entityType: 'appeal',
      entityId: String(row.id),
      ip: actor.ip,
      details: { from: row.status, to: next.status },
    });
    return { ok: true };
  });
}

/** A reviewer picks the appeal up (and takes it if nobody has). */
export async function startReview(rt: Runtime, appealId: number, actor: Actor): Promise<ReviewResult> {
  return stateChange(rt, appealId, actor, 'start-review', 'review-started');
}

/** Assigns the appeal to a staff member (null: unassigned). */
export async function assignAppeal(
  rt: Runtime,
  appealId: number,
  assignee: number | null,
  actor: Actor,
): Promise<ReviewResult> {
  const now = rt.now();
  return transaction(rt.db, async (tx): Promise<ReviewResult> => {
    const row = await findAppealById(tx, appealId);
    if (!row) return { ok: false, error: 'not-found' };
    if (row.status === 'decided' || row.status === 'withdrawn') return { ok: false, error: 'not-allowed' };
    // A forged id must not hand the appeal to a moderator, a disabled account or nobody at all.
    if (assignee !== null && !(await listReviewers(tx)).some((r) => r.id === assignee))
      return { ok: false, error: 'not-a-reviewer' };
    await updateAppeal(tx, row.id, { assignedTo: assignee });
    await insertAppealEvent(tx, {
      appealId: row.id,
      at: now,
      actorType: 'staff',
      actorId: actor.id,
      kind: 'assigned',
      details: { from: row.assignedTo, to: assignee },
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'appeal.assigned',
      entityType: 'appeal',
      entityId: String(row.id),
      ip: actor.ip,
      details: { from: row.assignedTo, to: assignee },
    });
    return { ok: true };
  });
}

/** An internal note: in the history for staff, never shown to the public. */
export async function addNote(rt: Runtime, appealId: number, text: string, actor: Actor): Promise<ReviewResult> {
  const bad = checkText(text, LIMITS.internalNote);
  if (bad) return bad;
  const now = rt.now();
  return transaction(rt.db, async (tx): Promise<ReviewResult> => {
    const row = await findAppealById(tx, appealId);
    if (!row) return { ok: false, error: 'not-found' };
    await insertAppealEvent(tx, {
      appealId: row.id,
      at: now,
      actorType: 'staff',
      actorId: actor.id,
      kind: 'note',
      body: text,
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'appeal.note-added',
      entityType: 'appeal',
      entityId: String(row.id),
      ip: actor.ip,
    });
    return { ok: true };
  });
}

/** Asks the appellant for more information by email; the clock pauses until they answer or staff resume. */
export async function requestInformation(
  rt: Runtime,
  appealId: number,
  message: string,
  actor: Actor,
): Promise<ReviewResult> {
  const bad = checkText(message, LIMITS.informationRequest);
  if (bad) return bad;
  const now = rt.now();
  return transaction(rt.db, async (tx): Promise<ReviewResult> => {
    const row = await findAppealById(tx, appealId);
    if (!row) return { ok: false, error: 'not-found' };
    const next = transition(row.status, 'request-info');
    if (!next.ok) return { ok: false, error: 'not-allowed' };
    await updateAppeal(tx, row.id, { status: next.status, pausedAt: now });
    await insertAppealEvent(tx, {
      appealId: row.id,
      at: now,
      actorType: 'staff',
      actorId: actor.id,
      kind: 'info-requested',
      body: message,
      details: { from: row.status, to: next.status },
    });
    // The email carries a status link of its own: the reply page it opens shows this question.
    await queueAppellantEmail(
      rt,
      tx,
      row,
      'appeal-info-request',
      (link) =>
        notificationEmail({
          orgName: rt.config.org.name,
          subject: `We need more information about your appeal ${row.reference}`,
          heading: 'We need more information about your appeal',
          paragraphs: [
            message,
            `Reply using the link below by ${formatDate(infoWaitDates(now, rt.config.infoWaitWorkingDays).answerBy)}. We have paused the time limit for our decision until you reply. If we do not hear from you by then, we will carry on reviewing your appeal with the information we have.`,
            statusLinkParagraph(rt),
            `The ${rt.config.org.name} social media team`,
          ],
          link: { text: 'Reply to our question', url: `${link}/add-information` },
        }),
      now,
    );
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'appeal.request-info',
      entityType: 'appeal',
      entityId: String(row.id),
      ip: actor.ip,
    });
    return { ok: true };
  });
}

/** Staff stop waiting for the appellant; the due date moves on by the working days paused. */
export async function resumeReview(rt: Runtime, appealId: number, actor: Actor): Promise<ReviewResult> {
  return stateChange(rt, appealId, actor, 'resume', 'status-changed', async (tx, row, now) => {
    if (row.pausedAt)
      await updateAppeal(tx, row.id, {
        pausedAt: null,
        dueAt: resumeDueDate(now, remainingWorkingDays(row.pausedAt, row.dueAt)),
      });
  });
}

/**
 * Working days from receipt to decision, not counting paused time. Paused time is what moved the
 * due date (original due → current due), plus the current pause if decided while waiting.
 */
export function workingDaysToDecision(
  row: Pick<AppealRow, 'receivedAt' | 'dueAt' | 'pausedAt'>,
  decidedAt: Date,
  reviewWorkingDays: number,
): number {
  const originalDue = addWorkingDays(row.receivedAt, reviewWorkingDays);
  const pausedBefore = row.dueAt.getTime() > originalDue.getTime() ? workingDaysBetween(originalDue, row.dueAt) : 0;
  const pausedNow = row.pausedAt ? workingDaysBetween(row.pausedAt, decidedAt) : 0;
  return Math.max(0, workingDaysBetween(row.receivedAt, decidedAt) - pausedBefore - pausedNow);
}

export interface DecisionInput {
  outcome: DecisionOutcome;
  /** Cleaned, required. */
  explanation: string;
  /** Published principles version relied on, e.g. "1.0". */
  version: string;
  /** The reply template the reasons started from, if any (recorded in the history). */
  templateId?: number | null | undefined;
}

/** A decision as sent: the input and the preview the reviewer read. */
export interface SentDecision extends DecisionInput {
  /**
   * The digest of the email the reviewer previewed (DecisionPlan.digest). Deciding is refused
   * with 'preview-changed' unless the email it would send now is exactly that one: nothing is
   * sent that nobody has read.
   */
  previewed: string;
}

/** What a decision would do: the email exactly as it will be sent, and the follow-ups. */
export interface DecisionPlan {
  appeal: AppealRow;
  versionId: number;
  email: { to: string | null; subject: string; text: string; html: string };
  /** Fingerprint of the email (recipient, subject, text, HTML): what "previewed" must match. */
  digest: string;
  followUps: FollowUpKind[];
  followUpDue: Date | null;
}

export type PlanResult = { ok: true; plan: DecisionPlan } | { ok: false; error: ReviewError };

async function followUpKinds(tx: DbOrTx, row: AppealRow, outcome: DecisionOutcome): Promise<FollowUpKind[]> {
  if (outcome === 'upheld' || !row.caseId) return [];
  const c = await findCaseById(tx, row.caseId);
  if (!c) return [];
  const kinds: FollowUpKind[] = [];
  if (c.actions.includes('hidden') || c.actions.includes('deleted')) kinds.push('restore-comment');
  if (c.actions.includes('blocked')) kinds.push('unblock-account');
  return kinds;
}

/** Checks and prepares a decision without changing anything (used for the preview and by decide). */
export async function planDecision(
  rt: Runtime,
  tx: DbOrTx,
  appealId: number,
  input: DecisionInput,
  actor: Actor,
  now: Date,
): Promise<PlanResult> {
  const row = await findAppealById(tx, appealId);
  if (!row) return { ok: false, error: 'not-found' };
  if (!transition(row.status, 'decide').ok) return { ok: false, error: 'not-allowed' };
  const blocker = decisionBlocker(
    {
      caseId: row.caseId,
      caseRecordedBy: row.caseId ? (await findCaseById(tx, row.caseId))?.recordedBy : undefined,
      noMatchingCase: row.caseId === null && (await hasNoMatchingCase(tx, row.id)),
    },
    actor.id,
  );
  if (blocker) return { ok: false, error: blocker };
  if (!input.explanation.trim()) return { ok: false, error: 'explanation-required' };
  if (characterLength(input.explanation) > LIMITS.decisionExplanation)
    return { ok: false, error: 'explanation-too-long' };
  // A reply template's must-edit marker left in: nothing is previewed or sent until it is replaced.
  if (hasMustEditMarker(input.explanation)) return { ok: false, error: 'must-edit-marker' };
  const version = await findPublishedVersion(tx, input.version);
  if (!version) return { ok: false, error: 'version-not-found' };
  const kinds = await followUpKinds(tx, row, input.outcome);
  const followUpDue = kinds.length ? addWorkingDays(now, FOLLOW_UP_WORKING_DAYS) : null;
  const content = appealDecisionEmail({
    orgName: rt.config.org.name,
    name: row.name,
    appealReference: row.reference,
    caseReference: row.caseId ? ((await findCaseReferenceById(tx, row.caseId)) ?? null) : null,
    outcome: input.outcome,
    explanation: input.explanation,
    version: version.version,
    publicUrl: rt.config.publicUrl,
    followUps: kinds,
    followUpBy: followUpDue,
    complaintsUrl: rt.config.org.complaintsUrl,
  });
  const email = { to: row.email, ...content };
  return {
    ok: true,
    plan: { appeal: row, versionId: version.id, email, digest: emailDigest(email), followUps: kinds, followUpDue },
  };
}

/** A fingerprint of an email, so "send" can prove it sends exactly what was previewed. */
export function emailDigest(email: { to: string | null; subject: string; text: string; html: string }): string {
  const hash = createHash('sha256');
  for (const part of [email.to ?? '', email.subject, email.text, email.html])
    hash.update(`${part.length}:${part}`, 'utf8');
  return hash.digest('hex');
}

/** The preview: exactly the email that deciding now would send. */
export async function previewDecision(
  rt: Runtime,
  appealId: number,
  input: DecisionInput,
  actor: Actor,
): Promise<PlanResult> {
  return await planDecision(rt, rt.db, appealId, input, actor, rt.now());
}

/**
 * Decides an appeal in ONE transaction: the appeal row, the `decided` history entry, the audit
 * entry, the decision email in the outbox and, for an overturn, the follow-up tasks. A reviewer
 * may not decide an appeal on a case they recorded.
 */
export async function decideAppeal(
  rt: Runtime,
  appealId: number,
  input: SentDecision,
  actor: Actor,
): Promise<ReviewResult> {
  const now = rt.now();
  return transaction(rt.db, async (tx): Promise<ReviewResult> => {
    const planned = await planDecision(rt, tx, appealId, input, actor, now);
    if (!planned.ok) return planned;
    const { appeal: row, versionId, email, digest, followUps, followUpDue } = planned.plan;
    // Something changed since the preview (the form, the appeal, the due date of a follow-up):
    // nothing is sent that the reviewer has not read.
    if (input.previewed !== digest) return { ok: false, error: 'preview-changed' };
    const next = transition(row.status, 'decide');
    if (!next.ok) return { ok: false, error: 'not-allowed' };
    await updateAppeal(tx, row.id, {
      status: next.status,
      outcome: input.outcome,
      explanation: input.explanation,
      decisionVersionId: versionId,
      decidedBy: actor.id,
      decidedAt: now,
      pausedAt: null,
      workingDaysToDecision: workingDaysToDecision(row, now, rt.config.reviewWorkingDays),
    });
    const template = input.templateId ? await findTemplate(tx, input.templateId) : undefined;
    const templateDetails = template ? { templateId: template.id, templateName: template.name } : {};
    await insertAppealEvent(tx, {
      appealId: row.id,
      at: now,
      actorType: 'staff',
      actorId: actor.id,
      kind: 'decided',
      details: {
        from: row.status,
        to: next.status,
        outcome: input.outcome,
        version: input.version,
        ...templateDetails,
      },
    });
    if (email.to) {
      const queued = await enqueueEmail(
        tx,
        { to: email.to, subject: email.subject, text: email.text, html: email.html, kind: 'appeal-decision' },
        now,
      );
      await insertAppealEvent(tx, {
        appealId: row.id,
        at: now,
        actorType: 'system',
        kind: 'email-queued',
        details: { email: 'appeal-decision', outboxId: queued.id },
      });
    }
    for (const kind of followUps) {
      const f = await insertFollowUp(tx, { appealId: row.id, kind, dueAt: followUpDue! });
      await insertAppealEvent(tx, {
        appealId: row.id,
        at: now,
        actorType: 'system',
        kind: 'follow-up-created',
        details: { followUpId: f.id, kind },
      });
    }
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'appeal.decided',
      entityType: 'appeal',
      entityId: String(row.id),
      ip: actor.ip,
      details: {
        outcome: input.outcome,
        version: input.version,
        followUps,
        ...(template ? { template: template.name } : {}),
      },
    });
    // Forgotten once the decision is committed: a report counted in between would stay cached as fresh.
    afterCommit(tx, () => invalidateTransparencyCache(rt, [row.receivedAt, now]));
    return { ok: true };
  });
}

/**
 * Ticks off a follow-up of this appeal (who and when recorded); another appeal's is not found.
 * In the same transaction the appellant (if they gave an email address) is emailed through the
 * outbox that the comment is visible again or the account unblocked (the audit entry says whether).
 */
export async function completeFollowUp(
  rt: Runtime,
  appealId: number,
  followUpId: number,
  actor: Actor,
): Promise<ReviewResult> {
  const now = rt.now();
  return transaction(rt.db, async (tx): Promise<ReviewResult> => {
    const f = await findFollowUpById(tx, followUpId);
    if (!f || f.appealId !== appealId) return { ok: false, error: 'not-found' };
    if (!(await markFollowUpDone(tx, f.id, actor.id, now))) return { ok: false, error: 'not-allowed' };
    await insertAppealEvent(tx, {
      appealId: f.appealId,
      at: now,
      actorType: 'staff',
      actorId: actor.id,
      kind: 'follow-up-done',
      details: { followUpId: f.id, kind: f.kind },
    });
    const appeal = await findAppealById(tx, f.appealId);
    const emailed =
      appeal !== undefined &&
      (await queueAppellantEmail(
        rt,
        tx,
        appeal,
        'appeal-follow-up-done',
        (link) =>
          followUpDoneEmail({
            orgName: rt.config.org.name,
            name: appeal.name,
            appealReference: appeal.reference,
            kind: f.kind,
            statusUrl: link,
            statusLinkParagraph: statusLinkParagraph(rt),
          }),
        now,
      )) !== undefined;
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'appeal.follow-up-done',
      entityType: 'follow_up',
      entityId: String(f.id),
      ip: actor.ip,
      details: { appealId: f.appealId, kind: f.kind, emailed },
    });
    return { ok: true };
  });
}

// ---- Queue and appeal view (read side) ----

export const QUEUE_PAGE_SIZE = 25;
export const QUEUE_STATUSES = ['new', 'in-review', 'waiting', 'decided', 'withdrawn'] as const;
export const QUEUE_STATUS_LABELS: Record<(typeof QUEUE_STATUSES)[number], string> = APPEAL_STATUS_LABELS;

export interface QueueFilters {
  /** '' is any status; 'open' (new, in review, waiting) is the default when none is asked for. */
  status: (typeof QUEUE_STATUSES)[number] | 'open' | '';
  assignee: 'me' | 'anyone' | 'unassigned';
  due: '' | 'overdue' | 'week';
  order: 'soonest' | 'latest';
  page: number;
}

/** The longest search accepted (an email address can be 254 characters). */
export const QUEUE_SEARCH_MAX = 254;
export const QUEUE_SEARCH_TOO_LONG = `Search must be ${QUEUE_SEARCH_MAX} characters or fewer`;

export function parseQueueFilters(params: URLSearchParams): QueueFilters {
  const status = params.get('status') ?? 'open';
  const assignee = params.get('assignee') ?? 'anyone';
  const due = params.get('due') ?? '';
  const order = params.get('order') === 'latest' ? 'latest' : 'soonest';
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  return {
    status:
      status === 'open' || (QUEUE_STATUSES as readonly string[]).includes(status)
        ? (status as QueueFilters['status'])
        : '',
    assignee: assignee === 'me' || assignee === 'unassigned' ? assignee : 'anyone',
    due: due === 'overdue' || due === 'week' ? due : '',
    order,
    page: Number.isFinite(page) && page > 0 && page < 100000 ? page : 1,
  };
}

/** The queue's filter form: each select with its options (counts where they help) and what is chosen. */
export function queueFilterSelects(
  filters: QueueFilters,
  counts: { overdue: number; week: number; mine: number; unassigned: number },
) {
  return [
    {
      name: 'status',
      label: 'Status',
      selected: filters.status,
      options: [
        { value: 'open', label: 'Open appeals' },
        { value: '', label: 'Any status' },
        ...QUEUE_STATUSES.map((s) => ({ value: s, label: QUEUE_STATUS_LABELS[s] })),
      ],
    },
    {
      name: 'assignee',
      label: 'Assigned to',
      selected: filters.assignee,
      options: [
        { value: 'anyone', label: 'Anyone' },
        { value: 'me', label: `Me (${counts.mine})` },
        { value: 'unassigned', label: `Nobody (${counts.unassigned})` },
      ],
    },
    {
      name: 'due',
      label: 'Due',
      selected: filters.due,
      options: [
        { value: '', label: 'Any time' },
        { value: 'overdue', label: `Overdue (${counts.overdue})` },
        { value: 'week', label: `Due this week (${counts.week})` },
      ],
    },
    {
      name: 'order',
      label: 'Sort',
      selected: filters.order,
      options: [
        { value: 'soonest', label: 'Soonest due first' },
        { value: 'latest', label: 'Latest due first' },
      ],
    },
  ];
}

/** A status count's link: the queue as it is now, showing that status from its first page. */
export function queueStatusHref(params: URLSearchParams, status: string): string {
  const next = new URLSearchParams(params);
  next.set('status', status);
  next.delete('page');
  return `/staff/appeals?${next}`;
}

export interface ParsedQueueSearch {
  search: QueueSearch;
  /** What the search looked for, in words, for the results' summary. */
  describe: string;
  /** No reference passed its check: these are the references one typing slip away. */
  corrected: boolean;
}

/**
 * What a staff member typed in the queue's search box, read as every key it can be: an appeal
 * or case reference (forgiving as the public form is: any case, spaces, O for 0, I or L for 1; a
 * failed check character tries the references one slip away), an email address (has an @ after
 * its first character), or an account handle (any case, with or without the leading @). Each key
 * is matched exactly on an index (db/review.ts): no pattern scans.
 */
export function parseQueueSearch(
  typed: string,
): { ok: true; parsed: ParsedQueueSearch | null } | { ok: false; error: string } {
  const q = cleanText(typed);
  if (!q) return { ok: true, parsed: null };
  if (characterLength(q) > QUEUE_SEARCH_MAX) return { ok: false, error: QUEUE_SEARCH_TOO_LONG };
  const reference = parseReference(q);
  if (reference.ok)
    return {
      ok: true,
      parsed: {
        search: { references: [reference.reference], email: null, handle: null },
        describe: `reference ${reference.reference}`,
        corrected: false,
      },
    };
  if (q.indexOf('@') > 0)
    return {
      ok: true,
      parsed: {
        search: { references: [], email: q.toLowerCase(), handle: null },
        describe: `email address ${q.toLowerCase()}`,
        corrected: false,
      },
    };
  const handle = q.replace(/^@+/, '').toLowerCase();
  const nearby = reference.error === 'check-failed' ? nearbyReferences(q) : [];
  return {
    ok: true,
    parsed: {
      search: { references: nearby, email: null, handle: handle || null },
      describe: nearby.length ? `references close to ${q} or the account handle ${q}` : `account handle ${q}`,
      corrected: nearby.length > 0,
    },
  };
}

/**
 * The queue page for a staff member: items, total, counts per status and open follow-ups. With a
 * search (`q`, the search box as typed) the items are the appeals it finds, in any status.
 */
export async function reviewQueue(rt: Runtime, filters: QueueFilters, staffId: number, q = '') {
  const now = rt.now();
  const searched = parseQueueSearch(q);
  const search = searched.ok ? searched.parsed : null;
  // "Due this week": due within the next 5 working days.
  const weekEnd = addWorkingDays(now, 5);
  const dueBefore = filters.due === 'overdue' ? now : filters.due === 'week' ? weekEnd : null;
  // Overdue and due this week cover only appeals whose clock runs (db/review.ts CLOCK_RUNNING).
  const query = {
    status: filters.status || null,
    assignee: filters.assignee === 'me' ? staffId : filters.assignee === 'unassigned' ? ('unassigned' as const) : null,
    dueBefore,
  };
  const page = { order: filters.order, limit: QUEUE_PAGE_SIZE, offset: (filters.page - 1) * QUEUE_PAGE_SIZE };
  // A search looks in every status and ignores the filters: a reference finds its appeal however old.
  const { items, total } = search
    ? await searchQueue(rt.db, search.search, page)
    : searched.ok
      ? await listQueue(rt.db, { ...query, ...page })
      : { items: [], total: 0 };
  return {
    search,
    searchError: searched.ok ? null : searched.error,
    // Tags: asking for someone else, and each other way to contact them (labels.ts queueTags).
    items: items.map((i) => ({
      ...i,
      overdue: i.dueAt.getTime() < now.getTime() && (i.status === 'new' || i.status === 'in-review'),
      tags: queueTags(i),
    })),
    total,
    pages: Math.max(1, Math.ceil(total / QUEUE_PAGE_SIZE)),
    /** Per status, among the appeals matching the other filters (assignee, due). */
    counts: await countByStatus(rt.db, query),
    /** How many each filter would list if chosen, with the other filters kept (overdue, due this week, me, nobody). */
    filterCounts: await countQueueFilters(rt.db, staffId, query, now, weekEnd),
    followUps: await listOpenFollowUpsWithAppeal(rt.db),
  };
}

/**
 * The case search (/staff/cases) filled in from what a no-reference appellant told us: the
 * platform, the handle, and two weeks either side of the date they gave (or the four weeks before
 * the appeal when they gave none), so the reviewer can find the case to link.
 */
export function caseSearchForAppeal(
  appeal: Pick<AppealRow, 'claimedPlatform' | 'claimedHandle' | 'claimedDate' | 'receivedAt'>,
): string {
  const day = 86_400_000;
  const params = new URLSearchParams();
  if (appeal.claimedHandle) params.set('q', appeal.claimedHandle);
  if (appeal.claimedPlatform) params.set('platform', appeal.claimedPlatform);
  const given =
    appeal.claimedDate && /^\d{4}-\d{2}-\d{2}$/.test(appeal.claimedDate)
      ? new Date(`${appeal.claimedDate}T12:00:00Z`)
      : null;
  const centre = given && !Number.isNaN(given.getTime()) ? given : null;
  const from = centre ? new Date(centre.getTime() - 14 * day) : new Date(appeal.receivedAt.getTime() - 28 * day);
  const to = centre ? new Date(centre.getTime() + 14 * day) : appeal.receivedAt;
  params.set('from', from.toISOString().slice(0, 10));
  params.set('to', to.toISOString().slice(0, 10));
  return `/staff/cases?${params}`;
}

/** Open follow-ups across every appeal, soonest due first (the staff follow-ups page). */
export async function openFollowUpList(rt: Runtime, limit = 200) {
  const now = rt.now();
  return (await listOpenFollowUpsWithAppeal(rt.db, limit)).map((f) => ({
    ...f,
    label: FOLLOW_UP_LABELS[f.kind],
    overdue: f.dueAt.getTime() < now.getTime(),
  }));
}

export const FOLLOW_UP_LABELS: Record<FollowUpKind, string> = FOLLOW_UP_KIND_LABELS;

/** Everything staff see about one appeal, with who did what. `decisionFacts` feeds decisionBlocker. */
export async function appealForStaff(rt: Runtime, id: number) {
  const row = await findAppealById(rt.db, id);
  if (!row) return undefined;
  const caseRecord = row.caseId ? await findCaseById(rt.db, row.caseId) : undefined;
  const events = await listAppealEvents(rt.db, id);
  const followUps = await listFollowUpsForAppeal(rt.db, id);
  const ids = [
    ...new Set(
      [...events.map((e) => e.actorId), row.assignedTo, row.decidedBy, ...followUps.map((f) => f.doneBy)].filter(
        (x): x is number => x != null,
      ),
    ),
  ];
  const names = await staffNames(rt.db, ids);
  const who = (e: { actorType: string; actorId: number | null }) =>
    e.actorType === 'staff'
      ? (names.get(e.actorId ?? -1) ?? 'Staff')
      : e.actorType === 'appellant'
        ? 'Appellant'
        : 'System';
  const templates = await templatesForAppeal(rt, caseRecord?.grounds.map((g) => g.code) ?? []);
  return {
    appeal: row,
    caseRecord,
    assigneeName: row.assignedTo ? (names.get(row.assignedTo) ?? null) : null,
    decisionVersion: row.decisionVersionId
      ? ((await findVersionNumberById(rt.db, row.decisionVersionId)) ?? null)
      : null,
    history: events.map((e) => {
      let detail = '';
      const d = e.details ?? {};
      let label = Object.hasOwn(APPEAL_EVENT_LABELS, e.kind)
        ? APPEAL_EVENT_LABELS[e.kind as AppealEventKind]
        : humanise(e.kind);
      const statusChanged = typeof d['to'] === 'string' && typeof d['from'] === 'string' && d['from'] !== d['to'];
      if (e.kind === 'assigned')
        detail = d['to'] == null ? 'Unassigned' : `To ${names.get(d['to'] as number) ?? 'staff'}`;
      else if (e.kind === 'email-queued') label = emailQueuedLabel(String(d['email'] ?? ''));
      else if (e.kind === 'decided') {
        detail = Object.hasOwn(OUTCOME_LABELS, String(d['outcome']))
          ? OUTCOME_LABELS[d['outcome'] as DecisionOutcome]
          : '';
        if (typeof d['templateName'] === 'string')
          detail += `; reasons started from the reply template “${d['templateName']}”`;
      } else if (e.kind === 'case-linked') detail = `case ${String(d['caseReference'] ?? '')}`;
      else if (e.kind === 'status-changed' && statusChanged)
        label = statusChangeLabel(d['from'] as string, d['to'] as string);
      else if (statusChanged) detail = statusChangeLabel(d['from'] as string, d['to'] as string);
      else if (e.kind.startsWith('follow-up')) detail = FOLLOW_UP_LABELS[d['kind'] as FollowUpKind] ?? '';
      return { id: e.id, at: e.at, who: who(e), label, kind: e.kind, body: e.body, detail };
    }),
    followUps: followUps.map((f) => ({
      ...f,
      label: FOLLOW_UP_LABELS[f.kind],
      doneByName: f.doneBy ? (names.get(f.doneBy) ?? null) : null,
    })),
    reviewers: await listReviewers(rt.db),
    versions: (await listPublishedVersions(rt.db)).map((v) => v.version),
    decisionFacts: {
      caseId: row.caseId,
      caseRecordedBy: caseRecord?.recordedBy,
      noMatchingCase: row.caseId === null && events.some((e) => e.kind === NO_MATCHING_CASE),
    } satisfies DecisionFacts,
    templates,
    /** The reply templates in their groups, as the decision form's select shows them. */
    templateGroups: [...new Set(templates.map((t) => t.groupLabel))].map((label) => ({
      label,
      templates: templates.filter((t) => t.groupLabel === label),
    })),
    /** Not decided or withdrawn: staff can still act on it. */
    isOpen: isOpen(row.status),
    /** The day the appellant said the action happened (no-reference appeals), when it is a real day. */
    claimedDay: row.claimedDate ? claimedDay(row.claimedDate) : undefined,
  };
}
