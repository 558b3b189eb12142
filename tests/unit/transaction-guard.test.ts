import { describe, expect, it } from 'vitest';
import { OutsideTransactionError } from '../../db/client.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { transaction } from '../../db/transactions.ts';
import { testRuntime } from '../support/db.ts';

// testRuntime guards its database (db/client.ts guardTransactions): the whole unit suite then
// fails wherever a statement inside a transaction does not use that transaction's tx.
const rt = await testRuntime();
const { principleVersions } = tablesOf(rt.db);
const versions = async () => (await rt.db.select().from(principleVersions)).length;

describe('a guarded database inside its own transaction', () => {
  it('works through tx, and directly outside any transaction', async () => {
    expect(await versions()).toBeGreaterThan(0);
    const inside = await transaction(rt.db, async (tx) => (await tx.select().from(principleVersions)).length);
    expect(inside).toBe(await versions());
    // A savepoint through tx is fine.
    expect(
      await transaction(rt.db, (tx) =>
        transaction(tx, async (inner) => (await inner.select().from(principleVersions)).length),
      ),
    ).toBe(inside);
  });

  it('refuses a query, a raw statement or another transaction on the database itself', async () => {
    await expect(transaction(rt.db, () => rt.db.select().from(principleVersions))).rejects.toThrow(
      OutsideTransactionError,
    );
    await expect(transaction(rt.db, () => rt.db.$client)).rejects.toThrow(/db\.\$client was used inside a transaction/);
    await expect(transaction(rt.db, () => transaction(rt.db, () => 1))).rejects.toThrow(
      /transaction\(db\) was called inside a transaction of db/,
    );
    await expect(transaction(rt.db, () => rt.db.query.principleVersions.findFirst())).rejects.toThrow(
      OutsideTransactionError,
    );
    // The refusals rolled their transactions back and left the database usable.
    expect(await versions()).toBeGreaterThan(0);
  });

  it("refuses drizzle's own transactions: they do not queue with transaction()", () => {
    expect(() => rt.db.transaction(() => 1)).toThrow(/use transaction\(db, async \(tx\) => …\)/);
  });
});
