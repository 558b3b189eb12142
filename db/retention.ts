/**
 * The retention purge: blanks personal data and keeps what the anonymous figures need
 * (dates, codes, outcomes, working days). Counts first, so a dry run can say what it would do.
 */
import { and, count, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from './client.ts';
import { tablesOf, type Tables } from './dialect/index.ts';
import { transaction } from './transactions.ts';

export interface PurgeCutoffs {
  /** Appeals decided or withdrawn before this. */
  appealsClosedBefore: Date;
  /** Cases whose action was before this (the appeal window plus retention) … */
  casesActedBefore: Date;
  /** … and whose appeals, if any, all closed before this. */
  caseAppealsClosedBefore: Date;
  /** Outbox messages (sent or failed) last queued before this. */
  emailsCreatedBefore: Date;
  /** Service feedback given before this loses its comment (the rating stays, for the figures). */
  feedbackGivenBefore: Date;
}

export interface PurgeCounts {
  appeals: number;
  cases: number;
  emails: number;
}

/** When an appeal closed: decided or withdrawn (null while open). */
const closedAt = ({ appeals }: Tables) => sql`coalesce(${appeals.decidedAt}, ${appeals.withdrawnAt})`;

async function appealIdsToPurge(db: DbOrTx, c: PurgeCutoffs): Promise<number[]> {
  const t = tablesOf(db);
  const { appeals } = t;
  const rows = await db
    .select({ id: appeals.id })
    .from(appeals)
    .where(
      and(
        isNull(appeals.purgedAt),
        inArray(appeals.status, ['decided', 'withdrawn']),
        lt(closedAt(t), c.appealsClosedBefore.getTime()),
      ),
    );
  return rows.map((r) => r.id);
}

async function caseIdsToPurge(db: DbOrTx, c: PurgeCutoffs): Promise<number[]> {
  const t = tablesOf(db);
  const { appeals, cases } = t;
  // A case is closed once its appeal window has passed and no appeal on it is open or recent.
  const recentOrOpen = sql`exists (select 1 from ${appeals} where ${appeals.caseId} = ${cases.id} and (${appeals.status} not in ('decided', 'withdrawn') or ${closedAt(t)} >= ${c.caseAppealsClosedBefore.getTime()}))`;
  const rows = await db
    .select({ id: cases.id })
    .from(cases)
    .where(and(isNull(cases.purgedAt), lt(cases.actionAt, c.casesActedBefore), sql`not ${recentOrOpen}`));
  return rows.map((r) => r.id);
}

async function emailIdsToPurge(db: DbOrTx, c: PurgeCutoffs): Promise<number[]> {
  const { outbox } = tablesOf(db);
  const rows = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(inArray(outbox.state, ['sent', 'failed']), lt(outbox.queuedAt, c.emailsCreatedBefore)));
  return rows.map((r) => r.id);
}

/** What a purge with these cut-offs would touch. */
export async function countPurgeable(db: DbOrTx, c: PurgeCutoffs): Promise<PurgeCounts> {
  return {
    appeals: (await appealIdsToPurge(db, c)).length,
    cases: (await caseIdsToPurge(db, c)).length,
    emails: (await emailIdsToPurge(db, c)).length,
  };
}

/** Blanks personal data in one transaction; `onDone` runs inside it (for the audit entry). */
export async function purgePersonalData(
  db: DbOrTx,
  c: PurgeCutoffs,
  now: Date,
  onDone: (tx: DbOrTx, counts: PurgeCounts) => Promise<void> | void,
): Promise<PurgeCounts> {
  return transaction(db, async (tx) => {
    const { appealEvents, appealStatusLinks, appeals, cases, outbox, safeguardingConcerns } = tablesOf(tx);
    const appealIds = await appealIdsToPurge(tx, c);
    const caseIds = await caseIdsToPurge(tx, c);
    const emailIds = await emailIdsToPurge(tx, c);
    for (let i = 0; i < appealIds.length; i += 500) {
      const ids = appealIds.slice(i, i + 500);
      await tx
        .update(appeals)
        .set({
          claimedHandle: null,
          claimedPostUrl: null,
          claimedDate: null,
          reason: null,
          email: null,
          name: null,
          explanation: null,
          // Who is asking and how to contact them: a carer, a need for BSL or easy read says
          // something about someone's health, so none of it outlives the appeal (decision 027).
          askingFor: null,
          askingRelationship: null,
          askingForName: null,
          askingConsent: null,
          contactNeeds: null,
          contactAddress: null,
          contactPhone: null,
          contactOther: null,
          purgedAt: now,
        })
        .where(inArray(appeals.id, ids));
      await tx.update(appealEvents).set({ body: null }).where(inArray(appealEvents.appealId, ids));
      // Every status link ends with the appeal's retention: after the purge none opens anything.
      await tx.delete(appealStatusLinks).where(inArray(appealStatusLinks.appealId, ids));
      await tx.update(safeguardingConcerns).set({ note: null }).where(inArray(safeguardingConcerns.appealId, ids));
    }
    for (let i = 0; i < caseIds.length; i += 500) {
      await tx
        .update(cases)
        .set({
          accountHandle: null,
          postUrl: null,
          excerpt: null,
          statementOfReasons: null,
          noticeNotSentReason: null,
          closedAt: sql`coalesce(${cases.closedAt}, ${now.getTime()})`,
          purgedAt: now,
        })
        .where(inArray(cases.id, caseIds.slice(i, i + 500)));
      await tx
        .update(safeguardingConcerns)
        .set({ note: null })
        .where(inArray(safeguardingConcerns.caseId, caseIds.slice(i, i + 500)));
    }
    for (let i = 0; i < emailIds.length; i += 500) {
      await tx.delete(outbox).where(inArray(outbox.id, emailIds.slice(i, i + 500)));
    }
    const counts = { appeals: appealIds.length, cases: caseIds.length, emails: emailIds.length };
    await onDone(tx, counts);
    return counts;
  });
}

const oldFeedbackComment = ({ serviceFeedback }: Tables, before: Date) =>
  and(isNotNull(serviceFeedback.comment), lt(serviceFeedback.givenAt, before));

/** How many feedback comments given before `before` are still kept. */
export async function countFeedbackCommentsBefore(db: Db, before: Date): Promise<number> {
  const t = tablesOf(db);
  const [row] = await db.select({ n: count() }).from(t.serviceFeedback).where(oldFeedbackComment(t, before));
  return row?.n ?? 0;
}

/**
 * Blanks the comments of feedback given before `before` (free text that may hold personal data
 * despite the form's warning); the ratings stay. `onDone` runs inside the transaction with the
 * number blanked (for the audit entry). Returns that number.
 */
export async function purgeFeedbackComments(
  db: Db,
  before: Date,
  onDone: (tx: Db, n: number) => Promise<void> | void,
): Promise<number> {
  return transaction(db, async (tx) => {
    const t = tablesOf(tx);
    const { serviceFeedback } = t;
    const blanked = await tx
      .update(serviceFeedback)
      .set({ comment: null })
      .where(oldFeedbackComment(t, before))
      .returning({ id: serviceFeedback.id });
    const n = blanked.length;
    await onDone(tx, n);
    return n;
  });
}
