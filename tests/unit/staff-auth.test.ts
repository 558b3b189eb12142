import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { listAudit } from '../../db/audit.ts';
import { allRows, execute, firstRow } from '../../db/dialect/index.ts';
import { findSession } from '../../db/staff.ts';
import { hashPassword, isCommonPassword, passwordProblem, verifyPassword } from '../../src/lib/staff/passwords.ts';
import { clientIp, isHttps, readForm } from '../../src/lib/platform/request.ts';
import {
  confirmEnrolment,
  enrolment,
  PENDING_MS,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  sessionStatus,
  sessionUser,
  signInWithPassword,
  signOut,
  submitSecurityCode,
  verifySecurityCode,
} from '../../src/lib/staff/sessions.ts';
import { accessFor, canChange, canOpen, mayAccess } from '../../src/lib/staff/access.ts';
import {
  accountDoneMessage,
  accountSummary,
  changeRoles,
  completeSetup,
  getStaff,
  handleAccountForm,
  createStaffAccount,
  findSetupLink,
  FIRST_RUN_FILE,
  prepareFirstRun,
  inviteStaff,
  issueFirstRunLink,
  parseRoles,
  resetMfa,
  setDisabled,
} from '../../src/lib/staff/accounts.ts';
import { hashToken } from '../../src/lib/platform/tokens.ts';
import { THROTTLE, throttleDecision } from '../../src/lib/staff/throttle.ts';
import { matchTotp, totpCode, totpQrSvg, totpStep, totpUri, generateTotpSecret } from '../../src/lib/staff/totp.ts';
import { testRuntime } from '../support/db.ts';

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 0, 5, 10, 0, 0)) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
}

const PASSWORD = 'plum orbit lantern 42';

describe('password policy and hashing', () => {
  it('needs 12 characters and refuses common passwords and the email address', () => {
    expect(passwordProblem('')).toBe('Enter a password');
    expect(passwordProblem('short pass1')).toMatch(/12 characters or more/);
    expect(passwordProblem('password1234')).toMatch(/too common/);
    expect(passwordProblem('Qwertyuiop123')).toMatch(/too common/);
    expect(passwordProblem('111111111111')).toMatch(/too common/);
    expect(passwordProblem('jane.smith-lovely-days', { email: 'jane.smith@example.org' })).toMatch(/email address/);
    expect(passwordProblem(PASSWORD)).toBeNull();
    expect(passwordProblem('x'.repeat(257) + 'abc')).toMatch(/256 characters or fewer/);
    expect(isCommonPassword('correcthorsebatterystaple')).toBe(true);
  });

  it('hashes with versioned scrypt and verifies in constant time', async () => {
    const hash = await hashPassword(PASSWORD);
    expect(hash).toMatch(/^\$scrypt\$v=1\$N=32768,r=8,p=1\$/);
    expect(await hashPassword(PASSWORD)).not.toBe(hash);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword(PASSWORD + ' ', hash)).toBe(false);
    expect(await verifyPassword(PASSWORD, 'not a hash')).toBe(false);
  });
});

describe('TOTP', () => {
  const secret = generateTotpSecret();
  const at = new Date(Date.UTC(2026, 0, 5, 10, 0, 15));

  it('accepts the current code and one step either side, nothing further', () => {
    const step = totpStep(at);
    expect(matchTotp(secret, totpCode(secret, at), at)).toBe(step);
    expect(matchTotp(secret, totpCode(secret, new Date(at.getTime() - 30_000)), at)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, new Date(at.getTime() + 30_000)), at)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, new Date(at.getTime() - 60_000)), at)).toBeNull();
    expect(matchTotp(secret, totpCode(secret, new Date(at.getTime() + 60_000)), at)).toBeNull();
    expect(matchTotp(secret, 'abcdef', at)).toBeNull();
    const code = totpCode(secret, at);
    expect(matchTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, at)).toBe(step);
  });

  it('makes a standard otpauth URI and an SVG QR code without style attributes', async () => {
    const uri = totpUri(secret, 'a@example.org');
    expect(uri).toMatch(/^otpauth:\/\/totp\/.*secret=[A-Z2-7]+.*algorithm=SHA1&digits=6&period=30/);
    const svg = await totpQrSvg(uri);
    expect(svg).toMatch(/^<svg role="img" aria-label="QR code/);
    expect(svg).not.toMatch(/style=/);
  });
});

describe('throttling with a fixed clock', () => {
  const now = new Date(Date.UTC(2026, 0, 5, 12, 0, 0));
  const ago = (min: number) => now.getTime() - min * 60_000;

  it('allows 4 recent account failures and blocks the 5th until the oldest is 15 minutes old', () => {
    expect(throttleDecision([ago(1), ago(2), ago(3), ago(4)], [], now)).toEqual({ allowed: true });
    const blocked = throttleDecision([ago(1), ago(2), ago(3), ago(4), ago(10)], [], now);
    expect(blocked).toEqual({ allowed: false, retryAt: new Date(ago(10) + THROTTLE.windowMs) });
    // Failures older than the window do not count.
    expect(throttleDecision([ago(1), ago(2), ago(3), ago(4), ago(16), ago(20)], [], now)).toEqual({ allowed: true });
  });

  it('limits an IP address to 20 failures across accounts', () => {
    const nineteen = Array.from({ length: 19 }, (_, i) => ago(i / 2));
    expect(throttleDecision([], nineteen, now).allowed).toBe(true);
    expect(throttleDecision([], [...nineteen, ago(14)], now)).toEqual({
      allowed: false,
      retryAt: new Date(ago(14) + THROTTLE.windowMs),
    });
  });

  // About 30 scrypt checks: slow on a busy machine.
  it(
    'refuses sign-in (even with the right password) after 5 failures, per account from that address and then per IP',
    { timeout: 90_000 },
    async () => {
      const clock = manualClock();
      const rt = await testRuntime({ now: clock.now });
      await createStaffAccount(
        rt,
        { email: 'throttle@example.org', name: 'T', password: PASSWORD, roles: ['moderator'] },
        { id: null, ip: 'cli' },
      );
      for (let i = 0; i < 5; i++) {
        expect(
          await signInWithPassword(rt, { email: 'throttle@example.org', password: 'wrong password here' }, '10.0.0.1'),
        ).toEqual({ ok: false, error: 'invalid' });
        clock.advance(1000);
      }
      const refused = await signInWithPassword(rt, { email: 'throttle@example.org', password: PASSWORD }, '10.0.0.1');
      expect(refused).toMatchObject({ ok: false, error: 'throttled' });
      // Issue 17.10: the guesser's failures do not lock out the real person at another address
      // (until c0ab3f9 this was 'throttled' too).
      expect(
        await signInWithPassword(rt, { email: 'throttle@example.org', password: PASSWORD }, '10.0.0.2'),
      ).toMatchObject({ ok: true, next: 'code' });
      clock.advance(THROTTLE.windowMs);
      expect(
        await signInWithPassword(rt, { email: 'throttle@example.org', password: PASSWORD }, '10.0.0.2'),
      ).toMatchObject({ ok: true, next: 'code' });
      // Many unknown emails from one IP.
      for (let i = 0; i < 20; i++)
        await signInWithPassword(rt, { email: `nobody${i}@example.org`, password: 'whatever it is' }, '10.0.0.9');
      expect(
        await signInWithPassword(rt, { email: 'throttle@example.org', password: PASSWORD }, '10.0.0.9'),
      ).toMatchObject({ ok: false, error: 'throttled' });
    },
  );
});

describe('sign-in, codes and sessions', () => {
  async function setUp() {
    const clock = manualClock();
    const rt = await testRuntime({ now: clock.now });
    const made = await createStaffAccount(
      rt,
      { email: 'Rev@Example.org', name: 'Rita Reviewer', password: PASSWORD, roles: ['reviewer'] },
      { id: null, ip: 'cli' },
    );
    if (!made.ok) throw new Error('not created');
    return { rt, clock, secret: made.totpSecret, id: made.id };
  }

  it('gives the same answer for an unknown email and a wrong password', async () => {
    const { rt } = await setUp();
    expect(await signInWithPassword(rt, { email: 'nobody@example.org', password: PASSWORD }, '1.1.1.1')).toEqual({
      ok: false,
      error: 'invalid',
    });
    expect(await signInWithPassword(rt, { email: 'rev@example.org', password: 'not the password' }, '1.1.1.1')).toEqual(
      { ok: false, error: 'invalid' },
    );
  });

  it('signs in with password then code, rotating the session id, and refuses a reused code', async () => {
    const { rt, clock, secret, id } = await setUp();
    const first = await signInWithPassword(rt, { email: 'rev@example.org', password: PASSWORD }, '1.1.1.1');
    if (!first.ok) throw new Error('password refused');
    // Half signed in is not signed in.
    expect((await sessionUser(rt, first.sessionId)).user).toBeUndefined();
    expect(await verifySecurityCode(rt, first.sessionId, '000000', '1.1.1.1')).toMatchObject({ ok: false });
    const code = totpCode(secret, clock.now());
    const done = await verifySecurityCode(rt, first.sessionId, code, '1.1.1.1');
    if (!done.ok) throw new Error(`code refused: ${done.error}`);
    expect(done.sessionId).not.toBe(first.sessionId);
    expect(await findSession(rt.db, hashToken(first.sessionId))).toBeUndefined();
    // Only the hash is stored.
    expect(await findSession(rt.db, done.sessionId)).toBeUndefined();
    expect((await sessionUser(rt, done.sessionId)).user).toEqual({
      id,
      email: 'rev@example.org',
      name: 'Rita Reviewer',
      roles: ['reviewer'],
    });
    const sealedSecret = (await firstRow<{ v: string }>(
      rt.db,
      sql`select totp_secret as v from staff where id = ${id}`,
    ))!.v;

    // Each request reads only what the session needs: not the TOTP secret, which would be
    // decrypted every time (until this change an unreadable stored secret failed every page).
    await execute(rt.db, sql`update staff set totp_secret = 'enc1:not-a-sealed-value' where id = ${id}`);
    expect((await sessionUser(rt, done.sessionId)).user).toEqual({
      id,
      email: 'rev@example.org',
      name: 'Rita Reviewer',
      roles: ['reviewer'],
    });
    await execute(rt.db, sql`update staff set totp_secret = ${sealedSecret} where id = ${id}`);

    // The same code again (same time-step) is refused, even from a new sign-in.
    const second = await signInWithPassword(rt, { email: 'rev@example.org', password: PASSWORD }, '1.1.1.1');
    if (!second.ok) throw new Error('password refused');
    expect(await verifySecurityCode(rt, second.sessionId, code, '1.1.1.1')).toEqual({ ok: false, error: 'reused' });
    // An older step (still inside the window) is refused too.
    clock.advance(30_000);
    expect(await verifySecurityCode(rt, second.sessionId, code, '1.1.1.1')).toEqual({ ok: false, error: 'reused' });
    expect(await verifySecurityCode(rt, second.sessionId, totpCode(secret, clock.now()), '1.1.1.1')).toMatchObject({
      ok: true,
    });
    const actions = (await listAudit(rt.db, { actorId: id })).map((e) => e.action);
    expect(actions).toContain('staff.signed-in');
    expect(actions).toContain('staff.security-code-reused');
  });

  it('ends a session after 30 idle minutes or 12 hours, and on sign-out', async () => {
    const { rt, clock, secret } = await setUp();
    const signIn = async () => {
      const p = await signInWithPassword(rt, { email: 'rev@example.org', password: PASSWORD }, null);
      if (!p.ok) throw new Error('refused');
      clock.advance(30_000);
      const c = await verifySecurityCode(rt, p.sessionId, totpCode(secret, clock.now()), null);
      if (!c.ok) throw new Error(c.error);
      return c.sessionId;
    };
    const idle = await signIn();
    clock.advance(SESSION_IDLE_MS - 1000);
    expect((await sessionUser(rt, idle)).user).toBeDefined();
    clock.advance(SESSION_IDLE_MS - 1000); // used within 30 minutes, so still alive
    expect((await sessionUser(rt, idle)).user).toBeDefined();
    clock.advance(SESSION_IDLE_MS);
    expect(await sessionUser(rt, idle)).toEqual({ user: undefined, ended: 'idle' });
    expect(await sessionUser(rt, idle)).toEqual({ user: undefined, ended: null });

    const long = await signIn();
    for (let t = 0; t < SESSION_ABSOLUTE_MS - 20 * 60_000; t += 20 * 60_000) {
      clock.advance(20 * 60_000);
      expect((await sessionUser(rt, long)).user).toBeDefined();
    }
    clock.advance(20 * 60_000);
    expect(await sessionUser(rt, long)).toEqual({ user: undefined, ended: 'absolute' });

    const out = await signIn();
    await signOut(rt, out, null);
    expect((await sessionUser(rt, out)).user).toBeUndefined();
  });

  it('the status rule itself', () => {
    const start = new Date(0);
    const at = (ms: number) => new Date(ms);
    expect(sessionStatus({ stage: 'signed-in', startedAt: start, lastSeenAt: start }, at(SESSION_IDLE_MS - 1))).toBe(
      'active',
    );
    expect(sessionStatus({ stage: 'signed-in', startedAt: start, lastSeenAt: start }, at(SESSION_IDLE_MS))).toBe(
      'idle',
    );
    expect(
      sessionStatus(
        { stage: 'signed-in', startedAt: start, lastSeenAt: at(SESSION_ABSOLUTE_MS - 1) },
        at(SESSION_ABSOLUTE_MS),
      ),
    ).toBe('absolute');
    expect(sessionStatus({ stage: 'code', startedAt: start, lastSeenAt: start }, at(PENDING_MS))).toBe('absolute');
  });

  it('refuses a disabled account after the right password, and ends its sessions', async () => {
    const { rt, clock, secret, id } = await setUp();
    const p = await signInWithPassword(rt, { email: 'rev@example.org', password: PASSWORD }, null);
    if (!p.ok) throw new Error('refused');
    const c = await verifySecurityCode(rt, p.sessionId, totpCode(secret, clock.now()), null);
    if (!c.ok) throw new Error(c.error);
    expect(await setDisabled(rt, { id: null, ip: 'cli' }, id, true)).toEqual({ ok: true });
    expect((await sessionUser(rt, c.sessionId)).user).toBeUndefined();
    expect(await signInWithPassword(rt, { email: 'rev@example.org', password: PASSWORD }, null)).toEqual({
      ok: false,
      error: 'disabled',
    });
  });
});

describe('security code form rules', async () => {
  const rt = await testRuntime({ now: () => new Date('2026-03-02T10:00:00Z') });
  const never = (): never => {
    throw new Error('the code check must not run for a badly formed code');
  };

  it('asks for a code, then for six digits, before trying it', async () => {
    expect(await submitSecurityCode(rt, '  ', never, 'wrong')).toEqual({
      kind: 'error',
      status: 400,
      message: 'Enter the security code',
    });
    expect(await submitSecurityCode(rt, '12345', never, 'wrong')).toMatchObject({
      kind: 'error',
      status: 400,
      message: expect.stringContaining('6-digit'),
    });
    expect(await submitSecurityCode(rt, '12a456', never, 'wrong')).toMatchObject({ kind: 'error', status: 400 });
  });

  it('ignores spaces and dashes in the shape check and passes the code on as typed', async () => {
    const seen: string[] = [];
    const outcome = await submitSecurityCode(
      rt,
      '123 456',
      (code) => (seen.push(code), { ok: true, sessionId: 's1' }),
      'wrong',
    );
    expect(outcome).toEqual({ kind: 'signed-in', sessionId: 's1' });
    expect(seen).toEqual(['123 456']);
    expect(await submitSecurityCode(rt, '123-456', () => ({ ok: false, error: 'expired' }), 'wrong')).toEqual({
      kind: 'expired',
    });
  });

  it("words each refusal: the form's own wrong-code text, reused, and throttled with minutes to wait (429)", async () => {
    expect(await submitSecurityCode(rt, '123456', () => ({ ok: false, error: 'wrong' }), 'Not right')).toEqual({
      kind: 'error',
      status: 400,
      message: 'Not right',
    });
    expect(await submitSecurityCode(rt, '123456', () => ({ ok: false, error: 'reused' }), 'x')).toMatchObject({
      status: 400,
      message: expect.stringContaining('already been used'),
    });
    const retryAt = new Date(rt.now().getTime() + 4 * 60_000 + 1);
    expect(await submitSecurityCode(rt, '123456', () => ({ ok: false, error: 'throttled', retryAt }), 'x')).toEqual({
      kind: 'error',
      status: 429,
      message: 'There have been too many failed attempts to sign in. Wait 5 minutes and try again',
    });
  });
});

describe('first run, invitations and admin changes', () => {
  it('creates the first admin from a one-time link, then enrols TOTP', async () => {
    const clock = manualClock();
    const rt = await testRuntime({ now: clock.now });
    const link = (await issueFirstRunLink(rt))!;
    expect(link).toMatch(/\/setup\/[A-Za-z0-9_-]{43}$/);
    const token = link.split('/').pop()!;
    expect(await findSetupLink(rt, token)).toEqual({ purpose: 'first-run' });
    const bad = await completeSetup(rt, token, { name: '', email: 'nope', password: 'short' }, null);
    expect(bad).toEqual({
      ok: false,
      errors: {
        name: 'Enter your full name',
        email: expect.stringMatching(/correct format/),
        password: expect.stringMatching(/12 characters/),
      },
    });
    const done = await completeSetup(
      rt,
      token,
      { name: 'Ada Admin', email: 'ada@example.org', password: PASSWORD },
      '1.2.3.4',
    );
    expect(done).toMatchObject({ ok: true });
    expect(await findSetupLink(rt, token)).toBeUndefined();
    expect(await issueFirstRunLink(rt)).toBeNull();
    // Password works; TOTP enrolment is next.
    const p = await signInWithPassword(rt, { email: 'ada@example.org', password: PASSWORD }, null);
    expect(p).toMatchObject({ ok: true, next: 'enrol' });
    if (!p.ok) return;
    const setup = (await enrolment(rt, p.sessionId))!;
    expect(setup.qrSvg).toContain('<svg');
    const c = await confirmEnrolment(rt, p.sessionId, totpCode(setup.secret, clock.now()), null);
    expect(c).toMatchObject({ ok: true });
    if (c.ok) expect((await sessionUser(rt, c.sessionId)).user?.roles).toEqual(['admin']);
  });

  it('at start-up writes the first-run link to a 0600 file, and removes it once an admin exists', async () => {
    const rt = await testRuntime();
    const file = join(rt.config.dataDir, FIRST_RUN_FILE);
    const link = (await prepareFirstRun(rt))!;
    expect(readFileSync(file, 'utf8').trim()).toBe(link);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A restart issues a new link; the old one stops working.
    const second = (await prepareFirstRun(rt))!;
    expect(await findSetupLink(rt, link.split('/').pop()!)).toBeUndefined();
    expect(await findSetupLink(rt, second.split('/').pop()!)).toEqual({ purpose: 'first-run' });
    await createStaffAccount(
      rt,
      { email: 'cli-admin@example.org', name: 'CLI', password: PASSWORD, roles: ['admin'] },
      { id: null, ip: 'cli' },
    );
    // Issue 17.2: once an admin exists the printed link stops working at once (until c0ab3f9 it
    // stayed usable until used or expired), and the next start expires it in the database too.
    expect(await findSetupLink(rt, second.split('/').pop()!)).toBeUndefined();
    expect(await prepareFirstRun(rt)).toBeNull();
    expect(existsSync(file)).toBe(false);
    const open = await firstRow<{ n: number }>(
      rt.db,
      sql`select count(*) as n from staff_tokens where purpose = 'first-run' and used_at is null and expires_at > ${rt.now().getTime()}`,
    );
    expect(open!.n).toBe(0);
  });

  it('a first-run link expires after 24 hours', async () => {
    const clock = manualClock();
    const rt = await testRuntime({ now: clock.now });
    const token = (await issueFirstRunLink(rt))!.split('/').pop()!;
    clock.advance(24 * 3600_000 - 1);
    expect(await findSetupLink(rt, token)).toBeDefined();
    clock.advance(1);
    expect(await findSetupLink(rt, token)).toBeUndefined();
  });

  it('invites, changes roles, resets MFA and keeps at least one admin, auditing each in the same transaction', async () => {
    const clock = manualClock();
    const rt = await testRuntime({ now: clock.now });
    const admin = await createStaffAccount(
      rt,
      { email: 'boss@example.org', name: 'Boss', password: PASSWORD, roles: ['admin'] },
      { id: null, ip: 'cli' },
    );
    if (!admin.ok) throw new Error('no admin');
    const actor = { id: admin.id, ip: '9.9.9.9' };
    const invite = await inviteStaff(rt, actor, { email: 'new@example.org', name: 'New Person', roles: ['moderator'] });
    if (!invite.ok) throw new Error('no invite');
    const outboxRows = await allRows<{ to_address: string; text_body: string }>(
      rt.db,
      sql`select to_address, text_body from outbox where kind = 'staff-invite'`,
    );
    expect(outboxRows).toEqual([{ to_address: 'new@example.org', text_body: expect.stringContaining(invite.link) }]);
    expect(
      await inviteStaff(rt, actor, { email: 'NEW@example.org', name: 'Again', roles: ['moderator'] }),
    ).toMatchObject({
      ok: false,
    });
    expect(await changeRoles(rt, actor, invite.id, ['moderator', 'reviewer'])).toEqual({ ok: true });
    expect(await changeRoles(rt, actor, admin.id, ['reviewer'])).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no active admin/),
    });
    expect(await setDisabled(rt, actor, admin.id, true)).toMatchObject({ ok: false });
    expect(await resetMfa(rt, actor, invite.id)).toEqual({ ok: true });
    const entries = await listAudit(rt.db, { actorId: admin.id });
    expect(entries.map((e) => e.action)).toEqual(['staff.mfa-reset', 'staff.roles-changed', 'staff.invited']);
    expect(entries[1]).toMatchObject({
      entityType: 'staff',
      entityId: String(invite.id),
      ip: '9.9.9.9',
      details: { from: ['moderator'], to: ['moderator', 'reviewer'] },
    });
    expect((await listAudit(rt.db, { action: 'staff.*' })).length).toBeGreaterThanOrEqual(4);
  });

  it('the account page: each action runs, a refused one says where; what the page says afterwards', async () => {
    const clock = manualClock();
    const rt = await testRuntime({ now: clock.now });
    const admin = await createStaffAccount(
      rt,
      { email: 'page-admin@example.org', name: 'Boss', password: PASSWORD, roles: ['admin'] },
      { id: null, ip: 'cli' },
    );
    if (!admin.ok) throw new Error('no admin');
    const actor = { id: admin.id, ip: '9.9.9.9' };
    const invite = await inviteStaff(rt, actor, {
      email: 'page-new@example.org',
      name: 'New Person',
      roles: ['moderator'],
    });
    if (!invite.ok) throw new Error('no invite');
    const account = (await getStaff(rt, invite.id))!;
    expect(await handleAccountForm(rt, actor, account, 'roles', ['moderator', 'reviewer'])).toEqual({ ok: true });
    expect((await getStaff(rt, invite.id))!.roles.sort()).toEqual(['moderator', 'reviewer']);
    expect(await handleAccountForm(rt, actor, account, 'roles', ['boss'])).toEqual({
      ok: false,
      field: 'roles',
      error: 'Select roles from the list',
    });
    expect(await handleAccountForm(rt, actor, account, 'roles', [])).toEqual({
      ok: false,
      field: 'roles',
      error: 'Select at least one role',
    });
    expect(await handleAccountForm(rt, actor, account, 'forged', [])).toEqual({
      ok: false,
      field: 'form',
      error: 'Choose what to change',
    });
    expect(await handleAccountForm(rt, actor, (await getStaff(rt, admin.id))!, 'disable', [])).toMatchObject({
      ok: false,
      field: 'form',
      error: expect.stringMatching(/no active admin/),
    });
    expect(await handleAccountForm(rt, actor, account, 'resend-invite', [])).toEqual({ ok: true });
    expect(await handleAccountForm(rt, actor, account, 'disable', [])).toEqual({ ok: true });
    expect(accountSummary((await getStaff(rt, invite.id))!).status).toMatch(/^Disabled on /);
    expect(await handleAccountForm(rt, actor, account, 'enable', [])).toEqual({ ok: true });
    expect(accountSummary((await getStaff(rt, invite.id))!)).toEqual({
      status: 'Invited, not set up yet',
      mfa: 'Not set up',
    });
    expect(accountSummary((await getStaff(rt, admin.id))!).status).toBe('Active');
    expect((await listAudit(rt.db, { entityId: String(invite.id) })).map((e) => e.action)).toEqual([
      'staff.enabled',
      'staff.disabled',
      'staff.invitation-resent',
      'staff.roles-changed',
      'staff.invited',
    ]);

    expect(accountDoneMessage(account, 'roles')).toBe('Roles changed.');
    expect(accountDoneMessage(account, 'reset-mfa')).toBe(
      'Authenticator reset. They will set up an authenticator app when they use their invitation.',
    );
    expect(accountDoneMessage({ passwordHash: 'x' }, 'reset-mfa')).toMatch(
      /^Authenticator reset. They have been signed out and we have emailed them a link/,
    );
    expect(accountDoneMessage(account, 'constructor')).toBeUndefined();
    expect(accountDoneMessage(account, '')).toBeUndefined();
  });

  it('parses roles given repeated or comma-separated', () => {
    expect(parseRoles(['admin,moderator', 'reviewer', 'admin'])).toEqual({
      roles: ['moderator', 'reviewer', 'admin'],
      unknown: [],
    });
    expect(parseRoles(['boss'])).toEqual({ roles: [], unknown: ['boss'] });
  });
});

describe('access rules and client IP', () => {
  it('maps every staff URL to one rule; unlisted staff URLs need admin', () => {
    expect(accessFor('/')).toBeNull();
    expect(accessFor('/staffing')).toBeNull();
    expect(accessFor('/staff/login')).toBe('public');
    expect(accessFor('/staff/login/code')).toBe('public');
    expect(accessFor('/staff')).toBe('any-staff');
    expect(accessFor('/staff/')).toBe('any-staff');
    expect(accessFor('/staff/admin/3')).toEqual(['admin']);
    expect(accessFor('/STAFF/Admin')).toEqual(['admin']);
    expect(accessFor('/staff//admin')).toEqual(['admin']);
    expect(accessFor('/staff/cases/new')).toEqual(['moderator']);
    expect(accessFor('/staff/appeals')).toEqual(['reviewer']);
    expect(accessFor('/staff/something-new')).toEqual(['admin']);
    expect(mayAccess(['admin'], ['moderator'])).toBe(false);
    expect(canOpen(['moderator'], '/staff/cases')).toBe(true);
    expect(canOpen(['moderator'], '/staff/audit')).toBe(false);
  });

  it('lets reviewers read cases but not record or change them', () => {
    for (const path of ['/staff/cases', '/staff/cases/12']) {
      expect(accessFor(path)).toEqual(['moderator', 'reviewer']);
      expect(accessFor(path, 'HEAD')).toEqual(['moderator', 'reviewer']);
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) expect(accessFor(path, method)).toEqual(['moderator']);
      expect(canOpen(['reviewer'], path)).toBe(true);
      expect(canChange(['reviewer'], path)).toBe(false);
      expect(canChange(['moderator'], path)).toBe(true);
      expect(canOpen(['admin'], path)).toBe(false);
    }
    expect(canOpen(['reviewer'], '/staff/cases/new')).toBe(false);
    expect(accessFor('/staff/cases/new', 'POST')).toEqual(['moderator']);
    // Rules without a write list: a post needs the same roles as reading.
    expect(accessFor('/staff/appeals/3', 'POST')).toEqual(['reviewer']);
  });

  it('uses X-Forwarded-For only behind a trusted proxy', () => {
    const request = new Request('http://x/', { headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' } });
    expect(clientIp(request, '127.0.0.1', { trustedProxy: false })).toBe('127.0.0.1');
    expect(clientIp(request, '127.0.0.1', { trustedProxy: true })).toBe('203.0.113.9');
    expect(clientIp(new Request('http://x/'), undefined, { trustedProxy: true })).toBeNull();
  });

  it('marks cookies Secure when the site is https (public URL, request, or a trusted proxy)', () => {
    const plain = new Request('http://x/', { headers: { 'x-forwarded-proto': 'https' } });
    expect(isHttps(plain, { trustedProxy: false, publicUrl: 'http://localhost:4321' })).toBe(false);
    expect(isHttps(plain, { trustedProxy: true, publicUrl: 'http://localhost:4321' })).toBe(true);
    expect(isHttps(new Request('http://x/'), { trustedProxy: false, publicUrl: 'https://appeals.example.org' })).toBe(
      true,
    );
    expect(isHttps(new Request('https://x/'), { trustedProxy: false, publicUrl: 'http://localhost:4321' })).toBe(true);
  });

  it('reads a missing or broken form body as an empty form', async () => {
    expect([...(await readForm(new Request('http://x/', { method: 'POST' }))).keys()]).toEqual([]);
    expect([
      ...(
        await readForm(
          new Request('http://x/', {
            method: 'POST',
            body: 'a=1',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
        )
      ).keys(),
    ]).toEqual(['a']);
  });
});
