/**
 * Request body limits (issue 17, point 1; src/server/body-limit.ts): a 100 MB body to every POST
 * route, three at once, declared with Content-Length and streamed without one, is refused with
 * 413 while the server's resident memory (VmRSS of the server process) grows by less than 64 MB,
 * where keeping three bodies would take 300 MB. A form page answers with the form again and the
 * error at the top; a body within the limit is still read as before.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertSession } from '../../db/staff.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import { SESSION_COOKIE } from '../../src/lib/staff/sessions.ts';
import { newToken } from '../../src/lib/staff/accounts.ts';
import { bodyLimitFor, PUBLIC_BODY_LIMIT, STAFF_BODY_LIMIT } from '../../src/server/body-limit.ts';
import { insertTestCase } from '../support/cases.ts';
import { testStaff } from '../support/staff.ts';
import { HttpClient } from './support/client.ts';
import { recordFigure } from './support/figures.ts';
import { AppServer, sharedRuntime, tempDataDir } from './support/server.ts';

const HUNDRED_MB = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 'a');

interface Answer {
  status: number;
  statusMessage: string;
  body: string;
  /** Bytes the client managed to write before the answer came. */
  sent: number;
}

/**
 * POSTs up to `total` bytes of `reason=aaaa…` (declared with Content-Length, or chunked), writing as
 * fast as the server reads, and stops sending as soon as the answer arrives.
 */
function bigPost(
  baseUrl: string,
  path: string,
  total: number,
  mode: 'declared' | 'chunked' | 'headers-only',
  cookie?: string,
): Promise<Answer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      'content-type': 'application/x-www-form-urlencoded',
      origin: baseUrl,
    };
    if (mode !== 'chunked') headers['content-length'] = total;
    if (cookie) headers.cookie = cookie;
    const req = httpRequest(url, { method: 'POST', headers, agent: false });
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          status: res.statusCode!,
          statusMessage: res.statusMessage ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
          sent,
        });
        req.destroy();
      });
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (mode === 'headers-only') {
      // Headers only: the server must answer without waiting for a single byte of the body.
      req.flushHeaders();
      return;
    }
    req.write('reason=');
    const pump = () => {
      while (!answered && sent < total) {
        const ok = req.write(CHUNK);
        sent += CHUNK.length;
        if (!ok) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

function residentKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)![1]);
}

describe('request body limits', () => {
  let rt: Runtime;
  let server: AppServer;
  let cookie: string;
  let routes: string[];
  /** Resident memory growth (MB) in each warm-up round. */
  const warmUps: number[] = [];

  beforeAll(async () => {
    const dataDir = tempDataDir('body-limits');
    rt = await sharedRuntime(dataDir);
    const admin = await testStaff(rt, ['admin', 'reviewer', 'moderator']);
    const { token, hash } = newToken();
    await insertSession(rt.db, { idHash: hash, staffId: admin, stage: 'signed-in', now: new Date(), ip: null });
    cookie = `${SESSION_COOKIE}=${token}`;
    server = (
      await AppServer.start({
        dataDir,
        env: {
          APPEALS_PER_HOUR: '100000',
          APPEALS_PER_JOURNEY_PER_HOUR: '100000',
          APPEALS_PER_EMAIL_PER_HOUR: '100000',
          SUBSCRIBES_PER_HOUR: '10000',
        },
      })
    ).stopAfterAll();
    const c = await insertTestCase(rt.db, { recordedBy: admin });
    const created = await createAppeal(rt, {
      subject: { kind: 'case', caseReference: c.reference },
      reason: 'Body limits',
      email: 'limits@example.org',
      name: null,
    });
    if (!created.ok) throw new Error(created.error);
    const appealId = created.appeal.id;
    const s = created.statusToken;
    // Every route that takes a POST (src/pages), with real ids and tokens where they need one, and
    // the Astro Actions endpoint.
    routes = [
      '/appeal',
      '/appeal/platform',
      '/appeal/account',
      '/appeal/post-date',
      '/appeal/post-link',
      '/appeal/what-we-did',
      '/appeal/case-reference',
      '/appeal/reason',
      '/appeal/contact',
      '/appeal/check-answers',
      `/appeal/status/${s}/add-information`,
      `/appeal/status/${s}/withdraw`,
      '/subscribe',
      '/subscribe/confirm/not-a-real-token-aaaaaaaaaa',
      '/unsubscribe/not-a-real-token-aaaaaaaaaa',
      '/setup/not-a-real-token-aaaaaaaaaa',
      '/staff/login',
      '/staff/login/code',
      '/staff/login/enrol',
      '/staff/sign-out',
      '/staff/admin/invite',
      `/staff/admin/${admin}`,
      `/staff/appeals/${appealId}`,
      '/staff/cases/new',
      '/staff/outbox',
      '/staff/principles',
      '/staff/principles/drafts/1',
      '/staff/principles/drafts/1/publish',
      '/staff/principles/drafts/1/discard',
      '/_actions/benchFloor',
      '/',
    ];
    // Warm up: every route rendered, and refused with a body just over its limit, in the same way
    // (three at once, both forms), so the memory figures measure what the 100 MB bodies add, not the
    // first renders of these pages and the heap the 413 path settles at (about 60 MB, once). One
    // round is not enough: after a first round of 60-80 MB, further rounds of the same small bodies
    // were seen to grow resident memory by 3-22 MB each (the heap settling, not bodies kept). So
    // rounds are repeated, at most 5, until one grows it by less than 3 MB; CI once failed at
    // 30.9 MB after a single round.
    const pid = server.child!.pid!;
    for (const path of routes) await new HttpClient(server.baseUrl).get(path, { headers: { cookie } });
    for (let round = 1; ; round++) {
      const before = residentKb(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, residentKb(pid))), 10);
      try {
        await refuseJustOverTheLimit();
      } finally {
        clearInterval(sampler);
      }
      const growthMb = (Math.max(peak, residentKb(pid)) - before) / 1024;
      warmUps.push(growthMb);
      if (growthMb < 3 || round === 5) break;
    }
  });

  /** Every route refused with a body just over its limit, three at once, in both forms. */
  async function refuseJustOverTheLimit(): Promise<void> {
    for (const path of routes) {
      for (const mode of ['declared', 'chunked'] as const) {
        const warm = await Promise.all(
          [0, 1, 2].map(() =>
            bigPost(
              server.baseUrl,
              path,
              bodyLimitFor(path) + CHUNK.length,
              mode,
              path.startsWith('/staff') ? cookie : undefined,
            ),
          ),
        );
        for (const a of warm)
          if (a.status !== 413) throw new Error(`${mode} ${path} just over the limit → ${a.status}`);
      }
    }
  }

  it('refuses a declared Content-Length over the limit at once, before a byte of the body is sent', async () => {
    const publicAnswer = await bigPost(server.baseUrl, '/subscribe', HUNDRED_MB, 'headers-only');
    expect(publicAnswer.status).toBe(413);
    expect(publicAnswer.statusMessage).toMatch(/too large/i);
    const staffAnswer = await bigPost(server.baseUrl, '/staff/cases/new', STAFF_BODY_LIMIT + 1, 'headers-only', cookie);
    expect(staffAnswer.status).toBe(413);
  });

  it('answers a form page with the form again and the error at the top; another route with the plain 413 page', async () => {
    const form = await bigPost(server.baseUrl, '/subscribe', HUNDRED_MB, 'chunked');
    expect(form.status).toBe(413);
    expect(form.body).toContain('There is a problem');
    expect(form.body).toContain('What you sent was larger than 256 kB');
    expect(form.body).toMatch(/<input[^>]+name="email"/);
    expect(form.body).toMatch(/<title>Error: /);
    const staffGet = await new HttpClient(server.baseUrl).get('/staff/cases/new', { headers: { cookie } });
    expect(staffGet.status, staffGet.location ?? '').toBe(200);
    const staffForm = await bigPost(server.baseUrl, '/staff/cases/new', HUNDRED_MB, 'declared', cookie);
    expect(staffForm.status, staffForm.body.slice(0, 2000)).toBe(413);
    expect(staffForm.body).toContain('What you sent was larger than 1 MB');
    expect(staffForm.body, /<title>[^<]*/.exec(staffForm.body)?.[0]).toContain(
      '<form method="post" action="/staff/sign-out"',
    );
    expect(staffForm.body).toContain('name="handle"');
    // Sign-out has no page of its own to show again.
    const plain = await bigPost(server.baseUrl, '/staff/sign-out', HUNDRED_MB, 'declared', cookie);
    expect(plain.status).toBe(413);
    expect(plain.body).toContain('What you sent was too large');
    expect(plain.body).toContain('nhsuk-header');
    // The session was not ended by the refused request.
    expect((await new HttpClient(server.baseUrl).get('/staff', { headers: { cookie } })).status).toBe(200);
  });

  it('still reads a body within the limit (a long answer is refused by its own rule, not by size)', async () => {
    const web = new HttpClient(server.baseUrl);
    const long = `${'é'.repeat(20_000)}@example.org`; // about 120 kB urlencoded: within the limit
    expect(Buffer.byteLength(new URLSearchParams({ email: long }).toString())).toBeLessThan(PUBLIC_BODY_LIMIT);
    const res = await web.post('/subscribe', { email: long });
    expect(res.status).toBe(400);
    expect(res.body).toContain('254 characters or fewer');
    expect((await web.post('/subscribe', { email: 'within-limit@example.org' })).status).toBe(303);
  });

  it('refuses 100 MB to the forms added since (issue 19), in both forms, with the form again', async () => {
    // Not in the memory figure below, whose route list and warm-up are fixed so that runs compare.
    for (const path of [
      '/appeal/what-happened',
      '/appeal/check-email',
      '/appeal/who-is-asking',
      '/appeal/contact-needs',
      '/appeal/find',
      '/feedback',
    ]) {
      for (const mode of ['declared', 'chunked'] as const) {
        const answer = await bigPost(server.baseUrl, path, HUNDRED_MB, mode);
        expect(answer.status, `${mode} ${path}`).toBe(413);
      }
    }
  });

  it('refuses 100 MB to every POST route, three at once, in both forms, reading at most the limit, memory < 64 MB', async () => {
    const pid = server.child!.pid!;
    const before = residentKb(pid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, residentKb(pid));
    }, 10);
    const statuses = new Map<string, number>();
    const wrong: string[] = [];
    let requests = 0;
    let sentBytes = 0;

    try {
      for (const path of routes) {
        for (const mode of ['declared', 'chunked'] as const) {
          const answers = await Promise.all(
            [0, 1, 2].map(() =>
              bigPost(server.baseUrl, path, HUNDRED_MB, mode, path.startsWith('/staff') ? cookie : undefined),
            ),
          );
          for (const a of answers) {
            requests++;
            sentBytes += a.sent;
            const key = `${a.status} ${a.statusMessage}`;
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            if (a.status !== 413) wrong.push(`${mode} ${path} → ${key}`);
          }
        }
      }
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, residentKb(pid));
    const growthMb = (peak - before) / 1024;
    recordFigure(
      'Body limits',
      'requests of 100 MB (declared and streamed) × POST routes',
      `${requests} (${routes.length} routes × 2 forms × 3 at once)`,
    );
    recordFigure('Body limits', 'status codes', [...statuses].map(([k, n]) => `${k}: ${n}`).join(', '));
    recordFigure(
      'Body limits',
      'bytes the clients got written (the server keeps at most the limit; the rest, up to its answer and LINGER_MS after, is read and thrown away)',
      `${(sentBytes / 1024 / 1024).toFixed(1)} MB of ${(requests * HUNDRED_MB) / 1024 / 1024} MB offered`,
    );
    recordFigure(
      'Body limits',
      'warm-up rounds of bodies just over the limit: resident memory growth in each',
      warmUps.map((mb) => `${mb.toFixed(1)} MB`).join(', '),
    );
    recordFigure(
      'Body limits',
      'server resident memory before / peak / growth',
      `${(before / 1024).toFixed(0)} MB / ${(peak / 1024).toFixed(0)} MB / ${growthMb.toFixed(1)} MB (limit 64 MB)`,
    );
    expect(wrong).toEqual([]);
    // The limit was 30 MB until a CI run on PostgreSQL measured 31.7 MB here, with nothing kept.
    // What the clients send after the 413 is read and thrown away for up to LINGER_MS
    // (src/server/body-limit.ts), here 800-1,600 MB in all, and V8 frees those discarded socket
    // buffers only at a garbage collection, which it starts for external memory once about 64 MB
    // has built up: so resident memory rises and falls by tens of MB with nothing kept. The
    // warm-up rounds of bodies just over the limit, which nothing could keep, grew it by up to
    // 29 MB in a round. 64 MB still fails for one 100 MB body kept, let alone three (300 MB).
    expect(growthMb).toBeLessThan(64);
    // Still serving after all that.
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
  });
});
