/**
 * The review queue with JavaScript off: every filter (status, assignee, overdue, due this week),
 * the counts per status, pagination; then on one appeal: a refused over-long note, a request for
 * information (email at the SMTP sink, the clock paused, the appellant answers on the status
 * page, review resumes with the due date moved), assignment to another reviewer, forged values
 * refused with 400, and "send" refusing anything but what was previewed.
 */
import type { Page } from '@playwright/test';
import { findAppealById, updateAppeal } from '../../db/appeals.ts';
import { addWorkingDays } from '../../src/lib/platform/calendar.ts';
import { formatDate } from '../../src/lib/platform/dates.ts';
import { insertTestAppeal } from '../support/appeals.ts';
import { expect, test } from './fixtures.ts';
import { DAY, expectError, submit, withDatabase } from './journey-helpers.ts';
import { createStaff, signInAs, signOut } from './staff-fixtures.ts';

const rows = (page: Page) => page.locator('table tbody tr');
const summary = (page: Page) => page.getByRole('status');

async function filter(
  page: Page,
  options: { status?: string; assignee?: string; due?: string; order?: string },
): Promise<void> {
  await page.getByLabel('Status').selectOption(options.status ?? '');
  await page.getByLabel('Assigned to').selectOption(options.assignee ?? 'anyone');
  await page.getByLabel('Due').selectOption(options.due ?? '');
  await page.getByLabel('Sort').selectOption(options.order ?? 'soonest');
  await page.getByRole('button', { name: 'Filter' }).click();
}

test('the queue filters by status, assignee and due date, counts per status and pages by 25', async ({
  page,
  expectAccessible,
}) => {
  test.setTimeout(180_000);
  const me = await createStaff({ roles: ['reviewer'], name: 'Quinn Queue' });
  const now = Date.now();
  const far = new Date(now + 30 * DAY);
  const seeded = await withDatabase((db) => {
    for (let i = 0; i < 26; i++) insertTestAppeal(db, { assignedTo: me.id, dueAt: far });
    const soon = insertTestAppeal(db, { assignedTo: me.id, dueAt: addWorkingDays(new Date(now), 2) });
    const late = [1, 2].map((d) =>
      insertTestAppeal(db, { assignedTo: me.id, status: 'in-review', dueAt: new Date(now - d * DAY) }),
    );
    const waiting = insertTestAppeal(db, { assignedTo: me.id, status: 'waiting', dueAt: new Date(now - DAY) });
    const decided = insertTestAppeal(db, { assignedTo: me.id, status: 'decided', dueAt: new Date(now - 40 * DAY) });
    const withdrawn = insertTestAppeal(db, { assignedTo: me.id, status: 'withdrawn', dueAt: new Date(now - 40 * DAY) });
    // Unassigned and due long ago: first in the unassigned list, whatever other tests left.
    const nobody = insertTestAppeal(db, {
      assignedTo: null,
      dueAt: new Date(now - 5000 * DAY),
      receivedAt: new Date(now - 5014 * DAY),
    });
    return { soon, late, waiting, decided, withdrawn, nobody };
  });

  await signInAs(page, me);
  await page.goto('/staff/appeals');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appeals');

  // Assigned to me: 32 appeals, counted per status, in two pages.
  await filter(page, { assignee: 'me' });
  await expect(page).toHaveURL(/assignee=me/);
  await expect(summary(page)).toHaveText('32 appeals');
  for (const [label, n] of [
    ['New', 27],
    ['In review', 2],
    ['Waiting for the appellant', 1],
    ['Decided', 1],
    ['Withdrawn', 1],
  ] as const) {
    await expect(page.getByRole('link', { name: `${label}: ${n}`, exact: true })).toBeVisible();
  }
  await expect(rows(page)).toHaveCount(25);
  // Soonest due first: decided and withdrawn (long past, not tagged), then the two overdue ones
  // (tagged), then the paused one (not tagged).
  await expect(rows(page).nth(0)).toContainText(seeded.decided.reference);
  await expect(rows(page).nth(0)).not.toContainText('Overdue');
  await expect(rows(page).nth(2)).toContainText('Overdue');
  await expect(rows(page).nth(3)).toContainText('Overdue');
  await expect(rows(page).nth(4)).toContainText(seeded.waiting.reference);
  await expect(rows(page).nth(4)).not.toContainText('Overdue');
  await expectAccessible(page);
  await page.getByRole('link', { name: /Next/ }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page).toHaveURL(/assignee=me/);
  await expect(rows(page)).toHaveCount(7);
  await expect(page.getByRole('link', { name: /Next/ })).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole('link', { name: /Previous/ }).click();
  await expect(rows(page)).toHaveCount(25);
  // Latest due first: the decided and withdrawn ones (due 40 days ago) come last, on page 2.
  await filter(page, { assignee: 'me', order: 'latest' });
  await expect(rows(page).first()).not.toContainText('Overdue');
  await expect(page.getByRole('link', { name: seeded.decided.reference })).toHaveCount(0);
  await page.getByRole('link', { name: /Next/ }).click();
  await expect(page).toHaveURL(/order=latest/);
  await expect(rows(page).last()).toContainText(seeded.decided.reference);
  await expect(rows(page).nth(-2)).toContainText(seeded.withdrawn.reference);
  await expectAccessible(page);

  // Each status, through the form and through the count links.
  const expected = { new: 27, 'in-review': 2, waiting: 1, decided: 1, withdrawn: 1 } as const;
  for (const [status, n] of Object.entries(expected)) {
    await filter(page, { assignee: 'me', status });
    await expect(summary(page)).toHaveText(n === 1 ? '1 appeal' : `${n} appeals`);
    await expect(rows(page)).toHaveCount(Math.min(n, 25));
  }
  await expect(rows(page).first()).toContainText(seeded.withdrawn.reference);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'In review: 2', exact: true }).click();
  await expect(page).toHaveURL(/status=in-review/);
  await expect(summary(page)).toHaveText('2 appeals');
  for (const a of seeded.late) await expect(page.getByRole('link', { name: a.reference })).toBeVisible();

  // Each filter says how many the list would show if chosen, keeping the others (here: in review,
  // assigned to me): both of mine in review are overdue.
  await expect(page.getByLabel('Assigned to').locator('option[value="me"]')).toHaveText('Me (2)');
  await expect(page.getByLabel('Due').locator('option[value="overdue"]')).toHaveText('Overdue (2)');
  await filter(page, { assignee: 'me' });
  await expect(page.getByLabel('Assigned to').locator('option[value="me"]')).toHaveText('Me (32)');
  // Overdue: only those whose clock runs (not the paused or finished ones past their date).
  await filter(page, { assignee: 'me', due: 'overdue' });
  await expect(summary(page)).toHaveText('2 appeals');
  await expect(page.getByRole('link', { name: 'In review: 2', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Waiting for the appellant: 0', exact: true })).toBeVisible();
  await expectAccessible(page);
  // Due this week: those two and the one due in two working days.
  await filter(page, { assignee: 'me', due: 'week' });
  await expect(summary(page)).toHaveText('3 appeals');
  await expect(page.getByRole('link', { name: seeded.soon.reference })).toBeVisible();
  await expect(page.getByRole('link', { name: seeded.waiting.reference })).toHaveCount(0);

  // Nobody: the unassigned one leads; none of mine are there.
  await filter(page, { assignee: 'unassigned' });
  await expect(rows(page).first()).toContainText(seeded.nobody.reference);
  await expect(rows(page).first()).toContainText('Nobody');
  await expect(page.getByRole('link', { name: seeded.soon.reference })).toHaveCount(0);
  await expectAccessible(page);
  // Anyone: mine are there too.
  await filter(page, { assignee: 'anyone', status: 'withdrawn' });
  await expect(page.getByRole('link', { name: seeded.withdrawn.reference })).toBeVisible();
});

test('request for information, the appellant answers, assignment, refused text and forged values, send only what was previewed', async ({
  page,
  browser,
  baseURL,
  mailbox,
  expectAccessible,
}) => {
  test.setTimeout(240_000);
  const reviewer = await createStaff({ roles: ['reviewer'], name: 'Reese Requester' });
  const colleague = await createStaff({ roles: ['reviewer'], name: 'Casey Colleague' });
  const moderatorOnly = await createStaff({ roles: ['moderator'], name: 'Mo Only' });
  const token = `tok${Date.now()}${'x'.repeat(24)}`;
  const email = `info.${Date.now()}@example.org`;
  const appeal = await withDatabase((db) =>
    insertTestAppeal(db, { email, statusToken: token, receivedAt: new Date(), dueAt: addWorkingDays(new Date(), 10) }),
  );
  const url = `/staff/appeals/${appeal.id}`;
  const row = (key: string) =>
    page
      .locator('.nhsuk-summary-list__row')
      .filter({ has: page.getByRole('term').filter({ hasText: new RegExp(`^${key}$`) }) })
      .getByRole('definition');

  await signInAs(page, reviewer);
  await page.goto(url);

  // An internal note over its limit is refused, not cut short, and kept.
  const longNote = `${'a'.repeat(4990)} ${'b'.repeat(20)}`;
  await page.getByLabel('Add an internal note').fill(longNote);
  expect((await submit(page, 'Add note')).status()).toBe(400);
  await expectError(page, 'note', 'Note must be 5,000 characters or fewer');
  await expect(page.getByLabel('Add an internal note')).toHaveValue(longNote);
  await expectAccessible(page);

  // Ask the appellant for more information.
  await page.getByRole('button', { name: 'Start review' }).click();
  await expect(row('Status')).toContainText('In review');
  const question = 'Which post do you mean? Please send us a link to it.';
  await page.getByLabel('Ask the appellant for more information').fill(question);
  expect((await submit(page, 'Send request')).status()).toBe(303);
  await expect(row('Status')).toContainText('Waiting for the appellant');
  await expect(row('Decision due')).toContainText('clock paused since');
  await expectAccessible(page);
  const [request] = await mailbox.waitFor({
    to: email,
    subject: `We need more information about your appeal ${appeal.reference}`,
  });
  expect(request!.text).toContain(question);
  expect(request!.text).not.toContain('Reese');

  // A week passes (5 working days) before the appellant answers on their status page.
  const before = await withDatabase((db) => {
    updateAppeal(db, appeal.id, { pausedAt: new Date(Date.now() - 7 * DAY) });
    return findAppealById(db, appeal.id)!.dueAt;
  });
  const appellant = await browser.newContext({ baseURL: baseURL!, javaScriptEnabled: false });
  try {
    const public_ = await appellant.newPage();
    await public_.goto(`/appeal/status/${token}`);
    await expect(public_.getByText(question).first()).toBeVisible();
    await public_.getByRole('link', { name: 'Add further information' }).click();
    await public_
      .getByLabel('What do you want to add to your appeal?')
      .fill('It was my post of 3 November on your Facebook page.');
    await public_.getByRole('button', { name: 'Add to my appeal' }).click();
    await expect(public_.getByText('It was my post of 3 November on your Facebook page.')).toBeVisible();
  } finally {
    await appellant.close();
  }
  const after = await withDatabase((db) => findAppealById(db, appeal.id)!);
  expect(after.status).toBe('in-review');
  expect(after.dueAt.getTime()).toBeGreaterThan(before.getTime());
  await page.reload();
  await expect(row('Status')).toContainText('In review');
  await expect(row('Decision due')).toHaveText(formatDate(after.dueAt));
  await expect(page.getByRole('cell', { name: /Appellant added information/ })).toBeVisible();

  // Assign to another reviewer.
  await page.getByLabel('Assign to another reviewer').selectOption({ label: colleague.name });
  await page.getByRole('button', { name: 'Assign', exact: true }).click();
  await expect(row('Assigned to')).toHaveText(colleague.name);
  await expect(page.getByRole('cell', { name: `Assigned (To ${colleague.name})` })).toBeVisible();
  await expectAccessible(page);

  // Forged values: a 400 page, never a 5xx, and nothing changes.
  const forge = (form: Record<string, string>) =>
    page.request.post(url, { form, headers: { Origin: new URL(baseURL!).origin }, maxRedirects: 0 });
  expect((await forge({ intent: 'assign', assignee: String(moderatorOnly.id) })).status()).toBe(400);
  expect((await forge({ intent: 'assign', assignee: '1 or 1=1' })).status()).toBe(400);
  expect((await forge({ intent: 'preview', outcome: 'banished', explanation: 'x', version: '1.0' })).status()).toBe(
    400,
  );
  expect((await forge({ intent: 'preview', outcome: 'upheld', explanation: 'x', version: '99.9' })).status()).toBe(400);
  expect(
    (
      await forge({ intent: 'send', outcome: 'upheld', explanation: 'x', version: '1.0', previewed: 'f'.repeat(64) })
    ).status(),
  ).toBe(400);
  expect(
    (await forge({ intent: 'send', outcome: 'upheld', explanation: 'x'.repeat(10_001), version: '1.0' })).status(),
  ).toBe(400);
  expect(await withDatabase((db) => findAppealById(db, appeal.id)!)).toMatchObject({
    status: 'in-review',
    assignedTo: colleague.id,
  });

  // Made without a case reference: deciding needs the case linked or "no matching case" recorded.
  await page.getByRole('button', { name: 'Record that no matching case was found' }).click();
  await expect(page.getByRole('cell', { name: 'No matching case found' })).toBeVisible();

  // Preview, then edit the reasons: sending refuses and shows the new preview to read first.
  await page.getByLabel('We have kept our decision', { exact: true }).check();
  await page.getByLabel('Reasons for the decision').fill('First reasons.');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('email-preview')).toContainText('First reasons.');
  await page.getByLabel('Reasons for the decision').fill('Second, better reasons.');
  expect((await submit(page, 'Send decision')).status()).toBe(400);
  await expect(page).toHaveTitle(/^Error: /);
  await expect(page.getByRole('alert')).toContainText('The decision email has changed since you previewed it');
  await expect(page.getByTestId('email-preview')).toContainText('Second, better reasons.');
  await expectAccessible(page);
  expect((await submit(page, 'Send decision')).status()).toBe(303);
  await expect(row('Status')).toContainText('Decided');
  const [decision] = await mailbox.waitFor({ to: email, subject: /decision/i });
  expect(decision!.text).toContain('Second, better reasons.');
  expect(decision!.text).not.toContain('First reasons.');
  await signOut(page);
});
