/**
 * The composition root: configuration, database and clock, built once per process.
 *
 * scripts/start.ts builds it before the server listens (so migrations and first-run work happen
 * at start-up) and the Astro bundle finds the same instance through a global symbol, because the
 * start script and the bundle each hold their own copy of this module.
 */
import { setAuditClock } from '../../db/audit.ts';
import { migrateDatabase, openDatabase, type Db, type DbOrTx } from '../../db/client.ts';
import { setMessageIdDomain } from '../../db/outbox.ts';
import { seedPrinciples } from '../../db/principles.ts';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { prepareSecrets } from './platform/secret-key.ts';

export interface Runtime {
  config: Config;
  db: Db;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
}

/**
 * A runtime whose database may be a transaction's `tx`: what code that can run inside a
 * transaction takes, so it uses the transaction and not the database beside it (tests guard
 * this: db/client.ts guardTransactions). A Runtime is a Scope.
 */
export interface Scope extends Omit<Runtime, 'db'> {
  db: DbOrTx;
}

/** Runs `fn` in one transaction of `rt`'s database (a savepoint inside another), with the scope it needs. */
export function inTransaction<T>(rt: Scope, fn: (scope: Scope) => T): T {
  return rt.db.transaction((tx) => fn({ ...rt, db: tx }));
}

const KEY = Symbol.for('fair-hearing.runtime');
type Holder = { [KEY]?: Runtime };

/**
 * Opens and migrates the database, installs the secret key (a bad one throws ConfigError) and
 * seeds versions 1.0 and 1.1 of the principles when empty.
 */
export function createRuntime(config: Config, now: () => Date = () => new Date()): Runtime {
  const db = openDatabase(config.databaseFile);
  migrateDatabase(db);
  // The key for secrets at rest; plain TOTP secrets from an earlier version are encrypted now.
  try {
    prepareSecrets(db, config);
  } catch (error) {
    db.$client.close();
    throw error;
  }
  seedPrinciples(db, now(), {
    crisisUrl: config.org.crisisUrl,
    complaintsUrl: config.org.complaintsUrl,
    contactEmail: config.org.contactEmail,
    reviewWorkingDays: config.reviewWorkingDays,
  });
  setMessageIdDomain(new URL(config.publicUrl).hostname);
  setAuditClock(now);
  return { config, db, now };
}

export function installRuntime(runtime: Runtime): Runtime {
  (globalThis as Holder)[KEY] = runtime;
  return runtime;
}

/** The process's runtime, created from the environment on first use (e.g. under `astro dev`). */
export function getRuntime(): Runtime {
  return (globalThis as Holder)[KEY] ?? installRuntime(createRuntime(loadConfig()));
}

/** For command-line entry points: the runtime, or the one-line message (e.g. a bad key) and exit code 1. */
export function createRuntimeOrExit(config: Config): Runtime {
  try {
    return createRuntime(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
