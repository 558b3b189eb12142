/**
 * Queries for public journey state and fixed-window rate limits.
 */
import { eq, lt } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { changedRows } from './dialect/changes.ts';
import { tablesOf } from './dialect/index.ts';
import { transaction } from './transactions.ts';

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
 * Counts one hit against `key` in a fixed window of `windowMs`, atomically, and returns the count
 * in the current window with the window's start.
 */
export async function countHit(
  db: DbOrTx,
  key: string,
  now: Date,
  windowMs: number,
): Promise<{ count: number; windowStart: Date }> {
  return transaction(db, async (tx) => {
    const { rateLimits } = tablesOf(tx);
    const [row] = await tx.select().from(rateLimits).where(eq(rateLimits.key, key));
    if (!row || row.windowStart.getTime() + windowMs <= now.getTime()) {
      await tx
        .insert(rateLimits)
        .values({ key, windowStart: now, count: 1 })
        .onConflictDoUpdate({ target: rateLimits.key, set: { windowStart: now, count: 1 } });
      return { count: 1, windowStart: now };
    }
    await tx
      .update(rateLimits)
      .set({ count: row.count + 1 })
      .where(eq(rateLimits.key, key));
    return { count: row.count + 1, windowStart: row.windowStart };
  });
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
