/**
 * A person's own account: changing their password, and using an emailed new-authenticator link.
 * (Admins send the links from src/lib/staff/accounts.ts; sessions and their list are in src/lib/staff/sessions.ts.)
 * See docs/decisions/016-account-recovery-and-sign-in-limits.md.
 */
import { recordAudit } from '../../../db/audit.ts';
import { deleteOtherSessionsOf, expireTokens, findStaffById, updateStaff } from '../../../db/staff.ts';
import { enqueueEmail } from '../../../db/outbox.ts';
import { transaction } from '../../../db/transactions.ts';
import { passwordChangedEmail } from './emails/staff-account.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { hashToken, type Runtime } from '../platform/index.ts';
import { checkAccountPassword, retryMessage } from './sessions.ts';
import { findSetupLink } from './accounts.ts';

/** `throttled`: refused because of too many failed attempts (the page answers 429, not 400). */
export type ChangePasswordResult =
  { ok: true; otherSessionsEnded: number } | { ok: false; errors: Record<string, string>; throttled?: true };

/**
 * Changes the signed-in person's password: the current one must be right (counted like a failed
 * sign-in when wrong), the new one meets the same policy as everywhere else and differs from it.
 * Their other sessions end; the one in use stays. Any unused password reset link stops working.
 * An email tells them (so a change they did not make is noticed).
 */
export async function changeOwnPassword(
  rt: Runtime,
  staffId: number,
  currentSessionId: string | undefined,
  input: { current: string; password: string },
  ip: string | null,
): Promise<ChangePasswordResult> {
  const account = await findStaffById(rt.db, staffId);
  if (!account || !currentSessionId) return { ok: false, errors: { current: 'Sign in again to change your password' } };
  const errors: Record<string, string> = {};
  if (!input.current) errors.current = 'Enter your current password';
  const problem = passwordProblem(input.password, { email: account.email });
  if (problem) errors.password = problem === 'Enter a password' ? 'Enter a new password' : problem;
  else if (input.password === input.current)
    errors.password = 'Your new password must be different from your current password';
  if (errors.current) return { ok: false, errors };
  const check = await checkAccountPassword(rt, account, input.current, ip, 'staff.password-change-failed');
  if (!check.ok) {
    if (check.error === 'throttled')
      return { ok: false, errors: { ...errors, current: retryMessage(check.retryAt, rt.now()) }, throttled: true };
    errors.current = 'Your current password is not correct';
    return { ok: false, errors };
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const passwordHash = await hashPassword(input.password);
  const keep = hashToken(currentSessionId);
  const otherSessionsEnded = await transaction(rt.db, async (tx) => {
    await updateStaff(tx, staffId, { passwordHash });
    const ended = await deleteOtherSessionsOf(tx, staffId, keep);
    await expireTokens(tx, 'password-reset', rt.now(), staffId);
    await recordAudit(tx, {
      actorId: staffId,
      action: 'staff.password-changed',
      entityType: 'staff',
      entityId: String(staffId),
      ip,
      details: { otherSessionsEnded: ended },
    });
    const content = passwordChangedEmail({ orgName: rt.config.org.name, name: account.name, how: 'changed' });
    await enqueueEmail(tx, { to: account.email, ...content, kind: 'staff-password-changed' }, rt.now());
    return ended;
  });
  return { ok: true, otherSessionsEnded };
}

export type EnrolLinkResult =
  { ok: true; staffId: number; linkHash: string } | { ok: false; errors: Record<string, string>; throttled?: true };

/**
 * Checks an emailed new-authenticator link (`mfa-enrol`, sent when an admin reset the
 * authenticator) and the person's password, which must be right too. Then enrolment follows: the
 * enrolment step is started with `linkHash`, and the link is used up only when the new
 * authenticator is confirmed (confirmEnrolment in src/lib/staff/sessions.ts), so someone who does not
 * finish within the step's 10 minutes can start again from the link.
 */
export async function useEnrolLink(
  rt: Runtime,
  token: string,
  password: string,
  ip: string | null,
): Promise<EnrolLinkResult> {
  const link = await findSetupLink(rt, token);
  if (!link || link.purpose !== 'mfa-enrol')
    return { ok: false, errors: { form: 'This link has expired or has already been used' } };
  if (!password) return { ok: false, errors: { password: 'Enter your password' } };
  const check = await checkAccountPassword(rt, link.staff, password, ip, 'staff.enrol-link-password-wrong');
  if (!check.ok) {
    return check.error === 'throttled'
      ? { ok: false, errors: { password: retryMessage(check.retryAt, rt.now()) }, throttled: true }
      : { ok: false, errors: { password: 'The password is not correct' } };
  }
  return { ok: true, staffId: link.staff.id, linkHash: hashToken(token) };
}
