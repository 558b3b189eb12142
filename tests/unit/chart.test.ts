import { describe, expect, it } from 'vitest';
import { layoutChart, niceStep } from '../../src/lib/transparency/chart.ts';
import { buildReport } from '../../src/lib/transparency/report.ts';
import { testRuntime } from '../support/db.ts';

const rt = await testRuntime();

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

describe('grouped bar chart (separate measures)', () => {
  const chart = layoutChart({
    kind: 'grouped',
    periods: ['Jan 2026', 'Feb 2026'],
    series: [
      { label: 'Received', values: [40, 20] },
      { label: 'Decided', values: [30, '<5'] },
      { label: 'Withdrawn', values: [10, 0] },
    ],
  });

  it('draws one bar a measure from the baseline, side by side, never stacked', () => {
    expect(chart.bars.map((b) => b.label)).toEqual([
      'Jan 2026: Received 40',
      'Jan 2026: Decided 30',
      'Jan 2026: Withdrawn 10',
      'Feb 2026: Received 20',
    ]);
    for (const b of chart.bars) expect(b.y + b.height).toBeCloseTo(chart.plot.bottom);
    const [received, decided, withdrawn] = chart.bars;
    expect(received!.x + received!.width).toBeLessThanOrEqual(decided!.x + 1e-9);
    expect(decided!.x + decided!.width).toBeLessThanOrEqual(withdrawn!.x + 1e-9);
    expect(received!.height / decided!.height).toBeCloseTo(40 / 30);
  });

  it('scales to the tallest single bar, not the sum of a period', () => {
    expect(chart.max).toBe(40);
  });

  it('keeps each period inside its own slot', () => {
    const slot = (chart.plot.right - chart.plot.left) / 2;
    const feb = chart.bars[3]!;
    expect(feb.x).toBeGreaterThanOrEqual(chart.plot.left + slot);
    expect(chart.bars.slice(0, 3).every((b) => b.x + b.width <= chart.plot.left + slot)).toBe(true);
  });

  it('the transparency report draws appeals grouped and the breakdowns of one whole stacked', async () => {
    const report = await buildReport(rt, { view: 'month', range: 'last-12-months' });
    const kinds = Object.fromEntries(report.tables.map((t) => [t.id, t.chart ?? 'stacked']));
    expect(kinds).toMatchObject({ appeals: 'grouped', 'cases-by-platform': 'stacked', 'appeal-outcomes': 'stacked' });
  });
});
