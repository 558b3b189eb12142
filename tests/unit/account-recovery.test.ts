/**
 * Issue 17 points 2, 3, 10, 15 and 17: the first-run link once an admin exists; changing one's own
 * password; password resets, invitations sent again and new-authenticator links; the command-line
 * reset; sign-in limits that a stranger cannot use to lock the owner out; one's own sessions; and
 * the message for a code from the enrolment step. Real SQLite, fixed clocks.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { listAudit } from '../../db/audit.ts';
import { allRows, firstRow } from '../../db/dialect/index.ts';
import { findToken, insertToken, markTokenUsed } from '../../db/staff.ts';
import { changeOwnPassword, useEnrolLink } from '../../src/lib/staff/recovery.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import {
  confirmEnrolment,
  describeClient,
  endOwnSessions,
  enrolment,
  ownSessions,
  REUSED_ENROLMENT_CODE_MESSAGE,
  sessionUser,
  shortAddress,
  signInWithPassword,
  startEnrolmentSession,
  submitSecurityCode,
  verifySecurityCode,
} from '../../src/lib/staff/sessions.ts';
import {
  completeSetup,
  createStaffAccount,
  findSetupLink,
  inviteStaff,
  issueFirstRunLink,
  prepareFirstRun,
  RESET_LINK_HOURS,
  resendInvitation,
  resetByEmail,
  resetMfa,
  sendPasswordReset,
  setDisabled,
} from '../../src/lib/staff/accounts.ts';
import { hashToken } from '../../src/lib/platform/tokens.ts';
import { limitGroup } from '../../src/lib/platform/client-group.ts';
import { THROTTLE } from '../../src/lib/staff/throttle.ts';
import { totpCode } from '../../src/lib/staff/totp.ts';
import { testRuntime } from '../support/db.ts';

function manualClock(start = Date.UTC(2026, 0, 5, 10, 0, 0)) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

const PASSWORD = 'plum orbit lantern 42';
const NEW_PASSWORD = 'quiet harbour maple 77';
const ADMIN = { id: null, ip: 'test' } as const;

async function account(rt: Runtime, email: string, roles: ('admin' | 'moderator' | 'reviewer')[] = ['reviewer']) {
  const made = await createStaffAccount(
    rt,
    { email, name: `Person ${email}`, password: PASSWORD, roles },
    { id: null, ip: 'cli' },
  );
  if (!made.ok) throw new Error(JSON.stringify(made.errors));
  return made;
}

/** Password and code, as a person signs in; returns the signed-in session id. */
async function signIn(
  rt: Runtime,
  email: string,
  secret: string,
  ip = '10.1.1.1',
  password = PASSWORD,
  userAgent?: string,
): Promise<string> {
  const p = await signInWithPassword(rt, { email, password, userAgent }, ip);
  if (!p.ok || p.next !== 'code') throw new Error(`password step: ${JSON.stringify(p)}`);
  const c = await verifySecurityCode(rt, p.sessionId, totpCode(secret, rt.now()), ip);
  if (!c.ok) throw new Error(`code step: ${c.error}`);
  return c.sessionId;
}

const outbox = (rt: Runtime, kind: string) =>
  allRows<{ to: string; text: string }>(
    rt.db,
    sql`select to_address as "to", text_body as text from outbox where kind = ${kind} order by id`,
  );
const tokenOf = (link: string) => link.split('/').pop()!;

/** An account whose authenticator an admin has just reset: its runtime, clock and emailed link's token. */
async function afterReset(name: string) {
  const clock = manualClock();
  const rt = await testRuntime({ now: clock.now });
  const admin = await account(rt, `${name}-admin@example.org`, ['admin']);
  const me = await account(rt, `${name}-enrol@example.org`);
  await resetMfa(rt, { id: admin.id, ip: null }, me.id);
  const token = tokenOf(
    /https?:\/\/\S+\/setup\/[A-Za-z0-9_-]{43}/.exec((await outbox(rt, 'staff-authenticator-reset')).at(-1)!.text)![0],
  );
  return { clock, rt, me, token };
}

// scrypt is slow on purpose and these tests make many checks.
const SLOW = 90_000;

describe('17.2 the first-run link once an admin exists', () => {
  it(
    'stops working for GET and POST as soon as an admin is added from the command line',
    { timeout: SLOW },
    async () => {
      const rt = await testRuntime();
      const token = tokenOf((await issueFirstRunLink(rt))!);
      expect(await findSetupLink(rt, token)).toEqual({ purpose: 'first-run' });
      await account(rt, 'cli-admin@example.org', ['admin']);
      // GET: the page asks findSetupLink; POST: completeSetup.
      expect(await findSetupLink(rt, token)).toBeUndefined();
      const post = await completeSetup(
        rt,
        token,
        { name: 'Mallory', email: 'mallory@example.org', password: PASSWORD },
        '6.6.6.6',
      );
      expect(post).toEqual({ ok: false, errors: { form: 'This link has expired or has already been used' } });
      expect(await firstRow(rt.db, sql`select count(*) as n from staff where email = 'mallory@example.org'`)).toEqual({
        n: 0,
      });
    },
  );

  it('is expired in the database at start-up when an admin exists', { timeout: SLOW }, async () => {
    const clock = manualClock();
    const rt = await testRuntime({ now: clock.now });
    const token = tokenOf((await prepareFirstRun(rt))!);
    await account(rt, 'admin2@example.org', ['admin']);
    clock.advance(1000);
    expect(await prepareFirstRun(rt)).toBeNull();
    const row = await firstRow<{ expiresAt: number }>(
      rt.db,
      sql`select expires_at as "expiresAt" from staff_tokens where token_hash = ${hashToken(token)}`,
    );
    expect(row!.expiresAt).toBeLessThanOrEqual(clock.now().getTime());
    expect(await listAudit(rt.db, { action: 'setup.link-expired' })).toHaveLength(1);
  });
});

describe('17.3 changing your own password', () => {
  it(
    'needs the current password, keeps the policy, and ends the other sessions but not this one',
    { timeout: SLOW },
    async () => {
      const clock = manualClock();
      const rt = await testRuntime({ now: clock.now });
      const me = await account(rt, 'me@example.org');
      const here = await signIn(rt, 'me@example.org', me.totpSecret);
      clock.advance(30_000);
      const there = await signIn(rt, 'me@example.org', me.totpSecret, '10.2.2.2');
      expect(await changeOwnPassword(rt, me.id, here, { current: '', password: NEW_PASSWORD }, null)).toEqual({
        ok: false,
        errors: { current: 'Enter your current password' },
      });
      expect(
        await changeOwnPassword(rt, me.id, here, { current: 'not my password', password: NEW_PASSWORD }, null),
      ).toEqual({ ok: false, errors: { current: 'Your current password is not correct' } });
      expect(
        await changeOwnPassword(rt, me.id, here, { current: PASSWORD, password: 'password1234' }, null),
      ).toMatchObject({ ok: false, errors: { password: expect.stringMatching(/too common/) } });
      expect(await changeOwnPassword(rt, me.id, here, { current: PASSWORD, password: PASSWORD }, null)).toMatchObject({
        ok: false,
        errors: { password: expect.stringMatching(/different/) },
      });
      expect(
        await changeOwnPassword(rt, me.id, here, { current: PASSWORD, password: NEW_PASSWORD }, '10.1.1.1'),
      ).toEqual({ ok: true, otherSessionsEnded: 1 });
      expect((await sessionUser(rt, here)).user?.email).toBe('me@example.org');
      expect((await sessionUser(rt, there)).user).toBeUndefined();
      expect(await signInWithPassword(rt, { email: 'me@example.org', password: PASSWORD }, '10.3.3.3')).toEqual({
        ok: false,
        error: 'invalid',
      });
      expect(
        await signInWithPassword(rt, { email: 'me@example.org', password: NEW_PASSWORD }, '10.3.3.3'),
      ).toMatchObject({ ok: true, next: 'code' });
      expect(await listAudit(rt.db, { action: 'staff.password-changed' })).toMatchObject([
        { actorId: me.id, details: { otherSessionsEnded: 1 } },
      ]);
      // They are told by email (ASVS 6.3.7).
      expect(await outbox(rt, 'staff-password-changed')).toEqual([
        { to: 'me@example.org', text: expect.stringContaining('was changed by you') },
      ]);
      expect(await listAudit(rt.db, { action: 'staff.password-change-failed' })).toHaveLength(1);
    },
  );

  it('counts wrong current passwords like failed sign-ins', { timeout: SLOW }, async () => {
    const rt = await testRuntime();
    const me = await account(rt, 'guess@example.org');
    const here = await signIn(rt, 'guess@example.org', me.totpSecret);
    // A wrong password is a plain refusal (400); once limited the result says so (429), not its words.
    expect(
      await changeOwnPassword(rt, me.id, here, { current: 'wrong first password', password: NEW_PASSWORD }, '10.9.9.9'),
    ).toEqual({ ok: false, errors: { current: 'Your current password is not correct' } });
    for (let i = 1; i < THROTTLE.perAccountPerNetwork; i++)
      await changeOwnPassword(rt, me.id, here, { current: `wrong ${i} password`, password: NEW_PASSWORD }, '10.9.9.9');
    const refused = await changeOwnPassword(rt, me.id, here, { current: PASSWORD, password: NEW_PASSWORD }, '10.9.9.9');
    expect(refused).toMatchObject({
      ok: false,
      errors: { current: expect.stringMatching(/too many failed attempts/) },
    });
    expect(refused).toMatchObject({ throttled: true });
  });

  it('a new-authenticator link says when it is refused for too many wrong passwords', { timeout: SLOW }, async () => {
    const { rt, token } = await afterReset('limit');
    expect(await useEnrolLink(rt, token, 'wrong first password', '10.8.8.8')).toEqual({
      ok: false,
      errors: { password: 'The password is not correct' },
    });
    for (let i = 1; i < THROTTLE.perAccountPerNetwork; i++)
      await useEnrolLink(rt, token, `wrong ${i} password`, '10.8.8.8');
    expect(await useEnrolLink(rt, token, PASSWORD, '10.8.8.8')).toEqual({
      ok: false,
      errors: { password: expect.stringMatching(/too many failed attempts/) },
      throttled: true,
    });
  });
});

describe('17.3 password reset by an admin', () => {
  it(
    'emails a 24-hour one-time link (stored hashed), ends every session, and is audited',
    { timeout: SLOW },
    async () => {
      const clock = manualClock();
      const rt = await testRuntime({ now: clock.now });
      const admin = await account(rt, 'boss@example.org', ['admin']);
      const me = await account(rt, 'forgot@example.org');
      const session = await signIn(rt, 'forgot@example.org', me.totpSecret);
      const sent = await sendPasswordReset(rt, { id: admin.id, ip: '9.9.9.9' }, me.id);
      if (!sent.ok) throw new Error(sent.error);
      expect((await sessionUser(rt, session)).user).toBeUndefined();
      expect(await outbox(rt, 'staff-password-reset')).toEqual([
        { to: 'forgot@example.org', text: expect.stringContaining(sent.link) },
      ]);
      const token = tokenOf(sent.link);
      const stored = await allRows<{ hash: string; expiresAt: number }>(
        rt.db,
        sql`select token_hash as hash, expires_at as "expiresAt" from staff_tokens where purpose = 'password-reset'`,
      );
      expect(stored).toEqual([{ hash: hashToken(token), expiresAt: clock.now().getTime() + 24 * 3600_000 }]);
      expect(await listAudit(rt.db, { action: 'staff.password-reset-sent' })).toMatchObject([
        { actorId: admin.id, entityId: String(me.id), ip: '9.9.9.9' },
      ]);
      expect(await findSetupLink(rt, token)).toMatchObject({ purpose: 'password-reset', staff: { id: me.id } });

      // A second reset: the first link stops working.
      const again = await sendPasswordReset(rt, { id: admin.id, ip: '9.9.9.9' }, me.id);
      if (!again.ok) throw new Error(again.error);
      expect(await findSetupLink(rt, token)).toBeUndefined();
      const second = tokenOf(again.link);
      expect(await completeSetup(rt, second, { password: 'short' }, null)).toMatchObject({
        ok: false,
        errors: { password: expect.stringMatching(/12 characters/) },
      });
      expect(await completeSetup(rt, second, { password: NEW_PASSWORD }, '10.1.1.1')).toEqual({
        ok: true,
        staffId: me.id,
        next: 'sign-in',
      });
      // Single use.
      expect(await findSetupLink(rt, second)).toBeUndefined();
      expect(await completeSetup(rt, second, { password: 'another fine passphrase' }, null)).toMatchObject({
        ok: false,
      });
      expect(await signInWithPassword(rt, { email: 'forgot@example.org', password: PASSWORD }, '10.1.1.2')).toEqual({
        ok: false,
        error: 'invalid',
      });
      clock.advance(30_000);
      expect(await signIn(rt, 'forgot@example.org', me.totpSecret, '10.1.1.2', NEW_PASSWORD)).toBeTruthy();
      expect(await listAudit(rt.db, { action: 'staff.password-reset-completed' })).toMatchObject([
        { actorId: me.id, ip: '10.1.1.1' },
      ]);
      expect(await outbox(rt, 'staff-password-changed')).toEqual([
        { to: 'forgot@example.org', text: expect.stringContaining('password reset link') },
      ]);
    },
  );

  it('dies when the account is disabled, and stays dead when it is enabled again', { timeout: SLOW }, async () => {
    const rt = await testRuntime();
    const me = await account(rt, 'leaver@example.org');
    const sent = await sendPasswordReset(rt, ADMIN, me.id);
    if (!sent.ok) throw new Error(sent.error);
    expect(await setDisabled(rt, ADMIN, me.id, true)).toEqual({ ok: true });
    expect(await findSetupLink(rt, tokenOf(sent.link))).toBeUndefined();
    expect(await sendPasswordReset(rt, ADMIN, me.id)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/disabled/),
    });
    expect(await setDisabled(rt, ADMIN, me.id, false)).toEqual({ ok: true });
    expect(await findSetupLink(rt, tokenOf(sent.link))).toBeUndefined();
  });

  it('expires after 24 hours', { timeout: SLOW }, async () => {
    const clock = manualClock();
    const rt = await testRuntime({ now: clock.now });
    const me = await account(rt, 'late@example.org');
    const sent = await sendPasswordReset(rt, ADMIN, me.id);
    if (!sent.ok) throw new Error(sent.error);
    clock.advance(24 * 3600_000 - 1);
    expect(await findSetupLink(rt, tokenOf(sent.link))).toBeDefined();
    clock.advance(1);
    expect(await findSetupLink(rt, tokenOf(sent.link))).toBeUndefined();
  });
});

describe('17.3 invitations sent again', () => {
  it(
    'offers to send again for a pending address; the new link works and the old one dies',
    { timeout: SLOW },
    async () => {
      const rt = await testRuntime();
      const admin = await account(rt, 'inviter@example.org', ['admin']);
      const actor = { id: admin.id, ip: '9.9.9.9' };
      const first = await inviteStaff(rt, actor, {
        email: 'pending@example.org',
        name: 'Pat Pending',
        roles: ['moderator'],
      });
      if (!first.ok) throw new Error('no invite');
      const again = await inviteStaff(rt, actor, { email: 'Pending@example.org', name: 'Pat', roles: ['moderator'] });
      expect(again).toEqual({
        ok: false,
        errors: { email: expect.stringMatching(/already been invited .* send the invitation again/i) },
        pendingId: first.id,
      });
      expect(await inviteStaff(rt, actor, { email: 'inviter@example.org', name: 'X', roles: ['moderator'] })).toEqual({
        ok: false,
        errors: { email: 'An account with this email address already exists' },
      });
      const resent = await resendInvitation(rt, actor, first.id);
      if (!resent.ok) throw new Error(resent.error);
      expect(await findSetupLink(rt, tokenOf(first.link))).toBeUndefined();
      expect(await findSetupLink(rt, tokenOf(resent.link))).toMatchObject({ purpose: 'invite' });
      expect((await outbox(rt, 'staff-invite')).map((m) => m.text.includes(resent.link))).toEqual([false, true]);
      expect(await listAudit(rt.db, { action: 'staff.invitation-resent' })).toMatchObject([
        { actorId: admin.id, entityId: String(first.id) },
      ]);
      expect(await completeSetup(rt, tokenOf(resent.link), { password: NEW_PASSWORD }, null)).toEqual({
        ok: true,
        staffId: first.id,
        next: 'enrol',
      });
      // Once set up there is nothing to send again (a password reset instead).
      expect(await resendInvitation(rt, actor, first.id)).toMatchObject({
        ok: false,
        error: expect.stringMatching(/password reset/),
      });
    },
  );
});

describe('17.3 a new authenticator after a reset needs the emailed link', () => {
  it(
    'refuses the password alone, emails a link that with the password leads to enrolment',
    { timeout: SLOW },
    async () => {
      const clock = manualClock();
      const rt = await testRuntime({ now: clock.now });
      const admin = await account(rt, 'mfa-admin@example.org', ['admin']);
      const me = await account(rt, 'lostphone@example.org');
      expect(await resetMfa(rt, { id: admin.id, ip: '9.9.9.9' }, me.id)).toEqual({ ok: true });
      // Until c0ab3f9 this was { ok: true, next: 'enrol' }: the password alone enrolled a new secret.
      expect(await signInWithPassword(rt, { email: 'lostphone@example.org', password: PASSWORD }, '10.1.1.1')).toEqual({
        ok: false,
        error: 'enrol-link-needed',
      });
      const [mail] = await outbox(rt, 'staff-authenticator-reset');
      expect(mail!.to).toBe('lostphone@example.org');
      const link = /https?:\/\/\S+\/setup\/[A-Za-z0-9_-]{43}/.exec(mail!.text)![0];
      expect(await findSetupLink(rt, tokenOf(link))).toMatchObject({ purpose: 'mfa-enrol' });
      expect(await useEnrolLink(rt, tokenOf(link), 'not my password', '10.1.1.1')).toEqual({
        ok: false,
        errors: { password: 'The password is not correct' },
      });
      const used = await useEnrolLink(rt, tokenOf(link), PASSWORD, '10.1.1.1');
      expect(used).toEqual({ ok: true, staffId: me.id, linkHash: hashToken(tokenOf(link)) });
      const pending = await startEnrolmentSession(rt, me.id, '10.1.1.1', undefined, null, hashToken(tokenOf(link)));
      const setup = (await enrolment(rt, pending))!;
      expect(setup.secret).not.toBe(me.totpSecret);
      const done = await confirmEnrolment(rt, pending, totpCode(setup.secret, clock.now()), '10.1.1.1');
      expect(done).toMatchObject({ ok: true });
      // Used up once enrolment is confirmed (until this change: as soon as the password was right).
      expect(await findSetupLink(rt, tokenOf(link))).toBeUndefined();
      // Enrolled again: the password leads to the code step as usual.
      clock.advance(30_000);
      expect(
        await signInWithPassword(rt, { email: 'lostphone@example.org', password: PASSWORD }, '10.1.1.1'),
      ).toMatchObject({ ok: true, next: 'code' });
      expect(await listAudit(rt.db, { action: 'staff.enrol-link-used' })).toHaveLength(1);
    },
  );
});

describe('17.3 the new-authenticator link is used up when enrolment is confirmed', () => {
  /** Uses the emailed link with the password, as the setup page does; returns the enrolment step it starts. */
  async function linkAndStep(rt: Runtime, staffId: number, token: string) {
    const used = await useEnrolLink(rt, token, PASSWORD, '10.1.1.1');
    if (!used.ok) throw new Error(JSON.stringify(used.errors));
    return { token, step: await startEnrolmentSession(rt, staffId, '10.1.1.1', undefined, null, used.linkHash) };
  }

  it('lets someone who did not finish within the 10 minutes start again from the link', { timeout: SLOW }, async () => {
    const { clock, rt, me, token } = await afterReset('slow');
    const first = await linkAndStep(rt, me.id, token);
    const abandoned = (await enrolment(rt, first.step))!;
    clock.advance(11 * 60_000);
    expect(await confirmEnrolment(rt, first.step, totpCode(abandoned.secret, clock.now()), '10.1.1.1')).toEqual({
      ok: false,
      error: 'expired',
    });
    // Until this change the link was used up with the password, and this was undefined.
    expect(await findSetupLink(rt, first.token)).toMatchObject({ purpose: 'mfa-enrol' });
    const again = await linkAndStep(rt, me.id, token);
    const setup = (await enrolment(rt, again.step))!;
    expect(await confirmEnrolment(rt, again.step, totpCode(setup.secret, clock.now()), '10.1.1.1')).toMatchObject({
      ok: true,
    });
    expect(await findSetupLink(rt, first.token)).toBeUndefined();
    expect(await listAudit(rt.db, { action: 'staff.enrol-link-used' })).toHaveLength(1);
  });

  it(
    'still works once: a second step started from the same link cannot confirm after the first',
    { timeout: SLOW },
    async () => {
      const { clock, rt, me, token } = await afterReset('once');
      const one = await linkAndStep(rt, me.id, token);
      const two = await linkAndStep(rt, me.id, token);
      const setup = (await enrolment(rt, one.step))!;
      expect(await confirmEnrolment(rt, one.step, totpCode(setup.secret, clock.now()), '10.1.1.1')).toMatchObject({
        ok: true,
      });
      clock.advance(30_000);
      // The other step neither shows a new secret (which would undo the one just confirmed) nor confirms.
      expect(await enrolment(rt, two.step)).toBeUndefined();
      expect(await confirmEnrolment(rt, two.step, totpCode(setup.secret, clock.now()), '10.1.1.1')).toEqual({
        ok: false,
        error: 'expired',
      });
      // The authenticator confirmed first is the one that stays.
      expect(
        await signInWithPassword(rt, { email: 'once-enrol@example.org', password: PASSWORD }, '10.1.1.1'),
      ).toMatchObject({ ok: true, next: 'code' });
    },
  );
});

describe('markTokenUsed refuses an expired link', () => {
  it('does not mark a link used after its expiry, in the same update', async () => {
    const rt = await testRuntime();
    const now = new Date(Date.UTC(2026, 0, 5, 10, 0, 0));
    await insertToken(rt.db, { tokenHash: 'expired-hash', purpose: 'password-reset', staffId: null, expiresAt: now });
    await insertToken(rt.db, {
      tokenHash: 'live-hash',
      purpose: 'password-reset',
      staffId: null,
      expiresAt: new Date(now.getTime() + 1),
    });
    // Until this change the expired one was marked used as well.
    expect(await markTokenUsed(rt.db, 'expired-hash', now)).toBe(false);
    expect((await findToken(rt.db, 'expired-hash'))?.usedAt).toBeNull();
    expect(await markTokenUsed(rt.db, 'live-hash', now)).toBe(true);
    expect(await markTokenUsed(rt.db, 'live-hash', now)).toBe(false);
  });

  it(
    'so a new-authenticator link that runs out during the enrolment step does not confirm it',
    { timeout: SLOW },
    async () => {
      const { clock, rt, me, token } = await afterReset('late');
      clock.advance(RESET_LINK_HOURS * 3600_000 - 5 * 60_000);
      const used = await useEnrolLink(rt, token, PASSWORD, '10.1.1.1');
      if (!used.ok) throw new Error(JSON.stringify(used.errors));
      const step = await startEnrolmentSession(rt, me.id, '10.1.1.1', undefined, null, used.linkHash);
      const setup = (await enrolment(rt, step))!;
      clock.advance(6 * 60_000); // the step (10 minutes) goes on; the link has run out
      expect(await confirmEnrolment(rt, step, totpCode(setup.secret, clock.now()), '10.1.1.1')).toEqual({
        ok: false,
        error: 'expired',
      });
      expect(await listAudit(rt.db, { action: 'staff.mfa-enrolled' })).toEqual([]);
    },
  );
});

describe('17.3 the command-line reset', () => {
  it(
    'gives a password reset link, audited as the command line; with --authenticator it leads on to enrolment',
    { timeout: SLOW },
    async () => {
      const clock = manualClock();
      const rt = await testRuntime({ now: clock.now });
      const me = await account(rt, 'operator-help@example.org');
      const session = await signIn(rt, 'operator-help@example.org', me.totpSecret);
      const cli = { id: null, ip: 'cli' };
      const plain = await resetByEmail(rt, cli, 'Operator-Help@example.org');
      if (!plain.ok) throw new Error(plain.error);
      expect(plain.kind).toBe('password-reset');
      expect((await sessionUser(rt, session)).user).toBeUndefined();
      // Printed for the operator, not emailed.
      expect(await outbox(rt, 'staff-password-reset')).toEqual([]);
      expect(await listAudit(rt.db, { action: 'staff.password-reset-sent' })).toMatchObject([
        { actorId: null, ip: 'cli' },
      ]);
      const full = await resetByEmail(rt, cli, 'operator-help@example.org', { authenticator: true });
      if (!full.ok) throw new Error(full.error);
      expect(await findSetupLink(rt, tokenOf(plain.link))).toBeUndefined();
      expect(await completeSetup(rt, tokenOf(full.link), { password: NEW_PASSWORD }, null)).toEqual({
        ok: true,
        staffId: me.id,
        next: 'enrol',
      });
      expect(await resetByEmail(rt, cli, 'nobody@example.org')).toMatchObject({
        ok: false,
        error: expect.stringContaining('no account'),
      });
    },
  );
});

describe('17.10 a stranger cannot lock the owner out', () => {
  it(
    'limits guesses per account and network, and guards the account instead of locking it',
    { timeout: SLOW },
    async () => {
      const clock = manualClock();
      const rt = await testRuntime({ now: clock.now });
      const me = await account(rt, 'target@example.org');
      // Ten guessers elsewhere, each under its own limit.
      for (let i = 0; i < THROTTLE.accountGuard; i++) {
        expect(
          await signInWithPassword(rt, { email: 'target@example.org', password: 'a wrong guess' }, `198.51.100.${i}`),
        ).toEqual({ ok: false, error: 'invalid' });
      }
      // Now guarded: the password alone is not checked (not even a right one)…
      expect(
        await signInWithPassword(rt, { email: 'target@example.org', password: 'another wrong guess' }, '198.51.100.99'),
      ).toEqual({ ok: false, error: 'code-needed' });
      expect(await signInWithPassword(rt, { email: 'target@example.org', password: PASSWORD }, '10.1.1.1')).toEqual({
        ok: false,
        error: 'code-needed',
      });
      // …a wrong code or a wrong password with a code says neither which…
      expect(
        await signInWithPassword(
          rt,
          { email: 'target@example.org', password: PASSWORD, code: '000000' },
          '198.51.100.98',
        ),
      ).toEqual({ ok: false, error: 'invalid', guarded: true });
      expect(
        await signInWithPassword(
          rt,
          { email: 'target@example.org', password: 'wrong again', code: totpCode(me.totpSecret, clock.now()) },
          '198.51.100.97',
        ),
      ).toEqual({
        ok: false,
        error: 'invalid',
        guarded: true,
      });
      // …and the owner with the right password and a valid code is signed in at once.
      const owner = await signInWithPassword(
        rt,
        { email: 'target@example.org', password: PASSWORD, code: totpCode(me.totpSecret, clock.now()) },
        '10.1.1.1',
      );
      expect(owner).toMatchObject({ ok: true, next: 'signed-in' });
      if (owner.ok) expect((await sessionUser(rt, owner.sessionId)).user?.email).toBe('target@example.org');
      // An unknown address is guarded the same way (nothing tells which accounts exist).
      for (let i = 0; i < THROTTLE.accountGuard; i++)
        await signInWithPassword(rt, { email: 'ghost@example.org', password: 'a wrong guess' }, `198.51.101.${i}`);
      expect(
        await signInWithPassword(rt, { email: 'ghost@example.org', password: 'x y z a b c d' }, '198.51.101.200'),
      ).toEqual({ ok: false, error: 'code-needed' });
      // The guard ends with the window.
      clock.advance(THROTTLE.windowMs + 1);
      expect(
        await signInWithPassword(rt, { email: 'target@example.org', password: PASSWORD }, '10.1.1.1'),
      ).toMatchObject({ ok: true, next: 'code' });
    },
  );

  it('counts an IPv6 /64 as one client network', { timeout: SLOW }, async () => {
    expect(limitGroup('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(limitGroup('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(limitGroup('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(limitGroup('192.0.2.7')).toBe('192.0.2.7');
    expect(limitGroup(null)).toBe('unknown');
    const rt = await testRuntime();
    await account(rt, 'v6@example.org');
    for (let i = 1; i <= THROTTLE.perAccountPerNetwork; i++)
      await signInWithPassword(rt, { email: 'v6@example.org', password: 'a wrong guess' }, `2001:db8:1:2::${i}`);
    expect(
      await signInWithPassword(rt, { email: 'v6@example.org', password: PASSWORD }, '2001:db8:1:2:ffff::9'),
    ).toMatchObject({ ok: false, error: 'throttled' });
    expect(
      await signInWithPassword(rt, { email: 'v6@example.org', password: PASSWORD }, '2001:db8:1:3::1'),
    ).toMatchObject({ ok: true, next: 'code' });
  });
});

describe('17.15 your own sessions', () => {
  it(
    'lists them with times, a coarse browser and a shortened address, and ends the others',
    { timeout: SLOW },
    async () => {
      const clock = manualClock();
      const rt = await testRuntime({ now: clock.now });
      const me = await account(rt, 'sessions@example.org');
      const other = await account(rt, 'someone-else@example.org');
      const chrome =
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
      const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
      const here = await signIn(rt, 'sessions@example.org', me.totpSecret, '203.0.113.45', PASSWORD, chrome);
      clock.advance(30_000);
      const there = await signIn(rt, 'sessions@example.org', me.totpSecret, '2001:db8:aa:bb::5', PASSWORD, firefox);
      clock.advance(30_000);
      const theirs = await signIn(rt, 'someone-else@example.org', other.totpSecret, '10.0.0.1');
      const list = await ownSessions(rt, me.id, here);
      expect(list).toEqual([
        {
          handle: expect.stringMatching(/^[0-9a-f]{16}$/),
          current: true,
          startedAt: new Date(Date.UTC(2026, 0, 5, 10, 0, 0)),
          lastSeenAt: new Date(Date.UTC(2026, 0, 5, 10, 0, 0)),
          client: 'Chrome on Windows',
          network: '203.0.113.…',
        },
        {
          handle: expect.stringMatching(/^[0-9a-f]{16}$/),
          current: false,
          startedAt: new Date(Date.UTC(2026, 0, 5, 10, 0, 30)),
          lastSeenAt: new Date(Date.UTC(2026, 0, 5, 10, 0, 30)),
          client: 'Firefox on Linux',
          network: '2001:db8:aa:…',
        },
      ]);
      expect(JSON.stringify(list)).not.toContain('203.0.113.45');
      // Someone else's session cannot be named from here.
      const theirHandle = (await ownSessions(rt, other.id, theirs))[0]!.handle;
      expect(await endOwnSessions(rt, me.id, here, theirHandle, null)).toEqual({
        ok: false,
        error: 'That session has already ended',
      });
      expect((await sessionUser(rt, theirs)).user).toBeDefined();
      expect(await endOwnSessions(rt, me.id, here, list[0]!.handle, null)).toMatchObject({
        ok: false,
        error: expect.stringMatching(/sign out/),
      });
      expect(await endOwnSessions(rt, me.id, here, list[1]!.handle, '203.0.113.45')).toEqual({ ok: true, ended: 1 });
      expect((await sessionUser(rt, there)).user).toBeUndefined();
      expect((await sessionUser(rt, here)).user).toBeDefined();
      expect(await listAudit(rt.db, { action: 'staff.sessions-ended' })).toMatchObject([
        { actorId: me.id, details: { ended: 1 } },
      ]);
      expect(await endOwnSessions(rt, me.id, here, 'others', null)).toEqual({ ok: true, ended: 0 });
    },
  );

  it('describes browsers coarsely and shortens addresses', () => {
    expect(
      describeClient(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari on iPhone or iPad');
    expect(
      describeClient(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0',
      ),
    ).toBe('Edge on Mac');
    expect(describeClient('curl/8.5.0')).toBe('Unknown browser');
    expect(describeClient(undefined)).toBeNull();
    expect(shortAddress('192.0.2.200')).toBe('192.0.2.…');
    expect(shortAddress(null)).toBe('Not known');
  });
});

describe('17.17 a code from the enrolment step', () => {
  it('is refused with a message to wait for the next code, and audited as reused', { timeout: SLOW }, async () => {
    const clock = manualClock(Date.UTC(2026, 0, 5, 10, 0, 1));
    const rt = await testRuntime({ now: clock.now });
    const token = tokenOf((await issueFirstRunLink(rt))!);
    const made = await completeSetup(rt, token, { name: 'Ada', email: 'ada@example.org', password: PASSWORD }, null);
    if (!made.ok) throw new Error('setup');
    const pending = await startEnrolmentSession(rt, made.staffId, null);
    const setup = (await enrolment(rt, pending))!;
    const code = totpCode(setup.secret, clock.now());
    expect(await confirmEnrolment(rt, pending, code, null)).toMatchObject({ ok: true });
    clock.advance(5_000);
    const p = await signInWithPassword(rt, { email: 'ada@example.org', password: PASSWORD }, null);
    if (!p.ok) throw new Error('password');
    const outcome = await submitSecurityCode(
      rt,
      code,
      (typed) => verifySecurityCode(rt, p.sessionId, typed, null),
      'The security code is not correct',
    );
    expect(outcome).toEqual({ kind: 'error', status: 400, message: REUSED_ENROLMENT_CODE_MESSAGE });
    expect(REUSED_ENROLMENT_CODE_MESSAGE).toMatch(/Wait for your app to show the next code/);
    expect((await listAudit(rt.db, { actorId: made.staffId })).map((e) => e.action)).toContain(
      'staff.security-code-reused',
    );
    // The next code works.
    clock.advance(30_000);
    expect(await verifySecurityCode(rt, p.sessionId, totpCode(setup.secret, clock.now()), null)).toMatchObject({
      ok: true,
    });
  });
});
