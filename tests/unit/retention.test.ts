import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { listAudit } from '../../db/audit.ts';
import { updateAppeal } from '../../db/appeals.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { transaction } from '../../db/transactions.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { giveFeedback } from '../../src/lib/feedback/feedback.ts';
import { runFeedbackCommentPurge, runRetentionPurge } from '../../src/lib/retention/retention.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';

let clock = new Date('2025-01-10T10:00:00Z');
const rt = await testRuntime({ now: () => clock });
const { appealEvents, appeals, caseActions, caseGrounds, cases, outbox, serviceFeedback } = tablesOf(rt.db);

/** The anonymous figures the transparency report is built from. */
async function figures() {
  const db = rt.db;
  // Each in a fixed order, so that two readings compare equal whatever order the engine groups in.
  return {
    casesByPlatform: await db
      .select({ platform: cases.platform, n: sql<number>`count(*)` })
      .from(cases)
      .groupBy(cases.platform)
      .orderBy(cases.platform),
    actions: await db
      .select({ action: caseActions.action, n: sql<number>`count(*)` })
      .from(caseActions)
      .groupBy(caseActions.action)
      .orderBy(caseActions.action),
    grounds: await db
      .select({ code: caseGrounds.groundCode, n: sql<number>`count(*)` })
      .from(caseGrounds)
      .groupBy(caseGrounds.groundCode)
      .orderBy(caseGrounds.groundCode),
    appeals: await db
      .select({
        status: appeals.status,
        outcome: appeals.outcome,
        days: appeals.workingDaysToDecision,
        received: appeals.receivedAt,
        decided: appeals.decidedAt,
      })
      .from(appeals)
      .orderBy(appeals.id),
  };
}

/** The appeal with this id (or the first on this case), as stored. */
const appealWhere = async (condition: ReturnType<typeof eq>) =>
  (await rt.db.select().from(appeals).where(condition).limit(1))[0];

describe('retention purge', async () => {
  const old = await insertTestCase(rt.db, {
    actionAt: new Date('2025-01-05T09:00:00Z'),
    handle: '@old_person',
    excerpt: 'old words',
  });
  const made = await createAppeal(rt, {
    subject: { kind: 'case', caseReference: old.reference },
    reason: 'I was only joking',
    email: 'old@example.org',
    name: 'Old Person',
    // Asked for by a carer, with letters by post and a phone call: all of it personal.
    asking: { askingFor: 'someone-else', relationship: 'carer', name: 'Older Person', consent: true },
    contactNeeds: {
      needs: ['bsl', 'post', 'phone', 'other'],
      address: '1 Old Street\nOldtown',
      phone: '07700 900982',
      other: 'Call after 2pm',
    },
  });
  if (!made.ok) throw new Error(made.error);
  // The worker delivered the acknowledgement (no worker runs in this test).
  await rt.db.update(outbox).set({ state: 'sent' });
  await transaction(rt.db, async (tx) =>
    updateAppeal(tx, made.appeal.id, {
      status: 'decided',
      outcome: 'upheld',
      explanation: 'We kept it hidden, Old Person.',
      decidedAt: new Date('2025-01-20T10:00:00Z'),
      workingDaysToDecision: 8,
    }),
  );

  it('does nothing before the retention period has passed', async () => {
    clock = new Date('2025-06-01T00:00:00Z');
    expect(await runRetentionPurge(rt, { dryRun: false })).toEqual({ appeals: 0, cases: 0, emails: 0 });
  });

  it('blanks an appeal 12 months after its decision, keeps the figures, and writes an audit entry', async () => {
    clock = new Date('2026-03-01T00:00:00Z');
    const recent = await insertTestCase(rt.db, {
      actionAt: new Date('2026-02-25T09:00:00Z'),
      handle: '@recent_person',
    });
    const open = await createAppeal(rt, {
      subject: { kind: 'case', caseReference: recent.reference },
      reason: 'Still open',
      email: 'recent@example.org',
      name: null,
    });
    expect(open.ok).toBe(true);
    const before = await figures();

    expect(await runRetentionPurge(rt, { dryRun: true })).toEqual({ appeals: 1, cases: 0, emails: 1 });
    expect((await appealWhere(eq(appeals.id, made.appeal.id)))?.email).toBe('old@example.org'); // dry run changed nothing
    expect(await appealWhere(eq(appeals.id, made.appeal.id))).toMatchObject({
      askingFor: 'someone-else',
      askingRelationship: 'carer',
      askingForName: 'Older Person',
      askingConsent: true,
      contactNeeds: ['bsl', 'post', 'phone', 'other'],
      contactPhone: '07700 900982',
    });

    expect(await runRetentionPurge(rt, { dryRun: false })).toEqual({ appeals: 1, cases: 0, emails: 1 });
    const purged = (await appealWhere(eq(appeals.id, made.appeal.id)))!;
    expect([purged.email, purged.name, purged.reason, purged.explanation]).toEqual([null, null, null, null]);
    expect(purged.purgedAt?.getTime()).toBe(clock.getTime());
    const personal = (row: typeof purged) => [
      row.askingFor,
      row.askingRelationship,
      row.askingForName,
      row.askingConsent,
      row.contactNeeds,
      row.contactAddress,
      row.contactPhone,
      row.contactOther,
    ];
    expect(personal(purged)).toEqual([null, null, null, null, null, null, null, null]);
    expect(
      (
        await rt.db
          .select({ body: appealEvents.body })
          .from(appealEvents)
          .where(eq(appealEvents.appealId, made.appeal.id))
      ).every((e) => e.body === null),
    ).toBe(true);
    // The open appeal on the recent case, its case and its acknowledgement email are untouched.
    expect((await appealWhere(eq(appeals.caseId, recent.id)))?.email).toBe('recent@example.org');
    expect((await rt.db.select().from(outbox)).map((m) => m.to)).toEqual(['recent@example.org']);
    // The case of the old appeal is still within its own window plus retention.
    expect((await rt.db.select().from(cases).where(eq(cases.id, old.id)))[0]?.accountHandle).toBe('@old_person');
    expect(await figures()).toEqual(before);
    const audit = await listAudit(rt.db, { action: 'retention.purged' });
    expect(audit[0]?.details).toMatchObject({ appeals: 1, cases: 0, emails: 1 });
    expect(JSON.stringify(audit)).not.toContain('old@example.org');
  });

  it('blanks a case once its appeal window and the retention period have passed, keeping the figures', async () => {
    const before = await figures();
    clock = new Date('2026-08-01T00:00:00Z');
    expect(await runRetentionPurge(rt, { dryRun: false })).toMatchObject({ cases: 1 });
    const c = (await rt.db.select().from(cases).where(eq(cases.id, old.id)))[0]!;
    expect([c.accountHandle, c.postUrl, c.excerpt, c.statementOfReasons]).toEqual([null, null, null, null]);
    expect(c.closedAt).not.toBeNull();
    expect(await figures()).toEqual(before);
    // Running again finds nothing new.
    expect(await runRetentionPurge(rt, { dryRun: true })).toEqual({ appeals: 0, cases: 0, emails: 0 });
  });
});

describe('retention of feedback comments', () => {
  it('blanks a comment RETENTION_MONTHS after it was given, keeps every rating, and writes an audit entry', async () => {
    let now = new Date('2026-01-15T10:00:00Z');
    const frt = await testRuntime({ now: () => now, env: { RETENTION_MONTHS: '6' } });
    const give = async (comment: string, rating = 'satisfied') =>
      expect(await giveFeedback(frt, { rating, comment, client: `c${Math.random()}` })).toEqual({ ok: true });
    await give('The form was clear. I am Pat, 07700 900123.');
    await give('', 'dissatisfied');
    now = new Date('2026-05-01T10:00:00Z');
    await give('Quicker than I expected.', 'very-satisfied');
    const stored = () =>
      frt.db
        .select({ rating: serviceFeedback.rating, comment: serviceFeedback.comment })
        .from(serviceFeedback)
        .orderBy(serviceFeedback.id);

    now = new Date('2026-07-15T09:59:59Z'); // not quite 6 months after the first
    expect(await runFeedbackCommentPurge(frt, { dryRun: false })).toBe(0);
    expect(await listAudit(frt.db, { action: 'retention.purged' })).toEqual([]);
    now = new Date('2026-07-15T10:00:01Z');
    expect(await runFeedbackCommentPurge(frt, { dryRun: true })).toBe(1);
    expect((await stored())[0]!.comment).toContain('Pat'); // a dry run changes nothing
    // Until this change comments were kept for ever.
    expect(await runFeedbackCommentPurge(frt, { dryRun: false })).toBe(1);
    expect(await stored()).toEqual([
      { rating: 'satisfied', comment: null },
      { rating: 'dissatisfied', comment: null },
      { rating: 'very-satisfied', comment: 'Quicker than I expected.' },
    ]);
    expect((await listAudit(frt.db, { action: 'retention.purged' })).map((e) => e.details)).toEqual([
      { feedbackComments: 1, retentionMonths: 6 },
    ]);
    expect(await runFeedbackCommentPurge(frt, { dryRun: true })).toBe(0);
  });
});
