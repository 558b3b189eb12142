import { describe, expect, it } from 'vitest';
import { OutsideTransactionError } from '../../db/client.ts';
import { principleVersions } from '../../db/schema.ts';
import { testRuntime } from '../support/db.ts';

// testRuntime guards its database (db/client.ts guardTransactions): the whole unit suite then
// fails wherever a statement inside a transaction does not use that transaction's tx.
const rt = testRuntime();

describe('a guarded database inside its own transaction', () => {
  it('works through tx, and directly outside any transaction', () => {
    expect(rt.db.select().from(principleVersions).all().length).toBeGreaterThan(0);
    const inside = rt.db.transaction((tx) => tx.select().from(principleVersions).all().length);
    expect(inside).toBeGreaterThan(0);
    // A savepoint through tx is fine.
    expect(
      rt.db.transaction((tx) => tx.transaction((inner) => inner.select().from(principleVersions).all().length)),
    ).toBe(inside);
  });

  it('refuses a query, a raw statement or another transaction on the database itself', () => {
    expect(() => rt.db.transaction(() => rt.db.select().from(principleVersions).all())).toThrow(
      OutsideTransactionError,
    );
    expect(() => rt.db.transaction(() => rt.db.$client.prepare('select 1').get())).toThrow(
      /db\.\$client was used inside a transaction/,
    );
    expect(() => rt.db.transaction(() => rt.db.transaction(() => 1))).toThrow(
      /db\.transaction was used inside a transaction/,
    );
    expect(() => rt.db.transaction(() => rt.db.query.principleVersions.findFirst().sync())).toThrow(
      OutsideTransactionError,
    );
    // The refusal rolled its transaction back and left the database usable.
    expect(rt.db.select().from(principleVersions).all().length).toBeGreaterThan(0);
  });
});
