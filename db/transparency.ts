/**
 * Aggregate queries for the transparency report. Everything is counted in SQL, grouped by period,
 * so the work grows with the number of periods and categories, never loading cases into memory.
 *
 * SQLite has no time zones, so callers pass the periods as [start, end) ranges of UTC milliseconds
 * already worked out for Europe/London (src/lib/transparency/report.ts); each range becomes a row of a
 * VALUES table joined by range condition, which uses the index on the timestamp column.
 */
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from './client.ts';
import { asBit, byBytes, periodsTable, tallyRange, type PeriodRange, type TallyRow } from './dialect/figures.ts';
import { allRows, firstRow } from './dialect/index.ts';

export type { PeriodRange, TallyRow } from './dialect/figures.ts';

export interface CaseCountRow {
  period: string;
  platform: string;
  detectedBy: string;
  automated: boolean;
  count: number;
}

/** Cases by period, platform, how they came to our attention and whether automated (covering index cases_figures). */
export async function countCases(db: DbOrTx, periods: readonly PeriodRange[]): Promise<CaseCountRow[]> {
  const rows = await allRows<{
    period: string;
    platform: string;
    detected_by: string;
    automated: number;
    count: number;
  }>(
    db,
    sql`
    with ${periodsTable(db, periods)}
    select p.key as period, c.platform, c.detected_by, ${asBit(db, 'c.automated')} as automated, count(*) as count
    from periods p join cases c on c.action_at >= p.start_ms and c.action_at < p.end_ms
    group by p.key, c.platform, c.detected_by, c.automated
    order by ${byBytes(db, 'p.key')}, ${byBytes(db, 'c.platform')}, ${byBytes(db, 'c.detected_by')}, c.automated`,
  );
  return rows.map((r) => ({
    period: r.period,
    platform: r.platform,
    detectedBy: r.detected_by,
    automated: r.automated === 1,
    count: r.count,
  }));
}

/** Cases whose person was told (a notice recorded as sent), by period of the action. */
export async function countCasesTold(db: DbOrTx, periods: readonly PeriodRange[]): Promise<PeriodCountRow[]> {
  return allRows<PeriodCountRow>(
    db,
    sql`
    with ${periodsTable(db, periods)}
    select p.key as period, count(*) as count
    from periods p join cases c on c.action_at >= p.start_ms and c.action_at < p.end_ms
    where c.notice_sent_at is not null
    group by p.key
    order by ${byBytes(db, 'p.key')}`,
  );
}

export interface CategoryCountRow {
  period: string;
  category: string;
  count: number;
}

/** Moderation actions by type (a case may have several). */
export async function countCaseActions(db: DbOrTx, periods: readonly PeriodRange[]): Promise<CategoryCountRow[]> {
  return allRows<CategoryCountRow>(
    db,
    sql`
    with ${periodsTable(db, periods)}
    select p.key as period, a.action as category, count(*) as count
    from periods p
    join cases c on c.action_at >= p.start_ms and c.action_at < p.end_ms
    join case_actions a on a.case_id = c.id
    group by p.key, a.action
    order by ${byBytes(db, 'p.key')}, ${byBytes(db, 'a.action')}`,
  );
}

/** Grounds applied (a case may cite several). */
export async function countCaseGrounds(db: DbOrTx, periods: readonly PeriodRange[]): Promise<CategoryCountRow[]> {
  return allRows<CategoryCountRow>(
    db,
    sql`
    with ${periodsTable(db, periods)}
    select p.key as period, g.ground_code as category, count(*) as count
    from periods p
    join cases c on c.action_at >= p.start_ms and c.action_at < p.end_ms
    join case_grounds g on g.case_id = c.id
    group by p.key, g.ground_code
    order by ${byBytes(db, 'p.key')}, ${byBytes(db, 'g.ground_code')}`,
  );
}

export interface PeriodCountRow {
  period: string;
  count: number;
}

/** Appeals received, by the day they reached us. */
export async function countAppealsReceived(db: DbOrTx, periods: readonly PeriodRange[]): Promise<PeriodCountRow[]> {
  return allRows<PeriodCountRow>(
    db,
    sql`
    with ${periodsTable(db, periods)}
    select p.key as period, count(*) as count
    from periods p join appeals a on a.received_at >= p.start_ms and a.received_at < p.end_ms
    group by p.key
    order by ${byBytes(db, 'p.key')}`,
  );
}

/** Appeals withdrawn by the appellant, by the day of withdrawal. */
export async function countAppealsWithdrawn(db: DbOrTx, periods: readonly PeriodRange[]): Promise<PeriodCountRow[]> {
  return allRows<PeriodCountRow>(
    db,
    sql`
    with ${periodsTable(db, periods)}
    select p.key as period, count(*) as count
    from periods p join appeals a on a.withdrawn_at >= p.start_ms and a.withdrawn_at < p.end_ms
    where a.status = 'withdrawn'
    group by p.key
    order by ${byBytes(db, 'p.key')}`,
  );
}

export interface DecisionCountRow {
  period: string;
  outcome: string;
  /** Working days from receipt to decision (null if not recorded). */
  workingDays: number | null;
  count: number;
}

/**
 * Decisions by period, outcome and working days taken: a histogram per period from which medians
 * and percentiles are computed in O(distinct values) (covering index appeals_decided_figures).
 */
export async function countDecisions(db: DbOrTx, periods: readonly PeriodRange[]): Promise<DecisionCountRow[]> {
  const rows = await allRows<{ period: string; outcome: string; working_days: number | null; count: number }>(
    db,
    sql`
    with ${periodsTable(db, periods)}
    select p.key as period, a.outcome, a.working_days_to_decision as working_days, count(*) as count
    from periods p join appeals a on a.decided_at >= p.start_ms and a.decided_at < p.end_ms
    where a.outcome is not null
    group by p.key, a.outcome, a.working_days_to_decision
    order by ${byBytes(db, 'p.key')}, ${byBytes(db, 'a.outcome')}, a.working_days_to_decision`,
  );
  return rows.map((r) => ({ period: r.period, outcome: r.outcome, workingDays: r.working_days, count: r.count }));
}

/** Appeals still open whose decision was due before `now` (index appeals_status_due). */
export async function countOpenPastDue(db: DbOrTx, now: Date): Promise<number> {
  const row = await firstRow<{ count: number }>(
    db,
    sql`
    select count(*) as count from appeals
    where status in ('new', 'in-review', 'waiting') and due_at < ${now.getTime()}`,
  );
  return row?.count ?? 0;
}

/** The earliest action or appeal, to offer years from then on; undefined with no data. */
export async function firstActivityAt(db: DbOrTx): Promise<Date | undefined> {
  const row = await firstRow<{ first: number | null }>(
    db,
    sql`
    select min(m) as first from (
      select min(action_at) as m from cases
      union all select min(received_at) from appeals) as firsts`,
  );
  return row?.first == null ? undefined : new Date(row.first);
}

/**
 * The title of every ground code ever published, worded as in the newest version that has it.
 */
export async function groundTitles(db: DbOrTx): Promise<Map<string, string>> {
  const rows = await allRows<{ code: string; title: string }>(
    db,
    sql`
    select g.code, g.title from grounds g join principle_versions v on v.id = g.version_id
    where v.status = 'published'
    order by v.effective_at asc nulls first, v.id asc, g.position asc`,
  );
  const out = new Map<string, string>();
  for (const r of rows) out.set(r.code, r.title);
  return out;
}

/**
 * The running aggregates (db/tallies.ts) for the given UK month indexes: a primary-key range read
 * whose cost depends on the number of months and categories, never on the number of cases.
 */
export async function readTallies(db: Db, months: readonly number[]): Promise<TallyRow[]> {
  if (months.length === 0) return [];
  const wanted = new Set(months);
  const rows = await tallyRange(db, Math.min(...months), Math.max(...months));
  return rows.filter((r) => wanted.has(r.month));
}
