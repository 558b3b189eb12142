import { describe, expect, it } from 'vitest';
import { claimNextEmail, enqueueEmail, findEmail, markEmailFailed, onEmailEnqueued } from '../../db/outbox.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { transaction } from '../../db/transactions.ts';
import { checkHealth } from '../../src/lib/health.ts';
import { classifySendError, emlFileName } from '../../src/lib/email/transport.ts';
import { MAX_RETRY_DELAY_MS, retryDelayMs } from '../../src/lib/email/worker.ts';
import { listOutbox, outboxCounts, retryFromOutbox, retryMessage } from '../../src/lib/email/outbox.ts';
import { listAudit } from '../../db/audit.ts';
import { testStaff } from '../support/staff.ts';
import { testRuntime } from '../support/db.ts';

let clock = Date.UTC(2026, 10, 25, 9, 0, 0);
const rt = await testRuntime({ now: () => new Date(clock), env: { PUBLIC_URL: 'https://appeals.example.nhs.uk' } });
const { outbox } = tablesOf(rt.db);
const message = (to: string) => ({
  to,
  subject: `Hello ${to}`,
  text: 'Text',
  html: '<p>HTML</p>',
  kind: 'notification',
});

describe('enqueueEmail', () => {
  it('writes a queued row, due now, with a stable Message-ID on the PUBLIC_URL host', async () => {
    const { id, messageId } = await enqueueEmail(
      rt.db,
      { ...message('a@example.org'), headers: { 'List-Unsubscribe': '<https://x/u>' } },
      rt.now(),
    );
    expect(messageId).toMatch(/^<[0-9a-f-]{36}@appeals\.example\.nhs\.uk>$/);
    const row = (await findEmail(rt.db, id))!;
    expect(row).toMatchObject({
      state: 'queued',
      attempts: 0,
      messageId,
      to: 'a@example.org',
      kind: 'notification',
      lastError: null,
    });
    expect(row.headers).toEqual({ 'List-Unsubscribe': '<https://x/u>' });
    expect(row.nextAttemptAt.getTime()).toBe(clock);
  });

  it('is kept or dropped with the transaction it is written in', async () => {
    const kept = await transaction(rt.db, async (tx) => enqueueEmail(tx, message('kept@example.org'), rt.now()));
    expect(await findEmail(rt.db, kept.id)).toBeDefined();
    let dropped: { id: number } | undefined;
    await expect(
      transaction(rt.db, async (tx) => {
        dropped = await enqueueEmail(tx, message('dropped@example.org'), rt.now());
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await findEmail(rt.db, dropped!.id)).toBeUndefined();
  });

  it('wakes the listeners (the worker) once the transaction has committed, and never after a rollback', async () => {
    const heard: Promise<number | undefined>[] = [];
    let seen: number | undefined;
    // What the worker would find when woken (the look-up starts then): the message, committed.
    const stop = onEmailEnqueued(rt.db, () => {
      heard.push(seen === undefined ? Promise.resolve(undefined) : findEmail(rt.db, seen).then((row) => row?.id));
    });
    await transaction(rt.db, async (tx) => {
      seen = (await enqueueEmail(tx, message('woken@example.org'), rt.now())).id;
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(heard).toEqual([]);
    });
    expect(await Promise.all(heard)).toEqual([seen]);
    await expect(
      transaction(rt.db, async (tx) => {
        await enqueueEmail(tx, message('never@example.org'), rt.now());
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    // Outside a transaction: on the next turn of the event loop.
    seen = (await enqueueEmail(rt.db, message('alone@example.org'), rt.now())).id;
    expect(heard).toHaveLength(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await Promise.all(heard)).toEqual([await heard[0], seen]);
    stop();
  });
});

describe('claimNextEmail', () => {
  it('gives each due message to one claimer only, and counts the attempt', async () => {
    await rt.db.delete(outbox);
    const a = await enqueueEmail(rt.db, message('c1@example.org'), rt.now());
    const b = await enqueueEmail(rt.db, message('c2@example.org'), rt.now());
    const first = (await claimNextEmail(rt.db, 'token-1', rt.now(), 60_000))!;
    const second = (await claimNextEmail(rt.db, 'token-2', rt.now(), 60_000))!;
    expect([first.id, second.id].sort()).toEqual([a.id, b.id].sort());
    expect(first).toMatchObject({ state: 'sending', claimToken: 'token-1', attempts: 1 });
    expect(await claimNextEmail(rt.db, 'token-3', rt.now(), 60_000)).toBeUndefined();
  });

  it('does not claim a message before its next attempt time', async () => {
    await rt.db.delete(outbox);
    await enqueueEmail(rt.db, message('later@example.org'), new Date(clock + 1000));
    expect(await claimNextEmail(rt.db, 't', rt.now(), 60_000)).toBeUndefined();
    expect((await claimNextEmail(rt.db, 't', new Date(clock + 1000), 60_000))?.to).toBe('later@example.org');
  });

  it('takes over a message stuck in `sending` once its lease has run out, with the same Message-ID', async () => {
    await rt.db.delete(outbox);
    const { messageId } = await enqueueEmail(rt.db, message('stuck@example.org'), rt.now());
    const claimed = (await claimNextEmail(rt.db, 'crashed-worker', rt.now(), 60_000))!;
    expect(await claimNextEmail(rt.db, 'other', new Date(clock + 59_999), 60_000)).toBeUndefined();
    const retaken = (await claimNextEmail(rt.db, 'other', new Date(clock + 60_000), 60_000))!;
    expect(retaken).toMatchObject({ id: claimed.id, messageId, claimToken: 'other', attempts: 2 });
    // The worker that lost the claim can no longer change the row.
    expect(await markEmailFailed(rt.db, claimed.id, 'crashed-worker', 'late')).toBe(false);
    expect((await findEmail(rt.db, claimed.id))?.state).toBe('sending');
  });
});

describe('listOutbox, outboxCounts, retryMessage and /healthz', () => {
  it('lists newest first, counts queued and failed, and retries only failed messages', async () => {
    await rt.db.delete(outbox);
    const q = await enqueueEmail(rt.db, message('q@example.org'), rt.now());
    const f = await enqueueEmail(rt.db, message('f@example.org'), rt.now());
    await claimNextEmail(rt.db, 'x', rt.now(), 60_000); // q (oldest first)
    await claimNextEmail(rt.db, 'y', rt.now(), 60_000); // f
    await markEmailFailed(rt.db, f.id, 'y', '550 Mailbox unavailable');
    expect((await listOutbox(rt)).map((m) => m.id)).toEqual([f.id, q.id]);
    expect((await listOutbox(rt, { states: ['failed'] })).map((m) => m.id)).toEqual([f.id]);
    expect(await outboxCounts(rt)).toEqual({ queued: 1, failed: 1 });
    expect(await checkHealth(rt)).toEqual({ status: 'ok', outbox: { queued: 1, failed: 1 } });

    expect(await retryMessage(rt, 999_999, 7)).toEqual({ ok: false, error: 'not-found' });
    expect(await retryMessage(rt, q.id, 7)).toEqual({ ok: false, error: 'not-failed' });

    clock += 5_000;
    const seen: unknown[] = [];
    const result = await retryMessage(rt, f.id, 7, (_tx, event) => {
      seen.push([event.message.id, event.actorId]);
    });
    expect(result.ok && result.message).toMatchObject({ id: f.id, state: 'queued', attempts: 0, lastError: null });
    expect(result.ok && result.message.nextAttemptAt.getTime()).toBe(clock);
    expect(seen).toEqual([[f.id, 7]]);
    expect(await outboxCounts(rt)).toEqual({ queued: 2, failed: 0 });
    expect(await retryMessage(rt, f.id, 7)).toEqual({ ok: false, error: 'not-failed' });
  });

  it('rolls the retry back when the hook throws (e.g. the audit entry cannot be written)', async () => {
    await rt.db.delete(outbox);
    const f = await enqueueEmail(rt.db, message('hook@example.org'), rt.now());
    await claimNextEmail(rt.db, 'z', rt.now(), 60_000);
    await markEmailFailed(rt.db, f.id, 'z', '550');
    await expect(
      retryMessage(rt, f.id, 1, () => {
        throw new Error('audit failed');
      }),
    ).rejects.toThrow('audit failed');
    expect((await findEmail(rt.db, f.id))?.state).toBe('failed');
  });
});

describe('retryFromOutbox', () => {
  it('retries a failed email from the posted id and writes outbox.retried to the audit log with it', async () => {
    const admin = await testStaff(rt, ['admin'], 'Ada Admin');
    await rt.db.delete(outbox);
    const f = await enqueueEmail(rt.db, message('audit@example.org'), rt.now());
    await claimNextEmail(rt.db, 'w', rt.now(), 60_000);
    await markEmailFailed(rt.db, f.id, 'w', '550');
    for (const bad of [null, '', 'abc', '0', '-1', '1.5', '1e400'])
      expect(await retryFromOutbox(rt, bad, { id: admin, ip: '203.0.113.9' })).toEqual({ ok: false });
    expect(await listAudit(rt.db, { action: 'outbox.retried' })).toHaveLength(0);
    expect(await retryFromOutbox(rt, String(f.id), { id: admin, ip: '203.0.113.9' })).toEqual({ ok: true, id: f.id });
    expect((await findEmail(rt.db, f.id))?.state).toBe('queued');
    expect(await listAudit(rt.db, { action: 'outbox.retried' })).toMatchObject([
      {
        actorId: admin,
        entityType: 'outbox',
        entityId: String(f.id),
        ip: '203.0.113.9',
        details: { kind: (await findEmail(rt.db, f.id))!.kind },
      },
    ]);
    // Retried already (Back and press Retry again): refused, and nothing more in the log.
    expect(await retryFromOutbox(rt, String(f.id), { id: admin, ip: '203.0.113.9' })).toEqual({ ok: false });
    expect(await listAudit(rt.db, { action: 'outbox.retried' })).toHaveLength(1);
  });
});

describe('retryDelayMs', () => {
  it('doubles each attempt from the base, with jitter in [half, whole), capped', () => {
    expect(retryDelayMs(1, 30_000, () => 0)).toBe(15_000);
    expect(retryDelayMs(1, 30_000, () => 0.999999)).toBe(30_000);
    expect(retryDelayMs(3, 30_000, () => 0)).toBe(60_000);
    expect(retryDelayMs(30, 30_000, () => 0)).toBe(MAX_RETRY_DELAY_MS / 2);
    expect(retryDelayMs(1_000, 30_000, () => 0.999999)).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
  });

  it('keeps retrying for about 24 hours with the default base before giving up', () => {
    let total = 0;
    let attempts = 0;
    while (total < 24 * 3_600_000) total += retryDelayMs(++attempts, 30_000, () => 0.5);
    expect(attempts).toBeGreaterThan(10);
    expect(attempts).toBeLessThan(30);
  });
});

describe('classifySendError', () => {
  it('treats SMTP 5xx as permanent and 4xx or connection errors as temporary', () => {
    expect(
      classifySendError(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550, code: 'EENVELOPE' })),
    ).toMatchObject({ permanent: true });
    expect(classifySendError(Object.assign(new Error('Try later'), { responseCode: 451 }))).toMatchObject({
      permanent: false,
    });
    expect(classifySendError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }))).toMatchObject({
      permanent: false,
      error: 'ESOCKET connect ECONNREFUSED',
    });
  });
});

describe('emlFileName', () => {
  it('names the file after the Message-ID, safely', () => {
    expect(emlFileName('<0b7e-11@appeals.example.nhs.uk>')).toBe('0b7e-11@appeals.example.nhs.uk.eml');
    expect(emlFileName('<../../etc/passwd@x>')).toBe('.._.._etc_passwd@x.eml');
  });
});
