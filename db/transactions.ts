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
import { TransactionRollbackError } from 'drizzle-orm';
import type { Db, DbOrTx } from './client.ts';

/** What a transaction's callback is given: a handle like the database's, plus `rollback()`. */
export type Tx = Db & {
  /** Ends the transaction by rolling it back: throws TransactionRollbackError, which `transaction` rethrows. */
  rollback(): never;
};

interface Connection {
  /** A drizzle handle on the same connection, not guarded: each transaction's `tx` is made from it. */
  readonly base: Db;
  /** Gives a new `tx` what openDatabase attached to the database handle (its context). */
  readonly attach: (tx: Tx) => void;
  /** The end of the queue of transactions waiting for this connection. */
  tail: Promise<void>;
}

interface Open {
  readonly connection: Connection;
  readonly root: Db;
  readonly afterCommit: (() => void)[];
  savepoints: number;
  closed: boolean;
}

/**
 * A value kept on a handle itself, under a key every copy of this module shares (Symbol.for), not
 * in a map of this module: the start script and the Astro bundle each load their own copy of this
 * module but share one database handle (db/client.ts carries its context the same way), so the
 * worker's transactions and the pages' must wait in the same queue of that one connection.
 */
function onHandle<V>(name: string) {
  const key = Symbol.for(`fair-hearing.transactions.${name}`);
  return {
    get: (handle: object): V | undefined =>
      Object.hasOwn(handle, key) ? (handle as Record<symbol, V>)[key] : undefined,
    set: (handle: object, value: V): void => {
      Object.defineProperty(handle, key, { value, configurable: true });
    },
  };
}
const connections = onHandle<Connection>('connection');
const open = onHandle<Open>('open');
/** The transaction the current asynchronous context runs inside (for the guard in tests). */
const current = new AsyncLocalStorage<Open>();

/** Called by openDatabase: `base` is a second drizzle handle over the same client as `db`. */
export function registerConnection(db: Db, base: Db, attach: (tx: Tx) => void): void {
  connections.set(db, { base, attach, tail: Promise.resolve() });
}

/** The database a transaction of the current asynchronous context belongs to, if any. */
export function transactionInProgress(): Db | undefined {
  const state = current.getStore();
  return state && !state.closed ? state.root : undefined;
}

/** True when `db` is the `tx` of a transaction that has not ended. */
export function isOpenTransaction(db: DbOrTx): boolean {
  const state = open.get(db);
  return state !== undefined && !state.closed;
}

export async function transaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T> | T): Promise<T> {
  const state = open.get(db);
  if (state) {
    if (state.closed) throw new Error('This transaction has ended: its tx cannot start another');
    return savepoint(db as Tx, state, fn);
  }
  const connection = connections.get(db as Db);
  if (!connection) throw new Error('This database handle was not opened with openDatabase');
  // Waiting for the connection from inside one of its own transactions would wait for ever.
  if (transactionInProgress() === db)
    throw new Error('transaction(db) was called inside a transaction of db: pass its tx instead');
  const release = await queue(connection);
  try {
    return await run(db as Db, connection, fn);
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

async function run<T>(root: Db, connection: Connection, fn: (tx: Tx) => Promise<T> | T): Promise<T> {
  const sqlite = connection.base.$client;
  const state: Open = { connection, root, afterCommit: [], savepoints: 0, closed: false };
  const tx = Object.create(connection.base) as Tx;
  Object.defineProperty(tx, 'rollback', {
    value: () => {
      throw new TransactionRollbackError();
    },
  });
  connection.attach(tx);
  open.set(tx, state);
  sqlite.exec('BEGIN IMMEDIATE');
  let result: T;
  try {
    result = await current.run(state, () => fn(tx));
  } catch (error) {
    state.closed = true;
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw error;
  }
  state.closed = true;
  sqlite.exec('COMMIT');
  for (const after of state.afterCommit) after();
  return result;
}

async function savepoint<T>(tx: Tx, state: Open, fn: (tx: Tx) => Promise<T> | T): Promise<T> {
  const sqlite = state.connection.base.$client;
  const name = `sp${++state.savepoints}`;
  sqlite.exec(`SAVEPOINT ${name}`);
  try {
    const result = await fn(tx);
    sqlite.exec(`RELEASE ${name}`);
    return result;
  } catch (error) {
    sqlite.exec(`ROLLBACK TO ${name}`);
    sqlite.exec(`RELEASE ${name}`);
    throw error;
  }
}

/**
 * Runs `fn` after the outermost transaction `db` belongs to has committed; outside a transaction
 * (or in one of drizzle's own synchronous ones, which end before the next turn), on the next turn
 * of the event loop.
 */
export function afterCommit(db: DbOrTx, fn: () => void): void {
  const state = open.get(db);
  if (state && !state.closed) state.afterCommit.push(fn);
  else setImmediate(fn);
}
