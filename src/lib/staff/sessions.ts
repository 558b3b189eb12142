/**
 * Sign-in and sessions. Sessions live in the database (only a SHA-256 of the cookie value is
 * stored). Signing in has two server-side steps: the password creates a short-lived `code` (or
 * `enrol`) session; the right security code replaces it with a new `signed-in` session, so the id
 * changes at each step. Signed-in sessions end after 30 minutes without a request or 12 hours after
 * sign-in, whichever comes first.
 */
import { recordAudit } from '../../../db/audit.ts';
import {
  deleteLoginFailures,
  deleteLoginFailuresBefore,
  deleteOtherSessionsOf,
  deleteSessionOf,
  signedInSessionsOf,
  deleteLoginFailuresById,
  deleteSession,
  deleteStaleSessions,
  findSession,
  findSessionUser,
  findStaffByEmail,
  findStaffById,
  insertLoginFailure,
  insertSession,
  insertTotpStep,
  isTokenLive,
  markTokenUsed,
  usedTotpStepFrom,
  loginFailureTimes,
  touchSession,
  updateStaff,
  type StaffWithRoles,
} from '../../../db/staff.ts';
import type { DbOrTx } from '../../../db/client.ts';
import { transaction } from '../../../db/transactions.ts';
import type { SessionStage } from '../../../db/schema.ts';
import { dummyVerify, verifyPassword } from './passwords.ts';
import { type Runtime, limitGroup, cookieName, hashToken } from '../platform/index.ts';
import { newToken, toStaffUser, type StaffUser } from './accounts.ts';
import { accountKey, accountNetworkKey, ipKey, isGuarded, THROTTLE, throttleDecision } from './throttle.ts';
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

async function throttled(rt: Runtime, email: string, ip: string | null, db: DbOrTx = rt.db): Promise<Date | null> {
  const since = new Date(rt.now().getTime() - THROTTLE.windowMs);
  const decision = throttleDecision(
    await loginFailureTimes(db, accountNetworkKey(email, ip), since),
    await loginFailureTimes(db, ipKey(ip), since),
    rt.now(),
  );
  return decision.allowed ? null : decision.retryAt;
}

async function guarded(rt: Runtime, email: string, db: DbOrTx = rt.db): Promise<boolean> {
  return isGuarded(
    await loginFailureTimes(db, accountKey(email), new Date(rt.now().getTime() - THROTTLE.windowMs)),
    rt.now(),
  );
}

/** Counts one failure under each of the three keys (src/lib/staff/throttle.ts); returns the row ids. */
async function insertFailures(tx: DbOrTx, email: string, ip: string | null, now: Date): Promise<number[]> {
  return [
    await insertLoginFailure(tx, accountNetworkKey(email, ip), now),
    await insertLoginFailure(tx, ipKey(ip), now),
    await insertLoginFailure(tx, accountKey(email), now),
  ];
}

async function recordFailure(
  rt: Runtime,
  email: string,
  ip: string | null,
  action: string,
  staffId: number | null,
): Promise<void> {
  const now = rt.now();
  await transaction(rt.db, async (tx) => {
    await insertFailures(tx, email, ip, now);
    await recordAudit(tx, {
      actorId: staffId,
      action,
      entityType: 'staff',
      entityId: staffId === null ? null : String(staffId),
      ip,
    });
  });
}

/** After a full sign-in, this network's failures for the account are forgotten (the every-address count is not). */
/** The audit entry of a refused or failed sign-in step, about the account (if one was found); one insert, no transaction. */
async function auditSignIn(
  rt: Runtime,
  id: number | null,
  action: string,
  ip: string | null,
  details?: Record<string, unknown>,
): Promise<void> {
  const entityId = id === null ? null : String(id);
  await recordAudit(rt.db, { actorId: id, action, entityType: 'staff', entityId, ip, details });
}

async function forgetFailures(rt: Runtime, email: string, ip: string | null): Promise<void> {
  await deleteLoginFailures(rt.db, accountNetworkKey(email, ip));
}

async function startSession(
  rt: Runtime,
  staffId: number,
  stage: SessionStage,
  ip: string | null,
  replacing?: string,
  client?: string | null,
  linkHash?: string,
): Promise<string> {
  const { token, hash } = newToken();
  const now = rt.now();
  await transaction(rt.db, async (tx) => {
    // A signed-in session keeps the browser description of the step it replaces.
    const previous = replacing ? await findSession(tx, hashToken(replacing)) : undefined;
    if (replacing) await deleteSession(tx, hashToken(replacing));
    await insertSession(tx, {
      idHash: hash,
      staffId,
      stage,
      now,
      ip,
      client: client ?? previous?.client ?? null,
      linkHash,
    });
    if (stage === 'signed-in')
      await recordAudit(tx, {
        actorId: staffId,
        action: 'staff.signed-in',
        entityType: 'staff',
        entityId: String(staffId),
        ip,
      });
  });
  return token;
}

export type PasswordResult =
  | { ok: true; sessionId: string; next: 'code' | 'enrol' | 'signed-in' }
  | { ok: false; error: 'invalid'; guarded?: true }
  | { ok: false; error: 'disabled' | 'code-needed' | 'enrol-link-needed' }
  | { ok: false; error: 'throttled'; retryAt: Date };

/**
 * Step one. The same `invalid` answer, after the same work (a dummy scrypt check), for an
 * unknown email and a wrong password. A disabled account is only told so after the right password.
 *
 * When the account is guarded (many failures from anywhere, src/lib/staff/throttle.ts), the password is
 * only checked together with a security code (`code`): without one the answer is `code-needed`
 * (nothing checked, nothing counted); with one, both right sign in at once, anything else is
 * `invalid` without saying which part was wrong.
 */
export async function signInWithPassword(
  rt: Runtime,
  input: { email: string; password: string; code?: string; userAgent?: string | null },
  ip: string | null,
  replacing?: string,
): Promise<PasswordResult> {
  const email = input.email.trim().toLowerCase().slice(0, 254);
  const code = input.code?.trim() ? input.code : undefined;
  // The check and a provisional failure are one transaction, before the (slow, asynchronous)
  // password check: attempts made in parallel cannot all pass the check before any is counted.
  const now = rt.now();
  const gate = await transaction(rt.db, async (tx) => {
    const retryAt = await throttled(rt, email, ip, tx);
    if (retryAt) return { ok: false as const, retryAt };
    const isGuarded = await guarded(rt, email, tx);
    if (isGuarded && !code) return { ok: true as const, guarded: true, provisional: null };
    return { ok: true as const, guarded: isGuarded, provisional: await insertFailures(tx, email, ip, now) };
  });
  if (!gate.ok) return { ok: false, error: 'throttled', retryAt: gate.retryAt };
  if (!gate.provisional) return { ok: false, error: 'code-needed' };
  const account = email ? await findStaffByEmail(rt.db, email) : undefined;
  const password = input.password.slice(0, 1024);
  const right = account?.passwordHash
    ? await verifyPassword(password, account.passwordHash)
    : (await dummyVerify(password), false);
  // Guarded: the code must be right as well, and is checked only after a right password.
  const codeCheck =
    gate.guarded && right && account
      ? account.totpConfirmedAt
        ? await checkCode(rt, account, code ?? '')
        : 'wrong'
      : 'ok';
  if (!account || !right || codeCheck !== 'ok') {
    // The provisional failure stands; only the audit entry is added.
    const action =
      codeCheck === 'wrong'
        ? 'staff.security-code-wrong'
        : codeCheck === 'ok'
          ? 'staff.sign-in-failed'
          : 'staff.security-code-reused';
    await auditSignIn(rt, account?.id ?? null, action, ip, gate.guarded ? { guarded: true } : undefined);
    return gate.guarded ? { ok: false, error: 'invalid', guarded: true } : { ok: false, error: 'invalid' };
  }
  await deleteLoginFailuresById(rt.db, gate.provisional);
  if (account.disabledAt) {
    await auditSignIn(rt, account.id, 'staff.sign-in-refused-disabled', ip);
    return { ok: false, error: 'disabled' };
  }
  const client = describeClient(input.userAgent);
  if (gate.guarded) {
    await forgetFailures(rt, email, ip);
    const sessionId = await startSession(rt, account.id, 'signed-in', ip, replacing, client);
    return { ok: true, sessionId, next: 'signed-in' };
  }
  const enrolled = Boolean(account.totpSecret && account.totpConfirmedAt);
  if (!enrolled && account.mfaResetAt) {
    // After an authenticator reset only the emailed one-time link leads to enrolment.
    await auditSignIn(rt, account.id, 'staff.sign-in-refused-enrol-link-needed', ip);
    return { ok: false, error: 'enrol-link-needed' };
  }
  const next = enrolled ? 'code' : 'enrol';
  return { ok: true, sessionId: await startSession(rt, account.id, next, ip, replacing, client), next };
}

/** The account waiting at a step (`code` or `enrol`), or undefined when that state has ended. */
export async function pendingAccount(
  rt: Runtime,
  sessionId: string | undefined,
  stage: 'code' | 'enrol',
): Promise<StaffWithRoles | undefined> {
  return (await pendingStep(rt, sessionId, stage))?.account;
}

async function pendingStep(rt: Runtime, sessionId: string | undefined, stage: 'code' | 'enrol') {
  if (!sessionId) return undefined;
  const session = await findSession(rt.db, hashToken(sessionId));
  if (!session || session.stage !== stage || sessionStatus(session, rt.now()) !== 'active') return undefined;
  const account = await findStaffById(rt.db, session.staffId);
  return account && !account.disabledAt ? { account, linkHash: session.linkHash } : undefined;
}

export type CodeResult =
  | { ok: true; sessionId: string }
  | { ok: false; error: 'expired' | 'wrong' | 'reused' | 'reused-enrolment' }
  | { ok: false; error: 'throttled'; retryAt: Date };

/**
 * Checks a code against the account's secret and, when right and not used before, records its
 * time-step as used (`usedFor`). `reused-enrolment`: the code's step is no later than the one the
 * authenticator was set up with (the code typed on the enrolment page moments ago), so the person
 * is told to wait for the next code rather than that the code was used.
 */
async function checkCode(
  rt: Runtime,
  account: StaffWithRoles,
  code: string,
  usedFor: 'sign-in' | 'enrolment' = 'sign-in',
): Promise<'ok' | 'wrong' | 'reused' | 'reused-enrolment'> {
  if (!account.totpSecret) return 'wrong';
  const step = matchTotp(account.totpSecret, code, rt.now());
  if (step === null) return 'wrong';
  const reusedFor = await transaction(rt.db, async (tx) => {
    const used = await usedTotpStepFrom(tx, account.id, step);
    if (used) return used.usedFor ?? 'sign-in';
    await insertTotpStep(tx, account.id, step, usedFor);
    return null;
  });
  if (reusedFor === null) return 'ok';
  return reusedFor === 'enrolment' ? 'reused-enrolment' : 'reused';
}

async function acceptCode(
  rt: Runtime,
  account: StaffWithRoles,
  secret: string,
  code: string,
  ip: string | null,
): Promise<{ ok: true } | Exclude<CodeResult, { ok: true }>> {
  const retryAt = await throttled(rt, account.email, ip);
  if (retryAt) return { ok: false, error: 'throttled', retryAt };
  // Enrolment checks the new, not yet confirmed secret.
  const result = await checkCode(
    rt,
    { ...account, totpSecret: secret },
    code,
    account.totpConfirmedAt ? 'sign-in' : 'enrolment',
  );
  if (result === 'wrong') {
    await recordFailure(rt, account.email, ip, 'staff.security-code-wrong', account.id);
    return { ok: false, error: 'wrong' };
  }
  if (result !== 'ok') {
    await recordFailure(rt, account.email, ip, 'staff.security-code-reused', account.id);
    return { ok: false, error: result };
  }
  return { ok: true };
}

/** Step two: the security code. Success signs in with a new session id. */
export async function verifySecurityCode(
  rt: Runtime,
  sessionId: string | undefined,
  code: string,
  ip: string | null,
): Promise<CodeResult> {
  const account = await pendingAccount(rt, sessionId, 'code');
  if (!account || !account.totpSecret) return { ok: false, error: 'expired' };
  const accepted = await acceptCode(rt, account, account.totpSecret, code, ip);
  if (!accepted.ok) return accepted;
  await forgetFailures(rt, account.email, ip);
  return { ok: true, sessionId: await startSession(rt, account.id, 'signed-in', ip, sessionId) };
}

/** What a security-code form shows after a submission. */
export type CodeOutcome =
  | { kind: 'signed-in'; sessionId: string }
  | { kind: 'expired' }
  | { kind: 'error'; status: 400 | 429; message: string };

/** The words for a code refused because its time-step was used already. */
export const REUSED_CODE_MESSAGE =
  'This security code has already been used. Wait for your app to show a new code, then enter it';
export const REUSED_ENROLMENT_CODE_MESSAGE =
  'You used this security code to set up your authenticator app, and each code works once. Wait for your app to show the next code (a new one appears every 30 seconds), then enter it';

/**
 * The rules shared by the sign-in and enrolment code forms: the typed code must be six digits
 * (spaces and dashes ignored) before `check` is tried; failures are worded for the person.
 * `wrongMessage` differs by form (enrolment also points at the QR code on the page).
 */
export async function submitSecurityCode(
  rt: Runtime,
  typed: string,
  check: (code: string) => Promise<CodeResult> | CodeResult,
  wrongMessage: string,
): Promise<CodeOutcome> {
  if (!typed.trim()) return { kind: 'error', status: 400, message: 'Enter the security code' };
  if (!/^\d{6}$/.test(typed.replace(/[\s-]/g, ''))) {
    return { kind: 'error', status: 400, message: 'Enter the 6-digit security code shown in your authenticator app' };
  }
  const result = await check(typed);
  if (result.ok) return { kind: 'signed-in', sessionId: result.sessionId };
  switch (result.error) {
    case 'expired':
      return { kind: 'expired' };
    case 'throttled':
      return { kind: 'error', status: 429, message: retryMessage(result.retryAt, rt.now()) };
    case 'reused':
      return { kind: 'error', status: 400, message: REUSED_CODE_MESSAGE };
    case 'reused-enrolment':
      return { kind: 'error', status: 400, message: REUSED_ENROLMENT_CODE_MESSAGE };
    case 'wrong':
      return { kind: 'error', status: 400, message: wrongMessage };
  }
}

/** Enrolment: the account's new (unconfirmed) secret, made on first view, with its QR code. */
export async function enrolment(
  rt: Runtime,
  sessionId: string | undefined,
): Promise<{ secret: string; uri: string; qrSvg: string } | undefined> {
  const step = await pendingStep(rt, sessionId, 'enrol');
  // A step from a new-authenticator link ends with the link (used by another step, or replaced).
  if (!step || (step.linkHash && !(await isTokenLive(rt.db, step.linkHash, rt.now())))) return undefined;
  const { account } = step;
  let secret = account.totpSecret;
  if (!secret || account.totpConfirmedAt) {
    secret = generateTotpSecret();
    await updateStaff(rt.db, account.id, { totpSecret: secret, totpConfirmedAt: null });
  }
  const uri = totpUri(secret, account.email);
  return { secret, uri, qrSvg: await totpQrSvg(uri) };
}

/**
 * Enrolment step: the first code from the new authenticator confirms it and signs in. A step
 * started from an emailed new-authenticator link uses the link up here, not when the password was
 * entered: an attempt left unfinished can start again from the link, and the link still works once
 * (`expired` when it was used, replaced or ran out meanwhile).
 */
export async function confirmEnrolment(
  rt: Runtime,
  sessionId: string | undefined,
  code: string,
  ip: string | null,
): Promise<CodeResult> {
  const step = await pendingStep(rt, sessionId, 'enrol');
  const account = step?.account;
  if (!step || !account || !account.totpSecret) return { ok: false, error: 'expired' };
  const accepted = await acceptCode(rt, account, account.totpSecret, code, ip);
  if (!accepted.ok) return accepted;
  const confirmed = await transaction(rt.db, async (tx) => {
    if (step.linkHash) {
      if (!(await markTokenUsed(tx, step.linkHash, rt.now()))) return false;
      await recordAudit(tx, {
        actorId: account.id,
        action: 'staff.enrol-link-used',
        entityType: 'staff',
        entityId: String(account.id),
        ip,
      });
    }
    await updateStaff(tx, account.id, { totpConfirmedAt: rt.now(), mfaResetAt: null });
    await recordAudit(tx, {
      actorId: account.id,
      action: 'staff.mfa-enrolled',
      entityType: 'staff',
      entityId: String(account.id),
      ip,
    });
    return true;
  });
  if (!confirmed) return { ok: false, error: 'expired' };
  await forgetFailures(rt, account.email, ip);
  return { ok: true, sessionId: await startSession(rt, account.id, 'signed-in', ip, sessionId) };
}

/**
 * Starts the enrolment step straight after a setup link was used. `linkHash`: the
 * new-authenticator link that confirming the enrolment will use up (src/lib/staff/recovery.ts).
 */
export async function startEnrolmentSession(
  rt: Runtime,
  staffId: number,
  ip: string | null,
  replacing?: string,
  userAgent?: string | null,
  linkHash?: string,
): Promise<string> {
  return startSession(rt, staffId, 'enrol', ip, replacing, describeClient(userAgent), linkHash);
}

/**
 * A signed-in session for an account without the password and code steps, for the browser tests'
 * sign-in fixture (tests/e2e/staff-fixtures.ts `signInAs`), which calls it in its own process on the
 * test server's database file. No route, page or script calls it (tests/unit/layering.test.ts
 * checks): reaching it takes write access to the database, which can make any session anyway.
 */
export async function startSessionWithoutSignIn(
  rt: Runtime,
  staffId: number,
  ip: string | null,
  userAgent?: string | null,
): Promise<string> {
  return startSession(rt, staffId, 'signed-in', ip, undefined, describeClient(userAgent));
}

export type SessionLookup = { user: StaffUser } | { user: undefined; ended: 'idle' | 'absolute' | null };

/**
 * The signed-in person for a cookie value, refreshing the idle timer. An ended session is
 * deleted and reported (`ended`) so the sign-in page can say why.
 */
export async function sessionUser(rt: Runtime, sessionId: string | undefined): Promise<SessionLookup> {
  if (!sessionId || sessionId.length > 100) return { user: undefined, ended: null };
  const hash = hashToken(sessionId);
  const session = await findSession(rt.db, hash);
  if (!session || session.stage !== 'signed-in') return { user: undefined, ended: null };
  const now = rt.now();
  const status = sessionStatus(session, now);
  const account = await findSessionUser(rt.db, session.staffId);
  if (status !== 'active' || !account || account.disabledAt) {
    await deleteSession(rt.db, hash);
    return { user: undefined, ended: status === 'active' ? null : status };
  }
  // Writes at most once a minute per session.
  if (now.getTime() - session.lastSeenAt.getTime() > 60_000) await touchSession(rt.db, hash, now);
  return { user: toStaffUser(account) };
}

export async function signOut(rt: Runtime, sessionId: string | undefined, ip: string | null): Promise<void> {
  if (!sessionId) return;
  const hash = hashToken(sessionId);
  const session = await findSession(rt.db, hash);
  if (!session) return;
  await transaction(rt.db, async (tx) => {
    await deleteSession(tx, hash);
    if (session.stage === 'signed-in')
      await recordAudit(tx, {
        actorId: session.staffId,
        action: 'staff.signed-out',
        entityType: 'staff',
        entityId: String(session.staffId),
        ip,
      });
  });
}

export type PasswordCheck =
  { ok: true } | { ok: false; error: 'wrong' } | { ok: false; error: 'throttled'; retryAt: Date };

/**
 * Checks a signed-in (or link-holding) person's password, e.g. before changing it or enrolling a
 * new authenticator from an emailed link. Counted and limited like sign-in failures, with the
 * same provisional count before the slow check (so parallel guesses cannot pass together).
 */
export async function checkAccountPassword(
  rt: Runtime,
  account: StaffWithRoles,
  password: string,
  ip: string | null,
  failedAction: string,
): Promise<PasswordCheck> {
  const now = rt.now();
  const gate = await transaction(rt.db, async (tx) => {
    const retryAt = await throttled(rt, account.email, ip, tx);
    if (retryAt) return { ok: false as const, retryAt };
    return { ok: true as const, provisional: await insertFailures(tx, account.email, ip, now) };
  });
  if (!gate.ok) return { ok: false, error: 'throttled', retryAt: gate.retryAt };
  const right = account.passwordHash ? await verifyPassword(password.slice(0, 1024), account.passwordHash) : false;
  if (!right) {
    await auditSignIn(rt, account.id, failedAction, ip);
    return { ok: false, error: 'wrong' };
  }
  await deleteLoginFailuresById(rt.db, gate.provisional);
  return { ok: true };
}

// The person's own sessions (ASVS 7.5.2)

export interface SessionSummary {
  /** Names the session in a form without giving away anything usable (part of the stored hash). */
  handle: string;
  current: boolean;
  startedAt: Date;
  lastSeenAt: Date;
  /** "Chrome on Windows", or "Unknown browser". */
  client: string;
  /** The address shortened to its network, such as "203.0.113.…", or "Not known". */
  network: string;
}

const handleOf = (idHash: string) => idHash.slice(0, 16);

/** A signed-in person's sessions that have not ended, the one in use first. */
export async function ownSessions(
  rt: Runtime,
  staffId: number,
  currentSessionId: string | undefined,
): Promise<SessionSummary[]> {
  const current = currentSessionId ? hashToken(currentSessionId) : '';
  const now = rt.now();
  return (await signedInSessionsOf(rt.db, staffId))
    .filter((s) => sessionStatus(s, now) === 'active')
    .map((s) => ({
      handle: handleOf(s.idHash),
      current: s.idHash === current,
      startedAt: s.startedAt,
      lastSeenAt: s.lastSeenAt,
      client: s.client ?? 'Unknown browser',
      network: shortAddress(s.ip),
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

export type EndSessionResult = { ok: true; ended: number } | { ok: false; error: string };

/**
 * Ends one of the person's other sessions (`handle` from ownSessions), or all of them (`'others'`).
 * The session in use is ended by signing out, not here.
 */
export async function endOwnSessions(
  rt: Runtime,
  staffId: number,
  currentSessionId: string | undefined,
  handle: string,
  ip: string | null,
): Promise<EndSessionResult> {
  if (!currentSessionId) return { ok: false, error: 'You are not signed in' };
  const current = hashToken(currentSessionId);
  return await transaction(rt.db, async (tx) => {
    let ended: number;
    if (handle === 'others') {
      ended = await deleteOtherSessionsOf(tx, staffId, current);
    } else {
      const target = (await signedInSessionsOf(tx, staffId)).find((s) => handleOf(s.idHash) === handle);
      if (!target) return { ok: false as const, error: 'That session has already ended' };
      if (target.idHash === current) return { ok: false as const, error: 'To end the session you are using, sign out' };
      ended = (await deleteSessionOf(tx, staffId, target.idHash)) ? 1 : 0;
    }
    await recordAudit(tx, {
      actorId: staffId,
      action: 'staff.sessions-ended',
      entityType: 'staff',
      entityId: String(staffId),
      ip,
      details: { ended, which: handle === 'others' ? 'all others' : 'one' },
    });
    return { ok: true as const, ended };
  });
}

/** An address cut to its network, so the page does not show anyone's full address. */
export function shortAddress(ip: string | null): string {
  if (!ip) return 'Not known';
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.…`;
  if (ip.includes(':')) {
    const network = limitGroup(ip);
    return network.endsWith('::/64') ? `${network.slice(0, -5).split(':').slice(0, 3).join(':')}:…` : 'Not known';
  }
  return 'Not known';
}

/**
 * A coarse description of a browser from its User-Agent header ("Firefox on Windows"); only this
 * is stored, never the header itself.
 */
export function describeClient(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  const ua = userAgent.slice(0, 512);
  const browser = /Edg(?:e|A|iOS)?\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /Firefox\/|FxiOS\//.test(ua)
        ? 'Firefox'
        : /SamsungBrowser\//.test(ua)
          ? 'Samsung Internet'
          : /Chrome\/|Chromium\/|CriOS\//.test(ua)
            ? 'Chrome'
            : /Safari\//.test(ua) && /Version\//.test(ua)
              ? 'Safari'
              : null;
  const system = /iPhone|iPad|iPod/.test(ua)
    ? 'iPhone or iPad'
    : /Android/.test(ua)
      ? 'Android'
      : /CrOS/.test(ua)
        ? 'ChromeOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Mac OS X|Macintosh/.test(ua)
            ? 'Mac'
            : /Linux|X11/.test(ua)
              ? 'Linux'
              : null;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? (system ? `A browser on ${system}` : 'Unknown browser');
}

/** Housekeeping: removes ended sessions and old failure rows (called at start and now and then). */
export async function purgeExpired(rt: Runtime): Promise<void> {
  const t = rt.now().getTime();
  await deleteStaleSessions(rt.db, new Date(t - SESSION_IDLE_MS), new Date(t - SESSION_ABSOLUTE_MS));
  await deleteLoginFailuresBefore(rt.db, new Date(t - THROTTLE.windowMs));
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
