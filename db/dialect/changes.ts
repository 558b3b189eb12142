/**
 * How many rows a statement changed, without RETURNING (a purge may delete many rows, and a list
 * of every id only to count them would be built for nothing). Awaiting a delete or update without
 * `.returning()` gives the driver's own result: better-sqlite3's `{ changes }`, node-postgres's
 * `{ rowCount }`.
 */
import type { RunResult } from 'better-sqlite3';
import type { DbOrTx } from '../client.ts';
import { isPostgres } from './index.ts';

/** Runs `statement` (a delete or update built on `db`, without returning) and counts the rows it changed. */
export async function changedRows(db: DbOrTx, statement: PromiseLike<RunResult>): Promise<number> {
  const result: unknown = await statement;
  return isPostgres(db) ? ((result as { rowCount: number | null }).rowCount ?? 0) : (result as RunResult).changes;
}
