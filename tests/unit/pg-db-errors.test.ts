/**
 * db/errors.ts isUniqueViolation reads real errors of both engines the same way: SQLite's (an
 * in-memory database) and PostgreSQL's (a fresh migrated database; needs TEST_DATABASE_URL, see
 * tests/support/postgres.ts: without it the PostgreSQL half fails and says how to set it).
 */
import { describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../db/client.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { transaction } from '../../db/transactions.ts';
import { onCleanup } from '../support/cleanup.ts';
import { openMigratedPostgres } from '../support/postgres.ts';

const ENGINES: Record<string, () => Promise<Db>> = {
  sqlite: () => {
    const db = openDatabase(':memory:');
    migrateDatabase(db);
    onCleanup(() => db.$client.close());
    return Promise.resolve(db);
  },
  postgres: async () => {
    const { db } = await openMigratedPostgres({ poolSize: 2 });
    return db;
  },
};

/** The error `work` fails with (it must fail). */
async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the statement to fail');
}

describe.each(Object.keys(ENGINES))('isUniqueViolation on %s', (engine) => {
  // Made by the first test that asks, so each test fails with the reason when it cannot be made.
  let opened: Promise<Db> | undefined;
  const database = () => (opened ??= ENGINES[engine]!());

  async function addVersion(db: Db): Promise<number> {
    const { principleVersions } = tablesOf(db);
    const [version] = await db
      .insert(principleVersions)
      .values({ status: 'draft', bodyMarkdown: 'Body', changeSummary: 'First' })
      .returning({ id: principleVersions.id });
    return version!.id;
  }

  let made = 0;
  async function addCase(db: Db, reference = `ERR-C${++made}`): Promise<number> {
    const { cases } = tablesOf(db);
    const [row] = await db
      .insert(cases)
      .values({
        reference,
        platform: 'facebook',
        principleVersionId: await addVersion(db),
        actionAt: new Date(),
        detectedBy: 'own-monitoring',
        automated: false,
        recordedBy: 1,
      })
      .returning({ id: cases.id });
    return row!.id;
  }

  it('names the column of a single-column unique index', async () => {
    const db = await database();
    await addCase(db, 'ERR-1');
    const error = await caught(() => addCase(db, 'ERR-1'));
    expect(isUniqueViolation(error, 'cases.reference')).toBe(true);
    expect(isUniqueViolation(error, 'cases.id')).toBe(false);
    expect(isUniqueViolation(error, 'appeals.reference')).toBe(false);
  });

  it('names each column of a multi-column unique index, and of a composite primary key', async () => {
    const db = await database();
    const { caseActions, grounds } = tablesOf(db);
    const ground = { versionId: await addVersion(db), code: 'G1', title: 'T', description: 'D', position: 1 };
    await db.insert(grounds).values(ground);
    const error = await caught(() => db.insert(grounds).values({ ...ground, position: 2 }));
    expect(isUniqueViolation(error, 'grounds.version_id')).toBe(true);
    expect(isUniqueViolation(error, 'grounds.code')).toBe(true);
    expect(isUniqueViolation(error, 'grounds.position')).toBe(false);
    expect(isUniqueViolation(error, 'cases.code')).toBe(false);

    const caseId = await addCase(db);
    await db.insert(caseActions).values({ caseId, action: 'hidden' });
    const key = await caught(() => db.insert(caseActions).values({ caseId, action: 'hidden' }));
    expect(isUniqueViolation(key, 'case_actions.case_id')).toBe(true);
    expect(isUniqueViolation(key, 'case_actions.action')).toBe(true);
    expect(isUniqueViolation(key, 'case_grounds.case_id')).toBe(false);
  });

  it('names the column of a partial unique index (one open appeal per case), inside a transaction too', async () => {
    const db = await database();
    const { appeals } = tablesOf(db);
    const caseId = await addCase(db);
    const appeal = (n: number) => ({
      reference: `ERR-A${caseId}-${n}`,
      caseId,
      receivedAt: new Date(),
      dueAt: new Date(),
    });
    await db.insert(appeals).values(appeal(1));
    const error = await caught(() => transaction(db, async (tx) => void (await tx.insert(appeals).values(appeal(2)))));
    expect(isUniqueViolation(error, 'appeals.case_id')).toBe(true);
    expect(isUniqueViolation(error, 'appeals.reference')).toBe(false);
    // A closed appeal is outside the index: the next one may open.
    await db.update(appeals).set({ status: 'withdrawn' });
    await db.insert(appeals).values(appeal(3));
  });

  it('is false for other failures and for things that are not errors', async () => {
    const db = await database();
    const { appeals } = tablesOf(db);
    const foreignKey = await caught(() =>
      db.insert(appeals).values({ reference: 'ERR-FK', caseId: 999_999, receivedAt: new Date(), dueAt: new Date() }),
    );
    expect(foreignKey).toBeInstanceOf(Error);
    expect(isUniqueViolation(foreignKey, 'appeals.case_id')).toBe(false);
    // A message that merely looks like one is not one.
    expect(isUniqueViolation(new Error('UNIQUE constraint failed: cases.reference'), 'cases.reference')).toBe(false);
    expect(isUniqueViolation(new Error('Key (reference)=(X) already exists.'), 'cases.reference')).toBe(false);
    expect(isUniqueViolation('UNIQUE constraint failed: cases.reference', 'cases.reference')).toBe(false);
    expect(isUniqueViolation(undefined, 'cases.reference')).toBe(false);
  });
});
