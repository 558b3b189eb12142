/**
 * Enumeration and abuse: guessing case references and status links is limited per IP; sending
 * appeals and signing up are limited per IP; sign-in throttling holds under parallel attempts
 * (exactly the limit reaches the password check), without a stranger locking the owner out. The server trusts X-Forwarded-For here
 * (TRUSTED_PROXY), so each check uses its own client addresses.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstRow } from '../../db/dialect/index.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { generateReference } from '../../src/lib/cases/references.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import { createStaffAccount } from '../../src/lib/staff/accounts.ts';
import { THROTTLE } from '../../src/lib/staff/throttle.ts';
import { totpCode } from '../../src/lib/staff/totp.ts';
import { insertTestCase } from '../support/cases.ts';
import { appealReferenceIn, HttpClient } from './support/client.ts';
import { recordFigure } from './support/figures.ts';
import { AppServer, sharedRuntime, tempDataDir } from './support/server.ts';
import { answerPostAppeal } from './support/appeal-steps.ts';

const LIMITS = { caseLookups: 20, statusMisses: 20, appeals: 10, subscribes: 10 };
let ipCounter = 10;
const newIp = () => `203.0.113.${ipCounter++}`;

describe('enumeration and abuse limits', () => {
  let rt: Runtime;
  let server: AppServer;

  beforeAll(async () => {
    const dataDir = tempDataDir('abuse');
    rt = await sharedRuntime(dataDir);
    server = (
      await AppServer.start({
        dataDir,
        env: {
          TRUSTED_PROXY: 'true',
          CASE_LOOKUPS_PER_10_MINUTES: String(LIMITS.caseLookups),
          STATUS_LINK_MISSES_PER_10_MINUTES: String(LIMITS.statusMisses),
          APPEALS_PER_HOUR: String(LIMITS.appeals),
          SUBSCRIBES_PER_HOUR: String(LIMITS.subscribes),
        },
      })
    ).stopAfterAll();
  });

  it('limits case-reference guessing per IP', async () => {
    const guesser = new HttpClient(server.baseUrl, newIp());
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.caseLookups + 10; i++) {
      // Well-formed references (right check character) that exist nowhere: each is a real lookup.
      const res = await guesser.post('/appeal/case-reference', { 'case-reference': generateReference() });
      statuses.push(res.status);
    }
    const notFound = statuses.filter((s) => s === 400).length;
    const limited = statuses.filter((s) => s === 429).length;
    expect(notFound).toBe(LIMITS.caseLookups);
    expect(limited).toBe(10);
    expect(statuses.slice(LIMITS.caseLookups).every((s) => s === 429)).toBe(true);
    // Once limited, even a real reference is not looked up for this IP, and the answer says how
    // long to wait: what is left of the 10-minute window.
    const real = (await insertTestCase(rt.db)).reference;
    const refused = await guesser.post('/appeal/case-reference', { 'case-reference': real });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // The message next to the field says the same wait as the header.
    expect(refused.body).toContain(`Wait ${Math.ceil(retryAfter / 60)} minute`);
    // …while another IP is unaffected.
    expect(
      (await new HttpClient(server.baseUrl, newIp()).post('/appeal/case-reference', { 'case-reference': real })).status,
    ).toBe(303);
    recordFigure(
      'Abuse limits',
      'case-reference guesses from one IP: looked up / refused 429',
      `${notFound} / ${limited + 1} (limit ${LIMITS.caseLookups} per 10 min)`,
    );
  });

  it('limits status-link guessing per IP, and then refuses even a right link from that IP', async () => {
    const c = await insertTestCase(rt.db);
    const created = await createAppeal(rt, {
      subject: { kind: 'case', caseReference: c.reference },
      reason: 'Please look again.',
      email: 'status-abuse@example.org',
      name: null,
    });
    if (!created.ok) throw new Error(created.error);
    const owner = new HttpClient(server.baseUrl, newIp());
    // The owner reloading their own link is never limited.
    for (let i = 0; i < LIMITS.statusMisses + 5; i++)
      expect((await owner.get(`/appeal/status/${created.statusToken}`)).status).toBe(200);
    const guesser = new HttpClient(server.baseUrl, newIp());
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.statusMisses + 10; i++) {
      const guess = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
      statuses.push((await guesser.get(`/appeal/status/${guess}${i % 3 === 0 ? '/add-information' : ''}`)).status);
    }
    const misses = statuses.filter((s) => s === 404 || s === 303).length;
    const limited = statuses.filter((s) => s === 429).length;
    expect(misses).toBe(LIMITS.statusMisses);
    expect(limited).toBe(10);
    const blocked = await guesser.get(`/appeal/status/${created.statusToken}`);
    expect(blocked.status).toBe(429);
    const wait = Number(blocked.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(600);
    expect(blocked.body).toContain('Too many attempts');
    // The page says the same wait as the header, in minutes (never "an hour" for a 10-minute window).
    expect(blocked.body).toContain(`Wait ${Math.ceil(wait / 60)} minute`);
    expect(blocked.body).not.toContain(created.appeal.reference);
    expect((await owner.get(`/appeal/status/${created.statusToken}`)).status).toBe(200);
    recordFigure(
      'Abuse limits',
      'status-link guesses from one IP: answered / refused 429',
      `${misses} / ${limited + 1} (limit ${LIMITS.statusMisses} wrong links per 10 min)`,
    );
  });

  it('limits appeals sent per IP', async () => {
    const ip = newIp();
    const results: number[] = [];
    for (let i = 0; i < LIMITS.appeals + 2; i++) {
      const web = new HttpClient(server.baseUrl, ip);
      await answerPostAppeal(web, `@abuse${i}`, `abuse-${i}@example.org`);
      const sent = await web.post('/appeal/check-answers', {});
      results.push(sent.status);
      if (sent.status === 303) expect(appealReferenceIn((await web.get('/appeal/confirmation')).body)).toBeDefined();
      else expect(sent.body).toContain('Too many attempts');
    }
    const stored = (await firstRow<{ n: number }>(
      rt.db,
      sql`select count(*) as n from appeals where email like 'abuse-%'`,
    ))!.n;
    expect(results.filter((s) => s === 303)).toHaveLength(LIMITS.appeals);
    expect(results.filter((s) => s === 429)).toHaveLength(2);
    expect(stored).toBe(LIMITS.appeals);
    recordFigure(
      'Abuse limits',
      'appeals sent from one IP: accepted / refused 429',
      `${stored} / 2 (limit ${LIMITS.appeals} an hour)`,
    );
  });

  it('limits sign-ups for change alerts per IP', async () => {
    const web = new HttpClient(server.baseUrl, newIp());
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.subscribes + 3; i++)
      statuses.push((await web.post('/subscribe', { email: `sub-${i}-${Date.now()}@example.org` })).status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(LIMITS.subscribes);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    recordFigure(
      'Abuse limits',
      'sign-ups from one IP: accepted / refused 429',
      `${LIMITS.subscribes} / 3 (limit ${LIMITS.subscribes} an hour)`,
    );
  });

  it('sign-in throttling holds under parallel attempts', async () => {
    const password = 'the right passphrase for this test';
    const email = `throttle-${Date.now()}@example.org`;
    const created = await createStaffAccount(
      rt,
      { email, name: 'Throttle', password, roles: ['reviewer'] },
      { id: null, ip: 'test' },
    );
    if (!created.ok) throw new Error('no account');
    const failedChecks = async () =>
      (await firstRow<{ n: number }>(
        rt.db,
        sql`select count(*) as n from audit_log where action = 'staff.sign-in-failed' and entity_id = ${String(created.id)}`,
      ))!.n;

    // 1. One account, many addresses at once: exactly THROTTLE.accountGuard reach a password-only
    // check; after that the account is guarded and the password is checked only with a security
    // code, so the rest are asked for one (400, nothing checked). None is a 429: a stranger cannot
    // lock the owner out (issue 17.10; until c0ab3f9 exactly 5 were checked and the rest got 429).
    const PARALLEL = 40;
    const byAccount = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        new HttpClient(server.baseUrl, newIp()).post('/staff/login', { email, password: 'wrong guess' }),
      ),
    );
    const CODE_NEEDED = 'Enter the security code from your authenticator app as well as your password';
    const checked = byAccount.filter(
      (r) => r.status === 400 && r.body.includes('The email address or password is not correct'),
    ).length;
    const guarded = byAccount.filter((r) => r.status === 400 && r.body.includes(CODE_NEEDED)).length;
    expect(checked + guarded).toBe(PARALLEL);
    // Exactly the guard level: all 40 arrive together, the first accountGuard are checked, no more.
    expect(checked).toBe(THROTTLE.accountGuard);
    expect(guarded).toBe(PARALLEL - THROTTLE.accountGuard);
    expect(byAccount.filter((r) => r.status === 429)).toHaveLength(0);
    expect(await failedChecks()).toBe(checked);
    // The right password alone tells nothing while guarded (the same request for a code)…
    const owner = new HttpClient(server.baseUrl, newIp());
    const alone = await owner.post('/staff/login', { email, password });
    expect(alone.status).toBe(400);
    expect(alone.body).toContain(CODE_NEEDED);
    // …and the right password with a valid code signs the owner in.
    const signedIn = await owner.post('/staff/login', {
      email,
      password,
      code: totpCode(created.totpSecret, new Date()),
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/staff');

    // 1b. One account from one address at once: exactly THROTTLE.perAccountPerNetwork reach the
    // password check, the rest get 429; the right password from that address is refused too, but
    // from another address it works.
    const email2 = `throttle-one-${Date.now()}@example.org`;
    const created2 = await createStaffAccount(
      rt,
      { email: email2, name: 'Throttle 2', password, roles: ['reviewer'] },
      { id: null, ip: 'test' },
    );
    if (!created2.ok) throw new Error('no account');
    const attacker = newIp();
    const fromOne = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        new HttpClient(server.baseUrl, attacker).post('/staff/login', { email: email2, password: 'wrong guess' }),
      ),
    );
    const checkedOne = fromOne.filter((r) => r.status === 400).length;
    expect(checkedOne).toBe(THROTTLE.perAccountPerNetwork);
    expect(fromOne.filter((r) => r.status === 429)).toHaveLength(PARALLEL - THROTTLE.perAccountPerNetwork);
    expect(
      (await new HttpClient(server.baseUrl, attacker).post('/staff/login', { email: email2, password })).status,
    ).toBe(429);
    const elsewhere = await new HttpClient(server.baseUrl, newIp()).post('/staff/login', { email: email2, password });
    expect(elsewhere.status).toBe(303);
    expect(elsewhere.headers.get('location')).toBe('/staff/login/code');

    // 2. One address, many accounts at once: at most THROTTLE.perIp reach the password check.
    const ip = newIp();
    const byIp = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        new HttpClient(server.baseUrl, ip).post('/staff/login', {
          email: `nobody-${i}@example.org`,
          password: 'wrong guess',
        }),
      ),
    );
    const checkedIp = byIp.filter((r) => r.status === 400).length;
    expect(checkedIp + byIp.filter((r) => r.status === 429).length).toBe(PARALLEL);
    expect(checkedIp).toBe(THROTTLE.perIp);
    recordFigure(
      'Abuse limits',
      'parallel wrong sign-ins reaching the password check',
      `${checked} of ${PARALLEL} for one account from ${PARALLEL} addresses (then a code is needed too: guard at ${THROTTLE.accountGuard}); ` +
        `${checkedOne} of ${PARALLEL} for one account from one address (limit ${THROTTLE.perAccountPerNetwork}); ${checkedIp} of ${PARALLEL} from one IP (limit ${THROTTLE.perIp})`,
    );
  });
});
