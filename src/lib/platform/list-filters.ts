/**
 * Filter forms on the staff list pages (outbox, audit log): a day range typed as YYYY-MM-DD
 * (what `<input type="date">` sends, and what a person can type with JavaScript off), read as
 * whole UK days, and the page number. Bad values are errors shown next to the field (400), never
 * silently dropped: a filter a person thinks is applied but is not would mislead them.
 */
import { addDays } from 'date-fns';
import { TZDate } from '@date-fns/tz';
import { fromDateParts } from './dates.ts';

export interface DayRange {
  /** Start of the `from` day, UK time. */
  from: Date | undefined;
  /** Start of the day after `to`, UK time (exclusive). */
  to: Date | undefined;
}

export type DayRangeResult = { ok: true; range: DayRange } | { ok: false; errors: Record<string, string> };

function day(value: string): Date | undefined | 'bad' {
  if (value === '') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return 'bad';
  return fromDateParts(m[3]!, m[2]!, m[1]!, '00:00') ?? 'bad';
}

/** Reads `from` and `to` (both optional) from the query string. */
export function parseDayRange(
  params: URLSearchParams,
  labels: { from: string; to: string } = { from: 'From', to: 'To' },
): DayRangeResult {
  const errors: Record<string, string> = {};
  const from = day((params.get('from') ?? '').trim().slice(0, 20));
  const toDay = day((params.get('to') ?? '').trim().slice(0, 20));
  if (from === 'bad') errors.from = `${labels.from} date must be a real date, like 2026-03-31`;
  if (toDay === 'bad') errors.to = `${labels.to} date must be a real date, like 2026-03-31`;
  if (Object.keys(errors).length) return { ok: false, errors };
  let to: Date | undefined;
  if (toDay instanceof Date) {
    const next = addDays(new TZDate(toDay.getTime(), 'Europe/London'), 1);
    to = new Date(new TZDate(next.getFullYear(), next.getMonth(), next.getDate(), 0, 0, 0, 'Europe/London').getTime());
  }
  if (from instanceof Date && to && from.getTime() >= to.getTime())
    return {
      ok: false,
      errors: { to: `${labels.to} date must be the same as or after the ${labels.from.toLowerCase()} date` },
    };
  return { ok: true, range: { from: from as Date | undefined, to } };
}

/** A page number from ?page= (1 when absent or not a sensible number). */
export function parsePage(params: URLSearchParams): number {
  const page = Number(params.get('page'));
  return Number.isSafeInteger(page) && page > 0 && page < 100_000 ? page : 1;
}

/** The same URL with another page number. */
export function pageHref(path: string, params: URLSearchParams, page: number): string {
  const next = new URLSearchParams(params);
  next.set('page', String(page));
  return `${path}?${next}`;
}
