/**
 * The start script and the Astro bundle each load their own copy of db/transactions.ts but share
 * one database handle (docs/decisions/002-server-entry.md): a transaction opened through either
 * copy must find the connection, and both copies must queue on it, one transaction at a time.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DbOrTx } from '../../db/client.ts';
import { transaction } from '../../db/transactions.ts';
import { testRuntime } from '../support/db.ts';

/** A second copy of the module, as the bundle has (the query makes it another module to Vite). */
const COPY: string = '../../db/transactions.ts?bundle-copy';
const copy = (await import(COPY)) as typeof import('../../db/transactions.ts');

const rt = await testRuntime();
rt.db.run(sql`create table counters (id integer primary key, n integer not null)`);
rt.db.run(sql`insert into counters (id, n) values (1, 0)`);
const read = (db: DbOrTx): number => db.get<{ n: number }>(sql`select n from counters where id = 1`)?.n ?? -1;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('two copies of db/transactions.ts on one handle', () => {
  it('are two module instances (else this file proves nothing)', () => {
    expect(copy.transaction).not.toBe(transaction);
  });

  it('both open transactions on the handle, and queue them one at a time', async () => {
    const order: string[] = [];
    const increment = (name: string, through: typeof transaction) =>
      through(rt.db, async (tx) => {
        order.push(`${name} begins`);
        const n = read(tx);
        await tick();
        tx.run(sql`update counters set n = ${n + 1} where id = 1`);
        order.push(`${name} ends`);
      });
    await Promise.all([increment('script', transaction), increment('bundle', copy.transaction)]);
    expect(order).toEqual(['script begins', 'script ends', 'bundle begins', 'bundle ends']);
    expect(read(rt.db)).toBe(2);
  });

  it('see each other’s transactions: a tx of one copy is a savepoint and has afterCommit in the other', async () => {
    const after: string[] = [];
    await transaction(rt.db, async (tx) => {
      await copy.transaction(tx, (inner) => {
        inner.run(sql`update counters set n = 10 where id = 1`);
      });
      copy.afterCommit(tx, () => after.push('committed'));
      expect(after).toEqual([]);
    });
    expect(after).toEqual(['committed']);
    expect(read(rt.db)).toBe(10);
  });
});
