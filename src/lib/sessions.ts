/**
 * Sign-in and sessions. Sessions live in the database (only a SHA-256 of the cookie value is
 * stored). Signing in has two server-side steps: the password creates a short-lived `code` (or
 * `enrol`) session; the right security code replaces it with a new `signed-in` session, so the id
 * changes at each step. Signed-in sessions end after 30 minutes without a request or 12 hours after
 * sign-in, whichever comes first.
 */
import { recordAudit } from '../../db/audit.ts';
import {
  deleteLoginFailures,
  deleteLoginFailuresBefore,
  deleteLoginFailuresById,
  deleteSession,
  deleteStaleSessions,
  findSession,
  findStaffByEmail,
  findStaffById,
  insertLoginFailure,
  insertSession,
  insertTotpStep,
  isTotpStepUsed,
  loginFailureTimes,
  touchSession,
  updateStaff,
  type StaffWithRoles,
} from '../../db/staff.ts';
import type { DbOrTx } from '../../db/client.ts';
import type { SessionStage } from '../../db/schema/staff.ts';
import { dummyVerify, verifyPassword } from './passwords.ts';
import type { Runtime } from './runtime.ts';
import { hashToken, newToken, toStaffUser, type StaffUser } from './staff.ts';
import { accountKey, ipKey, THROTTLE, throttleDecision } from './throttle.ts';
import { cookieName } from './cookies.ts';
import { generateTotpSecret, matchTotp, totpQrSvg, totpUri } from './totp.ts';

export const SESSION_COOKIE = 'fh_staff_session';

/** The session cookie's name: `__Host-fh_staff_session` over https, `fh_staff_session` over plain http. */
export function sessionCookieName(secure: boolean): string {
  return cookieName(SESSION_COOKIE, secure);
}
export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** How long the half-signed-in state (between password and code) lasts. */
export const PENDING_MS = 10 * 60 * 1000;

export interface SessionTimes {
  stage: SessionStage;
  startedAt: Date;
  lastSeenAt: Date;
}

/** Whether a session is still valid at `now`, and if not why. */
export function sessionStatus(session: SessionTimes, now: Date): 'active' | 'idle' | 'absolute' {
  const t = now.getTime();
  if (session.stage !== 'signed-in') return t - session.startedAt.getTime() >= PENDING_MS ? 'absolute' : 'active';
  if (t - session.startedAt.getTime() >= SESSION_ABSOLUTE_MS) return 'absolute';
  if (t - session.lastSeenAt.getTime() >= SESSION_IDLE_MS) return 'idle';
  return 'active';
}

function throttled(rt: Runtime, email: string, ip: string | null, db: DbOrTx = rt.db): Date | null {
  const since = new Date(rt.now().getTime() - THROTTLE.windowMs);
  const decision = throttleDecision(loginFailureTimes(db, accountKey(email), since), loginFailureTimes(db, ipKey(ip), since), rt.now());
  return decision.allowed ? null : decision.retryAt;
}

function recordFailure(rt: Runtime, email: string, ip: string | null, action: string, staffId: number | null): void {
  const now = rt.now();
  rt.db.transaction((tx) => {
    insertLoginFailure(tx, accountKey(email), now);
    insertLoginFailure(tx, ipKey(ip), now);
    recordAudit(tx, { actorId: staffId, action, entityType: 'staff', entityId: staffId === null ? null : String(staffId), ip });
  });
}

function startSession(rt: Runtime, staffId: number, stage: SessionStage, ip: string | null, replacing?: string): string {
  const { token, hash } = newToken();
  const now = rt.now();
  rt.db.transaction((tx) => {
    if (replacing) deleteSession(tx, hashToken(replacing));
    insertSession(tx, { idHash: hash, staffId, stage, now, ip });
    if (stage === 'signed-in') recordAudit(tx, { actorId: staffId, action: 'staff.signed-in', entityType: 'staff', entityId: String(staffId), ip });
  });
  return token;
}

export type PasswordResult =
  | { ok: true; sessionId: string; next: 'code' | 'enrol' }
  | { ok: false; error: 'invalid' | 'disabled' }
  | { ok: false; error: 'throttled'; retryAt: Date };

/**
 * Step one. The same `invalid` answer, after the same work (a dummy scrypt check), for an
 * unknown email and a wrong password. A disabled account is only told so after the right password.
 */
export async function signInWithPassword(rt: Runtime, input: { email: string; password: string }, ip: string | null, replacing?: string): Promise<PasswordResult> {
  const email = input.email.trim().toLowerCase().slice(0, 254);
  // The check and a provisional failure are one transaction, before the (slow, asynchronous)
  // password check: attempts made in parallel cannot all pass the check before any is counted.
  const now = rt.now();
  const gate = rt.db.transaction((tx) => {
    const retryAt = throttled(rt, email, ip, tx);
    if (retryAt) return { ok: false as const, retryAt };
    return { ok: true as const, provisional: [insertLoginFailure(tx, accountKey(email), now), insertLoginFailure(tx, ipKey(ip), now)] };
  });
  if (!gate.ok) return { ok: false, error: 'throttled', retryAt: gate.retryAt };
  const account = email ? findStaffByEmail(rt.db, email) : undefined;
  const password = input.password.slice(0, 1024);
  const right = account?.passwordHash ? await verifyPassword(password, account.passwordHash) : (await dummyVerify(password), false);
  if (!account || !right) {
    // The provisional failure stands; only the audit entry is added.
    rt.db.transaction((tx) =>
      recordAudit(tx, { actorId: account?.id ?? null, action: 'staff.sign-in-failed', entityType: 'staff', entityId: account ? String(account.id) : null, ip }),
    );
    return { ok: false, error: 'invalid' };
  }
  deleteLoginFailuresById(rt.db, gate.provisional);
  if (account.disabledAt) {
    rt.db.transaction((tx) => recordAudit(tx, { actorId: account.id, action: 'staff.sign-in-refused-disabled', entityType: 'staff', entityId: String(account.id), ip }));
    return { ok: false, error: 'disabled' };
  }
  const next = account.totpSecret && account.totpConfirmedAt ? 'code' : 'enrol';
  return { ok: true, sessionId: startSession(rt, account.id, next, ip, replacing), next };
}

/** The account waiting at a step (`code` or `enrol`), or undefined when that state has ended. */
export function pendingAccount(rt: Runtime, sessionId: string | undefined, stage: 'code' | 'enrol'): StaffWithRoles | undefined {
  if (!sessionId) return undefined;
  const session = findSession(rt.db, hashToken(sessionId));
  if (!session || session.stage !== stage || sessionStatus(session, rt.now()) !== 'active') return undefined;
  const account = findStaffById(rt.db, session.staffId);
  return account && !account.disabledAt ? account : undefined;
}

export type CodeResult =
  | { ok: true; sessionId: string }
  | { ok: false; error: 'expired' | 'wrong' | 'reused' }
  | { ok: false; error: 'throttled'; retryAt: Date };

function acceptCode(rt: Runtime, account: StaffWithRoles, secret: string, code: string, ip: string | null): { ok: true } | Exclude<CodeResult, { ok: true }> {
  const retryAt = throttled(rt, account.email, ip);
  if (retryAt) return { ok: false, error: 'throttled', retryAt };
  const step = matchTotp(secret, code, rt.now());
  if (step === null) {
    recordFailure(rt, account.email, ip, 'staff.security-code-wrong', account.id);
    return { ok: false, error: 'wrong' };
  }
  const reused = rt.db.transaction((tx) => {
    if (isTotpStepUsed(tx, account.id, step)) return true;
    insertTotpStep(tx, account.id, step);
    return false;
  });
  if (reused) {
    recordFailure(rt, account.email, ip, 'staff.security-code-reused', account.id);
    return { ok: false, error: 'reused' };
  }
  return { ok: true };
}

/** Step two: the security code. Success signs in with a new session id. */
export function verifySecurityCode(rt: Runtime, sessionId: string | undefined, code: string, ip: string | null): CodeResult {
  const account = pendingAccount(rt, sessionId, 'code');
  if (!account || !account.totpSecret) return { ok: false, error: 'expired' };
  const accepted = acceptCode(rt, account, account.totpSecret, code, ip);
  if (!accepted.ok) return accepted;
  deleteLoginFailures(rt.db, accountKey(account.email));
  return { ok: true, sessionId: startSession(rt, account.id, 'signed-in', ip, sessionId) };
}

/** What a security-code form shows after a submission. */
export type CodeOutcome =
  | { kind: 'signed-in'; sessionId: string }
  | { kind: 'expired' }
  | { kind: 'error'; status: 400 | 429; message: string };

/**
 * The rules shared by the sign-in and enrolment code forms: the typed code must be six digits
 * (spaces and dashes ignored) before `check` is tried; failures are worded for the person.
 * `wrongMessage` differs by form (enrolment also points at the QR code on the page).
 */
export function submitSecurityCode(rt: Runtime, typed: string, check: (code: string) => CodeResult, wrongMessage: string): CodeOutcome {
  if (!typed.trim()) return { kind: 'error', status: 400, message: 'Enter the security code' };
  if (!/^\d{6}$/.test(typed.replace(/[\s-]/g, ''))) {
    return { kind: 'error', status: 400, message: 'Enter the 6-digit security code shown in your authenticator app' };
  }
  const result = check(typed);
  if (result.ok) return { kind: 'signed-in', sessionId: result.sessionId };
  switch (result.error) {
    case 'expired':
      return { kind: 'expired' };
    case 'throttled':
      return { kind: 'error', status: 429, message: retryMessage(result.retryAt, rt.now()) };
    case 'reused':
      return { kind: 'error', status: 400, message: 'This security code has already been used. Wait for your app to show a new code, then enter it' };
    case 'wrong':
      return { kind: 'error', status: 400, message: wrongMessage };
  }
}

/** Enrolment: the account's new (unconfirmed) secret, made on first view, with its QR code. */
export async function enrolment(rt: Runtime, sessionId: string | undefined): Promise<{ secret: string; uri: string; qrSvg: string } | undefined> {
  const account = pendingAccount(rt, sessionId, 'enrol');
  if (!account) return undefined;
  let secret = account.totpSecret;
  if (!secret || account.totpConfirmedAt) {
    secret = generateTotpSecret();
    updateStaff(rt.db, account.id, { totpSecret: secret, totpConfirmedAt: null });
  }
  const uri = totpUri(secret, account.email);
  return { secret, uri, qrSvg: await totpQrSvg(uri) };
}

/** Enrolment step: the first code from the new authenticator confirms it and signs in. */
export function confirmEnrolment(rt: Runtime, sessionId: string | undefined, code: string, ip: string | null): CodeResult {
  const account = pendingAccount(rt, sessionId, 'enrol');
  if (!account || !account.totpSecret) return { ok: false, error: 'expired' };
  const accepted = acceptCode(rt, account, account.totpSecret, code, ip);
  if (!accepted.ok) return accepted;
  rt.db.transaction((tx) => {
    updateStaff(tx, account.id, { totpConfirmedAt: rt.now() });
    recordAudit(tx, { actorId: account.id, action: 'staff.mfa-enrolled', entityType: 'staff', entityId: String(account.id), ip });
  });
  deleteLoginFailures(rt.db, accountKey(account.email));
  return { ok: true, sessionId: startSession(rt, account.id, 'signed-in', ip, sessionId) };
}

/** Starts the enrolment step straight after a setup link was used. */
export function startEnrolmentSession(rt: Runtime, staffId: number, ip: string | null, replacing?: string): string {
  return startSession(rt, staffId, 'enrol', ip, replacing);
}

export type SessionLookup = { user: StaffUser } | { user: undefined; ended: 'idle' | 'absolute' | null };

/**
 * The signed-in person for a cookie value, refreshing the idle timer. An ended session is
 * deleted and reported (`ended`) so the sign-in page can say why.
 */
export function sessionUser(rt: Runtime, sessionId: string | undefined): SessionLookup {
  if (!sessionId || sessionId.length > 100) return { user: undefined, ended: null };
  const hash = hashToken(sessionId);
  const session = findSession(rt.db, hash);
  if (!session || session.stage !== 'signed-in') return { user: undefined, ended: null };
  const now = rt.now();
  const status = sessionStatus(session, now);
  const account = findStaffById(rt.db, session.staffId);
  if (status !== 'active' || !account || account.disabledAt) {
    deleteSession(rt.db, hash);
    return { user: undefined, ended: status === 'active' ? null : status };
  }
  // Writes at most once a minute per session.
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) touchSession(rt.db, hash, now);
  return { user: toStaffUser(account) };
}

export function signOut(rt: Runtime, sessionId: string | undefined, ip: string | null): void {
  if (!sessionId) return;
  const hash = hashToken(sessionId);
  const session = findSession(rt.db, hash);
  if (!session) return;
  rt.db.transaction((tx) => {
    deleteSession(tx, hash);
    if (session.stage === 'signed-in') recordAudit(tx, { actorId: session.staffId, action: 'staff.signed-out', entityType: 'staff', entityId: String(session.staffId), ip });
  });
}

/** Housekeeping: removes ended sessions and old failure rows (called at start and now and then). */
export function purgeExpired(rt: Runtime): void {
  const t = rt.now().getTime();
  deleteStaleSessions(rt.db, new Date(t - SESSION_IDLE_MS), new Date(t - SESSION_ABSOLUTE_MS));
  deleteLoginFailuresBefore(rt.db, new Date(t - THROTTLE.windowMs));
}

/** Cookie options for the session cookie: HttpOnly, SameSite=Lax, Secure when served over https. */
export function sessionCookieOptions(secure: boolean) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
}

/** "3:45pm" style time (UK) for "try again after …" messages. */
export function retryMessage(retryAt: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 60_000));
  return `There have been too many failed attempts to sign in. Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again`;
}
