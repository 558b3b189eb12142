/**
 * Staff notifications (docs/decisions/019-staff-notifications.md): who on the staff side is told
 * what, through the outbox, in the transaction of the change that causes it.
 *
 * - A new appeal: one email to the team (REVIEW_TEAM_EMAIL, else each active reviewer, else each
 *   active admin when there is no active reviewer).
 * - The appellant adds information or answers a request: the assigned reviewer, else the team.
 * - The working-day digest at DIGEST_TIME (08:00) UK time, Monday to Friday except England and
 *   Wales bank holidays: new and unassigned, due within 2 working days, overdue, follow-ups
 *   overdue. Each UK day is decided once (a row in staff_digests, claimed in the transaction
 *   that queues the emails), so restarts and several workers never send it twice; when every
 *   list is empty the day is recorded and nothing is sent. A day with nobody to tell is not
 *   claimed, so the digest goes out once someone can receive it that day.
 * - An appeal whose due date passes (clock running) is escalated once to every active admin (a
 *   row in appeal_escalations); while there is no active admin it is not escalated, and is at
 *   the next check after one exists.
 * Staff emails carry the appeal reference, dates and a link to the staff page; never the
 * appellant's name, address, handle or words.
 */
import { recordAudit } from '../../../db/audit.ts';
import { findAppealById, type AppealRow } from '../../../db/appeals.ts';
import type { DbOrTx } from '../../../db/client.ts';
import {
  activeStaffEmail,
  activeStaffEmails,
  claimDigestDay,
  findDigestDay,
  insertEscalation,
  listDueBetween,
  listNewUnassigned,
  listOverdue,
  listOverdueFollowUps,
  listOverdueNotEscalated,
  type DigestAppeal,
} from '../../../db/notifications.ts';
import { enqueueEmail } from '../../../db/outbox.ts';
import { staffNames } from '../../../db/review.ts';
import { transaction } from '../../../db/transactions.ts';
import { addWorkingDays, isWorkingDay, ukDate, startPeriodicJob, type Runtime } from '../platform/index.ts';
import {
  DUE_SOON_WORKING_DAYS,
  isDigestEmpty,
  overdueEscalationEmail,
  staffAppealReceivedEmail,
  staffAppellantRepliedEmail,
  staffDigestEmail,
  type DigestAppealItem,
} from './emails/staff-notifications.ts';

/** Outbox kinds of the staff emails. */
export const STAFF_EMAIL_KINDS = {
  appealReceived: 'staff-appeal-received',
  appellantReplied: 'staff-appellant-replied',
  digest: 'staff-digest',
  overdue: 'staff-overdue-escalation',
} as const;

/** "Due soon" in the digest: due within this many working days. */
export const DIGEST_DUE_WITHIN_WORKING_DAYS = DUE_SOON_WORKING_DAYS;
/** At most this many lines per list in one digest (the rest are counted, "and N more"). */
export const DIGEST_LIST_LIMIT = 50;

export const staffAppealUrl = (rt: Runtime, appealId: number) => `${rt.config.publicUrl}/staff/appeals/${appealId}`;

/**
 * Who "the team" is: REVIEW_TEAM_EMAIL, or every active reviewer when it is not set, or every
 * active admin when there is no active reviewer either (so the email reaches someone who can act
 * or give the reviewer role). Empty only when there is no active reviewer or admin at all.
 */
export async function teamRecipients(rt: Runtime, tx: DbOrTx): Promise<string[]> {
  const team = rt.config.staffNotifications.reviewTeamEmail;
  if (team) return [team];
  const reviewers = await activeStaffEmails(tx, 'reviewer');
  return reviewers.length ? reviewers : await activeStaffEmails(tx, 'admin');
}

/** The assigned reviewer while they are an active reviewer, else the team (teamRecipients). */
export async function reviewerOrTeam(rt: Runtime, tx: DbOrTx, assignedTo: number | null): Promise<string[]> {
  const assignee = assignedTo != null ? await activeStaffEmail(tx, assignedTo, 'reviewer') : undefined;
  return assignee ? [assignee] : await teamRecipients(rt, tx);
}

/** Queues the "new appeal" email to the team; call it in the transaction that records the appeal. */
export async function queueNewAppealNotice(
  rt: Runtime,
  tx: DbOrTx,
  appeal: Pick<AppealRow, 'id' | 'reference' | 'dueAt' | 'caseId'>,
  now: Date,
): Promise<number> {
  const email = staffAppealReceivedEmail({
    orgName: rt.config.org.name,
    appealReference: appeal.reference,
    dueAt: appeal.dueAt,
    staffUrl: staffAppealUrl(rt, appeal.id),
    hasCaseReference: appeal.caseId !== null,
  });
  const to = await teamRecipients(rt, tx);
  for (const address of to)
    await enqueueEmail(tx, { to: address, ...email, kind: STAFF_EMAIL_KINDS.appealReceived }, now);
  return to.length;
}

/**
 * Queues the "appellant replied" email: to the assigned reviewer while they are an active
 * reviewer, else to the team. Call it in the transaction that records the information.
 */
export async function queueAppellantReplyNotice(
  rt: Runtime,
  tx: DbOrTx,
  appeal: Pick<AppealRow, 'id' | 'reference' | 'assignedTo'>,
  dueAt: Date,
  answeredRequest: boolean,
  now: Date,
): Promise<number> {
  const email = staffAppellantRepliedEmail({
    orgName: rt.config.org.name,
    appealReference: appeal.reference,
    dueAt,
    staffUrl: staffAppealUrl(rt, appeal.id),
    answeredRequest,
  });
  const to = await reviewerOrTeam(rt, tx, appeal.assignedTo);
  for (const address of to)
    await enqueueEmail(tx, { to: address, ...email, kind: STAFF_EMAIL_KINDS.appellantReplied }, now);
  return to.length;
}

const ukClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Minutes after midnight, UK time. */
export function ukMinuteOfDay(date: Date): number {
  const parts = ukClock.formatToParts(date);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part('hour') * 60 + part('minute');
}

/**
 * Whether the scheduled digest is due at `now`: a working day in England and Wales (not a
 * weekend, not a bank holiday) at or after `digestMinute` UK time. After a restart later the same
 * working day it is still due (and sent then, once), so a server down at 08:00 does not skip it.
 */
export function isDigestDue(now: Date, digestMinute: number | null): boolean {
  return digestMinute !== null && isWorkingDay(now) && ukMinuteOfDay(now) >= digestMinute;
}

export type DigestResult =
  | { status: 'sent'; day: string; emails: number; items: number }
  | { status: 'empty'; day: string }
  | { status: 'already-decided'; day: string }
  | { status: 'no-recipients'; day: string };

const toItem =
  (rt: Runtime) =>
  (a: DigestAppeal): DigestAppealItem => ({
    reference: a.reference,
    dueAt: a.dueAt,
    receivedAt: a.receivedAt,
    url: staffAppealUrl(rt, a.id),
  });

const FOLLOW_UP_WORDS = { 'restore-comment': 'Restore the comment', 'unblock-account': 'Unblock the account' } as const;

/**
 * Sends today's digest (UK day of rt.now()) now, whatever the time: the lists are read, the day
 * is claimed and the emails queued in ONE transaction. A day already decided (sent, or found
 * empty) is not sent again. With something to report and nobody to send it to
 * (`no-recipients`) the day is not claimed, so a later run that day can still send it.
 */
export async function sendDigest(rt: Runtime): Promise<DigestResult> {
  const now = rt.now();
  const day = ukDate(now);
  return transaction(rt.db, async (tx): Promise<DigestResult> => {
    const limit = DIGEST_LIST_LIMIT;
    const dueSoonBefore = addWorkingDays(now, DIGEST_DUE_WITHIN_WORKING_DAYS);
    const lists = {
      newUnassigned: await listNewUnassigned(tx, limit),
      dueSoon: await listDueBetween(tx, now, dueSoonBefore, limit),
      overdue: await listOverdue(tx, now, limit),
      followUpsOverdue: await listOverdueFollowUps(tx, now, limit),
    };
    const data = {
      orgName: rt.config.org.name,
      day: now,
      queueUrl: `${rt.config.publicUrl}/staff/appeals`,
      newUnassigned: lists.newUnassigned.items.map(toItem(rt)),
      dueSoon: lists.dueSoon.items.map(toItem(rt)),
      overdue: lists.overdue.items.map(toItem(rt)),
      followUpsOverdue: lists.followUpsOverdue.items.map((f) => ({
        appealReference: f.appealReference,
        label: FOLLOW_UP_WORDS[f.kind],
        dueAt: f.dueAt,
        url: staffAppealUrl(rt, f.appealId),
      })),
      more: {
        newUnassigned: lists.newUnassigned.total - lists.newUnassigned.items.length,
        dueSoon: lists.dueSoon.total - lists.dueSoon.items.length,
        overdue: lists.overdue.total - lists.overdue.items.length,
        followUpsOverdue: lists.followUpsOverdue.total - lists.followUpsOverdue.items.length,
      },
    };
    const items = Object.values(lists).reduce((n, l) => n + l.total, 0);
    const empty = isDigestEmpty(data);
    const to = empty ? [] : await teamRecipients(rt, tx);
    if (!empty && to.length === 0)
      return (await findDigestDay(tx, day)) ? { status: 'already-decided', day } : { status: 'no-recipients', day };
    if (!(await claimDigestDay(tx, { day, decidedAt: now, emails: to.length, items })))
      return { status: 'already-decided', day };
    if (empty) return { status: 'empty', day };
    const email = staffDigestEmail(data);
    for (const address of to) await enqueueEmail(tx, { to: address, ...email, kind: STAFF_EMAIL_KINDS.digest }, now);
    return { status: 'sent', day, emails: to.length, items };
  });
}

/** The scheduled digest: sends today's when it is due (isDigestDue), else does nothing. */
export async function runScheduledDigest(rt: Runtime): Promise<DigestResult | undefined> {
  return isDigestDue(rt.now(), rt.config.staffNotifications.digestMinute) ? sendDigest(rt) : undefined;
}

export function describeDigest(result: DigestResult): string {
  if (result.status === 'sent')
    return `Digest for ${result.day} queued: ${result.emails} email(s) listing ${result.items} item(s).`;
  if (result.status === 'empty') return `Digest for ${result.day}: nothing to report, so nothing was sent.`;
  if (result.status === 'no-recipients')
    return `Digest for ${result.day}: there is no active reviewer or admin to send it to (and REVIEW_TEAM_EMAIL is not set), so nothing was sent.`;
  return `Digest for ${result.day} was already done today: nothing sent.`;
}

/** At most this many appeals are escalated in one run (the next run takes the rest). */
const ESCALATION_BATCH = 100;

/**
 * Escalates each appeal that is overdue (clock running, due date passed) and was never escalated:
 * one email to every active admin, a row in appeal_escalations and a system audit entry, in ONE
 * transaction per appeal. While there is no active admin nothing is recorded, so the appeal is
 * escalated at a later run once there is one. Returns how many appeals were escalated.
 */
export async function escalateOverdueAppeals(rt: Runtime): Promise<number> {
  const now = rt.now();
  let escalated = 0;
  for (const appeal of await listOverdueNotEscalated(rt.db, now, ESCALATION_BATCH)) {
    const done = await transaction(rt.db, async (tx) => {
      const admins = await activeStaffEmails(tx, 'admin');
      if (admins.length === 0) return false;
      if (!(await insertEscalation(tx, { appealId: appeal.id, escalatedAt: now, dueAt: appeal.dueAt }))) return false;
      const assignedTo = await appealAssignee(tx, appeal.id);
      const email = overdueEscalationEmail({
        orgName: rt.config.org.name,
        appealReference: appeal.reference,
        dueAt: appeal.dueAt,
        staffUrl: staffAppealUrl(rt, appeal.id),
        assigneeName: assignedTo != null ? ((await staffNames(tx, [assignedTo])).get(assignedTo) ?? null) : null,
      });
      for (const address of admins)
        await enqueueEmail(tx, { to: address, ...email, kind: STAFF_EMAIL_KINDS.overdue }, now);
      await recordAudit(tx, {
        actorId: null,
        action: 'appeal.overdue-escalated',
        entityType: 'appeal',
        entityId: String(appeal.id),
        ip: null,
        details: { admins: admins.length },
      });
      return true;
    });
    if (done) escalated++;
  }
  return escalated;
}

async function appealAssignee(tx: DbOrTx, appealId: number): Promise<number | null> {
  return (await findAppealById(tx, appealId))?.assignedTo ?? null;
}

/** How often the server checks for overdue appeals and the digest. */
export const STAFF_NOTIFICATION_CHECK_MS = 60_000;

/** Runs the overdue escalation and the scheduled digest now and every minute in the server. */
export function startStaffNotificationJob(rt: Runtime, everyMs = STAFF_NOTIFICATION_CHECK_MS): { stop: () => void } {
  return startPeriodicJob('Staff notifications check', everyMs, async () => {
    const escalated = await escalateOverdueAppeals(rt);
    if (escalated > 0) console.log(`Escalated ${escalated} overdue appeal(s) to the admins.`);
    const digest = await runScheduledDigest(rt);
    if (digest && digest.status !== 'already-decided') console.log(describeDigest(digest));
  });
}
