/**
 * The outbox as staff see it: list messages, count them for /healthz, retry a failed one.
 * Writing and delivering are in db/outbox.ts (enqueueEmail) and src/lib/email/worker.ts.
 */
import { countEmailsByState, findEmail, listEmails, redactSecrets, requeueFailedEmail } from '../../db/outbox.ts';
import type { DbOrTx } from '../../db/client.ts';
import type { OutboxRow, OutboxState } from '../../db/schema/outbox.ts';
import type { Runtime } from './runtime.ts';

export type { OutboxRow, OutboxState };

/**
 * Messages newest first (at most `limit`, default 200), optionally of some states only. Staff see
 * every message without its private links, even one not delivered yet (it keeps them until then).
 */
export function listOutbox(rt: Runtime, options: { states?: OutboxState[]; limit?: number } = {}): OutboxRow[] {
  return listEmails(rt.db, options).map(withoutSecrets);
}

/** The copy of a message staff may read: private links replaced by the marker, none listed. */
export function withoutSecrets(row: OutboxRow): OutboxRow {
  return { ...redactSecrets(row, row.secrets), secrets: null };
}

export function outboxCounts(rt: Runtime): { queued: number; failed: number } {
  const counts = countEmailsByState(rt.db);
  return { queued: counts.queued + counts.sending, failed: counts.failed };
}

export type RetryResult = { ok: true; message: OutboxRow } | { ok: false; error: 'not-found' | 'not-failed' };

/**
 * Puts a failed message back in the queue, due now, with attempts reset; the worker sends it
 * again with the same Message-ID. `onRetried` runs in the same transaction (e.g. to write the
 * audit entry for `actorId`), so both happen or neither.
 */
export function retryMessage(
  rt: Runtime,
  id: number,
  actorId: number,
  onRetried?: (tx: DbOrTx, event: { message: OutboxRow; actorId: number }) => void,
): RetryResult {
  return rt.db.transaction((tx): RetryResult => {
    const message = requeueFailedEmail(tx, id, rt.now());
    if (!message) return { ok: false, error: findEmail(tx, id) ? 'not-failed' : 'not-found' };
    onRetried?.(tx, { message, actorId });
    return { ok: true, message };
  });
}
