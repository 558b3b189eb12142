/**
 * What every domain function is given: the configuration, the database (or a transaction's `tx`),
 * the clock and the caches kept between requests; and who acts (`Actor`). Built by the
 * composition root, src/lib/runtime.ts, and passed to the pages as `locals.runtime`.
 */
import type { Db, DbOrTx } from '../../../db/client.ts';
import { transaction } from '../../../db/transactions.ts';
import type { Config } from './config.ts';

export interface Runtime {
  config: Config;
  db: Db;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
  /**
   * What a domain keeps between requests for this runtime, under the domain's own key (the
   * transparency figures: src/lib/transparency/report.ts). Kept here, not in a module, because
   * the start script and the Astro bundle each load their own copy of the modules.
   */
  caches: Map<string, unknown>;
  /** Bumped to empty the public page cache at once (src/server/page-cache.ts invalidatePageCache). */
  pageCacheGeneration: { value: number };
}

/**
 * Who acts, for the audit log: a member of staff (`id`) and where the request came from. Where
 * the command line or the system may act too, `Actor<number | null>` (null: not a person).
 */
export interface Actor<Id extends number | null = number> {
  id: Id;
  ip: string | null;
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
export async function inTransaction<T>(rt: Scope, fn: (scope: Scope) => Promise<T> | T): Promise<T> {
  return transaction(rt.db, (tx) => fn({ ...rt, db: tx }));
}
