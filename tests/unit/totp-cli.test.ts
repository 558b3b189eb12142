import { describe, expect, it } from 'vitest';
import { generateTotpSecret, matchTotp, totpCodeFromInput, totpStep, totpUri } from '../../src/lib/staff/totp.ts';

describe('npm run totp: a code for a local trial without a phone', () => {
  const at = new Date('2026-12-01T10:00:05Z');

  it('gives the code the sign-in accepts, from the secret as the set-up page shows it (groups of 4, any case)', () => {
    const secret = generateTotpSecret();
    const shown = secret
      .match(/.{1,4}/g)!
      .join(' ')
      .toLowerCase();
    const result = totpCodeFromInput(shown, at);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(matchTotp(secret, result.code, at)).toBe(totpStep(at));
    expect(result.secondsLeft).toBe(25);
  });

  it('accepts the otpauth:// URI that `npm run staff -- add` prints', () => {
    const secret = generateTotpSecret();
    const result = totpCodeFromInput(totpUri(secret, 'ann@example.org'), at);
    expect(result.ok && matchTotp(secret, result.code, at)).toBe(totpStep(at));
  });

  it('refuses what is not a secret, with a message saying what to give', () => {
    for (const input of ['', 'not a secret!', 'otpauth://totp/x', 'ABC']) {
      const result = totpCodeFromInput(input, at);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/secret shown on the set-up page/);
    }
  });
});
