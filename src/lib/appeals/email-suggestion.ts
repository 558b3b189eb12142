/**
 * "Did you mean …@gmail.com?": a likely typo in the domain of an email address, caught before
 * the appeal is sent, because our decision will only ever come by email. A suggestion is only a
 * question: the person can always keep what they typed.
 */

/** The domains most people in England use, most common first (a tie goes to the earlier one). */
export const COMMON_DOMAINS = [
  'gmail.com',
  'googlemail.com',
  'hotmail.com',
  'hotmail.co.uk',
  'outlook.com',
  'live.co.uk',
  'yahoo.com',
  'yahoo.co.uk',
  'icloud.com',
  'btinternet.com',
  'aol.com',
  'nhs.net',
] as const;

/**
 * Real domains one or two keystrokes from a common one: never "corrected" (mail.com is not a
 * typo of gmail.com, nor live.com of live.co.uk).
 */
const ALSO_REAL = new Set([
  'mail.com',
  'gmx.com',
  'gmx.co.uk',
  'live.com',
  'msn.com',
  'me.com',
  'mac.com',
  'aol.co.uk',
  'yahoo.fr',
  'hotmail.fr',
  'hotmail.de',
  'hotmail.it',
  'hotmail.es',
  'outlook.fr',
  'outlook.de',
  'outlook.co.uk',
  'yahoo.de',
  'yahoo.es',
  'yahoo.it',
  'ymail.com',
  'nhs.uk',
  'email.com',
  'proton.me',
  'sky.com',
]);

/**
 * Damerau–Levenshtein distance (the "optimal string alignment" form): the fewest single-character
 * insertions, deletions, substitutions and swaps of two neighbours that turn `a` into `b`.
 * "gmial.con" is 2 from "gmail.com": one swap, one substitution.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * How far a typed domain may be from a common one and still look like a slip: one mistake in a
 * short domain (aol.com, nhs.net), two in a longer one (gmial.con). More would suggest real,
 * different domains.
 */
function allowedDistance(domain: string): number {
  return domain.length >= 9 ? 2 : 1;
}

/**
 * The address with its domain corrected when the domain looks like a typo of a common one, or
 * undefined when it does not (including when it already is a common or a known real domain).
 * `address` is already a valid, lower-case address (validation.ts `emailAddress`).
 */
export function suggestEmail(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at < 1) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if ((COMMON_DOMAINS as readonly string[]).includes(domain) || ALSO_REAL.has(domain)) return undefined;
  let best: { domain: string; distance: number } | undefined;
  for (const common of COMMON_DOMAINS) {
    // A length gap wider than the allowance can never be close enough: skip the table.
    if (Math.abs(common.length - domain.length) > allowedDistance(common)) continue;
    const distance = editDistance(domain, common);
    if (distance <= allowedDistance(common) && (!best || distance < best.distance)) best = { domain: common, distance };
  }
  return best ? `${local}@${best.domain}` : undefined;
}
