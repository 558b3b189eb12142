/**
 * Working days for review deadlines: Monday to Friday, except England and Wales bank holidays,
 * counted on calendar dates in UK time (Europe/London), whatever the server's time zone.
 *
 * Bank holidays come from src/lib/platform/data/bank-holidays-england-and-wales.json, in the shape of
 * https://www.gov.uk/bank-holidays.json (its "england-and-wales" division). To update it, copy that
 * division's events into the file (keep older years); a unit test fails when the file no longer
 * covers the next twelve months, so it cannot silently run out. Dates beyond the file count every
 * weekday as a working day.
 *
 * Rules, chosen so that statistics and due dates agree with each other:
 * - Something received on a working day counts from that day; received on a weekend or holiday,
 *   it counts as received on the next working day.
 * - `addWorkingDays(received, n)` is due at the END (23:59:59.999 UK time) of the n-th working day
 *   after that day: received Monday 10:00 with n = 10 → due Monday of the week after next, 23:59.
 * - `workingDaysBetween(received, decided)` counts the working days after the received day up to
 *   and including the decided day, so `workingDaysBetween(r, addWorkingDays(r, n)) === n` and a
 *   decision on the day of receipt took 0 working days.
 * - Pausing the clock (waiting for the appellant): on pausing, keep
 *   `workingDaysBetween(pausedAt, due)` as the days left; on resuming, the new due date is
 *   `addWorkingDays(resumedAt, daysLeft)` (see `remainingWorkingDays` / `resumeDueDate`).
 */
import { TZDate } from '@date-fns/tz';
import data from './data/bank-holidays-england-and-wales.json' with { type: 'json' };

const ZONE = 'Europe/London';
const DAY_MS = 86_400_000;

export interface BankHoliday {
  title: string;
  date: string;
  notes: string;
}

/** The bank holidays the calendar knows, oldest first. */
export const BANK_HOLIDAYS: readonly BankHoliday[] = [...data.events].sort((a, b) => a.date.localeCompare(b.date));
const HOLIDAYS = new Set(BANK_HOLIDAYS.map((h) => h.date));
/** The last date the bank holiday file covers (31 December of its last year). */
export const CALENDAR_COVERED_UNTIL = `${BANK_HOLIDAYS.at(-1)!.date.slice(0, 4)}-12-31`;

const ukDateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in UK time, as "YYYY-MM-DD". */
export function ukDate(date: Date): string {
  return ukDateFormat.format(date);
}

/** Day numbers (days since 1970-01-01) make stepping over calendar days free of DST trouble. */
function dayNumber(isoDay: string): number {
  return Date.parse(`${isoDay}T00:00:00Z`) / DAY_MS;
}

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function isWorkingDayNumber(day: number): boolean {
  const weekday = new Date(day * DAY_MS).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !HOLIDAYS.has(isoDay(day));
}

/** The day counting starts from: the UK date of `date`, or the next working day if it is not one. */
function startDay(date: Date): number {
  let day = dayNumber(ukDate(date));
  while (!isWorkingDayNumber(day)) day++;
  return day;
}

/** True when `date` falls (in UK time) on a Monday to Friday that is not a bank holiday. */
export function isWorkingDay(date: Date): boolean {
  return isWorkingDayNumber(dayNumber(ukDate(date)));
}

/** True when the UK date `isoDate` ("2026-12-28") is a bank holiday in England and Wales. */
export function isBankHoliday(isoDate: string): boolean {
  return HOLIDAYS.has(isoDate);
}

/** The end (23:59:59.999 UK time) of the UK calendar day `day`. */
function endOfUkDay(day: number): Date {
  const [y, m, d] = isoDay(day).split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, 23, 59, 59, 999, ZONE).getTime());
}

/**
 * The due moment for something received at `from` with `n` working days allowed (n ≥ 0): the end
 * of the n-th working day after the day it counts as received (see the rules above).
 */
export function addWorkingDays(from: Date, n: number): Date {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, not ${n}`);
  let day = startDay(from);
  for (let left = n; left > 0;) {
    day++;
    if (isWorkingDayNumber(day)) left--;
  }
  return endOfUkDay(day);
}

/**
 * Working days from `a` to `b`: those after the day `a` counts as received, up to and including
 * the UK date of `b`. 0 when `b` is on or before that day. Use for "working days to decision".
 */
export function workingDaysBetween(a: Date, b: Date): number {
  const start = startDay(a);
  const end = dayNumber(ukDate(b));
  let count = 0;
  for (let day = start + 1; day <= end; day++) if (isWorkingDayNumber(day)) count++;
  return count;
}

/** Working days left before `due` when the clock is paused at `pausedAt` (0 if already due). */
export function remainingWorkingDays(pausedAt: Date, due: Date): number {
  return workingDaysBetween(pausedAt, due);
}

/** The new due moment when a paused clock with `daysLeft` working days restarts at `resumedAt`. */
export function resumeDueDate(resumedAt: Date, daysLeft: number): Date {
  return addWorkingDays(resumedAt, daysLeft);
}
