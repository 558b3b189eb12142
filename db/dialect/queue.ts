/**
 * The SQL fragments of the two queues, the review queue (db/review.ts) and the outbox
 * (db/outbox.ts), whose form differs between SQLite and PostgreSQL (issue 21,
 * docs/decisions/031-asynchronous-data-layer.md).
 */
import { sql, type Column, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { isPostgres } from './index.ts';

/** A condition no row meets: SQLite's false is 0; PostgreSQL refuses an integer as a condition. */
export function noRow(db: DbOrTx): SQL {
  return isPostgres(db) ? sql`false` : sql`0`;
}

/**
 * `column` in a condition the planner should not serve from an index on it. SQLite's unary plus
 * makes the column an expression (same value, same type), which no index matches; PostgreSQL's
 * planner weighs the indexes by cost on its own, so there the column stays as it is.
 */
export function unindexed(db: DbOrTx, column: Column): SQL {
  return isPostgres(db) ? sql`${column}` : sql`+${column}`;
}

/**
 * PostgreSQL only: `query` (a select) locks the rows it returns until the transaction ends
 * (FOR UPDATE), skipping rows another transaction holds rather than waiting for them (SKIP
 * LOCKED), so workers claiming side by side each take a different row. SQLite needs no such
 * clause: its transactions take the one write lock first. The queries are typed with the SQLite
 * builder, which has no `for`; on a PostgreSQL handle the builder is pg-core's, which has.
 */
export function lockSkippingLocked<Q>(query: Q): Q {
  const select = query as unknown as { for(strength: 'update', config: { skipLocked: true }): Q };
  return select.for('update', { skipLocked: true });
}
