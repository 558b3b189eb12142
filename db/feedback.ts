/**
 * Feedback on the service: stored ratings and comments, and the counts per period for the
 * transparency report.
 */
import { and, gte, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { tablesOf } from './dialect/index.ts';
import type { FEEDBACK_FROM, FEEDBACK_RATINGS } from './schema.ts';

export interface NewFeedback {
  rating: (typeof FEEDBACK_RATINGS)[number];
  comment: string | null;
  fromPage: (typeof FEEDBACK_FROM)[number] | null;
  givenAt: Date;
}

export async function insertFeedback(db: DbOrTx, feedback: NewFeedback): Promise<void> {
  const { serviceFeedback } = tablesOf(db);
  await db.insert(serviceFeedback).values(feedback);
}

/** Ratings given in [start, end), by rating. */
export async function countFeedbackRatings(db: DbOrTx, start: Date, end: Date): Promise<Map<string, number>> {
  const { serviceFeedback } = tablesOf(db);
  const rows = await db
    .select({ rating: serviceFeedback.rating, n: sql<number>`count(*)` })
    .from(serviceFeedback)
    .where(and(gte(serviceFeedback.givenAt, start), lt(serviceFeedback.givenAt, end)))
    .groupBy(serviceFeedback.rating);
  return new Map(rows.map((r) => [r.rating, Number(r.n)]));
}
