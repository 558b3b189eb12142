/**
 * Test helper: records a moderation case straight into a database (as the staff pages would),
 * for tests of the public appeal journey.
 */
import { insertCase, type CaseAction } from '../../db/cases.ts';
import type { Db } from '../../db/client.ts';
import { findPublishedVersion } from '../../db/principles.ts';
import { transaction } from '../../db/transactions.ts';
import { generateReference } from '../../src/lib/cases/references.ts';

export interface TestCaseOptions {
  actionAt?: Date;
  actions?: CaseAction[];
  groundCodes?: string[];
  handle?: string;
  statementOfReasons?: string;
  excerpt?: string | null;
  /** Staff id of the moderator who recorded it (default 1). */
  recordedBy?: number;
}

/** Inserts a case under principles 1.0 and returns its id and canonical reference. */
export async function insertTestCase(
  db: Db,
  options: TestCaseOptions = {},
): Promise<{ id: number; reference: string }> {
  const version = findPublishedVersion(db, '1.0');
  if (!version) throw new Error('Principles 1.0 are not seeded');
  const reference = generateReference();
  const id = await transaction(
    db,
    async (tx) =>
      await insertCase(tx, {
        reference,
        platform: 'facebook',
        accountHandle: options.handle ?? '@test_person',
        postUrl: 'https://www.facebook.com/nsft/posts/123',
        excerpt: options.excerpt === undefined ? 'You are all useless' : options.excerpt,
        statementOfReasons: options.statementOfReasons ?? 'The comment insulted a named member of staff.',
        principleVersionId: version.id,
        actionAt: options.actionAt ?? new Date(Date.now() - 2 * 24 * 60 * 60_000),
        detectedBy: 'own-monitoring',
        automated: false,
        recordedBy: options.recordedBy ?? 1,
        actions: options.actions ?? ['hidden'],
        groundCodes: options.groundCodes ?? [version.grounds[0]!.code],
      }),
  );
  return { id, reference };
}
