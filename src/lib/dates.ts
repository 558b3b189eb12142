/**
 * Dates as people in England read them ("1 January 2025"), always in UK time.
 */
import { TZDate } from '@date-fns/tz';
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
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
  return { day: String(z.getDate()), month: String(z.getMonth() + 1), year: String(z.getFullYear()), time: `${pad(z.getHours())}:${pad(z.getMinutes())}` };
}
