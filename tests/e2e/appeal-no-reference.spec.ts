/**
 * The no-reference path's appeal window, a browser that refuses cookies, and staff linking a
 * no-reference appeal to its case (JavaScript off).
 */
import type { Page } from '@playwright/test';
import { and, count, eq } from 'drizzle-orm';
import { findAppealByReference } from '../../db/appeals.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { expect, test } from './fixtures.ts';
import {
  continueButton,
  DAY,
  expectError,
  recordCase,
  shot,
  submit,
  withDatabase,
  answerAboutYou,
} from './journey-helpers.ts';
import { createStaff, signInAs, signOut } from './staff-fixtures.ts';

let seq = 0;
const uniqueEmail = (label: string) => `${label}.${Date.now()}.${++seq}@example.org`;

async function fillDate(page: Page, date: Date): Promise<void> {
  await page.getByLabel('Day').fill(String(date.getUTCDate()));
  await page.getByLabel('Month').fill(String(date.getUTCMonth() + 1));
  await page.getByLabel('Year').fill(String(date.getUTCFullYear()));
}

/** Answers the no-reference questions up to the date. */
async function describePost(page: Page, handle: string): Promise<void> {
  await page.goto('/appeal/platform');
  await page.getByLabel('Facebook').check();
  await continueButton(page);
  await page.getByLabel('You deleted my post or comment').check();
  await continueButton(page);
  await page.getByLabel('What is your account name or handle?').fill(handle);
  await continueButton(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Roughly when did it happen?');
}

/** Sends a no-reference appeal and returns its appeal reference. */
async function sendNoReferenceAppeal(page: Page, handle: string, reason: string): Promise<string> {
  await describePost(page, handle);
  await fillDate(page, new Date(Date.now() - 3 * DAY));
  await continueButton(page);
  await continueButton(page); // no link
  await page.getByLabel('Why do you disagree with our decision?').fill(reason);
  await continueButton(page);
  await page.getByLabel('Email address').fill(uniqueEmail('link'));
  await continueButton(page);
  await answerAboutYou(page);
  await page.getByRole('button', { name: 'Send appeal' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appeal sent');
  return (await page.locator('#appeal-reference').textContent())!.trim();
}

test.describe('no case reference: the appeal window', () => {
  test('a date outside the window is explained with the complaints route; a future date is an error next to the field', async ({
    page,
    expectAccessible,
  }) => {
    await describePost(page, `@window_${Date.now()}`);

    // Tomorrow: an error next to the field, the date kept.
    const tomorrow = new Date(Date.now() + 1.5 * DAY);
    await fillDate(page, tomorrow);
    const future = await submit(page, 'Continue');
    expect(future.status()).toBe(400);
    await expectError(page, 'post-date', 'The date must be today or in the past');
    await expect(page.getByLabel('Day')).toHaveValue(String(tomorrow.getUTCDate()));
    await expectAccessible(page);
    await shot(page, '22-post-date-future');

    // Eight months ago: too late, explained, with the complaints route.
    const old = new Date(Date.now() - 240 * DAY);
    await fillDate(page, old);
    await continueButton(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      'It is too late to ask us to look again at this decision',
    );
    await expect(
      page.getByText(/You can ask us to look again within 6 months of our decision\. You told us it happened on/),
    ).toBeVisible();
    await expect(page.getByRole('link', { name: 'make a complaint' })).toHaveAttribute('href', /^https:\/\//);
    await expectAccessible(page);
    await shot(page, '24-too-late-no-reference');

    // The later steps cannot be reached with that date.
    await page.goto('/appeal/reason');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Roughly when did it happen?');

    // Back from the explanation keeps the date typed; a date inside the window carries on.
    await page.goto('/appeal/too-late');
    await page.getByRole('link', { name: 'Back', exact: true }).click();
    await expect(page.getByLabel('Year')).toHaveValue(String(old.getUTCFullYear()));
    await expect(page.getByLabel('Day')).toHaveValue(String(old.getUTCDate()));
    await fillDate(page, new Date(Date.now() - 30 * DAY));
    await continueButton(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Link to the post (optional)');
  });
});

test.describe('a browser that refuses cookies', () => {
  test('is told why the form needs its one cookie, and the other ways to appeal', async ({
    browser,
    baseURL,
    expectAccessible,
  }) => {
    const context = await browser.newContext({ baseURL: baseURL!, javaScriptEnabled: false });
    const page = await context.newPage();
    // Like a browser set to block cookies: each request goes to the server outside the browser
    // (so no cookie jar ever sees it), and every Set-Cookie header is dropped on the way back.
    await page.route('**/*', async (route) => {
      const request = route.request();
      const headers = Object.fromEntries(
        Object.entries(request.headers()).filter(
          ([name]) => !['host', 'connection', 'content-length', 'cookie'].includes(name),
        ),
      );
      const body = request.postDataBuffer();
      const response = await fetch(request.url(), {
        method: request.method(),
        headers,
        body: body ? new Uint8Array(body) : null,
        redirect: 'manual',
      });
      const back = Object.fromEntries(
        [...response.headers].filter(
          ([name]) => name !== 'set-cookie' && name !== 'content-encoding' && name !== 'content-length',
        ),
      );
      await route.fulfill({ status: response.status, headers: back, body: Buffer.from(await response.arrayBuffer()) });
    });
    try {
      const reference = await recordCase();
      await page.goto('/appeal/case-reference');
      await page.getByLabel('Case reference').fill(reference);
      await continueButton(page);
      await expect(page).toHaveURL(/\/appeal\/cookies$/);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Turn on cookies to use this form');
      await expect(page.getByText('It is strictly necessary for the form to work')).toBeVisible();
      await expect(page.getByText(/does not track you/)).toBeVisible();
      await expect(page.getByRole('link', { name: /@/ }).first()).toHaveAttribute('href', /^mailto:/);
      await expect(page.getByRole('link', { name: 'make a complaint' })).toBeVisible();
      await expectAccessible(page);
      await shot(page, '30-cookies-needed');

      // The same on the no-reference path.
      await page.goto('/appeal/platform');
      await page.getByLabel('Facebook').check();
      await continueButton(page);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Turn on cookies to use this form');
      expect(await context.cookies()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('a browser that keeps the cookie never sees the check in its address bar', async ({ page }) => {
    await page.goto('/appeal/platform');
    await page.getByLabel('Facebook').check();
    await continueButton(page);
    await expect(page).toHaveURL(/\/appeal\/what-happened$/);
    await page.getByLabel('I’m not sure').check();
    await continueButton(page);
    await expect(page).toHaveURL(/\/appeal\/account$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('What is your account name or handle?');
  });
});

test.describe('staff link a no-reference appeal to its case', () => {
  test('checks the reference, refuses a case with an open appeal, then shows the case and applies the recorded-by rule', async ({
    page,
    expectAccessible,
  }) => {
    test.setTimeout(180_000);
    const moderator = await createStaff({ roles: ['moderator', 'reviewer'], name: 'Linda Linker-Moderator' });
    const reviewer = await createStaff({ roles: ['reviewer'], name: 'Rob Reviewer' });
    const handle = `@linkme_${Date.now()}`;
    const caseReference = await recordCase({
      handle,
      recordedBy: moderator.id,
      actions: ['deleted'],
      groundCodes: ['abusive'],
      statementOfReasons: 'Abusive words about a nurse.',
    });
    const busyCase = await recordCase({ recordedBy: moderator.id });
    const appealReference = await sendNoReferenceAppeal(page, handle, 'I was only asking a question.');
    // Someone else's appeal already open on the busy case.
    await page.context().clearCookies();
    await page.goto('/appeal/case-reference');
    await page.getByLabel('Case reference').fill(busyCase);
    await continueButton(page);
    await continueButton(page);
    await page.getByLabel('Why do you disagree with our decision?').fill('Another appeal.');
    await continueButton(page);
    await page.getByLabel('Email address').fill(uniqueEmail('busy'));
    await continueButton(page);
    await answerAboutYou(page);
    await page.getByRole('button', { name: 'Send appeal' }).click();
    const busyAppeal = (await page.locator('#appeal-reference').textContent())!.trim();
    await page.context().clearCookies();

    const appealId = await withDatabase(async (db) => (await findAppealByReference(db, appealReference))!.id);
    await signInAs(page, reviewer);
    await page.goto(`/staff/appeals/${appealId}`);
    await expect(page.getByText('The appellant did not give a case reference.')).toBeVisible();
    await expect(page.getByRole('term').filter({ hasText: 'Account name' }).locator('..')).toContainText(handle);
    // What they told us we did, for finding the case.
    await expect(page.getByRole('term').filter({ hasText: 'What they say we did' }).locator('..')).toContainText(
      'Deleted their post or comment',
    );
    // Not linked yet: the page says, before anything is written, that it must be linked or marked first.
    await expect(page.getByTestId('decision-rule')).toContainText(
      'Before this appeal can be decided, link it to its case or record that no matching case was found.',
    );
    await expectAccessible(page);

    const field = page.getByLabel('Case reference');
    const link = () => submit(page, 'Link to this case');
    // A typo: caught by the check character.
    const typo = (caseReference[0] === '7' ? '8' : '7') + caseReference.slice(1);
    await field.fill(typo);
    expect((await link()).status()).toBe(400);
    await expectError(page, 'case-reference', 'Check the case reference: one of the characters looks mistyped');
    await expect(field).toHaveValue(typo);
    await expectAccessible(page);
    // The appeal's own reference, not a case's.
    await field.fill(appealReference);
    expect((await link()).status()).toBe(400);
    await expectError(
      page,
      'case-reference',
      'That is an appeal reference. Enter the reference of the moderation case',
    );
    // A case that already has an open appeal.
    await field.fill(busyCase);
    expect((await link()).status()).toBe(400);
    await expectError(page, 'case-reference', `Case ${busyCase} already has an open appeal (${busyAppeal})`);
    await expect(field).toHaveValue(busyCase);
    await expectAccessible(page);

    // The right case, typed loosely.
    await field.fill(caseReference.toLowerCase().replace(/-/g, ' '));
    const linked = await link();
    expect(linked.status()).toBe(303);
    await expect(page).toHaveURL(new RegExp(`/staff/appeals/${appealId}$`));
    await expect(page.getByRole('link', { name: caseReference })).toBeVisible();
    await expect(page.getByText('abusive: ')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Version 1.0' })).toHaveAttribute('href', '/principles/1.0');
    await expect(page.getByText('Abusive words about a nurse.')).toBeVisible();
    await expect(page.getByRole('cell', { name: `Linked to a case (case ${caseReference})` })).toBeVisible();
    await expect(page.getByLabel('Case reference')).toHaveCount(0);
    // Linked to a case someone else recorded: nothing stops this reviewer, so no notice.
    await expect(page.getByTestId('decision-rule')).toHaveCount(0);
    await expectAccessible(page);

    // The moderator who recorded that case may no longer decide the appeal.
    await signOut(page);
    await signInAs(page, moderator);
    await page.goto(`/staff/appeals/${appealId}`);
    // The rule is at the top of the page for the person it binds, before they write any reasons.
    await expect(page.getByTestId('decision-rule')).toHaveText(
      new RegExp(
        `You recorded case ${caseReference}, so you cannot decide this appeal. Ask another reviewer to decide it.`,
      ),
    );
    await expectAccessible(page);
    await page.getByLabel('We have reversed our decision', { exact: true }).check();
    await page.getByLabel('Reasons for the decision').fill('Deciding my own case.');
    expect((await submit(page, 'Preview')).status()).toBe(400);
    await expect(page.getByRole('alert')).toContainText('You recorded this case, so you cannot decide the appeal');
  });
});

test.describe('staff decide a no-reference appeal when no case matches', () => {
  test('deciding needs an explicit, audited "no matching case found"; the moderator of a linked case is told at the top', async ({
    page,
    expectAccessible,
  }) => {
    test.setTimeout(180_000);
    const reviewer = await createStaff({ roles: ['reviewer'], name: 'Nora No-Match' });
    const handle = `@nomatch_${Date.now()}`;
    const appealReference = await sendNoReferenceAppeal(page, handle, 'Nobody can find my post.');
    await page.context().clearCookies();
    const appealId = await withDatabase(async (db) => (await findAppealByReference(db, appealReference))!.id);

    await signInAs(page, reviewer);
    await page.goto(`/staff/appeals/${appealId}`);
    await expect(page.getByTestId('decision-rule')).toContainText(
      'Before this appeal can be decided, link it to its case or record that no matching case was found.',
    );
    // Trying to decide first: refused, with the reason at the top, and what was typed kept.
    await page.getByLabel('We have kept our decision', { exact: true }).check();
    await page.getByLabel('Reasons for the decision').fill('No case matches, and the rules were applied.');
    expect((await submit(page, 'Preview')).status()).toBe(400);
    await expect(page).toHaveTitle(/^Error: /);
    await expect(page.getByRole('alert')).toContainText(
      'Link this appeal to its case, or record that no matching case was found, before you decide it',
    );
    await expect(page.getByLabel('Reasons for the decision')).toHaveValue(
      'No case matches, and the rules were applied.',
    );
    await expect(page.getByRole('button', { name: 'Send decision' })).toHaveCount(0);
    await expectAccessible(page);

    // The explicit record: in the history under the reviewer's name, and in the audit log.
    expect((await submit(page, 'Record that no matching case was found')).status()).toBe(303);
    await expect(page.getByRole('cell', { name: 'No matching case found' })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: 'No matching case found' })).toContainText('Nora No-Match');
    await expect(page.getByTestId('decision-rule')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Record that no matching case was found' })).toHaveCount(0);
    await expect(page.getByText('Staff looked and recorded that no matching case was found')).toBeVisible();
    expect(
      await withDatabase((db) => {
        const { auditLog } = tablesOf(db);
        return db
          .select({ n: count() })
          .from(auditLog)
          .where(and(eq(auditLog.action, 'appeal.no-matching-case'), eq(auditLog.entityId, String(appealId))));
      }),
    ).toEqual([{ n: 1 }]);
    await expectAccessible(page);

    // Now it can be decided: preview, then send.
    await page.getByLabel('We have kept our decision', { exact: true }).check();
    await page.getByLabel('Reasons for the decision').fill('No case matches, and the rules were applied.');
    expect((await submit(page, 'Preview')).status()).toBe(200);
    await expect(page.getByTestId('email-preview')).toContainText('No case matches, and the rules were applied.');
    expect((await submit(page, 'Send decision')).status()).toBe(303);
    await expect(page.getByRole('cell', { name: /^Decided/ })).toBeVisible();
  });
});
