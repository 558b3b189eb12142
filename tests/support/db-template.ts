/**
 * Global setup of the unit suite: migrates one database once, so that each test's database
 * (tests/support/db.ts) starts as a copy of it instead of running every migration again.
 * Only migrated: the seed (principles with the test's clock) and the secret key are each test's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrateDatabase, openDatabase } from '../../db/client.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, otherwise empty database file to copy (unset outside the unit suite). */
    migratedDatabase: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-db-template-'));
  const file = join(dir, 'migrated.sqlite');
  const db = openDatabase(file);
  migrateDatabase(db);
  // Closing checkpoints the WAL into the file, so the file alone is the whole database.
  db.$client.close();
  project.provide('migratedDatabase', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
