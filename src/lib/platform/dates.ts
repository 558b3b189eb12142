/**
 * Dates as people in England read them ("1 January 2025"), always in UK time.
 */
import { TZDate } from '@date-fns/tz';
const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'Europe/London',
});
export function formatDate(date: Date): string {
  return dateFormat.format(date);
}

/**
 * A time of day the GOV.UK way, in UK time: "10:15am", "9am" (no ":00"), "5:30pm", and
 * "midday" and "midnight" rather than 12pm and 12am, which people misread.
 * https://www.gov.uk/guidance/style-guide/a-to-z#times
 */
export function formatTime(date: Date): string {
  const z = new TZDate(date.getTime(), 'Europe/London');
  const h = z.getHours();
  const m = z.getMinutes();
  if (m === 0 && h === 0) return 'midnight';
  if (m === 0 && h === 12) return 'midday';
  const hour = h % 12 === 0 ? 12 : h % 12;
  return `${hour}${m === 0 ? '' : `:${String(m).padStart(2, '0')}`}${h < 12 ? 'am' : 'pm'}`;
}

/** A date and time, UK time: "1 January 2025, 10:15am" (or ", midday" / ", midnight"). */
export function formatDateTime(date: Date): string {
  return `${formatDate(date)}, ${formatTime(date)}`;
}

/** "In force from 1 January 2025", or "In force from a date not known" for a version whose start was never recorded. */
export function inForceFromText(date: Date | null): string {
  return date ? `In force from ${formatDate(date)}` : 'In force from a date not known';
}

/** ISO 8601 for `<time datetime>`. */
export function isoDate(date: Date): string {
  return date.toISOString();
}

/**
 * A date and time typed into day / month / year / "HH:MM" fields, read as UK time.
 * Returns undefined for anything that is not a real moment (31 February, 25:00…).
 */
export function fromDateParts(day: string, month: string, year: string, time = '12:00'): Date | undefined {
  const d = Number(day.trim());
  const m = Number(month.trim());
  const y = Number(year.trim());
  const t = /^(\d{1,2})[:.](\d{2})$/.exec(time.trim());
  if (!Number.isInteger(d) || !Number.isInteger(m) || !Number.isInteger(y) || !t) return undefined;
  const hh = Number(t[1]);
  const mm = Number(t[2]);
  if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59) return undefined;
  const date = new TZDate(y, m - 1, d, hh, mm, 0, 'Europe/London');
  if (date.getDate() !== d || date.getMonth() !== m - 1) return undefined; // 31 February rolled over
  return new Date(date.getTime());
}

/** The parts of a moment in UK time, for pre-filling day / month / year / time fields. */
export function toDateParts(date: Date): { day: string; month: string; year: string; time: string } {
  const z = new TZDate(date.getTime(), 'Europe/London');
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    day: String(z.getDate()),
    month: String(z.getMonth() + 1),
    year: String(z.getFullYear()),
    time: `${pad(z.getHours())}:${pad(z.getMinutes())}`,
  };
}

/** The three fields of a date input. */
export type DatePart = 'day' | 'month' | 'year';

/** The months' names, as written in dates and period labels ("March 2026"). */
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * A month as people type it: "11", "Nov", "nov.", "Sept" or "November" (GOV.UK date input
 * guidance: accept month names and abbreviations). Three letters or more of a month's name.
 */
export function parseMonth(text: string): number | undefined {
  const t = text.trim().toLowerCase().replace(/\.$/, '');
  if (/^\d{1,2}$/.test(t)) {
    const n = Number(t);
    return n >= 1 && n <= 12 ? n : undefined;
  }
  if (t.length < 3 || !/^[a-z]+$/.test(t)) return undefined;
  const i = MONTHS.findIndex((m) => m.toLowerCase().startsWith(t));
  return i === -1 ? undefined : i + 1;
}

export type DateInputProblem = 'empty' | 'missing' | 'not-real' | 'year-digits';

/**
 * Reads day / month / year fields the GOV.UK way, naming what is wrong and which fields to
 * mark: nothing typed; some fields missing ("must include a month"); a day or month that is not
 * one, or a day the month does not have ("must be a real date"); a year that is not 4 numbers.
 * On success, the parts as numbers and the moment at `time` UK time (see fromDateParts).
 */
export function readDateInput(
  day: string,
  month: string,
  year: string,
  time = '12:00',
):
  | { ok: true; day: number; month: number; year: number; date: Date }
  | { ok: false; problem: DateInputProblem; fields: DatePart[] } {
  const typed = { day: day.trim(), month: month.trim(), year: year.trim() };
  const parts: DatePart[] = ['day', 'month', 'year'];
  const missing = parts.filter((p) => typed[p] === '');
  if (missing.length === 3) return { ok: false, problem: 'empty', fields: parts };
  if (missing.length > 0) return { ok: false, problem: 'missing', fields: missing };
  const d = /^\d{1,2}$/.test(typed.day) ? Number(typed.day) : NaN;
  const m = parseMonth(typed.month);
  const wrong: DatePart[] = [
    ...(d >= 1 && d <= 31 ? [] : (['day'] as const)),
    ...(m === undefined ? (['month'] as const) : []),
  ];
  if (wrong.length > 0) return { ok: false, problem: 'not-real', fields: wrong };
  if (!/^\d{4}$/.test(typed.year)) return { ok: false, problem: 'year-digits', fields: ['year'] };
  const y = Number(typed.year);
  const date = fromDateParts(String(d), String(m), String(y), time);
  if (!date) return { ok: false, problem: 'not-real', fields: y < 1900 ? ['year'] : ['day', 'month'] };
  return { ok: true, day: d, month: m!, year: y, date };
}
