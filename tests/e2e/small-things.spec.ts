/**
 * Small things a public service needs (issue 19 point 11), JavaScript off: robots.txt, a
 * favicon, a phase banner with a feedback link, GOV.UK times, and a 429 page that says the
 * answers are kept and when to try again.
 */
import { validateHtml } from '../support/vnu.ts';
import { expect, test } from './fixtures.ts';

const GOVUK_TIME = '(?:\\d{1,2}(?::\\d{2})?[ap]m|midday|midnight)';

test.describe('small things', () => {
  test('/robots.txt keeps crawlers out of status links, setup and the staff area', async ({ request }) => {
    const response = await request.get('/robots.txt');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('text/plain');
    const lines = (await response.text()).split('\n').map((l) => l.trim());
    expect(lines).toContain('User-agent: *');
    for (const path of ['/appeal/status/', '/setup/', '/staff/']) expect(lines).toContain(`Disallow: ${path}`);
    expect(lines).not.toContain('Disallow: /');
  });

  test('/favicon.ico is an icon from our own site', async ({ request }) => {
    const response = await request.get('/favicon.ico');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('image/x-icon');
    const body = await response.body();
    // An ICO file starts 00 00 01 00.
    expect([...body.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
  });

  test('every page has a Beta phase banner with a feedback link', async ({ page, expectAccessible }) => {
    for (const path of ['/', '/principles', '/appeal', '/changelog', '/transparency']) {
      await page.goto(path);
      const banner = page.getByTestId('phase-banner');
      await expect(banner.locator('.nhsuk-tag')).toHaveText('Beta');
      await expect(banner.getByRole('link', { name: 'feedback' })).toHaveAttribute('href', '/feedback');
    }
    await page.getByTestId('phase-banner').getByRole('link', { name: 'feedback' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Give feedback on this service');
    await page.goto('/');
    await expectAccessible(page);
  });

  test('the 429 page says the answers are kept and when to try again', async ({ page, expectAccessible, request }) => {
    const response = await page.goto('/too-many-requests?wait=600');
    expect(response?.status()).toBe(429);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Too many attempts');
    await expect(page.getByText(/Wait 10 minutes, then try again \(from .+, UK time\)\./)).toBeVisible();
    await expect(page.getByTestId('retry-at')).toHaveText(new RegExp(`^${GOVUK_TIME}$`));
    await expect(page.getByTestId('answers-kept')).toHaveText(
      /your answers have been kept\. When you try again you can carry on where you left off, without typing them again\. We keep them for 24 hours\./,
    );
    await expectAccessible(page);
    // An odd wait still gives a sensible page, with no made-up time.
    await page.goto('/too-many-requests?wait=abc');
    await expect(page.getByText('Wait up to an hour, then try again.')).toBeVisible();
    await expect(page.getByTestId('retry-at')).toHaveCount(0);
    const documents = [];
    for (const path of ['/too-many-requests?wait=600', '/too-many-requests?wait=abc', '/'])
      documents.push({ name: path, html: await (await request.get(path)).text() });
    expect(await validateHtml(documents)).toEqual([]);
  });
});
