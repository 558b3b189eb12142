/**
 * Opens PostgreSQL (DATABASE_URL) through node-postgres and drizzle's node-postgres driver, with a
 * pool of DATABASE_POOL_SIZE clients, and applies db/migrations-pg. The handle is typed as the
 * SQLite one (db/client.ts Db) so the queries are written once; db/dialect/index.ts hands them
 * the pg-core tables for it. docs/decisions/031-asynchronous-data-layer.md.
 */
import { resolve } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Db, DbContext } from './client.ts';
import * as pgSchema from './schema/pg/index.ts';
import { SecretKeyRing } from './secret-box.ts';
import { registerConnection, type Tx } from './transactions.ts';

/** The PostgreSQL migrations (db/drizzle.pg.config.ts), found from the working directory as db/client.ts does. */
export const PG_MIGRATIONS_DIR = resolve(process.cwd(), 'db/migrations-pg');

/** int8 (count(*), sum of integers, bigint columns) and numeric: node-postgres gives strings. */
const INT8 = 20;
const NUMERIC = 1700;

/**
 * Our bigints are counts and milliseconds, far below 2^53, so they are read as numbers, as the
 * SQLite driver gives them. Set on node-postgres's type table itself: drizzle's node-postgres
 * driver passes that table with every query, so a pool's own `types` would be ignored. Every
 * PostgreSQL client in this process (ours alone) reads them so.
 */
function readBigintsAsNumbers(): void {
  pg.types.setTypeParser(INT8, (value) => Number(value));
  pg.types.setTypeParser(NUMERIC, (value) => Number(value));
}

/** How long to wait for a pool client (a new connection, or a free one) before failing. */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface PostgresOptions {
  /** Clients in the pool (DATABASE_POOL_SIZE). */
  poolSize: number;
  context?: Partial<Omit<DbContext, 'engine'>>;
}

const CONTEXT = '$context';

/** Connects (a bad URL or an unreachable server rejects here, before anything else starts). */
export async function openPostgres(url: string, options: PostgresOptions): Promise<Db> {
  readBigintsAsNumbers();
  // A bounded wait for a client: with the server gone, /healthz and requests answer (with an error)
  // instead of waiting for ever.
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // An idle client whose server went away emits 'error'; without a listener that ends the process.
  pool.on('error', (error) => console.error('PostgreSQL client error:', error.message));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await endPool(pool);
    throw error;
  }
  const db = drizzle({ client: pool, schema: pgSchema }) as unknown as Db;
  const context: DbContext = {
    now: () => new Date(),
    messageIdDomain: 'localhost',
    emailEnqueued: new Set(),
    secretKeys: new SecretKeyRing(),
    ...options.context,
    engine: 'postgres',
  };
  Object.defineProperty(db, CONTEXT, { value: context, writable: true });
  const base = drizzle({ client: pool, schema: pgSchema }) as unknown as Db;
  Object.defineProperty(base, CONTEXT, { value: context, writable: true });
  registerConnection(
    db,
    base,
    (tx: Tx) => {
      (tx as unknown as Record<string, unknown>)[CONTEXT] = context;
    },
    'postgres',
  );
  return db;
}

/** Applies db/migrations-pg (drizzle's migrator; each migration in its own transaction). */
export async function migratePostgres(db: Db, migrationsFolder = PG_MIGRATIONS_DIR): Promise<void> {
  await migrate(db as unknown as Parameters<typeof migrate>[0], { migrationsFolder });
}

/** The key of the start-up advisory lock (any constant; 'FH' 'start' in ASCII). */
const STARTUP_LOCK = 0x4648_7374_6172_74n;

/**
 * Runs `fn` (migrations, triggers, seeding) while holding a session-level advisory lock, so that
 * processes starting together on one database take turns: the first does the work, the next find
 * it done. drizzle's migrator takes no lock of its own (drizzle-orm#874); without this, two
 * starts on an empty database both create its schema and one fails. The lock is held by a
 * connection of its own, outside the pool (a pool of one client would otherwise wait for itself);
 * `fn`'s statements use the pool (an advisory lock only makes other sessions wait), and each of
 * its transactions takes its snapshot after the lock was granted, so it sees the work of the
 * process before. Ending that connection releases the lock, also when `fn` fails; a process
 * killed mid-start releases it with its session. A start that has to wait says so, once.
 */
export async function underStartupLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const holder = new pg.Client({ ...poolOf(db).options, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // As for the pool: a connection lost while idle emits 'error', which would otherwise end the
  // process; the statement under way (if any) fails on its own.
  holder.on('error', (error) => console.error('PostgreSQL client error:', error.message));
  await holder.connect();
  try {
    const key = STARTUP_LOCK.toString();
    const { rows } = await holder.query<{ got: boolean }>('select pg_try_advisory_lock($1) as got', [key]);
    if (!rows[0]!.got) {
      console.log('Waiting for another process starting on this database to finish its migrations…');
      await holder.query('select pg_advisory_lock($1)', [key]);
    }
    return await fn();
  } finally {
    await holder.end().catch(() => undefined);
  }
}

/** The pool behind a PostgreSQL handle. */
export function poolOf(db: Db): pg.Pool {
  return db.$client as unknown as pg.Pool;
}

/** How long endPool waits for the last connections to close after the pool has ended. */
const CLOSE_WAIT_MS = 5_000;

/**
 * Ends the pool and waits until each of its connections has closed. node-postgres's `pool.end()`
 * resolves once every client has been asked to close, before the server has answered: a database
 * dropped (or a server stopped) just after would terminate those sessions, and the pool would
 * report it as an error of an idle client. Bounded, in case a client never reports its end.
 */
export async function endPool(pool: pg.Pool): Promise<void> {
  const open = pool.totalCount;
  let closed = 0;
  let timer: NodeJS.Timeout | undefined;
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0) return resolve();
    pool.on('remove', () => {
      if (++closed >= open) resolve();
    });
    timer = setTimeout(resolve, CLOSE_WAIT_MS);
    timer.unref();
  });
  await pool.end();
  await allClosed;
  clearTimeout(timer);
}
