/**
 * The status page prints as a decision letter (issue 19, point 7): with print media emulated,
 * our name, the date, the references, the outcome, the reasons and the routes open to them are
 * on the page, and the site's header, footer, banners and buttons are not. With SCREENSHOTS_DIR
 * set, the printed PDF is kept there (to convert to an image and look at).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { findAppealByReference, updateAppeal } from '../../db/appeals.ts';
import { formatDate } from '../../src/lib/platform/dates.ts';
import { insertTestAppeal } from '../support/appeals.ts';
import { expect, test } from './fixtures.ts';
import { withDatabase } from './journey-helpers.ts';

test('the status page of a decided appeal prints as a letter', async ({ page, expectAccessible }) => {
  const token = randomBytes(24).toString('base64url');
  const { reference } = await withDatabase((db) => {
    const appeal = insertTestAppeal(db, { statusToken: token, handle: '@printed' });
    updateAppeal(db, findAppealByReference(db, appeal.reference)!.id, {
      status: 'decided',
      outcome: 'overturned',
      explanation: 'Your comment asked a fair question about visiting hours.\nWe have made it visible again.',
      decidedAt: new Date(),
      decisionVersionId: 1,
    });
    return appeal;
  });
  await page.goto(`/appeal/status/${token}`);
  const orgName = (await page.locator('.nhsuk-header__organisation-name').textContent())!.trim();
  const letterhead = page.locator('.app-letterhead');

  // On screen: the site as usual, the letterhead hidden, the routes readable.
  await expect(page.getByRole('banner')).toBeVisible();
  await expect(letterhead).toBeHidden();
  await expect(page.getByRole('heading', { name: 'What you can do next' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Parliamentary and Health Service Ombudsman' })).toHaveAttribute(
    'href',
    'https://www.ombudsman.org.uk/',
  );
  await expectAccessible(page);

  await page.emulateMedia({ media: 'print' });
  // Our name, the date and how to reach us head the letter.
  await expect(letterhead).toBeVisible();
  await expect(letterhead).toContainText(orgName);
  await expect(letterhead).toContainText(`Date: ${formatDate(new Date())}`);
  await expect(letterhead).toContainText('@');
  // The reference, the outcome, the reasons and the routes.
  await expect(page.getByRole('heading', { level: 1, name: 'Your appeal' })).toBeVisible();
  await expect(page.locator('.nhsuk-summary-list')).toContainText(reference);
  await expect(page.getByText('We have reversed our decision')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Our reasons' })).toBeVisible();
  await expect(
    page.getByText(/Your comment asked a fair question about visiting hours\.\s+We have made it visible again\./),
  ).toBeVisible();
  await expect(page.getByText(/This decision ends our appeal process/)).toBeVisible();
  await expect(page.getByText(/Parliamentary and Health Service Ombudsman to look at it/)).toBeVisible();
  // Paper cannot be clicked: the links print their full address.
  const printed = async (name: string) =>
    page.getByRole('link', { name }).evaluate((a) => getComputedStyle(a, '::after').content);
  expect(await printed('Parliamentary and Health Service Ombudsman')).toBe('" (https://www.ombudsman.org.uk/)"');
  expect(await printed('Read version 1.0 of our social media principles')).toMatch(
    /^" \(https?:\/\/[^/]+\/principles\/1\.0\)"$/,
  );
  expect(await printed('Complaints and PALS')).toMatch(/^" \(https:\/\//);
  // None of the site's chrome, nor what only works on screen.
  await expect(page.getByRole('banner')).toBeHidden();
  await expect(page.getByRole('contentinfo')).toBeHidden();
  await expect(page.getByTestId('phase-banner')).toBeHidden();
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeHidden();
  await expect(page.getByRole('heading', { name: 'History' })).toBeHidden();
  await expect(page.getByRole('link', { name: 'What did you think of this service?' })).toBeHidden();

  const dir = process.env.SCREENSHOTS_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    await page.pdf({ path: join(dir, 'decision-letter.pdf'), format: 'A4' });
  }
});

test('an open appeal prints without the forms to add information or withdraw', async ({ page }) => {
  const token = randomBytes(24).toString('base64url');
  await withDatabase((db) => insertTestAppeal(db, { statusToken: token }));
  await page.goto(`/appeal/status/${token}`);
  await expect(page.getByRole('link', { name: 'Withdraw your appeal' })).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.app-letterhead')).toBeVisible();
  await expect(page.getByRole('main').locator('.nhsuk-tag')).toHaveText('Received');
  await expect(page.getByRole('link', { name: 'Withdraw your appeal' })).toBeHidden();
  await expect(page.getByRole('link', { name: 'Add further information' })).toBeHidden();
});
