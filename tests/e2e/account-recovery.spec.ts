/**
 * Staff account recovery end to end (issue 17 point 3, 15), JavaScript off, emails through the
 * real SMTP sink: changing your own password and signing out your other sessions; an admin's
 * password reset (email → new password → old sessions gone); sending an invitation again;
 * resetting an authenticator (email → link + password → enrol); the operator's reset command.
 */
import { expect, test, type Mailbox } from './fixtures.ts';
import { createStaff, freshCode, passwordStep, signIn, signOut, staffCli } from './staff-fixtures.ts';

const LINK = /https?:\/\/[^\s"<>]+\/setup\/[A-Za-z0-9_-]{43}/;

async function linkFromEmail(mailbox: Mailbox, to: string, subject: RegExp, count = 1): Promise<string> {
  const messages = await mailbox.waitFor({ to, subject }, { count });
  const link = LINK.exec(messages[count - 1]!.text)?.[0];
  expect(link, 'the email carries a one-time link').toBeDefined();
  return new URL(link!).pathname;
}

test('a person changes their own password and signs out their other session', async ({
  page,
  browser,
  expectAccessible,
}) => {
  test.setTimeout(240_000);
  const me = await createStaff({ roles: ['moderator'] });
  await signIn(page, me);
  const elsewhere = await browser.newPage();
  await signIn(elsewhere, me);

  await page.getByRole('link', { name: 'Your account' }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
  const rows = page.getByRole('table').getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(page.getByRole('table')).toContainText('This session');
  await expect(page.getByRole('table')).toContainText('127.0.0.…');
  await expect(page.getByRole('table')).not.toContainText('127.0.0.1');
  await expectAccessible(page);

  // Sign out the other session from here.
  await page.getByRole('button', { name: /^Sign out session 2/ }).click();
  await expect(page.getByText('1 session has been signed out.')).toBeVisible();
  await expect(page.getByRole('table').getByRole('row')).toHaveCount(2);
  await elsewhere.goto('/staff');
  await expect(elsewhere).toHaveURL(/\/staff\/login$/);
  await elsewhere.close();

  // A wrong current password, then a common new one: errors next to the fields.
  const newPassword = `changed ${Date.now()} passphrase`;
  await page.getByLabel('Current password').fill('not my password at all');
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page).toHaveTitle(/^Error: /);
  await expect(page.getByRole('alert')).toContainText('Your current password is not correct');
  await expectAccessible(page);
  await page.getByLabel('Current password').fill(me.password);
  await page.getByLabel('New password').fill('password1234');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toContainText('This password is too common');
  await page.getByLabel('Current password').fill(me.password);
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password has been changed.')).toBeVisible();
  await expectAccessible(page);

  // Still signed in here; the old password no longer works, the new one does.
  await signOut(page);
  await passwordStep(page, me.email, me.password);
  await expect(page.getByRole('alert')).toContainText('The email address or password is not correct');
  await signIn(page, { ...me, password: newPassword });
});

test('an admin sends a password reset: email, new password, old sessions gone', async ({
  page,
  browser,
  mailbox,
  expectAccessible,
}) => {
  test.setTimeout(240_000);
  const admin = await createStaff({ roles: ['admin'] });
  const person = await createStaff({ roles: ['reviewer'] });
  const theirs = await browser.newPage();
  await signIn(theirs, person);
  await signIn(page, admin);

  await page.goto(`/staff/admin/${person.id}`);
  await page.getByRole('button', { name: 'Send a password reset' }).click();
  await expect(page.getByText('Password reset sent.')).toBeVisible();
  await expectAccessible(page);
  const path = await linkFromEmail(mailbox, person.email, /^Reset your password/);

  // Their session has ended.
  await theirs.goto('/staff');
  await expect(theirs).toHaveURL(/\/staff\/login$/);

  const response = await theirs.goto(path);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['cache-control']).toBe('no-store');
  await expect(theirs.getByRole('heading', { level: 1 })).toHaveText('Choose a new password');
  await expectAccessible(theirs);
  await theirs.getByLabel('New password').fill('too short');
  await theirs.getByRole('button', { name: 'Continue' }).click();
  await expect(theirs.getByRole('alert')).toContainText('Password must be 12 characters or more');
  await expectAccessible(theirs);
  const newPassword = `reset ${Date.now()} passphrase`;
  await theirs.getByLabel('New password').fill(newPassword);
  await theirs.getByRole('button', { name: 'Continue' }).click();
  await expect(theirs).toHaveURL(/\/staff\/login\?ended=password-reset$/);
  await expect(theirs.getByText('Your new password is set.')).toBeVisible();
  await expectAccessible(theirs);

  // The link works once; the old password is gone; the new one signs in with the same authenticator.
  expect((await theirs.goto(path))?.status()).toBe(404);
  await passwordStep(theirs, person.email, person.password);
  await expect(theirs.getByRole('alert')).toContainText('The email address or password is not correct');
  await signIn(theirs, { ...person, password: newPassword });
  await theirs.close();

  await page.goto(`/staff/audit?entityType=staff&entityId=${person.id}`);
  await expect(page.getByRole('table')).toContainText('Password reset link sent');
  await expect(page.getByRole('table')).toContainText('New password chosen from a reset link');
});

test('an admin sends an invitation again; the earlier link stops working', async ({
  page,
  browser,
  mailbox,
  expectAccessible,
}) => {
  test.setTimeout(120_000);
  const admin = await createStaff({ roles: ['admin'] });
  await signIn(page, admin);
  const email = `reinvite-${Date.now()}@example.org`;
  const invite = async () => {
    await page.goto('/staff/admin/invite');
    await page.getByLabel('Full name').fill('Rosa Reinvited');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Reviewer').check();
    await page.getByRole('button', { name: 'Send invitation' }).click();
  };
  await invite();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Invitation sent');
  const first = await linkFromEmail(mailbox, email, /invited/);

  // Inviting the same address again offers to send the invitation again.
  await invite();
  await expect(page.getByRole('alert')).toContainText('has already been invited with this email address');
  await expect(page.getByLabel('Full name')).toHaveValue('Rosa Reinvited');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Send the invitation again' }).click();
  await expect(page.getByText('Invitation sent again.')).toBeVisible();
  await expectAccessible(page);
  const second = await linkFromEmail(mailbox, email, /invited/, 2);
  expect(second).not.toBe(first);

  const rosa = await browser.newPage();
  expect((await rosa.goto(first))?.status()).toBe(404);
  await expect(rosa.getByRole('heading', { level: 1 })).toHaveText('This link does not work');
  const response = await rosa.goto(second);
  expect(response?.status()).toBe(200);
  await expect(rosa.getByRole('heading', { level: 1 })).toHaveText('Set up your staff account');
  await rosa.getByLabel('Password').fill('rosa picks a long passphrase');
  await rosa.getByRole('button', { name: 'Continue' }).click();
  await expect(rosa).toHaveURL(/\/staff\/login\/enrol$/);
  await rosa.close();
});

test('after an authenticator reset the emailed link (with the password) leads to enrolment, not the password alone', async ({
  page,
  browser,
  mailbox,
  expectAccessible,
}) => {
  test.setTimeout(240_000);
  const admin = await createStaff({ roles: ['admin'] });
  const person = await createStaff({ roles: ['moderator'] });
  const theirs = await browser.newPage();
  await signIn(theirs, person);
  await signIn(page, admin);
  await page.goto(`/staff/admin/${person.id}`);
  await page.getByRole('button', { name: 'Reset authenticator' }).click();
  await expect(page.getByText('Authenticator reset.')).toBeVisible();
  await expect(page.getByText('we have emailed them a link')).toBeVisible();
  await theirs.goto('/staff');
  await expect(theirs).toHaveURL(/\/staff\/login$/);

  // The password alone no longer enrols a new authenticator.
  await passwordStep(theirs, person.email, person.password);
  await expect(theirs).toHaveURL(/\/staff\/login$/);
  await expect(theirs.getByRole('alert')).toContainText('Your authenticator app was reset. Use the link in the email');
  await expectAccessible(theirs);

  const path = await linkFromEmail(mailbox, person.email, /^Set up a new authenticator app/);
  const response = await theirs.goto(path);
  expect(response?.headers()['cache-control']).toBe('no-store');
  await expect(theirs.getByRole('heading', { level: 1 })).toHaveText('Set up a new authenticator app');
  await expectAccessible(theirs);
  await theirs.getByLabel('Password').fill('not the password');
  await theirs.getByRole('button', { name: 'Continue' }).click();
  await expect(theirs.getByRole('alert')).toContainText('The password is not correct');
  await theirs.getByLabel('Password').fill(person.password);
  await theirs.getByRole('button', { name: 'Continue' }).click();
  await expect(theirs).toHaveURL(/\/staff\/login\/enrol$/);
  const secret = (await theirs.locator('#totp-secret').getAttribute('data-secret'))!;
  expect(secret).not.toBe(person.totpSecret);
  await theirs.getByLabel('Security code').fill(await freshCode({ email: person.email, totpSecret: secret }));
  await theirs.getByRole('button', { name: 'Continue' }).click();
  await expect(theirs).toHaveURL(/\/staff\?enrolled=1$/);
  await expect(theirs.getByText('Your authenticator app is set up')).toBeVisible();
  expect((await theirs.goto(path))?.status()).toBe(404);
  await theirs.close();
});

test("the operator's reset command prints a one-time password reset link", async ({ page }) => {
  const person = await createStaff({ roles: ['reviewer'] });
  const result = staffCli(['reset', '--email', person.email]);
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).toContain('signed out everywhere');
  const link = LINK.exec(result.stdout)?.[0];
  expect(link).toBeDefined();
  await page.goto(new URL(link!).pathname);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choose a new password');
  await page.getByLabel('New password').fill(`operator ${Date.now()} passphrase`);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/staff\/login\?ended=password-reset$/);
  expect(staffCli(['reset', '--email', 'nobody-here@example.org']).status).toBe(1);
});
