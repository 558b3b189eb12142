/**
 * Queries for the staff review of appeals: follow-ups after an overturn.
 */
import { and, asc, count, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { tablesOf, type Tables } from './dialect/index.ts';
import { noRow, unindexed } from './dialect/queue.ts';
import type { appeals, followUps } from './schema.ts';

export type FollowUpRow = typeof followUps.$inferSelect;
export type FollowUpKind = FollowUpRow['kind'];

export async function insertFollowUp(
  tx: DbOrTx,
  row: { appealId: number; kind: FollowUpKind; dueAt: Date },
): Promise<FollowUpRow> {
  const { followUps } = tablesOf(tx);
  const [inserted] = await tx.insert(followUps).values(row).returning();
  return inserted!;
}

export async function findFollowUpById(tx: DbOrTx, id: number): Promise<FollowUpRow | undefined> {
  const { followUps } = tablesOf(tx);
  const [row] = await tx.select().from(followUps).where(eq(followUps.id, id)).limit(1);
  return row;
}

export async function listFollowUpsForAppeal(tx: DbOrTx, appealId: number): Promise<FollowUpRow[]> {
  const { followUps } = tablesOf(tx);
  return await tx.select().from(followUps).where(eq(followUps.appealId, appealId)).orderBy(asc(followUps.id));
}

/** Open follow-ups, soonest due first (index follow_ups_open). */
export async function listOpenFollowUps(tx: DbOrTx, limit = 100): Promise<FollowUpRow[]> {
  const { followUps } = tablesOf(tx);
  return await tx.select().from(followUps).where(isNull(followUps.doneAt)).orderBy(asc(followUps.dueAt)).limit(limit);
}

/** Marks a follow-up done; false if it was already done (or does not exist). */
export async function markFollowUpDone(tx: DbOrTx, id: number, by: number, at: Date): Promise<boolean> {
  const { followUps } = tablesOf(tx);
  const changed = await tx
    .update(followUps)
    .set({ doneAt: at, doneBy: by })
    .where(and(eq(followUps.id, id), isNull(followUps.doneAt)))
    .returning({ id: followUps.id });
  return changed.length > 0;
}

export interface QueueQuery {
  /** One status, 'open' (new, in review or waiting: the queue's default), or null for any. */
  status: AppealStatusValue | 'open' | null;
  /** A staff id, 'unassigned', or null for anyone. */
  assignee: number | 'unassigned' | null;
  /** Due before this moment (overdue: now; due this week: end of the week). */
  dueBefore: Date | null;
  /** Soonest due first (the default) or latest due first; ties by received time, then id. */
  order?: 'soonest' | 'latest';
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
  /** The case's platform and handle, or what the appellant told us on a no-reference appeal. */
  platform: string | null;
  handle: string | null;
  /** Who is asking and other ways to contact them, for tags in the row (null: not asked, or purged). */
  askingFor: (typeof appeals.$inferSelect)['askingFor'];
  contactNeeds: (typeof appeals.$inferSelect)['contactNeeds'];
}

/**
 * Statuses whose decision clock is running: only these can be overdue or due this week (a decided
 * or withdrawn appeal is never overdue; a waiting one has its clock paused).
 */
export const CLOCK_RUNNING = ['new', 'in-review'] as const;
const clockRunning = ({ appeals }: Tables) => inArray(appeals.status, [...CLOCK_RUNNING]);

/** Statuses of an open appeal: the queue's default view. */
export const OPEN_STATUSES = ['new', 'in-review', 'waiting'] as const;
/**
 * Written out literally (not as bound values), and as "not decided or withdrawn" (which no status
 * index can serve), so SQLite reads the partial indexes appeals_open_due and
 * appeals_open_assignee_due (db/schema/sqlite/cases.ts) in due-date order and stops after the page.
 */
const isOpen = sql.raw(`"appeals"."status" not in ('decided', 'withdrawn')`);

function statusWhere({ appeals }: Tables, q: Pick<QueueQuery, 'status' | 'dueBefore'>) {
  if (q.status === 'open') return q.dueBefore ? undefined : isOpen; // the due filter's statuses are open ones already
  return q.status ? eq(appeals.status, q.status) : undefined;
}

function queueWhere(tx: DbOrTx, q: Pick<QueueQuery, 'status' | 'assignee' | 'dueBefore'>) {
  const tables = tablesOf(tx);
  const { appeals } = tables;
  // With a due filter the assignee is checked on the open appeals read (unindexed keeps SQLite off
  // the assignee indexes, whose due-date ranges would include that person's decided appeals).
  const assignee = q.dueBefore ? unindexed(tx, appeals.assignedTo) : appeals.assignedTo;
  return and(
    statusWhere(tables, q),
    q.assignee === 'unassigned'
      ? sql`${assignee} is null`
      : q.assignee != null
        ? sql`${assignee} = ${q.assignee}`
        : undefined,
    q.dueBefore ? and(clockRunning(tables), lt(appeals.dueAt, q.dueBefore)) : undefined,
  );
}

/** The running counts' assignee column: 0 stands for nobody. */
function tallyAssignee({ appealTallies }: Tables, assignee: QueueQuery['assignee']) {
  return assignee === 'unassigned'
    ? eq(appealTallies.assignee, 0)
    : assignee != null
      ? eq(appealTallies.assignee, assignee)
      : undefined;
}

/**
 * The queue's statements, unexecuted (so a test can check each one's query plan). Every filter
 * combination reads an index in due-date order (appeals_due, appeals_status_due,
 * appeals_assignee_due, appeals_assignee_status_due, appeals_running_due) and stops after the
 * page; the total comes from the running counts in appeal_tallies (db/tallies.ts) when no due
 * filter is set, else from counting the partial index of appeals whose clock is running.
 */
export function queueStatements(tx: DbOrTx, q: QueueQuery) {
  const tables = tablesOf(tx);
  const { appeals, appealTallies } = tables;
  const where = queueWhere(tx, q);
  const items = queueRows(tx, where, q);
  const tallyStatus =
    q.status === 'open'
      ? inArray(appealTallies.status, [...OPEN_STATUSES])
      : q.status
        ? eq(appealTallies.status, q.status)
        : undefined;
  const total = q.dueBefore
    ? tx.select({ n: count() }).from(appeals).where(where)
    : tx
        .select({ n: sql<number>`coalesce(sum(${appealTallies.n}), 0)` })
        .from(appealTallies)
        .where(and(tallyStatus, tallyAssignee(tables, q.assignee)));
  return { items, total };
}

/** One page of queue rows (the list's columns) matching `where`, in queue order. */
function queueRows(tx: DbOrTx, where: SQL | undefined, page: Pick<QueueQuery, 'order' | 'limit' | 'offset'>) {
  const tables = tablesOf(tx);
  const { appeals, cases, staff } = tables;
  return tx
    .select({
      id: appeals.id,
      reference: appeals.reference,
      status: appeals.status,
      dueAt: appeals.dueAt,
      receivedAt: appeals.receivedAt,
      assignedTo: appeals.assignedTo,
      assigneeName: staff.name,
      caseReference: cases.reference,
      platform: sql<string | null>`coalesce(${cases.platform}, ${appeals.claimedPlatform})`,
      handle: sql<string | null>`coalesce(${cases.accountHandle}, ${appeals.claimedHandle})`,
      askingFor: appeals.askingFor,
      contactNeeds: appeals.contactNeeds,
    })
    .from(appeals)
    .leftJoin(staff, eq(staff.id, appeals.assignedTo))
    .leftJoin(cases, eq(cases.id, appeals.caseId))
    .where(where)
    .orderBy(...queueOrder(tables, page.order))
    .limit(page.limit)
    .offset(page.offset);
}

/** Due date, then received time (ties), then id: the order every queue index gives. */
function queueOrder({ appeals }: Tables, order: QueueQuery['order']) {
  return order === 'latest'
    ? [desc(appeals.dueAt), desc(appeals.receivedAt), desc(appeals.id)]
    : [asc(appeals.dueAt), asc(appeals.receivedAt), asc(appeals.id)];
}

/**
 * What the queue's search box looks for, already normalised by src/lib/review/review.ts: canonical
 * references (an appeal's own or its case's), an email address in lower case, a handle in lower
 * case without its leading @. Each is an exact match on an index (appeals_reference, cases_reference
 * then appeals_case, appeals_email, appeals_claimed_handle_key, cases_handle_key then
 * appeals_case): never a LIKE scan.
 */
export interface QueueSearch {
  references: string[];
  email: string | null;
  handle: string | null;
}

function searchWhere(tx: DbOrTx, s: QueueSearch) {
  const { appeals, cases } = tablesOf(tx);
  const handles = s.handle ? [s.handle, `@${s.handle}`] : [];
  const ids = (where: SQL) => tx.select({ id: appeals.id }).from(appeals).where(where);
  const casesWhere = (where: SQL) => tx.select({ id: cases.id }).from(cases).where(where);
  const arms = [
    s.references.length ? ids(inArray(appeals.reference, s.references)) : undefined,
    s.references.length ? ids(inArray(appeals.caseId, casesWhere(inArray(cases.reference, s.references)))) : undefined,
    s.email ? ids(eq(appeals.email, s.email)) : undefined,
    handles.length ? ids(inArray(sql`lower(${appeals.claimedHandle})`, handles)) : undefined,
    handles.length
      ? ids(inArray(appeals.caseId, casesWhere(inArray(sql`lower(${cases.accountHandle})`, handles))))
      : undefined,
  ].filter((arm) => arm !== undefined);
  const [first, ...rest] = arms;
  if (!first) return undefined;
  // One exact-match read a way of matching, their ids united, rather than `a OR b OR …` over
  // appeals: PostgreSQL cannot serve an OR with an `IN (subquery)` arm from indexes, so with a
  // million appeals it walked the whole due-date index testing each row (252 ms for one match,
  // tests/unit/queue-plans.test.ts); the union reads only the matches (0.6 ms).
  return inArray(
    appeals.id,
    rest.reduce((united, arm) => united.union(arm) as unknown as typeof first, first),
  );
}

/** The search's statements, unexecuted (for the query-plan test): one page, and the total. */
export function searchStatements(tx: DbOrTx, s: QueueSearch, page: Pick<QueueQuery, 'order' | 'limit' | 'offset'>) {
  const { appeals } = tablesOf(tx);
  const where = searchWhere(tx, s) ?? noRow(tx);
  const items = queueRows(tx, where, page);
  const total = tx.select({ n: count() }).from(appeals).where(where);
  return { items, total };
}

/** Appeals matching a search, in queue order, and how many match. */
export async function searchQueue(
  tx: DbOrTx,
  s: QueueSearch,
  page: Pick<QueueQuery, 'order' | 'limit' | 'offset'>,
): Promise<{ items: QueueItem[]; total: number }> {
  const st = searchStatements(tx, s, page);
  const items = await st.items;
  const [total] = await st.total;
  return { items, total: Number(total?.n ?? 0) };
}

/** One page of the queue in due-date order, and the number of appeals matching the filters. */
export async function listQueue(tx: DbOrTx, q: QueueQuery): Promise<{ items: QueueItem[]; total: number }> {
  const s = queueStatements(tx, q);
  const items = await s.items;
  const [total] = await s.total;
  return { items, total: Number(total?.n ?? 0) };
}

/** The filters other than status, which the counts per status follow. */
export type StatusCountQuery = Pick<QueueQuery, 'assignee' | 'dueBefore'>;

/**
 * How many appeals in each status among those matching the other filters: from the running counts
 * (appeal_tallies) by assignee, or with a due filter by counting the open appeals' index range.
 */
export async function countByStatus(
  tx: DbOrTx,
  q: StatusCountQuery = { assignee: null, dueBefore: null },
): Promise<Record<string, number>> {
  const rows = await countByStatusStatement(tx, q);
  return Object.fromEntries(rows.filter((r) => r.n > 0).map((r) => [r.status, r.n]));
}

/** The filters the queue page has chosen, which each filter's count keeps for the other groups. */
export type QueueFilterQuery = Pick<QueueQuery, 'status' | 'assignee' | 'dueBefore'>;

/**
 * How many appeals each queue filter would list if chosen, keeping the other filters as they are
 * (so "Me (4)" is what the list shows after choosing "Me"): overdue and due this week (clock
 * running, due before the given moments; counted on the open appeals' index ranges), assigned to
 * `staffId` and to nobody (running counts, or the open range under a due filter).
 */
export async function countQueueFilters(
  tx: DbOrTx,
  staffId: number,
  current: QueueFilterQuery,
  overdueBefore: Date,
  weekBefore: Date,
): Promise<{ overdue: number; week: number; mine: number; unassigned: number }> {
  const s = queueFilterStatements(tx, staffId, current, overdueBefore, weekBefore);
  const n = async (q: PromiseLike<{ n: number }[]>) => Number((await q)[0]?.n ?? 0);
  // One after the other, in this order, as before (one connection runs one statement at a time).
  const overdue = await n(s.overdue);
  const week = await n(s.week);
  const mine = await n(s.mine);
  const unassigned = await n(s.unassigned);
  return { overdue, week, mine, unassigned };
}

export function queueFilterStatements(
  tx: DbOrTx,
  staffId: number,
  current: QueueFilterQuery,
  overdueBefore: Date,
  weekBefore: Date,
) {
  const base = { ...current, limit: 1, offset: 0 };
  return {
    overdue: queueStatements(tx, { ...base, dueBefore: overdueBefore }).total,
    week: queueStatements(tx, { ...base, dueBefore: weekBefore }).total,
    mine: queueStatements(tx, { ...base, assignee: staffId }).total,
    unassigned: queueStatements(tx, { ...base, assignee: 'unassigned' }).total,
  };
}

export function countByStatusStatement(tx: DbOrTx, q: StatusCountQuery = { assignee: null, dueBefore: null }) {
  const tables = tablesOf(tx);
  const { appeals, appealTallies } = tables;
  if (q.dueBefore) {
    return tx
      .select({ status: appeals.status, n: sql<number>`count(*)`.mapWith(Number) })
      .from(appeals)
      .where(queueWhere(tx, { ...q, status: null }))
      .groupBy(appeals.status);
  }
  return tx
    .select({ status: appealTallies.status, n: sql<number>`sum(${appealTallies.n})`.mapWith(Number) })
    .from(appealTallies)
    .where(tallyAssignee(tables, q.assignee))
    .groupBy(appealTallies.status);
}

export interface OpenFollowUp extends FollowUpRow {
  appealReference: string;
}

/** Open follow-ups with their appeal's reference, soonest due first (index follow_ups_open). */
export function openFollowUpsStatement(tx: DbOrTx, limit = 100) {
  const { appeals, followUps } = tablesOf(tx);
  return tx
    .select({ f: followUps, appealReference: appeals.reference })
    .from(followUps)
    .innerJoin(appeals, eq(appeals.id, followUps.appealId))
    .where(isNull(followUps.doneAt))
    .orderBy(asc(followUps.dueAt))
    .limit(limit);
}

export async function listOpenFollowUpsWithAppeal(tx: DbOrTx, limit = 100): Promise<OpenFollowUp[]> {
  const rows = await openFollowUpsStatement(tx, limit);
  return rows.map((r) => ({ ...r.f, appealReference: r.appealReference }));
}

/** Staff names by id, for the history (staff only). */
export async function staffNames(tx: DbOrTx, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const { staff } = tablesOf(tx);
  const rows = await tx.select({ id: staff.id, name: staff.name }).from(staff).where(inArray(staff.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Reviewers who can be assigned (staff with the reviewer role, not disabled). */
export async function listReviewers(tx: DbOrTx): Promise<{ id: number; name: string }[]> {
  const { staff, staffRoles } = tablesOf(tx);
  return await tx
    .select({ id: staff.id, name: staff.name })
    .from(staff)
    .innerJoin(staffRoles, and(eq(staffRoles.staffId, staff.id), eq(staffRoles.role, 'reviewer')))
    .where(isNull(staff.disabledAt))
    .orderBy(asc(staff.name));
}
