/**
 * "Was the person told?" On the case page the moderator records that the notice was sent (when
 * and how: a reply, a private message, an email, another way) or that it could not be (why). The
 * appeal window runs from the later of the action and the notice (src/lib/appeals/appeals.ts), and
 * /transparency publishes the share of actions where the person was told.
 */
import { z } from 'zod';
import { recordAudit } from '../../../db/audit.ts';
import { findCaseById, setCaseNotice } from '../../../db/cases.ts';
import { transaction } from '../../../db/transactions.ts';
import {
  fromDateParts,
  toDateParts,
  valueOf,
  type FormValues,
  NOTICE_METHODS,
  type NoticeMethod,
  characterLength,
  cleanText,
  type Runtime,
} from '../platform/index.ts';
import { invalidateTransparencyCache } from '../transparency/index.ts';

/** Field names of the notice form, in page order (also the element ids). */
export const NOTICE_FIELDS = ['told', 'method', 'sent-day', 'reason'] as const;
export const NOTICE_REASON_MAX = 1000;

export const NOTICE_MESSAGES = {
  told: 'Select whether the person was told',
  method: 'Select how the person was told',
  sentEmpty: 'Enter when the person was told',
  sentInvalid: 'Enter a real date and time, for example 25 11 2026 and 14:30',
  sentFuture: 'The date and time the person was told must be in the past',
  sentBeforeAction: 'The person cannot have been told before the action was taken: check the date and time',
  reasonEmpty: 'Enter why the person could not be told',
  reasonTooLong: `Why the person could not be told must be ${NOTICE_REASON_MAX.toLocaleString('en-GB')} characters or fewer`,
} as const;

const Told = z.enum(['yes', 'no'], { error: NOTICE_MESSAGES.told });
const Method = z.enum(NOTICE_METHODS, { error: NOTICE_MESSAGES.method });

export type NoticeInput = { told: true; sentAt: Date; method: NoticeMethod } | { told: false; reason: string };

export type NoticeResult = { ok: true } | { ok: false; errors: Record<string, string> };

/** Reads and checks the notice form; `actionAt` is the case's action time. */
export function parseNoticeForm(
  rt: Runtime,
  values: FormValues,
  actionAt: Date,
): { ok: true; input: NoticeInput } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const told = Told.safeParse(valueOf(values, 'told') || undefined);
  if (!told.success) return { ok: false, errors: { told: NOTICE_MESSAGES.told } };
  if (told.data === 'no') {
    const reason = cleanText(valueOf(values, 'reason'));
    if (!reason) errors.reason = NOTICE_MESSAGES.reasonEmpty;
    else if (characterLength(reason) > NOTICE_REASON_MAX) errors.reason = NOTICE_MESSAGES.reasonTooLong;
    return Object.keys(errors).length ? { ok: false, errors } : { ok: true, input: { told: false, reason } };
  }
  const method = Method.safeParse(valueOf(values, 'method') || undefined);
  if (!method.success) errors.method = NOTICE_MESSAGES.method;
  const parts = ['sent-day', 'sent-month', 'sent-year', 'sent-time'].map((n) => valueOf(values, n).trim());
  let sentAt: Date | undefined;
  if (parts.every((p) => p === '')) errors['sent-day'] = NOTICE_MESSAGES.sentEmpty;
  else {
    sentAt = fromDateParts(parts[0]!, parts[1]!, parts[2]!, parts[3] || '12:00');
    const now = rt.now().getTime();
    if (!sentAt) errors['sent-day'] = NOTICE_MESSAGES.sentInvalid;
    else if (sentAt.getTime() > now + 60_000) errors['sent-day'] = NOTICE_MESSAGES.sentFuture;
    // The fields hold minutes: the minute of the action counts as "at the action".
    else if (sentAt.getTime() < actionAt.getTime() - (actionAt.getTime() % 60_000))
      errors['sent-day'] = NOTICE_MESSAGES.sentBeforeAction;
    else if (sentAt.getTime() < actionAt.getTime()) sentAt = actionAt;
    else if (sentAt.getTime() > now) sentAt = new Date(now);
  }
  if (Object.keys(errors).length || !sentAt || !method.success) return { ok: false, errors };
  return { ok: true, input: { told: true, sentAt, method: method.data } };
}

/**
 * Records whether the person was told, in ONE transaction with its audit entry; a later record
 * replaces an earlier one (a correction), and the audit log keeps both. Only moderators record it.
 */
export async function recordNotice(
  rt: Runtime,
  caseId: number,
  values: FormValues,
  actor: { id: number; ip: string | null; roles: readonly string[] },
): Promise<NoticeResult | { ok: false; error: 'not-found' | 'not-allowed' }> {
  if (!actor.roles.includes('moderator')) return { ok: false, error: 'not-allowed' };
  const found = await findCaseById(rt.db, caseId);
  if (!found) return { ok: false, error: 'not-found' };
  if (found.purgedAt) return { ok: false, error: 'not-allowed' };
  const parsed = parseNoticeForm(rt, values, found.actionAt);
  if (!parsed.ok) return parsed;
  const { input } = parsed;
  const now = rt.now();
  await transaction(rt.db, async (tx) => {
    await setCaseNotice(
      tx,
      caseId,
      input.told ? { sentAt: input.sentAt, method: input.method } : { notSentReason: input.reason },
      { at: now, by: actor.id },
    );
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'case.notice-recorded',
      entityType: 'case',
      entityId: found.reference,
      ip: actor.ip,
      // Never the free-text reason (it may name the person): only what kind of record it was.
      details: input.told ? { told: true, method: input.method, at: input.sentAt.toISOString() } : { told: false },
    });
  });
  invalidateTransparencyCache(rt, [found.actionAt]);
  return { ok: true };
}

/** The notice form's fields pre-filled from what is recorded (or empty). */
export function noticeFormValues(c: {
  noticeSentAt: Date | null;
  noticeMethod: NoticeMethod | null;
  noticeNotSentReason: string | null;
}): FormValues {
  if (c.noticeSentAt) {
    const p = toDateParts(c.noticeSentAt);
    return {
      told: 'yes',
      method: c.noticeMethod ?? '',
      'sent-day': p.day,
      'sent-month': p.month,
      'sent-year': p.year,
      'sent-time': p.time,
    };
  }
  if (c.noticeNotSentReason !== null) return { told: 'no', reason: c.noticeNotSentReason };
  return {};
}
