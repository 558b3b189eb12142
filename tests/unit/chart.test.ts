import { describe, expect, it } from 'vitest';
import { layoutChart, niceStep } from '../../src/lib/chart.ts';

describe('bar chart layout', () => {
  it('picks round gridline steps', () => {
    expect([niceStep(3), niceStep(15), niceStep(90), niceStep(1234)]).toEqual([1, 5, 50, 500]);
  });

  it('draws only published numbers, and the withheld part of a published total as one block', () => {
    const chart = layoutChart({
      periods: ['Jan 2026', 'Feb 2026'],
      series: [
        { label: 'Facebook', values: ['[c]', 10] },
        { label: 'X', values: ['<5', 0] },
      ],
      totals: [12, 10],
    });
    // January: nothing published but the total 12 → one withheld block of 12. February: 10 on Facebook.
    expect(chart.bars.map((b) => [b.series, b.label])).toEqual([
      [0, 'Jan 2026: withheld figures'],
      [1, 'Feb 2026: Facebook 10'],
    ]);
    const [jan, feb] = chart.bars;
    expect(jan!.height / feb!.height).toBeCloseTo(1.2);
    expect(chart.max).toBe(15);
  });

  it('keeps a fixed scale for percentages', () => {
    expect(layoutChart({ periods: ['Q1 2026'], series: [{ label: '%', values: [40] }], fixedMax: 100 }).max).toBe(100);
  });
});
