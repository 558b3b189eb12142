/**
 * Asynchronous transactions: `await transaction(db, async (tx) => …)`, the one way code in db/ and
 * src/lib opens a transaction. The callback always gets its own `tx` and must use it for every
 * statement (tests guard this: db/client.ts guardTransactions); the promise settles after COMMIT
 * or ROLLBACK; `afterCommit(tx, fn)` runs `fn` only once the outermost transaction has committed
 * (never after a rollback). Inside a transaction `transaction(tx, …)` is a savepoint.
 *
 * On SQLite (one connection a process, better-sqlite3, whose own transactions must be synchronous)
 * the semantics stay as before: one writer at a time, so transactions of one handle wait for each
 * other in a queue, and each starts with BEGIN IMMEDIATE (the write lock first; another process
 * waits up to busy_timeout). docs/decisions/031-asynchronous-data-layer.md.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, TransactionRollbackError, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from './client.ts';
import { Gate } from './gate.ts';

/** What a transaction's callback is given: a handle like the database's, plus `rollback()`. */
export type Tx = Db & {
  /** Ends the transaction by rolling it back: throws TransactionRollbackError, which `transaction` rethrows. */
  rollback(): never;
};

interface Connection {
  /** SQLite: one connection, transactions queued. PostgreSQL: a pool, transactions side by side. */
  readonly engine: 'sqlite' | 'postgres';
  /**
   * SQLite: a drizzle handle on the same connection, not guarded: each transaction's `tx` is made
   * from it. PostgreSQL: the drizzle handle over the pool, whose `transaction` takes a client.
   */
  readonly base: Db;
  /** Gives a new `tx` what openDatabase attached to the database handle (its context). */
  readonly attach: (tx: Tx) => void;
  /** The end of the queue of transactions waiting for this connection. */
  tail: Promise<void>;
  /** The transaction of this connection the current asynchronous context runs inside (for the guard in tests). */
  readonly current: AsyncLocalStorage<Open>;
  /** Called after every outermost commit through this handle (onCommitted). */
  readonly committed: Set<() => void>;
  /** PostgreSQL: shared passes for transactions, exclusive for one that keeps colliding (db/gate.ts). */
  readonly gate: Gate;
}

interface Open {
  readonly connection: Connection;
  readonly afterCommit: (() => void)[];
  savepoints: number;
  closed: boolean;
}

/*
 * The connection is kept on the database handle and each transaction's state on its `tx`, not in
 * this module: the start script and the Astro bundle each load their own copy of it but share one
 * handle (as db/client.ts does with the context), so both copies must find the same queue.
 */
const CONNECTION = '$connection';
const OPEN = '$transaction';

/** A property of the handle itself (never one a `tx` would inherit from the handle it is made from). */
function own<T>(db: DbOrTx, key: string): T | undefined {
  return Object.hasOwn(db, key) ? (db as unknown as Record<string, T>)[key] : undefined;
}
const connectionOf = (db: DbOrTx) => own<Connection>(db, CONNECTION);
const openOf = (db: DbOrTx) => own<Open>(db, OPEN);

/**
 * Called by openDatabase (SQLite: `base` is a second drizzle handle over the same client as `db`)
 * and openPostgres (`base` is the pool's drizzle handle, unguarded).
 */
export function registerConnection(
  db: Db,
  base: Db,
  attach: (tx: Tx) => void,
  engine: Connection['engine'] = 'sqlite',
): void {
  const connection: Connection = {
    engine,
    base,
    attach,
    tail: Promise.resolve(),
    current: new AsyncLocalStorage(),
    committed: new Set(),
    gate: new Gate(),
  };
  Object.defineProperty(db, CONNECTION, { value: connection });
}

/**
 * Calls `fn` after every outermost transaction of `db` commits (after its afterCommit work),
 * until the returned function is called. For the page cache's change token on PostgreSQL
 * (db/dialect/change-token.ts), which must move at once for this process's own commits; on SQLite
 * nothing listens (its token is read from the connection itself). Writes outside a transaction
 * are not seen here.
 */
export function onCommitted(db: Db, fn: () => void): () => void {
  const connection = connectionOf(db);
  if (!connection) throw new Error('This database handle was not opened with openDatabase');
  connection.committed.add(fn);
  return () => connection.committed.delete(fn);
}

/** True when the current asynchronous context runs inside a transaction of `db` that has not ended. */
export function transactionInProgress(db: Db): boolean {
  const state = connectionOf(db)?.current.getStore();
  return state !== undefined && !state.closed;
}

/** True when `db` is the `tx` of a transaction that has not ended. */
export function isOpenTransaction(db: DbOrTx): boolean {
  const state = openOf(db);
  return state !== undefined && !state.closed;
}

export async function transaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T> | T): Promise<T> {
  const state = openOf(db);
  if (state) {
    if (state.closed) throw new Error('This transaction has ended: its tx cannot start another');
    return savepoint(db as Tx, state, fn);
  }
  const connection = connectionOf(db);
  if (!connection) throw new Error('This database handle was not opened with openDatabase');
  // Waiting for the connection from inside one of its own transactions would wait for ever.
  if (transactionInProgress(db as Db))
    throw new Error('transaction(db) was called inside a transaction of db: pass its tx instead');
  if (connection.engine === 'postgres') return runPostgres(connection, fn);
  const release = await queue(connection);
  try {
    return await run(connection, fn);
  } finally {
    release();
  }
}

/**
 * Runs `fn` on the connection when none of its transactions is open: in the same queue, without
 * BEGIN. For statements that cannot run inside a transaction, such as SQLite's WAL checkpoint
 * (inside one it fails with "database table is locked"), and that, on one connection, would
 * otherwise land inside whichever transaction is open at that moment.
 */
export async function whenNoTransaction<T>(db: Db, fn: () => Promise<T> | T): Promise<T> {
  const connection = connectionOf(db);
  if (!connection) throw new Error('This database handle was not opened with openDatabase');
  if (transactionInProgress(db)) throw new Error('whenNoTransaction(db) was called inside a transaction of db');
  const release = await queue(connection);
  try {
    return await fn();
  } finally {
    release();
  }
}

/** Waits for the transactions queued before this one; resolves to the function that lets the next one go. */
async function queue(connection: Connection): Promise<() => void> {
  const before = connection.tail;
  let release!: () => void;
  connection.tail = new Promise<void>((resolve) => (release = resolve));
  await before;
  return release;
}

async function run<T>(connection: Connection, fn: (tx: Tx) => Promise<T> | T): Promise<T> {
  const sqlite = connection.base.$client;
  const state: Open = { connection, afterCommit: [], savepoints: 0, closed: false };
  const tx = Object.create(connection.base) as Tx;
  Object.defineProperty(tx, 'rollback', {
    value: () => {
      throw new TransactionRollbackError();
    },
  });
  connection.attach(tx);
  Object.defineProperty(tx, OPEN, { value: state });
  sqlite.exec('BEGIN IMMEDIATE');
  let result: T;
  try {
    result = await connection.current.run(state, () => fn(tx));
  } catch (error) {
    state.closed = true;
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw error;
  }
  state.closed = true;
  try {
    sqlite.exec('COMMIT');
  } catch (error) {
    // A COMMIT that fails (SQLITE_BUSY past the timeout) leaves the transaction open: end it, so
    // the connection's next BEGIN does not fail too.
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw error;
  }
  runAfterCommit(state);
  return result;
}

/** How many times a PostgreSQL transaction is tried when it fails to serialise or deadlocks. */
export const SERIALIZATION_ATTEMPTS = 10;

/**
 * Attempts made side by side with the handle's other transactions; later ones run alone in this
 * process (db/gate.ts), as every transaction does on SQLite. Without that, four requests adding
 * information to one appeal at once still left one out of its 10 attempts now and then: backing
 * off is unfair, newcomers keep winning against the one that waits.
 */
export const SHARED_ATTEMPTS = 2;

/**
 * The wait before attempt `attempt + 1`: "full jitter" exponential backoff, a random time up to
 * 10 ms, 20 ms, 40 ms … capped at a second (3.3 s at most over all attempts). Waits shorter than a
 * transaction take (the first version waited up to 2, 4, 8 … ms) let the same few collide again:
 * four requests adding information to one appeal at once lost about one in 160 after 10 attempts.
 */
export function serializationWaitMs(attempt: number, random: () => number = Math.random): number {
  return random() * Math.min(1_000, 10 * 2 ** (attempt - 1));
}

/** SQLSTATE 40001 (serialization_failure) and 40P01 (deadlock_detected): try the whole transaction again. */
function isRetryable(error: unknown): boolean {
  for (let e = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === '40001' || code === '40P01') return true;
  }
  return false;
}

/**
 * PostgreSQL: each transaction on a client of the pool, SERIALIZABLE (transactions that read and
 * then write behave as if one ran after the other, as SQLite's single writer guarantees), tried
 * again from the start, a bounded number of times with a short random wait, when the server
 * refuses it with a serialization failure or a deadlock. `fn` may therefore run more than once;
 * it must only touch the database (work for after the commit goes through afterCommit, kept only
 * from the attempt that committed).
 */
async function runPostgres<T>(connection: Connection, fn: (tx: Tx) => Promise<T> | T): Promise<T> {
  const pool = connection.base as unknown as {
    transaction<R>(run: (tx: Tx) => Promise<R>, config: { isolationLevel: 'serializable' }): Promise<R>;
  };
  for (let attempt = 1; ; attempt++) {
    const state: Open = { connection, afterCommit: [], savepoints: 0, closed: false };
    const leave = attempt > SHARED_ATTEMPTS ? await connection.gate.exclusive() : await connection.gate.shared();
    try {
      const result = await pool.transaction(
        async (tx) => {
          connection.attach(tx);
          Object.defineProperty(tx, OPEN, { value: state });
          try {
            return await connection.current.run(state, () => fn(tx));
          } finally {
            state.closed = true;
          }
        },
        { isolationLevel: 'serializable' },
      );
      leave();
      runAfterCommit(state);
      return result;
    } catch (error) {
      leave();
      if (attempt >= SERIALIZATION_ATTEMPTS || !isRetryable(error)) throw error;
      // Waits grow, at random so the transactions that collided part.
      await new Promise((resolve) => setTimeout(resolve, serializationWaitMs(attempt)));
    }
  }
}

/**
 * The callbacks of a committed transaction, then the handle's commit listeners (onCommitted); one
 * that throws is reported, never the commit undone.
 */
function runAfterCommit(state: Open): void {
  for (const after of [...state.afterCommit, ...state.connection.committed]) {
    try {
      after();
    } catch (error) {
      console.error('A task after a commit failed:', error instanceof Error ? error.message : error);
    }
  }
}

async function savepoint<T>(tx: Tx, state: Open, fn: (tx: Tx) => Promise<T> | T): Promise<T> {
  const name = `sp${++state.savepoints}`;
  const exec =
    state.connection.engine === 'postgres'
      ? (text: string) => (tx as unknown as { execute(q: SQL): Promise<unknown> }).execute(sql.raw(text))
      : (text: string) => state.connection.base.$client.exec(text);
  await exec(`SAVEPOINT ${name}`);
  try {
    const result = await fn(tx);
    await exec(`RELEASE ${name}`);
    return result;
  } catch (error) {
    await exec(`ROLLBACK TO ${name}`);
    await exec(`RELEASE ${name}`);
    throw error;
  }
}

/**
 * Runs `fn` after the outermost transaction `db` belongs to has committed; outside a transaction
 * (or in one of drizzle's own synchronous ones, which end before the next turn), on the next turn
 * of the event loop.
 */
export function afterCommit(db: DbOrTx, fn: () => void): void {
  const state = openOf(db);
  if (state && !state.closed) state.afterCommit.push(fn);
  else setImmediate(fn);
}
