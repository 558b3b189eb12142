/**
 * The composition root: configuration, database and clock, built once per process.
 *
 * scripts/start.ts builds it before the server listens (so migrations and first-run work happen
 * at start-up) and the Astro bundle finds the same instance through a global symbol, because the
 * start script and the bundle each hold their own copy of this module.
 */
import { setAuditClock } from '../../db/audit.ts';
import { migrateDatabase, openDatabase } from '../../db/client.ts';
import { setMessageIdDomain } from '../../db/outbox.ts';
import { seedPrinciples } from '../../db/principles.ts';
import { ConfigError, loadConfig, type Config, prepareSecrets, type Runtime } from './platform/index.ts';

export type { Runtime, Scope } from './platform/index.ts';
export { inTransaction } from './platform/index.ts';

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
