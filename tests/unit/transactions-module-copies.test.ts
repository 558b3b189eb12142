/**
 * The start script and the Astro bundle each load their own copy of db/transactions.ts but share
 * one database handle (docs/decisions/002-server-entry.md): a transaction opened through either
 * copy must find the connection; on SQLite both copies must queue on it, one transaction at a time.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { DbOrTx } from '../../db/client.ts';
import { execute, firstRow, isPostgres } from '../../db/dialect/index.ts';
import { transaction } from '../../db/transactions.ts';
import { testRuntime } from '../support/db.ts';

/** A second copy of the module, as the bundle has (the query makes it another module to Vite). */
const COPY: string = '../../db/transactions.ts?bundle-copy';
const copy = (await import(COPY)) as typeof import('../../db/transactions.ts');

const rt = await testRuntime();
await execute(rt.db, sql`create table counters (id integer primary key, n integer not null)`);
await execute(rt.db, sql`insert into counters (id, n) values (1, 0)`);
const read = async (db: DbOrTx): Promise<number> =>
  (await firstRow<{ n: number }>(db, sql`select n from counters where id = 1`))?.n ?? -1;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('two copies of db/transactions.ts on one handle', () => {
  it('are two module instances (else this file proves nothing)', () => {
    expect(copy.transaction).not.toBe(transaction);
  });

  it('both open transactions on the handle (on SQLite queued one at a time), and lose no write', async () => {
    const order: string[] = [];
    const increment = (name: string, through: typeof transaction) =>
      through(rt.db, async (tx) => {
        order.push(`${name} begins`);
        const n = await read(tx);
        await tick();
        await execute(tx, sql`update counters set n = ${n + 1} where id = 1`);
        order.push(`${name} ends`);
      });
    await Promise.all([increment('script', transaction), increment('bundle', copy.transaction)]);
    // PostgreSQL runs them side by side on the pool (one may be tried again after a serialization
    // failure, as tests/unit/transactions.test.ts shows), so only SQLite has a fixed order.
    if (!isPostgres(rt.db)) expect(order).toEqual(['script begins', 'script ends', 'bundle begins', 'bundle ends']);
    expect(order).toContain('script ends');
    expect(order).toContain('bundle ends');
    expect(await read(rt.db)).toBe(2);
  });

  it('see each other’s transactions: a tx of one copy is a savepoint and has afterCommit in the other', async () => {
    const after: string[] = [];
    await transaction(rt.db, async (tx) => {
      await copy.transaction(tx, async (inner) => {
        await execute(inner, sql`update counters set n = 10 where id = 1`);
      });
      copy.afterCommit(tx, () => after.push('committed'));
      expect(after).toEqual([]);
    });
    expect(after).toEqual(['committed']);
    expect(await read(rt.db)).toBe(10);
  });
});
