/**
 * The asynchronous transactions of db/transactions.ts on a real database, on either engine:
 * commit and rollback, savepoints, work after commit, and the guard that refuses the database
 * itself inside one of its transactions. On SQLite, one transaction at a time on the connection;
 * on PostgreSQL, transactions side by side on the pool, tried again on a serialization failure.
 * Two copies of the module on one handle (the start script's and the bundle's):
 * tests/unit/transactions-module-copies.test.ts.
 */
import { sql, TransactionRollbackError } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { OutsideTransactionError, truncateWal, type Db, type DbOrTx } from '../../db/client.ts';
import { execute, firstRow } from '../../db/dialect/index.ts';
import { poolOf } from '../../db/postgres.ts';
import {
  afterCommit,
  isOpenTransaction,
  SERIALIZATION_ATTEMPTS,
  serializationWaitMs,
  transaction,
  whenNoTransaction,
} from '../../db/transactions.ts';
import { testRuntime } from '../support/db.ts';

const rt = await testRuntime();

const createCounter = async (db: Db) => {
  await execute(db, sql`create table counters (id integer primary key, n integer not null)`);
  await resetCounter(db);
};
const resetCounter = async (db: Db) => {
  await execute(db, sql`delete from counters`);
  await execute(db, sql`insert into counters (id, n) values (1, 0)`);
};
await createCounter(rt.db);

/**
 * For what only one engine does (SQLite's one-connection queue, PostgreSQL's pool and its
 * serialization failures): a runtime on that engine whatever TEST_DATABASE says, so each such
 * test runs in both passes of the suite instead of being skipped in one.
 */
async function counterRuntime(engine: 'sqlite' | 'postgres') {
  const pinned = await testRuntime({ engine });
  await createCounter(pinned.db);
  return pinned;
}

const read = async (db: DbOrTx): Promise<number> =>
  (await firstRow<{ n: number }>(db, sql`select n from counters where id = 1`))?.n ?? -1;
const write = (db: DbOrTx, n: number) => execute(db, sql`update counters set n = ${n} where id = 1`);
/** A real turn of the event loop, so that other work could run meanwhile. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

beforeEach(() => resetCounter(rt.db));

describe('transaction(db, fn)', () => {
  it('commits what fn did and resolves to what it returned', async () => {
    const result = await transaction(rt.db, async (tx) => {
      await write(tx, 5);
      await tick();
      return (await read(tx)) * 2;
    });
    expect(result).toBe(10);
    expect(await read(rt.db)).toBe(5);
  });

  it('rolls everything back when fn throws, and passes the error on', async () => {
    await expect(
      transaction(rt.db, async (tx) => {
        await write(tx, 7);
        await tick();
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await read(rt.db)).toBe(0);
    await expect(
      transaction(rt.db, async (tx) => {
        await write(tx, 8);
        tx.rollback();
      }),
    ).rejects.toBeInstanceOf(TransactionRollbackError);
    expect(await read(rt.db)).toBe(0);
    // The connection is usable afterwards.
    await transaction(rt.db, (tx) => write(tx, 1));
    expect(await read(rt.db)).toBe(1);
  });

  it('SQLite: runs the transactions of one connection one at a time, so read-then-write loses nothing', async () => {
    const rt = await counterRuntime('sqlite');
    const order: string[] = [];
    const increment = (name: string) =>
      transaction(rt.db, async (tx) => {
        order.push(`${name} begins`);
        const n = await read(tx);
        await tick();
        await write(tx, n + 1);
        order.push(`${name} ends`);
      });
    await Promise.all([increment('a'), increment('b'), increment('c')]);
    expect(await read(rt.db)).toBe(3);
    expect(order).toEqual(['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
  });

  it('PostgreSQL: runs transactions side by side on the pool, and read-then-write still loses nothing', async () => {
    const rt = await counterRuntime('postgres');
    let begun = 0;
    let allBegun!: () => void;
    const together = new Promise<void>((resolve) => (allBegun = resolve));
    // Queued one at a time, the first would wait here for the others for ever.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the transactions did not run side by side')), 2000);
    });
    const increment = () =>
      transaction(rt.db, async (tx) => {
        if (++begun === 3) allBegun();
        const n = await read(tx);
        await Promise.race([together, timeout]);
        await write(tx, n + 1);
      });
    await Promise.all([increment(), increment(), increment()]).finally(() => clearTimeout(timer));
    // All three read 0 together; the ones refused with a serialization failure ran again.
    expect(begun).toBeGreaterThan(3);
    expect(await read(rt.db)).toBe(3);
  });

  it('makes a nested transaction a savepoint: its failure undoes only its own work', async () => {
    await transaction(rt.db, async (tx) => {
      await write(tx, 1);
      await expect(
        transaction(tx, async (inner) => {
          await write(inner, 2);
          await tick();
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      expect(await read(tx)).toBe(1);
      await transaction(tx, async (inner) => write(inner, (await read(inner)) + 10));
    });
    expect(await read(rt.db)).toBe(11);
  });

  it('runs afterCommit work only after the outermost commit, and never after a rollback', async () => {
    const seen: string[] = [];
    let committedRead: Promise<number> | undefined;
    await transaction(rt.db, async (tx) => {
      await write(tx, 3);
      afterCommit(tx, () => {
        seen.push('committed');
        // Started inside the callback: what another reader sees at that moment.
        committedRead = read(rt.db);
      });
      await transaction(tx, (inner) => afterCommit(inner, () => seen.push('from the savepoint')));
      await tick();
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['committed', 'from the savepoint']);
    expect(await committedRead).toBe(3);
    await transaction(rt.db, (tx) => {
      afterCommit(tx, () => seen.push('rolled back'));
      tx.rollback();
    }).catch(() => undefined);
    await tick();
    expect(seen).toHaveLength(2);
  });

  it('ends its tx: a tx kept after its transaction cannot start another', async () => {
    let kept: DbOrTx | undefined;
    await transaction(rt.db, (tx) => {
      kept = tx;
      expect(isOpenTransaction(tx)).toBe(true);
    });
    expect(isOpenTransaction(kept!)).toBe(false);
    await expect(transaction(kept!, () => 1)).rejects.toThrow(/has ended/);
  });
});

describe('PostgreSQL: serialization failures', async () => {
  const rt = await counterRuntime('postgres');
  beforeEach(() => resetCounter(rt.db));

  it('tries a transaction again when another one committed a conflicting write, and the retry succeeds', async () => {
    const attempts = { a: 0, b: 0 };
    let bothRead!: () => void;
    let reads = 0;
    const barrier = new Promise<void>((resolve) => (bothRead = resolve));
    const increment = (name: 'a' | 'b') =>
      transaction(rt.db, async (tx) => {
        attempts[name] += 1;
        const n = await read(tx);
        // First attempts only: both have read n = 0 before either writes, so one of them must fail.
        if (attempts[name] === 1) {
          if (++reads === 2) bothRead();
          await barrier;
        }
        await write(tx, n + 1);
      });
    await Promise.all([increment('a'), increment('b')]);
    // One committed first; the other got a real 40001 and ran again from the start, reading 1.
    expect([attempts.a, attempts.b].sort()).toEqual([1, 2]);
    expect(await read(rt.db)).toBe(2);
  });

  it('commits every one of many transactions that read and write one row at once', async () => {
    // Eight writers on one row, as requests adding information to one appeal: with waits shorter
    // than a transaction takes, some ran out of attempts (a 500 in the hostile-input suite).
    const WRITERS = 8;
    const EACH = 25;
    const failures: unknown[] = [];
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        for (let i = 0; i < EACH; i++)
          await transaction(rt.db, async (tx) => {
            const n = await read(tx);
            await tick();
            await write(tx, n + 1);
          }).catch((error: unknown) => failures.push(error));
      }),
    );
    expect(failures).toEqual([]);
    expect(await read(rt.db)).toBe(WRITERS * EACH);
  });

  it('gives up after SERIALIZATION_ATTEMPTS attempts and passes the 40001 on', async () => {
    // Another client of the pool, outside the guard: it commits a write behind each attempt's back.
    const pool = poolOf(rt.db);
    let attempts = 0;
    const failure = await transaction(rt.db, async (tx) => {
      attempts += 1;
      const n = await read(tx);
      await pool.query('update counters set n = n + 100 where id = 1');
      await write(tx, n + 1);
    }).catch((error: unknown) => error);
    expect(attempts).toBe(SERIALIZATION_ATTEMPTS);
    expect(failure).toMatchObject({ cause: { code: '40001' } });
    // Only the other client's writes were kept.
    expect(await read(rt.db)).toBe(100 * SERIALIZATION_ATTEMPTS);
  });
});

describe('serializationWaitMs', () => {
  it('waits at random up to 10 ms, doubling each attempt, never over a second', () => {
    expect([1, 2, 3, 4].map((attempt) => serializationWaitMs(attempt, () => 1))).toEqual([10, 20, 40, 80]);
    expect(serializationWaitMs(8, () => 1)).toBe(1_000);
    expect(serializationWaitMs(30, () => 1)).toBe(1_000);
    expect(serializationWaitMs(5, () => 0)).toBe(0);
    expect(serializationWaitMs(5, () => 0.5)).toBe(80);
  });
});

describe('whenNoTransaction(db, fn)', () => {
  it('waits for the open transaction, so a WAL checkpoint never runs inside one', async () => {
    // SQLite's WAL file and its one-connection queue: PostgreSQL has neither.
    const lite = await testRuntime({ engine: 'sqlite' });
    await createCounter(lite.db);
    let release!: () => void;
    const waiting = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const open = transaction(lite.db, async (tx) => {
      await write(tx, 6);
      await waiting;
      order.push('committing');
    });
    const checkpoint = truncateWal(lite.db).then((done) => order.push(`checkpoint ${done}`));
    await tick();
    // Run at this moment, the checkpoint would fail: "database table is locked".
    expect(() => lite.db.$client.pragma('wal_checkpoint(TRUNCATE)')).toThrow(/locked/);
    expect(order).toEqual([]);
    release();
    await Promise.all([open, checkpoint]);
    expect(order).toEqual(['committing', 'checkpoint true']);
    expect(await read(lite.db)).toBe(6);
    await expect(whenNoTransaction(lite.db, () => read(lite.db))).resolves.toBe(6);
  });
});

describe('the guard (every unit test database has it)', () => {
  it('refuses the database itself inside one of its transactions, and rolls that transaction back', async () => {
    await expect(
      transaction(rt.db, async (tx) => {
        await write(tx, 4);
        await tick();
        return read(rt.db);
      }),
    ).rejects.toBeInstanceOf(OutsideTransactionError);
    expect(await read(rt.db)).toBe(0);
  });

  it('refuses a transaction of the database inside one of its own, which would wait for ever', async () => {
    await expect(transaction(rt.db, () => transaction(rt.db, () => 1))).rejects.toThrow(/pass its tx instead/);
  });

  it('lets other work use the database while a transaction waits on something else', async () => {
    let release!: () => void;
    const waiting = new Promise<void>((resolve) => (release = resolve));
    const slow = transaction(rt.db, async (tx) => {
      await waiting;
      await write(tx, 9);
    });
    // Not inside that transaction's asynchronous context: allowed.
    expect(await read(rt.db)).toBe(0);
    release();
    await slow;
    expect(await read(rt.db)).toBe(9);
  });
});
