/**
 * db/migrations-pg (generated from db/schema/pg/ by `npm run db:generate:pg`) applies on a real
 * PostgreSQL server and gives the tables, indexes and constraints the set declares, with the
 * column mappings the queries rely on. Needs TEST_DATABASE_URL (tests/support/postgres.ts): the
 * file fails, and says how to set it, when it is missing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq, getTableName, is } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../../db/schema/pg/index.ts';
import { appeals, cases, principleVersions, safeguardingConcerns } from '../../db/schema/pg/index.ts';
import { migratedPostgresDatabase, PG_MIGRATIONS_DIR, type TestPostgres } from '../support/postgres.ts';

const tables = (Object.values(pgSchema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));
const configs = tables.map((t) => getTableConfig(t));

/**
 * One migrated database for the file, made by the first test that asks. Not in a beforeAll: a
 * failing hook only marks the tests skipped, while this way each one fails with the reason.
 */
let database: Promise<TestPostgres> | undefined;
const migrated = () => (database ??= migratedPostgresDatabase());

const column = async <T>(sql: string, params: unknown[] = []) =>
  (await (await migrated()).pool.query<{ v: T }>(sql, params)).rows.map((r) => r.v);

/** The error PostgreSQL raised (node-postgres keeps its SQLSTATE in `code`), or undefined. */
async function pgError(work: () => Promise<unknown>): Promise<{ code?: string; constraint?: string } | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    // drizzle wraps the driver's error; the SQLSTATE is on the cause.
    const e = error as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
    return e.code ? e : e.cause;
  }
}

describe('the PostgreSQL migrations', () => {
  it('create every table, index and constraint of db/schema/pg', async () => {
    await migrated();
    expect(tables.length).toBeGreaterThan(25);
    const found = await column<string>(`select tablename as v from pg_tables where schemaname = 'public'`);
    expect(found.sort()).toEqual(tables.map((t) => getTableName(t)).sort());

    // Column by column, so a change to db/schema/pg without `npm run db:generate:pg` fails here.
    const columns = await column<string>(
      `select table_name || '.' || column_name || ' ' || data_type
         || (case when is_nullable = 'NO' then ' not null' else '' end) as v
       from information_schema.columns where table_schema = 'public'`,
    );
    const declaredColumns = configs.flatMap((c) =>
      c.columns.map((col) => `${c.name}.${col.name} ${col.getSQLType()}${col.notNull ? ' not null' : ''}`),
    );
    expect(columns.sort()).toEqual(declaredColumns.sort());

    const indexes = await column<string>(`select indexname as v from pg_indexes where schemaname = 'public'`);
    const declared = configs.flatMap((c) => [
      ...c.indexes.map((i) => i.config.name!),
      ...c.columns.filter((col) => col.isUnique).map((col) => col.uniqueName!),
    ]);
    expect(declared.length).toBeGreaterThan(50);
    expect(indexes).toEqual(expect.arrayContaining(declared));

    const partial = await column<string>(
      `select indexname as v from pg_indexes where schemaname = 'public' and indexdef like '% WHERE %'`,
    );
    expect(partial.sort()).toEqual(['appeals_one_open_per_case', 'appeals_open_assignee_due', 'appeals_open_due']);

    const checks = await column<string>(
      `select conname as v from pg_constraint where contype = 'c' and connamespace = 'public'::regnamespace`,
    );
    expect(checks.sort()).toEqual(configs.flatMap((c) => c.checks.map((k) => k.name)).sort());
    const foreignKeys = await column<string>(
      `select count(*)::int as v from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace`,
    );
    expect(foreignKeys).toEqual([configs.reduce((n, c) => n + c.foreignKeys.length, 0)]);
  });

  it('store times as integer milliseconds, read back as Dates; created_at is now', async () => {
    const pg = await migrated();
    const effectiveAt = new Date(Date.UTC(2026, 0, 5, 9, 30, 0, 123));
    const before = Date.now();
    const [row] = await pg.db
      .insert(principleVersions)
      .values({ status: 'draft', bodyMarkdown: 'Body', changeSummary: 'First', effectiveAt })
      .returning();
    const after = Date.now();
    expect(row!.effectiveAt).toEqual(effectiveAt);
    expect(row!.createdAt).toBeInstanceOf(Date);
    // The server's clock and this process's may differ by a little; whole milliseconds either way.
    expect(row!.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row!.createdAt.getTime()).toBeLessThanOrEqual(after + 1000);
    const stored = await column<string>('select effective_at::text as v from principle_versions where id = $1', [
      row!.id,
    ]);
    expect(stored).toEqual([String(effectiveAt.getTime())]);
  });

  it('keep booleans, JSON, the one-open-appeal-per-case index and the checks', async () => {
    const pg = await migrated();
    const [version] = await pg.db
      .insert(principleVersions)
      .values({ status: 'published', version: '1.0', bodyMarkdown: 'Body', changeSummary: 'First' })
      .returning();
    const at = new Date(Date.UTC(2026, 1, 2, 10, 0, 0));
    const [kase] = await pg.db
      .insert(cases)
      .values({
        reference: 'FH-PG-0001',
        platform: 'facebook',
        principleVersionId: version!.id,
        actionAt: at,
        detectedBy: 'own-monitoring',
        automated: true,
        recordedBy: 1,
      })
      .returning();
    expect(kase!.automated).toBe(true);

    const appeal = (reference: string) => ({
      reference,
      caseId: kase!.id,
      contactNeeds: ['bsl' as const, 'phone' as const],
      receivedAt: at,
      dueAt: at,
    });
    const [first] = await pg.db.insert(appeals).values(appeal('FH-PG-A1')).returning();
    expect(first).toMatchObject({ status: 'new', contactNeeds: ['bsl', 'phone'], askingConsent: null });

    const duplicate = await pgError(() => pg.db.insert(appeals).values(appeal('FH-PG-A2')));
    expect(duplicate).toMatchObject({ code: '23505', constraint: 'appeals_one_open_per_case' });
    await pg.db.update(appeals).set({ status: 'decided', outcome: 'upheld' }).where(eq(appeals.id, first!.id));
    await pg.db.insert(appeals).values(appeal('FH-PG-A3'));

    const neither = await pgError(() => pg.db.insert(safeguardingConcerns).values({ raisedBy: 1, raisedAt: at }));
    expect(neither).toMatchObject({ code: '23514', constraint: 'safeguarding_one_subject' });
  });

  it('find nothing to do the second time', async () => {
    const pg = await migrated();
    await migrate(pg.db, { migrationsFolder: PG_MIGRATIONS_DIR });
    const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
      entries: unknown[];
    };
    expect(await column<number>('select count(*)::int as v from drizzle.__drizzle_migrations')).toEqual([
      journal.entries.length,
    ]);
  });
});
