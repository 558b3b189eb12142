/**
 * The test server's database, for specs that arrange or check data directly: the SQLite file
 * under E2E_DATA_DIR, or the PostgreSQL database playwright.config.ts made for the run
 * (E2E_DATABASE_URL, TEST_DATABASE=postgres). Specs reach it only through here, with portable
 * queries (db/dialect/index.ts), so every spec runs on either engine.
 *
 *   const db = await openServerDatabase();
 *   try { … } finally { await closeDatabase(db); }   // db/open.ts
 */
import { count, eq, like } from 'drizzle-orm';
import { openDatabase, type Db } from '../../db/client.ts';
import { POLL_MS } from '../../db/dialect/change-token.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { closeDatabase } from '../../db/open.ts';
import { openPostgres } from '../../db/postgres.ts';
import { transaction, type Tx } from '../../db/transactions.ts';
import { parseConfig, type Config } from '../../src/lib/platform/config.ts';

/**
 * The server's configuration as far as the database goes (the same DATA_DIR and DATABASE_URL), for
 * the domain functions and createRuntime. A spec needs few connections: a small pool leaves the
 * server's own pool room on the PostgreSQL server.
 */
export function e2eConfig(): Config {
  const databaseUrl = process.env.E2E_DATABASE_URL;
  const parsed = parseConfig({
    DATA_DIR: process.env.E2E_DATA_DIR,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '2' } : {}),
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.config;
}

/**
 * Opens the server's database as it is: no migration and no seeding, which the server did when it
 * started (and which would race its requests). Close it with closeDatabase (db/open.ts).
 */
export async function openServerDatabase(): Promise<Db> {
  const config = e2eConfig();
  const context = { messageIdDomain: new URL(config.publicUrl).hostname };
  if (config.databaseUrl) return openPostgres(config.databaseUrl, { poolSize: config.databasePoolSize, context });
  return openDatabase(config.databaseFile, context);
}

/**
 * Waits until the server has seen what this process wrote, for its cached public pages. SQLite
 * tells it on its next request (data_version); on PostgreSQL its change watcher reads the WAL
 * position once a poll (db/dialect/change-token.ts, decision 031 point 6), so until then a page
 * cached before the write may be served once more. Two polls and a margin leave room for the
 * snapshot the watcher reloads after it.
 */
export async function untilServerNotices(): Promise<void> {
  if (process.env.E2E_DATABASE_URL) await new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS + 500));
}

/**
 * Seeds the server's database once a run (specs may be retried or run again against one server):
 * `work` runs in one transaction, given the id of version 1.0 of the principles, unless a case whose
 * reference starts with `prefix` is there already. One transaction, through the builders, so
 * either engine's tally triggers see the rows.
 */
export async function seedOnce(prefix: string, work: (tx: Tx, versionId: number) => Promise<void>): Promise<void> {
  const db = await openServerDatabase();
  try {
    const { cases, principleVersions } = tablesOf(db);
    const [already] = await db
      .select({ n: count() })
      .from(cases)
      .where(like(cases.reference, `${prefix}%`));
    if (already!.n > 0) return;
    const [version] = await db
      .select({ id: principleVersions.id })
      .from(principleVersions)
      .where(eq(principleVersions.version, '1.0'));
    await transaction(db, (tx) => work(tx, version!.id));
  } finally {
    await closeDatabase(db);
  }
}
