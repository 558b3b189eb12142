/**
 * Graceful shutdown: SIGTERM lets requests in flight finish (a slowly uploaded form and a burst of
 * page views), stops the outbox worker after its sends in flight are recorded (no message left
 * claimed), and the process exits 0.
 */
import { request } from 'node:http';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { allRows, firstRow } from '../../db/dialect/index.ts';
import { enqueueEmail } from '../../db/outbox.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { recordFigure } from './support/figures.ts';
import { AppServer, onCleanup, sharedRuntime, tempDataDir } from './support/server.ts';

/** A form POST whose body is sent in pieces over `ms`, so it is in flight for that long. */
function slowPost(
  base: string,
  path: string,
  body: string,
  ms: number,
): { headersSent: Promise<void>; done: Promise<{ status: number; location: string | undefined }> } {
  let sent!: () => void;
  const headersSent = new Promise<void>((r) => (sent = r));
  const done = new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
    const req = request(base + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        origin: base,
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', reject);
    req.flushHeaders();
    const pieces = 10;
    const size = Math.ceil(body.length / pieces);
    let i = 0;
    const tick = () => {
      req.write(body.slice(i * size, (i + 1) * size));
      if (i === 0) sent();
      i++;
      if (i < pieces) setTimeout(tick, ms / pieces);
      else req.end();
    };
    tick();
  });
  return { headersSent, done };
}

describe('graceful shutdown', () => {
  it('SIGTERM finishes requests in flight, stops the worker cleanly and exits 0', async () => {
    const dataDir = tempDataDir('shutdown');
    const rt = await sharedRuntime(dataDir);
    const sink = new SmtpSink();
    sink.closeTimeoutMs = 200;
    await sink.start();
    onCleanup(() => sink.stop());
    const server = (await AppServer.start({ dataDir, smtpUrl: sink.url })).stopAfterAll();

    // Mail in flight at the signal: the SMTP server holds its replies, so sends are under way.
    sink.holdReplies = true;
    for (let i = 0; i < 5; i++)
      await enqueueEmail(
        rt.db,
        {
          to: `shutdown-${i}@example.org`,
          subject: `Shutdown ${i}`,
          text: 'Hello',
          html: '<p>Hello</p>',
          kind: 'test',
        },
        new Date(),
      );
    const inFlight = async () =>
      (await firstRow<{ n: number }>(rt.db, sql`select count(*) as n from outbox where state = 'sending'`))!;
    for (const deadline = Date.now() + 10_000; (await inFlight()).n === 0;) {
      if (Date.now() > deadline) throw new Error('no send started');
      await new Promise((r) => setTimeout(r, 50));
    }

    const slow = slowPost(
      server.baseUrl,
      '/subscribe',
      `email=${encodeURIComponent('slow-shutdown@example.org')}`,
      2_000,
    );
    await slow.headersSent;
    const burst = Array.from({ length: 30 }, (_, i) =>
      fetch(`${server.baseUrl}${i % 2 ? '/principles' : '/transparency'}?n=${i}`).then(async (r) => ({
        status: r.status,
        length: (await r.text()).length,
      })),
    );
    await new Promise((r) => setTimeout(r, 150));
    const signalled = Date.now();
    const stopping = server.stop('SIGTERM', 30_000);
    // The SMTP server answers a second later: the worker must wait for those replies before exiting.
    setTimeout(() => sink.releaseReplies(), 1_000);
    const [slowResult, burstResults, exit] = await Promise.all([slow.done, Promise.all(burst), stopping]);
    const tookMs = Date.now() - signalled;

    const states = await allRows<{ state: string; n: number }>(
      rt.db,
      sql`select state, count(*) as n from outbox group by state`,
    );
    const leased = states.find((s) => s.state === 'sending')?.n ?? 0;
    const subscribed = (await firstRow<{ n: number }>(rt.db, sql`select count(*) as n from subscriptions`))!;

    recordFigure(
      'Graceful shutdown',
      'requests in flight at SIGTERM / completed',
      `${burst.length + 1} / ${burstResults.filter((r) => r.status === 200).length + (slowResult.status === 303 ? 1 : 0)}`,
    );
    recordFigure(
      'Graceful shutdown',
      'outbox after stop (by state) / left leased',
      `${states.map((s) => `${s.state} ${s.n}`).join(', ')} / ${leased}`,
    );
    recordFigure('Graceful shutdown', 'exit code / time to exit', `${exit.code} / ${(tookMs / 1000).toFixed(1)} s`);

    expect(slowResult).toEqual({ status: 303, location: '/subscribe/check-your-email' });
    expect(subscribed.n).toBe(1);
    expect(burstResults.every((r) => r.status === 200 && r.length > 1000)).toBe(true);
    expect(leased).toBe(0);
    expect(exit).toEqual({ code: 0, signal: null });
    // Messages whose replies were held were sent and recorded as sent before the exit.
    expect(states.find((s) => s.state === 'sent')?.n ?? 0).toBeGreaterThanOrEqual(1);
    // After the exit nothing listens any more.
    await expect(fetch(`${server.baseUrl}/healthz`)).rejects.toThrow();
  });
});
