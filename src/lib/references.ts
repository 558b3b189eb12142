/**
 * STAND-IN until the `principles` branch lands its references module (same API).
 * Case and appeal references: Crockford base32, 40 random bits + a check character, grouped.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DATA_LENGTH = 8;

function checkSymbol(values: number[]): string {
  // Odd weights are invertible mod 32, so any single mistyped character changes the check.
  const sum = values.reduce((acc, v, i) => acc + v * (2 * i + 1), 0);
  return ALPHABET[sum % 32]!;
}

function format(symbols: string): string {
  return `${symbols.slice(0, 3)}-${symbols.slice(3, 6)}-${symbols.slice(6)}`;
}

export function generateReference(): string {
  const bytes = randomBytes(DATA_LENGTH);
  const values = [...bytes].map((b) => b % 32);
  return format(values.map((v) => ALPHABET[v]).join('') + checkSymbol(values));
}

export type ParseReferenceResult =
  | { ok: true; reference: string }
  | { ok: false; error: 'empty' | 'wrong-length' | 'invalid-character' | 'check-failed' };

export function parseReference(input: string): ParseReferenceResult {
  const compact = input.replace(/[\s\-–—_.]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  if (compact === '') return { ok: false, error: 'empty' };
  if ([...compact].some((c) => !ALPHABET.includes(c))) return { ok: false, error: 'invalid-character' };
  if (compact.length !== DATA_LENGTH + 1) return { ok: false, error: 'wrong-length' };
  const values = [...compact.slice(0, DATA_LENGTH)].map((c) => ALPHABET.indexOf(c));
  if (checkSymbol(values) !== compact[DATA_LENGTH]) return { ok: false, error: 'check-failed' };
  return { ok: true, reference: format(compact) };
}
