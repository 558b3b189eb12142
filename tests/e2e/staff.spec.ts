/**
 * Staff accounts end to end (issue 4): first-run admin, sign-in with TOTP, refusals with clear
 * messages, roles, the /staff/ guard, cross-site posts, admin pages and the audit log.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { closeDatabase } from '../../db/open.ts';
import { expect, test } from './fixtures.ts';
import {
  createStaff,
  freshCode,
  markCodeUsed,
  openTestDatabase,
  passwordStep,
  signIn,
  signOut,
  staffCli,
  wrongCode,
} from './staff-fixtures.ts';

/** Moves the times of an account's signed-in sessions; returns how many sessions it changed. */
async function updateSignedInSession(
  db: Db,
  staffId: number,
  times: { lastSeenAt?: Date; startedAt?: Date },
): Promise<number> {
  const { staffSessions } = tablesOf(db);
  const changed = await db
    .update(staffSessions)
    .set(times)
    .where(and(eq(staffSessions.staffId, staffId), eq(staffSessions.stage, 'signed-in')))
    .returning({ idHash: staffSessions.idHash });
  return changed.length;
}

test('a wrong password and an unknown email get the same message', async ({ page, expectAccessible }) => {
  const account = await createStaff({ roles: ['moderator'] });
  await passwordStep(page, account.email, 'not the right password');
  expect(page.url()).toMatch(/\/staff\/login$/);
  await expect(page).toHaveTitle(/^Error: Sign in/);
  const message = 'The email address or password is not correct';
  await expect(page.getByRole('alert')).toContainText(message);
  await expect(page.getByLabel('Email address')).toHaveValue(account.email);
  await expectAccessible(page);

  await passwordStep(page, `nobody-${Date.now()}@example.org`, account.password);
  await expect(page.getByRole('alert')).toHaveText(new RegExp(`There is a problem\\s*${message}`));
});

test('a wrong security code and a reused one are refused', async ({ page, expectAccessible }) => {
  const account = await createStaff({ roles: ['reviewer'] });
  await passwordStep(page, account.email, account.password);
  await page.getByLabel('Security code').fill(wrongCode(account.totpSecret));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveTitle(/^Error: /);
  await expect(page.getByRole('alert')).toContainText('The security code is not correct');
  await expectAccessible(page);

  const code = await freshCode(account);
  await page.getByLabel('Security code').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Staff home' })).toBeVisible();
  await signOut(page);

  // Someone who saw the code tries it again straight away.
  await passwordStep(page, account.email, account.password);
  await page.getByLabel('Security code').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('This security code has already been used');
  await expect(page).toHaveURL(/\/staff\/login\/code$/);
  await expectAccessible(page);
  markCodeUsed(account);
});

test('a session that has been idle for 30 minutes has ended', async ({ page, expectAccessible }) => {
  const account = await createStaff({ roles: ['moderator'] });
  await signIn(page, account);
  const db = await openTestDatabase();
  try {
    const changed = await updateSignedInSession(db, account.id, { lastSeenAt: new Date(Date.now() - 31 * 60_000) });
    expect(changed).toBe(1);
  } finally {
    await closeDatabase(db);
  }
  await page.goto('/staff');
  await expect(page).toHaveURL(/\/staff\/login\?ended=idle$/);
  await expect(
    page.getByText('You were signed out because you had not used the staff pages for 30 minutes'),
  ).toBeVisible();
  await expectAccessible(page);
  // The cookie no longer opens anything.
  const again = await page.request.get('/staff', { maxRedirects: 0 });
  expect(again.status()).toBe(303);
});

test('a session older than 12 hours has ended', async ({ page }) => {
  const account = await createStaff({ roles: ['moderator'] });
  await signIn(page, account);
  const db = await openTestDatabase();
  try {
    await updateSignedInSession(db, account.id, { startedAt: new Date(Date.now() - 12 * 3600_000 - 1000) });
  } finally {
    await closeDatabase(db);
  }
  await page.goto('/staff');
  await expect(page.getByText('You were signed out because you signed in more than 12 hours ago')).toBeVisible();
});

test('a disabled account cannot sign in, and is signed out at once', async ({ page, browser, expectAccessible }) => {
  const account = await createStaff({ roles: ['moderator'] });
  await signIn(page, account);
  const result = staffCli(['disable', '--email', account.email]);
  expect(result.status).toBe(0);
  const response = await page.goto('/staff');
  await expect(page).toHaveURL(/\/staff\/login$/);
  expect(response?.status()).toBe(200);

  const other = await browser.newPage();
  await passwordStep(other, account.email, account.password);
  await expect(other.getByRole('alert')).toContainText('This account has been disabled');
  await expect(other).toHaveURL(/\/staff\/login$/);
  await expectAccessible(other);
  await other.close();
});

test('a moderator gets 403 on admin pages and sees only their own areas', async ({ page, expectAccessible }) => {
  const account = await createStaff({ roles: ['moderator'] });
  await signIn(page, account);
  await expect(page.getByRole('link', { name: 'Moderation cases' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Staff accounts' })).toHaveCount(0);
  await expectAccessible(page);
  for (const path of ['/staff/admin', '/staff/admin/invite', '/staff/admin/1', '/staff/audit', '/staff/outbox']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You do not have access to this page');
  }
  await expectAccessible(page);
  const post = await page.request.post('/staff/admin/invite', {
    form: { name: 'Sneaky', email: `sneaky-${Date.now()}@example.org`, roles: 'admin' },
    headers: { Origin: new URL(page.url()).origin },
    maxRedirects: 0,
  });
  expect(post.status()).toBe(403);
});

test('no /staff/ URL answers 200 to someone not signed in', async ({ request }) => {
  const urls = [
    '/staff',
    '/staff/',
    '/staff/admin',
    '/staff/admin/',
    '/staff/admin/invite',
    '/staff/admin/1',
    '/staff/audit',
    '/staff/audit?action=staff.created',
    '/staff/outbox',
    '/staff/login/code',
    '/staff/login/enrol',
    '/staff/sign-out',
    '/staff/cases',
    '/staff/appeals',
    '/staff/principles',
    '/staff/anything-else',
    '/STAFF/ADMIN',
    '/staff//admin',
  ];
  for (const url of urls) {
    for (const method of ['GET', 'POST'] as const) {
      const response = await request.fetch(url, {
        method,
        maxRedirects: 0,
        headers: method === 'POST' ? { Origin: `http://127.0.0.1:${process.env.E2E_PORT}` } : {},
      });
      expect(response.status(), `${method} ${url}`).not.toBe(200);
      expect([303, 403, 404], `${method} ${url}`).toContain(response.status());
      if (response.status() === 303)
        expect(response.headers()['location'], `${method} ${url}`).toMatch(/^\/staff\/login/);
    }
  }
});

test('an admin invites a member of staff, who sets up their account; roles, MFA reset, disable and the audit log', async ({
  page,
  browser,
  mailbox,
  expectAccessible,
}) => {
  // Several sign-ins, each of which may wait for the next 30-second TOTP step.
  test.setTimeout(240_000);
  const admin = await createStaff({ roles: ['admin'] });
  await signIn(page, admin);
  await page.getByRole('link', { name: 'Staff accounts' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Staff accounts');
  await expect(page.getByRole('table')).toContainText(admin.email);
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Invite a member of staff' }).click();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter their full name');
  await expect(page.getByRole('alert')).toContainText('Select at least one role');
  await expectAccessible(page);
  const email = `invited-${Date.now()}@example.org`;
  await page.getByLabel('Full name').fill('Ivy Invited');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Moderator').check();
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Invitation sent');
  const link = (await page.locator('#invite-link').textContent())!.trim();
  await expectAccessible(page);
  const [mail] = await mailbox.waitFor({ to: email });
  expect(mail!.text).toContain(link);

  // The invited person sets a password and enrols.
  const ivy = await browser.newPage();
  await ivy.goto(new URL(link).pathname);
  await expect(ivy.getByRole('heading', { level: 1 })).toHaveText('Set up your staff account');
  await expectAccessible(ivy);
  const ivyAccount = { email, password: 'ivy picks a decent passphrase', totpSecret: '' };
  await ivy.getByLabel('Password').fill(ivyAccount.password);
  await ivy.getByRole('button', { name: 'Continue' }).click();
  ivyAccount.totpSecret = (await ivy.locator('#totp-secret').getAttribute('data-secret'))!;
  await ivy.getByLabel('Security code').fill(await freshCode(ivyAccount));
  await ivy.getByRole('button', { name: 'Continue' }).click();
  await expect(ivy.getByRole('heading', { level: 1, name: 'Staff home' })).toBeVisible();
  await expect(ivy.getByRole('link', { name: 'Moderation cases' })).toBeVisible();

  // The admin gives Ivy the reviewer role too.
  await page.goto('/staff/admin');
  await page.getByRole('link', { name: 'Change Ivy Invited' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ivy Invited');
  await expectAccessible(page);
  await page.getByLabel('Reviewer').check();
  await page.getByRole('button', { name: 'Save roles' }).click();
  await expect(page.getByText('Roles changed.')).toBeVisible();
  await expectAccessible(page);
  await ivy.goto('/staff');
  await expect(ivy.getByRole('link', { name: 'Appeals', exact: true })).toBeVisible();

  // Removing every role is refused with a message.
  await page.getByLabel('Moderator').uncheck();
  await page.getByLabel('Reviewer').uncheck();
  await page.getByRole('button', { name: 'Save roles' }).click();
  await expect(page.getByRole('alert')).toContainText('Select at least one role');
  await expectAccessible(page);

  // Reset MFA: Ivy is signed out and must enrol again, through the emailed link and her password
  // (issue 17.3: until c0ab3f9 the password alone led to enrolment).
  await page.getByRole('button', { name: 'Reset authenticator' }).click();
  await expect(page.getByText('Authenticator reset.')).toBeVisible();
  await ivy.goto('/staff');
  await expect(ivy).toHaveURL(/\/staff\/login$/);
  await passwordStep(ivy, email, ivyAccount.password);
  await expect(ivy.getByRole('alert')).toContainText('Your authenticator app was reset');
  const [enrolMail] = await mailbox.waitFor({ to: email, subject: /^Set up a new authenticator app/ });
  await ivy.goto(new URL(/https?:\/\/\S+\/setup\/[A-Za-z0-9_-]{43}/.exec(enrolMail!.text)![0]).pathname);
  await ivy.getByLabel('Password').fill(ivyAccount.password);
  await ivy.getByRole('button', { name: 'Continue' }).click();
  await expect(ivy).toHaveURL(/\/staff\/login\/enrol$/);
  const newSecret = (await ivy.locator('#totp-secret').getAttribute('data-secret'))!;
  expect(newSecret).not.toBe(ivyAccount.totpSecret);

  // Disable.
  await page.getByRole('button', { name: 'Disable account' }).click();
  await expect(page.getByText('Account disabled.')).toBeVisible();
  await expectAccessible(page);
  await ivy.close();

  // The audit log shows each action, filterable.
  await page.goto('/staff/audit');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  await expectAccessible(page);
  await page.getByLabel('Done by').selectOption({ label: `${admin.name} (${admin.email})` });
  await page.getByRole('button', { name: 'Filter' }).click();
  const table = page.getByRole('table');
  // In words, as staff read them (src/lib/platform/labels.ts), never the codes.
  for (const action of [
    'Staff member invited',
    'Roles changed',
    'Authenticator app reset',
    'Staff account disabled',
    'Signed in',
  ])
    await expect(table).toContainText(action);
  await expect(table).not.toContainText('staff.invited');
  await expect(table).not.toContainText('First admin account created');
  await expectAccessible(page);
  await page.getByLabel('What happened').selectOption('staff.roles-changed');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('table').getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('table')).toContainText('to moderator, reviewer.');
});

test('cross-site form posts to staff pages are refused', async ({ page }) => {
  const admin = await createStaff({ roles: ['admin'] });
  await signIn(page, admin);
  const email = `cross-site-${Date.now()}@example.org`;
  const forged = await page.request.post('/staff/admin/invite', {
    form: { name: 'Forged', email, roles: 'admin' },
    headers: { Origin: 'https://evil.example' },
    maxRedirects: 0,
  });
  expect(forged.status()).toBe(403);
  expect(await forged.text()).toContain('You cannot do that');
  const login = await page.request.post('/staff/login', {
    form: { email: admin.email, password: admin.password },
    headers: { Origin: 'https://evil.example' },
    maxRedirects: 0,
  });
  expect(login.status()).toBe(403);
  const signOutForged = await page.request.post('/staff/sign-out', {
    headers: { Origin: 'https://evil.example' },
    maxRedirects: 0,
  });
  expect(signOutForged.status()).toBe(403);
  expect(staffCli(['list']).stdout).not.toContain(email);
  // Still signed in.
  await page.goto('/staff');
  await expect(page.getByRole('heading', { level: 1, name: 'Staff home' })).toBeVisible();
});

test('the session cookie is HttpOnly and SameSite=Lax, and changes at sign-in', async ({ page }) => {
  const account = await createStaff({ roles: ['reviewer'] });
  await passwordStep(page, account.email, account.password);
  const pending = (await page.context().cookies()).find((c) => c.name === 'fh_staff_session')!;
  expect(pending).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  await page.getByLabel('Security code').fill(await freshCode(account));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Staff home' })).toBeVisible();
  const signedIn = (await page.context().cookies()).find((c) => c.name === 'fh_staff_session')!;
  expect(signedIn.value).not.toBe(pending.value);
  expect(signedIn).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
});

test('staff pages are valid HTML (Nu Html Checker), including the enrolment page with its SVG', async ({
  page,
  browser,
  request,
  mailbox,
}) => {
  const admin = await createStaff({ roles: ['admin'] });
  const other = await createStaff({ roles: ['moderator'] });
  await signIn(page, admin);
  const documents: { name: string; html: string }[] = [];
  for (const path of [
    '/staff',
    '/staff/admin',
    '/staff/admin/invite',
    `/staff/admin/${other.id}`,
    '/staff/audit',
    '/staff/outbox',
    '/staff/account',
  ]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    documents.push({ name: path, html: await page.content() });
  }
  // Reset the other account's authenticator so its next sign-in shows the enrolment page.
  await page.goto(`/staff/admin/${other.id}`);
  await page.getByRole('button', { name: 'Reset authenticator' }).click();
  await expect(page.getByText('Authenticator reset.')).toBeVisible();
  documents.push({ name: '/staff/login', html: await (await request.get('/staff/login')).text() });
  const enrolPage = await browser.newPage();
  // After a reset the emailed link (with the password) leads to enrolment.
  const [enrolMail] = await mailbox.waitFor({ to: other.email, subject: /^Set up a new authenticator app/ });
  const enrolLink = new URL(/https?:\/\/\S+\/setup\/[A-Za-z0-9_-]{43}/.exec(enrolMail!.text)![0]).pathname;
  await enrolPage.goto(enrolLink);
  documents.push({ name: '/setup/<new authenticator link>', html: await enrolPage.content() });
  await enrolPage.getByLabel('Password').fill(other.password);
  await enrolPage.getByRole('button', { name: 'Continue' }).click();
  await expect(enrolPage).toHaveURL(/\/staff\/login\/enrol$/);
  documents.push({ name: '/staff/login/enrol', html: await enrolPage.content() });
  await enrolPage.close();
  const { validateHtml } = await import('../support/vnu.ts');
  expect(await validateHtml(documents)).toEqual([]);
});
