import { describe, expect, it } from 'vitest';
import { appeals, cases } from '../../db/schema.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { testRuntime } from '../support/db.ts';

const rt = await testRuntime();

function addCase(reference: string) {
  return rt.db
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
    .returning({ id: cases.id })
    .get();
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the statement to fail');
}

describe('isUniqueViolation', () => {
  it('names the column of a unique index that a real SQLite insert broke', () => {
    addCase('ERR-1');
    const error = caught(() => addCase('ERR-1'));
    expect(isUniqueViolation(error, 'cases.reference')).toBe(true);
    expect(isUniqueViolation(error, 'cases.id')).toBe(false);
    expect(isUniqueViolation(error, 'appeals.reference')).toBe(false);
  });

  it('reads a partial unique index (one open appeal per case)', () => {
    const { id } = addCase('ERR-2');
    const appeal = (n: number) => ({
      reference: `ERR-A${n}`,
      statusTokenHash: `err-hash-${n}`,
      caseId: id,
      receivedAt: new Date(),
      dueAt: new Date(),
    });
    rt.db.insert(appeals).values(appeal(1)).run();
    const error = caught(() => rt.db.insert(appeals).values(appeal(2)).run());
    expect(isUniqueViolation(error, 'appeals.case_id')).toBe(true);
    expect(isUniqueViolation(error, 'appeals.reference')).toBe(false);
  });

  it('is false for other failures and for things that are not errors', () => {
    const notNull = caught(() => rt.db.$client.prepare('insert into cases (reference) values (?)').run('ERR-3'));
    expect(notNull).toBeInstanceOf(Error);
    expect(isUniqueViolation(notNull, 'cases.reference')).toBe(false);
    // A message that merely looks like one is not one.
    expect(isUniqueViolation(new Error('UNIQUE constraint failed: cases.reference'), 'cases.reference')).toBe(false);
    expect(isUniqueViolation('UNIQUE constraint failed: cases.reference', 'cases.reference')).toBe(false);
    expect(isUniqueViolation(undefined, 'cases.reference')).toBe(false);
  });
});
