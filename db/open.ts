/**
 * The database a configuration names, opened and migrated: embedded SQLite (the file under
 * DATA_DIR) when DATABASE_URL is unset, PostgreSQL otherwise (docs/decisions/031-asynchronous-data-layer.md).
 * createRuntime (src/lib/runtime.ts) and the unit suite's template (tests/support/db-template.ts)
 * open it here, so both get the same database; closeDatabase and isDatabaseHealthy work on either.
 */
import { stopChangeWatcher } from './dialect/change-token.ts';
import { installPostgresTallies } from './dialect/pg-tallies.ts';
import { sql } from 'drizzle-orm';
import { contextOf, migrateDatabase, openDatabase, type Db, type DbContext } from './client.ts';
import { execute } from './dialect/index.ts';
import { endPool, migratePostgres, openPostgres, poolOf, underStartupLock } from './postgres.ts';

/** What the configuration (src/lib/platform/config.ts Config) says about the database. */
export interface DatabaseSettings {
  /** The SQLite file, used when `databaseUrl` is not set. */
  readonly databaseFile: string;
  /** PostgreSQL (DATABASE_URL), or undefined for SQLite. */
  readonly databaseUrl: string | undefined;
  /** Clients in the PostgreSQL pool (DATABASE_POOL_SIZE). */
  readonly databasePoolSize: number;
}

/**
 * PostgreSQL could not be reached or refused us. The message holds only a reason made from the
 * error's code, never the driver's text, which may name the URL's user, host or database.
 */
export class DatabaseConnectionError extends Error {
  override name = 'DatabaseConnectionError';
  constructor(readonly reason: string) {
    super(`could not connect to PostgreSQL (${reason})`);
  }
}

/** Plain words for the SQLSTATEs a connection attempt ends with; other codes are shown as they are. */
const REFUSALS: Record<string, string> = {
  '28P01': 'password authentication failed',
  '28000': 'the server refused this role or address',
  '3D000': 'the database does not exist',
  '53300': 'too many connections',
  '57P03': 'the server is starting up or shutting down',
};

/** A reason safe to print: the error's code (ECONNREFUSED, ENOTFOUND, a SQLSTATE), in words where we have them. */
function connectionFailureReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return REFUSALS[code] ?? code;
  // node-postgres's SCRAM exchange throws without a code when the URL has no password.
  if (error instanceof Error && error.message.startsWith('SASL:')) return 'password authentication failed';
  return 'unknown reason';
}

/**
 * Opens the configured database and brings its schema up to date, then runs `prepare` (the
 * runtime's secrets and seed); on PostgreSQL all of it under the start-up lock, so processes
 * starting together take turns. A server that cannot be reached or refuses the credentials
 * rejects with DatabaseConnectionError; if the work fails, the database is closed again.
 */
export async function openConfiguredDatabase(
  settings: DatabaseSettings,
  context: Partial<Omit<DbContext, 'engine'>> = {},
  prepare: (db: Db) => Promise<void> = async () => {},
): Promise<Db> {
  if (!settings.databaseUrl) {
    const db = openDatabase(settings.databaseFile, context);
    try {
      migrateDatabase(db);
      await prepare(db);
    } catch (error) {
      await closeDatabase(db);
      throw error;
    }
    return db;
  }
  let db: Db;
  try {
    db = await openPostgres(settings.databaseUrl, { poolSize: settings.databasePoolSize, context });
  } catch (error) {
    throw new DatabaseConnectionError(connectionFailureReason(error));
  }
  try {
    // Several processes may start at once on one database: they take turns (db/postgres.ts).
    await underStartupLock(db, async () => {
      await migratePostgres(db);
      // Triggers keeping the running aggregates, as migrateDatabase installs them on SQLite.
      await installPostgresTallies(db);
      await prepare(db);
    });
  } catch (error) {
    await closeDatabase(db);
    throw error;
  }
  return db;
}

/** Closes the connection (SQLite) or ends every client of the pool (PostgreSQL). */
export async function closeDatabase(db: Db): Promise<void> {
  if (contextOf(db).engine === 'postgres') {
    stopChangeWatcher(db);
    await endPool(poolOf(db));
  } else db.$client.close();
}

/** True when the database answers a trivial query. */
export async function isDatabaseHealthy(db: Db): Promise<boolean> {
  try {
    await execute(db, sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
