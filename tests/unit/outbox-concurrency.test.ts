/**
 * The worker's concurrent sends: a slow start (one in flight until one is accepted), at most
 * `concurrency` in flight, back to one after a failure; every message sent once.
 */
import { describe, expect, it } from 'vitest';
import { enqueueEmail, findEmail } from '../../db/outbox.ts';
import type { MailTransport, OutgoingEmail, SendResult } from '../../src/lib/email/transport.ts';
import { startOutboxWorker } from '../../src/lib/email/worker.ts';
import { testRuntime } from '../support/db.ts';
import { waitUntil } from '../support/wait.ts';

/** A transport whose sends complete when the test says so; records how many were in flight. */
function controlledTransport() {
  const pending: { message: OutgoingEmail; finish: (r: SendResult) => void }[] = [];
  const sent: string[] = [];
  let maxInFlight = 0;
  const transport: MailTransport = {
    send(message) {
      return new Promise<SendResult>((resolve) => {
        pending.push({
          message,
          finish: (r) => {
            if (r.ok) sent.push(message.messageId);
            resolve(r);
          },
        });
        maxInFlight = Math.max(maxInFlight, pending.length);
      });
    },
    close() {},
  };
  const settle = (r: SendResult = { ok: true }) => pending.splice(0).forEach((p) => p.finish(r));
  return {
    transport,
    pending,
    sent,
    settle,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

async function enqueueMany(rt: Awaited<ReturnType<typeof testRuntime>>, count: number) {
  const queued = [];
  for (let i = 0; i < count; i++)
    queued.push(
      await enqueueEmail(
        rt.db,
        { to: `c${i}@example.org`, subject: `s${i}`, text: 't', html: '<p>h</p>', kind: 'notification' },
        rt.now(),
      ),
    );
  return queued;
}

/** The stored state of each message, in order. */
async function statesOf(rt: Awaited<ReturnType<typeof testRuntime>>, queued: { id: number }[]) {
  const states = [];
  for (const q of queued) states.push((await findEmail(rt.db, q.id))?.state);
  return states;
}

describe('worker concurrency', () => {
  it('sends one at a time until one is accepted, then opens up to the limit; each message once', async () => {
    const rt = await testRuntime({ env: { OUTBOX_POLL_MS: '50' } });
    const t = controlledTransport();
    const queued = await enqueueMany(rt, 30);
    const worker = startOutboxWorker(rt, { transport: t.transport, concurrency: 5 });
    await waitUntil(() => t.pending.length === 1, 'the first send');
    await new Promise((r) => setTimeout(r, 100));
    // Nothing accepted yet: still only one in flight, and only one message claimed.
    expect(t.pending).toHaveLength(1);
    expect((await statesOf(rt, queued)).filter((state) => state === 'sending')).toHaveLength(1);
    while (t.sent.length < 30) {
      t.settle();
      await new Promise((r) => setTimeout(r, 5));
    }
    await worker.stop();
    expect(t.maxInFlight).toBeGreaterThan(1);
    expect(t.maxInFlight).toBeLessThanOrEqual(5);
    expect(new Set(t.sent).size).toBe(30);
    expect((await statesOf(rt, queued)).every((state) => state === 'sent')).toBe(true);
  });

  it('drops back to one in flight after a failure', async () => {
    const rt = await testRuntime({ env: { OUTBOX_POLL_MS: '50', OUTBOX_RETRY_BASE_MS: '60000' } });
    const t = controlledTransport();
    await enqueueMany(rt, 20);
    const worker = startOutboxWorker(rt, { transport: t.transport, concurrency: 5 });
    // Ramp up: accept sends until several are in flight together (however long each claim takes:
    // on PostgreSQL a claim is a round trip to the server, so fixed pauses were too short).
    await waitUntil(() => t.pending.length === 1, 'the first send');
    await waitUntil(() => {
      if (t.pending.length > 1) return true;
      if (t.pending.length === 1) t.settle();
      return false;
    }, 'several sends in flight together');
    expect(t.pending.length).toBeGreaterThan(1);
    // Every send in flight fails (temporary): the worker goes back to one at a time.
    t.settle({ ok: false, permanent: false, error: '451 try later' });
    await waitUntil(() => t.pending.length >= 1, 'the next send');
    await new Promise((r) => setTimeout(r, 100));
    expect(t.pending).toHaveLength(1);
    // Stop, answering whatever is still in flight.
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    while (!stopped) {
      t.settle();
      await new Promise((r) => setTimeout(r, 5));
    }
    await stopping;
  });
});
