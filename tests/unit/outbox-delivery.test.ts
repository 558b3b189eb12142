/**
 * The outbox worker against a real SMTP server (smtp-server): headers, an outage, a permanent
 * refusal and staff retry, the 24-hour limit, and .eml files when no SMTP_URL is set.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { enqueueEmail, findEmail } from '../../db/outbox.ts';
import { transaction } from '../../db/transactions.ts';
import { notificationEmail } from '../../src/lib/email/notification.ts';
import { createFileTransport, emlFileName, type MailTransport } from '../../src/lib/email/transport.ts';
import { startOutboxWorker } from '../../src/lib/email/worker.ts';
import { retryMessage } from '../../src/lib/email/outbox.ts';
import { testRuntime } from '../support/db.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { waitUntil } from '../support/wait.ts';

const sink = await new SmtpSink().start();
afterAll(() => sink.stop());

const FAST = { OUTBOX_POLL_MS: '50', OUTBOX_RETRY_BASE_MS: '100' };
const rt = await testRuntime({
  env: {
    ...FAST,
    SMTP_URL: sink.url,
    MAIL_FROM: 'Fair Hearing Test <outbox@test.example>',
    PUBLIC_URL: 'https://appeals.example.nhs.uk',
  },
});

let n = 0;
async function enqueue(to = `person${++n}@example.org`, headers?: Record<string, string>) {
  const content = notificationEmail({
    orgName: 'Test Trust',
    subject: `Update ${n} for <you>`,
    heading: 'Your appeal',
    paragraphs: [`Message number ${n} & more.`],
    link: { text: 'See your appeal', url: 'https://appeals.example.nhs.uk/status/abc' },
  });
  return { to, ...(await enqueueEmail(rt.db, { to, ...content, headers, kind: 'notification' }, rt.now())) };
}

/** The stored row of each message, in order. */
async function rowsOf(sent: { id: number }[]) {
  const rows = [];
  for (const s of sent) rows.push(await findEmail(rt.db, s.id));
  return rows;
}

const received = (messageId: string) => sink.messages.filter((m) => m.messageId === messageId);

describe('delivery over SMTP', () => {
  it('sends the message with From=MAIL_FROM, To, Subject, its Message-ID, extra headers, text and HTML', async () => {
    const worker = startOutboxWorker(rt);
    try {
      const { id, messageId, to } = await enqueue(undefined, {
        'List-Unsubscribe': '<https://appeals.example.nhs.uk/unsubscribe/xyz>',
      });
      const [mail] = await sink.waitFor((m) => m.messageId === messageId);
      expect(mail!.from).toBe('outbox@test.example');
      expect(mail!.raw).toMatch(/^From: Fair Hearing Test <outbox@test\.example>\r?$/m);
      expect(mail!.to).toEqual([to]);
      expect(mail!.subject).toBe(`Update ${n} for <you>`);
      expect(messageId).toMatch(/@appeals\.example\.nhs\.uk>$/);
      expect(mail!.raw).toMatch(/^List-Unsubscribe: <https:\/\/appeals\.example\.nhs\.uk\/unsubscribe\/xyz>\r?$/m);
      expect(mail!.raw).toMatch(/Content-Type: multipart\/alternative/);
      expect(mail!.text).toContain(`Message number ${n} & more.`);
      expect(mail!.html).toContain(`<p>Message number ${n} &amp; more.</p>`);
      const row = await waitUntil(
        async () => (await findEmail(rt.db, id))?.state === 'sent' && (await findEmail(rt.db, id)),
        'the row to be sent',
      );
      expect(row).toMatchObject({ attempts: 1, lastError: null });
      expect(row.sentAt).toBeInstanceOf(Date);
    } finally {
      await worker.stop();
    }
  });

  it('keeps messages queued while SMTP is down, then delivers each exactly once when it returns', async () => {
    const port = sink.port;
    await sink.stop();
    const worker = startOutboxWorker(rt);
    try {
      const sent = [await enqueue(), await enqueue(), await enqueue(), await enqueue()];
      // Several failed attempts each, all still queued with the connection error recorded.
      await waitUntil(
        async () => (await rowsOf(sent)).every((row) => (row?.attempts ?? 0) >= 2),
        'retries during the outage',
      );
      for (const s of sent) {
        const row = (await findEmail(rt.db, s.id))!;
        expect(['queued', 'sending']).toContain(row.state);
        expect(row.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
      }
      await new Promise((r) => setTimeout(r, 300));
      await sink.start(port);
      await waitUntil(
        async () => (await rowsOf(sent)).every((row) => row?.state === 'sent'),
        'delivery after the outage',
      );
      await new Promise((r) => setTimeout(r, 300)); // room for any duplicate to show up
      for (const s of sent) expect(received(s.messageId)).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });

  it('retries after a temporary 451 refusal', async () => {
    sink.rejectWith = 451;
    const worker = startOutboxWorker(rt);
    try {
      const { id, messageId } = await enqueue();
      await waitUntil(async () => ((await findEmail(rt.db, id))?.attempts ?? 0) >= 2, 'two refused attempts');
      expect((await findEmail(rt.db, id))?.lastError).toMatch(/451/);
      sink.rejectWith = undefined;
      await waitUntil(async () => (await findEmail(rt.db, id))?.state === 'sent', 'delivery');
      expect(received(messageId)).toHaveLength(1);
    } finally {
      sink.rejectWith = undefined;
      await worker.stop();
    }
  });

  it('marks a 550 refusal failed at once; staff retry then delivers it with the same Message-ID', async () => {
    sink.rejectWith = 550;
    const worker = startOutboxWorker(rt);
    try {
      const { id, messageId } = await enqueue();
      const failed = await waitUntil(
        async () => (await findEmail(rt.db, id))?.state === 'failed' && (await findEmail(rt.db, id)),
        'the message to fail',
      );
      expect(failed.attempts).toBe(1);
      expect(failed.lastError).toMatch(/550/);
      await new Promise((r) => setTimeout(r, 300));
      expect(await findEmail(rt.db, id)).toMatchObject({ state: 'failed', attempts: 1 }); // not retried by itself
      expect(received(messageId)).toHaveLength(0);

      sink.rejectWith = undefined;
      const retried = await retryMessage(rt, id, 1);
      expect(retried.ok).toBe(true);
      await sink.waitFor((m) => m.messageId === messageId);
      await waitUntil(async () => (await findEmail(rt.db, id))?.state === 'sent', 'the retried message to be sent');
      expect(await findEmail(rt.db, id)).toMatchObject({ attempts: 1, lastError: null, messageId });
      expect(received(messageId)).toHaveLength(1);
    } finally {
      sink.rejectWith = undefined;
      await worker.stop();
    }
  });
});

describe('nudging', () => {
  it('sends at once after an enqueue in the same process, without waiting for the next poll', async () => {
    const slow = await testRuntime({ env: { OUTBOX_POLL_MS: '60000', SMTP_URL: sink.url } });
    const worker = startOutboxWorker(slow);
    try {
      await new Promise((r) => setTimeout(r, 100)); // the first look found nothing; next poll in 60 s
      const started = Date.now();
      const { id } = await transaction(slow.db, async (tx) =>
        enqueueEmail(
          tx,
          { to: 'nudge@example.org', subject: 'Nudged', text: 'T', html: '<p>H</p>', kind: 'notification' },
          slow.now(),
        ),
      );
      await waitUntil(
        async () => (await findEmail(slow.db, id))?.state === 'sent',
        'the nudged message to be sent',
        5_000,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await worker.stop();
    }
  });
});

describe('the 24-hour limit', () => {
  it('fails a message whose temporary failures go on for 24 hours', async () => {
    let clock = Date.UTC(2026, 10, 25, 9, 0, 0);
    const start = clock;
    const fixed = await testRuntime({ now: () => new Date(clock), env: FAST });
    const temporary: MailTransport = {
      send: () => Promise.resolve({ ok: false, permanent: false, error: 'ECONNECTION connect ECONNREFUSED' }),
      close: () => {},
    };
    const worker = startOutboxWorker(fixed, { transport: temporary, random: () => 0 });
    try {
      const { id } = await enqueueEmail(
        fixed.db,
        { to: 'x@example.org', subject: 'S', text: 'T', html: '<p>H</p>', kind: 'notification' },
        fixed.now(),
      );
      const first = await waitUntil(
        async () =>
          (await findEmail(fixed.db, id))?.attempts === 1 &&
          (await findEmail(fixed.db, id))?.state === 'queued' &&
          (await findEmail(fixed.db, id)),
        'a first attempt',
      );
      expect(first.nextAttemptAt.getTime()).toBe(start + 50); // 100 ms base, jitter factor 0.5
      clock = start + 23 * 3_600_000;
      await waitUntil(
        async () =>
          (await findEmail(fixed.db, id))?.attempts === 2 && (await findEmail(fixed.db, id))?.state === 'queued',
        'a second attempt, still queued',
      );
      clock = start + 24 * 3_600_000;
      const failed = await waitUntil(
        async () => (await findEmail(fixed.db, id))?.state === 'failed' && (await findEmail(fixed.db, id)),
        'the message to fail',
      );
      expect(failed.attempts).toBe(3);
      expect(failed.lastError).toMatch(/^Gave up after 3 attempts over 24 hours: ECONNECTION/);
    } finally {
      await worker.stop();
    }
  });
});

describe('no SMTP_URL', () => {
  it('writes each message as an .eml file under $DATA_DIR/mail/, one file a Message-ID', async () => {
    const files = await testRuntime({ env: { ...FAST, MAIL_FROM: 'Fair Hearing <no-reply@localhost>' } });
    expect(files.config.smtpUrl).toBeUndefined();
    const worker = startOutboxWorker(files);
    try {
      const { id, messageId } = await enqueueEmail(
        files.db,
        {
          to: 'file@example.org',
          ...notificationEmail({ orgName: 'Org', subject: 'On disk', heading: 'H', paragraphs: ['Body'] }),
          kind: 'notification',
        },
        files.now(),
      );
      const file = join(files.config.dataDir, 'mail', emlFileName(messageId));
      await waitUntil(() => existsSync(file), `${file} to appear`);
      await waitUntil(async () => (await findEmail(files.db, id))?.state === 'sent', 'the row to be sent');
      const mail = await simpleParser(readFileSync(file));
      expect(mail.messageId).toBe(messageId);
      expect(mail.subject).toBe('On disk');
      expect(mail.from?.value[0]).toMatchObject({ name: 'Fair Hearing', address: 'no-reply@localhost' });
      expect(mail.text).toContain('Body');
      expect(mail.html).toContain('<h1>H</h1>');

      // Sending the same message again (a re-send after a crash) replaces the file.
      const row = (await findEmail(files.db, id))!;
      const again = await createFileTransport(files.config.mailDir, files.config.mailFrom).send({ ...row });
      expect(again).toEqual({ ok: true });
      expect(readdirSync(files.config.mailDir).filter((f) => f.startsWith(messageId.slice(1, 37)))).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });
});
