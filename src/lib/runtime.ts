/**
 * The composition root: configuration, database (with its clock, Message-ID domain, enqueue
 * listeners and secret keys), clock and the caches kept between requests, built once per process.
 *
 * scripts/start.ts builds it before the server listens (so migrations and first-run work happen
 * at start-up) and hands it to every request as `locals.runtime` (src/server/http-server.ts,
 * src/middleware.ts). Nothing is kept on the global object or in module state: the start script and
 * the Astro bundle each load their own copy of the modules, so objects are passed, not looked up
 * (docs/decisions/002-server-entry.md). The secret keys too belong to the database handle
 * (db/client.ts DbContext `secretKeys`), so two runtimes in one process keep their own.
 */
import type { Db } from '../../db/client.ts';
import { DatabaseConnectionError, openConfiguredDatabase } from '../../db/open.ts';
import { seedPrinciples } from '../../db/principles.ts';
import { ConfigError, type Config, prepareSecrets, type Runtime } from './platform/index.ts';

export type { Runtime, Scope } from './platform/index.ts';
export { inTransaction } from './platform/index.ts';

/**
 * Opens and migrates the database (SQLite, or PostgreSQL when DATABASE_URL is set: a server that
 * cannot be reached throws ConfigError), installs the secret key in the database's context (a bad
 * one throws ConfigError) and seeds versions 1.0 and 1.1 of the principles when empty.
 */
export async function createRuntime(config: Config, now: () => Date = () => new Date()): Promise<Runtime> {
  // Run after the migrations, under the start-up lock on PostgreSQL (db/open.ts); on failure the
  // database is closed again (an open pool would keep the process alive after a refused start).
  const prepare = async (db: Db) => {
    // The key for secrets at rest; plain TOTP secrets from an earlier version are encrypted now.
    await prepareSecrets(db, config);
    await seedPrinciples(db, now(), {
      crisisUrl: config.org.crisisUrl,
      complaintsUrl: config.org.complaintsUrl,
      contactEmail: config.org.contactEmail,
      reviewWorkingDays: config.reviewWorkingDays,
    });
  };
  const db = await openDatabaseOf(config, now, prepare);
  return { config, db, now, caches: new Map(), pageCacheGeneration: { value: 0 } };
}

/** The configured database, opened, migrated and prepared; a PostgreSQL server out of reach is a ConfigError. */
async function openDatabaseOf(config: Config, now: () => Date, prepare: (db: Db) => Promise<void>) {
  try {
    return await openConfiguredDatabase(config, { now, messageIdDomain: new URL(config.publicUrl).hostname }, prepare);
  } catch (error) {
    // The message names the variable and a reason, never the URL (it may hold a password).
    if (error instanceof DatabaseConnectionError)
      throw new ConfigError(`Configuration error: DATABASE_URL: ${error.message}`);
    throw error;
  }
}

/** For command-line entry points: the runtime, or the one-line message (e.g. a bad key) and exit code 1. */
export async function createRuntimeOrExit(config: Config): Promise<Runtime> {
  try {
    return await createRuntime(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
