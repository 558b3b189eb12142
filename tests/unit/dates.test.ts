import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDateTime,
  formatTime,
  fromDateParts,
  parseMonth,
  readDateInput,
  toDateParts,
} from '../../src/lib/platform/dates.ts';

describe('dates', () => {
  it('reads typed parts as UK time, in summer (BST) and winter (GMT)', () => {
    expect(fromDateParts('1', '7', '2026', '09:30')?.toISOString()).toBe('2026-07-01T08:30:00.000Z');
    expect(fromDateParts('15', '1', '2026', '09:30')?.toISOString()).toBe('2026-01-15T09:30:00.000Z');
  });

  it.each([
    ['31', '2', '2026', '10:00'],
    ['0', '1', '2026', '10:00'],
    ['1', '13', '2026', '10:00'],
    ['1', '1', '26x', '10:00'],
    ['1', '1', '2026', '25:00'],
    ['1', '1', '2026', 'noon'],
    ['', '', '', ''],
  ])('refuses %s/%s/%s %s', (d, m, y, t) => {
    expect(fromDateParts(d, m, y, t)).toBeUndefined();
  });

  it('round-trips parts', () => {
    const at = new Date('2026-03-29T11:05:00Z'); // the day the clocks go forward
    const p = toDateParts(at);
    expect(p).toEqual({ day: '29', month: '3', year: '2026', time: '12:05' });
    expect(fromDateParts(p.day, p.month, p.year, p.time)?.getTime()).toBe(at.getTime());
  });

  it('formats dates the way people in England write them', () => {
    expect(formatDate(new Date('2025-01-01T00:00:00Z'))).toBe('1 January 2025');
  });

  it.each([
    ['2026-01-15T10:15:00Z', '10:15am'],
    ['2026-01-15T09:00:00Z', '9am'],
    ['2026-01-15T17:30:00Z', '5:30pm'],
    ['2026-01-15T12:00:00Z', 'midday'],
    ['2026-01-15T00:00:00Z', 'midnight'],
    ['2026-01-15T00:05:00Z', '12:05am'],
    ['2026-01-15T12:01:00Z', '12:01pm'],
    ['2026-01-15T23:59:00Z', '11:59pm'],
    // Summer time: 11:00 UTC is midday in London, 23:00 UTC is midnight.
    ['2026-07-01T11:00:00Z', 'midday'],
    ['2026-06-30T23:00:00Z', 'midnight'],
    ['2026-07-01T08:45:00Z', '9:45am'],
  ])('writes %s as %s, the GOV.UK way in UK time', (iso, expected) => {
    expect(formatTime(new Date(iso))).toBe(expected);
  });

  it('writes a date and time together', () => {
    expect(formatDateTime(new Date('2026-11-25T09:00:00Z'))).toBe('25 November 2026, 9am');
    expect(formatDateTime(new Date('2026-11-25T12:00:00Z'))).toBe('25 November 2026, midday');
    expect(formatDateTime(new Date('2026-11-25T10:15:00Z'))).toBe('25 November 2026, 10:15am');
  });
});

describe('date input as people type it', () => {
  it('reads a month as a number, a name or an abbreviation of 3 letters or more', () => {
    expect(['1', '01', 'jan', 'Jan.', 'JANUARY', 'janu'].map(parseMonth)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(['Sep', 'Sept', 'september'].map(parseMonth)).toEqual([9, 9, 9]);
    expect(['Ju', 'Jun', 'Jul', 'Ma', 'Mar', 'May'].map(parseMonth)).toEqual([undefined, 6, 7, undefined, 3, 5]);
    expect(['0', '13', 'Novx', 'N0v', '', '1.5'].map(parseMonth)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('names what is wrong and which fields to mark', () => {
    expect(readDateInput('', ' ', '')).toEqual({ ok: false, problem: 'empty', fields: ['day', 'month', 'year'] });
    expect(readDateInput('3', '', '')).toEqual({ ok: false, problem: 'missing', fields: ['month', 'year'] });
    expect(readDateInput('x', 'Nov', '2026')).toEqual({ ok: false, problem: 'not-real', fields: ['day'] });
    expect(readDateInput('0', 'Smarch', '2026')).toEqual({ ok: false, problem: 'not-real', fields: ['day', 'month'] });
    expect(readDateInput('3', 'Nov', '026')).toEqual({ ok: false, problem: 'year-digits', fields: ['year'] });
    expect(readDateInput('29', 'Feb', '2026')).toEqual({ ok: false, problem: 'not-real', fields: ['day', 'month'] });
    expect(readDateInput('1', '1', '1066')).toEqual({ ok: false, problem: 'not-real', fields: ['year'] });
    const ok = readDateInput(' 3 ', 'Nov', '2026');
    expect(ok).toMatchObject({ ok: true, day: 3, month: 11, year: 2026 });
    if (ok.ok) expect(formatDateTime(ok.date)).toBe('3 November 2026, midday');
  });
});
