/**
 * Header policy on a real server (issue 17, points 5, 6, 13, 14, 16):
 * - secret-link pages send `Referrer-Policy: no-referrer` (a page's own header wins over the default);
 * - every page that shows personal data sends `Cache-Control: no-store`;
 * - a form post is checked against PUBLIC_URL's origin, not the Host header;
 * - static files carry the same security headers as pages;
 * - status lines carry the right reason phrase.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import { insertTestCase } from '../support/cases.ts';
import { recentPostDateFields } from '../support/appeals.ts';
import { HttpClient } from './support/client.ts';
import { ABOUT_THEM_STEPS } from './support/appeal-steps.ts';
import { recordFigure } from './support/figures.ts';
import { AppServer, sharedRuntime, tempDataDir } from './support/server.ts';

interface Raw {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request with exactly these headers (Host included), read with node:http for the status line. */
function raw(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(path, baseUrl),
      {
        method,
        headers:
          body === undefined
            ? headers
            : {
                'content-type': 'application/x-www-form-urlencoded',
                ...headers,
                'content-length': String(Buffer.byteLength(body)),
              },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const SECURITY_HEADERS = [
  'content-security-policy',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'permissions-policy',
  'cross-origin-opener-policy',
];

describe('header policy', () => {
  let rt: Runtime;
  let server: AppServer;
  let dataDir: string;
  let statusToken: string;
  let journey: HttpClient;

  beforeAll(async () => {
    dataDir = tempDataDir('headers');
    rt = await sharedRuntime(dataDir);
    server = (await AppServer.start({ dataDir })).stopAfterAll();
    const c = await insertTestCase(rt.db);
    const created = await createAppeal(rt, {
      subject: { kind: 'case', caseReference: c.reference },
      reason: 'Headers',
      email: 'headers@example.org',
      name: 'Jo Headers',
    });
    if (!created.ok) throw new Error(created.error);
    statusToken = created.statusToken;
    // A journey up to "check your answers", so every step page shows what was typed.
    journey = new HttpClient(server.baseUrl);
    const steps: [string, Record<string, string>][] = [
      ['/appeal/platform', { platform: 'x' }],
      ['/appeal/what-happened', { action: 'hidden' }],
      ['/appeal/account', { handle: '@headers' }],
      ['/appeal/post-date', recentPostDateFields()],
      ['/appeal/post-link', { 'post-url': '' }],
      ['/appeal/reason', { reason: 'A private reason' }],
      ['/appeal/contact', { email: 'journey-headers@example.org', name: 'Jo Journey' }],
      ...ABOUT_THEM_STEPS,
    ];
    for (const [path, form] of steps) {
      const res = await journey.post(path, form);
      if (res.status !== 303) throw new Error(`${path} answered ${res.status}`);
    }
  });

  it('sends no-referrer on every secret-link page, the status page’s own header included (point 5)', async () => {
    const firstRun = readFileSync(join(dataDir, 'first-run-link.txt'), 'utf8').trim();
    const setupPath = new URL(firstRun).pathname;
    const pages = [
      `/appeal/status/${statusToken}`,
      `/appeal/status/${statusToken}/add-information`,
      `/appeal/status/${statusToken}/withdraw`,
      setupPath,
      '/subscribe/confirm/not-a-real-token-aaaaaaaaaa',
      '/unsubscribe/not-a-real-token-aaaaaaaaaa',
    ];
    for (const path of pages) {
      const res = await new HttpClient(server.baseUrl).get(path);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    // The status page really is the personal one (not an error page).
    expect((await new HttpClient(server.baseUrl).get(`/appeal/status/${statusToken}`)).status).toBe(200);
    // Elsewhere the default stays.
    expect((await new HttpClient(server.baseUrl).get('/principles')).headers.get('referrer-policy')).toBe(
      'strict-origin-when-cross-origin',
    );
  });

  it('sends Cache-Control: no-store on every page that shows personal data (point 6)', async () => {
    const steps = [
      '/appeal/platform',
      '/appeal/what-happened',
      '/appeal/account',
      '/appeal/post-date',
      '/appeal/post-link',
      '/appeal/reason',
      '/appeal/contact',
      '/appeal/who-is-asking',
      '/appeal/contact-needs',
      '/appeal/check-answers',
    ];
    for (const path of steps) {
      const res = await journey.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    // The pages do show what was typed.
    expect((await journey.get('/appeal/contact')).body).toContain('journey-headers@example.org');
    expect((await journey.get('/appeal/check-answers')).body).toContain('A private reason');
    for (const path of [
      `/appeal/status/${statusToken}`,
      '/subscribe',
      '/staff/login',
      '/unsubscribe/not-a-real-token-aaaaaaaaaa',
    ]) {
      expect((await new HttpClient(server.baseUrl).get(path)).headers.get('cache-control'), path).toBe('no-store');
    }
    // Public pages that are the same for everyone may still be cached.
    expect((await new HttpClient(server.baseUrl).get('/principles')).headers.get('cache-control')).not.toBe('no-store');
  });

  it('checks a form post against PUBLIC_URL, not the Host header (point 13)', async () => {
    // Host and Origin both say attacker.example: the old check (Origin === the request's own
    // origin, built from Host) let it through.
    const forged = await raw(
      server.baseUrl,
      'POST',
      '/subscribe',
      { host: 'attacker.example', origin: 'http://attacker.example' },
      'email=forged%40example.org',
    );
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('You cannot do that');
    // The configured origin (PUBLIC_URL defaults to http://localhost:PORT) is accepted.
    const real = await raw(
      server.baseUrl,
      'POST',
      '/subscribe',
      { origin: `http://localhost:${server.port}` },
      'email=real%40example.org',
    );
    expect(real.status).toBe(303);
  });

  it('sends the same security headers with static files as with pages (point 14)', async () => {
    const home = await new HttpClient(server.baseUrl).get('/');
    const css = /<link rel="stylesheet" href="([^"]+\.css)"/.exec(home.body)?.[1];
    expect(css).toBeDefined();
    for (const path of [css!, '/assets/images/favicon.svg']) {
      const res = await new HttpClient(server.baseUrl).get(path);
      expect(res.status, path).toBe(200);
      for (const name of SECURITY_HEADERS)
        expect(res.headers.get(name), `${name} on ${path}`).toBe(home.headers.get(name));
    }
  });

  it('sends the right reason phrase with each status (point 16)', async () => {
    const cases: [string, () => Promise<Raw>, number, string][] = [
      ['429 page', () => raw(server.baseUrl, 'GET', '/too-many-requests?wait=60'), 429, 'Too Many Requests'],
      [
        '403 cross-site post',
        () => raw(server.baseUrl, 'POST', '/subscribe', { origin: 'https://evil.example' }, 'email=a%40example.org'),
        403,
        'Forbidden',
      ],
      [
        '400 form error',
        () => raw(server.baseUrl, 'POST', '/subscribe', { origin: `http://localhost:${server.port}` }, 'email='),
        400,
        'Bad Request',
      ],
      ['404 page', () => raw(server.baseUrl, 'GET', '/no-such-page'), 404, 'Not Found'],
      [
        '413 body too large',
        () =>
          raw(
            server.baseUrl,
            'POST',
            '/subscribe',
            { origin: `http://localhost:${server.port}` },
            `email=${'a'.repeat(300_000)}`,
          ),
        413,
        'Payload Too Large',
      ],
      [
        '303 redirect',
        () =>
          raw(
            server.baseUrl,
            'POST',
            '/subscribe',
            { origin: `http://localhost:${server.port}` },
            'email=ok%40example.org',
          ),
        303,
        'See Other',
      ],
      ['200 page', () => raw(server.baseUrl, 'GET', '/principles'), 200, 'OK'],
    ];
    const seen: string[] = [];
    for (const [what, send, status, phrase] of cases) {
      const res = await send();
      seen.push(`${res.status} ${res.statusMessage}`);
      expect(res.status, what).toBe(status);
      expect(res.statusMessage, what).toBe(phrase);
    }
    recordFigure('Header policy', 'status lines', seen.join(', '));
  });
});
