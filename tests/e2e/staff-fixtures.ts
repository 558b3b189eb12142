/**
 * Staff helpers for browser tests. All spec files share one server and database, so every
 * account gets a unique email address.
 *
 *   const account = await createStaff({ roles: ['moderator'] });   // as `npm run staff -- add` does
 *   await signInAs(page, account);    // a signed-in session written directly, lands on /staff
 *   await signIn(page, account);      // the real way: password + TOTP code, lands on /staff
 *
 * Specs about signing in (staff.spec.ts, account-recovery.spec.ts, aa-first-run.spec.ts) sign in
 * the real way; the others use `signInAs`, which skips the password and code steps (the app's own
 * session function on the test server's database file, src/lib/staff/sessions.ts). Both run in the test
 * process: nothing in the server can make a session without the two steps.
 *
 * A security code is accepted once per account and time-step (and never an older one); the server
 * accepts the next step's code too (one step either side for clock drift), so `freshCode` uses
 * that before it waits for a new 30-second step.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { Secret, TOTP, URI } from 'otpauth';
import type { Db } from '../../db/client.ts';
import { createRuntime, type Runtime } from '../../src/lib/runtime.ts';
import { sessionCookieName, startSessionWithoutSignIn } from '../../src/lib/staff/sessions.ts';
import { createStaffAccount } from '../../src/lib/staff/accounts.ts';
import { e2eConfig, openServerDatabase } from './e2e-database.ts';
import { expect } from './fixtures.ts';

export type Role = 'moderator' | 'reviewer' | 'admin';

export interface StaffAccount {
  id: number;
  email: string;
  name: string;
  password: string;
  totpSecret: string;
  roles: Role[];
}

let counter = 0;

/** Runs the staff CLI against the test server's DATA_DIR. */
export function staffCli(args: string[], stdin = ''): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('node_modules/.bin/tsx', ['scripts/staff.ts', ...args], {
    input: stdin,
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** This process's runtime on the test server's database (as the staff CLI would open it). */
let runtime: Promise<Runtime> | undefined;
function testRuntime(): Promise<Runtime> {
  return (runtime ??= createRuntime(e2eConfig()));
}

/**
 * Creates an account the way `npm run staff -- add` does (the same domain function, audited as the
 * command line), without starting the command each time; returns what a person would know about it.
 * The command itself is tested in tests/resilience/secrets-at-rest.test.ts; `staffCli` runs it.
 */
export async function createStaff(options: { roles: Role[]; name?: string; email?: string }): Promise<StaffAccount> {
  counter += 1;
  const email = options.email ?? `staff-${Date.now()}-${process.pid}-${counter}@example.org`;
  const name = options.name ?? `Test ${options.roles.join(' and ')} ${counter}`;
  const password = `e2e ${randomBytes(9).toString('base64url')} passphrase`;
  const result = await createStaffAccount(
    await testRuntime(),
    { email, name, password, roles: options.roles },
    { id: null, ip: 'cli' },
  );
  if (!result.ok) throw new Error(`staff add failed: ${Object.values(result.errors).join('; ')}`);
  const uri = URI.parse(result.otpauthUri);
  if (!(uri instanceof TOTP)) throw new Error(`not a TOTP URI: ${result.otpauthUri}`);
  return {
    id: result.id,
    email: email.toLowerCase(),
    name,
    password,
    totpSecret: uri.secret.base32,
    roles: options.roles,
  };
}

/** The test server's database (close it after use). */
export function openTestDatabase(): Promise<Db> {
  return openServerDatabase();
}

const lastStep = new Map<string, number>();
const stepOf = (ms: number) => Math.floor(ms / 30_000);

/** The code for a secret at a time (ms). */
export const codeAt = (secret: string, ms: number): string =>
  new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: ms });

/** A 6-digit code that is none of the codes accepted now (the window is one step either side). */
export function wrongCode(secret: string): string {
  const now = Date.now();
  const accepted = new Set([-60_000, -30_000, 0, 30_000, 60_000].map((d) => codeAt(secret, now + d)));
  for (let n = 123456; ; n = (n + 111_111) % 1_000_000) {
    const code = String(n).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}

/** The sign-in page's first step: email address and password, then Continue. */
export async function passwordStep(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/staff/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
}

/**
 * A code the server accepts now and this account has not used: the current step's, or when that
 * was used the next step's (accepted as well, one step either side); only when that was used too
 * does it wait for the next 30-second step.
 */
export async function freshCode(account: { email: string; totpSecret: string }): Promise<string> {
  const used = lastStep.get(account.email);
  const target = used === undefined ? stepOf(Date.now()) : Math.max(stepOf(Date.now()), used + 1);
  // The server accepts `target` once the current step is target - 1 (0.25 s spare for the clocks).
  const wait = (target - 1) * 30_000 + 250 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  lastStep.set(account.email, target);
  return codeAt(account.totpSecret, target * 30_000);
}

/** Notes that a code of this step was used outside signIn (e.g. a test entering it by hand). */
export function markCodeUsed(account: { email: string }, at = Date.now()): void {
  lastStep.set(account.email, Math.max(lastStep.get(account.email) ?? 0, stepOf(at)));
}

/** Enters the password, then the security code, ending on the staff home page. */
export async function signIn(
  page: Page,
  account: { email: string; password: string; totpSecret: string },
): Promise<void> {
  await passwordStep(page, account.email, account.password);
  await expect(page).toHaveURL(/\/staff\/login\/code$/);
  for (let attempt = 0; attempt < 2; attempt++) {
    await page.getByLabel('Security code').fill(await freshCode(account));
    await page.getByRole('button', { name: 'Sign in' }).click();
    if (!/\/staff\/login\/code$/.test(page.url())) break;
    // Another test (or process) used this step already: wait for the next one.
    await expect(page.getByText('already been used').first()).toBeVisible();
  }
  await expect(page).toHaveURL(/\/staff\/?(\?.*)?$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Staff home' })).toBeVisible();
}

/**
 * Signed in without the sign-in steps (for specs not about signing in): writes a signed-in session
 * for the account with the app's own session function, as the server would after a right code,
 * gives the browser its cookie, and ends on the staff home page like `signIn`.
 */
export async function signInAs(page: Page, account: { id: number }): Promise<void> {
  const userAgent = await page.evaluate(() => navigator.userAgent);
  const token = await startSessionWithoutSignIn(await testRuntime(), account.id, '127.0.0.1', userAgent);
  const url = `http://127.0.0.1:${process.env.E2E_PORT}`;
  await page
    .context()
    .addCookies([{ name: sessionCookieName(false), value: token, url, httpOnly: true, sameSite: 'Lax' }]);
  await page.goto('/staff');
  await expect(page).toHaveURL(/\/staff\/?(\?.*)?$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Staff home' })).toBeVisible();
}

/** Signs out with the header button. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/staff\/login\?ended=signed-out$/);
}
