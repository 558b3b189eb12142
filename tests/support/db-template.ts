/**
 * Global setup of the unit suite: migrates one database once, so that each test's database
 * (tests/support/db.ts) starts as a copy of it instead of running every migration again: a SQLite
 * file always, and with TEST_DATABASE=postgres also a template database on the TEST_DATABASE_URL
 * server, dropped when the suite ends.
 * Only migrated: the seed (principles with the test's clock) and the secret key are each test's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { closeDatabase, openConfiguredDatabase } from '../../db/open.ts';
import { createTestDatabase, dropTestDatabase, testDatabaseName, testEngine } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, otherwise empty database file to copy (unset outside the unit suite). */
    migratedDatabase: string;
    /** The name of a migrated PostgreSQL database to copy (unset unless TEST_DATABASE=postgres). */
    postgresTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A mistyped TEST_DATABASE stops the suite here rather than running it on SQLite.
  const engine = testEngine();
  const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-db-template-'));
  const file = join(dir, 'migrated.sqlite');
  // Opened as createRuntime opens it, so a copy needs nothing more than the seed and the key.
  // Closing checkpoints the WAL into the file, so the file alone is the whole database.
  await closeDatabase(
    await openConfiguredDatabase({ databaseFile: file, databaseUrl: undefined, databasePoolSize: 1 }),
  );
  project.provide('migratedDatabase', file);
  const template = engine === 'postgres' ? await postgresTemplate() : undefined;
  if (template) project.provide('postgresTemplate', template);
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (template) await dropTestDatabase(template);
  };
}

/** A migrated PostgreSQL database, its pool closed: CREATE DATABASE … TEMPLATE refuses one in use. */
async function postgresTemplate(): Promise<string> {
  const name = testDatabaseName('template');
  const url = await createTestDatabase(name);
  try {
    await closeDatabase(await openConfiguredDatabase({ databaseFile: '', databaseUrl: url, databasePoolSize: 1 }));
  } catch (error) {
    await dropTestDatabase(name);
    throw error;
  }
  return name;
}
