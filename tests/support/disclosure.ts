/**
 * An attacker for suppression tests: given the published figures and the sums readers know,
 * finds every value a withheld "<5" could take, solving all sums together (backtracking search).
 * A "<5" is disclosed when only one value is possible.
 */
import type { Line, Shown } from '../../src/lib/transparency/statistics.ts';

export function domainOf(shown: Shown, cap: number, anything = false): number[] {
  if (shown === '<5') return [1, 2, 3, 4];
  if (shown === '[c]' && anything) return Array.from({ length: cap + 1 }, (_, i) => i);
  if (shown === '[c]') return [0, ...Array.from({ length: Math.max(0, cap - 4) }, (_, i) => i + 5)];
  return [shown];
}

/** True when some assignment of the withheld cells satisfies every line, with `fixed` forced. */
function feasible(
  shown: ReadonlyMap<string, Shown>,
  lines: readonly Line[],
  cap: number,
  fixed: Map<string, number>,
  anything: (id: string) => boolean,
): boolean {
  const unknown = [...shown.keys()].filter((id) => typeof shown.get(id) !== 'number' && !fixed.has(id));
  const value = new Map<string, number>(fixed);
  for (const [id, s] of shown) if (typeof s === 'number') value.set(id, s);
  const linesOf = new Map<string, Line[]>();
  for (const l of lines) for (const id of [...l.parts, l.total]) linesOf.set(id, [...(linesOf.get(id) ?? []), l]);
  const range = (id: string): [number, number] => {
    if (value.has(id)) return [value.get(id)!, value.get(id)!];
    const d = domainOf(shown.get(id)!, cap, anything(id));
    return [Math.min(...d), Math.max(...d)];
  };
  const ok = (l: Line): boolean => {
    let lo = 0;
    let hi = 0;
    for (const p of l.parts) {
      const [a, b] = range(p);
      lo += a;
      hi += b;
    }
    const [ta, tb] = range(l.total);
    return lo <= tb && hi >= ta;
  };
  if (!lines.every(ok)) return false;
  const search = (i: number): boolean => {
    if (i === unknown.length) return lines.every(ok);
    const id = unknown[i]!;
    for (const v of domainOf(shown.get(id)!, cap, anything(id))) {
      value.set(id, v);
      if ((linesOf.get(id) ?? []).every(ok) && search(i + 1)) return true;
    }
    value.delete(id);
    return false;
  };
  return search(0);
}

/** Every "<5" cell whose value a reader could work out exactly, with that value. */
/** `anything(id)`: a "[c]" that may hide any value (not only 0 or 5 and more). */
export function disclosedCells(
  shown: ReadonlyMap<string, Shown>,
  lines: readonly Line[],
  cap: number,
  anything: (id: string) => boolean = () => false,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, s] of shown) {
    if (s !== '<5') continue;
    const possible = [1, 2, 3, 4].filter((v) => feasible(shown, lines, cap, new Map([[id, v]]), anything));
    if (possible.length < 2) out.set(id, possible[0] ?? -1);
  }
  return out;
}
