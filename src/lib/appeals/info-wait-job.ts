/**
 * The periodic check of appeals waiting for the appellant (rules in src/lib/appeals/info-wait.ts): one
 * reminder email, then the review resumes with a history entry, an audit entry and the reviewer
 * (else the team) told. Each step is ONE transaction and is done at most once per request.
 */
import {
  findAppealById,
  insertAppealEvent,
  listAppealEvents,
  listWaitingAppeals,
  updateAppeal,
  type AppealRow,
} from '../../../db/appeals.ts';
import { recordAudit } from '../../../db/audit.ts';
import type { DbOrTx } from '../../../db/client.ts';
import { enqueueEmail } from '../../../db/outbox.ts';
import { transaction } from '../../../db/transactions.ts';
import { queueAppellantEmail, statusLinkParagraph } from './appeals.ts';
import { transition } from './state.ts';
import { remainingWorkingDays, resumeDueDate, formatDate, startPeriodicJob, type Runtime } from '../platform/index.ts';
import { notificationEmail } from '../email/index.ts';
import { reviewerOrTeam, STAFF_NOTIFICATION_CHECK_MS, staffAppealUrl } from '../notifications/index.ts';
import { infoWaitDates } from './info-wait.ts';

export const INFO_REMINDER_SENT = 'info-reminder-sent';
export const INFO_WAIT_ENDED = 'info-wait-ended';

export interface InfoWaitRun {
  reminded: number;
  resumed: number;
}

/** The request being waited for: the latest `info-requested` entry, and whether it was already chased. */
async function waitState(tx: DbOrTx, row: AppealRow) {
  const events = await listAppealEvents(tx, row.id);
  const asked = events.filter((e) => e.kind === 'info-requested').at(-1);
  const since = asked?.at ?? row.pausedAt!;
  return {
    question: asked?.body ?? null,
    since,
    reminded: events.some((e) => e.kind === INFO_REMINDER_SENT && e.at.getTime() >= since.getTime()),
  };
}

async function remind(rt: Runtime, appealId: number, now: Date): Promise<boolean> {
  return transaction(rt.db, async (tx) => {
    const row = await findAppealById(tx, appealId);
    if (!row || row.status !== 'waiting' || !row.pausedAt) return false;
    const state = await waitState(tx, row);
    const dates = infoWaitDates(row.pausedAt, rt.config.infoWaitWorkingDays);
    if (state.reminded || now.getTime() <= dates.remindAt.getTime() || now.getTime() > dates.answerBy.getTime())
      return false;
    await insertAppealEvent(tx, { appealId: row.id, at: now, actorType: 'system', kind: INFO_REMINDER_SENT });
    await queueAppellantEmail(
      rt,
      tx,
      row,
      'appeal-info-reminder',
      (link) =>
        notificationEmail({
          orgName: rt.config.org.name,
          subject: `Reminder: we need more information about your appeal ${row.reference}`,
          heading: 'We are still waiting for your answer',
          paragraphs: [
            ...(state.question ? ['We asked you:', state.question] : []),
            `Please reply by ${formatDate(dates.answerBy)}. If we do not hear from you by then, we will carry on reviewing your appeal with the information we have.`,
            statusLinkParagraph(rt),
            `The ${rt.config.org.name} social media team`,
          ],
          link: { text: 'Reply to our question', url: `${link}/add-information` },
        }),
      now,
    );
    return true;
  });
}

async function resume(rt: Runtime, appealId: number, now: Date): Promise<boolean> {
  return transaction(rt.db, async (tx) => {
    const row = await findAppealById(tx, appealId);
    if (!row || !row.pausedAt) return false;
    const next = transition(row.status, 'resume');
    if (!next.ok || now.getTime() <= infoWaitDates(row.pausedAt, rt.config.infoWaitWorkingDays).answerBy.getTime())
      return false;
    const dueAt = resumeDueDate(now, remainingWorkingDays(row.pausedAt, row.dueAt));
    await updateAppeal(tx, row.id, { status: next.status, pausedAt: null, dueAt });
    await insertAppealEvent(tx, {
      appealId: row.id,
      at: now,
      actorType: 'system',
      kind: INFO_WAIT_ENDED,
      details: { from: row.status, to: next.status, workingDays: 2 * rt.config.infoWaitWorkingDays },
    });
    await recordAudit(tx, {
      actorId: null,
      action: 'appeal.info-wait-ended',
      entityType: 'appeal',
      entityId: String(row.id),
      ip: null,
      details: { from: row.status, to: next.status },
    });
    // The reviewer (else the team) is told: reference, new due date and link, no personal data.
    const email = notificationEmail({
      orgName: rt.config.org.name,
      subject: `No answer from the appellant: appeal ${row.reference} is back in review`,
      heading: 'The appellant did not answer: the review has resumed',
      paragraphs: [
        `We asked the appellant of appeal ${row.reference} for more information and had no answer within ${2 * rt.config.infoWaitWorkingDays} working days, so the review has resumed by itself.`,
        `The decision is now due by ${formatDate(dueAt)}. Decide with the information we have, or ask again.`,
      ],
      link: { text: `Open appeal ${row.reference}`, url: staffAppealUrl(rt, row.id) },
    });
    for (const address of await reviewerOrTeam(rt, tx, row.assignedTo))
      await enqueueEmail(tx, { to: address, ...email, kind: 'staff-info-wait-ended' }, now);
    return true;
  });
}

/** Sends the reminders that are due and resumes the reviews that waited long enough. */
export async function chaseWaitingAppeals(rt: Runtime): Promise<InfoWaitRun> {
  const now = rt.now();
  const run: InfoWaitRun = { reminded: 0, resumed: 0 };
  for (const { id, pausedAt } of await listWaitingAppeals(rt.db)) {
    if (!pausedAt) continue;
    const dates = infoWaitDates(pausedAt, rt.config.infoWaitWorkingDays);
    if (now.getTime() > dates.answerBy.getTime()) run.resumed += (await resume(rt, id, now)) ? 1 : 0;
    else if (now.getTime() > dates.remindAt.getTime()) run.reminded += (await remind(rt, id, now)) ? 1 : 0;
  }
  return run;
}

export function describeInfoWait(run: InfoWaitRun): string {
  return `Waiting for appellants: ${run.reminded} reminder(s) sent, ${run.resumed} review(s) resumed without an answer.`;
}

/** Runs the check now and every minute in the server, beside the staff notifications. */
export function startInfoWaitJob(rt: Runtime, everyMs = STAFF_NOTIFICATION_CHECK_MS): { stop: () => void } {
  return startPeriodicJob('Waiting-for-appellant check', everyMs, async () => {
    const run = await chaseWaitingAppeals(rt);
    if (run.reminded + run.resumed > 0) console.log(describeInfoWait(run));
  });
}
