/**
 * The first run (issue 4), moved out of staff.spec.ts so that it runs first (files run in name
 * order, one worker): since issue 17.2 the first-run link stops working as soon as any admin
 * exists, and the other spec files add admins with the command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';
import { freshCode, passwordStep, signOut, wrongCode } from './staff-fixtures.ts';

test('first run: the one-time link creates the admin, who enrols TOTP and signs in with it', async ({
  page,
  expectAccessible,
}) => {
  const file = join(process.env.E2E_DATA_DIR!, 'first-run-link.txt');
  expect(existsSync(file), 'the server writes the first-run link at start-up').toBe(true);
  const link = readFileSync(file, 'utf8').trim();
  expect(link).toMatch(/^http:\/\/localhost:\d+\/setup\/[A-Za-z0-9_-]{43}$/);
  const path = new URL(link).pathname;

  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create the first admin account');
  await expectAccessible(page);

  // Bad input: errors next to the fields, typed values kept.
  await page.getByLabel('Full name').fill('Ada Admin');
  await page.getByLabel('Email address').fill('not an email');
  await page.getByLabel('Password').fill('password1234');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveTitle(/^Error: /);
  await expect(page.getByRole('alert')).toContainText('Enter an email address in the correct format');
  await expect(page.getByRole('alert')).toContainText('This password is too common');
  await expect(page.getByLabel('Full name')).toHaveValue('Ada Admin');
  await expectAccessible(page);

  const email = `first-admin-${Date.now()}@example.org`;
  const password = 'first admin chooses a long passphrase';
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page).toHaveURL(/\/staff\/login\/enrol$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up your authenticator app');
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const secret = (await page.locator('#totp-secret').getAttribute('data-secret'))!;
  expect((await page.locator('#totp-secret').textContent())!.replace(/\s/g, '')).toBe(secret);
  await expectAccessible(page);

  await page.getByLabel('Security code').fill(wrongCode(secret));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('alert')).toContainText('The security code is not correct');
  await expectAccessible(page);

  const account = { email, password, totpSecret: secret };
  await page.getByLabel('Security code').fill(await freshCode(account));
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/staff\?enrolled=1$/);
  await expect(page.getByText('Your authenticator app is set up')).toBeVisible();
  await expect(page.getByText(`Signed in as Ada Admin (${email})`)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Staff accounts' })).toBeVisible();
  await expectAccessible(page);
  expect(existsSync(file), 'the link file is deleted once used').toBe(false);

  // The link works once.
  const again = await page.goto(path);
  expect(again?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This link does not work');
  await expectAccessible(page);

  // Sign out, then sign in with password and a TOTP code.
  await page.goto('/staff');
  await signOut(page);
  await expect(page.getByText('You have signed out.')).toBeVisible();
  await expectAccessible(page);
  await passwordStep(page, email, password);
  await expect(page).toHaveURL(/\/staff\/login\/code$/);
  await expectAccessible(page);
  await page.getByLabel('Security code').fill(await freshCode(account));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Staff home' })).toBeVisible();
  const audit = await page.goto('/staff/audit?action=staff.first-admin-created');
  expect(audit?.status()).toBe(200);
  await expect(page.getByRole('table')).toContainText(email);
  // Who, what, which record, when and from which IP.
  await expect(page.getByRole('table')).toContainText('127.0.0.1');
});
