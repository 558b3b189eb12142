/**
 * Case references: 50 random bits from the operating system's CSPRNG, written as ten Crockford
 * base32 characters plus one check character, grouped for reading aloud: `7K3M-Q9TX-2MC`
 * (4-4-3; the last character is the check).
 *
 * Why this check character (and not Crockford's mod 37 or ISO 7064 MOD 37,36): both need symbols
 * beyond Crockford's 32 (`*~$=U`, or letters such as I, L, O, U that the forgiving parse maps to
 * digits), which people struggle to type or read aloud. Instead we treat each base32 character
 * as an element of the finite field GF(32) and require
 *
 *     x₀·α⁰ + x₁·α¹ + … + x₁₀·α¹⁰ = 0          (x₁₀ is the check character)
 *
 * where α is a primitive element, so the eleven weights α⁰…α¹⁰ are distinct and non-zero. Then:
 * - a single substitution x → x + e (e ≠ 0) changes the sum by αⁱ·e ≠ 0 (a field has no zero
 *   divisors): every single-character error is caught, including in the check character;
 * - swapping xᵢ ≠ xⱼ changes the sum by (αⁱ + αʲ)(xᵢ + xⱼ), and both factors are non-zero because
 *   αⁱ ≠ αʲ for i ≠ j < 31 and addition in GF(2⁵) is XOR: every transposition is caught, adjacent
 *   or not.
 * The check character is itself one of the 32 Crockford symbols, so a reference is pure
 * alphanumeric. tests/unit/references.test.ts checks both properties exhaustively on 10,000
 * random references.
 */
import { randomBytes } from 'node:crypto';

/** Crockford's base32 alphabet: digits and capitals without I, L, O and U. */
export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Random characters in a reference; 5 bits each. */
export const DATA_LENGTH = 10;
/** Random bits in a reference (at least 40 are required by the design). */
export const REFERENCE_BITS = DATA_LENGTH * 5;
/** Group sizes of the formatted reference, check character included. */
const GROUPS = [4, 4, 3];

// GF(32) with the primitive polynomial x⁵ + x² + 1; α = x = 2.
const EXP: number[] = [];
const LOG: number[] = new Array(32).fill(0);
{
  let v = 1;
  for (let i = 0; i < 31; i++) {
    EXP[i] = v;
    LOG[v] = i;
    v <<= 1;
    if (v & 32) v ^= 0b100101;
  }
}

function mul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[(LOG[a]! + LOG[b]!) % 31]!;
}

/** Σ xᵢ·αⁱ over the given symbol values. */
function weightedSum(values: readonly number[]): number {
  let sum = 0;
  values.forEach((x, i) => {
    sum ^= mul(x, EXP[i % 31]!);
  });
  return sum;
}

/** The check value c with Σ xᵢ·αⁱ + c·αⁿ = 0, for n data values. */
function checkValue(data: readonly number[]): number {
  const n = data.length;
  // c = s · α⁻ⁿ (minus is plus in characteristic 2).
  return mul(weightedSum(data), EXP[(31 - (n % 31)) % 31]!);
}

/** Formats 11 canonical characters (no separators) as `XXXX-XXXX-XXX`. */
export function formatReference(canonical: string): string {
  const parts: string[] = [];
  let at = 0;
  for (const size of GROUPS) {
    parts.push(canonical.slice(at, at + size));
    at += size;
  }
  return parts.filter(Boolean).join('-');
}

/** A new random case reference, formatted (`7K3M-Q9TX-2MC`). Callers retry on a collision. */
export function generateReference(): string {
  // 256 is a multiple of 32, so the low five bits of each random byte are uniform.
  const data = [...randomBytes(DATA_LENGTH)].map((b) => b & 31);
  const chars = [...data, checkValue(data)].map((v) => ALPHABET[v]!).join('');
  return formatReference(chars);
}

export type ParseReferenceResult =
  | { ok: true; reference: string }
  | { ok: false; error: 'empty' | 'wrong-length' | 'invalid-character' | 'check-failed' };

/**
 * Reads a reference as a person typed it: any case, spaces and hyphens (any dash) ignored,
 * O read as 0 and I or L as 1. The check character is verified here, before any lookup.
 * On success `reference` is the canonical formatted reference.
 */
export function parseReference(input: string): ParseReferenceResult {
  const cleaned = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-‐‑‒–—―]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (cleaned === '') return { ok: false, error: 'empty' };
  if (cleaned.length !== DATA_LENGTH + 1) return { ok: false, error: 'wrong-length' };
  const values: number[] = [];
  for (const ch of cleaned) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return { ok: false, error: 'invalid-character' };
    values.push(v);
  }
  if (weightedSum(values) !== 0) return { ok: false, error: 'check-failed' };
  return { ok: true, reference: formatReference(cleaned) };
}

/**
 * References one typing slip away from what was typed, when its check character fails: each
 * single-character substitution that makes the check hold (exactly one per position, since the
 * weights are non-zero) and each swap of two neighbouring characters that does. For staff
 * searches: the few candidates are looked up exactly, never pattern-matched. Empty unless the
 * input has the right length and alphabet but fails the check.
 */
export function nearbyReferences(input: string): string[] {
  const cleaned = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-‐‑‒–—―]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (cleaned.length !== DATA_LENGTH + 1) return [];
  const values = [...cleaned].map((ch) => ALPHABET.indexOf(ch));
  if (values.some((v) => v < 0)) return [];
  const sum = weightedSum(values);
  if (sum === 0) return [];
  const out = new Set<string>();
  const text = (vs: number[]) => formatReference(vs.map((v) => ALPHABET[v]!).join(''));
  values.forEach((x, i) => {
    // x·αⁱ + s = x'·αⁱ  ⇒  x' = x + s·α⁻ⁱ
    const fixed = x ^ mul(sum, EXP[(31 - (i % 31)) % 31]!);
    out.add(text(values.map((v, j) => (j === i ? fixed : v))));
  });
  for (let i = 0; i + 1 < values.length; i++) {
    const swapped = [...values];
    [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
    if (weightedSum(swapped) === 0) out.add(text(swapped));
  }
  return [...out];
}
