/**
 * Opens the SQLite database (WAL, foreign keys, busy timeout) and applies migrations.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';
import { SecretKeyRing } from './secret-box.ts';
import { installTallies } from './tallies.ts';
import { registerConnection, transactionInProgress, whenNoTransaction } from './transactions.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** The database, or the transaction handle drizzle passes to `db.transaction(tx => …)`. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Migrations are found from the working directory, not import.meta.url, because the bundler
 * moves this module into dist/server/chunks.
 */
export const MIGRATIONS_DIR = resolve(process.cwd(), 'db/migrations');

/** Owner read and write only: the database holds personal data (docs/decisions/015-secrets-at-rest.md). */
export const PRIVATE_FILE_MODE = 0o600;
/** Folders we create for private files: owner only. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Makes `file` (created empty if missing) and its `-wal`/`-shm` companions owner-only. SQLite
 * creates the companions with the mode of the main file, so creating that one 0600 first is
 * enough for new files; chmod tightens files an earlier version created 0644.
 */
export function makePrivate(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (existsSync(f) && (statSync(f).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(f, PRIVATE_FILE_MODE);
  }
}

/**
 * What the queries in db/ need besides the connection, carried by the handle itself (and by every
 * `tx` of its transactions), so no module keeps process-wide state: the start script and the
 * Astro bundle each load their own copy of these modules but share one handle (the runtime's,
 * passed to the pages as `locals.runtime`). createRuntime fills it from the configuration, its
 * clock and the secret key; docs/decisions/002-server-entry.md.
 */
/** Which engine a handle talks to: embedded SQLite (the default) or PostgreSQL (DATABASE_URL). */
export type Engine = 'sqlite' | 'postgres';

export interface DbContext {
  /** The engine (db/dialect/index.ts picks the table set and statement forms by it). */
  readonly engine: Engine;
  /** The clock for audit entries (the runtime's). */
  readonly now: () => Date;
  /** The host part of new Message-IDs (the host of PUBLIC_URL). */
  readonly messageIdDomain: string;
  /** Called soon after each email enqueued through this handle (db/outbox.ts onEmailEnqueued). */
  readonly emailEnqueued: Set<() => void>;
  /**
   * The keys the secrets at rest are sealed and opened with (db/staff.ts, the TOTP seeds); empty
   * until createRuntime installs the configured key (src/lib/platform/secret-key.ts).
   */
  readonly secretKeys: SecretKeyRing;
}

const CONTEXT = '$context';
type WithContext = { [CONTEXT]?: DbContext };

/** The context of a database handle or of a transaction's `tx` (openDatabase attaches it). */
export function contextOf(db: DbOrTx): DbContext {
  const context = (db as WithContext)[CONTEXT];
  if (!context) throw new Error('This database handle was not opened with openDatabase');
  return context;
}

export function openDatabase(file: string, context: Partial<Omit<DbContext, 'engine'>> = {}): Db {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    makePrivate(file);
  }
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // In WAL mode NORMAL survives a crash of the process (SIGKILL) without losing a committed
  // transaction; only a power loss could drop the last ones (docs/decisions/003-database.md).
  sqlite.pragma('synchronous = NORMAL');
  // Deleted and overwritten content is zeroed, not left in free space: a delivered email's link,
  // once redacted, and purged personal data are gone from the file (docs/decisions/015-secrets-at-rest.md).
  sqlite.pragma('secure_delete = ON');
  cachePreparedStatements(sqlite);
  const db = drizzle(sqlite, { schema }) as Db;
  const full: DbContext = {
    engine: 'sqlite',
    now: () => new Date(),
    messageIdDomain: 'localhost',
    emailEnqueued: new Set(),
    secretKeys: new SecretKeyRing(),
    ...context,
  };
  (db as WithContext)[CONTEXT] = full;
  // The asynchronous transactions (db/transactions.ts) hand out handles made from a second, plain
  // drizzle handle on the same connection, each carrying this context.
  registerConnection(db, drizzle(sqlite, { schema }) as Db, (tx) => {
    (tx as WithContext)[CONTEXT] = full;
  });
  return db;
}

/** Thrown by a guarded database (guardTransactions) used directly inside one of its transactions. */
export class OutsideTransactionError extends Error {}

/**
 * For tests: makes `db` throw when it is used directly (a query, a raw statement) while one of
 * its transactions is running, so every statement inside a transaction must go through that
 * transaction's `tx`. On SQLite a stray `db` call happens to run on the same connection; on a
 * pooled engine it would run on another connection, outside the transaction, and could wait for
 * it forever. drizzle's own `db.transaction` always throws: transactions are opened with
 * transaction() (db/transactions.ts). tests/support/db.ts guards every unit test's database.
 */
export function guardTransactions(db: Db): Db {
  const check = (what: string) => {
    if (transactionInProgress(db))
      throw new OutsideTransactionError(`db.${what} was used inside a transaction: use the transaction's tx`);
  };
  const target = db as unknown as Record<string, unknown>;
  for (const name of [
    'select',
    'selectDistinct',
    'insert',
    'update',
    'delete',
    'run',
    'execute',
    'all',
    'get',
    'values',
    'with',
    '$count',
  ] as const) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = (...args: unknown[]) => {
      check(name);
      return (original as (...a: unknown[]) => unknown).apply(db, args);
    };
  }
  for (const name of ['query', '$client'] as const) {
    const value = target[name];
    Object.defineProperty(db, name, {
      configurable: true,
      get() {
        check(name);
        return value;
      },
    });
  }
  // drizzle's own transactions neither queue with ours (on SQLite) nor carry the handle's context.
  db.transaction = (() => {
    throw new Error(
      'db.transaction is not for this project: use transaction(db, async (tx) => …) from db/transactions.ts',
    );
  }) as Db['transaction'];
  return db;
}

export function migrateDatabase(db: Db, migrationsFolder = MIGRATIONS_DIR): void {
  migrate(db, { migrationsFolder });
  // Triggers keeping the running aggregates (transparency figures, queue counts); see db/tallies.ts.
  installTallies(db.$client);
}

/**
 * Copies the WAL into the database and empties it, so old page images (a link before its email
 * was delivered, data before a purge) do not linger in the -wal file. The server runs it every
 * 10 minutes; it waits for readers (busy_timeout) and returns false if it could not finish.
 */
export async function truncateWal(db: Db): Promise<boolean> {
  // PostgreSQL manages its own WAL (checkpoints, recycling); there is no file of ours to empty.
  if (contextOf(db).engine === 'postgres') return true;
  // Not while a transaction of this connection is open: the checkpoint would fail inside it.
  return whenNoTransaction(db, () => {
    const [result] = db.$client.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return result?.busy === 0;
  });
}

/** How many distinct SQL texts keep their prepared statement (least recently used dropped first). */
export const STATEMENT_CACHE_SIZE = 1000;

/**
 * drizzle prepares every query again on each call (better-sqlite3 `prepare`), and preparing costs
 * more than running for most of our statements: an insert into appeals (ten indexes, triggers)
 * takes longer to prepare than to execute. This keeps prepared statements by SQL text, so a query
 * built the same way is compiled once a connection. A statement is handed out again only when it
 * is not in the middle of an iteration, with its result modes (raw, pluck, expand) reset.
 */
function cachePreparedStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit && !hit.busy) {
      cache.delete(source);
      cache.set(source, hit);
      if (hit.reader) hit.raw(false).pluck(false).expand(false);
      return hit;
    }
    const statement = prepare(source);
    if (!hit) {
      cache.set(source, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    return statement;
  }) as typeof sqlite.prepare;
}
