/**
 * The two table sets (db/schema/sqlite/ and db/schema/pg/, issue 21) describe one database: drizzle
 * has no dialect-neutral schema (drizzle-orm#1196), so a change made to one set only fails here.
 * Each table is reduced to a plain description — columns (a normalised type, nullability, keys,
 * defaults, enum values), foreign keys, unique constraints, indexes (with their `where`) and
 * checks — and the two are compared, so a drift shows as a diff of that description.
 * The row types the queries see must be the same too: checked by `npm run typecheck`.
 */
import { getTableName, is, SQL, type Table } from 'drizzle-orm';
import {
  getTableConfig as pgTableConfig,
  IndexedColumn,
  PgColumn,
  PgDialect,
  PgTable,
  type ForeignKey as PgForeignKey,
} from 'drizzle-orm/pg-core';
import {
  getTableConfig as sqliteTableConfig,
  SQLiteColumn,
  SQLiteSyncDialect,
  SQLiteTable,
  type ForeignKey as SQLiteForeignKey,
} from 'drizzle-orm/sqlite-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as pgSet from '../../db/schema/pg/index.ts';
import * as sqliteSet from '../../db/schema/sqlite/index.ts';

interface ColumnShape {
  type: string;
  notNull: boolean;
  primaryKey: boolean;
  /** Ids the database hands out (SQLite AUTOINCREMENT, PostgreSQL identity). */
  generated: boolean;
  /** null: none; 'sql': an SQL expression (its text differs by dialect); else the value as JSON. */
  default: string | null;
  unique: string | null;
  enum: readonly string[] | null;
}

interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKeys: string[];
  foreignKeys: string[];
  uniqueConstraints: string[];
  indexes: Record<string, { columns: string[]; unique: boolean; where: string | null }>;
  checks: Record<string, string>;
}

const sqliteDialect = new SQLiteSyncDialect();
const pgDialect = new PgDialect();

/**
 * SQL text with the dialect's quoting, table prefixes and spacing taken out, so that
 * `"appeals"."status" not in (…)` reads the same from both. An expression that must be written
 * differently in PostgreSQL would be translated here before comparing (none is, so far).
 */
function normaliseSql(text: string, table: string): string {
  return text.replaceAll(`"${table}".`, '').replace(/["`]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The type both sets agree on; an unknown column type is returned as is, so it shows in the diff. */
function sqliteType(column: SQLiteColumn): string {
  const mode = (column as { mode?: string }).mode;
  switch (column.columnType) {
    case 'SQLiteInteger':
      return 'integer';
    case 'SQLiteTimestamp':
      return mode === 'timestamp_ms' ? 'bigint-ms' : `timestamp-${mode}`;
    case 'SQLiteBoolean':
      return 'boolean';
    case 'SQLiteText':
      return 'text';
    case 'SQLiteTextJson':
      return 'json';
    case 'SQLiteReal':
      return 'real';
    case 'SQLiteCustomColumn':
      return column.getSQLType();
    default:
      return column.columnType;
  }
}

function pgType(column: PgColumn): string {
  switch (column.columnType) {
    case 'PgInteger':
      return 'integer';
    case 'PgBoolean':
      return 'boolean';
    case 'PgText':
      return 'text';
    case 'PgJson':
    case 'PgJsonb':
      return 'json';
    case 'PgReal':
    case 'PgDoublePrecision':
      return 'real';
    case 'PgCustomColumn':
      // The only custom type of the set: milliseconds in a bigint, read as a Date (pg/columns.ts).
      return column.getSQLType() === 'bigint' ? 'bigint-ms' : column.getSQLType();
    default:
      return column.columnType;
  }
}

function columnShape(column: SQLiteColumn | PgColumn, type: string, generated: boolean): ColumnShape {
  return {
    type,
    notNull: column.notNull,
    primaryKey: column.primary,
    generated,
    default: column.default === undefined ? null : is(column.default, SQL) ? 'sql' : JSON.stringify(column.default),
    unique: column.isUnique ? (column.uniqueName ?? '(unnamed)') : null,
    enum: column.enumValues ?? null,
  };
}

function foreignKey(fk: SQLiteForeignKey | PgForeignKey): string {
  const ref = fk.reference();
  const names = (columns: { name: string }[]) => columns.map((c) => c.name).join(', ');
  const target = `${getTableName(ref.foreignTable)}(${names(ref.foreignColumns)})`;
  const actions = `on delete ${fk.onDelete ?? 'no action'} on update ${fk.onUpdate ?? 'no action'}`;
  return `(${names(ref.columns)}) → ${target} ${actions}`;
}

const byName = <T>(entries: [string, T][]) => Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));

function sqliteShape(table: SQLiteTable): TableShape {
  const c = sqliteTableConfig(table);
  const render = (s: SQL) => normaliseSql(sqliteDialect.sqlToQuery(s, 'indexes').sql, c.name);
  return {
    columns: byName(
      c.columns.map((col) => [
        col.name,
        columnShape(col, sqliteType(col), (col as { autoIncrement?: boolean }).autoIncrement === true),
      ]),
    ),
    primaryKeys: c.primaryKeys.map((pk) => pk.columns.map((col) => col.name).join(', ')).sort(),
    foreignKeys: c.foreignKeys.map(foreignKey).sort(),
    uniqueConstraints: c.uniqueConstraints.map((u) => `${u.name}: ${u.columns.map((col) => col.name).join(', ')}`),
    indexes: byName(
      c.indexes.map(({ config: i }) => [
        i.name,
        {
          columns: i.columns.map((col) => (is(col, SQL) ? render(col) : col.name)),
          unique: i.unique,
          where: i.where ? render(i.where) : null,
        },
      ]),
    ),
    checks: byName(c.checks.map((check) => [check.name, render(check.value)])),
  };
}

function pgShape(table: PgTable): TableShape {
  const c = pgTableConfig(table);
  const render = (s: SQL) => normaliseSql(pgDialect.sqlToQuery(s, 'indexes').sql, c.name);
  /** A column of an index: its name, with any order or operator class that is not the default. */
  const indexed = (col: Partial<IndexedColumn | SQL>) => {
    if (is(col, SQL)) return render(col);
    const { name, indexConfig } = col as IndexedColumn;
    const extras = [indexConfig.order === 'desc' ? 'desc' : '', indexConfig.opClass ?? ''].filter(Boolean);
    return [name ?? '(unnamed)', ...extras].join(' ');
  };
  return {
    columns: byName(c.columns.map((col) => [col.name, columnShape(col, pgType(col), !!col.generatedIdentity)])),
    primaryKeys: c.primaryKeys.map((pk) => pk.columns.map((col) => col.name).join(', ')).sort(),
    foreignKeys: c.foreignKeys.map(foreignKey).sort(),
    uniqueConstraints: c.uniqueConstraints.map((u) => `${u.getName()}: ${u.columns.map((col) => col.name).join(', ')}`),
    indexes: byName(
      c.indexes.map(({ config: i }) => [
        // A method other than btree (SQLite has only b-trees) shows in the name, so it differs.
        i.method && i.method !== 'btree' ? `${i.name} using ${i.method}` : (i.name ?? '(unnamed)'),
        { columns: i.columns.map(indexed), unique: i.unique, where: i.where ? render(i.where) : null },
      ]),
    ),
    checks: byName(c.checks.map((check) => [check.name, render(check.value)])),
  };
}

/** Export name → SQL name of every table a set exports. */
function tables(set: Record<string, unknown>, kind: typeof SQLiteTable | typeof PgTable): Map<string, Table> {
  return new Map(Object.entries(set).filter((entry): entry is [string, Table] => is(entry[1], kind)));
}

const sqliteTables = tables(sqliteSet, SQLiteTable);
const pgTables = tables(pgSet, PgTable);
const names = (set: Map<string, Table>) => [...set].map(([key, t]) => `${key} (${getTableName(t)})`).sort();

describe('the SQLite and PostgreSQL table sets', () => {
  it('export the same tables under the same names', () => {
    expect(sqliteTables.size).toBeGreaterThan(25);
    expect(names(pgTables)).toEqual(names(sqliteTables));
  });

  it.each([...sqliteTables.keys()])('describe %s alike', (key) => {
    const pg = pgTables.get(key);
    expect(pg, `db/schema/pg has no table exported as ${key}`).toBeDefined();
    expect(pgShape(pg as PgTable)).toEqual(sqliteShape(sqliteTables.get(key) as SQLiteTable));
  });

  it('give the queries the same row types', () => {
    // Compile-time only (tsc): a column typed differently in one set fails `npm run typecheck`.
    // Inserts are compared with every field required: drizzle types a SQLite integer primary key
    // as optional (it would get a rowid) and PostgreSQL's as required, though the code always
    // passes one (change_alerts, appeal_escalations); defaults are compared in the test above.
    type Rows<S, Mode extends '$inferSelect' | '$inferInsert'> = {
      [K in keyof S as S[K] extends Table ? K : never]: S[K] extends Table ? Required<S[K][Mode]> : never;
    };
    expectTypeOf<Rows<typeof pgSet, '$inferSelect'>>().toEqualTypeOf<Rows<typeof sqliteSet, '$inferSelect'>>();
    expectTypeOf<Rows<typeof pgSet, '$inferInsert'>>().toEqualTypeOf<Rows<typeof sqliteSet, '$inferInsert'>>();
  });
});
