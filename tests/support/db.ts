/**
 * A fresh, migrated SQLite file per test file (under the OS temp folder), removed afterwards. In
 * the unit suite it starts as a copy of one database migrated once (tests/support/db-template.ts).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { guardTransactions } from '../../db/client.ts';
import { parseConfig, type Config } from '../../src/lib/platform/config.ts';
import { createRuntime, type Runtime } from '../../src/lib/runtime.ts';
import { onCleanup } from './cleanup.ts';

export function testConfig(env: Record<string, string> = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-test-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const result = parseConfig({ DATA_DIR: dir, ...env });
  if (!result.ok) throw new Error(result.error);
  return result.config;
}

/** A runtime over a fresh database; `now` defaults to the real clock. */
export function testRuntime(options: { now?: () => Date; env?: Record<string, string> } = {}): Runtime {
  const config = testConfig(options.env);
  const template = inject('migratedDatabase');
  // The migrations then find nothing to do; seeding and the secret key happen as usual.
  if (template) copyFileSync(template, config.databaseFile);
  const runtime = createRuntime(config, options.now);
  // Every statement inside a transaction must use its tx (db/client.ts guardTransactions).
  guardTransactions(runtime.db);
  onCleanup(() => runtime.db.$client.close());
  return runtime;
}
