/**
 * Queries for appeals and their history.
 */
import { and, asc, eq, notInArray } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { appealEvents, appealStatusLinks, appeals, cases, principleVersions } from './schema.ts';

export type AppealRow = typeof appeals.$inferSelect;
export type NewAppealRow = typeof appeals.$inferInsert;
export type NewAppealEvent = typeof appealEvents.$inferInsert;
export type AppealEventRow = typeof appealEvents.$inferSelect;

export function insertAppeal(tx: DbOrTx, row: NewAppealRow): AppealRow {
  return tx.insert(appeals).values(row).returning().get();
}

export function insertAppealEvent(tx: DbOrTx, event: NewAppealEvent): void {
  tx.insert(appealEvents).values(event).run();
}

/** The open (not decided, not withdrawn) appeal on a case, if any. */
export function findOpenAppealForCase(tx: DbOrTx, caseId: number): AppealRow | undefined {
  return tx
    .select()
    .from(appeals)
    .where(and(eq(appeals.caseId, caseId), notInArray(appeals.status, ['decided', 'withdrawn'])))
    .get();
}

/** The appeal one of whose status links has this token hash. */
export function findAppealByTokenHash(tx: DbOrTx, tokenHash: string): AppealRow | undefined {
  return tx
    .select({ appeal: appeals })
    .from(appealStatusLinks)
    .innerJoin(appeals, eq(appeals.id, appealStatusLinks.appealId))
    .where(eq(appealStatusLinks.tokenHash, tokenHash))
    .get()?.appeal;
}

/** Stores one more status link (its hash) for an appeal. */
export function insertStatusLink(tx: DbOrTx, appealId: number, tokenHash: string, sentWith: string, at: Date): void {
  tx.insert(appealStatusLinks).values({ appealId, tokenHash, sentWith, createdAt: at }).run();
}

/** An appeal by its reference and the email address it gave (stored in lower case). */
export function findAppealByReferenceAndEmail(tx: DbOrTx, reference: string, email: string): AppealRow | undefined {
  return tx
    .select()
    .from(appeals)
    .where(and(eq(appeals.reference, reference), eq(appeals.email, email)))
    .get();
}

export function findAppealById(tx: DbOrTx, id: number): AppealRow | undefined {
  return tx.select().from(appeals).where(eq(appeals.id, id)).get();
}

export function updateAppeal(tx: DbOrTx, id: number, set: Partial<NewAppealRow>): void {
  tx.update(appeals).set(set).where(eq(appeals.id, id)).run();
}

export function listAppealEvents(tx: DbOrTx, appealId: number): AppealEventRow[] {
  return tx
    .select()
    .from(appealEvents)
    .where(eq(appealEvents.appealId, appealId))
    .orderBy(asc(appealEvents.at), asc(appealEvents.id))
    .all();
}

export function findCaseReferenceById(tx: DbOrTx, caseId: number): string | undefined {
  return tx.select({ reference: cases.reference }).from(cases).where(eq(cases.id, caseId)).get()?.reference;
}

export function findVersionNumberById(tx: DbOrTx, versionId: number): string | undefined {
  return (
    tx
      .select({ version: principleVersions.version })
      .from(principleVersions)
      .where(eq(principleVersions.id, versionId))
      .get()?.version ?? undefined
  );
}

export function findAppealByReference(tx: DbOrTx, reference: string): AppealRow | undefined {
  return tx.select().from(appeals).where(eq(appeals.reference, reference)).get();
}

/** Every appeal waiting for its appellant (the appeals_status_due index), with when the clock stopped. */
export function listWaitingAppeals(tx: DbOrTx): { id: number; pausedAt: Date | null }[] {
  return tx
    .select({ id: appeals.id, pausedAt: appeals.pausedAt })
    .from(appeals)
    .where(eq(appeals.status, 'waiting'))
    .all();
}
