/**
 * Geometry for the server-rendered bar charts on the transparency page: stacked, for the parts of
 * one whole (cases by platform), or grouped side by side, for separate measures that must not be
 * added up (appeals received, decided and withdrawn in a period). Withheld figures
 * ("<5", "[c]") are not drawn: a bar shows only published numbers, and where a period has a
 * published total, the part of the total made of withheld figures is drawn as one hatched
 * "withheld" block (readers can already work that out as total minus the published parts).
 */
export interface ChartSeries {
  label: string;
  values: readonly (number | string)[];
}

export interface ChartInput {
  periods: readonly string[];
  series: readonly ChartSeries[];
  /** Published totals per period, if the categories add up to one. */
  totals?: readonly (number | string)[] | undefined;
  /** A fixed top of the scale (100 for percentages); otherwise from the data. */
  fixedMax?: number | undefined;
  /** 'grouped': one bar a series side by side in each period (unlike measures); default 'stacked'. */
  kind?: 'stacked' | 'grouped' | undefined;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  /** 1-based series number for the colour class, or 0 for the withheld block. */
  series: number;
  label: string;
}

export interface ChartLayout {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  bars: Bar[];
  ticks: { y: number; value: number }[];
  labels: { x: number; lines: string[] }[];
  max: number;
}

const WIDTH = 720;
const HEIGHT = 300;

/** A round step giving about 4 gridlines. */
export function niceStep(max: number): number {
  if (max <= 4) return 1;
  const raw = max / 4;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export function layoutChart(input: ChartInput): ChartLayout {
  const plot = { left: 56, top: 12, right: WIDTH - 8, bottom: HEIGHT - 48 };
  const n = input.periods.length;
  const stacks = input.periods.map((_, i) => {
    const parts = input.series.map((s) => (typeof s.values[i] === 'number' ? (s.values[i] as number) : 0));
    const published = parts.reduce((a, b) => a + b, 0);
    const total = input.totals?.[i];
    const withheld = typeof total === 'number' ? Math.max(0, total - published) : 0;
    return { parts, withheld, height: published + withheld };
  });
  const grouped = input.kind === 'grouped';
  const top =
    input.fixedMax ?? Math.max(1, ...(grouped ? stacks.flatMap((s) => s.parts) : stacks.map((s) => s.height)));
  const step = niceStep(top);
  const max = Math.ceil(top / step) * step;
  const scale = (plot.bottom - plot.top) / max;
  const slot = (plot.right - plot.left) / Math.max(1, n);
  const barWidth = Math.min(48, slot * 0.7);
  const bars: Bar[] = [];
  if (grouped) {
    // Each period's slot holds one bar a series, side by side, all from the baseline.
    const k = Math.max(1, input.series.length);
    const each = Math.min(24, (slot * 0.8) / k);
    stacks.forEach((s, i) => {
      const left = plot.left + slot * i + (slot - each * k) / 2;
      s.parts.forEach((v, j) => {
        if (v <= 0) return;
        const h = v * scale;
        bars.push({
          x: left + each * j,
          y: plot.bottom - h,
          width: each,
          height: h,
          series: j + 1,
          label: `${input.periods[i]}: ${input.series[j]!.label} ${v}`,
        });
      });
    });
  }
  if (!grouped)
    stacks.forEach((s, i) => {
      const x = plot.left + slot * i + (slot - barWidth) / 2;
      let y = plot.bottom;
      s.parts.forEach((v, k) => {
        if (v <= 0) return;
        const h = v * scale;
        y -= h;
        bars.push({
          x,
          y,
          width: barWidth,
          height: h,
          series: k + 1,
          label: `${input.periods[i]}: ${input.series[k]!.label} ${v}`,
        });
      });
      if (s.withheld > 0) {
        const h = s.withheld * scale;
        y -= h;
        bars.push({ x, y, width: barWidth, height: h, series: 0, label: `${input.periods[i]}: withheld figures` });
      }
    });
  const ticks = [];
  for (let v = 0; v <= max; v += step) ticks.push({ y: plot.bottom - v * scale, value: v });
  const labels = input.periods.map((p, i) => ({ x: plot.left + slot * i + slot / 2, lines: p.split(' ') }));
  return { width: WIDTH, height: HEIGHT, plot, bars, ticks, labels, max };
}
