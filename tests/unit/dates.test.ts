import { describe, expect, it } from 'vitest';
import { formatDate, fromDateParts, toDateParts } from '../../src/lib/dates.ts';

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
});
