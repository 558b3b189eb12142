/**
 * Staff accounts: types, creating accounts (command line, first run, invitations), and what an
 * admin can change (roles, disable, reset MFA). Every change writes an audit entry in the same
 * transaction. Sign-in and sessions are in src/lib/staff/sessions.ts.
 *
 * Roles are independent: an admin does NOT implicitly hold moderator or reviewer; grant those
 * roles too if the person records cases or decides appeals (docs/decisions/008-staff-accounts.md).
 */
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordAudit } from '../../../db/audit.ts';
import type { DbOrTx } from '../../../db/client.ts';
import { enqueueEmail } from '../../../db/outbox.ts';
import { transaction } from '../../../db/transactions.ts';
import { ROLES, type Role } from '../../../db/schema.ts';
import {
  countActiveAdmins,
  deleteSessionsOf,
  deleteTotpStepsOf,
  expireTokens,
  findStaffByEmail,
  findStaffById,
  findToken,
  insertStaff,
  insertToken,
  listStaffRows,
  markTokenUsed,
  setStaffRoles,
  updateStaff,
  type StaffWithRoles,
} from '../../../db/staff.ts';
import { oneLine, notificationEmail } from '../email/index.ts';
import {
  EMAIL_SHAPE,
  formatDateTime,
  isOneLine,
  oneLineMessage,
  type Actor,
  type Runtime,
  generateToken,
  hashToken,
} from '../platform/index.ts';
import { authenticatorEnrolEmail, passwordChangedEmail, passwordResetEmail } from './emails/staff-account.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { generateTotpSecret, totpUri } from './totp.ts';

export { ROLES, type Role };

/** The signed-in person, as pages see it on `Astro.locals.staff`. */
export interface StaffUser {
  id: number;
  email: string;
  name: string;
  roles: Role[];
}

export const ROLE_LABELS: Record<Role, string> = {
  moderator: 'Moderator',
  reviewer: 'Reviewer',
  admin: 'Admin',
};

export const ROLE_HINTS: Record<Role, string> = {
  moderator: 'Records moderation cases and gives people their case reference',
  reviewer: 'Reviews appeals and decides them',
  admin: 'Manages staff accounts, principles, the email outbox and the audit log',
};

export const SETUP_LINK_HOURS = 24;
/** The first-run link is also written here (mode 0600) under DATA_DIR, and deleted once used. */
export const FIRST_RUN_FILE = 'first-run-link.txt';
export const INVITE_LINK_DAYS = 7;
/** Password reset and new-authenticator links work for 24 hours. */
export const RESET_LINK_HOURS = 24;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Parses `--role a --role b,c` style values; unknown names are returned separately. */
export function parseRoles(values: readonly string[]): { roles: Role[]; unknown: string[] } {
  const roles = new Set<Role>();
  const unknown: string[] = [];
  for (const part of values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean)) {
    if (isRole(part)) roles.add(part);
    else unknown.push(part);
  }
  return { roles: ROLES.filter((r) => roles.has(r)), unknown };
}

export function toStaffUser(row: Pick<StaffWithRoles, 'id' | 'email' | 'name' | 'roles'>): StaffUser {
  return { id: row.id, email: row.email, name: row.name, roles: row.roles };
}

/** A URL-safe random token (256 bits) and the SHA-256 that is stored instead of it. */
export function newToken(): { token: string; hash: string } {
  const token = generateToken(32);
  return { token, hash: hashToken(token) };
}

export type CreateStaffResult =
  { ok: true; id: number; totpSecret: string; otpauthUri: string } | { ok: false; errors: Record<string, string> };

/**
 * Creates a ready-to-use account (command line): password set, TOTP secret issued and treated as
 * enrolled, since the operator receives the `otpauth://` URI directly.
 */
export async function createStaffAccount(
  rt: Runtime,
  input: { email: string; name: string; password: string; roles: Role[] },
  actor: Actor<number | null>,
): Promise<CreateStaffResult> {
  const email = input.email.trim().toLowerCase();
  const errors: Record<string, string> = {};
  if (!EMAIL_SHAPE.test(email)) errors.email = 'Enter an email address in the correct format, like name@example.com';
  if (!input.name.trim()) errors.name = 'Enter a name';
  else if (!isOneLine(input.name.trim())) errors.name = oneLineMessage('Name');
  if (input.roles.length === 0) errors.roles = 'Give at least one role: moderator, reviewer or admin';
  const problem = passwordProblem(input.password, { email });
  if (problem) errors.password = problem;
  if (!errors.email && (await findStaffByEmail(rt.db, email)))
    errors.email = 'An account with this email address already exists';
  if (Object.keys(errors).length) return { ok: false, errors };
  const passwordHash = await hashPassword(input.password);
  const totpSecret = generateTotpSecret();
  const now = rt.now();
  const id = await transaction(rt.db, async (tx) => {
    const id = await insertStaff(tx, {
      email,
      name: input.name.trim(),
      passwordHash,
      totpSecret,
      totpConfirmedAt: now,
      roles: input.roles,
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'staff.created',
      entityType: 'staff',
      entityId: String(id),
      ip: actor.ip,
      details: { email, roles: input.roles },
    });
    return id;
  });
  return { ok: true, id, totpSecret, otpauthUri: totpUri(totpSecret, email) };
}

export async function listStaff(rt: Runtime): Promise<StaffWithRoles[]> {
  return await listStaffRows(rt.db);
}

export async function getStaff(rt: Runtime, id: number): Promise<StaffWithRoles | undefined> {
  return await findStaffById(rt.db, id);
}

// First run and invitations: one-time links to /setup/<token>

/** True when no usable admin account exists (none, or all disabled or never finished). */
export async function needsFirstAdmin(rt: Runtime): Promise<boolean> {
  return (await countActiveAdmins(rt.db)) === 0;
}

/**
 * Issues the first-run link (valid 24 hours) when no admin exists; earlier unused first-run links
 * stop working. Returns the URL, or null when an admin exists.
 */
export async function issueFirstRunLink(rt: Runtime): Promise<string | null> {
  if (!(await needsFirstAdmin(rt))) return null;
  const now = rt.now();
  const { token, hash } = newToken();
  await transaction(rt.db, async (tx) => {
    await expireTokens(tx, 'first-run', now);
    await insertToken(tx, {
      tokenHash: hash,
      purpose: 'first-run',
      staffId: null,
      expiresAt: new Date(now.getTime() + SETUP_LINK_HOURS * 3600_000),
    });
    await recordAudit(tx, {
      actorId: null,
      action: 'setup.link-issued',
      entityType: 'setup',
      entityId: null,
      ip: 'system',
      details: { purpose: 'first-run' },
    });
  });
  return `${rt.config.publicUrl}/setup/${token}`;
}

/**
 * Start-up: when no admin exists, issues the first-run link, writes it to DATA_DIR/first-run-link.txt
 * (mode 0600) and returns it for printing; otherwise removes any stale file and returns null.
 */
export async function prepareFirstRun(rt: Runtime): Promise<string | null> {
  const file = join(rt.config.dataDir, FIRST_RUN_FILE);
  const link = await issueFirstRunLink(rt);
  if (!link) {
    // An admin exists: any first-run link still unused stops working, not only its file.
    await transaction(rt.db, async (tx) => {
      if ((await expireTokens(tx, 'first-run', rt.now())) > 0) {
        await recordAudit(tx, {
          actorId: null,
          action: 'setup.link-expired',
          entityType: 'setup',
          entityId: null,
          ip: 'system',
          details: { purpose: 'first-run', reason: 'an admin exists' },
        });
      }
    });
    rmSync(file, { force: true });
    return null;
  }
  writeFileSync(file, link + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return link;
}

export type SetupLink =
  { purpose: 'first-run' } | { purpose: 'invite' | 'password-reset' | 'mfa-enrol'; staff: StaffWithRoles };

/**
 * What a one-time link is for, or undefined when it is unknown, used or expired. The first-run
 * link also stops working as soon as any active admin exists (one added with the command line,
 * say), whatever its expiry.
 */
export async function findSetupLink(rt: Runtime, token: string): Promise<SetupLink | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const row = await findToken(rt.db, hashToken(token));
  if (!row || row.usedAt || row.expiresAt.getTime() <= rt.now().getTime()) return undefined;
  if (row.purpose === 'first-run') return (await needsFirstAdmin(rt)) ? { purpose: 'first-run' } : undefined;
  const account = row.staffId === null ? undefined : await findStaffById(rt.db, row.staffId);
  if (!account || account.disabledAt) return undefined;
  // A new-authenticator link needs the password the account already has.
  if (row.purpose === 'mfa-enrol' && !account.passwordHash) return undefined;
  return { purpose: row.purpose, staff: account };
}

export type SetupResult =
  { ok: true; staffId: number; next: 'enrol' | 'sign-in' } | { ok: false; errors: Record<string, string> };

const LINK_GONE = 'This link has expired or has already been used';

/**
 * Uses a setup link that chooses a password: the first-run link creates an admin (name, email,
 * password); an invitation sets the invited person's password; a password reset sets a new one
 * and ends every session of the account. TOTP enrolment follows (src/lib/staff/sessions.ts) unless the
 * account already has a working authenticator (a password reset), when the person signs in.
 * New-authenticator links (`mfa-enrol`) are used with src/lib/staff/recovery.ts instead.
 */
export async function completeSetup(
  rt: Runtime,
  token: string,
  input: { name?: string; email?: string; password: string },
  ip: string | null,
): Promise<SetupResult> {
  const link = await findSetupLink(rt, token);
  if (!link || link.purpose === 'mfa-enrol') return { ok: false, errors: { form: LINK_GONE } };
  const errors: Record<string, string> = {};
  let email = '';
  if (link.purpose === 'first-run') {
    email = (input.email ?? '').trim().toLowerCase();
    if (!(input.name ?? '').trim()) errors.name = 'Enter your full name';
    else if ((input.name ?? '').trim().length > 100) errors.name = 'Name must be 100 characters or fewer';
    else if (!isOneLine((input.name ?? '').trim())) errors.name = oneLineMessage('Name');
    if (!email) errors.email = 'Enter your email address';
    else if (!EMAIL_SHAPE.test(email) || email.length > 254)
      errors.email = 'Enter an email address in the correct format, like name@example.com';
    else if (await findStaffByEmail(rt.db, email)) errors.email = 'An account with this email address already exists';
  } else {
    email = link.staff.email;
  }
  const problem = passwordProblem(input.password, { email });
  if (problem) errors.password = problem;
  if (Object.keys(errors).length) return { ok: false, errors };
  const passwordHash = await hashPassword(input.password);
  const now = rt.now();
  const hash = hashToken(token);
  const done = await transaction(rt.db, async (tx) => {
    // Checked again inside the transaction: an admin may have been added while the password hashed.
    if (link.purpose === 'first-run' && (await countActiveAdmins(tx)) > 0) return null;
    if (!(await markTokenUsed(tx, hash, now))) return null;
    if (link.purpose === 'first-run') {
      const id = await insertStaff(tx, {
        email,
        name: input.name!.trim(),
        passwordHash,
        totpSecret: null,
        totpConfirmedAt: null,
        roles: ['admin'],
      });
      await recordAudit(tx, {
        actorId: id,
        action: 'staff.first-admin-created',
        entityType: 'staff',
        entityId: String(id),
        ip,
        details: { email, roles: ['admin'] },
      });
      return { staffId: id, next: 'enrol' as const };
    }
    if (link.purpose === 'password-reset') {
      await updateStaff(tx, link.staff.id, { passwordHash });
      await deleteSessionsOf(tx, link.staff.id);
      await recordAudit(tx, {
        actorId: link.staff.id,
        action: 'staff.password-reset-completed',
        entityType: 'staff',
        entityId: String(link.staff.id),
        ip,
      });
      const content = passwordChangedEmail({ orgName: rt.config.org.name, name: link.staff.name, how: 'reset' });
      await enqueueEmail(tx, { to: link.staff.email, ...content, kind: 'staff-password-changed' }, now);
      const enrolled = Boolean(link.staff.totpSecret && link.staff.totpConfirmedAt);
      return { staffId: link.staff.id, next: enrolled ? ('sign-in' as const) : ('enrol' as const) };
    }
    await updateStaff(tx, link.staff.id, { passwordHash, totpSecret: null, totpConfirmedAt: null });
    await recordAudit(tx, {
      actorId: link.staff.id,
      action: 'staff.invitation-accepted',
      entityType: 'staff',
      entityId: String(link.staff.id),
      ip,
    });
    return { staffId: link.staff.id, next: 'enrol' as const };
  });
  if (done === null) return { ok: false, errors: { form: LINK_GONE } };
  return { ok: true, ...done };
}

export type InviteResult =
  { ok: true; id: number; link: string } | { ok: false; errors: Record<string, string>; pendingId?: number };

/**
 * Invites a person: creates the account (no password yet) and a one-time link valid 7 days,
 * emailed through the outbox in the same transaction (enqueueInviteEmail) and returned so the
 * admin can also pass it on.
 */
export async function inviteStaff(
  rt: Runtime,
  actor: Actor<number | null>,
  input: { email: string; name: string; roles: Role[] },
): Promise<InviteResult> {
  const email = input.email.trim().toLowerCase();
  // Names are one line wherever they come from (the page checks too): they go into emails.
  if (!isOneLine(input.name.trim())) return { ok: false, errors: { name: oneLineMessage('Name') } };
  const existing = await findStaffByEmail(rt.db, email);
  if (existing && !existing.passwordHash && !existing.disabledAt) {
    // Invited before and not set up yet: offer to send the invitation again instead.
    return {
      ok: false,
      errors: {
        email: `${existing.name} has already been invited with this email address but has not set up their account yet. You can send the invitation again`,
      },
      pendingId: existing.id,
    };
  }
  if (existing) return { ok: false, errors: { email: 'An account with this email address already exists' } };
  const now = rt.now();
  const { token, hash } = newToken();
  const link = `${rt.config.publicUrl}/setup/${token}`;
  const id = await transaction(rt.db, async (tx) => {
    const id = await insertStaff(tx, {
      email,
      name: input.name.trim(),
      passwordHash: null,
      totpSecret: null,
      totpConfirmedAt: null,
      roles: input.roles,
    });
    await insertToken(tx, {
      tokenHash: hash,
      purpose: 'invite',
      staffId: id,
      expiresAt: new Date(now.getTime() + INVITE_LINK_DAYS * 86_400_000),
    });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'staff.invited',
      entityType: 'staff',
      entityId: String(id),
      ip: actor.ip,
      details: { email, roles: input.roles },
    });
    await enqueueInviteEmail(tx, rt, { to: email, name: input.name.trim(), link }, now);
    return id;
  });
  return { ok: true, id, link };
}

/** The invitation email, written to the outbox inside the inviting transaction. */
export async function enqueueInviteEmail(
  tx: DbOrTx,
  rt: Runtime,
  invite: { to: string; name: string; link: string },
  now: Date,
): Promise<void> {
  const orgName = rt.config.org.name;
  const content = notificationEmail({
    orgName,
    subject: 'You have been invited to the social media appeals staff area',
    heading: `Hello ${oneLine(invite.name)}`,
    paragraphs: [
      `You have been given a staff account for ${orgName}'s social media principles and appeals service.`,
      `Use the link below within ${INVITE_LINK_DAYS} days to choose your password and set up your authenticator app. The link works once.`,
      'If you were not expecting this email, you can ignore it.',
    ],
    link: { text: 'Set up your account', url: invite.link },
  });
  await enqueueEmail(tx, { to: invite.to, ...content, kind: 'staff-invite', secrets: [invite.link] }, now);
}

/** A new one-time link of a purpose for an account; its earlier unused links of that purpose stop working. */
async function issueAccountLink(
  tx: DbOrTx,
  rt: Runtime,
  purpose: 'invite' | 'password-reset' | 'mfa-enrol',
  staffId: number,
  validMs: number,
): Promise<string> {
  const now = rt.now();
  const { token, hash } = newToken();
  await expireTokens(tx, purpose, now, staffId);
  await insertToken(tx, { tokenHash: hash, purpose, staffId, expiresAt: new Date(now.getTime() + validMs) });
  return `${rt.config.publicUrl}/setup/${token}`;
}

export type LinkResult = { ok: true; link: string } | { ok: false; error: string };

/**
 * Sends a pending invitation again: a new 7-day link by email; the old link stops working.
 * Only for accounts that have not set a password yet.
 */
export async function resendInvitation(
  rt: Runtime,
  actor: Actor<number | null>,
  staffId: number,
  options: { email?: boolean } = {},
): Promise<LinkResult> {
  const account = await findStaffById(rt.db, staffId);
  if (!account) return { ok: false, error: 'There is no such account' };
  if (account.disabledAt) return { ok: false, error: 'This account is disabled. Enable it first' };
  if (account.passwordHash)
    return { ok: false, error: 'They have already set up their account. Send a password reset instead' };
  const link = await transaction(rt.db, async (tx) => {
    const link = await issueAccountLink(tx, rt, 'invite', staffId, INVITE_LINK_DAYS * 86_400_000);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'staff.invitation-resent',
      entityType: 'staff',
      entityId: String(staffId),
      ip: actor.ip,
      details: { email: account.email, emailed: options.email !== false },
    });
    if (options.email !== false)
      await enqueueInviteEmail(tx, rt, { to: account.email, name: account.name, link }, rt.now());
    return link;
  });
  return { ok: true, link };
}

/**
 * Sends a password reset: a one-time link (24 hours, only its hash stored) by email, and every
 * session of the account ends now. The current password keeps working until the link is used.
 * `email: false` (the command line) only returns the link, for the operator to pass on.
 */
export async function sendPasswordReset(
  rt: Runtime,
  actor: Actor<number | null>,
  staffId: number,
  options: { email?: boolean } = {},
): Promise<LinkResult> {
  const account = await findStaffById(rt.db, staffId);
  if (!account) return { ok: false, error: 'There is no such account' };
  if (account.disabledAt) return { ok: false, error: 'This account is disabled. Enable it first' };
  if (!account.passwordHash)
    return { ok: false, error: 'They have not set up their account yet. Send the invitation again instead' };
  const link = await transaction(rt.db, async (tx) => {
    const link = await issueAccountLink(tx, rt, 'password-reset', staffId, RESET_LINK_HOURS * 3600_000);
    await deleteSessionsOf(tx, staffId);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'staff.password-reset-sent',
      entityType: 'staff',
      entityId: String(staffId),
      ip: actor.ip,
      details: { email: account.email, emailed: options.email !== false },
    });
    if (options.email !== false) {
      const content = passwordResetEmail({
        orgName: rt.config.org.name,
        name: account.name,
        link,
        hours: RESET_LINK_HOURS,
      });
      await enqueueEmail(
        tx,
        { to: account.email, ...content, kind: 'staff-password-reset', secrets: [link] },
        rt.now(),
      );
    }
    return link;
  });
  return { ok: true, link };
}

/**
 * Command line (`npm run staff -- reset --email E`): the one-time link an operator passes on.
 * A person who has set up their account gets a password reset link (every session ends); with
 * `authenticator`, their authenticator is reset too, so the same link then leads on to setting up
 * a new one. A person still invited gets a new invitation link. Audited with IP `cli`.
 */
export async function resetByEmail(
  rt: Runtime,
  actor: Actor<number | null>,
  email: string,
  options: { authenticator?: boolean } = {},
): Promise<LinkResult & { kind?: 'invite' | 'password-reset' }> {
  const account = await findStaffByEmail(rt.db, email.trim());
  if (!account) return { ok: false, error: `There is no account with the email address ${email}` };
  if (account.disabledAt) return { ok: false, error: `The account ${account.email} is disabled` };
  if (!account.passwordHash) {
    const result = await resendInvitation(rt, actor, account.id, { email: false });
    return result.ok ? { ...result, kind: 'invite' } : result;
  }
  if (options.authenticator) {
    const reset = await resetMfa(rt, actor, account.id, { email: false });
    if (!reset.ok) return reset;
  }
  const result = await sendPasswordReset(rt, actor, account.id, { email: false });
  return result.ok ? { ...result, kind: 'password-reset' } : result;
}

export type AdminResult = { ok: true } | { ok: false; error: string };

class LastAdmin extends Error {}

/**
 * Runs an admin change; from the web it is refused when it would leave no active admin. The
 * command line (actor null) may do it: the next start then prints a new first-run link.
 */
async function keepingAnAdmin(
  rt: Runtime,
  actor: Actor<number | null>,
  change: (tx: DbOrTx) => Promise<void> | void,
): Promise<AdminResult> {
  try {
    await transaction(rt.db, async (tx) => {
      await change(tx);
      if (actor.id !== null && (await countActiveAdmins(tx)) === 0) throw new LastAdmin();
    });
    return { ok: true };
  } catch (error) {
    if (error instanceof LastAdmin)
      return { ok: false, error: 'This would leave no active admin. Give another person the admin role first.' };
    throw error;
  }
}

export async function changeRoles(
  rt: Runtime,
  actor: Actor<number | null>,
  staffId: number,
  roles: Role[],
): Promise<AdminResult> {
  const before = await findStaffById(rt.db, staffId);
  if (!before) return { ok: false, error: 'There is no such account' };
  if (roles.length === 0) return { ok: false, error: 'Select at least one role' };
  return keepingAnAdmin(rt, actor, async (tx) => {
    await setStaffRoles(tx, staffId, roles);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'staff.roles-changed',
      entityType: 'staff',
      entityId: String(staffId),
      ip: actor.ip,
      details: { from: before.roles, to: roles },
    });
  });
}

/** Disables (and signs out) or re-enables an account. */
export async function setDisabled(
  rt: Runtime,
  actor: Actor<number | null>,
  staffId: number,
  disabled: boolean,
): Promise<AdminResult> {
  const before = await findStaffById(rt.db, staffId);
  if (!before) return { ok: false, error: 'There is no such account' };
  return keepingAnAdmin(rt, actor, async (tx) => {
    await updateStaff(tx, staffId, { disabledAt: disabled ? rt.now() : null });
    if (disabled) {
      await deleteSessionsOf(tx, staffId);
      // Its one-time links die too, so re-enabling the account does not bring them back.
      for (const purpose of ['invite', 'password-reset', 'mfa-enrol'] as const)
        await expireTokens(tx, purpose, rt.now(), staffId);
    }
    await recordAudit(tx, {
      actorId: actor.id,
      action: disabled ? 'staff.disabled' : 'staff.enabled',
      entityType: 'staff',
      entityId: String(staffId),
      ip: actor.ip,
      details: { email: before.email },
    });
  });
}

/** Command line: disable by email. */
export async function disableByEmail(rt: Runtime, actor: Actor<number | null>, email: string): Promise<AdminResult> {
  const account = await findStaffByEmail(rt.db, email.trim());
  if (!account) return { ok: false, error: `There is no account with the email address ${email}` };
  return setDisabled(rt, actor, account.id, true);
}

/**
 * Removes the account's TOTP secret and signs it out everywhere. The password alone can no longer
 * enrol a new authenticator: a one-time link (24 hours) is emailed, which with the password leads
 * to enrolment (src/lib/staff/recovery.ts). For an invited account that has not set up yet,
 * the invitation link already leads to enrolment, so no other link is sent. `email: false` (the
 * command line) sends nothing.
 */
export async function resetMfa(
  rt: Runtime,
  actor: Actor<number | null>,
  staffId: number,
  options: { email?: boolean } = {},
): Promise<AdminResult> {
  const before = await findStaffById(rt.db, staffId);
  if (!before) return { ok: false, error: 'There is no such account' };
  await transaction(rt.db, async (tx) => {
    await updateStaff(tx, staffId, { totpSecret: null, totpConfirmedAt: null, mfaResetAt: rt.now() });
    await deleteSessionsOf(tx, staffId);
    await deleteTotpStepsOf(tx, staffId);
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'staff.mfa-reset',
      entityType: 'staff',
      entityId: String(staffId),
      ip: actor.ip,
      details: { email: before.email },
    });
    if (options.email !== false && before.passwordHash && !before.disabledAt) {
      const link = await issueAccountLink(tx, rt, 'mfa-enrol', staffId, RESET_LINK_HOURS * 3600_000);
      const content = authenticatorEnrolEmail({
        orgName: rt.config.org.name,
        name: before.name,
        link,
        hours: RESET_LINK_HOURS,
      });
      await enqueueEmail(
        tx,
        { to: before.email, ...content, kind: 'staff-authenticator-reset', secrets: [link] },
        rt.now(),
      );
    }
  });
  return { ok: true };
}

/** The admin actions on an account page (the form's `action`). */
export const ACCOUNT_ACTIONS = ['roles', 'disable', 'enable', 'reset-mfa', 'reset-password', 'resend-invite'] as const;

/**
 * The admin account page's forms: runs `action` on the account. A refused roles change is told
 * next to the roles, anything else at the top of the page (`form`).
 */
export async function handleAccountForm(
  rt: Runtime,
  actor: Actor,
  account: StaffWithRoles,
  action: string,
  rawRoles: string[],
): Promise<{ ok: true } | { ok: false; field: 'roles' | 'form'; error: string }> {
  let result: AdminResult = { ok: false, error: 'Choose what to change' };
  if (action === 'roles') {
    const { roles, unknown } = parseRoles(rawRoles);
    result = unknown.length
      ? { ok: false, error: 'Select roles from the list' }
      : await changeRoles(rt, actor, account.id, roles);
    return result.ok ? result : { ok: false, field: 'roles', error: result.error };
  }
  if (action === 'disable' || action === 'enable')
    result = await setDisabled(rt, actor, account.id, action === 'disable');
  else if (action === 'reset-mfa') result = await resetMfa(rt, actor, account.id);
  else if (action === 'reset-password') result = await sendPasswordReset(rt, actor, account.id);
  else if (action === 'resend-invite') result = await resendInvitation(rt, actor, account.id);
  return result.ok ? { ok: true } : { ok: false, field: 'form', error: result.error };
}

/** What the account page says after `action` worked (the `done` parameter), or undefined. */
export function accountDoneMessage(account: Pick<StaffWithRoles, 'passwordHash'>, action: string): string | undefined {
  const messages: Record<(typeof ACCOUNT_ACTIONS)[number], string> = {
    roles: 'Roles changed.',
    disable: 'Account disabled. They have been signed out and cannot sign in.',
    enable: 'Account enabled again.',
    'reset-mfa': account.passwordHash
      ? `Authenticator reset. They have been signed out and we have emailed them a link to set up a new authenticator app. It works once, for ${RESET_LINK_HOURS} hours.`
      : 'Authenticator reset. They will set up an authenticator app when they use their invitation.',
    'reset-password': `Password reset sent. They have been signed out everywhere and we have emailed them a link to choose a new password. It works once, for ${RESET_LINK_HOURS} hours.`,
    'resend-invite': `Invitation sent again. The earlier invitation link no longer works; the new one works for ${INVITE_LINK_DAYS} days.`,
  };
  return Object.hasOwn(messages, action) ? messages[action as keyof typeof messages] : undefined;
}

/** The account page's summary in words: whether the account works, and its authenticator app. */
export function accountSummary(account: Pick<StaffWithRoles, 'disabledAt' | 'passwordHash' | 'totpConfirmedAt'>): {
  status: string;
  mfa: string;
} {
  return {
    status: account.disabledAt
      ? `Disabled on ${formatDateTime(account.disabledAt)}`
      : !account.passwordHash
        ? 'Invited, not set up yet'
        : 'Active',
    mfa: account.totpConfirmedAt ? `Set up on ${formatDateTime(account.totpConfirmedAt)}` : 'Not set up',
  };
}
