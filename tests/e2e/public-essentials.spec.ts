import { validateHtml } from '../support/vnu.ts';
import { expect, test } from './fixtures.ts';

test.describe('public-service pages', () => {
  test('accessibility statement in the form UK public bodies use', async ({ page, expectAccessible }) => {
    await page.goto('/accessibility');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      'Accessibility statement for Social media principles and appeals',
    );
    for (const heading of [
      'How accessible this website is',
      'Reporting accessibility problems with this website',
      'Enforcement procedure',
      "Technical information about this website's accessibility",
      'Preparation of this accessibility statement',
    ]) {
      await expect(page.getByRole('heading', { name: heading })).toBeVisible();
    }
    await expect(page.getByText(/WCAG|Web Content Accessibility Guidelines version 2\.2/).first()).toBeVisible();
    await expect(page.getByText(/This statement was prepared on \d+ \w+ \d{4}/)).toBeVisible();
    await expectAccessible(page);
  });

  test('privacy notice covers what, why, who, how long, rights and the DPO', async ({ page, expectAccessible }) => {
    await page.goto('/privacy');
    for (const heading of [
      'What information we collect',
      'Why we use it and our lawful basis',
      'Who sees it',
      'How long we keep it',
      'Your rights',
      'Contact our data protection officer',
    ]) {
      await expect(page.getByRole('heading', { name: heading })).toBeVisible();
    }
    await expect(page.getByText('12 months after we make our decision')).toBeVisible();
    await expectAccessible(page);
  });

  test('public pages are valid HTML (Nu Html Checker)', async ({ request }) => {
    const paths = ['/', '/principles', '/principles/1.0', '/accessibility', '/privacy', '/no-such-page'];
    const documents = [];
    for (const path of paths) documents.push({ name: path, html: await (await request.get(path)).text() });
    // The checker itself must be able to fail: a broken document beside the real ones.
    documents.push({
      name: 'deliberately-broken',
      html: '<!doctype html><html lang="en"><title>x</title><p><div></p></html>',
    });
    const errors = await validateHtml(documents);
    expect(errors.filter((e) => e.page !== 'deliberately-broken')).toEqual([]);
    expect(errors.some((e) => e.page === 'deliberately-broken')).toBe(true);
  });
});
