/**
 * The worker as a separate process (`scripts/worker.ts`, as `npm run worker` runs it): killed with
 * SIGKILL in the middle of a send it loses nothing, and two workers on one database never send a
 * message twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { enqueueEmail, findEmail } from '../../db/outbox.ts';
import { testRuntime } from '../support/db.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { waitUntil } from '../support/wait.ts';

const sink = await new SmtpSink().start();
afterAll(() => sink.stop());

const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => stopWorker(c, 'SIGKILL')));
});

function startWorker(env: Record<string, string>): ChildProcess {
  // Node itself with tsx as a loader, not the tsx CLI, which would run the worker in a grandchild
  // process that SIGKILL of the CLI does not reach.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) throw new Error(`worker exited with ${code}: ${stderr}`);
  });
  children.push(child);
  return child;
}

function stopWorker(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill(signal);
  });
}

/** What points a worker process at the test runtime's database: its data folder, and its PostgreSQL database if any. */
function databaseEnv(rt: Awaited<ReturnType<typeof testRuntime>>): Record<string, string> {
  const { dataDir, databaseUrl } = rt.config;
  return databaseUrl
    ? { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '2' }
    : { DATA_DIR: dataDir };
}

async function enqueueMany(rt: Awaited<ReturnType<typeof testRuntime>>, count: number, tag: string) {
  const queued = [];
  for (let i = 0; i < count; i++)
    queued.push(
      await enqueueEmail(
        rt.db,
        {
          to: `${tag}-${i}@example.org`,
          subject: `${tag} ${i}`,
          text: 'Text',
          html: '<p>HTML</p>',
          kind: 'notification',
        },
        rt.now(),
      ),
    );
  return queued;
}

/** The stored state of each message, in order. */
async function statesOf(rt: Awaited<ReturnType<typeof testRuntime>>, sent: { id: number }[]) {
  const states = [];
  for (const s of sent) states.push((await findEmail(rt.db, s.id))?.state);
  return states;
}

function countsByMessageId(tag: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of sink.messages.filter((m) => m.to[0]?.startsWith(`${tag}-`)))
    counts.set(m.messageId!, (counts.get(m.messageId!) ?? 0) + 1);
  return counts;
}

// Real worker processes (a tsx start each, twice in the first test) and waits of up to 30 s each:
// more than the suite's default 20 s when the machine is busy.
describe('the worker process', { timeout: 90_000 }, () => {
  it('killed with SIGKILL mid-send loses nothing; a re-send keeps the same Message-ID', async () => {
    const env = { SMTP_URL: sink.url, OUTBOX_POLL_MS: '100', OUTBOX_LEASE_MS: '1500', OUTBOX_RETRY_BASE_MS: '100' };
    const rt = await testRuntime({ env });
    const sent = await enqueueMany(rt, 5, 'crash');

    // The sink accepts the first message but holds back its reply: the worker is mid-send.
    sink.holdReplies = true;
    const first = startWorker({ ...env, ...databaseEnv(rt) });
    await waitUntil(
      () => sink.messages.some((m) => m.to[0]?.startsWith('crash-')),
      'the first message to reach the sink',
      30_000,
    );
    const inFlight = sink.messages.find((m) => m.to[0]?.startsWith('crash-'))!.messageId!;
    await stopWorker(first, 'SIGKILL');
    sink.releaseReplies();

    const states = await statesOf(rt, sent);
    expect(states.filter((s) => s === 'sending')).toHaveLength(1);
    expect(states.filter((s) => s === 'queued')).toHaveLength(4);
    expect((await findEmail(rt.db, sent.find((s) => s.messageId === inFlight)!.id))?.state).toBe('sending');

    // A new worker takes the stuck message over once its lease has run out, and sends the rest.
    const second = startWorker({ ...env, ...databaseEnv(rt) });
    await waitUntil(
      async () => (await statesOf(rt, sent)).every((state) => state === 'sent'),
      'every message to be sent',
      30_000,
    );
    await stopWorker(second, 'SIGTERM');
    expect(second.exitCode).toBe(0);

    const counts = countsByMessageId('crash');
    // Nothing lost: every message arrived, under the Message-ID fixed when it was written.
    expect([...counts.keys()].sort()).toEqual(sent.map((s) => s.messageId).sort());
    // The one in flight at the crash may arrive twice (a receiver de-duplicates on Message-ID);
    // every other message arrived exactly once.
    for (const s of sent) expect(counts.get(s.messageId)).toBe(s.messageId === inFlight ? 2 : 1);
    expect((await findEmail(rt.db, sent.find((s) => s.messageId === inFlight)!.id))?.attempts).toBe(2);
  });

  it('two workers on one database send every message exactly once', async () => {
    const env = { SMTP_URL: sink.url, OUTBOX_POLL_MS: '50', OUTBOX_LEASE_MS: '60000' };
    const rt = await testRuntime({ env });
    const sent = await enqueueMany(rt, 30, 'pair');
    const a = startWorker({ ...env, ...databaseEnv(rt) });
    const b = startWorker({ ...env, ...databaseEnv(rt) });
    await waitUntil(
      async () => (await statesOf(rt, sent)).every((state) => state === 'sent'),
      'every message to be sent',
      30_000,
    );
    await Promise.all([stopWorker(a, 'SIGTERM'), stopWorker(b, 'SIGTERM')]);
    const counts = countsByMessageId('pair');
    expect(counts.size).toBe(30);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    for (const s of sent) expect((await findEmail(rt.db, s.id))?.attempts).toBe(1);
  });
});
