/**
 * The page cache's change tokens on PostgreSQL (docs/decisions/031-asynchronous-data-layer.md,
 * point 6). On SQLite they are prepared statements read synchronously on every cached request
 * (db/principles.ts); PostgreSQL cannot answer synchronously, so a watcher per handle keeps them
 * in memory and moves them:
 * - once a second (an unref'd timer) it reads `pg_current_wal_lsn()`, which moves on any
 *   committed write in the cluster, by any process, and reloads a small snapshot (the published
 *   versions' times, for the principles stamp);
 * - at once after every commit through this handle (db/transactions.ts onCommitted), and when
 *   this process publishes a version (`principlesChanged`), after which the snapshot counts as
 *   unknown until it has been read again.
 * The watcher stops itself once the pool has ended; `stopChangeWatcher` stops it at once.
 *
 * The WAL position is the cluster's, so it also moves for other databases and for the server's
 * own housekeeping: the tokens move more often than needed, never less, which only costs a recount.
 */
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.ts';
import { contextOf } from '../client.ts';
import { poolOf } from '../postgres.ts';
import { afterCommit, isOpenTransaction, onCommitted } from '../transactions.ts';
import { allRows } from './index.ts';

/** How often the WAL position and the snapshot are read. */
export const POLL_MS = 1_000;

export interface ChangeWatcher<T> {
  /** Moves after every commit through this handle, every WAL move, and every new snapshot. */
  token(): string;
  /** Moves when the cluster's WAL moved (whoever wrote), seen by the poll. */
  walMoves(): number;
  /** The last snapshot, or undefined before the first and while a change made here is not in it yet. */
  snapshot(): T | undefined;
  /** Reads the WAL position and the snapshot now (the poll does it every POLL_MS). */
  refresh(): Promise<void>;
  stop(): void;
}

/*
 * Kept on the handle's context (shared by every `tx` of its transactions), not in this module:
 * the start script and the Astro bundle each load their own copy of it but share one handle.
 */
const WATCHER = '$changeWatcher';
type Holder = { [WATCHER]?: Watcher<unknown> };

/** The handle's watcher, started by the first caller with the snapshot `load` reads. PostgreSQL only. */
export function changeWatcher<T>(db: Db, load: (db: Db) => Promise<T>): ChangeWatcher<T> {
  const holder = contextOf(db) as unknown as Holder;
  let watcher = holder[WATCHER] as Watcher<T> | undefined;
  if (!watcher || watcher.stopped) {
    watcher = new Watcher(db, load);
    Object.defineProperty(holder, WATCHER, { value: watcher, configurable: true, writable: true });
  }
  return watcher;
}

/** Stops the handle's watcher, if any (for whoever closes the pool; it also stops itself then). */
export function stopChangeWatcher(db: Db): void {
  (contextOf(db) as unknown as Holder)[WATCHER]?.stop();
}

/**
 * This process changed what the snapshot holds (a version published): once the change commits,
 * the snapshot is not trusted until read again, so the next request cannot be answered from it.
 * Nothing to do on SQLite or before a watcher exists.
 */
export function principlesChanged(db: DbOrTx): void {
  const watcher = (contextOf(db) as unknown as Holder)[WATCHER];
  if (!watcher || watcher.stopped) return;
  if (isOpenTransaction(db)) afterCommit(db, () => watcher.changed());
  else watcher.changed();
}

class Watcher<T> implements ChangeWatcher<T> {
  stopped = false;
  #moves = 0;
  #walMoves = 0;
  #lsn: string | undefined;
  /** The WAL moved at the last poll: move once more at the next (see #poll). */
  #settling = false;
  #snapshot: T | undefined;
  #snapshotKey: string | undefined;
  /** Changes made here (principlesChanged), and how many the snapshot was read after. */
  #changes = 0;
  #loadedAfter = -1;
  #running: Promise<void> | undefined;
  #again = false;
  #failing = false;
  readonly #timer: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  readonly #db: Db;
  readonly #load: (db: Db) => Promise<T>;

  constructor(db: Db, load: (db: Db) => Promise<T>) {
    this.#db = db;
    this.#load = load;
    this.#unsubscribe = onCommitted(db, () => {
      this.#moves += 1;
      void this.refresh();
    });
    this.#timer = setInterval(() => void this.refresh(), POLL_MS);
    this.#timer.unref();
    void this.refresh();
  }

  token(): string {
    return String(this.#moves);
  }

  walMoves(): number {
    return this.#walMoves;
  }

  snapshot(): T | undefined {
    return this.#loadedAfter === this.#changes ? this.#snapshot : undefined;
  }

  changed(): void {
    this.#changes += 1;
    this.#moves += 1;
    void this.refresh();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.#timer);
    this.#unsubscribe();
  }

  /** One poll at a time; a call during one runs another after it (a commit may have landed meanwhile). */
  refresh(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#poll();
        } while (this.#again && !this.stopped);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async #poll(): Promise<void> {
    if (this.#poolEnded()) return this.stop();
    const changes = this.#changes;
    try {
      const [row] = await allRows<{ lsn: string }>(this.#db, sql`select pg_current_wal_lsn()::text as lsn`);
      // Read after the WAL position, in a later statement, so it sees every commit up to it.
      const snapshot = await this.#load(this.#db);
      // A commit's WAL record is written a moment before the commit is visible to others, so
      // after a move the token moves once more at the next poll, when it surely is.
      const walMoved = row!.lsn !== this.#lsn;
      if (walMoved || this.#settling) {
        this.#walMoves += 1;
        this.#moves += 1;
      }
      this.#settling = walMoved;
      this.#lsn = row!.lsn;
      const key = JSON.stringify(snapshot);
      if (key !== this.#snapshotKey || this.#loadedAfter !== changes) this.#moves += 1;
      this.#snapshot = snapshot;
      this.#snapshotKey = key;
      this.#loadedAfter = changes;
      this.#failing = false;
    } catch (error) {
      if (this.#poolEnded()) return this.stop();
      // Said once while the server is away, not every second; the tokens stand still meanwhile.
      if (!this.#failing) console.error('The page cache could not read PostgreSQL:', (error as Error).message);
      this.#failing = true;
    }
  }

  #poolEnded(): boolean {
    // node-postgres's Pool sets these in end(); not in its type definitions.
    const pool = poolOf(this.#db) as unknown as { ending?: boolean; ended?: boolean };
    return !!(pool.ending || pool.ended);
  }
}
