import { describe, expect, it } from 'vitest';
import {
  BANK_HOLIDAYS,
  CALENDAR_COVERED_UNTIL,
  addWorkingDays,
  isBankHoliday,
  isWorkingDay,
  remainingWorkingDays,
  resumeDueDate,
  ukDate,
  workingDaysBetween,
} from '../../src/lib/platform/calendar.ts';

/** Noon UK time on a date ("2025-04-18"), comfortably inside the day in both GMT and BST. */
const day = (iso: string) => new Date(`${iso}T11:00:00Z`);

describe('bank holidays in England and Wales', () => {
  // From gov.uk/bank-holidays, checked by hand.
  const known: Record<string, string[]> = {
    '2025': [
      '2025-01-01',
      '2025-04-18',
      '2025-04-21',
      '2025-05-05',
      '2025-05-26',
      '2025-08-25',
      '2025-12-25',
      '2025-12-26',
    ],
    '2026': [
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ],
    '2027': [
      '2027-01-01',
      '2027-03-26',
      '2027-03-29',
      '2027-05-03',
      '2027-05-31',
      '2027-08-30',
      '2027-12-27',
      '2027-12-28',
    ],
  };

  it.each(Object.entries(known))('knows exactly the eight bank holidays of %s', (year, dates) => {
    expect(BANK_HOLIDAYS.filter((h) => h.date.startsWith(year)).map((h) => h.date)).toEqual(dates);
    for (const date of dates) {
      expect(isBankHoliday(date)).toBe(true);
      expect(isWorkingDay(day(date)), date).toBe(false);
    }
  });

  it('includes Good Friday and Easter Monday', () => {
    expect(BANK_HOLIDAYS.find((h) => h.date === '2025-04-18')?.title).toBe('Good Friday');
    expect(BANK_HOLIDAYS.find((h) => h.date === '2026-04-06')?.title).toBe('Easter Monday');
    expect(BANK_HOLIDAYS.find((h) => h.date === '2027-03-26')?.title).toBe('Good Friday');
  });

  it('moves holidays that fall at a weekend to substitute weekdays', () => {
    // Boxing Day 2026 is a Saturday; Christmas and Boxing Day 2027 are Saturday and Sunday.
    expect(isWorkingDay(day('2026-12-26'))).toBe(false); // Saturday anyway
    expect(isWorkingDay(day('2026-12-28'))).toBe(false); // substitute Monday
    expect(isWorkingDay(day('2026-12-29'))).toBe(true);
    expect(isWorkingDay(day('2027-12-27'))).toBe(false);
    expect(isWorkingDay(day('2027-12-28'))).toBe(false);
    expect(isWorkingDay(day('2027-12-29'))).toBe(true);
    expect(isBankHoliday('2028-01-03')).toBe(true); // New Year's Day 2028 is a Saturday
    for (const h of BANK_HOLIDAYS) expect(new Date(`${h.date}T12:00:00Z`).getUTCDay(), h.date).not.toBeOneOf([0, 6]);
  });

  it('covers 2024 to 2030 with eight holidays a year', () => {
    for (let year = 2024; year <= 2030; year++) {
      expect(
        BANK_HOLIDAYS.filter((h) => h.date.startsWith(String(year))),
        String(year),
      ).toHaveLength(8);
    }
  });

  it('covers the next twelve months (update the data file from gov.uk when this fails)', () => {
    const inAYear = new Date(Date.now() + 366 * 86_400_000);
    expect(ukDate(inAYear) <= CALENDAR_COVERED_UNTIL).toBe(true);
  });
});

describe('working days', () => {
  it('are Monday to Friday in UK time', () => {
    expect(isWorkingDay(day('2025-11-24'))).toBe(true); // Monday
    expect(isWorkingDay(day('2025-11-28'))).toBe(true); // Friday
    expect(isWorkingDay(day('2025-11-29'))).toBe(false); // Saturday
    expect(isWorkingDay(day('2025-11-30'))).toBe(false); // Sunday
    // 23:30 UTC on Friday 4 July 2025 is already Saturday 00:30 in London (BST).
    expect(isWorkingDay(new Date('2025-07-04T23:30:00Z'))).toBe(false);
    // 23:30 UTC on Friday 5 December 2025 is still Friday in London (GMT).
    expect(isWorkingDay(new Date('2025-12-05T23:30:00Z'))).toBe(true);
  });

  it('adds working days, skipping weekends, and is due at the end of the UK day', () => {
    const due = addWorkingDays(new Date('2025-11-24T10:00:00Z'), 10); // Monday
    expect(ukDate(due)).toBe('2025-12-08');
    expect(due.toISOString()).toBe('2025-12-08T23:59:59.999Z'); // GMT
    const summer = addWorkingDays(new Date('2025-07-01T09:00:00Z'), 1);
    expect(summer.toISOString()).toBe('2025-07-02T22:59:59.999Z'); // BST
    expect(ukDate(addWorkingDays(day('2025-11-24'), 0))).toBe('2025-11-24');
  });

  it('counts something received at a weekend or on a holiday from the next working day', () => {
    expect(ukDate(addWorkingDays(day('2025-11-29'), 1))).toBe('2025-12-02'); // Saturday → Monday + 1
    expect(ukDate(addWorkingDays(day('2025-11-29'), 0))).toBe('2025-12-01');
    expect(ukDate(addWorkingDays(day('2025-04-18'), 1))).toBe('2025-04-23'); // Good Friday → Tuesday + 1
  });

  it('skips Easter and Christmas', () => {
    // Thursday before Easter 2025 + 1 → Tuesday after Easter Monday.
    expect(ukDate(addWorkingDays(day('2025-04-17'), 1))).toBe('2025-04-22');
    // 24 December 2026 + 2: Christmas Day, weekend and the substitute Monday are skipped.
    expect(ukDate(addWorkingDays(day('2026-12-24'), 2))).toBe('2026-12-30');
    // 24 December 2027 (Friday) + 1: 27 and 28 are substitute days.
    expect(ukDate(addWorkingDays(day('2027-12-24'), 1))).toBe('2027-12-29');
    // 10 working days from 17 December 2027 run into January 2028 (New Year's substitute 3 January).
    expect(ukDate(addWorkingDays(day('2027-12-17'), 10))).toBe('2028-01-05'); // 20–24, 29–31 Dec, 4, 5 Jan
  });

  it('refuses a negative or fractional number of days', () => {
    expect(() => addWorkingDays(day('2025-11-24'), -1)).toThrow(RangeError);
    expect(() => addWorkingDays(day('2025-11-24'), 1.5)).toThrow(RangeError);
  });

  it('counts working days between two moments, consistently with addWorkingDays', () => {
    expect(workingDaysBetween(day('2025-11-24'), day('2025-11-24'))).toBe(0);
    expect(workingDaysBetween(day('2025-11-24'), day('2025-11-25'))).toBe(1);
    expect(workingDaysBetween(day('2025-11-28'), day('2025-12-01'))).toBe(1); // Friday → Monday
    expect(workingDaysBetween(day('2025-11-29'), day('2025-12-01'))).toBe(0); // Saturday counts as Monday
    expect(workingDaysBetween(day('2025-12-01'), day('2025-11-24'))).toBe(0); // never negative
    expect(workingDaysBetween(day('2025-12-19'), day('2026-01-02'))).toBe(7); // 22, 23, 24, 29, 30, 31 Dec and 2 Jan
    for (const start of ['2025-04-17', '2025-11-29', '2026-12-24', '2027-12-20']) {
      for (const n of [0, 1, 5, 10, 20]) {
        expect(workingDaysBetween(day(start), addWorkingDays(day(start), n)), `${start} + ${n}`).toBe(n);
      }
    }
  });

  it('pauses and resumes the clock: the due date moves by the paused working days', () => {
    const received = new Date('2025-11-24T10:00:00Z'); // Monday
    const due = addWorkingDays(received, 10); // 8 December
    const pausedAt = new Date('2025-11-26T15:00:00Z'); // Wednesday: 2 working days used
    const left = remainingWorkingDays(pausedAt, due);
    expect(left).toBe(8);
    const resumed = resumeDueDate(new Date('2025-12-01T09:00:00Z'), left); // Monday, a week later
    expect(ukDate(resumed)).toBe('2025-12-11');
    expect(workingDaysBetween(pausedAt, new Date('2025-12-01T09:00:00Z'))).toBe(3); // the pause: 27, 28 Nov, 1 Dec
  });
});
