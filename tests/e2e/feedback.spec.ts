/**
 * Feedback on the service (issue 19 point 8), JavaScript off: linked from the status page (and the
 * confirmation page, in appeal-journey.spec.ts), the GOV.UK pattern of a 5-point rating and an
 * optional comment, no personal data asked, no cookie set, limited per client.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { tablesOf } from '../../db/dialect/index.ts';
import { insertTestAppeal } from '../support/appeals.ts';
import { validateHtml } from '../support/vnu.ts';
import { expect, test } from './fixtures.ts';
import { withDatabase } from './journey-helpers.ts';

test.describe('feedback', () => {
  test('from the status page: an error without a rating, then sent with nothing personal and no cookie', async ({
    page,
    context,
    expectAccessible,
  }) => {
    const token = randomBytes(24).toString('base64url');
    await withDatabase(async (db) => insertTestAppeal(db, { statusToken: token }));
    await page.goto(`/appeal/status/${token}`);
    await page.getByRole('link', { name: 'What did you think of this service?' }).click();
    await expect(page).toHaveURL(/\/feedback\?from=status$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Give feedback on this service');
    // No personal details asked for: one question and one optional comment.
    await expect(page.getByRole('textbox')).toHaveCount(1);
    await expect(page.getByRole('radio')).toHaveCount(5);
    await expect(page.getByText('Do not include personal or financial information')).toBeVisible();
    await expectAccessible(page);

    const comment = `Clear and quick ${Date.now()}`;
    await page.getByLabel('How could we improve this service? (optional)').fill(comment);
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await expect(page).toHaveTitle(/^Error: Give feedback/);
    await expect(
      page.getByRole('alert').getByRole('link', { name: 'Select how you feel about the service' }),
    ).toHaveAttribute('href', '#rating');
    await expect(page.locator('#rating-error')).toContainText('Select how you feel about the service');
    // What was typed is kept.
    await expect(page.getByLabel('How could we improve this service? (optional)')).toHaveValue(comment);
    await expectAccessible(page);

    await page.getByLabel('Satisfied', { exact: true }).check();
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await expect(page).toHaveURL(/\/feedback\/thank-you$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for your feedback');
    await expectAccessible(page);
    const [stored] = await withDatabase((db) => {
      const { serviceFeedback: f } = tablesOf(db);
      return db
        .select({ rating: f.rating, comment: f.comment, fromPage: f.fromPage })
        .from(f)
        .where(eq(f.comment, comment))
        .limit(1);
    });
    expect(stored).toEqual({ rating: 'satisfied', comment, fromPage: 'status' });
    // The status page set none either; feedback adds no cookie.
    expect((await context.cookies()).map((c) => c.name)).toEqual([]);
  });

  test('is limited per client with a 429 that keeps what was typed', async ({ page, request, baseURL }) => {
    let last = 0;
    for (let i = 0; i < 12 && last !== 429; i++) {
      last = (
        await request.post('/feedback', { form: { rating: 'neither' }, headers: { Origin: baseURL! }, maxRedirects: 0 })
      ).status();
    }
    expect(last).toBe(429);
    await page.goto('/feedback');
    await page.getByLabel('Very dissatisfied').check();
    await page.getByLabel('How could we improve this service? (optional)').fill('Kept after the limit');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await expect(page.locator('#rating-error')).toContainText(
      /too much feedback from your connection\. Wait (?:\d+ minutes?|1 hour) \(until (?:[\d:]+[ap]m|midday|midnight)\)/,
    );
    await expect(page.getByLabel('How could we improve this service? (optional)')).toHaveValue('Kept after the limit');
    await expect(page.getByLabel('Very dissatisfied')).toBeChecked();
  });

  test('the pages and their states pass the Nu Html Checker', async ({ request }) => {
    const documents = [];
    for (const path of ['/feedback', '/feedback?from=confirmation', '/feedback/thank-you'])
      documents.push({ name: path, html: await (await request.get(path)).text() });
    documents.push({
      name: 'POST /feedback (error)',
      html: await (
        await request.post('/feedback', {
          form: { comment: 'x' },
          headers: { Origin: new URL((await request.get('/')).url()).origin },
        })
      ).text(),
    });
    expect(await validateHtml(documents)).toEqual([]);
  });
});
