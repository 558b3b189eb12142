/**
 * Staff notifications and safeguarding with JavaScript off and the real SMTP sink: a sent appeal
 * emails the team (REVIEW_TEAM_EMAIL in playwright.config.ts), the appellant's added information
 * reaches the team and then, once assigned, the reviewer; `npm run digest` sends one digest
 * listing the overdue and due-soon appeals and a second run the same day sends nothing; a
 * reviewer and a moderator flag a safeguarding concern (errors, success banner, email to
 * SAFEGUARDING_EMAIL, banner), which the appellant never sees.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { findCaseByReference } from '../../db/cases.ts';
import { addWorkingDays } from '../../src/lib/platform/calendar.ts';
import { insertTestAppeal } from '../support/appeals.ts';
import { expect, test, type Mailbox } from './fixtures.ts';
import { continueButton, DAY, expectError, recordCase, shot, withDatabase, answerAboutYou } from './journey-helpers.ts';
import { createStaff, signInAs, signOut } from './staff-fixtures.ts';

// As set for the server in playwright.config.ts.
const TEAM = 'review-team@fair-hearing.test';
const SAFEGUARDING = 'safeguarding@fair-hearing.test';

/** Sends an appeal on `caseReference` through the public journey; returns its reference and status link. */
async function sendAppeal(
  page: Page,
  mailbox: Mailbox,
  caseReference: string,
  email: string,
): Promise<{ reference: string; statusPath: string }> {
  await page.goto(`/appeal?ref=${encodeURIComponent(caseReference)}`);
  await page.getByRole('button', { name: 'Start now' }).click();
  await continueButton(page);
  await continueButton(page);
  await page
    .getByLabel('Why do you disagree with our decision?')
    .fill('My words are private: I only asked about visiting hours.');
  await continueButton(page);
  await page.getByLabel('Email address').fill(email);
  await continueButton(page);
  await answerAboutYou(page);
  await page.getByRole('button', { name: 'Send appeal' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appeal sent');
  const reference = (await page.locator('#appeal-reference').textContent())!.trim();
  const [ack] = await mailbox.waitFor({ to: email, subject: `We have received your appeal ${reference}` });
  const statusPath = /https?:\/\/[^\s/]+(\/appeal\/status\/[A-Za-z0-9_-]{22,})/.exec(ack!.text)![1]!;
  return { reference, statusPath };
}

async function addInformation(page: Page, statusPath: string, text: string): Promise<void> {
  await page.goto(statusPath);
  await page.getByRole('link', { name: 'Add further information' }).click();
  await page.getByLabel('What do you want to add to your appeal?').fill(text);
  await page.getByRole('button', { name: 'Add to my appeal' }).click();
  await expect(page.getByText('We have added your information to your appeal')).toBeVisible();
}

test('the team hears of a new appeal, the reviewer of the reply, and safeguarding of a flag', async ({
  page,
  mailbox,
  expectAccessible,
}) => {
  test.setTimeout(240_000);
  const token = `${Date.now()}`;
  const moderator = await createStaff({ roles: ['moderator'], name: 'Nia Moderator' });
  const reviewer = await createStaff({ roles: ['reviewer'], name: 'Noor Reviewer' });
  const caseReference = await recordCase({
    actionAt: new Date(Date.now() - 2 * DAY),
    recordedBy: moderator.id,
    handle: `@notify_${token}`,
  });
  const email = `notify.${token}@example.org`;

  // 1. Appeal sent → one email to the team: reference, due date, staff link; nothing personal.
  const { reference, statusPath } = await sendAppeal(page, mailbox, caseReference, email);
  const [team, ...more] = await mailbox.waitFor({
    to: TEAM,
    subject: new RegExp(`^New appeal ${reference}, decision due \\d{1,2} \\w+ \\d{4}$`),
  });
  expect(more).toHaveLength(0);
  const appealUrl = /https?:\/\/[^\s]+\/staff\/appeals\/(\d+)/.exec(team!.text);
  expect(appealUrl, 'a link to the staff page').not.toBeNull();
  const appealPath = `/staff/appeals/${appealUrl![1]}`;
  expect(team!.html).toContain(`${appealPath}"`);
  for (const part of [team!.text, team!.html, team!.subject ?? '']) {
    expect(part).not.toContain(email);
    expect(part).not.toContain(`notify_${token}`);
    expect(part).not.toContain('visiting hours');
  }

  // 2. Information added while nobody is assigned → the team.
  await addInformation(page, statusPath, 'Here is the screenshot I mentioned.');
  await mailbox.waitFor({ to: TEAM, subject: `Appeal ${reference}: the appellant added information` });

  // 3. A reviewer takes it and asks a question; the answer → that reviewer, not the team.
  await signInAs(page, reviewer);
  await page.goto(appealPath);
  await page.getByRole('button', { name: 'Assign to me' }).click();
  await page.getByLabel('Ask the appellant for more information').fill('Which day was it?');
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.getByText('Waiting for the appellant', { exact: true })).toBeVisible();
  await addInformation(page, statusPath, 'It was a Tuesday.');
  const [toReviewer] = await mailbox.waitFor({
    to: reviewer.email,
    subject: `Appeal ${reference}: the appellant answered your request for information`,
  });
  expect(toReviewer!.text).toContain(appealPath);
  expect(toReviewer!.text).not.toContain('Tuesday');
  // This appeal's answer only (other specs' appeals, answered with nobody assigned, go to the team).
  expect(
    await mailbox.messages({
      to: TEAM,
      subject: `Appeal ${reference}: the appellant answered your request for information`,
    }),
  ).toHaveLength(0);

  // 4. The reviewer flags a safeguarding concern: an empty note is refused next to the field.
  await page.goto(appealPath);
  await page.getByRole('button', { name: 'Flag as a safeguarding concern' }).click();
  await expectError(page, 'safeguarding-note', 'Enter what you are concerned about');
  await expectAccessible(page);
  await shot(page, 'safeguarding-appeal-error');
  const note = `They say they feel unsafe at home (${token}).`;
  await page.getByLabel('Flag this appeal as a safeguarding concern').fill(note);
  await page.getByRole('button', { name: 'Flag as a safeguarding concern' }).click();
  await expect(page).toHaveURL(new RegExp(`${appealPath}\\?flagged=safeguarding$`));
  await expect(page.getByRole('alert')).toContainText(
    'Safeguarding concern recorded. We have emailed the safeguarding team.',
  );
  const banner = page.getByTestId('safeguarding-banner');
  await expect(banner).toContainText('Safeguarding concern');
  await expect(banner).toContainText(note);
  await expect(banner).toContainText('Noor Reviewer');
  await expectAccessible(page);
  await shot(page, 'safeguarding-appeal-flagged');
  const [flagged] = await mailbox.waitFor({ to: SAFEGUARDING, subject: `Safeguarding concern: appeal ${reference}` });
  expect(flagged!.text).toContain(note);
  expect(flagged!.text).toContain(appealPath);
  await page.goto(appealPath); // still there after a fresh GET, without the success banner
  await expect(page.getByTestId('safeguarding-banner')).toContainText(note);
  await expect(page.getByText('Safeguarding concern recorded.')).toHaveCount(0);
  await signOut(page);

  // 5. The moderator flags the case: banner on the case page, audited in its history.
  await signInAs(page, moderator);
  const caseId = await withDatabase(async (db) => (await findCaseByReference(db, caseReference))!.id);
  await page.goto(`/staff/cases/${caseId}`);
  await expect(page.getByTestId('safeguarding-banner')).toContainText(note); // the appeal's concern shows on its case
  await page.getByLabel('Flag this case as a safeguarding concern').fill('The original post threatened a named nurse.');
  await page.getByRole('button', { name: 'Flag as a safeguarding concern' }).click();
  await expect(page.getByRole('alert')).toContainText('Safeguarding concern recorded.');
  await expect(page.getByTestId('safeguarding-banner')).toContainText('The original post threatened a named nurse.');
  await expect(page.getByText('Flagged as a safeguarding concern by Nia Moderator')).toBeVisible();
  await expectAccessible(page);
  await mailbox.waitFor({ to: SAFEGUARDING, subject: `Safeguarding concern: moderation case ${caseReference}` });
  await signOut(page);

  // 6. Never shown to the appellant, never in their emails or the public figures.
  await page.goto(statusPath);
  await expect(page.getByText(/safeguard/i)).toHaveCount(0);
  for (const m of await mailbox.messages({ to: email }))
    expect(`${m.subject}\n${m.text}\n${m.html}`).not.toMatch(/safeguard|unsafe/i);
  const figures = await page.request.get('/transparency.json');
  expect(await figures.text()).not.toMatch(/safeguard/i);
});

test('npm run digest sends one digest listing due and overdue appeals; a second run sends nothing', async ({
  page,
  mailbox,
}) => {
  test.setTimeout(120_000);
  const now = Date.now();
  // Due long ago, so it leads the overdue list whatever other specs left in the shared database.
  const { overdue, dueSoon, fresh } = await withDatabase(async (db) => ({
    overdue: await insertTestAppeal(db, {
      status: 'in-review',
      receivedAt: new Date(now - 4000 * DAY),
      dueAt: new Date(now - 3990 * DAY),
      assignedTo: 1,
    }),
    dueSoon: await insertTestAppeal(db, {
      status: 'in-review',
      receivedAt: new Date(now - 10 * DAY),
      dueAt: new Date(now + 10 * 60_000),
      assignedTo: 1,
    }),
    // Due later than the 2-working-day window: not in "due soon".
    fresh: await insertTestAppeal(db, {
      status: 'in-review',
      receivedAt: new Date(now),
      dueAt: new Date(addWorkingDays(new Date(now), 3).getTime()),
      assignedTo: 1,
    }),
  }));
  const digest = () =>
    spawnSync('node_modules/.bin/tsx', ['scripts/digest.ts'], {
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR, PORT: process.env.E2E_PORT, REVIEW_TEAM_EMAIL: TEAM },
    });

  const first = digest();
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  expect(first.stdout).toMatch(/^Digest for \d{4}-\d{2}-\d{2} queued: 1 email\(s\) listing \d+ item\(s\)\.\n$/);
  const [d, ...others] = await mailbox.waitFor({ to: TEAM, subject: /^Appeals today, / });
  expect(others).toHaveLength(0);
  const section = (heading: RegExp) => {
    const start = d!.text.search(heading);
    expect(start, String(heading)).toBeGreaterThanOrEqual(0);
    return d!.text.slice(start, d!.text.indexOf('\n\n', start));
  };
  expect(section(/^Overdue \(\d+\)$/m)).toContain(overdue.reference);
  expect(section(/^Due within 2 working days \(\d+\)$/m)).toContain(dueSoon.reference);
  expect(d!.text).not.toContain(fresh.reference);
  expect(d!.html).toContain(`>${overdue.reference}</a>: was due`);
  expect(d!.html).toContain(`>${dueSoon.reference}</a>: due`);

  const second = digest();
  expect(second.status).toBe(0);
  expect(second.stdout).toMatch(/was already done today: nothing sent/);
  await new Promise((r) => setTimeout(r, 2_000)); // the worker polls every 200 ms
  expect(await mailbox.messages({ to: TEAM, subject: /^Appeals today, / })).toHaveLength(1);

  // To look at it: the digest as received, HTML and text, rendered by Chromium.
  const dir = process.env.SCREENSHOTS_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'digest-email.html'), d!.html);
    writeFileSync(join(dir, 'digest-email.txt'), d!.text);
    await page.setViewportSize({ width: 800, height: 600 });
    await page.setContent(d!.html);
    await page.screenshot({ path: join(dir, 'digest-email-html.png'), fullPage: true });
    await page.setContent(
      `<!DOCTYPE html><html lang="en"><title>Digest (text part)</title><pre style="font: 14px/1.4 monospace; white-space: pre-wrap">${d!.text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)}</pre></html>`,
    );
    await page.screenshot({ path: join(dir, 'digest-email-text.png'), fullPage: true });
  }
});
