/**
 * Friendlier fields on the no-reference path (issue 19, point 5), JavaScript off: "What did we
 * do?", a date with the month as a name and GOV.UK's specific date errors, and a post link typed
 * without https://.
 */
import { validateHtml } from '../support/vnu.ts';
import { expect, test } from './fixtures.ts';
import { continueButton, DAY, expectError, shot, submit, answerAboutYou } from './journey-helpers.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

test.describe('friendlier fields without a case reference', () => {
  test('a date with the month as a name, specific date errors, and a link without https://', async ({
    page,
    expectAccessible,
  }) => {
    await page.goto('/appeal/platform');
    await page.getByLabel('Facebook').check();
    await continueButton(page);

    // What did we do? Hidden, deleted, blocked, or not sure; none chosen is an error.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('What did we do?');
    await expect(page.getByRole('link', { name: 'Back', exact: true })).toHaveAttribute('href', '/appeal/platform');
    for (const label of [
      'You hid my post or comment',
      'You deleted my post or comment',
      'You blocked my account',
      'I’m not sure',
    ]) {
      await expect(page.getByLabel(label)).toBeVisible();
    }
    await expectAccessible(page);
    await shot(page, 'what-happened');
    const none = await submit(page, 'Continue');
    expect(none.status()).toBe(400);
    await expectError(page, 'action', 'Select what we did, or I’m not sure');
    await expectAccessible(page);
    await shot(page, 'what-happened-error');
    await page.getByLabel('You blocked my account').check();
    await continueButton(page);
    await page.getByLabel('What is your account name or handle?').fill(`@fields_${Date.now()}`);
    await continueButton(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Roughly when did it happen?');
    await expect(page.getByText('For example, 3 11 2026 or 3 Nov 2026.', { exact: false })).toBeVisible();
    await expect(page.getByLabel('Month')).toHaveAttribute('inputmode', 'text');

    // A missing month: the summary links to the month, only the month is marked, the rest kept.
    const day = new Date(Date.now() - 3 * DAY);
    await page.getByLabel('Day').fill(String(day.getUTCDate()));
    await page.getByLabel('Year').fill(String(day.getUTCFullYear()));
    const missing = await submit(page, 'Continue');
    expect(missing.status()).toBe(400);
    await expectError(page, 'post-date', 'Date must include a month');
    await expect(page.getByRole('alert').getByRole('link', { name: 'Date must include a month' })).toHaveAttribute(
      'href',
      '#post-date-month',
    );
    await expect(page.getByLabel('Month')).toHaveClass(/nhsuk-input--error/);
    await expect(page.getByLabel('Day')).not.toHaveClass(/nhsuk-input--error/);
    await expect(page.getByLabel('Day')).toHaveValue(String(day.getUTCDate()));
    await expectAccessible(page);
    await shot(page, 'post-date-missing-month');

    // A 2-number year.
    await page.getByLabel('Month').fill(MONTHS[day.getUTCMonth()]!);
    await page.getByLabel('Year').fill(String(day.getUTCFullYear()).slice(2));
    await continueButton(page);
    await expectError(page, 'post-date', 'Year must include 4 numbers');
    await expect(page.getByRole('alert').getByRole('link', { name: 'Year must include 4 numbers' })).toHaveAttribute(
      'href',
      '#post-date-year',
    );
    await expect(page.getByLabel('Month')).toHaveValue(MONTHS[day.getUTCMonth()]!);
    await expectAccessible(page);

    // "3 Nov 2026" is taken, and shown back as a date.
    await page.getByLabel('Year').fill(String(day.getUTCFullYear()));
    await continueButton(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Link to the post (optional)');

    // A link copied without https:// gets it.
    await page.getByLabel('Link to the post (optional)').fill('www.facebook.com/nsft/posts/123');
    await continueButton(page);
    await page.getByLabel('Why do you disagree with our decision?').fill('It was a fair question.');
    await continueButton(page);
    await page.getByLabel('Email address').fill(`fields.${Date.now()}@example.org`);
    await continueButton(page);
    await answerAboutYou(page);
    const row = (key: string) =>
      page.locator('.nhsuk-summary-list__row').filter({ has: page.getByRole('term').filter({ hasText: key }) });
    await expect(row('Link to the post')).toContainText('https://www.facebook.com/nsft/posts/123');
    await expect(row('What we did')).toContainText('You blocked my account');
    const longMonth = new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'UTC' }).format(day);
    await expect(row('Roughly when')).toContainText(`${day.getUTCDate()} ${longMonth} ${day.getUTCFullYear()}`);

    // Changing the date keeps the month as a number now: the same answer.
    await page.getByRole('link', { name: 'Change roughly when' }).click();
    await expect(page.getByLabel('Month')).toHaveValue(String(day.getUTCMonth() + 1));
  });

  test('what did we do, its error and the date errors are valid HTML (Nu Html Checker)', async ({
    request,
    baseURL,
  }) => {
    const headers = { Origin: baseURL! };
    const post = (path: string, form: Record<string, string>) => request.post(path, { headers, form });
    const question = await post('/appeal/platform', { platform: 'facebook' });
    expect(question.url()).toMatch(/\/appeal\/what-happened$/);
    const questionHtml = await question.text();
    const unanswered = await post('/appeal/what-happened', {});
    expect(unanswered.status()).toBe(400);
    const unansweredHtml = await unanswered.text();
    await post('/appeal/what-happened', { action: 'not-sure' });
    await post('/appeal/account', { handle: '@nu' });
    const missing = await post('/appeal/post-date', {
      'post-date-day': '3',
      'post-date-month': '',
      'post-date-year': '',
    });
    const year = await post('/appeal/post-date', {
      'post-date-day': '3',
      'post-date-month': 'Nov',
      'post-date-year': '26',
    });
    expect([missing.status(), year.status()]).toEqual([400, 400]);
    expect(await missing.text()).toContain('Date must include a month and year');
    expect(
      await validateHtml([
        { name: 'what did we do', html: questionHtml },
        { name: 'what did we do error', html: unansweredHtml },
        { name: 'date missing month and year', html: await missing.text() },
        { name: 'date year digits', html: await year.text() },
      ]),
    ).toEqual([]);
  });
});
