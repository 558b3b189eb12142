/**
 * The asynchronous transactions of db/transactions.ts on a real SQLite file: commit and rollback,
 * savepoints, work after commit, one transaction at a time on a connection, and the guard that
 * refuses the database itself inside one of its transactions. Two copies of the module on one
 * handle (the start script's and the bundle's): tests/unit/transactions-module-copies.test.ts.
 */
import { sql, TransactionRollbackError } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { OutsideTransactionError, truncateWal, type DbOrTx } from '../../db/client.ts';
import { afterCommit, isOpenTransaction, transaction, whenNoTransaction } from '../../db/transactions.ts';
import { testRuntime } from '../support/db.ts';

const rt = await testRuntime();
rt.db.run(sql`create table counters (id integer primary key, n integer not null)`);

const read = (db: DbOrTx): number => db.get<{ n: number }>(sql`select n from counters where id = 1`)?.n ?? -1;
const write = (db: DbOrTx, n: number) => db.run(sql`update counters set n = ${n} where id = 1`);
/** A real turn of the event loop, so that other work could run meanwhile. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

beforeEach(() => {
  rt.db.run(sql`delete from counters`);
  rt.db.run(sql`insert into counters (id, n) values (1, 0)`);
});

describe('transaction(db, fn)', () => {
  it('commits what fn did and resolves to what it returned', async () => {
    const result = await transaction(rt.db, async (tx) => {
      write(tx, 5);
      await tick();
      return read(tx) * 2;
    });
    expect(result).toBe(10);
    expect(read(rt.db)).toBe(5);
  });

  it('rolls everything back when fn throws, and passes the error on', async () => {
    await expect(
      transaction(rt.db, async (tx) => {
        write(tx, 7);
        await tick();
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(read(rt.db)).toBe(0);
    await expect(
      transaction(rt.db, (tx) => {
        write(tx, 8);
        tx.rollback();
      }),
    ).rejects.toBeInstanceOf(TransactionRollbackError);
    expect(read(rt.db)).toBe(0);
    // The connection is usable afterwards.
    await transaction(rt.db, (tx) => write(tx, 1));
    expect(read(rt.db)).toBe(1);
  });

  it('runs the transactions of one connection one at a time, so read-then-write loses nothing', async () => {
    const order: string[] = [];
    const increment = (name: string) =>
      transaction(rt.db, async (tx) => {
        order.push(`${name} begins`);
        const n = read(tx);
        await tick();
        write(tx, n + 1);
        order.push(`${name} ends`);
      });
    await Promise.all([increment('a'), increment('b'), increment('c')]);
    expect(read(rt.db)).toBe(3);
    expect(order).toEqual(['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
  });

  it('makes a nested transaction a savepoint: its failure undoes only its own work', async () => {
    await transaction(rt.db, async (tx) => {
      write(tx, 1);
      await expect(
        transaction(tx, async (inner) => {
          write(inner, 2);
          await tick();
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      expect(read(tx)).toBe(1);
      await transaction(tx, (inner) => write(inner, read(inner) + 10));
    });
    expect(read(rt.db)).toBe(11);
  });

  it('runs afterCommit work only after the outermost commit, and never after a rollback', async () => {
    const seen: string[] = [];
    await transaction(rt.db, async (tx) => {
      write(tx, 3);
      afterCommit(tx, () => seen.push(`committed, n = ${read(rt.db)}`));
      await transaction(tx, (inner) => afterCommit(inner, () => seen.push('from the savepoint')));
      await tick();
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['committed, n = 3', 'from the savepoint']);
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

describe('whenNoTransaction(db, fn)', () => {
  it('waits for the open transaction, so a WAL checkpoint never runs inside one', async () => {
    let release!: () => void;
    const waiting = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const open = transaction(rt.db, async (tx) => {
      write(tx, 6);
      await waiting;
      order.push('committing');
    });
    const checkpoint = truncateWal(rt.db).then((done) => order.push(`checkpoint ${done}`));
    await tick();
    // Run at this moment, the checkpoint would fail: "database table is locked".
    expect(() => rt.db.$client.pragma('wal_checkpoint(TRUNCATE)')).toThrow(/locked/);
    expect(order).toEqual([]);
    release();
    await Promise.all([open, checkpoint]);
    expect(order).toEqual(['committing', 'checkpoint true']);
    expect(read(rt.db)).toBe(6);
    await expect(whenNoTransaction(rt.db, () => read(rt.db))).resolves.toBe(6);
  });
});

describe('the guard (every unit test database has it)', () => {
  it('refuses the database itself inside one of its transactions, and rolls that transaction back', async () => {
    await expect(
      transaction(rt.db, async (tx) => {
        write(tx, 4);
        await tick();
        return read(rt.db);
      }),
    ).rejects.toBeInstanceOf(OutsideTransactionError);
    expect(read(rt.db)).toBe(0);
  });

  it('refuses a transaction of the database inside one of its own, which would wait for ever', async () => {
    await expect(transaction(rt.db, () => transaction(rt.db, () => 1))).rejects.toThrow(/pass its tx instead/);
  });

  it('lets other work use the database while a transaction waits on something else', async () => {
    let release!: () => void;
    const waiting = new Promise<void>((resolve) => (release = resolve));
    const slow = transaction(rt.db, async (tx) => {
      await waiting;
      write(tx, 9);
    });
    // Not inside that transaction's asynchronous context: allowed.
    expect(read(rt.db)).toBe(0);
    release();
    await slow;
    expect(read(rt.db)).toBe(9);
  });
});
