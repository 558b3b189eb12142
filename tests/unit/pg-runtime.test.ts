/**
 * createRuntime on PostgreSQL (DATABASE_URL): it connects, migrates, seeds the principles once and
 * seals plain TOTP secrets left by an earlier version, as on SQLite; a server it cannot reach or
 * that refuses the credentials stops start-up with one line naming DATABASE_URL, never echoing
 * the URL or its password. Needs TEST_DATABASE_URL (tests/support/postgres.ts): the file fails,
 * and says how to set it, when it is missing.
 */
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { contextOf } from '../../db/client.ts';
import { allRows, tablesOf } from '../../db/dialect/index.ts';
import { closeDatabase } from '../../db/open.ts';
import { poolOf } from '../../db/postgres.ts';
import { isSealed } from '../../db/secret-box.ts';
import { ConfigError, type Config } from '../../src/lib/platform/config.ts';
import { createRuntime } from '../../src/lib/runtime.ts';
import { testConfig } from '../support/db.ts';
import { freshPostgresDatabase, testDatabaseUrl } from '../support/postgres.ts';

/** A configuration for DATABASE_URL `url` (the secret key in a temporary DATA_DIR). */
const onPostgres = (url: string): Config => ({ ...testConfig(), databaseUrl: url, databasePoolSize: 2 });

/** What createRuntime refused `url` with. */
async function refusal(url: string): Promise<unknown> {
  return createRuntime(onPostgres(url)).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('createRuntime with DATABASE_URL', () => {
  it('migrates and seeds an empty database once, and seals plain TOTP secrets at start', async () => {
    const { url, pool } = await freshPostgresDatabase();
    const config = onPostgres(url);
    const rt = await createRuntime(config);
    try {
      expect(contextOf(rt.db).engine).toBe('postgres');
      const { principleVersions, grounds } = tablesOf(rt.db);
      expect((await rt.db.select().from(principleVersions)).map((v) => v.version).sort()).toEqual(['1.0', '1.1']);
      expect((await rt.db.select().from(grounds)).length).toBeGreaterThan(0);
    } finally {
      await closeDatabase(rt.db);
    }
    // A seed left in plain text by an earlier version; the next start seals it, and seeds nothing more.
    await pool.query(
      "insert into staff (email, name, totp_secret) values ('old@example.org', 'Old', 'JBSWY3DPEHPK3PXP')",
    );
    const again = await createRuntime(config);
    await closeDatabase(again.db);
    const stored = await pool.query<{ s: string }>(
      "select totp_secret as s from staff where email = 'old@example.org'",
    );
    expect(isSealed(stored.rows[0]!.s)).toBe(true);
    expect((await pool.query('select count(*)::int as n from principle_versions')).rows[0]).toEqual({ n: 2 });
  });

  it('stops on a server it cannot reach, naming DATABASE_URL and not the URL or password', async () => {
    const error = await refusal('postgres://fair:s3cret-word@127.0.0.1:1/nowhere');
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'Configuration error: DATABASE_URL: could not connect to PostgreSQL (ECONNREFUSED)',
    );
  });

  it('stops on a wrong password, without echoing it or the user', async () => {
    const url = testDatabaseUrl();
    url.password = 's3cret-word';
    const error = await refusal(url.href);
    expect(error).toBeInstanceOf(ConfigError);
    const { message } = error as Error;
    expect(message).toBe(
      'Configuration error: DATABASE_URL: could not connect to PostgreSQL (password authentication failed)',
    );
    expect(message).not.toContain(url.username);
  });

  it('closes the database only once every connection has closed', async () => {
    // pool.end() alone resolves before its clients' connections have closed; a database dropped
    // then (the tests' clean-up, with force) terminated them and the pool threw an idle-client error.
    const { url } = await freshPostgresDatabase();
    const rt = await createRuntime({ ...onPostgres(url), databasePoolSize: 4 });
    const open = new Set<pg.PoolClient>();
    poolOf(rt.db).on('acquire', (client) => {
      if (open.has(client)) return;
      open.add(client);
      client.once('end', () => open.delete(client));
    });
    await Promise.all([1, 2, 3, 4].map(() => allRows(rt.db, sql`select pg_sleep(0.05)`)));
    expect(open.size).toBe(4);
    await closeDatabase(rt.db);
    expect(open.size).toBe(0);
  });
});
