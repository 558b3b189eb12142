/**
 * TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps, accepting one step either side for clock
 * drift. The caller refuses a step already used for the account (db/staff.ts usedTotpStepFrom).
 */
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_WINDOW = 1;
const ISSUER = 'Fair Hearing';

export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** The `otpauth://totp/…` URI an authenticator app reads. */
export function totpUri(secret: string, email: string): string {
  return totp(secret, email).toString();
}

/** The time-step number of a time. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The time-step the code belongs to when it is right for `at` (±1 step), else null.
 * Codes are 6 digits; spaces and hyphens typed between them are ignored.
 */
export function matchTotp(secret: string, code: string, at: Date): number | null {
  const token = code.replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(secret, 'check').validate({ token, timestamp: at.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : totpStep(at) + delta;
}

/** The code for a time (for tests and the CLI's check). */
export function totpCode(secret: string, at: Date): string {
  return totp(secret, 'code').generate({ timestamp: at.getTime() });
}

/** The QR code of the URI as inline SVG markup, labelled for screen readers (no style attributes). */
export async function totpQrSvg(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return svg.replace(
    '<svg ',
    '<svg role="img" aria-label="QR code to add this account to an authenticator app" width="200" height="200" focusable="false" ',
  );
}

/**
 * The code for a secret typed by a person (base32, spaces allowed, any case) or an
 * `otpauth://totp/…` URI, for `npm run totp` (a local trial without a phone).
 */
export function totpCodeFromInput(
  input: string,
  at: Date,
): { ok: true; code: string; secondsLeft: number } | { ok: false; error: string } {
  let secret = input.trim();
  if (secret.toLowerCase().startsWith('otpauth://')) {
    try {
      secret = new URL(secret).searchParams.get('secret') ?? '';
    } catch {
      secret = '';
    }
  }
  secret = secret.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z2-7]+=*$/.test(secret) || secret.length < 16) {
    return {
      ok: false,
      error: 'Give the secret shown on the set-up page (letters A–Z and digits 2–7), or the otpauth:// link.',
    };
  }
  const secondsLeft = TOTP_PERIOD_SECONDS - (Math.floor(at.getTime() / 1000) % TOTP_PERIOD_SECONDS);
  return { ok: true, code: totpCode(secret, at), secondsLeft };
}
