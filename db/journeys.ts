/**
 * Queries for public journey state and fixed-window rate limits.
 */
import { eq, lt } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { journeys, rateLimits } from './schema.ts';
import { transaction } from './transactions.ts';

export function findJourneyData(db: DbOrTx, idHash: string, now: Date): Record<string, unknown> | undefined {
  const row = db
    .select({ data: journeys.data, expiresAt: journeys.expiresAt })
    .from(journeys)
    .where(eq(journeys.idHash, idHash))
    .get();
  if (!row || row.expiresAt.getTime() <= now.getTime()) return undefined;
  return row.data;
}

/** Inserts or replaces a journey's answers and pushes its expiry on. */
export function saveJourneyData(
  db: DbOrTx,
  idHash: string,
  data: Record<string, unknown>,
  now: Date,
  expiresAt: Date,
): void {
  db.insert(journeys)
    .values({ idHash, data, updatedAt: now, expiresAt })
    .onConflictDoUpdate({ target: journeys.idHash, set: { data, updatedAt: now, expiresAt } })
    .run();
}

export function deleteJourney(db: DbOrTx, idHash: string): void {
  db.delete(journeys).where(eq(journeys.idHash, idHash)).run();
}

/** Removes expired journeys; returns how many. */
export function deleteExpiredJourneys(db: DbOrTx, now: Date): number {
  return db.delete(journeys).where(lt(journeys.expiresAt, now)).run().changes;
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
  return transaction(db, (tx) => {
    const row = tx.select().from(rateLimits).where(eq(rateLimits.key, key)).get();
    if (!row || row.windowStart.getTime() + windowMs <= now.getTime()) {
      tx.insert(rateLimits)
        .values({ key, windowStart: now, count: 1 })
        .onConflictDoUpdate({ target: rateLimits.key, set: { windowStart: now, count: 1 } })
        .run();
      return { count: 1, windowStart: now };
    }
    tx.update(rateLimits)
      .set({ count: row.count + 1 })
      .where(eq(rateLimits.key, key))
      .run();
    return { count: row.count + 1, windowStart: row.windowStart };
  });
}

/** Removes counters whose window ended before `before`. */
export function deleteOldRateLimits(db: DbOrTx, before: Date): number {
  return db.delete(rateLimits).where(lt(rateLimits.windowStart, before)).run().changes;
}

/** The count in `key`'s current window without counting a hit (0 when the window has ended). */
export function peekHits(db: DbOrTx, key: string, now: Date, windowMs: number): { count: number; windowStart: Date } {
  const row = db.select().from(rateLimits).where(eq(rateLimits.key, key)).get();
  if (!row || row.windowStart.getTime() + windowMs <= now.getTime()) return { count: 0, windowStart: now };
  return { count: row.count, windowStart: row.windowStart };
}
