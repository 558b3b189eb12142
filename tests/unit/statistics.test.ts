import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countWithinTarget,
  decisionTimes,
  combineWithheld,
  feasibleValues,
  mergeHistograms,
  percentage,
  publishedShare,
  percentile,
  percentileFromHistogram,
  suppress,
  toHistogram,
  type Line,
} from '../../src/lib/transparency/statistics.ts';
import { disclosedCells } from '../support/disclosure.ts';

const cells = (o: Record<string, number>) => new Map(Object.entries(o));

describe('percentiles by nearest rank', () => {
  it('ten decisions taking 1..10 working days: median is the 5th value, p90 the 9th', () => {
    // ranks: ⌈0.5 × 10⌉ = 5 → 5 days; ⌈0.9 × 10⌉ = 9 → 9 days
    const days = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5];
    expect(percentile(days, 50)).toBe(5);
    expect(percentile(days, 90)).toBe(9);
    expect(percentile(days, 100)).toBe(10);
  });

  it('five decisions: median is the 3rd value, p90 the 5th', () => {
    // sorted [2, 2, 2, 7, 12]; ⌈2.5⌉ = 3 → 2 days; ⌈4.5⌉ = 5 → 12 days
    const h = new Map([
      [12, 1],
      [2, 3],
      [7, 1],
    ]);
    expect(percentileFromHistogram(h, 50)).toBe(2);
    expect(percentileFromHistogram(h, 90)).toBe(12);
  });

  it('an even count takes the lower middle value (always an observed value)', () => {
    // [4, 6, 8, 20]: ⌈2⌉ = 2nd → 6, not the interpolated 7
    expect(percentile([20, 8, 6, 4], 50)).toBe(6);
  });

  it('twenty decisions: p90 is the 18th value', () => {
    // 15 decisions in 5 days, 3 in 11 days, 2 in 30 days → sorted ranks 16–18 are 11, 19–20 are 30
    const h = new Map([
      [5, 15],
      [11, 3],
      [30, 2],
    ]);
    expect(percentileFromHistogram(h, 90)).toBe(11);
    expect(percentileFromHistogram(h, 95)).toBe(30);
    expect(percentileFromHistogram(h, 50)).toBe(5);
  });

  it('gives the same answer from a histogram as from the sorted list', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        (days, p) => {
          const sorted = [...days].sort((a, b) => a - b);
          expect(percentile(days, p)).toBe(sorted[Math.ceil((p / 100) * sorted.length) - 1]);
        },
      ),
    );
  });

  it('empty data has no percentile; a bad p is a bug', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('withholds median and p90 with fewer than 5 decisions', () => {
    expect(decisionTimes(toHistogram([1, 2, 3, 4]))).toEqual({ median: undefined, p90: undefined, decisions: 4 });
    expect(decisionTimes(toHistogram([1, 2, 3, 4, 30]))).toEqual({ median: 3, p90: 30, decisions: 5 });
  });

  it('merges months into a quarter', () => {
    const q = mergeHistograms([toHistogram([1, 2]), toHistogram([2, 9]), new Map()]);
    expect([...q.entries()].sort()).toEqual([
      [1, 1],
      [2, 2],
      [9, 1],
    ]);
  });
});

describe('share within target', () => {
  it('counts decisions within the target, inclusive', () => {
    // target 10: 8, 10 and 10 are within; 11 and 25 are not → 3 of 5 = 60%
    const h = toHistogram([8, 10, 10, 11, 25]);
    expect(countWithinTarget(h, 10)).toBe(3);
    expect(percentage(3, 5)).toBe(60);
  });

  it('rounds half up and has no share of nothing', () => {
    expect(percentage(1, 8)).toBe(13); // 12.5
    expect(percentage(2, 3)).toBe(67);
    expect(percentage(0, 0)).toBeUndefined();
  });

  it('works a published share out of published figures only', () => {
    expect(publishedShare(0, [0], [0, 0])).toBe('[z]');
    expect(publishedShare(12, [7], [7, 5])).toBe(58);
    expect(publishedShare(12, ['<5'], ['<5', 9])).toBe('[c]');
    expect(publishedShare(12, [7], [7, '[c]'])).toBe('[c]');
    // Two parts of one whole: overturned and partly overturned of all decided.
    expect(publishedShare(20, [6, 5], [20])).toBe(55);
    expect(publishedShare('<5', [0], ['<5'])).toBe('[c]');
  });
});

describe('small-number suppression', () => {
  it('shows 1 to 4 as <5 and 0 as 0', () => {
    const shown = suppress(cells({ a: 0, b: 1, c: 4, d: 5, e: 120 }), []);
    expect(Object.fromEntries(shown)).toEqual({ a: 0, b: '<5', c: '<5', d: 5, e: 120 });
  });

  it('withholds the next smallest part when a total would give a <5 away', () => {
    // 3 + 10 + 20 = 33: with 10 and 20 published, 33 − 30 = 3. So 10 (the smallest other part) is
    // withheld too; then <5 + [c] = 13 could be 1 + 12, 2 + 11, 3 + 10 or 4 + 9.
    const line: Line = { parts: ['a', 'b', 'c'], total: 't' };
    const shown = suppress(cells({ a: 3, b: 10, c: 20, t: 33 }), [line]);
    expect(Object.fromEntries(shown)).toEqual({ a: '<5', b: '[c]', c: 20, t: 33 });
    expect(disclosedCells(shown, [line], 40).size).toBe(0);
  });

  it('needs more than one complement when the first still pins the value', () => {
    // 1 + 5 + 20 + 40 = 66. Withholding 5 alone: <5 + [c] = 6, and [c] is 0 or at least 5, so it
    // must be 5 and the <5 is 1: disclosed. The checker finds that…
    const line: Line = { parts: ['a', 'b', 'c', 'd'], total: 't' };
    const naive = new Map<string, number | '<5' | '[c]'>([
      ['a', '<5'],
      ['b', '[c]'],
      ['c', 20],
      ['d', 40],
      ['t', 66],
    ]);
    expect(Object.fromEntries(disclosedCells(naive, [line], 80))).toEqual({ a: 1 });
    // …and suppress() keeps going: 20 is withheld as well; <5 + [c] + [c] = 26 has many solutions.
    const shown = suppress(cells({ a: 1, b: 5, c: 20, d: 40, t: 66 }), [line]);
    expect(Object.fromEntries(shown)).toEqual({ a: '<5', b: '[c]', c: '[c]', d: 40, t: 66 });
    expect(disclosedCells(shown, [line], 80).size).toBe(0);
  });

  it('withholds the total when only small parts are left', () => {
    // 4 + 4 = 8: two <5 can only make 8 as 4 + 4, and there is no other part, so the total goes.
    const line: Line = { parts: ['a', 'b'], total: 't' };
    const shown = suppress(cells({ a: 4, b: 4, t: 8 }), [line]);
    expect(Object.fromEntries(shown)).toEqual({ a: '<5', b: '<5', t: '[c]' });
    expect(disclosedCells(shown, [line], 20).size).toBe(0);
  });

  it('publishes everything when nothing is small', () => {
    const line: Line = { parts: ['a', 'b'], total: 't' };
    expect(Object.fromEntries(suppress(cells({ a: 0, b: 7, t: 7 }), [line]))).toEqual({ a: 0, b: 7, t: 7 });
  });

  it('solves breakdowns sharing a withheld total together', () => {
    // One month: by platform a=2, b=9; by source c=6, d=5; total 11. Platform: a is <5, so b is
    // withheld; then a + b = 11 with b ∈ {0} ∪ [5, …] gives a ∈ 1..4 (b = 10..7). Safe.
    const lines: Line[] = [
      { parts: ['a', 'b'], total: 't' },
      { parts: ['c', 'd'], total: 't' },
    ];
    const shown = suppress(cells({ a: 2, b: 9, c: 6, d: 5, t: 11 }), lines);
    expect(Object.fromEntries(shown)).toEqual({ a: '<5', b: '[c]', c: 6, d: 5, t: 11 });
    expect(disclosedCells(shown, lines, 30).size).toBe(0);
  });

  it('a small total with small breakdowns stays ambiguous', () => {
    // total 3 (<5): by platform 3 + 0, by source 2 + 1. a = t, c + d = t: t ∈ 2..4, a too.
    const lines: Line[] = [
      { parts: ['a', 'b'], total: 't' },
      { parts: ['c', 'd'], total: 't' },
    ];
    const shown = suppress(cells({ a: 3, b: 0, c: 2, d: 1, t: 3 }), lines);
    expect(Object.fromEntries(shown)).toEqual({ a: '<5', b: 0, c: '<5', d: '<5', t: '<5' });
    expect(disclosedCells(shown, lines, 30).size).toBe(0);
  });

  it('a withheld total is solved across its breakdowns', () => {
    // Platform 4 + 4 = 8 pins both <5 at 4, so the total goes ([c]). Source 5 + <5 = [c] then only
    // says the total is 6 to 9, so a and b could each be 2, 3 or 4: nothing more is withheld.
    const lines: Line[] = [
      { parts: ['a', 'b'], total: 't' },
      { parts: ['c', 'd'], total: 't' },
    ];
    const shown = suppress(cells({ a: 4, b: 4, c: 5, d: 3, t: 8 }), lines);
    expect(Object.fromEntries(shown)).toEqual({ a: '<5', b: '<5', c: 5, d: '<5', t: '[c]' });
    expect(disclosedCells(shown, lines, 30).size).toBe(0);
  });

  it('a sum over periods is published only when every period is', () => {
    expect(combineWithheld([5, 0, 12], 17)).toBe(17);
    expect(combineWithheld([5, '<5', 12], 19)).toBe('[c]');
    expect(combineWithheld([5, '[c]', 12], 30)).toBe('[c]');
  });

  it('feasibleValues solves one sum exactly', () => {
    const line: Line = { parts: ['a', 'b'], total: 't' };
    const values = cells({ a: 3, b: 6, t: 9 });
    const status = new Map([
      ['a', 'primary' as const],
      ['b', 'secondary' as const],
      ['t', 'published' as const],
    ]);
    // a + b = 9 with b ∈ {0} ∪ [5, …]: b = 5..8 → a = 4..1
    expect(feasibleValues([line], values, status, 'a', 20)).toEqual([1, 2, 3, 4]);
  });

  it('refuses sums that share parts (those are combined with combineWithheld)', () => {
    expect(() =>
      suppress(cells({ a: 1, b: 1, s: 2, t: 2 }), [
        { parts: ['a', 'b'], total: 's' },
        { parts: ['a', 'b'], total: 't' },
      ]),
    ).toThrow(/part of two sums/);
  });

  it('refuses counts that are not whole numbers ≥ 0', () => {
    expect(() => suppress(cells({ a: -1 }), [])).toThrow(RangeError);
    expect(() => suppress(cells({ a: 1.5 }), [])).toThrow(RangeError);
  });

  it('never lets a <5 be worked out, on random tables shaped like the report (3 months, 2 breakdowns, quarter)', () => {
    const months = ['m1', 'm2', 'm3'];
    const a = ['a1', 'a2', 'a3'];
    const b = ['b1', 'b2'];
    const lines: Line[] = [];
    for (const m of months) {
      lines.push({ parts: a.map((c) => `${m}|${c}`), total: `${m}|t` });
      lines.push({ parts: b.map((c) => `${m}|${c}`), total: `${m}|t` });
    }
    for (const c of [...a, ...b, 't']) lines.push({ parts: months.map((m) => `${m}|${c}`), total: `q|${c}` });
    lines.push({ parts: a.map((c) => `q|${c}`), total: 'q|t' });
    lines.push({ parts: b.map((c) => `q|${c}`), total: 'q|t' });
    const small = fc.integer({ min: 0, max: 9 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(small, small, small, fc.integer({ min: 0, max: 1 })), { minLength: 3, maxLength: 3 }),
        (rows) => {
          const values = new Map<string, number>();
          rows.forEach(([x, y, z, split], i) => {
            const m = months[i]!;
            const total = x + y + z;
            values.set(`${m}|a1`, x).set(`${m}|a2`, y).set(`${m}|a3`, z).set(`${m}|t`, total);
            // The second breakdown splits the same total differently.
            const b1 = split ? Math.min(total, x + 2) : Math.floor(total / 2);
            values.set(`${m}|b1`, b1).set(`${m}|b2`, total - b1);
          });
          for (const c of [...a, ...b, 't'])
            values.set(
              `q|${c}`,
              months.reduce((s, m) => s + values.get(`${m}|${c}`)!, 0),
            );
          const shown = new Map<string, number | '<5' | '[c]'>();
          for (const m of months) {
            const own = lines.filter((l) => l.total === `${m}|t`);
            const monthValues = new Map([...values].filter(([k]) => k.startsWith(`${m}|`)));
            for (const [k, v] of suppress(monthValues, own)) shown.set(k, v);
          }
          for (const c of [...a, ...b, 't'])
            shown.set(
              `q|${c}`,
              combineWithheld(
                months.map((m) => shown.get(`${m}|${c}`)!),
                values.get(`q|${c}`)!,
              ),
            );
          const cap = Math.max(...values.values()) + 5;
          // The attacker uses every sum at once, months and quarter; a quarter "[c]" may be anything.
          expect(Object.fromEntries(disclosedCells(shown, lines, cap, (id) => id.startsWith('q|')))).toEqual({});
        },
      ),
      { numRuns: 100 },
    );
    // 100 random tables, each attacked by brute force: 10-15 s of CPU on these machines.
  }, 90_000);
});
