/**
 * Safeguarding concerns (docs/decisions/019-staff-notifications.md): any staff member can flag a
 * case or an appeal with a note. In ONE transaction the concern is stored, an audit entry written
 * and an email queued to SAFEGUARDING_EMAIL. With SAFEGUARDING_EMAIL unset the feature is off: the
 * pages do not offer the form and flagging is refused. Concerns show as a banner on the appeal and
 * case pages for staff; they are never counted in public figures and never mentioned in an email
 * to the appellant.
 */
import { z } from 'zod';
import { findAppealById } from '../../../db/appeals.ts';
import { recordAudit } from '../../../db/audit.ts';
import { findCaseById } from '../../../db/cases.ts';
import {
  insertSafeguardingConcern,
  listSafeguardingConcerns,
  type ConcernWithName,
} from '../../../db/notifications.ts';
import { enqueueEmail } from '../../../db/outbox.ts';
import { staffNames } from '../../../db/review.ts';
import { transaction } from '../../../db/transactions.ts';
import { safeguardingConcernEmail } from './emails/staff-notifications.ts';
import {
  validateForm,
  valueOf,
  type FormValues,
  requiredText,
  tooLongMessage,
  type Runtime,
} from '../platform/index.ts';

export const SAFEGUARDING_EMAIL_KIND = 'safeguarding-concern';
export const SAFEGUARDING_NOTE_LIMIT = 2000;
/** The form field's name (unique on the appeal page, which has other forms). */
export const SAFEGUARDING_FIELD = 'safeguarding-note';

export const SAFEGUARDING_MESSAGES = {
  noteEmpty: 'Enter what you are concerned about',
  noteTooLong: tooLongMessage('Your note', SAFEGUARDING_NOTE_LIMIT),
  off: 'Safeguarding flags are switched off: the safeguarding email address (SAFEGUARDING_EMAIL) is not set. Follow the trust’s safeguarding procedure directly.',
  notFound: 'This could not be found',
} as const;

export const SafeguardingFormSchema = z.object({
  [SAFEGUARDING_FIELD]: requiredText(
    SAFEGUARDING_NOTE_LIMIT,
    SAFEGUARDING_MESSAGES.noteEmpty,
    SAFEGUARDING_MESSAGES.noteTooLong,
  ),
});

export type SafeguardingSubject = { kind: 'appeal' | 'case'; id: number };

export function safeguardingEnabled(rt: Runtime): boolean {
  return rt.config.staffNotifications.safeguardingEmail !== undefined;
}

export type FlagResult =
  | { ok: true; concernId: number }
  | { ok: false; error: 'off' | 'not-found' | 'invalid'; errors?: Record<string, string> };

/** Flags a case or appeal as a safeguarding concern: the row, the audit entry and the email together. */
export async function flagSafeguardingConcern(
  rt: Runtime,
  subject: SafeguardingSubject,
  note: unknown,
  actor: { id: number; ip: string | null },
): Promise<FlagResult> {
  const to = rt.config.staffNotifications.safeguardingEmail;
  if (!to) return { ok: false, error: 'off' };
  const form = validateForm(SafeguardingFormSchema, { [SAFEGUARDING_FIELD]: typeof note === 'string' ? note : '' });
  if (!form.ok) return { ok: false, error: 'invalid', errors: form.errors };
  const text = form.data[SAFEGUARDING_FIELD];
  const now = rt.now();
  return transaction(rt.db, async (tx): Promise<FlagResult> => {
    const target =
      subject.kind === 'appeal'
        ? await (async () => {
            const a = await findAppealById(tx, subject.id);
            return (
              a && {
                reference: a.reference,
                caseId: null,
                appealId: a.id,
                audit: { entityType: 'appeal', entityId: String(a.id) },
                url: `/staff/appeals/${a.id}`,
              }
            );
          })()
        : await (async () => {
            const c = await findCaseById(tx, subject.id);
            return (
              c && {
                reference: c.reference,
                caseId: c.id,
                appealId: null,
                audit: { entityType: 'case', entityId: c.reference },
                url: `/staff/cases/${c.id}`,
              }
            );
          })();
    if (!target) return { ok: false, error: 'not-found' };
    const row = await insertSafeguardingConcern(tx, {
      caseId: target.caseId,
      appealId: target.appealId,
      note: text,
      raisedBy: actor.id,
      raisedAt: now,
    });
    const raisedBy = (await staffNames(tx, [actor.id])).get(actor.id) ?? 'A staff member';
    const email = safeguardingConcernEmail({
      orgName: rt.config.org.name,
      subject: { kind: subject.kind, reference: target.reference },
      note: text,
      raisedBy,
      raisedAt: now,
      staffUrl: `${rt.config.publicUrl}${target.url}`,
    });
    const queued = await enqueueEmail(tx, { to, ...email, kind: SAFEGUARDING_EMAIL_KIND }, now);
    // The note itself stays out of the audit log (it may hold personal data); the concern row has it.
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'safeguarding.flagged',
      entityType: target.audit.entityType,
      entityId: target.audit.entityId,
      ip: actor.ip,
      details: { concernId: row.id, outboxId: queued.id },
    });
    return { ok: true, concernId: row.id };
  });
}

/** Concerns staff see on an appeal page: on the appeal itself and on its case. */
export async function concernsForAppeal(
  rt: Runtime,
  appeal: { id: number; caseId: number | null },
): Promise<ConcernWithName[]> {
  return await listSafeguardingConcerns(rt.db, {
    appealIds: [appeal.id],
    caseIds: appeal.caseId ? [appeal.caseId] : [],
  });
}

/** Concerns staff see on a case page: on the case and on its appeals. */
export async function concernsForCase(rt: Runtime, caseId: number, appealIds: number[]): Promise<ConcernWithName[]> {
  return await listSafeguardingConcerns(rt.db, { caseIds: [caseId], appealIds });
}

/** The banner's success line after a flag (POST-redirect-GET with ?flagged=safeguarding). */
export const SAFEGUARDING_FLAGGED_PARAM = 'safeguarding';
export const SAFEGUARDING_SUCCESS = 'Safeguarding concern recorded. We have emailed the safeguarding team.';

export type SafeguardingFormOutcome =
  { kind: 'redirect'; to: string } | { kind: 'page'; errors: Record<string, string> };

/** The safeguarding form on an appeal or case page: redirect with the success banner, or errors. */
export async function handleSafeguardingForm(
  rt: Runtime,
  subject: SafeguardingSubject,
  values: FormValues,
  actor: { id: number; ip: string | null },
): Promise<SafeguardingFormOutcome> {
  const result = await flagSafeguardingConcern(rt, subject, valueOf(values, SAFEGUARDING_FIELD), actor);
  const page = subject.kind === 'appeal' ? `/staff/appeals/${subject.id}` : `/staff/cases/${subject.id}`;
  if (result.ok) return { kind: 'redirect', to: `${page}?flagged=${SAFEGUARDING_FLAGGED_PARAM}` };
  if (result.error === 'invalid') return { kind: 'page', errors: result.errors ?? {} };
  return {
    kind: 'page',
    errors: {
      [SAFEGUARDING_FIELD]: result.error === 'off' ? SAFEGUARDING_MESSAGES.off : SAFEGUARDING_MESSAGES.notFound,
    },
  };
}
