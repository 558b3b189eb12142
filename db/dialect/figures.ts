/**
 * The pieces of the transparency figures' SQL (db/transparency.ts) whose form differs between
 * SQLite and PostgreSQL, so both engines give the same rows in the same order.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.ts';
import { allRows, isPostgres } from './index.ts';

/** A period as a half-open range of UTC milliseconds. */
export interface PeriodRange {
  key: string;
  start: number;
  end: number;
}

/**
 * The CTE `periods(key, start_ms, end_ms)` of the given ranges, as a VALUES table. PostgreSQL
 * cannot infer the types of parameters in VALUES, so they are cast there.
 */
export function periodsTable(db: DbOrTx, periods: readonly PeriodRange[]): SQL {
  if (periods.length === 0) throw new Error('at least one period is needed');
  const rows = isPostgres(db)
    ? periods.map((p) => sql`(${p.key}::text, ${p.start}::bigint, ${p.end}::bigint)`)
    : periods.map((p) => sql`(${p.key}, ${p.start}, ${p.end})`);
  return sql`periods(key, start_ms, end_ms) as (values ${sql.join(rows, sql`, `)})`;
}

/** A boolean column as 0 or 1, as SQLite stores it (PostgreSQL's is a real boolean). */
export function asBit(db: DbOrTx, column: string): SQL {
  return isPostgres(db) ? sql.raw(`${column}::int`) : sql.raw(column);
}

/** A text column to sort by, compared byte by byte on both engines (SQLite's BINARY; PostgreSQL's "C"). */
export function byBytes(db: DbOrTx, column: string): SQL {
  return isPostgres(db) ? sql.raw(`${column} collate "C"`) : sql.raw(column);
}

export interface TallyRow {
  /** UK month index (year × 12 + month − 1). */
  month: number;
  measure: 'case' | 'told' | 'action' | 'ground' | 'received' | 'withdrawn' | 'decided';
  category: string;
  /** Working days to decision for 'decided' (−1: not recorded); −1 otherwise. */
  days: number;
  n: number;
}

/**
 * The tallies of the months from `first` to `last`, n ≠ 0. On SQLite one prepared statement (the
 * figures' hot path: the connection's statement cache keeps it compiled).
 */
export async function tallyRange(db: Db, first: number, last: number): Promise<TallyRow[]> {
  if (isPostgres(db))
    return allRows<TallyRow>(
      db,
      sql`select month, measure, category, days, n from transparency_tallies
        where month between ${first}::int and ${last}::int and n <> 0
        order by month, measure collate "C", category collate "C", days`,
    );
  return db.$client
    .prepare<[number, number], TallyRow>(
      'select month, measure, category, days, n from transparency_tallies where month between ? and ? and n <> 0',
    )
    .all(first, last);
}
