import { describe, expect, it } from 'vitest';
import {
  ALPHABET,
  DATA_LENGTH,
  REFERENCE_BITS,
  formatReference,
  generateReference,
  parseReference,
} from '../../src/lib/cases/references.ts';
import { MIN_TOKEN_BYTES, generateToken } from '../../src/lib/platform/tokens.ts';

const FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{3}$/;
const canonical = (ref: string) => ref.replace(/-/g, '');

describe('generateReference', () => {
  it('makes formatted references in Crockford base32 with a valid check character', () => {
    for (let i = 0; i < 1000; i++) {
      const ref = generateReference();
      expect(ref).toMatch(FORMAT);
      expect(parseReference(ref)).toEqual({ ok: true, reference: ref });
    }
  });

  it('carries at least 40 random bits', () => {
    expect(REFERENCE_BITS).toBeGreaterThanOrEqual(40);
    expect(ALPHABET).toHaveLength(32);
    expect(DATA_LENGTH * Math.log2(ALPHABET.length)).toBe(REFERENCE_BITS);
  });

  it('uses every symbol about equally often in every random position (no bias)', () => {
    const samples = 16_000;
    const counts = Array.from({ length: DATA_LENGTH }, () => new Array<number>(32).fill(0));
    for (let i = 0; i < samples; i++) {
      canonical(generateReference())
        .slice(0, DATA_LENGTH)
        .split('')
        .forEach((ch, pos) => counts[pos]![ALPHABET.indexOf(ch)]!++);
    }
    const expected = samples / 32;
    for (const position of counts) {
      // Chi-square with 31 degrees of freedom: 80 is far beyond p = 0.0001 (about 67).
      const chi = position.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
      expect(chi).toBeLessThan(80);
    }
  });

  it('does not repeat itself in 100,000 references', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(generateReference());
    expect(seen.size).toBe(100_000);
  });
});

describe('the check character', () => {
  const refs = Array.from({ length: 10_000 }, () => canonical(generateReference()));

  it('catches every single-character substitution in 10,000 random references', () => {
    let tried = 0;
    for (const ref of refs) {
      for (let pos = 0; pos < ref.length; pos++) {
        for (const symbol of ALPHABET) {
          if (symbol === ref[pos]) continue;
          const typo = ref.slice(0, pos) + symbol + ref.slice(pos + 1);
          tried++;
          const result = parseReference(typo);
          if (result.ok || result.error !== 'check-failed')
            throw new Error(`substitution not caught: ${ref} → ${typo}`);
        }
      }
    }
    expect(tried).toBe(10_000 * 11 * 31);
  });

  it('catches every swap of two different neighbours in 10,000 random references', () => {
    let tried = 0;
    for (const ref of refs) {
      for (let pos = 0; pos + 1 < ref.length; pos++) {
        if (ref[pos] === ref[pos + 1]) continue;
        const typo = ref.slice(0, pos) + ref[pos + 1] + ref[pos] + ref.slice(pos + 2);
        tried++;
        const result = parseReference(typo);
        if (result.ok || result.error !== 'check-failed') throw new Error(`transposition not caught: ${ref} → ${typo}`);
      }
    }
    expect(tried).toBeGreaterThan(10_000 * 9);
  });
});

describe('parseReference', () => {
  const ref = generateReference();

  it('round-trips a generated reference', () => {
    expect(parseReference(ref)).toEqual({ ok: true, reference: ref });
    expect(formatReference(canonical(ref))).toBe(ref);
  });

  it('accepts known-good references (fixed examples other tests may use)', () => {
    expect(parseReference('7K3M-Q9TX-2MQ')).toEqual({ ok: true, reference: '7K3M-Q9TX-2MQ' });
    expect(parseReference('7k3m q9tx 2mq')).toEqual({ ok: true, reference: '7K3M-Q9TX-2MQ' });
    expect(parseReference('ZZZZ-ZZZZ-ZZN')).toEqual({ ok: true, reference: 'ZZZZ-ZZZZ-ZZN' });
    expect(parseReference('7K3M-Q9TX-2MR')).toEqual({ ok: false, error: 'check-failed' });
    expect(parseReference('7K3M-Q9XT-2MQ')).toEqual({ ok: false, error: 'check-failed' });
  });

  it('ignores case, spaces and hyphens', () => {
    for (const typed of [
      ref.toLowerCase(),
      canonical(ref),
      ` ${ref.replace(/-/g, ' ')} `,
      canonical(ref).split('').join('-'),
      ref.replace(/-/g, ' – '),
    ]) {
      expect(parseReference(typed), typed).toEqual({ ok: true, reference: ref });
    }
  });

  it('forgives O for 0 and I or L for 1', () => {
    // A known-good reference containing 0 and 1 (checked by the assertion itself).
    let withDigits = ref;
    while (!/[01]/.test(canonical(withDigits))) withDigits = generateReference();
    const typed = withDigits.replace(/0/g, 'o').replace(/1/, 'I').replace(/1/g, 'l');
    expect(parseReference(typed)).toEqual({ ok: true, reference: withDigits });
  });

  it('says what is wrong with bad input', () => {
    expect(parseReference('')).toEqual({ ok: false, error: 'empty' });
    expect(parseReference('  - - ')).toEqual({ ok: false, error: 'empty' });
    expect(parseReference('7K3M-Q9TX')).toEqual({ ok: false, error: 'wrong-length' });
    expect(parseReference(`${ref}0`)).toEqual({ ok: false, error: 'wrong-length' });
    expect(parseReference('7K3M-Q9TX-2U0')).toEqual({ ok: false, error: 'invalid-character' });
    expect(parseReference('7K3M-Q9TX-2*0')).toEqual({ ok: false, error: 'invalid-character' });
    expect(parseReference('<script>xx>')).toEqual({ ok: false, error: 'invalid-character' });
  });
});

describe('generateToken', () => {
  it('makes URL-safe tokens of at least 128 bits', () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(generateToken(MIN_TOKEN_BYTES), 'base64url')).toHaveLength(16);
  });

  it('never repeats and refuses too few bytes', () => {
    const seen = new Set(Array.from({ length: 10_000 }, () => generateToken()));
    expect(seen.size).toBe(10_000);
    expect(() => generateToken(8)).toThrow(RangeError);
  });
});
