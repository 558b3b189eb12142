/**
 * Test helper: puts an appeal straight into a database in any state (as if it had been received
 * and worked on), for tests of the review queue. No email, no history: only the row.
 */
import { randomBytes } from 'node:crypto';
import { insertAppeal, insertStatusLink, type AppealRow } from '../../db/appeals.ts';
import type { Db } from '../../db/client.ts';

import { hashToken } from '../../src/lib/platform/tokens.ts';
import { toDateParts } from '../../src/lib/platform/dates.ts';
import { generateReference } from '../../src/lib/cases/references.ts';

export interface TestAppealOptions {
  status?: AppealRow['status'];
  receivedAt?: Date;
  dueAt?: Date;
  assignedTo?: number | null;
  caseId?: number | null;
  email?: string;
  /** No-reference appeals: the platform and handle the appellant gave (default Facebook, @seeded). */
  platform?: NonNullable<AppealRow['claimedPlatform']>;
  handle?: string;
  /** The private status-link token (random when not given). */
  statusToken?: string;
}

/** Inserts an appeal and returns its id and reference. */
export async function insertTestAppeal(
  db: Db,
  options: TestAppealOptions = {},
): Promise<{ id: number; reference: string }> {
  const receivedAt = options.receivedAt ?? new Date();
  const status = options.status ?? 'new';
  const row = await insertAppeal(db, {
    reference: generateReference(),
    caseId: options.caseId ?? null,
    claimedPlatform: options.caseId ? null : (options.platform ?? 'facebook'),
    claimedHandle: options.caseId ? null : (options.handle ?? '@seeded'),
    claimedDate: null,
    claimedPostUrl: null,
    reason: 'Seeded for a queue test.',
    email: options.email ?? 'seeded@example.org',
    name: null,
    status,
    receivedAt,
    dueAt: options.dueAt ?? new Date(receivedAt.getTime() + 14 * 24 * 60 * 60_000),
    pausedAt: status === 'waiting' ? receivedAt : null,
    assignedTo: options.assignedTo ?? null,
    outcome: status === 'decided' ? 'upheld' : null,
    explanation: status === 'decided' ? 'Seeded decision.' : null,
    decidedAt: status === 'decided' ? receivedAt : null,
    withdrawnAt: status === 'withdrawn' ? receivedAt : null,
  });
  await insertStatusLink(
    db,
    row.id,
    hashToken(options.statusToken ?? randomBytes(24).toString('base64url')),
    'appeal-ack',
    receivedAt,
  );
  return { id: row.id, reference: row.reference };
}

/**
 * The no-reference journey's date fields for a day `daysAgo` before now (UK time), so a test's
 * date stays inside the appeal window whenever it runs.
 */
export function recentPostDateFields(
  daysAgo = 7,
): Record<'post-date-day' | 'post-date-month' | 'post-date-year', string> {
  const { day, month, year } = toDateParts(new Date(Date.now() - daysAgo * 24 * 60 * 60_000));
  return { 'post-date-day': day, 'post-date-month': month, 'post-date-year': year };
}
