/**
 * What every domain function is given: the configuration, the database (or a transaction's `tx`)
 * and the clock. Built by the composition root, src/lib/runtime.ts.
 */
import type { Db, DbOrTx } from '../../../db/client.ts';
import type { Config } from './config.ts';

export interface Runtime {
  config: Config;
  db: Db;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
}

/**
 * A runtime whose database may be a transaction's `tx`: what code that can run inside a
 * transaction takes, so it uses the transaction and not the database beside it (tests guard
 * this: db/client.ts guardTransactions). A Runtime is a Scope.
 */
export interface Scope extends Omit<Runtime, 'db'> {
  db: DbOrTx;
}

/** Runs `fn` in one transaction of `rt`'s database (a savepoint inside another), with the scope it needs. */
export function inTransaction<T>(rt: Scope, fn: (scope: Scope) => T): T {
  return rt.db.transaction((tx) => fn({ ...rt, db: tx }));
}
