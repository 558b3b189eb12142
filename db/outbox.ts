/**
 * Outbox queries: enqueue inside the caller's transaction, claim atomically, record outcomes.
 * Only this file touches the `outbox` table. See docs/decisions/004-outbox.md.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, gte, inArray, lt, lte, or, sql, TransactionRollbackError } from 'drizzle-orm';
import { contextOf, type Db, type DbOrTx } from './client.ts';
import { isPostgres, tablesOf } from './dialect/index.ts';
import { lockSkippingLocked } from './dialect/queue.ts';
import { escapeHtml } from './html.ts';
import type { OutboxRow, OutboxState } from './schema.ts';
import { afterCommit, transaction, type Tx } from './transactions.ts';

export interface NewEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  kind: string;
  /**
   * The exact private links (or tokens) the message carries. They stay in the stored copy only
   * until it is delivered; then each is replaced by REDACTED_MARK (markEmailSent).
   */
  secrets?: string[];
}

/** What a private link becomes in the stored copy once the message is delivered. */
export const REDACTED_MARK = '[private link removed]';

type Content = { text: string; html: string; headers: Record<string, string> };

// The emails' own escaping: a link is found in the HTML body exactly as the template wrote it.

/**
 * The content with every secret (as written, and HTML-escaped in the HTML body) replaced by
 * REDACTED_MARK. Longest first, so a link is replaced whole even when a token inside it is listed too.
 */
export function redactSecrets<T extends Content>(content: T, secrets: readonly string[] | null | undefined): T {
  const list = [...new Set((secrets ?? []).filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return content;
  const scrub = (value: string, html: boolean) => {
    let out = value;
    for (const secret of list) {
      out = out.split(secret).join(REDACTED_MARK);
      if (html) out = out.split(escapeHtml(secret)).join(REDACTED_MARK);
    }
    return out;
  };
  const headers = Object.fromEntries(Object.entries(content.headers).map(([k, v]) => [k, scrub(v, false)]));
  return { ...content, text: scrub(content.text, false), html: scrub(content.html, true), headers };
}

/** A programming error (caught by tests): a listed secret the message does not carry would leave the real one unredacted. */
function checkSecrets(message: NewEmail): string[] | null {
  const secrets = message.secrets ?? [];
  for (const secret of secrets) {
    const carried = [message.text, message.html, ...Object.values(message.headers ?? {})].some(
      (v) => v.includes(secret) || v.includes(escapeHtml(secret)),
    );
    if (!secret || !carried)
      throw new Error(`enqueueEmail: a secret listed for a '${message.kind}' email is not in the message`);
  }
  return secrets.length > 0 ? [...new Set(secrets)] : null;
}

/**
 * Calls `listener` after each enqueue through this database handle (or its transactions): once
 * the enqueueing transaction has committed (never after a rollback), or on the next turn of the
 * event loop when the enqueue ran outside a transaction (db/transactions.ts afterCommit).
 * Returns an unsubscribe function.
 */
export function onEmailEnqueued(db: DbOrTx, listener: () => void): () => void {
  const { emailEnqueued } = contextOf(db);
  emailEnqueued.add(listener);
  return () => emailEnqueued.delete(listener);
}

/**
 * Writes the message as enqueueEmail would, then rolls the write back: for a request that must
 * take as long whether or not it sends anything (src/lib/appeals/status-link-request.ts).
 */
export async function enqueueAndDiscard(db: DbOrTx, message: NewEmail, now: Date): Promise<void> {
  try {
    await transaction(db, async (tx) => {
      await enqueueEmail(tx, message, now);
      tx.rollback();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError)) throw error;
  }
}

/**
 * Writes an email to the outbox, due at once. Call it inside the transaction of the change that
 * causes the email, so both are kept or neither:
 * `await transaction(db, async (tx) => { …; await enqueueEmail(tx, m, now) })`.
 */
export async function enqueueEmail(
  db: DbOrTx,
  message: NewEmail,
  now: Date,
): Promise<{ id: number; messageId: string }> {
  const messageId = `<${randomUUID()}@${contextOf(db).messageIdDomain}>`;
  const secrets = checkSecrets(message);
  const { outbox } = tablesOf(db);
  const [row] = await db
    .insert(outbox)
    .values({
      messageId,
      kind: message.kind,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.headers ?? {},
      secrets,
      state: 'queued',
      attempts: 0,
      nextAttemptAt: now,
      queuedAt: now,
      createdAt: now,
    })
    .returning({ id: outbox.id, messageId: outbox.messageId });
  notifyListeners(db);
  return row!;
}

/**
 * Wakes the listeners (the worker) only once the enqueue is committed: a worker woken earlier
 * would look before the message is there. A listener that throws is logged, not passed on: the
 * transaction has committed by then.
 */
function notifyListeners(db: DbOrTx): void {
  const listeners = [...contextOf(db).emailEnqueued];
  if (listeners.length === 0) return;
  afterCommit(db, () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        console.error('Outbox listener:', error);
      }
    }
  });
}

/**
 * Claims the next due message for the worker holding `token`, atomically (so two workers, even in
 * two processes, never claim the same message together): on SQLite in one transaction holding the
 * write lock, on PostgreSQL in one statement locking the row it claims. Due means queued with
 * `next_attempt_at <= now`, or stuck in `sending` since before `now - leaseMs` (its worker died
 * mid-send). The claim counts as an attempt.
 */
export async function claimNextEmail(
  db: Db,
  token: string,
  now: Date,
  leaseMs: number,
): Promise<OutboxRow | undefined> {
  const staleBefore = now.getTime() - leaseMs;
  if (isPostgres(db)) return claimOnPostgres(db, token, now, staleBefore);
  // Two index-ordered look-ups (outbox_due, outbox_claimed) instead of one OR, which made SQLite
  // sort every due message on every claim (≈2 ms a claim with 10,000 queued). The write lock is
  // taken first (BEGIN IMMEDIATE), so the look-ups and the update are one atomic step; the update
  // checks again that the message is due. Statements are prepared once (the worker's hot path).
  return transaction(db, (tx) => {
    const q = statements(tx);
    const candidates = [q.nextQueued.get(now.getTime()), q.nextStale.get(staleBefore)].filter((c) => c !== undefined);
    candidates.sort((a, b) => a.next - b.next || a.id - b.id);
    const next = candidates[0];
    if (!next) return undefined;
    const row = q.claimOne.get(token, now.getTime(), next.id, now.getTime(), staleBefore);
    return row ? toOutboxRow(row) : undefined;
  });
}

/**
 * The claim on PostgreSQL, one UPDATE of the row its subquery picks: the earliest due message,
 * locked (FOR UPDATE) until the claim commits, skipping rows another worker's claim holds (SKIP
 * LOCKED) rather than waiting for them. `id = (…)`, not `id in (…)`: a scalar subquery runs once,
 * while PostgreSQL may run an `in` subquery again for each row the update reads, each run locking
 * and claiming one more message. One statement outside an explicit transaction runs at the
 * server's default READ COMMITTED, where the lock alone keeps claims apart; the two statements in a
 * SERIALIZABLE transaction (db/transactions.ts) were as correct, but side-by-side claims failed to
 * serialise so often that some gave up after every retry (about 1 in 25 with two busy workers).
 */
async function claimOnPostgres(db: DbOrTx, token: string, now: Date, staleBefore: number) {
  const { outbox } = tablesOf(db);
  const due = or(
    and(eq(outbox.state, 'queued'), lte(outbox.nextAttemptAt, now)),
    and(eq(outbox.state, 'sending'), lte(outbox.claimedAt, new Date(staleBefore))),
  );
  const next = lockSkippingLocked(
    db.select({ id: outbox.id }).from(outbox).where(due).orderBy(asc(outbox.nextAttemptAt), asc(outbox.id)).limit(1),
  );
  const [row] = await db
    .update(outbox)
    .set({ state: 'sending', claimToken: token, claimedAt: now, attempts: sql`${outbox.attempts} + 1` })
    .where(sql`${outbox.id} = (${next})`)
    .returning();
  return row;
}

/** A raw `outbox` row as SQLite returns it. */
interface RawOutboxRow {
  id: number;
  message_id: string;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  headers: string;
  secrets: string | null;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  claim_token: string | null;
  claimed_at: number | null;
  queued_at: number;
  sent_at: number | null;
  created_at: number;
}

const dateOrNull = (ms: number | null) => (ms === null ? null : new Date(ms));

function toOutboxRow(r: RawOutboxRow): OutboxRow {
  return {
    id: r.id,
    messageId: r.message_id,
    kind: r.kind,
    to: r.to_address,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    headers: JSON.parse(r.headers) as Record<string, string>,
    secrets: r.secrets === null ? null : (JSON.parse(r.secrets) as string[]),
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: new Date(r.next_attempt_at),
    lastError: r.last_error,
    claimToken: r.claim_token,
    claimedAt: dateOrNull(r.claimed_at),
    queuedAt: new Date(r.queued_at),
    sentAt: dateOrNull(r.sent_at),
    createdAt: new Date(r.created_at),
  };
}

type Candidate = { id: number; next: number } | undefined;

/** Statements on the hot path of the worker, prepared once a connection (run inside a transaction's `tx`). */
const prepared = new WeakMap<Db['$client'], ReturnType<typeof prepare>>();
function prepare(sqlite: Db['$client']) {
  const pick = (where: string) =>
    sqlite.prepare<[number], Candidate>(
      `select id, next_attempt_at as next from outbox where ${where} order by next_attempt_at, id limit 1`,
    );
  return {
    nextQueued: pick(`state = 'queued' and next_attempt_at <= ?`),
    nextStale: pick(`state = 'sending' and claimed_at <= ?`),
    claimOne: sqlite.prepare<[string, number, number, number, number], RawOutboxRow>(
      `update outbox set state = 'sending', claim_token = ?, claimed_at = ?, attempts = attempts + 1
       where id = ? and ((state = 'queued' and next_attempt_at <= ?) or (state = 'sending' and claimed_at <= ?))
       returning *`,
    ),
    markSent: sqlite.prepare<
      [number, number, string],
      { text: string; html: string; headers: string; secrets: string | null }
    >(
      `update outbox set state = 'sent', sent_at = ?, last_error = null, claim_token = null where id = ? and claim_token = ?
       returning text_body as text, html_body as html, headers, secrets`,
    ),
    redact: sqlite.prepare<[string, string, string, number]>(
      `update outbox set text_body = ?, html_body = ?, headers = ?, secrets = null where id = ?`,
    ),
  };
}
/** The prepared statements of the connection behind `tx` (a transaction's, so the guard in tests lets it by). */
function statements(tx: Db) {
  const sqlite = tx.$client;
  let s = prepared.get(sqlite);
  if (!s) prepared.set(sqlite, (s = prepare(sqlite)));
  return s;
}

/**
 * Marks a claimed message sent; false if the claim was lost (another worker took it over). In the
 * same transaction the stored copy loses its secrets: each becomes REDACTED_MARK.
 */
export async function markEmailSent(db: Db, id: number, token: string, now: Date): Promise<boolean> {
  return transaction(db, (tx) => {
    if (isPostgres(tx)) return markSentOnPostgres(tx, id, token, now);
    const q = statements(tx);
    const row = q.markSent.get(now.getTime(), id, token);
    if (!row) return false;
    if (row.secrets !== null) {
      const clean = redactSecrets(
        { text: row.text, html: row.html, headers: JSON.parse(row.headers) as Record<string, string> },
        JSON.parse(row.secrets) as string[],
      );
      q.redact.run(clean.text, clean.html, JSON.stringify(clean.headers), id);
    }
    return true;
  });
}

/** markEmailSent on PostgreSQL: the same two statements, through the builder. */
async function markSentOnPostgres(tx: Tx, id: number, token: string, now: Date): Promise<boolean> {
  const { outbox } = tablesOf(tx);
  const [row] = await tx
    .update(outbox)
    .set({ state: 'sent', sentAt: now, lastError: null, claimToken: null })
    .where(and(eq(outbox.id, id), eq(outbox.claimToken, token)))
    .returning({ text: outbox.text, html: outbox.html, headers: outbox.headers, secrets: outbox.secrets });
  if (!row) return false;
  if (row.secrets !== null) {
    const clean = redactSecrets(row, row.secrets);
    await tx
      .update(outbox)
      .set({ text: clean.text, html: clean.html, headers: clean.headers, secrets: null })
      .where(eq(outbox.id, id));
  }
  return true;
}

/** Puts a claimed message back in the queue for a later attempt after a temporary failure. */
export async function rescheduleEmail(
  db: DbOrTx,
  id: number,
  token: string,
  nextAttemptAt: Date,
  error: string,
): Promise<boolean> {
  const { outbox } = tablesOf(db);
  const changed = await db
    .update(outbox)
    .set({ state: 'queued', nextAttemptAt, lastError: error, claimToken: null, claimedAt: null })
    .where(and(eq(outbox.id, id), eq(outbox.claimToken, token)))
    .returning({ id: outbox.id });
  return changed.length > 0;
}

/** Marks a claimed message failed (permanent refusal, or temporary failures for too long). */
export async function markEmailFailed(db: DbOrTx, id: number, token: string, error: string): Promise<boolean> {
  const { outbox } = tablesOf(db);
  const changed = await db
    .update(outbox)
    .set({ state: 'failed', lastError: error, claimToken: null, claimedAt: null })
    .where(and(eq(outbox.id, id), eq(outbox.claimToken, token)))
    .returning({ id: outbox.id });
  return changed.length > 0;
}

/** Sets a failed message back to queued, due now, with its attempts and retry window reset. */
export async function requeueFailedEmail(db: DbOrTx, id: number, now: Date): Promise<OutboxRow | undefined> {
  notifyListeners(db);
  const { outbox } = tablesOf(db);
  const [row] = await db
    .update(outbox)
    .set({
      state: 'queued',
      attempts: 0,
      nextAttemptAt: now,
      queuedAt: now,
      lastError: null,
      claimToken: null,
      claimedAt: null,
    })
    .where(and(eq(outbox.id, id), eq(outbox.state, 'failed')))
    .returning();
  return row;
}

export async function findEmail(db: DbOrTx, id: number): Promise<OutboxRow | undefined> {
  const { outbox } = tablesOf(db);
  const [row] = await db.select().from(outbox).where(eq(outbox.id, id));
  return row;
}

export async function findEmailByMessageId(db: DbOrTx, messageId: string): Promise<OutboxRow | undefined> {
  const { outbox } = tablesOf(db);
  const [row] = await db.select().from(outbox).where(eq(outbox.messageId, messageId));
  return row;
}

export interface EmailFilters {
  states?: OutboxState[];
  kind?: string | undefined;
  /** Created at or after. */
  from?: Date | undefined;
  /** Created before (exclusive). */
  to?: Date | undefined;
  limit?: number;
  offset?: number;
}

/** Newest first, optionally of some states, one kind and a date range only. */
export async function listEmails(db: DbOrTx, options: EmailFilters = {}): Promise<OutboxRow[]> {
  return emailListQuery(db, options);
}

/** The query behind listEmails (its plan is asserted in tests/unit/staff-lists.test.ts). */
export function emailListQuery(db: DbOrTx, options: EmailFilters = {}) {
  const { outbox } = tablesOf(db);
  const where = and(
    options.states && options.states.length > 0 ? inArray(outbox.state, options.states) : undefined,
    options.kind ? eq(outbox.kind, options.kind) : undefined,
    options.from ? gte(outbox.createdAt, options.from) : undefined,
    options.to ? lt(outbox.createdAt, options.to) : undefined,
  );
  return db
    .select()
    .from(outbox)
    .where(where)
    .orderBy(desc(outbox.id))
    .limit(options.limit ?? 200)
    .offset(options.offset ?? 0);
}

/** How many messages are in each state. */
export async function countEmailsByState(db: DbOrTx): Promise<Record<OutboxState, number>> {
  const { outbox } = tablesOf(db);
  const counts: Record<OutboxState, number> = { queued: 0, sending: 0, sent: 0, failed: 0 };
  for (const row of await db.select({ state: outbox.state, n: count() }).from(outbox).groupBy(outbox.state))
    counts[row.state] = row.n;
  return counts;
}
