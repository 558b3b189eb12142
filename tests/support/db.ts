/**
 * A fresh, migrated database per test runtime, removed afterwards: a SQLite file (under the OS
 * temp folder) or, with TEST_DATABASE=postgres, a database on the TEST_DATABASE_URL server. In the
 * unit suite it starts as a copy of one database migrated once (tests/support/db-template.ts).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { guardTransactions } from '../../db/client.ts';
import { closeDatabase } from '../../db/open.ts';
import { parseConfig, type Config } from '../../src/lib/platform/config.ts';
import { createRuntime, type Runtime } from '../../src/lib/runtime.ts';
import { onCleanup } from './cleanup.ts';
import { createTestDatabase, dropTestDatabase, testDatabaseName, testEngine } from './postgres.ts';

/** Clients in each test runtime's PostgreSQL pool: a few are enough, and many files run at once. */
const TEST_POOL_SIZE = 4;

export function testConfig(env: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-test-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const result = parseConfig({ DATA_DIR: dir, ...env });
  if (!result.ok) throw new Error(result.error);
  return result.config;
}

export interface TestRuntimeOptions {
  now?: () => Date;
  env?: Record<string, string>;
  /**
   * For a test of something only one engine has (SQLite's trigger text, WAL and file modes;
   * PostgreSQL's pool and serialization failures): it then runs on that engine whatever
   * TEST_DATABASE says, in both passes of the suite. Unset: the engine TEST_DATABASE names.
   */
  engine?: 'sqlite' | 'postgres';
}

/** A runtime over a fresh database; `now` defaults to the real clock. */
export async function testRuntime(options: TestRuntimeOptions = {}): Promise<Runtime> {
  const config = await withOwnDatabase(testConfig(options.env), options.engine ?? testEngine());
  const runtime = await createRuntime(config, options.now);
  // Every statement inside a transaction must use its tx (db/client.ts guardTransactions).
  guardTransactions(runtime.db);
  // Registered after the drop of a PostgreSQL database, so it runs first (newest first).
  onCleanup(() => closeDatabase(runtime.db));
  return runtime;
}

/**
 * `config` pointed at a database of its own on the engine TEST_DATABASE names, copied from the
 * suite's migrated one when there is one: the migrations then find nothing to do, and seeding and
 * the secret key happen as usual.
 */
async function withOwnDatabase(config: Config, engine: 'sqlite' | 'postgres'): Promise<Config> {
  if (engine === 'postgres') {
    const name = testDatabaseName();
    const databaseUrl = await createTestDatabase(name, inject('postgresTemplate'));
    onCleanup(() => dropTestDatabase(name));
    return { ...config, databaseUrl, databasePoolSize: TEST_POOL_SIZE };
  }
  const template = inject('migratedDatabase');
  if (template) copyFileSync(template, config.databaseFile);
  return config;
}
