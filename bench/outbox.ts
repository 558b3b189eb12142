/**
 * Outbox delivery benchmark: time to deliver N queued emails through the project's worker
 * (src/lib/email/worker.ts, real SQLite database) to the SMTP sink (tests/support/smtp-sink.ts, in
 * its own process), against nodemailer sending the same messages straight to the same sink over a
 * pooled transport (the floor for "sending N emails with nodemailer").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { countEmailsByState, enqueueEmail, type NewEmail } from '../db/outbox.ts';
import { transaction } from '../db/transactions.ts';
import { parseConfig } from '../src/lib/platform/config.ts';
import { createSmtpTransport, SMTP_POOL_CONNECTIONS } from '../src/lib/email/transport.ts';
import { startOutboxWorker } from '../src/lib/email/worker.ts';
import { closeDatabase } from '../db/open.ts';
import { createRuntime } from '../src/lib/runtime.ts';
import { sleep } from './lib.ts';

const FROM = 'Fair Hearing <no-reply@localhost>';

export function benchMessages(count: number, tag: string): NewEmail[] {
  return Array.from({ length: count }, (_, i) => ({
    to: `person-${tag}-${i}@example.org`,
    subject: `Your appeal AP-${String(i).padStart(8, '0')} has been received`,
    text: `Dear person,\n\nWe have received your appeal. We aim to decide it within 10 working days.\n\n${'Details of the appeal. '.repeat(20)}\n`,
    html: `<p>Dear person,</p><p>We have received your appeal. We aim to decide it within 10 working days.</p><p>${'Details of the appeal. '.repeat(20)}</p>`,
    kind: 'appeal-received',
  }));
}

/** The baseline: nodemailer, pooled, every message handed over at once. Returns ms. */
export async function nodemailerDirect(smtpUrl: string, messages: NewEmail[]): Promise<number> {
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: SMTP_POOL_CONNECTIONS,
    maxMessages: 1000,
  });
  const started = performance.now();
  await Promise.all(
    messages.map((m, i) =>
      transporter.sendMail({
        from: FROM,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: `<direct-${i}-${Date.now()}@localhost>`,
      }),
    ),
  );
  const ms = performance.now() - started;
  transporter.close();
  return ms;
}

export interface WorkerMode {
  concurrency: number;
  pool: boolean;
}

/** The worker: N messages queued in one transaction, then timed from worker start until all are sent. */
export async function workerDelivery(smtpUrl: string, messages: NewEmail[], mode: WorkerMode): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-bench-outbox-'));
  const parsed = parseConfig({ DATA_DIR: dir, SMTP_URL: smtpUrl, MAIL_FROM: FROM, OUTBOX_POLL_MS: '50' });
  if (!parsed.ok) throw new Error(parsed.error);
  const rt = await createRuntime(parsed.config);
  try {
    await transaction(rt.db, async (tx) => {
      for (const m of messages) await enqueueEmail(tx, m, rt.now());
    });
    await sleep(50); // let the enqueue notifications pass before the worker subscribes
    const started = performance.now();
    const worker = startOutboxWorker(rt, {
      concurrency: mode.concurrency,
      transport: createSmtpTransport(smtpUrl, FROM, { pool: mode.pool }),
    });
    for (;;) {
      const counts = await countEmailsByState(rt.db);
      if (counts.sent + counts.failed >= messages.length) {
        if (counts.failed > 0) throw new Error(`${counts.failed} messages failed`);
        break;
      }
      await sleep(100);
    }
    const ms = performance.now() - started;
    await worker.stop();
    return ms;
  } finally {
    await closeDatabase(rt.db);
    rmSync(dir, { recursive: true, force: true });
  }
}
