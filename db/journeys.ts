/**
 * Queries for public journey state and fixed-window rate limits.
 */
import { eq, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { changedRows } from './dialect/changes.ts';
import { tablesOf } from './dialect/index.ts';

export async function findJourneyData(
  db: DbOrTx,
  idHash: string,
  now: Date,
): Promise<Record<string, unknown> | undefined> {
  const { journeys } = tablesOf(db);
  const [row] = await db
    .select({ data: journeys.data, expiresAt: journeys.expiresAt })
    .from(journeys)
    .where(eq(journeys.idHash, idHash));
  if (!row || row.expiresAt.getTime() <= now.getTime()) return undefined;
  return row.data;
}

/** Inserts or replaces a journey's answers and pushes its expiry on. */
export async function saveJourneyData(
  db: DbOrTx,
  idHash: string,
  data: Record<string, unknown>,
  now: Date,
  expiresAt: Date,
): Promise<void> {
  const { journeys } = tablesOf(db);
  await db
    .insert(journeys)
    .values({ idHash, data, updatedAt: now, expiresAt })
    .onConflictDoUpdate({ target: journeys.idHash, set: { data, updatedAt: now, expiresAt } });
}

export async function deleteJourney(db: DbOrTx, idHash: string): Promise<void> {
  const { journeys } = tablesOf(db);
  await db.delete(journeys).where(eq(journeys.idHash, idHash));
}

/** Removes expired journeys; returns how many (counted by the driver: there may be many). */
export async function deleteExpiredJourneys(db: DbOrTx, now: Date): Promise<number> {
  const { journeys } = tablesOf(db);
  return changedRows(db, db.delete(journeys).where(lt(journeys.expiresAt, now)));
}

/**
 * Counts one hit against `key` in a fixed window of `windowMs` and returns the count in the current
 * window with the window's start. One statement (an upsert that starts a new window when the old
 * one has ended, returning the row), so it is atomic on its own: on PostgreSQL concurrent hits on
 * one key from any number of processes wait for each other's row lock instead of reading the same
 * count, or failing to serialise, as a read-then-write transaction did (issue 22, point 4).
 */
export async function countHit(
  db: DbOrTx,
  key: string,
  now: Date,
  windowMs: number,
): Promise<{ count: number; windowStart: Date }> {
  const { rateLimits } = tablesOf(db);
  // Every right-hand side reads the row as it was before this statement, on both engines.
  const ended = sql`${rateLimits.windowStart} + ${windowMs} <= ${now.getTime()}`;
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${ended} then 1 else ${rateLimits.count} + 1 end`,
        windowStart: sql`case when ${ended} then ${now.getTime()} else ${rateLimits.windowStart} end`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart });
  return row!;
}

/** Removes counters whose window ended before `before`; returns how many (counted by the driver). */
export async function deleteOldRateLimits(db: DbOrTx, before: Date): Promise<number> {
  const { rateLimits } = tablesOf(db);
  return changedRows(db, db.delete(rateLimits).where(lt(rateLimits.windowStart, before)));
}

/** The count in `key`'s current window without counting a hit (0 when the window has ended). */
export async function peekHits(
  db: DbOrTx,
  key: string,
  now: Date,
  windowMs: number,
): Promise<{ count: number; windowStart: Date }> {
  const { rateLimits } = tablesOf(db);
  const [row] = await db.select().from(rateLimits).where(eq(rateLimits.key, key));
  if (!row || row.windowStart.getTime() + windowMs <= now.getTime()) return { count: 0, windowStart: now };
  return { count: row.count, windowStart: row.windowStart };
}
