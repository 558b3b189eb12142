/**
 * Per-IP limits ahead of the pages (src/lib/abuse-limits.ts), checkRateLimit, and the sign-in
 * throttle under parallel attempts. Over HTTP they are proven in tests/resilience/abuse.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { appealSendGuard, statusLinkGuard } from '../../src/lib/abuse-limits.ts';
import { createAppeal } from '../../src/lib/appeals.ts';
import { checkRateLimit, hitRateLimit, waitInWords, type RateLimit } from '../../src/lib/rate-limit.ts';
import { signInWithPassword } from '../../src/lib/sessions.ts';
import { createStaffAccount } from '../../src/lib/staff.ts';
import { THROTTLE } from '../../src/lib/throttle.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';

describe('waitInWords', () => {
  it('says the wait in whole minutes, rounded up, and falls back to the longest window', () => {
    expect(waitInWords(1)).toBe('Wait 1 minute');
    expect(waitInWords(61)).toBe('Wait 2 minutes');
    expect(waitInWords(600)).toBe('Wait 10 minutes');
    expect(waitInWords(3600)).toBe('Wait 1 hour');
    // What the 429 page gets from a missing, forged or odd ?wait= value.
    for (const odd of ['', '0', '-5', '3601', '99999999', 'abc'].map(Number)) expect(waitInWords(odd)).toBe('Wait up to an hour');
  });
});

describe('checkRateLimit', () => {
  it('reports the limit without counting', () => {
    const rt = testRuntime();
    const limit: RateLimit = { name: 'peek', max: 2, windowMs: 60_000 };
    expect(checkRateLimit(rt, limit, 'a')).toEqual({ ok: true, remaining: 2 });
    hitRateLimit(rt, limit, 'a');
    expect(checkRateLimit(rt, limit, 'a')).toEqual({ ok: true, remaining: 1 });
    hitRateLimit(rt, limit, 'a');
    expect(checkRateLimit(rt, limit, 'a')).toMatchObject({ ok: false });
    expect(checkRateLimit(rt, limit, 'b')).toEqual({ ok: true, remaining: 2 });
  });
});

describe('statusLinkGuard', () => {
  it('counts only wrong links, then refuses every status link from that client', () => {
    const rt = testRuntime({ env: { STATUS_LINK_MISSES_PER_10_MINUTES: '3' } });
    const c = insertTestCase(rt.db);
    const created = createAppeal(rt, { subject: { kind: 'case', caseReference: c.reference }, reason: 'Look again', email: 'a@example.org', name: null });
    if (!created.ok) throw new Error(created.error);
    const right = `/appeal/status/${created.statusToken}`;
    for (let i = 0; i < 10; i++) expect(statusLinkGuard(rt, right, 'owner')).toEqual({ ok: true });
    for (let i = 0; i < 3; i++) expect(statusLinkGuard(rt, `/appeal/status/wrong-token-${i}-aaaaaaaaaaaaaaaaaaaa`, 'guesser')).toEqual({ ok: true });
    expect(statusLinkGuard(rt, '/appeal/status/%E0%A4%A', 'guesser')).toMatchObject({ ok: false });
    expect(statusLinkGuard(rt, `${right}/add-information`, 'guesser')).toMatchObject({ ok: false });
    expect(statusLinkGuard(rt, right, 'owner')).toEqual({ ok: true });
    expect(statusLinkGuard(rt, '/appeal/reason', 'guesser')).toEqual({ ok: true });
  });
});

describe('appealSendGuard', () => {
  it('limits POSTs that send an appeal, per client', () => {
    const rt = testRuntime({ env: { APPEALS_PER_HOUR: '2' } });
    expect(appealSendGuard(rt, 'GET', '/appeal/check-answers', 'a')).toEqual({ ok: true });
    expect(appealSendGuard(rt, 'POST', '/appeal/check-answers', 'a')).toEqual({ ok: true });
    expect(appealSendGuard(rt, 'POST', '/appeal/check-answers/', 'a')).toEqual({ ok: true });
    expect(appealSendGuard(rt, 'POST', '/appeal/check-answers', 'a')).toMatchObject({ ok: false });
    expect(appealSendGuard(rt, 'POST', '/appeal/check-answers', 'b')).toEqual({ ok: true });
    expect(appealSendGuard(rt, 'POST', '/appeal/reason', 'a')).toEqual({ ok: true });
  });
});

describe('sign-in throttle under parallel attempts', () => {
  it('from many addresses, lets exactly the guard level reach a password-only check; the rest must give a code too', async () => {
    const rt = testRuntime();
    const created = await createStaffAccount(rt, { email: 'parallel@example.org', name: 'P', password: 'a right passphrase here', roles: ['reviewer'] }, { id: null, ip: 'test' });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => signInWithPassword(rt, { email: 'parallel@example.org', password: 'wrong' }, `10.0.0.${i}`)));
    const checked = results.filter((r) => !r.ok && r.error === 'invalid').length;
    // (Until c0ab3f9 the account limit was 5 from anywhere, then 429 for everyone, the owner too.)
    expect(checked).toBe(THROTTLE.accountGuard);
    expect(results.filter((r) => !r.ok && r.error === 'code-needed')).toHaveLength(20 - THROTTLE.accountGuard);
    expect(results.filter((r) => !r.ok && r.error === 'throttled')).toHaveLength(0);
  });

  it('from one address, lets exactly the per-account-per-network limit reach the password check', async () => {
    const rt = testRuntime();
    const created = await createStaffAccount(rt, { email: 'parallel1@example.org', name: 'P', password: 'a right passphrase here', roles: ['reviewer'] }, { id: null, ip: 'test' });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const results = await Promise.all(Array.from({ length: 20 }, () => signInWithPassword(rt, { email: 'parallel1@example.org', password: 'wrong' }, '10.0.1.1')));
    expect(results.filter((r) => !r.ok && r.error === 'invalid')).toHaveLength(THROTTLE.perAccountPerNetwork);
    expect(results.filter((r) => !r.ok && r.error === 'throttled')).toHaveLength(20 - THROTTLE.perAccountPerNetwork);
  });

  it('a right password removes its provisional failure', async () => {
    const rt = testRuntime();
    const created = await createStaffAccount(rt, { email: 'correct@example.org', name: 'R', password: 'a right passphrase here', roles: ['reviewer'] }, { id: null, ip: 'test' });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    for (let i = 0; i < THROTTLE.accountGuard + 2; i++) {
      expect(await signInWithPassword(rt, { email: 'correct@example.org', password: 'a right passphrase here' }, '10.0.0.1')).toMatchObject({ ok: true });
    }
  });
});
