/**
 * Appeals by members of the public: creating one (with its history entry and acknowledgement
 * email in the same transaction), the appeal window, one open appeal per case, and what the
 * appellant can do from their private status link.
 */
import { invalidateTransparencyCache } from '../transparency/index.ts';
import {
  addWorkingDays,
  remainingWorkingDays,
  resumeDueDate,
  fromDateParts,
  OUTCOME_LABELS,
  type EmailKind,
  generateToken,
  type Runtime,
  hashToken,
} from '../platform/index.ts';
import { notificationEmail, type EmailContent } from '../email/index.ts';
import { queueAppellantReplyNotice, queueNewAppealNotice } from '../notifications/index.ts';
import { generateReference } from '../cases/index.ts';
import { addDays, addMonths } from 'date-fns';
import { TZDate } from '@date-fns/tz';
import {
  findAppealByTokenHash,
  findCaseReferenceById,
  findOpenAppealForCase,
  findVersionNumberById,
  insertAppeal,
  insertAppealEvent,
  insertStatusLink,
  listAppealEvents,
  updateAppeal,
  type AppealRow,
} from '../../../db/appeals.ts';
import { findCaseByReference, type CaseRecord, type Platform } from '../../../db/cases.ts';
import { isUniqueViolation } from '../../../db/errors.ts';
import type { CLAIMED_ACTIONS } from '../../../db/schema.ts';
import { enqueueEmail } from '../../../db/outbox.ts';
import { isOpen, publicStatusLabel, transition, type AppealStatus } from './state.ts';
import { infoWaitDates } from './info-wait.ts';
import { appealAcknowledgementEmail } from './emails/acknowledgement.ts';
import type { DbOrTx } from '../../../db/client.ts';
import { afterCommit, transaction } from '../../../db/transactions.ts';

/** What the appeal is about: a case found by its reference, or a post described by the person. */
export type ClaimedAction = (typeof CLAIMED_ACTIONS)[number];

export type AppealSubject =
  | { kind: 'case'; caseReference: string }
  | {
      kind: 'post';
      platform: Platform;
      handle: string;
      date: string;
      postUrl: string | null;
      action?: ClaimedAction | null;
    };

export type { ContactNeed, ContactNeeds, Relationship, WhoIsAsking } from '../../../db/schema.ts';
import type { ContactNeeds, WhoIsAsking } from '../../../db/schema.ts';

export interface NewAppeal {
  subject: AppealSubject;
  /** Cleaned text (src/lib/platform/validation.ts). */
  reason: string;
  email: string;
  name: string | null;
  /** Not given by appeals made before the questions existed (and some tests). */
  asking?: WhoIsAsking;
  contactNeeds?: ContactNeeds;
}

export interface CreatedAppeal {
  id: number;
  reference: string;
  receivedAt: Date;
  dueAt: Date;
}

export type CreateAppealResult =
  | { ok: true; appeal: CreatedAppeal; statusToken: string }
  | { ok: false; error: 'case-not-found' | 'already-open' }
  | { ok: false; error: 'outside-window'; windowClosedAt: Date };

export function statusUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/appeal/status/${token}`;
}

/**
 * A new private status link for an appeal: a fresh token whose hash only is stored, one of several
 * live links the appeal may have (each email to the appellant carries its own; all end with the
 * appeal's retention). Returns the token and its full URL, for the email only.
 */
export async function issueStatusLink(
  rt: Runtime,
  tx: DbOrTx,
  appealId: number,
  sentWith: EmailKind,
  now: Date,
): Promise<{ token: string; url: string }> {
  const token = generateToken();
  await insertStatusLink(tx, appealId, hashToken(token), sentWith, now);
  return { token, url: statusUrl(rt.config.publicUrl, token) };
}

/**
 * Queues an email to the appellant that carries a status link of its own: the link is made
 * (issueStatusLink), handed to `build`, listed as the email's secret (so the stored copy loses it
 * once delivered) and the history records the email. Nothing is queued without an address.
 */
export async function queueAppellantEmail(
  rt: Runtime,
  tx: DbOrTx,
  row: Pick<AppealRow, 'id' | 'email'>,
  kind: EmailKind,
  build: (statusUrl: string) => EmailContent,
  now: Date,
): Promise<{ outboxId: number; token: string } | undefined> {
  if (!row.email) return undefined;
  const { token, url } = await issueStatusLink(rt, tx, row.id, kind, now);
  const queued = await enqueueEmail(tx, { to: row.email, ...build(url), kind, secrets: [url] }, now);
  await insertAppealEvent(tx, {
    appealId: row.id,
    at: now,
    actorType: 'system',
    kind: 'email-queued',
    details: { email: kind, outboxId: queued.id },
  });
  return { outboxId: queued.id, token };
}

/** The words every email to the appellant ends with: where their status link is, and what to do without it. */
export function statusLinkParagraph(rt: Runtime): string {
  return `You can check your appeal at any time using the private link in this email. Do not share it: anyone with the link can see and change your appeal. If you lose it, you can get a new one at ${rt.config.publicUrl}/appeal/find.`;
}

const UK = 'Europe/London';

/**
 * The last moment an appeal can be made about an action taken at `actionAt`: the same UK clock
 * time, `windowMonths` later (counted in UK time, so a window across a change to or from summer
 * time is not an hour short or long; a 31st with no match ends on the month's last day).
 */
export function appealWindowCloses(actionAt: Date, windowMonths: number): Date {
  return new Date(addMonths(new TZDate(actionAt.getTime(), UK), windowMonths).getTime());
}

export type CaseEligibility =
  | { ok: true; windowClosesAt: Date }
  | { ok: false; error: 'outside-window'; windowClosedAt: Date }
  | { ok: false; error: 'already-open' };

/**
 * When the appeal window starts: the later of the action and the moment the person was told of
 * it (DSA Art. 20 counts from when the person is informed). A notice recorded after the action
 * moves the window on; one that could not be sent, or is not recorded, leaves it at the action.
 */
export function appealWindowStart(
  found: Pick<CaseRecord, 'actionAt'> & Partial<Pick<CaseRecord, 'noticeSentAt'>>,
): Date {
  const told = found.noticeSentAt;
  return told && told.getTime() > found.actionAt.getTime() ? told : found.actionAt;
}

/** Whether a new appeal can be made on this case now (window, then one open appeal per case). */
export async function checkCaseEligibility(
  rt: Runtime,
  found: Pick<CaseRecord, 'id' | 'actionAt'> & Partial<Pick<CaseRecord, 'noticeSentAt'>>,
): Promise<CaseEligibility> {
  const closes = appealWindowCloses(appealWindowStart(found), rt.config.appealWindowMonths);
  if (rt.now().getTime() > closes.getTime()) return { ok: false, error: 'outside-window', windowClosedAt: closes };
  if (await findOpenAppealForCase(rt.db, found.id)) return { ok: false, error: 'already-open' };
  return { ok: true, windowClosesAt: closes };
}

export type ClaimedDateEligibility = { ok: true } | { ok: false; error: 'outside-window'; windowClosedAt: Date };

/**
 * For an appeal without a case reference: whether the day the person gave (`happenedOn`, any
 * moment of that day in UK time) is within the appeal window. A rough date is read generously:
 * the last day to ask is the same day of the month `appealWindowMonths` later, and all of that
 * UK day counts (up to the following midnight, UK time). `windowClosedAt` is a moment in that
 * last day, for saying which day it was.
 */
export function checkClaimedDate(rt: Runtime, happenedOn: Date): ClaimedDateEligibility {
  const day = new TZDate(happenedOn.getTime(), UK);
  const lastDay = addMonths(
    new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), 12, 0, 0, UK),
    rt.config.appealWindowMonths,
  );
  const nextDay = addDays(lastDay, 1);
  const endOfLastDay = new TZDate(nextDay.getFullYear(), nextDay.getMonth(), nextDay.getDate(), 0, 0, 0, UK);
  if (rt.now().getTime() >= endOfLastDay.getTime())
    return { ok: false, error: 'outside-window', windowClosedAt: new Date(lastDay.getTime()) };
  return { ok: true };
}

/** The ISO day (YYYY-MM-DD) stored for a no-reference appeal, as noon UK time that day. */
export function claimedDay(iso: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? fromDateParts(m[3]!, m[2]!, m[1]!) : undefined;
}

const MAX_REFERENCE_ATTEMPTS = 5;

/**
 * Records an appeal in ONE transaction: the appeal row (new reference, hashed status token, due
 * date in working days), a `received` history entry and the acknowledgement email in the outbox.
 * Either all of it is kept or none. The status token is returned once, for the email only.
 */
export async function createAppeal(rt: Runtime, input: NewAppeal): Promise<CreateAppealResult> {
  const receivedAt = rt.now();
  const dueAt = addWorkingDays(receivedAt, rt.config.reviewWorkingDays);
  const found =
    input.subject.kind === 'case' ? await findCaseByReference(rt.db, input.subject.caseReference) : undefined;
  if (input.subject.kind === 'case') {
    if (!found) return { ok: false, error: 'case-not-found' };
    const eligibility = await checkCaseEligibility(rt, found);
    if (!eligibility.ok) return eligibility;
  }
  const post = input.subject.kind === 'post' ? input.subject : undefined;
  if (post) {
    // The same window as for a case, counted from the day the person gave.
    const day = claimedDay(post.date);
    const eligibility = day ? checkClaimedDate(rt, day) : ({ ok: true } as const);
    if (!eligibility.ok) return eligibility;
  }

  for (let attempt = 1; ; attempt++) {
    const reference = generateReference();
    try {
      const appeal = await transaction(rt.db, async (tx) => {
        // Checked again inside the transaction: the partial unique index is the final word.
        if (found && (await findOpenAppealForCase(tx, found.id))) return undefined;
        const row = await insertAppeal(tx, {
          reference,
          caseId: found?.id ?? null,
          claimedPlatform: post?.platform ?? null,
          claimedHandle: post?.handle ?? null,
          claimedDate: post?.date ?? null,
          claimedPostUrl: post?.postUrl ?? null,
          claimedAction: post?.action ?? null,
          reason: input.reason,
          email: input.email,
          name: input.name,
          askingFor: input.asking?.askingFor ?? null,
          askingRelationship: input.asking?.askingFor === 'someone-else' ? input.asking.relationship : null,
          askingForName: input.asking?.askingFor === 'someone-else' ? input.asking.name : null,
          askingConsent: input.asking?.askingFor === 'someone-else' ? true : null,
          contactNeeds: input.contactNeeds?.needs ?? null,
          contactAddress: input.contactNeeds?.address ?? null,
          contactPhone: input.contactNeeds?.phone ?? null,
          contactOther: input.contactNeeds?.other ?? null,
          status: 'new',
          receivedAt,
          dueAt,
        });
        await insertAppealEvent(tx, {
          appealId: row.id,
          at: receivedAt,
          actorType: 'appellant',
          kind: 'received',
          details: { status: 'new' },
        });
        const sent = await queueAppellantEmail(
          rt,
          tx,
          row,
          'appeal-ack',
          (link) =>
            appealAcknowledgementEmail({
              orgName: rt.config.org.name,
              name: input.name,
              appealReference: reference,
              caseReference: found?.reference ?? null,
              receivedAt,
              dueAt,
              statusUrl: link,
              findUrl: `${rt.config.publicUrl}/appeal/find`,
              complaintsUrl: rt.config.org.complaintsUrl,
              crisisUrl: rt.config.org.crisisUrl,
            }),
          receivedAt,
        );
        // The review team is told in the same transaction (reference, due date, link; no personal data).
        await queueNewAppealNotice(rt, tx, row, receivedAt);
        return { row, statusToken: sent!.token };
      });
      if (!appeal) return { ok: false, error: 'already-open' };
      invalidateTransparencyCache(rt, [receivedAt]);
      return { ok: true, appeal: { id: appeal.row.id, reference, receivedAt, dueAt }, statusToken: appeal.statusToken };
    } catch (error) {
      if (isUniqueViolation(error, 'appeals.case_id')) return { ok: false, error: 'already-open' };
      const collision =
        isUniqueViolation(error, 'appeals.reference') || isUniqueViolation(error, 'appeal_status_links.token_hash');
      if (!collision || attempt >= MAX_REFERENCE_ATTEMPTS) throw error;
    }
  }
}

/** One line of the history the appellant sees (internal notes are never included). */
export interface PublicAppealEvent {
  at: Date;
  text: string;
  body: string | null;
}

export interface AppealStatusView {
  reference: string;
  status: AppealStatus;
  statusLabel: string;
  caseReference: string | null;
  post: { platform: Platform; handle: string | null; date: string | null; postUrl: string | null } | null;
  /** Why they disagree, as they wrote it (null once the retention purge has removed it). */
  reason: string | null;
  receivedAt: Date;
  dueAt: Date;
  /** Set while we wait for the appellant. */
  waitingSince: Date | null;
  /**
   * While we wait: the question staff asked (the latest request for information), shown on the
   * reply page, and the day we need the answer by (then the review resumes without it).
   */
  question: { askedAt: Date; text: string; answerBy: Date } | null;
  decision: { outcome: string; explanation: string; decidedAt: Date; version: string | null } | null;
  withdrawnAt: Date | null;
  /** Withdraw and add information are possible while the appeal is open. */
  canChange: boolean;
  history: PublicAppealEvent[];
}

const PUBLIC_EVENTS: Record<string, string> = {
  received: 'We received your appeal',
  'review-started': 'We started reviewing your appeal',
  'info-requested': 'We asked you for more information',
  'info-added': 'You added further information',
  decided: 'We made our decision',
  withdrawn: 'You withdrew your appeal',
  'info-wait-ended': 'We carried on reviewing your appeal without an answer from you',
};

async function toStatusView(rt: Runtime, row: AppealRow): Promise<AppealStatusView> {
  const history = (await listAppealEvents(rt.db, row.id))
    .filter((e) => e.kind in PUBLIC_EVENTS || (e.kind === 'status-changed' && typeof e.details?.['to'] === 'string'))
    .map((e) => ({
      at: e.at,
      text:
        PUBLIC_EVENTS[e.kind] ??
        `Status changed to: ${publicStatusLabel(e.details!['to'] as AppealStatus).toLowerCase()}`,
      // Only what the appellant wrote themselves, or what staff asked them, is shown back.
      body: e.kind === 'info-added' || e.kind === 'info-requested' ? e.body : null,
    }));
  return {
    reference: row.reference,
    status: row.status,
    statusLabel: publicStatusLabel(row.status),
    caseReference: row.caseId ? ((await findCaseReferenceById(rt.db, row.caseId)) ?? null) : null,
    post: row.claimedPlatform
      ? { platform: row.claimedPlatform, handle: row.claimedHandle, date: row.claimedDate, postUrl: row.claimedPostUrl }
      : null,
    reason: row.reason,
    receivedAt: row.receivedAt,
    dueAt: row.dueAt,
    waitingSince: row.status === 'waiting' ? row.pausedAt : null,
    question:
      row.status === 'waiting' && row.pausedAt
        ? latestQuestion(history, infoWaitDates(row.pausedAt, rt.config.infoWaitWorkingDays).answerBy)
        : null,
    decision:
      row.status === 'decided' && row.outcome && row.decidedAt
        ? {
            outcome: OUTCOME_LABELS[row.outcome],
            explanation: row.explanation ?? '',
            decidedAt: row.decidedAt,
            version: row.decisionVersionId
              ? ((await findVersionNumberById(rt.db, row.decisionVersionId)) ?? null)
              : null,
          }
        : null,
    withdrawnAt: row.withdrawnAt,
    canChange: isOpen(row.status),
    history,
  };
}

function latestQuestion(history: PublicAppealEvent[], answerBy: Date): AppealStatusView['question'] {
  const asked = history.filter((h) => h.text === PUBLIC_EVENTS['info-requested'] && h.body).at(-1);
  return asked?.body ? { askedAt: asked.at, text: asked.body, answerBy } : null;
}

/** Tokens are long random strings; anything else is not looked up at all. */
function plausibleToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{22,200}$/.test(token);
}

/** What every status-link page sends: the link is a secret, never cached, never indexed, never sent on as a referrer. */
export const STATUS_LINK_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Robots-Tag': 'noindex',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The start of every status-link page: sets STATUS_LINK_HEADERS on the response, finds the appeal
 * behind the token (undefined when the link does not work) and gives the link's own address.
 */
export async function openStatusLink(
  rt: Runtime,
  token: string,
  headers: Headers,
): Promise<{ appeal: AppealStatusView | undefined; base: string }> {
  for (const [name, value] of Object.entries(STATUS_LINK_HEADERS)) headers.set(name, value);
  return { appeal: await findAppealByStatusToken(rt, token), base: `/appeal/status/${encodeURIComponent(token)}` };
}

/** The appeal behind a private status link, as its appellant may see it. */
export async function findAppealByStatusToken(rt: Runtime, token: string): Promise<AppealStatusView | undefined> {
  if (!plausibleToken(token)) return undefined;
  const row = await findAppealByTokenHash(rt.db, hashToken(token));
  return row ? await toStatusView(rt, row) : undefined;
}

export type AppellantActionResult = { ok: true } | { ok: false; error: 'not-found' | 'not-allowed' };

/** The appellant withdraws their appeal (allowed until it is decided). Emails a confirmation. */
export async function withdrawAppeal(rt: Runtime, token: string): Promise<AppellantActionResult> {
  if (!plausibleToken(token)) return { ok: false, error: 'not-found' };
  const now = rt.now();
  return transaction(rt.db, async (tx): Promise<AppellantActionResult> => {
    const row = await findAppealByTokenHash(tx, hashToken(token));
    if (!row) return { ok: false, error: 'not-found' };
    const next = transition(row.status, 'withdraw');
    if (!next.ok) return { ok: false, error: 'not-allowed' };
    await updateAppeal(tx, row.id, { status: next.status, withdrawnAt: now, pausedAt: null });
    await insertAppealEvent(tx, {
      appealId: row.id,
      at: now,
      actorType: 'appellant',
      kind: 'withdrawn',
      details: { from: row.status, to: next.status },
    });
    await queueAppellantEmail(
      rt,
      tx,
      row,
      'appeal-withdrawn',
      (link) =>
        notificationEmail({
          orgName: rt.config.org.name,
          subject: `You have withdrawn your appeal ${row.reference}`,
          heading: 'You have withdrawn your appeal',
          paragraphs: [
            `You withdrew your appeal ${row.reference}. We will not review it further.`,
            `If you did not do this, contact us at ${rt.config.org.contactEmail}.`,
            statusLinkParagraph(rt),
          ],
          link: { text: 'See your appeal', url: link },
        }),
      now,
    );
    // The figures are counted again only once the withdrawal is committed.
    afterCommit(tx, () => invalidateTransparencyCache(rt, [row.receivedAt, now]));
    return { ok: true };
  });
}

/**
 * The appellant adds further information (allowed until decided). If we were waiting for it,
 * review resumes and the due date moves on by the working days the clock was paused.
 */
export async function addFurtherInformation(rt: Runtime, token: string, text: string): Promise<AppellantActionResult> {
  if (!plausibleToken(token)) return { ok: false, error: 'not-found' };
  const now = rt.now();
  return transaction(rt.db, async (tx): Promise<AppellantActionResult> => {
    const row = await findAppealByTokenHash(tx, hashToken(token));
    if (!row) return { ok: false, error: 'not-found' };
    const next = transition(row.status, 'receive-info');
    if (!next.ok) return { ok: false, error: 'not-allowed' };
    const set: Parameters<typeof updateAppeal>[2] = { status: next.status };
    if (row.status === 'waiting') {
      set.pausedAt = null;
      // The clock restarts with the working days that were left when it stopped.
      if (row.pausedAt) set.dueAt = resumeDueDate(now, remainingWorkingDays(row.pausedAt, row.dueAt));
    }
    await updateAppeal(tx, row.id, set);
    await insertAppealEvent(tx, {
      appealId: row.id,
      at: now,
      actorType: 'appellant',
      kind: 'info-added',
      body: text,
      details: row.status === next.status ? {} : { from: row.status, to: next.status },
    });
    // The assigned reviewer (else the team) is told, in the same transaction.
    await queueAppellantReplyNotice(rt, tx, row, set.dueAt ?? row.dueAt, row.status === 'waiting', now);
    return { ok: true };
  });
}
