/**
 * Queries for staff notifications (the digest, overdue escalation) and safeguarding concerns.
 * See docs/decisions/019-staff-notifications.md.
 */
import { and, asc, count, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { tablesOf, type Tables } from './dialect/index.ts';
import type { appeals, followUps, Role, SafeguardingConcernRow } from './schema.ts';

/** Email addresses of active (not disabled) staff with `role`, in id order. */
export async function activeStaffEmails(tx: DbOrTx, role: Role): Promise<string[]> {
  const { staff, staffRoles } = tablesOf(tx);
  const rows = await tx
    .select({ email: staff.email })
    .from(staff)
    .innerJoin(staffRoles, and(eq(staffRoles.staffId, staff.id), eq(staffRoles.role, role)))
    .where(isNull(staff.disabledAt))
    .orderBy(asc(staff.id));
  return rows.map((r) => r.email);
}

/** The email of an active staff member with `role`, if they are one. */
export async function activeStaffEmail(tx: DbOrTx, id: number, role: Role): Promise<string | undefined> {
  const { staff, staffRoles } = tablesOf(tx);
  const [row] = await tx
    .select({ email: staff.email })
    .from(staff)
    .innerJoin(staffRoles, and(eq(staffRoles.staffId, staff.id), eq(staffRoles.role, role)))
    .where(and(eq(staff.id, id), isNull(staff.disabledAt)))
    .limit(1);
  return row?.email;
}

export interface DigestAppeal {
  id: number;
  reference: string;
  status: (typeof appeals.$inferSelect)['status'];
  dueAt: Date;
  receivedAt: Date;
}

export interface DigestFollowUp {
  id: number;
  appealId: number;
  appealReference: string;
  kind: (typeof followUps.$inferSelect)['kind'];
  dueAt: Date;
}

const appealColumns = ({ appeals }: Tables) => ({
  id: appeals.id,
  reference: appeals.reference,
  status: appeals.status,
  dueAt: appeals.dueAt,
  receivedAt: appeals.receivedAt,
});
const clockRunning = ({ appeals }: Tables) => inArray(appeals.status, ['new', 'in-review']);

export interface Listed<T> {
  items: T[];
  /** How many match (items holds at most the limit). */
  total: number;
}

const newUnassignedWhere = ({ appeals }: Tables) => and(eq(appeals.status, 'new'), isNull(appeals.assignedTo));
const dueBetweenWhere = (t: Tables, from: Date, before: Date) =>
  and(clockRunning(t), gte(t.appeals.dueAt, from), lt(t.appeals.dueAt, before));
const overdueWhere = (t: Tables, now: Date) => and(clockRunning(t), lt(t.appeals.dueAt, now));
const overdueFollowUpsWhere = ({ followUps }: Tables, now: Date) =>
  and(isNull(followUps.doneAt), lt(followUps.dueAt, now));

function appealList(tx: DbOrTx, where: SQL | undefined, limit: number) {
  const t = tablesOf(tx);
  const { appeals } = t;
  return {
    items: tx
      .select(appealColumns(t))
      .from(appeals)
      .where(where)
      .orderBy(asc(appeals.dueAt), asc(appeals.id))
      .limit(limit),
    total: tx.select({ n: count() }).from(appeals).where(where),
  };
}

/**
 * The digest's statements, unexecuted (so a test can check each one's query plan): the appeal
 * lists read appeals_status_due ranges (status = new / in-review, due_at range), the follow-ups
 * follow_ups_open; none scans a table.
 */
export function digestStatements(tx: DbOrTx, now: Date, dueSoonBefore: Date, limit: number) {
  const t = tablesOf(tx);
  const { appealEscalations, appeals, followUps } = t;
  return {
    newUnassigned: appealList(tx, newUnassignedWhere(t), limit),
    dueSoon: appealList(tx, dueBetweenWhere(t, now, dueSoonBefore), limit),
    overdue: appealList(tx, overdueWhere(t, now), limit),
    followUpsOverdue: {
      items: tx
        .select({
          id: followUps.id,
          appealId: followUps.appealId,
          appealReference: appeals.reference,
          kind: followUps.kind,
          dueAt: followUps.dueAt,
        })
        .from(followUps)
        .innerJoin(appeals, eq(appeals.id, followUps.appealId))
        .where(overdueFollowUpsWhere(t, now))
        .orderBy(asc(followUps.dueAt), asc(followUps.id))
        .limit(limit),
      total: tx.select({ n: count() }).from(followUps).where(overdueFollowUpsWhere(t, now)),
    },
    notEscalated: tx
      .select(appealColumns(t))
      .from(appeals)
      .leftJoin(appealEscalations, eq(appealEscalations.appealId, appeals.id))
      .where(and(overdueWhere(t, now), isNull(appealEscalations.appealId)))
      .orderBy(asc(appeals.dueAt), asc(appeals.id))
      .limit(limit),
  };
}

async function run<T>(
  list: { items: PromiseLike<T[]>; total: PromiseLike<{ n: number }[]> },
  limit: number,
): Promise<Listed<T>> {
  const items = await list.items;
  // The count only runs when the list was cut at the limit.
  return { items, total: items.length < limit ? items.length : Number((await list.total)[0]?.n ?? 0) };
}

const FAR = new Date(8.64e15);

/** New appeals nobody has taken, soonest due first (index appeals_status_due). */
export async function listNewUnassigned(tx: DbOrTx, limit: number): Promise<Listed<DigestAppeal>> {
  return await run(digestStatements(tx, FAR, FAR, limit).newUnassigned, limit);
}

/** Appeals whose clock runs, due in [from, before): soonest first (index appeals_status_due). */
export async function listDueBetween(
  tx: DbOrTx,
  from: Date,
  before: Date,
  limit: number,
): Promise<Listed<DigestAppeal>> {
  return await run(digestStatements(tx, from, before, limit).dueSoon, limit);
}

/** Appeals whose clock runs and whose due date has passed, most overdue first. */
export async function listOverdue(tx: DbOrTx, now: Date, limit: number): Promise<Listed<DigestAppeal>> {
  return await run(digestStatements(tx, now, now, limit).overdue, limit);
}

/** Follow-ups not done by their due date, most overdue first (index follow_ups_open). */
export async function listOverdueFollowUps(tx: DbOrTx, now: Date, limit: number): Promise<Listed<DigestFollowUp>> {
  return await run(digestStatements(tx, now, now, limit).followUpsOverdue, limit);
}

/**
 * Claims the digest of UK day `day`: true for the one caller that inserted the row, false for
 * every other (another worker, a restart, a second `npm run digest`). Call it in the transaction
 * that queues the digest emails, so the row and the emails are kept together or neither.
 */
export async function claimDigestDay(
  tx: DbOrTx,
  row: { day: string; decidedAt: Date; emails: number; items: number },
): Promise<boolean> {
  const { staffDigests } = tablesOf(tx);
  const inserted = await tx.insert(staffDigests).values(row).onConflictDoNothing().returning({ day: staffDigests.day });
  return inserted.length > 0;
}

export async function findDigestDay(tx: DbOrTx, day: string) {
  const { staffDigests } = tablesOf(tx);
  const [row] = await tx.select().from(staffDigests).where(eq(staffDigests.day, day)).limit(1);
  return row;
}

/** Overdue appeals (clock running) not yet escalated, most overdue first. */
export async function listOverdueNotEscalated(tx: DbOrTx, now: Date, limit: number): Promise<DigestAppeal[]> {
  return await digestStatements(tx, now, now, limit).notEscalated;
}

/** Records an appeal's escalation; false when it was already escalated (once only). */
export async function insertEscalation(
  tx: DbOrTx,
  row: { appealId: number; escalatedAt: Date; dueAt: Date },
): Promise<boolean> {
  const { appealEscalations } = tablesOf(tx);
  const inserted = await tx
    .insert(appealEscalations)
    .values(row)
    .onConflictDoNothing()
    .returning({ appealId: appealEscalations.appealId });
  return inserted.length > 0;
}

export async function insertSafeguardingConcern(
  tx: DbOrTx,
  row: { caseId: number | null; appealId: number | null; note: string; raisedBy: number; raisedAt: Date },
): Promise<SafeguardingConcernRow> {
  const { safeguardingConcerns } = tablesOf(tx);
  const [inserted] = await tx.insert(safeguardingConcerns).values(row).returning();
  return inserted!;
}

export interface ConcernWithName extends SafeguardingConcernRow {
  raisedByName: string | null;
}

/** Concerns on any of these cases or appeals, oldest first, with the name of who raised each. */
export async function listSafeguardingConcerns(
  tx: DbOrTx,
  subject: { caseIds: number[]; appealIds: number[] },
): Promise<ConcernWithName[]> {
  const { safeguardingConcerns, staff } = tablesOf(tx);
  const where = or(
    subject.caseIds.length ? inArray(safeguardingConcerns.caseId, subject.caseIds) : undefined,
    subject.appealIds.length ? inArray(safeguardingConcerns.appealId, subject.appealIds) : undefined,
  );
  if (!where) return [];
  const rows = await tx
    .select({ c: safeguardingConcerns, name: staff.name })
    .from(safeguardingConcerns)
    .leftJoin(staff, eq(staff.id, safeguardingConcerns.raisedBy))
    .where(where)
    .orderBy(asc(safeguardingConcerns.raisedAt), asc(safeguardingConcerns.id));
  return rows.map((r) => ({ ...r.c, raisedByName: r.name }));
}

/** How many concerns there are (for tests and health checks; never published). */
export async function countSafeguardingConcerns(tx: DbOrTx): Promise<number> {
  const { safeguardingConcerns } = tablesOf(tx);
  const [row] = await tx.select({ n: sql<number>`count(*)` }).from(safeguardingConcerns);
  return Number(row?.n ?? 0);
}
