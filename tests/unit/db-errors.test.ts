import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { execute, tablesOf } from '../../db/dialect/index.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { testRuntime } from '../support/db.ts';

const rt = await testRuntime();
const { appeals, cases } = tablesOf(rt.db);

async function addCase(reference: string) {
  const [row] = await rt.db
    .insert(cases)
    .values({
      reference,
      platform: 'facebook',
      principleVersionId: 1,
      actionAt: new Date(),
      detectedBy: 'own-monitoring',
      automated: false,
      recordedBy: 1,
    })
    .returning({ id: cases.id });
  return row!;
}

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the statement to fail');
}

describe('isUniqueViolation', () => {
  it('names the column of a unique index that a real insert broke', async () => {
    await addCase('ERR-1');
    const error = await caught(() => addCase('ERR-1'));
    expect(isUniqueViolation(error, 'cases.reference')).toBe(true);
    expect(isUniqueViolation(error, 'cases.id')).toBe(false);
    expect(isUniqueViolation(error, 'appeals.reference')).toBe(false);
  });

  it('reads a partial unique index (one open appeal per case)', async () => {
    const { id } = await addCase('ERR-2');
    const appeal = (n: number) => ({
      reference: `ERR-A${n}`,
      statusTokenHash: `err-hash-${n}`,
      caseId: id,
      receivedAt: new Date(),
      dueAt: new Date(),
    });
    await rt.db.insert(appeals).values(appeal(1));
    const error = await caught(async () => rt.db.insert(appeals).values(appeal(2)));
    expect(isUniqueViolation(error, 'appeals.case_id')).toBe(true);
    expect(isUniqueViolation(error, 'appeals.reference')).toBe(false);
  });

  it('is false for other failures and for things that are not errors', async () => {
    const notNull = await caught(() => execute(rt.db, sql`insert into cases (reference) values (${'ERR-3'})`));
    expect(notNull).toBeInstanceOf(Error);
    expect(isUniqueViolation(notNull, 'cases.reference')).toBe(false);
    // A message that merely looks like one is not one.
    expect(isUniqueViolation(new Error('UNIQUE constraint failed: cases.reference'), 'cases.reference')).toBe(false);
    expect(isUniqueViolation('UNIQUE constraint failed: cases.reference', 'cases.reference')).toBe(false);
    expect(isUniqueViolation(undefined, 'cases.reference')).toBe(false);
  });
});
