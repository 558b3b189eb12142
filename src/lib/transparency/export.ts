/**
 * The transparency figures as one flat list, shared by the CSV and JSON downloads and listed on
 * the page, so all three publish exactly the same values.
 */
import { csvCell } from '../platform/index.ts';
import type { FigureTable, Period, Report } from './report.ts';

export const LICENCE = {
  name: 'Open Government Licence v3.0',
  url: 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/',
} as const;

/** One published figure. `value` is a number or a marker: "<5", "[c]", "[low]" or "[z]". */
export interface FigureRow {
  table: string;
  period: string;
  period_start: string;
  period_end: string;
  category: string;
  category_label: string;
  unit: string;
  value: number | string;
}

/** The columns of the CSV, in order, with what each means (shown on the page). */
export const COLUMNS: { name: keyof FigureRow; meaning: string }[] = [
  {
    name: 'table',
    meaning:
      'Which table the figure belongs to, e.g. cases-by-platform; month-to-date for the month under way, which is in the file only when asked for (?include=provisional) and will change until the month ends',
  },
  { name: 'period', meaning: 'The month (2026-03) or quarter (2026-Q1), or "as-at" for a figure about today' },
  { name: 'period_start', meaning: 'First day of the period (UK time), as YYYY-MM-DD' },
  { name: 'period_end', meaning: 'Last day of the period (UK time), as YYYY-MM-DD' },
  { name: 'category', meaning: 'The code of what is counted, e.g. facebook, hidden, upheld, or total' },
  { name: 'category_label', meaning: 'The same in plain words' },
  {
    name: 'unit',
    meaning: 'What the value measures: cases, actions, grounds cited, appeals, decisions, working days or percent',
  },
  { name: 'value', meaning: 'The figure: a whole number, or <5, [c], [low] or [z] (see "Small numbers" above)' },
];

const ukDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const day = (ms: number) => ukDay.format(new Date(ms));

function periodFields(p: Period) {
  return { period: p.key, period_start: day(p.start), period_end: day(p.end - 1) };
}

/** One table's figures as rows. */
export function tableFigures(t: FigureTable): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const r of t.rows) {
    t.categories.forEach((c, i) => {
      rows.push({
        table: t.id,
        ...periodFields(r.period),
        category: c.code,
        category_label: c.label,
        unit: t.unit,
        value: r.cells[i]!,
      });
    });
    if (r.total !== undefined)
      rows.push({
        table: t.id,
        ...periodFields(r.period),
        category: 'total',
        category_label: t.totalLabel!,
        unit: t.unit,
        value: r.total,
      });
  }
  return rows;
}

export function reportFigures(report: Report): FigureRow[] {
  const rows: FigureRow[] = report.tables.flatMap(tableFigures);
  for (const r of report.timing) {
    const f = { table: 'decision-times', ...periodFields(r.period) };
    rows.push({ ...f, category: 'decided', category_label: 'Appeals decided', unit: 'decisions', value: r.decided });
    rows.push({
      ...f,
      category: 'median',
      category_label: 'Median working days to decision',
      unit: 'working days',
      value: r.medianDays,
    });
    rows.push({
      ...f,
      category: 'p90',
      category_label: '90th percentile working days to decision',
      unit: 'working days',
      value: r.p90Days,
    });
    rows.push({
      ...f,
      category: 'within-target',
      category_label: `Decided within ${report.targetWorkingDays} working days`,
      unit: 'decisions',
      value: r.withinTarget,
    });
    rows.push({
      ...f,
      category: 'within-target-percent',
      category_label: `Share decided within ${report.targetWorkingDays} working days`,
      unit: 'percent',
      value: r.withinTargetPercent,
    });
  }
  for (const r of report.told) {
    rows.push({
      table: 'cases-told',
      ...periodFields(r.period),
      category: 'told-percent',
      category_label: 'Share of actions where the person was told',
      unit: 'percent',
      value: r.toldPercent,
    });
  }
  const today = day(report.generatedAt.getTime());
  rows.push({
    table: 'open-past-target',
    period: 'as-at',
    period_start: today,
    period_end: today,
    category: 'open-past-target',
    category_label: 'Appeals still open after their decision was due',
    unit: 'appeals',
    value: report.openPastTarget,
  });
  return rows;
}

export { csvCell };

export function toCsv(rows: readonly FigureRow[]): string {
  const header = COLUMNS.map((c) => c.name).join(',');
  return [header, ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c.name])).join(','))].join('\r\n') + '\r\n';
}

export function toJson(report: Report, publicUrl: string): unknown {
  return {
    title: 'Social media moderation and appeals: transparency figures',
    licence: LICENCE,
    source: `${publicUrl}/transparency`,
    generatedAt: report.generatedAt.toISOString(),
    view: report.choice.view,
    range: report.choice.range,
    targetWorkingDays: report.targetWorkingDays,
    markers: MARKERS,
    columns: COLUMNS,
    figures: reportFigures(report),
  };
}

/** What each marker means, for the page, the JSON and the CSV readers. */
export const MARKERS: Record<string, string> = {
  '<5': 'A count from 1 to 4, not shown so that nobody can be identified.',
  '[c]': 'Withheld so that a count shown as <5 cannot be worked out from the other figures and the totals.',
  '[low]': 'Not published: fewer than 5 decisions in the period.',
  '[z]':
    'Not applicable: no decisions in the period (for the share of actions where the person was told: no actions in the period).',
};
