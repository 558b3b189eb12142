/**
 * Statistics for the transparency report: percentiles of working days, share within target and
 * small-number suppression. Pure functions over plain numbers, no database.
 */

/** Minimum number of decisions before a median or 90th percentile is published. */
export const MIN_DECISIONS_FOR_PERCENTILES = 5;
/** Counts from 1 to this are shown as "<5". */
export const SMALL_COUNT_MAX = 4;

/** A histogram of working days to decision: value → how many decisions took that long. */
export type Histogram = ReadonlyMap<number, number>;

/**
 * The p-th percentile (0 < p ≤ 100) by the nearest-rank method: sort the n values, take the one
 * at rank ⌈p/100 × n⌉ (counting from 1). The result is always one of the observed values, so the
 * median of an even number of decisions is the lower of the two middle values.
 * Works from a histogram in O(distinct values); undefined when the histogram is empty.
 */
export function percentileFromHistogram(histogram: Histogram, p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const n = histogramSize(histogram);
  if (n === 0) return undefined;
  const rank = Math.ceil((p / 100) * n);
  let seen = 0;
  for (const value of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(value)!;
    if (seen >= rank) return value;
  }
  throw new Error('unreachable: rank beyond histogram size');
}

/** Nearest-rank percentile of a list of values (see percentileFromHistogram). */
export function percentile(values: readonly number[], p: number): number | undefined {
  return percentileFromHistogram(toHistogram(values), p);
}

export function toHistogram(values: readonly number[]): Map<number, number> {
  const h = new Map<number, number>();
  for (const v of values) h.set(v, (h.get(v) ?? 0) + 1);
  return h;
}

export function histogramSize(histogram: Histogram): number {
  let n = 0;
  for (const c of histogram.values()) n += c;
  return n;
}

/** Adds histograms (e.g. three months into a quarter). */
export function mergeHistograms(histograms: readonly Histogram[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const h of histograms) for (const [v, c] of h) out.set(v, (out.get(v) ?? 0) + c);
  return out;
}

/** How many decisions took at most `target` working days. */
export function countWithinTarget(histogram: Histogram, target: number): number {
  let n = 0;
  for (const [v, c] of histogram) if (v <= target) n += c;
  return n;
}

/**
 * Median and 90th percentile, withheld (undefined) when fewer than 5 decisions: with so few,
 * a figure describes one or two identifiable appeals rather than how we usually perform.
 */
export function decisionTimes(histogram: Histogram): {
  median: number | undefined;
  p90: number | undefined;
  decisions: number;
} {
  const decisions = histogramSize(histogram);
  if (decisions < MIN_DECISIONS_FOR_PERCENTILES) return { median: undefined, p90: undefined, decisions };
  return { median: percentileFromHistogram(histogram, 50), p90: percentileFromHistogram(histogram, 90), decisions };
}

/** A whole-number percentage, rounded half up; undefined for 0 of 0. */
export function percentage(part: number, whole: number): number | undefined {
  if (whole === 0) return undefined;
  return Math.floor((part * 100) / whole + 0.5);
}

/**
 * A share worked out from published figures only, so it can never give away a withheld count:
 * "[z]" when there is nothing to share out (`total` is 0), "[c]" when any figure it needs is
 * withheld, otherwise sum(parts) as a percentage of sum(whole).
 */
export function publishedShare(total: Shown, parts: readonly Shown[], whole: readonly Shown[]): number | '[z]' | '[c]' {
  if (total === 0) return '[z]';
  const known = (values: readonly Shown[]): values is readonly number[] => values.every((v) => typeof v === 'number');
  if (!known(parts) || !known(whole)) return '[c]';
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  return percentage(sum(parts), sum(whole)) ?? '[z]';
}

// ---------------------------------------------------------------------------------------------
// Small-number suppression
// ---------------------------------------------------------------------------------------------

/**
 * A published count: the number, "<5" for 1 to 4 (primary suppression), or "[c]" for a count
 * withheld only so that a "<5" cannot be worked out from the other figures (secondary).
 */
export type Shown = number | '<5' | '[c]';

/**
 * A published sum: the parts add up to the total. Every cell of a table is in the lines that
 * readers can use for subtraction: the categories of a period add up to the period's total, and
 * three months add up to their quarter.
 */
export interface Line {
  parts: readonly string[];
  total: string;
}

type Status = 'published' | 'primary' | 'secondary';

/**
 * What a reader can know about a withheld cell: "<5" is 1 to 4; "[c]" is 0 or at least 5
 * (a reader who knows our rule knows it is not 1 to 4). `cap` bounds the search; it is above
 * every real value, so the true figures are always among the solutions considered.
 */
function domainOf(status: Status, cap: number): number[] {
  if (status === 'primary') return [1, 2, 3, 4];
  const out = [0];
  for (let v = SMALL_COUNT_MAX + 1; v <= cap; v++) out.push(v);
  return out;
}

/** The sums the given withheld cells can add up to, as a bitmap over 0…(sum of their maxima). */
function reachableSums(ids: readonly string[], status: ReadonlyMap<string, Status>, cap: number): Uint8Array {
  let reach = new Uint8Array([1]);
  for (const id of ids) {
    // "<5" spans [1, 4]; "[c]" spans {0} and [5, cap]. A difference array spreads each sum.
    const spans: [number, number][] =
      status.get(id) === 'primary'
        ? [[1, SMALL_COUNT_MAX]]
        : [
            [0, 0],
            [SMALL_COUNT_MAX + 1, cap],
          ];
    const max = Math.max(...spans.map((x) => x[1]));
    const diff = new Int32Array(reach.length + max + 1);
    for (let i = 0; i < reach.length; i++) {
      if (!reach[i]) continue;
      for (const [a, b] of spans) {
        diff[i + a]! += 1;
        diff[i + b + 1]! -= 1;
      }
    }
    const next = new Uint8Array(reach.length + max);
    let run = 0;
    for (let i = 0; i < next.length; i++) {
      run += diff[i]!;
      next[i] = run > 0 ? 1 : 0;
    }
    reach = next;
  }
  return reach;
}

const statusOf = (status: ReadonlyMap<string, Status>, id: string): Status => status.get(id) ?? 'published';

/**
 * Whether the lines of a group (all sharing one total) can all hold with `member` = `value`.
 * When the total is withheld, every value it could take is tried, so the group is solved
 * exactly: a reader learns nothing more by combining the lines than this finds.
 */
function groupFeasible(
  group: readonly Line[],
  values: ReadonlyMap<string, number>,
  status: ReadonlyMap<string, Status>,
  cap: number,
  member: string,
  value: number,
): boolean {
  const totalId = group[0]!.total;
  const totals =
    member === totalId
      ? [value]
      : statusOf(status, totalId) === 'published'
        ? [values.get(totalId)!]
        : domainOf(statusOf(status, totalId), cap);
  const prepared = group.map((line) => {
    let known = 0;
    let fixed = 0;
    const unknown: string[] = [];
    for (const id of line.parts) {
      if (id === member) fixed += value;
      else if (statusOf(status, id) === 'published') known += values.get(id)!;
      else unknown.push(id);
    }
    return { need: known + fixed, reach: reachableSums(unknown, status, cap) };
  });
  return totals.some((t) =>
    prepared.every(({ need, reach }) => {
      const rest = t - need;
      return rest >= 0 && rest < reach.length && reach[rest] === 1;
    }),
  );
}

/** The values a withheld cell of a group can take, given everything published in the group. */
export function feasibleValues(
  group: readonly Line[],
  values: ReadonlyMap<string, number>,
  status: ReadonlyMap<string, Status>,
  member: string,
  cap: number,
): number[] {
  return domainOf(statusOf(status, member), cap).filter((v) => groupFeasible(group, values, status, cap, member, v));
}

/** A "<5" in the group whose value a reader could work out, if any. */
function disclosedInGroup(
  group: readonly Line[],
  values: ReadonlyMap<string, number>,
  status: ReadonlyMap<string, Status>,
  cap: number,
): string | undefined {
  const ids = new Set(group.flatMap((l) => [...l.parts, l.total]));
  for (const id of ids) {
    if (statusOf(status, id) !== 'primary') continue;
    let possible = 0;
    for (let v = 1; v <= SMALL_COUNT_MAX && possible < 2; v++)
      if (groupFeasible(group, values, status, cap, id, v)) possible++;
    if (possible < 2) return id;
  }
  return undefined;
}

/**
 * Applies small-number suppression to counts linked by published sums.
 *
 * Rule: (1) every count from 1 to 4 is shown as "<5"; 0 is shown as 0. (2) Where a reader could
 * work out the exact value of a "<5" from the other figures and totals, we also withhold the
 * smallest other count in the same sum that is 5 or more (else a 0, else the total) and show it as
 * "[c]", and repeat until no "<5" can be worked out.
 *
 * Lines that share a total (one period's breakdowns by platform, by source, …) are solved
 * together, exactly. Lines must not share parts with each other: sums over periods are handled
 * by `combineWithheld` instead, which keeps them from adding information.
 */
export function suppress(values: ReadonlyMap<string, number>, lines: readonly Line[]): Map<string, Shown> {
  const status = new Map<string, Status>();
  for (const [id, v] of values) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`count ${id} must be a whole number ≥ 0, got ${v}`);
    status.set(id, v >= 1 && v <= SMALL_COUNT_MAX ? 'primary' : 'published');
  }
  const groups = new Map<string, Line[]>();
  const partOf = new Set<string>();
  for (const line of lines) {
    for (const id of [...line.parts, line.total])
      if (!values.has(id)) throw new Error(`line refers to unknown cell ${id}`);
    for (const id of line.parts) {
      if (partOf.has(id))
        throw new Error(`cell ${id} is a part of two sums; suppress() solves sums that share only their total`);
      partOf.add(id);
    }
    groups.set(line.total, [...(groups.get(line.total) ?? []), line]);
  }
  const cap = Math.max(SMALL_COUNT_MAX + 1, ...values.values()) + SMALL_COUNT_MAX + 1;
  for (const group of groups.values()) {
    for (let id = disclosedInGroup(group, values, status, cap); id; id = disclosedInGroup(group, values, status, cap)) {
      const containing = group.filter((l) => l.parts.includes(id!));
      const pick = [...containing, ...group].map((l) => pickComplement(l, values, status)).find((x) => x !== undefined);
      if (!pick) break; // everything in the group is withheld already
      status.set(pick, 'secondary');
    }
  }
  const shown = new Map<string, Shown>();
  for (const [id, v] of values) {
    const s = status.get(id)!;
    shown.set(id, s === 'primary' ? '<5' : s === 'secondary' ? '[c]' : v);
  }
  return shown;
}

function pickComplement(
  line: Line,
  values: ReadonlyMap<string, number>,
  status: ReadonlyMap<string, Status>,
): string | undefined {
  const open = line.parts.filter((id) => statusOf(status, id) === 'published');
  const byValue = (a: string, b: string) => values.get(a)! - values.get(b)! || a.localeCompare(b);
  const large = open.filter((id) => values.get(id)! > SMALL_COUNT_MAX).sort(byValue);
  if (large[0]) return large[0];
  const zero = open.filter((id) => values.get(id) === 0).sort(byValue);
  if (zero[0]) return zero[0];
  return statusOf(status, line.total) === 'published' ? line.total : undefined;
}

/**
 * A sum over periods (a quarter from its three months): published only when every figure it adds
 * up is published, otherwise "[c]". Then the quarter tells a reader nothing the months did not
 * (a "<5" in a month can never be had by subtracting the other months from the quarter).
 */
export function combineWithheld(parts: readonly Shown[], value: number): Shown {
  return parts.some(isWithheld) ? '[c]' : value;
}

/** True for a figure that is withheld ("<5" or "[c]"). */
export function isWithheld(shown: Shown | undefined): shown is '<5' | '[c]' {
  return shown === '<5' || shown === '[c]';
}
