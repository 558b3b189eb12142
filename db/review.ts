/**
 * Queries for the staff review of appeals: follow-ups after an overturn.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Tx } from './appeals.ts';
import { followUps } from './schema.ts';

export type FollowUpRow = typeof followUps.$inferSelect;
export type FollowUpKind = FollowUpRow['kind'];

export function insertFollowUp(tx: Tx, row: { appealId: number; kind: FollowUpKind; dueAt: Date }): FollowUpRow {
  return tx.insert(followUps).values(row).returning().get();
}

export function findFollowUpById(tx: Tx, id: number): FollowUpRow | undefined {
  return tx.select().from(followUps).where(eq(followUps.id, id)).get();
}

export function listFollowUpsForAppeal(tx: Tx, appealId: number): FollowUpRow[] {
  return tx.select().from(followUps).where(eq(followUps.appealId, appealId)).orderBy(asc(followUps.id)).all();
}

/** Open follow-ups, soonest due first (index follow_ups_open). */
export function listOpenFollowUps(tx: Tx, limit = 100): FollowUpRow[] {
  return tx.select().from(followUps).where(isNull(followUps.doneAt)).orderBy(asc(followUps.dueAt)).limit(limit).all();
}

/** Marks a follow-up done; false if it was already done (or does not exist). */
export function markFollowUpDone(tx: Tx, id: number, by: number, at: Date): boolean {
  const r = tx.update(followUps).set({ doneAt: at, doneBy: by }).where(and(eq(followUps.id, id), isNull(followUps.doneAt))).run();
  return r.changes > 0;
}
