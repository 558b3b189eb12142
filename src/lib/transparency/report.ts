/**
 * The transparency report: anonymous figures about moderation and appeals, by month or quarter,
 * with small-number suppression applied once here so the page, the CSV and the JSON all publish
 * exactly the same figures.
 *
 * Figures come from SQL aggregates (db/transparency.ts) and never need personal data, so they
 * survive the retention purge. The computed report is cached in memory per period choice; code
 * that records a case or decides/withdraws an appeal calls `invalidateTransparencyCache()`, and
 * a commit by any other connection empties the cache (noticeOtherWriters).
 */
import { TZDate } from '@date-fns/tz';
import type { Db } from '../../../db/client.ts';
import { otherWritersToken } from '../../../db/principles.ts';
import { CASE_ACTIONS, DETECTION, OUTCOMES, PLATFORMS } from '../../../db/schema.ts';
import {
  countAppealsReceived,
  countAppealsWithdrawn,
  countCaseActions,
  countCaseGrounds,
  countCases,
  countCasesTold,
  countDecisions,
  countOpenPastDue,
  firstActivityAt,
  groundTitles,
  readTallies,
  type PeriodRange,
} from '../../../db/transparency.ts';
import {
  ACTION_LABELS,
  DETECTION_LABELS,
  MONTHS,
  PLATFORM_LABELS,
  type Runtime,
  type Scope,
} from '../platform/index.ts';
import {
  combineWithheld,
  decisionTimes,
  mergeHistograms,
  publishedShare,
  suppress,
  type Histogram,
  type Line,
  type Shown,
} from './statistics.ts';

const TZ = 'Europe/London';

// ---------------------------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------------------------

export type View = 'month' | 'quarter';
/** "last-12-months" or a calendar year such as "2025". */
export type RangeChoice = string;

export const DEFAULT_VIEW: View = 'month';
export const DEFAULT_RANGE = 'last-12-months';

export interface Period extends PeriodRange {
  /** "March 2026" or "January to March 2026". */
  label: string;
  /** Short label for charts: "Mar 2026" or "Q1 2026". */
  shortLabel: string;
}

/** Start of month `month` (1-12, may overflow) of `year` in UK time, as UTC ms. */
function monthStart(year: number, month: number): number {
  return new TZDate(year, month - 1, 1, 0, 0, 0, TZ).getTime();
}

/** Index of a month counted from year 0 (year × 12 + month − 1), for arithmetic. */
export function monthIndexOf(date: Date): number {
  const z = new TZDate(date.getTime(), TZ);
  return z.getFullYear() * 12 + z.getMonth();
}

export function monthPeriod(index: number): Period {
  const year = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return {
    key: `${year}-${String(m).padStart(2, '0')}`,
    start: monthStart(year, m),
    end: monthStart(year, m + 1),
    label: `${MONTHS[m - 1]} ${year}`,
    shortLabel: `${MONTHS[m - 1]!.slice(0, 3)} ${year}`,
  };
}

/** Quarters are calendar quarters: January to March is Q1. `index` = year × 4 + quarter − 1. */
export function quarterPeriod(index: number): Period {
  const year = Math.floor(index / 4);
  const q = (index % 4) + 1;
  const first = (q - 1) * 3 + 1;
  return {
    key: `${year}-Q${q}`,
    start: monthStart(year, first),
    end: monthStart(year, first + 3),
    label: `${MONTHS[first - 1]} to ${MONTHS[first + 1]} ${year}`,
    shortLabel: `Q${q} ${year}`,
  };
}

/**
 * The periods shown: only complete ones (a month or quarter that has ended), so published figures
 * for a period do not change as the period fills up.
 */
export function periodsFor(view: View, range: RangeChoice, now: Date): Period[] {
  const currentMonth = monthIndexOf(now);
  const currentQuarter = Math.floor(currentMonth / 3);
  if (range === DEFAULT_RANGE) {
    if (view === 'month') return Array.from({ length: 12 }, (_, i) => monthPeriod(currentMonth - 12 + i));
    return Array.from({ length: 4 }, (_, i) => quarterPeriod(currentQuarter - 4 + i));
  }
  const year = Number(range);
  if (view === 'month') {
    return Array.from({ length: 12 }, (_, i) => year * 12 + i)
      .filter((i) => i < currentMonth)
      .map(monthPeriod);
  }
  return Array.from({ length: 4 }, (_, i) => year * 4 + i)
    .filter((i) => i < currentQuarter)
    .map(quarterPeriod);
}

export interface ReportChoice {
  view: View;
  range: RangeChoice;
}

export type ChoiceResult =
  { ok: true; choice: ReportChoice } | { ok: false; choice: ReportChoice; errors: Record<string, string> };

/** Years offered: from the first recorded action or appeal (at most 10 years back) to this year. */
export async function yearsOffered(rt: Runtime): Promise<number[]> {
  const thisYear = new TZDate(rt.now().getTime(), TZ).getFullYear();
  const first = await firstActivityAt(rt.db);
  const from = Math.max(thisYear - 9, first ? new TZDate(first.getTime(), TZ).getFullYear() : thisYear);
  const years: number[] = [];
  for (let y = thisYear; y >= from; y--) years.push(y);
  return years;
}

/** Reads ?view= and ?range= from the query string; absent values take the defaults. */
export function parseReportChoice(params: URLSearchParams, years: readonly number[]): ChoiceResult {
  const view = params.get('view') ?? DEFAULT_VIEW;
  const range = params.get('range') ?? DEFAULT_RANGE;
  const errors: Record<string, string> = {};
  const okView = view === 'month' || view === 'quarter';
  const okRange = range === DEFAULT_RANGE || years.map(String).includes(range);
  if (!okView) errors.view = 'Select whether to show figures by month or by quarter';
  if (!okRange) errors.range = 'Select the last 12 months or one of the years listed';
  const choice = { view: okView ? (view as View) : DEFAULT_VIEW, range: okRange ? range : DEFAULT_RANGE };
  return Object.keys(errors).length ? { ok: false, choice, errors } : { ok: true, choice };
}

// ---------------------------------------------------------------------------------------------
// Linked counts and suppression
// ---------------------------------------------------------------------------------------------

interface Partition {
  table: string;
  categories: readonly string[];
  /** True when every item is in exactly one category, so the categories add up to the total. */
  addsUp: boolean;
}

interface Family {
  total?: string;
  partitions: Partition[];
}

/** Raw counts: period → cell name ("platform/facebook" or the total's name) → count. */
type Counts = Map<string, Map<string, number>>;

function add(counts: Counts, period: string, cell: string, n: number): void {
  let m = counts.get(period);
  if (!m) counts.set(period, (m = new Map()));
  m.set(cell, (m.get(cell) ?? 0) + n);
}

const get = (counts: Counts, period: string, cell: string) => counts.get(period)?.get(cell) ?? 0;

/**
 * Suppresses one family of linked counts over one calendar quarter. Within a month, the
 * categories of each breakdown add up to the month's total (solved together by `suppress`). A
 * quarter cell is the sum of its three months and is published only when all three are
 * (`combineWithheld`), and only once the quarter is complete; so neither the quarter nor a later
 * version of the page lets a reader work out a "<5" in a month.
 */
export function suppressQuarter(
  family: Family,
  months: readonly string[],
  quarter: string | undefined,
  counts: Counts,
): Map<string, Shown> {
  const id = (period: string, cell: string) => `${period}|${cell}`;
  const cells = [
    ...(family.total ? [family.total] : []),
    ...family.partitions.flatMap((p) => p.categories.map((c) => `${p.table}/${c}`)),
  ];
  const shown = new Map<string, Shown>();
  for (const month of months) {
    const values = new Map(cells.map((cell) => [id(month, cell), get(counts, month, cell)]));
    const lines: Line[] = family.total
      ? family.partitions
          .filter((p) => p.addsUp)
          .map((p) => ({
            parts: p.categories.map((c) => id(month, `${p.table}/${c}`)),
            total: id(month, family.total!),
          }))
      : [];
    for (const [k, v] of suppress(values, lines)) shown.set(k, v);
  }
  if (quarter) {
    for (const cell of cells) {
      const value = months.reduce((sum, m) => sum + get(counts, m, cell), 0);
      shown.set(
        id(quarter, cell),
        combineWithheld(
          months.map((m) => shown.get(id(m, cell))!),
          value,
        ),
      );
    }
  }
  return shown;
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

export interface Category {
  code: string;
  label: string;
}

export interface FigureTable {
  id: string;
  title: string;
  /** What is counted, for the chart description and the CSV. */
  unit: string;
  categories: Category[];
  /** Label of the total column, when the categories add up to a total. */
  totalLabel?: string;
  /** 'grouped' when the categories are separate measures, not parts of one whole (drawn side by side). */
  chart?: 'stacked' | 'grouped';
  rows: { period: Period; cells: Shown[]; total?: Shown }[];
}

/** Median/percentile figures: a number, "[low]" (fewer than 5 decisions) or, for the share, "[c]" / "[z]". */
export type Measure = number | '[low]' | '[c]' | '[z]';

export interface TimingRow {
  period: Period;
  decided: Shown;
  medianDays: Measure;
  p90Days: Measure;
  withinTarget: Shown;
  /** Whole-number percentage decided within the target. */
  withinTargetPercent: Measure;
}

/** The share of actions (cases) where the person was told, per period. */
export interface ToldRow {
  period: Period;
  cases: Shown;
  told: Shown;
  /** Whole-number percentage told: a number, "[c]" (a count withheld) or "[z]" (no actions). */
  toldPercent: Measure;
}

export interface Report {
  choice: ReportChoice;
  periods: Period[];
  generatedAt: Date;
  targetWorkingDays: number;
  tables: FigureTable[];
  timing: TimingRow[];
  told: ToldRow[];
  /** Appeals open now whose decision is overdue. */
  openPastTarget: Shown;
}

const CASES: Family = {
  total: 'cases',
  partitions: [
    { table: 'platform', categories: PLATFORMS, addsUp: true },
    { table: 'detection', categories: DETECTION, addsUp: true },
    { table: 'automated', categories: ['yes', 'no'], addsUp: true },
    // Was the person told (a notice recorded as sent)? "no" covers "could not be" and "not recorded".
    { table: 'told', categories: ['yes', 'no'], addsUp: true },
  ],
};
const DECISIONS: Family = {
  total: 'decided',
  partitions: [
    { table: 'outcome', categories: OUTCOMES, addsUp: true },
    { table: 'target', categories: ['within', 'outside'], addsUp: true },
  ],
};

const OUTCOME_SHORT: Record<(typeof OUTCOMES)[number], string> = {
  upheld: 'Decision kept (upheld)',
  overturned: 'Decision reversed (overturned)',
  'partly-overturned': 'Partly reversed',
};

export interface MonthlyCounts {
  cases: Counts;
  actions: Counts;
  groundsCounts: Counts;
  received: Counts;
  withdrawn: Counts;
  decided: Counts;
  histograms: Map<string, Map<number, number>>;
}

function emptyCounts(): MonthlyCounts {
  return {
    cases: new Map(),
    actions: new Map(),
    groundsCounts: new Map(),
    received: new Map(),
    withdrawn: new Map(),
    decided: new Map(),
    histograms: new Map(),
  };
}

function addDecisions(
  out: MonthlyCounts,
  period: string,
  outcome: string,
  workingDays: number | null,
  count: number,
  target: number,
): void {
  add(out.decided, period, 'decided', count);
  add(out.decided, period, `outcome/${outcome}`, count);
  const within = workingDays !== null && workingDays <= target;
  add(out.decided, period, `target/${within ? 'within' : 'outside'}`, count);
  if (workingDays !== null) {
    let h = out.histograms.get(period);
    if (!h) out.histograms.set(period, (h = new Map()));
    h.set(workingDays, (h.get(workingDays) ?? 0) + count);
  }
}

/** Month index (year × 12 + month − 1) of a month key "2026-04". */
const monthIndexOfKey = (key: string) => Number(key.slice(0, 4)) * 12 + Number(key.slice(5, 7)) - 1;

/**
 * Counts months from the running aggregates (db/tallies.ts): the cost depends on the number of
 * months and categories, not on the number of cases. Equal to `countsFromRows` by construction of
 * the triggers, which a unit test checks on random data.
 */
export async function countsFromTallies(rt: Runtime, months: readonly PeriodRange[]): Promise<MonthlyCounts> {
  const target = rt.config.reviewWorkingDays;
  const out = emptyCounts();
  const keyOf = new Map(months.map((m) => [monthIndexOfKey(m.key), m.key]));
  for (const r of await readTallies(rt.db, [...keyOf.keys()])) {
    const period = keyOf.get(r.month)!;
    switch (r.measure) {
      case 'case': {
        const [platform, detectedBy, automated] = r.category.split('|');
        add(out.cases, period, 'cases', r.n);
        add(out.cases, period, `platform/${platform}`, r.n);
        add(out.cases, period, `detection/${detectedBy}`, r.n);
        add(out.cases, period, `automated/${automated === '1' ? 'yes' : 'no'}`, r.n);
        break;
      }
      case 'told':
        add(out.cases, period, 'told/yes', r.n);
        break;
      case 'action':
        add(out.actions, period, `action/${r.category}`, r.n);
        break;
      case 'ground':
        add(out.groundsCounts, period, `ground/${r.category}`, r.n);
        break;
      case 'received':
        add(out.received, period, 'received', r.n);
        break;
      case 'withdrawn':
        add(out.withdrawn, period, 'withdrawn', r.n);
        break;
      case 'decided':
        addDecisions(out, period, r.category, r.days < 0 ? null : r.days, r.n, target);
        break;
    }
  }
  return withNotTold(out);
}

/** "Not told" is every case of the month not recorded as told (could not be, or not recorded). */
function withNotTold(out: MonthlyCounts): MonthlyCounts {
  for (const cells of out.cases.values())
    cells.set('told/no', (cells.get('cases') ?? 0) - (cells.get('told/yes') ?? 0));
  return out;
}

/** The definition: counts one batch of months with SQL aggregates over the rows themselves. */
export async function countsFromRows(rt: Runtime, months: readonly PeriodRange[]): Promise<MonthlyCounts> {
  const target = rt.config.reviewWorkingDays;
  const out = emptyCounts();
  if (months.length === 0) return out;
  for (const r of await countCases(rt.db, months)) {
    add(out.cases, r.period, 'cases', r.count);
    add(out.cases, r.period, `platform/${r.platform}`, r.count);
    add(out.cases, r.period, `detection/${r.detectedBy}`, r.count);
    add(out.cases, r.period, `automated/${r.automated ? 'yes' : 'no'}`, r.count);
  }
  for (const r of await countCasesTold(rt.db, months)) add(out.cases, r.period, 'told/yes', r.count);
  for (const r of await countCaseActions(rt.db, months)) add(out.actions, r.period, `action/${r.category}`, r.count);
  for (const r of await countCaseGrounds(rt.db, months))
    add(out.groundsCounts, r.period, `ground/${r.category}`, r.count);
  for (const r of await countAppealsReceived(rt.db, months)) add(out.received, r.period, 'received', r.count);
  for (const r of await countAppealsWithdrawn(rt.db, months)) add(out.withdrawn, r.period, 'withdrawn', r.count);
  for (const r of await countDecisions(rt.db, months))
    addDecisions(out, r.period, r.outcome, r.workingDays, r.count, target);
  return withNotTold(out);
}

/**
 * Raw counts for the given (complete) months. A complete month's counts only change when a case
 * or decision dated in it changes, so they are kept per month and only the months not cached
 * (or invalidated) are counted again: with a million cases, a routine change in the current
 * month costs no SQL at all for the months on show.
 */
async function monthlyCounts(rt: Runtime, months: readonly PeriodRange[]): Promise<MonthlyCounts> {
  if (!rt.config.pageCache) return countsFromTallies(rt, months);
  noticeOtherWriters(rt);
  const nowMs = rt.now().getTime();
  const state = cacheOf(rt);
  let store = state.months.get(rt.db);
  if (!store) state.months.set(rt.db, (store = new Map()));
  const isFresh = (key: string) => {
    const hit = store.get(key);
    return (
      !!hit &&
      hit.stamp > state.invalidatedAll &&
      hit.stamp > (state.invalidatedMonths.get(key) ?? 0) &&
      nowMs - hit.at >= 0 &&
      nowMs - hit.at < MONTH_CACHE_MAX_AGE_MS
    );
  };
  const missing = months.filter((m) => !isFresh(m.key));
  if (missing.length > 0) {
    // The stamp is taken before counting: an invalidation while the counts are read (another
    // request's write, between two awaits) gets a later stamp, so these counts are not kept as fresh.
    const stamp = ++state.clock;
    const fresh = await countsFromTallies(rt, missing);
    for (const m of missing) {
      const pick = (c: Counts): Counts => new Map(c.has(m.key) ? [[m.key, c.get(m.key)!]] : []);
      store.set(m.key, {
        at: nowMs,
        stamp,
        data: {
          cases: pick(fresh.cases),
          actions: pick(fresh.actions),
          groundsCounts: pick(fresh.groundsCounts),
          received: pick(fresh.received),
          withdrawn: pick(fresh.withdrawn),
          decided: pick(fresh.decided),
          histograms: new Map(fresh.histograms.has(m.key) ? [[m.key, fresh.histograms.get(m.key)!]] : []),
        },
      });
    }
  }
  const out = emptyCounts();
  for (const m of months) {
    const d = store.get(m.key)!.data;
    for (const k of ['cases', 'actions', 'groundsCounts', 'received', 'withdrawn', 'decided'] as const)
      for (const [p, v] of d[k]) out[k].set(p, v);
    for (const [p, v] of d.histograms) out.histograms.set(p, v);
  }
  return out;
}

/** Builds the report from SQL aggregates (uncached; see getTransparencyReport). */
export async function buildReport(rt: Runtime, choice: ReportChoice): Promise<Report> {
  const now = rt.now();
  const periods = periodsFor(choice.view, choice.range, now);
  const target = rt.config.reviewWorkingDays;
  const openPast = suppress(new Map([['open', await countOpenPastDue(rt.db, now)]]), []).get('open')!;
  const base = { choice, periods, generatedAt: now, targetWorkingDays: target, openPastTarget: openPast };
  if (periods.length === 0) return { ...base, tables: [], timing: [], told: [] };

  // Every calendar quarter touched, with its complete months (only those are ever published).
  const currentMonth = monthIndexOf(now);
  const firstMonth = monthIndexOf(new Date(periods[0]!.start));
  const lastMonth = monthIndexOf(new Date(periods.at(-1)!.end - 1));
  const quarters: { quarter: Period; months: Period[]; complete: boolean }[] = [];
  for (let q = Math.floor(firstMonth / 3); q <= Math.floor(lastMonth / 3); q++) {
    const months = [0, 1, 2].map((i) => q * 3 + i).filter((i) => i < currentMonth);
    quarters.push({ quarter: quarterPeriod(q), months: months.map(monthPeriod), complete: months.length === 3 });
  }
  const monthRanges = quarters.flatMap((q) => q.months);
  if (monthRanges.length === 0) return { ...base, tables: [], timing: [], told: [] };

  const { cases, actions, groundsCounts, received, withdrawn, decided, histograms } = await monthlyCounts(
    rt,
    monthRanges,
  );

  const titles = await groundTitles(rt.db);
  const groundCodes = [
    ...new Set([
      ...titles.keys(),
      ...[...groundsCounts.values()].flatMap((m) => [...m.keys()].map((k) => k.slice('ground/'.length))),
    ]),
  ];
  const families = {
    cases: { family: CASES, counts: cases },
    actions: {
      family: { partitions: [{ table: 'action', categories: CASE_ACTIONS, addsUp: false }] },
      counts: actions,
    },
    grounds: {
      family: { partitions: [{ table: 'ground', categories: groundCodes, addsUp: false }] },
      counts: groundsCounts,
    },
    received: { family: { total: 'received', partitions: [] }, counts: received },
    withdrawn: { family: { total: 'withdrawn', partitions: [] }, counts: withdrawn },
    decided: { family: DECISIONS, counts: decided },
  } satisfies Record<string, { family: Family; counts: Counts }>;

  // Suppress each family over each calendar quarter; `shown` is keyed "period|cell".
  const shown = new Map<string, Shown>();
  for (const { family, counts } of Object.values(families)) {
    for (const q of quarters) {
      const result = suppressQuarter(
        family,
        q.months.map((m) => m.key),
        q.complete ? q.quarter.key : undefined,
        counts,
      );
      for (const [k, v] of result) shown.set(k, v);
    }
  }
  const cell = (period: Period, name: string): Shown => {
    const v = shown.get(`${period.key}|${name}`);
    if (v === undefined) throw new Error(`no figure for ${period.key}|${name}`);
    return v;
  };

  const table = (
    id: string,
    title: string,
    unit: string,
    prefix: string,
    categories: Category[],
    total?: { name: string; label: string },
  ): FigureTable => ({
    id,
    title,
    unit,
    categories,
    ...(total ? { totalLabel: total.label } : {}),
    rows: periods.map((period) => ({
      period,
      cells: categories.map((c) => cell(period, `${prefix}/${c.code}`)),
      ...(total ? { total: cell(period, total.name) } : {}),
    })),
  });
  const cat = <T extends string>(codes: readonly T[], labels: Record<T, string>): Category[] =>
    codes.map((code) => ({ code, label: labels[code] }));
  const casesTotal = { name: 'cases', label: 'All cases' };

  const tables: FigureTable[] = [
    table('actions-by-type', 'Moderation actions by type', 'actions', 'action', cat(CASE_ACTIONS, ACTION_LABELS)),
    table(
      'actions-by-ground',
      'Grounds for action cited',
      'grounds cited',
      'ground',
      groundCodes.map((code) => ({ code, label: titles.get(code) ?? code })),
    ),
    table('cases-by-platform', 'Cases by platform', 'cases', 'platform', cat(PLATFORMS, PLATFORM_LABELS), casesTotal),
    table(
      'cases-by-detection',
      'How cases came to our attention',
      'cases',
      'detection',
      cat(DETECTION, DETECTION_LABELS),
      casesTotal,
    ),
    table(
      'cases-by-automation',
      'Whether automated means were used',
      'cases',
      'automated',
      cat(['yes', 'no'] as const, { yes: 'Automated means used', no: 'No automated means' }),
      casesTotal,
    ),
    table(
      'cases-told',
      'Whether the person was told',
      'cases',
      'told',
      cat(['yes', 'no'] as const, { yes: 'Person told', no: 'Not told, or not recorded' }),
      casesTotal,
    ),
    {
      id: 'appeals',
      title: 'Appeals received, decided and withdrawn',
      unit: 'appeals',
      // Separate measures (an appeal decided this month may have been received last month).
      chart: 'grouped',
      categories: [
        { code: 'received', label: 'Received' },
        { code: 'decided', label: 'Decided' },
        { code: 'withdrawn', label: 'Withdrawn' },
      ],
      rows: periods.map((period) => ({
        period,
        cells: [cell(period, 'received'), cell(period, 'decided'), cell(period, 'withdrawn')],
      })),
    },
    table('appeal-outcomes', 'Outcomes of appeals decided', 'decisions', 'outcome', cat(OUTCOMES, OUTCOME_SHORT), {
      name: 'decided',
      label: 'All decisions',
    }),
  ];

  const timing: TimingRow[] = periods.map((period) => {
    const monthKeys =
      choice.view === 'month'
        ? [period.key]
        : quarters.find((q) => q.quarter.key === period.key)!.months.map((m) => m.key);
    const histogram: Histogram = mergeHistograms(monthKeys.map((k) => histograms.get(k) ?? new Map()));
    const times = decisionTimes(histogram);
    const decidedShown = cell(period, 'decided');
    const within = cell(period, 'target/within');
    const outside = cell(period, 'target/outside');
    return {
      period,
      decided: decidedShown,
      medianDays: times.median ?? '[low]',
      p90Days: times.p90 ?? '[low]',
      withinTarget: within,
      withinTargetPercent: publishedShare(decidedShown, [within], [within, outside]),
    };
  });

  const told: ToldRow[] = periods.map((period) => {
    const all = cell(period, 'cases');
    const yes = cell(period, 'told/yes');
    const no = cell(period, 'told/no');
    return { period, cases: all, told: yes, toldPercent: publishedShare(all, [yes], [yes, no]) };
  });

  return { ...base, tables, timing, told };
}

// ---------------------------------------------------------------------------------------------
// Cache
// ---------------------------------------------------------------------------------------------

/** Safety net: a cached report is rebuilt after this long even if nobody invalidated it. */
export const CACHE_MAX_AGE_MS = 5 * 60 * 1000;
/**
 * Safety net for one complete month's raw counts (they change only when a late case or a change
 * to an old case is recorded, and that code invalidates the month).
 */
export const MONTH_CACHE_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * The cache's state belongs to the runtime (rt.caches, made by createRuntime), not to this module:
 * the start script and the Astro bundle each hold their own copy of this module, and an
 * invalidation from either must reach the cache the pages read.
 */
interface CacheState {
  reports: WeakMap<Db, Map<string, { report: Report; at: number; stamp: number }>>;
  months: WeakMap<Db, Map<string, { data: MonthlyCounts; at: number; stamp: number }>>;
  /** A logical clock: every cache entry and every invalidation takes the next number. */
  clock: number;
  invalidatedAll: number;
  invalidatedAny: number;
  invalidatedMonths: Map<string, number>;
  /** Per database: the other-writers token when last looked at (db/principles.ts otherWritersToken). */
  otherWriters: WeakMap<Db, { read: () => number; seen: number }>;
}
const CACHE_KEY = 'transparency';
function cacheOf(rt: Pick<Scope, 'caches'>): CacheState {
  let state = rt.caches.get(CACHE_KEY) as CacheState | undefined;
  if (!state) {
    state = {
      reports: new WeakMap(),
      months: new WeakMap(),
      clock: 0,
      invalidatedAll: 0,
      invalidatedAny: 0,
      invalidatedMonths: new Map(),
      otherWriters: new WeakMap(),
    };
    rt.caches.set(CACHE_KEY, state);
  }
  return state;
}

/**
 * This process invalidates the cache on its own writes (invalidateTransparencyCache, by month).
 * A commit by anybody else (another process or instance, a script) is noticed here through
 * SQLite's data_version, which moves only for other connections' commits (on PostgreSQL, within
 * about a second of any commit in the cluster, this process's included); what they changed is
 * unknown, so everything is recounted.
 */
function noticeOtherWriters(rt: Runtime): void {
  const { db } = rt;
  const state = cacheOf(rt);
  const known = state.otherWriters.get(db);
  if (!known) {
    const read = otherWritersToken(db);
    state.otherWriters.set(db, { read, seen: read() });
    return;
  }
  const now = known.read();
  if (now !== known.seen) {
    known.seen = now;
    invalidateTransparencyCache(rt);
  }
}

/**
 * Forgets cached figures. Call after recording or changing a case, or deciding or withdrawing an
 * appeal, so the next visitor sees figures that include it.
 *
 * Pass the dates the change affects (the case's action time; the appeal's received, decided or
 * withdrawn time) to forget only those months; with no dates everything is recounted.
 */
export function invalidateTransparencyCache(rt: Pick<Scope, 'caches'>, changedAt?: Date | readonly Date[]): void {
  const state = cacheOf(rt);
  const stamp = ++state.clock;
  state.invalidatedAny = stamp;
  if (changedAt === undefined) {
    state.invalidatedAll = stamp;
    return;
  }
  for (const date of Array.isArray(changedAt) ? changedAt : [changedAt as Date]) {
    state.invalidatedMonths.set(monthPeriod(monthIndexOf(date)).key, stamp);
  }
}

/** The report for a choice, from the cache when fresh (no change since, same month, under 5 minutes old). */
export async function getTransparencyReport(rt: Runtime, choice: ReportChoice): Promise<Report> {
  // PAGE_CACHE=false: figures computed on every request (how the benchmarks measure a cold page).
  if (!rt.config.pageCache) return buildReport(rt, choice);
  noticeOtherWriters(rt);
  const state = cacheOf(rt);
  const now = rt.now();
  const key = `${choice.view}|${choice.range}|${monthIndexOf(now)}`;
  let entries = state.reports.get(rt.db);
  if (!entries) state.reports.set(rt.db, (entries = new Map()));
  const hit = entries.get(key);
  const age = hit ? now.getTime() - hit.at : -1;
  if (hit && hit.stamp > state.invalidatedAny && age >= 0 && age < CACHE_MAX_AGE_MS) return hit.report;
  // Stamped before building, as in monthlyCounts: an invalidation meanwhile makes the entry stale.
  const stamp = ++state.clock;
  const report = await buildReport(rt, choice);
  entries.set(key, { report, at: now.getTime(), stamp });
  return report;
}

// ---------------------------------------------------------------------------------------------
// Request handling shared by the page and the downloads
// ---------------------------------------------------------------------------------------------

export type ReportRequest =
  | { ok: true; choice: ReportChoice; years: number[]; report: Report }
  | {
      ok: false;
      choice: ReportChoice;
      years: number[];
      errors: Record<string, string>;
      values: { view: string; range: string };
    };

/** Parses ?view=&range= and returns the (cached) report, or the errors to show. */
export async function reportForRequest(rt: Runtime, params: URLSearchParams): Promise<ReportRequest> {
  const years = await yearsOffered(rt);
  const parsed = parseReportChoice(params, years);
  if (!parsed.ok) {
    return {
      ok: false,
      choice: parsed.choice,
      years,
      errors: parsed.errors,
      values: { view: params.get('view') ?? '', range: params.get('range') ?? '' },
    };
  }
  return { ok: true, choice: parsed.choice, years, report: await getTransparencyReport(rt, parsed.choice) };
}

/** "month-last-12-months" for file names. */
export function choiceSlug(choice: ReportChoice): string {
  return `${choice.view}-${choice.range}`;
}
