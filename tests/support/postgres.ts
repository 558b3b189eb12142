/**
 * A fresh PostgreSQL database per test file (issue 21), on the server named by TEST_DATABASE_URL:
 * `CREATE DATABASE` on the way in, dropped after the file (tests/support/cleanup.ts). The URL's
 * role needs CREATEDB; its database is only where the CREATE and DROP statements run.
 * .ci/run starts the local cluster and sets the variable; the README says how to do it by hand.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Db } from '../../db/client.ts';
import { closeDatabase } from '../../db/open.ts';
import { endPool, openPostgres, type PostgresOptions } from '../../db/postgres.ts';
import * as pgSchema from '../../db/schema/pg/index.ts';
import { onCleanup } from './cleanup.ts';

/** The PostgreSQL migrations (db/drizzle.pg.config.ts), found from the project root as db/client.ts does. */
export const PG_MIGRATIONS_DIR = resolve(process.cwd(), 'db/migrations-pg');

const HOW_TO =
  'TEST_DATABASE_URL is not set: the PostgreSQL tests need a server. Start the local cluster ' +
  '(as root: pg_ctlcluster 15 main start), create a role with CREATEDB and a database, then set ' +
  'TEST_DATABASE_URL=postgres://<role>:<password>@127.0.0.1:5432/<database> (README, "Testing"; ' +
  '.ci/run does all of this).';

/** The server's URL; throws (so the test fails, never skips) when it is not configured. */
export function testDatabaseUrl(): URL {
  const value = process.env.TEST_DATABASE_URL;
  if (!value) throw new Error(HOW_TO);
  return new URL(value);
}

export interface TestPostgres {
  /** The URL of the fresh database. */
  url: string;
  pool: pg.Pool;
  db: NodePgDatabase<typeof pgSchema>;
}

/** Which engine TEST_DATABASE asks the unit tests' runtimes for (tests/support/db.ts testRuntime). */
export function testEngine(): 'sqlite' | 'postgres' {
  const value = process.env.TEST_DATABASE;
  if (value === undefined || value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'postgres') return 'postgres';
  throw new Error(`TEST_DATABASE must be sqlite (the default) or postgres, not ${JSON.stringify(value)}`);
}

/** A new database name; every one made by the tests starts fair_hearing_test_, so leftovers are easy to find. */
export function testDatabaseName(kind = ''): string {
  return `fair_hearing_test_${kind ? `${kind}_` : ''}${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Runs one statement on the server's own database (CREATE and DROP DATABASE run outside the one concerned). */
async function onServer(statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: testDatabaseUrl().href });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/**
 * Creates database `name`, a copy of `template` (no client may be connected to it meanwhile), or
 * empty and UTF-8 whatever the cluster's default, from template0 so nothing added to template1
 * leaks in. Returns its URL.
 */
export async function createTestDatabase(name: string, template?: string): Promise<string> {
  await onServer(
    template
      ? `create database "${name}" template "${template}"`
      : `create database "${name}" template template0 encoding 'UTF8'`,
  );
  const url = testDatabaseUrl();
  url.pathname = `/${name}`;
  return url.href;
}

/** Drops database `name`, ending any session still connected to it. */
export async function dropTestDatabase(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await onServer(`drop database if exists "${name}" with (force)`);
    } catch (error) {
      // 42501: a session our role may not end is still connected, in practice an autovacuum
      // worker (the superuser's) that came to the new database; it leaves within moments.
      if ((error as { code?: string }).code !== '42501' || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Creates an empty database for the calling test file; it is dropped after the file. */
export async function freshPostgresDatabase(): Promise<TestPostgres> {
  const name = testDatabaseName();
  const url = await createTestDatabase(name);
  onCleanup(() => dropTestDatabase(name));
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // Registered after the drop, so it runs first (clean-ups run newest first).
  onCleanup(() => endPool(pool));
  return { url, pool, db: drizzle({ client: pool, schema: pgSchema }) };
}

/** A fresh database with db/migrations-pg applied. */
export async function migratedPostgresDatabase(): Promise<TestPostgres> {
  const fresh = await freshPostgresDatabase();
  await migrate(fresh.db, { migrationsFolder: PG_MIGRATIONS_DIR });
  return fresh;
}

/**
 * libpq's environment variables for a postgres:// URL, so psql, pg_dump and pg_restore connect
 * without the password on a command line (where `ps` shows it to every user).
 */
export function libpqEnvironment(url: string): Record<string, string> {
  const u = new URL(url);
  return {
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)) || 'postgres',
  };
}

/**
 * A migrated database for the calling test file, opened as the portal opens it (db/postgres.ts
 * openPostgres: its context, bigint parsing, transactions); closed, then dropped, after the file.
 */
export async function openMigratedPostgres(
  options: PostgresOptions = { poolSize: 4 },
): Promise<{ url: string; db: Db }> {
  const { url } = await migratedPostgresDatabase();
  const db = await openPostgres(url, options);
  // Registered after the drop, so it runs first (clean-ups run newest first).
  onCleanup(() => closeDatabase(db));
  return { url, db };
}
