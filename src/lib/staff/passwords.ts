/**
 * Passwords: scrypt from node:crypto (memory-hard, no native addon), stored as a versioned string
 * `$scrypt$v=1$N=32768,r=8,p=1$<salt b64>$<hash b64>`, compared in constant time. Policy: at least
 * 12 characters, at most 256, and not in the shipped list of common passwords
 * (src/lib/staff/data/common-passwords.txt, made by scripts/generate-common-passwords.mjs).
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((ok, fail) =>
    scryptCb(password.normalize('NFKC'), salt, keylen, options, (err, key) => (err ? fail(err) : ok(key))),
  );
}

// 128 * N * r bytes are needed; allow twice that.
const maxmem = (N: number, r: number) => 256 * N * r;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...PARAMS, maxmem: maxmem(PARAMS.N, PARAMS.r) });
  return `$scrypt$v=1$N=${PARAMS.N},r=${PARAMS.r},p=${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const FORMAT = /^\$scrypt\$v=1\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** True when `password` matches `stored`. A malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N > 2 ** 20 || r > 32 || p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await scrypt(password, Buffer.from(m[4]!, 'base64'), expected.length, { N, r, p, maxmem: maxmem(N, r) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;
/**
 * Spends the same time as a real check, for an unknown email, so response times do not show
 * whether an account exists.
 */
export async function dummyVerify(password: string): Promise<void> {
  dummy ??= hashPassword('dummy password for timing only');
  await verifyPassword(password, await dummy);
}

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  // Found from the working directory, like the migrations, because the bundler moves this module.
  common ??= new Set(
    readFileSync(resolve(process.cwd(), 'src/lib/staff/data/common-passwords.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  return common;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.toLowerCase());
}

/** The policy: null when acceptable, else the message to show next to the field. */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  if (password.length === 0) return 'Enter a password';
  if ([...password].length < PASSWORD_MIN_LENGTH) return `Password must be ${PASSWORD_MIN_LENGTH} characters or more`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Password must be ${PASSWORD_MAX_LENGTH} characters or fewer`;
  if (isCommonPassword(password))
    return 'This password is too common. Choose one that is harder to guess, such as three or four random words';
  const lower = password.toLowerCase();
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (
    (local && local.length >= 4 && lower.includes(local)) ||
    (context.email && lower === context.email.toLowerCase())
  ) {
    return 'Password must not contain your email address';
  }
  return null;
}
