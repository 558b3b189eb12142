/**
 * Queries for the staff review of appeals: follow-ups after an overturn.
 */
import { and, asc, count, eq, inArray, isNull, lt } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { appeals, cases, followUps, staff, staffRoles } from './schema.ts';

export type FollowUpRow = typeof followUps.$inferSelect;
export type FollowUpKind = FollowUpRow['kind'];

export function insertFollowUp(tx: DbOrTx, row: { appealId: number; kind: FollowUpKind; dueAt: Date }): FollowUpRow {
  return tx.insert(followUps).values(row).returning().get();
}

export function findFollowUpById(tx: DbOrTx, id: number): FollowUpRow | undefined {
  return tx.select().from(followUps).where(eq(followUps.id, id)).get();
}

export function listFollowUpsForAppeal(tx: DbOrTx, appealId: number): FollowUpRow[] {
  return tx.select().from(followUps).where(eq(followUps.appealId, appealId)).orderBy(asc(followUps.id)).all();
}

/** Open follow-ups, soonest due first (index follow_ups_open). */
export function listOpenFollowUps(tx: DbOrTx, limit = 100): FollowUpRow[] {
  return tx.select().from(followUps).where(isNull(followUps.doneAt)).orderBy(asc(followUps.dueAt)).limit(limit).all();
}

/** Marks a follow-up done; false if it was already done (or does not exist). */
export function markFollowUpDone(tx: DbOrTx, id: number, by: number, at: Date): boolean {
  const r = tx.update(followUps).set({ doneAt: at, doneBy: by }).where(and(eq(followUps.id, id), isNull(followUps.doneAt))).run();
  return r.changes > 0;
}

export interface QueueQuery {
  status: AppealStatusValue | null;
  /** Only these statuses (e.g. the ones whose clock runs, for "overdue"); ignored when `status` is set. */
  statusIn?: AppealStatusValue[] | null;
  /** A staff id, 'unassigned', or null for anyone. */
  assignee: number | 'unassigned' | null;
  /** Due before this moment (overdue: now; due this week: end of the week). */
  dueBefore: Date | null;
  limit: number;
  offset: number;
}
type AppealStatusValue = (typeof appeals.$inferSelect)['status'];

export interface QueueItem {
  id: number;
  reference: string;
  status: AppealStatusValue;
  dueAt: Date;
  receivedAt: Date;
  assignedTo: number | null;
  assigneeName: string | null;
  caseReference: string | null;
}

function queueWhere(q: Pick<QueueQuery, 'status' | 'statusIn' | 'assignee' | 'dueBefore'>) {
  return and(
    q.status ? eq(appeals.status, q.status) : q.statusIn?.length ? inArray(appeals.status, q.statusIn) : undefined,
    q.assignee === 'unassigned' ? isNull(appeals.assignedTo) : q.assignee != null ? eq(appeals.assignedTo, q.assignee) : undefined,
    q.dueBefore ? lt(appeals.dueAt, q.dueBefore) : undefined,
  );
}

/** One page of the queue, soonest due first (indexes appeals_status_due / appeals_assignee_status_due). */
export function listQueue(tx: DbOrTx, q: QueueQuery): { items: QueueItem[]; total: number } {
  const where = queueWhere(q);
  const items = tx
    .select({
      id: appeals.id,
      reference: appeals.reference,
      status: appeals.status,
      dueAt: appeals.dueAt,
      receivedAt: appeals.receivedAt,
      assignedTo: appeals.assignedTo,
      assigneeName: staff.name,
      caseReference: cases.reference,
    })
    .from(appeals)
    .leftJoin(staff, eq(staff.id, appeals.assignedTo))
    .leftJoin(cases, eq(cases.id, appeals.caseId))
    .where(where)
    .orderBy(asc(appeals.dueAt), asc(appeals.id))
    .limit(q.limit)
    .offset(q.offset)
    .all();
  const total = tx.select({ n: count() }).from(appeals).where(where).get()?.n ?? 0;
  return { items, total };
}

/** How many appeals in each status, among those matching the other filters (assignee, due). */
export function countByStatus(tx: DbOrTx, q: Pick<QueueQuery, 'statusIn' | 'assignee' | 'dueBefore'> = { assignee: null, dueBefore: null }): Record<string, number> {
  const rows = tx
    .select({ status: appeals.status, n: count() })
    .from(appeals)
    .where(queueWhere({ ...q, status: null }))
    .groupBy(appeals.status)
    .all();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export interface OpenFollowUp extends FollowUpRow {
  appealReference: string;
}

export function listOpenFollowUpsWithAppeal(tx: DbOrTx, limit = 100): OpenFollowUp[] {
  return tx
    .select({ f: followUps, appealReference: appeals.reference })
    .from(followUps)
    .innerJoin(appeals, eq(appeals.id, followUps.appealId))
    .where(isNull(followUps.doneAt))
    .orderBy(asc(followUps.dueAt))
    .limit(limit)
    .all()
    .map((r) => ({ ...r.f, appealReference: r.appealReference }));
}

/** Staff names by id, for the history (staff only). */
export function staffNames(tx: DbOrTx, ids: number[]): Map<number, string> {
  if (!ids.length) return new Map();
  return new Map(tx.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, ids)).all().map((r) => [r.id, r.name]));
}

/** Reviewers who can be assigned (staff with the reviewer role, not disabled). */
export function listReviewers(tx: DbOrTx): { id: number; name: string }[] {
  return tx
    .select({ id: staff.id, name: staff.name })
    .from(staff)
    .innerJoin(staffRoles, and(eq(staffRoles.staffId, staff.id), eq(staffRoles.role, 'reviewer')))
    .where(isNull(staff.disabledAt))
    .orderBy(asc(staff.name))
    .all();
}
