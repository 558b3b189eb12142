/**
 * The transparency report at a glance: the headline figures of the last complete quarter, and the
 * month under way as provisional figures, kept apart from the complete periods.
 *
 * Headline figures are read from the published (already suppressed) quarterly report, so they
 * never reveal more than its tables: a share is worked out only from figures that are published
 * themselves. Each headline figure is one entry in a list, so another figure is one more entry.
 */
import {
  countsFromTallies,
  DEFAULT_RANGE,
  getTransparencyReport,
  monthIndexOf,
  monthPeriod,
  type Measure,
  type Period,
  type Report,
} from './report.ts';
import type { FigureRow } from './export.ts';
import { publishedShare, suppress, type Shown } from './statistics.ts';
import type { Runtime } from '../platform/index.ts';

/** One headline figure: a number, or a marker ("<5", "[c]", "[low]", "[z]") explained in words. */
export interface GlanceFigure {
  id: string;
  label: string;
  value: Shown | Measure;
  /** How to read the value: a count, a percentage or working days. */
  kind: 'count' | 'percent' | 'days';
}

export interface Headline {
  /** The last complete quarter; undefined before there is one. */
  period: Period | undefined;
  figures: GlanceFigure[];
}

/** Headline figures for the last complete quarter, from the (cached) quarterly report. */
export async function headlineFigures(rt: Runtime, given?: Report): Promise<Headline> {
  const report = given ?? (await getTransparencyReport(rt, { view: 'quarter', range: DEFAULT_RANGE }));
  const period = report.periods.at(-1);
  if (!period) return { period: undefined, figures: [] };
  const rowOf = (id: string) => report.tables.find((t) => t.id === id)?.rows.find((r) => r.period.key === period.key);
  const cases = rowOf('cases-by-platform')?.total ?? 0;
  const appeals = rowOf('appeals');
  const outcomes = rowOf('appeal-outcomes');
  const outcomeTable = report.tables.find((t) => t.id === 'appeal-outcomes');
  const outcomeCell = (code: string): Shown =>
    outcomes?.cells[outcomeTable?.categories.findIndex((c) => c.code === code) ?? -1] ?? 0;
  const timing = report.timing.find((t) => t.period.key === period.key);
  const target = report.targetWorkingDays;
  return {
    period,
    figures: [
      { id: 'cases', label: 'Posts and accounts we took action on', value: cases, kind: 'count' },
      { id: 'appeals-received', label: 'Appeals received', value: appeals?.cells[0] ?? 0, kind: 'count' },
      { id: 'appeals-decided', label: 'Appeals decided', value: appeals?.cells[1] ?? 0, kind: 'count' },
      {
        id: 'overturned',
        label: 'Decisions we reversed, fully or partly, when asked to look again',
        value: publishedShare(
          outcomes?.total ?? 0,
          [outcomeCell('overturned'), outcomeCell('partly-overturned')],
          [outcomes?.total ?? 0],
        ),
        kind: 'percent',
      },
      { id: 'median-days', label: 'Median time to decide an appeal', value: timing?.medianDays ?? '[z]', kind: 'days' },
      {
        id: 'within-target',
        label: `Appeals decided within our target of ${target} working days`,
        value: timing?.withinTargetPercent ?? '[z]',
        kind: 'percent',
      },
    ],
  };
}

/**
 * A figure in a report table: a count with thousands separators ("1,234"), a percentage with its
 * sign ("50%"), or a marker as it is ("<5", "[c]"; MARKERS says what each means).
 */
export function cellText(v: number | string, kind: 'count' | 'percent' = 'count'): string {
  if (typeof v !== 'number') return v;
  return kind === 'percent' ? `${v}%` : v.toLocaleString('en-GB');
}

/** A headline value in words: "12", "50%", "6 working days", or what a marker means. */
export function glanceValue(f: Pick<GlanceFigure, 'value' | 'kind'>): string {
  const v = f.value;
  if (typeof v === 'number') {
    if (f.kind === 'percent') return `${v}%`;
    if (f.kind === 'days') return `${v.toLocaleString('en-GB')} working ${v === 1 ? 'day' : 'days'}`;
    return v.toLocaleString('en-GB');
  }
  if (v === '<5') return 'fewer than 5';
  if (v === '[c]') return 'withheld, so a small number cannot be worked out';
  if (v === '[low]') return 'not published: fewer than 5 decisions';
  return f.kind === 'count' ? '0' : 'none: no appeals decided';
}

export interface MonthToDate {
  /** The month under way. */
  period: Period;
  /** When these figures were counted. */
  asAt: Date;
  figures: GlanceFigure[];
}

/**
 * The month under way so far: totals only (no breakdowns), each with the small-number rule. They
 * change until the month ends, so they are never mixed into the complete periods or the downloads
 * (only `?include=provisional` adds them, as their own table).
 */
export async function monthToDate(rt: Runtime): Promise<MonthToDate> {
  const now = rt.now();
  const period = monthPeriod(monthIndexOf(now));
  const counts = await countsFromTallies(rt, [period]);
  const raw = (c: Map<string, Map<string, number>>, cell: string) => c.get(period.key)?.get(cell) ?? 0;
  const shown = suppress(
    new Map([
      ['cases', raw(counts.cases, 'cases')],
      ['received', raw(counts.received, 'received')],
      ['decided', raw(counts.decided, 'decided')],
    ]),
    [],
  );
  return {
    period,
    asAt: now,
    figures: [
      { id: 'cases', label: 'Posts and accounts we took action on', value: shown.get('cases')!, kind: 'count' },
      { id: 'appeals-received', label: 'Appeals received', value: shown.get('received')!, kind: 'count' },
      { id: 'appeals-decided', label: 'Appeals decided', value: shown.get('decided')!, kind: 'count' },
    ],
  };
}

const ukDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The month-to-date figures as download rows: table "month-to-date", up to the day they were counted. */
export function monthToDateRows(m: MonthToDate): FigureRow[] {
  return m.figures.map((f) => ({
    table: 'month-to-date',
    period: m.period.key,
    period_start: ukDay.format(new Date(m.period.start)),
    period_end: ukDay.format(m.asAt),
    category: f.id,
    category_label: `${f.label} (provisional: the month is not over)`,
    unit: f.id === 'cases' ? 'cases' : 'appeals',
    value: f.value,
  }));
}

/** Reads ?include=: absent, or "provisional" to add the month under way to a download. */
export function parseInclude(
  params: URLSearchParams,
): { ok: true; provisional: boolean } | { ok: false; error: string } {
  const values = params.getAll('include');
  if (values.length === 0) return { ok: true, provisional: false };
  if (values.every((v) => v === 'provisional')) return { ok: true, provisional: true };
  return { ok: false, error: 'include can only be "provisional" (the month under way)' };
}
