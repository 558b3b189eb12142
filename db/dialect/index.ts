/**
 * The one place the queries learn which engine a handle talks to (issue 21,
 * docs/decisions/031-asynchronous-data-layer.md): its table set, and the few statements whose
 * form differs between SQLite and PostgreSQL. Nothing outside db/ imports this.
 *
 * The queries are typed against the SQLite table set (db/schema.ts) and the SQLite drizzle handle.
 * On PostgreSQL the handle is drizzle's node-postgres one and `tablesOf` hands out the pg-core
 * tables in their place; both builders accept the same calls (the `await builder` form) and
 * tests/unit/schema-parity.test.ts proves both sets give the same columns and row types.
 */
import type { SQL } from 'drizzle-orm';
import { contextOf, type DbOrTx, type Engine } from '../client.ts';
import * as pgTables from '../schema/pg/index.ts';
import * as sqliteTables from '../schema/sqlite/index.ts';

export type { Engine } from '../client.ts';

/** The SQLite set's exports: its tables, and the value lists and row types both sets share. */
export type Tables = typeof sqliteTables;

/** On PostgreSQL the pg-core tables, under the SQLite set's names and types; the value lists stay. */
const POSTGRES_TABLES = { ...sqliteTables, ...pgTables } as unknown as Tables;

/** The engine of a database handle or of a transaction's `tx`. */
export function engineOf(db: DbOrTx): Engine {
  return contextOf(db).engine;
}

export const isPostgres = (db: DbOrTx): boolean => engineOf(db) === 'postgres';

/** The table set to build this handle's queries with: `const { appeals } = tablesOf(db)`. */
export function tablesOf(db: DbOrTx): Tables {
  return isPostgres(db) ? POSTGRES_TABLES : sqliteTables;
}

/** The rows of a raw SQL query (SQLite `db.all`, PostgreSQL `db.execute(…).rows`). */
export async function allRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  if (isPostgres(db)) {
    const result = await (db as unknown as { execute(q: SQL): Promise<{ rows: T[] }> }).execute(query);
    return result.rows;
  }
  return db.all<T>(query);
}

/** The first row of a raw SQL query, or undefined. */
export async function firstRow<T>(db: DbOrTx, query: SQL): Promise<T | undefined> {
  const [row] = await allRows<T>(db, query);
  return row;
}

/** Runs a raw SQL statement for its effect. */
export async function execute(db: DbOrTx, query: SQL): Promise<void> {
  if (isPostgres(db)) await (db as unknown as { execute(q: SQL): Promise<unknown> }).execute(query);
  else db.run(query);
}
