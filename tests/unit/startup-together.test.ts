/**
 * Several portal processes starting at once on one empty database (issue 22, point 1): each
 * start migrates, installs the running-figure triggers and seeds the principles, so without a
 * lock two starts race (drizzle's migrator takes none, drizzle-orm#874) and one fails with
 * "relation already exists" or seeds twice. Here three runtimes, each with its own connection
 * pool as separate processes would have, start together on an empty database: all start, and
 * the database ends with one schema, one seed and one set of triggers (db/postgres.ts
 * underStartupLock). PostgreSQL only, in both passes of the suite: the embedded SQLite database is
 * one process's file (three connections to it in one process would wait on each other's locks
 * inside better-sqlite3's synchronous calls, which says nothing of a deployment).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { allRows, firstRow } from '../../db/dialect/index.ts';
import { closeDatabase } from '../../db/open.ts';
import { parseConfig } from '../../src/lib/platform/config.ts';
import { createRuntime, type Runtime } from '../../src/lib/runtime.ts';
import { onCleanup } from '../support/cleanup.ts';
import { createTestDatabase, dropTestDatabase, testDatabaseName } from '../support/postgres.ts';

const STARTS = 3;

/** The environment of a portal on an empty database; the key file shared, as instances must share it. */
async function emptyDatabaseEnv(): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-startup-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'secret.key');
  writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const env: Record<string, string> = { DATA_DIR: dir, SECRET_KEY_FILE: keyFile, DATABASE_POOL_SIZE: '3' };
  const name = testDatabaseName('startup');
  env.DATABASE_URL = await createTestDatabase(name);
  onCleanup(() => dropTestDatabase(name));
  return env;
}

describe('starting several processes at once on an empty database', () => {
  it('all start, with one schema, one seed and one set of running-figure triggers', async () => {
    const parsed = parseConfig(await emptyDatabaseEnv());
    if (!parsed.ok) throw new Error(parsed.error);
    const config = parsed.config;
    const started = await Promise.allSettled(Array.from({ length: STARTS }, () => createRuntime(config)));
    const runtimes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const rt of runtimes) onCleanup(() => closeDatabase(rt.db));
    expect(started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []))).toEqual([]);
    const db = (runtimes[0] as Runtime).db;

    const versions = await allRows<{ version: string }>(db, sql`select version from principle_versions order by id`);
    expect(versions.map((v) => v.version)).toEqual(['1.0', '1.1']);
    const grounds = await firstRow<{ n: number }>(db, sql`select count(*) as n from grounds`);
    expect(Number(grounds!.n)).toBeGreaterThan(0);
    const migrations = await firstRow<{ n: number }>(db, sql`select count(*) as n from drizzle.__drizzle_migrations`);
    expect(Number(migrations!.n)).toBe(1);
    const triggers = await allRows<{ name: string }>(
      db,
      sql`select tgname as name from pg_trigger where not tgisinternal and tgname like 'tally\\_%'`,
    );
    expect(triggers.length).toBe(new Set(triggers.map((t) => t.name)).size);
    expect(triggers.length).toBeGreaterThan(0);
  });

  it('a start that finds another under way says it is waiting, and goes on once that one is done', async () => {
    const env = await emptyDatabaseEnv();
    const parsed = parseConfig(env);
    if (!parsed.ok) throw new Error(parsed.error);
    // Another process's start, holding the lock (the key is db/postgres.ts STARTUP_LOCK).
    const other = new pg.Client({ connectionString: env.DATABASE_URL });
    await other.connect();
    let ended = false;
    onCleanup(() => (ended ? undefined : other.end()));
    await other.query(`select pg_advisory_lock(${0x4648_7374_6172_74n})`);
    const said: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void said.push(args.join(' ')));
    onCleanup(() => log.mockRestore());
    let done = false;
    const starting = createRuntime(parsed.config).then((rt) => {
      done = true;
      onCleanup(() => closeDatabase(rt.db));
      return rt;
    });
    // It waits (and says so) while the other holds the lock...
    for (let i = 0; i < 100 && !said.some((l) => l.startsWith('Waiting for another process')); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(said.filter((l) => l.startsWith('Waiting for another process'))).toHaveLength(1);
    expect(done).toBe(false);
    const versionsBefore = await other.query(
      `select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = 'principle_versions'`,
    );
    expect(versionsBefore.rows[0].n).toBe(0);
    // ...and starts once the other ends its session.
    await other.end();
    ended = true;
    const rt = await starting;
    const versions = await allRows<{ version: string }>(rt.db, sql`select version from principle_versions order by id`);
    expect(versions.map((v) => v.version)).toEqual(['1.0', '1.1']);
  });
});
