/**
 * The SQL fragments of the review queue (db/review.ts) whose form differs between SQLite and
 * PostgreSQL (issue 21, docs/decisions/031-asynchronous-data-layer.md).
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

