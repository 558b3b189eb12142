/**
 * Queries for appeals and their history.
 */
import { and, asc, eq, notInArray } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { tablesOf } from './dialect/index.ts';
import type { appealEvents, appeals } from './schema.ts';

export type AppealRow = typeof appeals.$inferSelect;
export type NewAppealRow = typeof appeals.$inferInsert;
export type NewAppealEvent = typeof appealEvents.$inferInsert;
export type AppealEventRow = typeof appealEvents.$inferSelect;

export async function insertAppeal(tx: DbOrTx, row: NewAppealRow): Promise<AppealRow> {
  const { appeals } = tablesOf(tx);
  const [inserted] = await tx.insert(appeals).values(row).returning();
  return inserted!;
}

export async function insertAppealEvent(tx: DbOrTx, event: NewAppealEvent): Promise<void> {
  const { appealEvents } = tablesOf(tx);
  await tx.insert(appealEvents).values(event);
}

/** The open (not decided, not withdrawn) appeal on a case, if any. */
export async function findOpenAppealForCase(tx: DbOrTx, caseId: number): Promise<AppealRow | undefined> {
  const { appeals } = tablesOf(tx);
  const [row] = await tx
    .select()
    .from(appeals)
    .where(and(eq(appeals.caseId, caseId), notInArray(appeals.status, ['decided', 'withdrawn'])))
    .limit(1);
  return row;
}

/** The appeal one of whose status links has this token hash. */
export async function findAppealByTokenHash(tx: DbOrTx, tokenHash: string): Promise<AppealRow | undefined> {
  const { appealStatusLinks, appeals } = tablesOf(tx);
  const [row] = await tx
    .select({ appeal: appeals })
    .from(appealStatusLinks)
    .innerJoin(appeals, eq(appeals.id, appealStatusLinks.appealId))
    .where(eq(appealStatusLinks.tokenHash, tokenHash))
    .limit(1);
  return row?.appeal;
}

/** Stores one more status link (its hash) for an appeal. */
export async function insertStatusLink(
  tx: DbOrTx,
  appealId: number,
  tokenHash: string,
  sentWith: string,
  at: Date,
): Promise<void> {
  const { appealStatusLinks } = tablesOf(tx);
  await tx.insert(appealStatusLinks).values({ appealId, tokenHash, sentWith, createdAt: at });
}

/** An appeal by its reference and the email address it gave (stored in lower case). */
export async function findAppealByReferenceAndEmail(
  tx: DbOrTx,
  reference: string,
  email: string,
): Promise<AppealRow | undefined> {
  const { appeals } = tablesOf(tx);
  const [row] = await tx
    .select()
    .from(appeals)
    .where(and(eq(appeals.reference, reference), eq(appeals.email, email)))
    .limit(1);
  return row;
}

export async function findAppealById(tx: DbOrTx, id: number): Promise<AppealRow | undefined> {
  const { appeals } = tablesOf(tx);
  const [row] = await tx.select().from(appeals).where(eq(appeals.id, id));
  return row;
}

export async function updateAppeal(tx: DbOrTx, id: number, set: Partial<NewAppealRow>): Promise<void> {
  const { appeals } = tablesOf(tx);
  await tx.update(appeals).set(set).where(eq(appeals.id, id));
}

export async function listAppealEvents(tx: DbOrTx, appealId: number): Promise<AppealEventRow[]> {
  const { appealEvents } = tablesOf(tx);
  return tx
    .select()
    .from(appealEvents)
    .where(eq(appealEvents.appealId, appealId))
    .orderBy(asc(appealEvents.at), asc(appealEvents.id));
}

export async function findCaseReferenceById(tx: DbOrTx, caseId: number): Promise<string | undefined> {
  const { cases } = tablesOf(tx);
  const [row] = await tx.select({ reference: cases.reference }).from(cases).where(eq(cases.id, caseId));
  return row?.reference;
}

export async function findVersionNumberById(tx: DbOrTx, versionId: number): Promise<string | undefined> {
  const { principleVersions } = tablesOf(tx);
  const [row] = await tx
    .select({ version: principleVersions.version })
    .from(principleVersions)
    .where(eq(principleVersions.id, versionId));
  return row?.version ?? undefined;
}

export async function findAppealByReference(tx: DbOrTx, reference: string): Promise<AppealRow | undefined> {
  const { appeals } = tablesOf(tx);
  const [row] = await tx.select().from(appeals).where(eq(appeals.reference, reference));
  return row;
}

/** Every appeal waiting for its appellant (the appeals_status_due index), with when the clock stopped. */
export async function listWaitingAppeals(tx: DbOrTx): Promise<{ id: number; pausedAt: Date | null }[]> {
  const { appeals } = tablesOf(tx);
  return tx.select({ id: appeals.id, pausedAt: appeals.pausedAt }).from(appeals).where(eq(appeals.status, 'waiting'));
}
