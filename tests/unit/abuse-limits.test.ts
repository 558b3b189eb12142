/**
 * Per-IP limits ahead of the pages (src/lib/appeals/limits.ts), checkRateLimit, and the sign-in
 * throttle under parallel attempts. Over HTTP they are proven in tests/resilience/abuse.test.ts.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { allRows } from '../../db/dialect/index.ts';
import {
  appealSendGuard,
  emailLimitKey,
  statusLinkGuard,
  type LimitDecision,
  type SendingJourney,
} from '../../src/lib/appeals/limits.ts';
import { liveJourney, writeJourney } from '../../src/lib/appeals/journeys.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import { TestCookieJar } from '../support/cookie-jar.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { checkRateLimit, hitRateLimit, waitInWords, type RateLimit } from '../../src/lib/platform/rate-limit.ts';
import { signInWithPassword } from '../../src/lib/staff/sessions.ts';
import { createStaffAccount } from '../../src/lib/staff/accounts.ts';
import { THROTTLE } from '../../src/lib/staff/throttle.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';

describe('waitInWords', () => {
  it('says the wait in whole minutes, rounded up, and falls back to the longest window', () => {
    expect(waitInWords(1)).toBe('Wait 1 minute');
    expect(waitInWords(61)).toBe('Wait 2 minutes');
    expect(waitInWords(600)).toBe('Wait 10 minutes');
    expect(waitInWords(3600)).toBe('Wait 1 hour');
    // What the 429 page gets from a missing, forged or odd ?wait= value.
    for (const odd of ['', '0', '-5', '3601', '99999999', 'abc'].map(Number))
      expect(waitInWords(odd)).toBe('Wait up to an hour');
  });
});

describe('checkRateLimit', () => {
  it('reports the limit without counting', async () => {
    const rt = await testRuntime();
    const limit: RateLimit = { name: 'peek', max: 2, windowMs: 60_000 };
    expect(await checkRateLimit(rt, limit, 'a')).toEqual({ ok: true, remaining: 2 });
    await hitRateLimit(rt, limit, 'a');
    expect(await checkRateLimit(rt, limit, 'a')).toEqual({ ok: true, remaining: 1 });
    await hitRateLimit(rt, limit, 'a');
    expect(await checkRateLimit(rt, limit, 'a')).toMatchObject({ ok: false });
    expect(await checkRateLimit(rt, limit, 'b')).toEqual({ ok: true, remaining: 2 });
  });
});

describe('statusLinkGuard', () => {
  it('counts only wrong links, then refuses every status link from that client', async () => {
    const rt = await testRuntime({ env: { STATUS_LINK_MISSES_PER_10_MINUTES: '3' } });
    const c = await insertTestCase(rt.db);
    const created = await createAppeal(rt, {
      subject: { kind: 'case', caseReference: c.reference },
      reason: 'Look again',
      email: 'a@example.org',
      name: null,
    });
    if (!created.ok) throw new Error(created.error);
    const right = `/appeal/status/${created.statusToken}`;
    for (let i = 0; i < 10; i++) expect(await statusLinkGuard(rt, right, 'owner')).toEqual({ ok: true });
    for (let i = 0; i < 3; i++)
      expect(await statusLinkGuard(rt, `/appeal/status/wrong-token-${i}-aaaaaaaaaaaaaaaaaaaa`, 'guesser')).toEqual({
        ok: true,
      });
    expect(await statusLinkGuard(rt, '/appeal/status/%E0%A4%A', 'guesser')).toMatchObject({ ok: false });
    expect(await statusLinkGuard(rt, `${right}/add-information`, 'guesser')).toMatchObject({ ok: false });
    expect(await statusLinkGuard(rt, right, 'owner')).toEqual({ ok: true });
    expect(await statusLinkGuard(rt, '/appeal/reason', 'guesser')).toEqual({ ok: true });
  });
});

describe('appealSendGuard', () => {
  it('limits POSTs that send an appeal, per client', async () => {
    const rt = await testRuntime({ env: { APPEALS_PER_HOUR: '2' } });
    expect(await appealSendGuard(rt, 'GET', '/appeal/check-answers', 'a')).toEqual({ ok: true });
    expect(await appealSendGuard(rt, 'POST', '/appeal/check-answers', 'a')).toEqual({ ok: true });
    expect(await appealSendGuard(rt, 'POST', '/appeal/check-answers/', 'a')).toEqual({ ok: true });
    expect(await appealSendGuard(rt, 'POST', '/appeal/check-answers', 'a')).toMatchObject({ ok: false });
    expect(await appealSendGuard(rt, 'POST', '/appeal/check-answers', 'b')).toEqual({ ok: true });
    expect(await appealSendGuard(rt, 'POST', '/appeal/reason', 'a')).toEqual({ ok: true });
  });

  /** A journey started the way the appeal pages start one, with `email` in its answers (undefined: none yet). */
  async function journeyWith(rt: Runtime, email: string | undefined): Promise<SendingJourney> {
    const jar = new TestCookieJar();
    await writeJourney(rt, jar, email === undefined ? { route: 'post' } : { route: 'post', email }, false);
    const journey = await liveJourney(rt, jar, false);
    if (!journey) throw new Error('no journey');
    return journey;
  }
  const send = (rt: Runtime, client: string, journey?: SendingJourney) =>
    appealSendGuard(rt, 'POST', '/appeal/check-answers', client, journey);

  it('lets 30 people behind one shared address send with the default limits', async () => {
    const rt = await testRuntime();
    const results: LimitDecision[] = [];
    for (let i = 0; i < 30; i++)
      results.push(await send(rt, '198.51.100.7', await journeyWith(rt, `patient${i}@example.org`)));
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('holds back one journey after APPEALS_PER_JOURNEY_PER_HOUR, for the rest of the hour only', async () => {
    let now = new Date('2026-12-02T10:00:00Z');
    const rt = await testRuntime({ env: { APPEALS_PER_JOURNEY_PER_HOUR: '3' }, now: () => now });
    const journey = await journeyWith(rt, undefined);
    const first: boolean[] = [];
    for (let i = 0; i < 3; i++) first.push((await send(rt, 'shared', journey)).ok);
    expect(first).toEqual([true, true, true]);
    now = new Date('2026-12-02T10:20:00Z');
    expect(await send(rt, 'shared', journey)).toEqual({ ok: false, retryAfterSeconds: 40 * 60 });
    // Another person on the same connection is not held back…
    expect(await send(rt, 'shared', await journeyWith(rt, undefined))).toEqual({ ok: true });
    // …and the journey may send again once its hour is over.
    now = new Date('2026-12-02T11:00:00Z');
    expect(await send(rt, 'shared', journey)).toEqual({ ok: true });
  });

  it('holds back one email address across fresh journeys after APPEALS_PER_EMAIL_PER_HOUR, however it is written', async () => {
    const rt = await testRuntime({ env: { APPEALS_PER_EMAIL_PER_HOUR: '2' } });
    expect(await send(rt, 'a', await journeyWith(rt, 'flood@example.org'))).toEqual({ ok: true });
    expect(await send(rt, 'b', await journeyWith(rt, ' Flood@Example.org'))).toEqual({ ok: true });
    expect(await send(rt, 'c', await journeyWith(rt, 'FLOOD@example.org'))).toMatchObject({ ok: false });
    expect(await send(rt, 'c', await journeyWith(rt, 'someone-else@example.org'))).toEqual({ ok: true });
    // The counters hold hashes: no email address is stored in the clear.
    const keys = (await allRows<{ key: string }>(rt.db, sql`select key from rate_limits`)).map((r) => r.key);
    expect(keys.some((k) => k.startsWith('appeal-send-email:'))).toBe(true);
    expect(keys.join(' ')).not.toMatch(/@/);
    expect(emailLimitKey(' A@B.org ')).toBe(emailLimitKey('a@b.org'));
  });

  it('keeps APPEALS_PER_HOUR as the ceiling per address, whatever the journeys and emails', async () => {
    const rt = await testRuntime({ env: { APPEALS_PER_HOUR: '3' } });
    const results: boolean[] = [];
    for (let i = 0; i < 4; i++)
      results.push((await send(rt, 'flooder', await journeyWith(rt, `fresh${i}@example.org`))).ok);
    expect(results).toEqual([true, true, true, false]);
    // A POST without a live journey (it sends nothing) still counts against the address.
    expect(await send(rt, 'other')).toEqual({ ok: true });
    expect(await send(rt, 'flooder')).toMatchObject({ ok: false });
  });
});

describe('sign-in throttle under parallel attempts', () => {
  it('from many addresses, lets exactly the guard level reach a password-only check; the rest must give a code too', async () => {
    const rt = await testRuntime();
    const created = await createStaffAccount(
      rt,
      { email: 'parallel@example.org', name: 'P', password: 'a right passphrase here', roles: ['reviewer'] },
      { id: null, ip: 'test' },
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        signInWithPassword(rt, { email: 'parallel@example.org', password: 'wrong' }, `10.0.0.${i}`),
      ),
    );
    const checked = results.filter((r) => !r.ok && r.error === 'invalid').length;
    // (Until c0ab3f9 the account limit was 5 from anywhere, then 429 for everyone, the owner too.)
    expect(checked).toBe(THROTTLE.accountGuard);
    expect(results.filter((r) => !r.ok && r.error === 'code-needed')).toHaveLength(20 - THROTTLE.accountGuard);
    expect(results.filter((r) => !r.ok && r.error === 'throttled')).toHaveLength(0);
  });

  it('from one address, lets exactly the per-account-per-network limit reach the password check', async () => {
    const rt = await testRuntime();
    const created = await createStaffAccount(
      rt,
      { email: 'parallel1@example.org', name: 'P', password: 'a right passphrase here', roles: ['reviewer'] },
      { id: null, ip: 'test' },
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        signInWithPassword(rt, { email: 'parallel1@example.org', password: 'wrong' }, '10.0.1.1'),
      ),
    );
    expect(results.filter((r) => !r.ok && r.error === 'invalid')).toHaveLength(THROTTLE.perAccountPerNetwork);
    expect(results.filter((r) => !r.ok && r.error === 'throttled')).toHaveLength(20 - THROTTLE.perAccountPerNetwork);
  });

  it('a right password removes its provisional failure', async () => {
    const rt = await testRuntime();
    const created = await createStaffAccount(
      rt,
      { email: 'correct@example.org', name: 'R', password: 'a right passphrase here', roles: ['reviewer'] },
      { id: null, ip: 'test' },
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    for (let i = 0; i < THROTTLE.accountGuard + 2; i++) {
      expect(
        await signInWithPassword(rt, { email: 'correct@example.org', password: 'a right passphrase here' }, '10.0.0.1'),
      ).toMatchObject({ ok: true });
    }
  });
});
