/**
 * The compare page reads like the principles (issue 19 point 9), shown with the trust's real
 * first change: version 1.0 (its page as published) to the seeded 1.1 (this service). JavaScript
 * is off, as everywhere.
 */
import { validateHtml } from '../support/vnu.ts';
import { expect, test } from './fixtures.ts';

const PATH = '/principles/compare/1.0...1.1';

test.describe('comparing versions', () => {
  test('shows the rendered text word by word, with links as on the page, and folds the unchanged section', async ({
    page,
    expectAccessible,
  }) => {
    const response = await page.goto(PATH);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Changes from version 1.0 to version 1.1');
    await expect(page.getByText('Version 1.0 was in force from a date not known.')).toBeVisible();
    await expect(page.getByText(/Version 1\.1 followed it, in force from \d{1,2} \w+ \d{4}\./)).toBeVisible();
    const text = page.getByTestId('text-diff');
    // No Markdown anywhere: headings are headings, links are links.
    await expect(text).not.toContainText('##');
    await expect(text).not.toContainText('](');
    // The new appeal route is an added link, as on the page.
    const appealLink = text.getByRole('link', { name: 'added: ask us to look at it again' });
    await expect(appealLink).toHaveAttribute('href', '/appeal');
    await expect(text.locator('a[href="/subscribe"] ins.app-diff__ins')).toHaveText(
      'added: get an email when they change',
    );
    await expect(
      text.locator('del.app-diff__del').filter({ hasText: 'will explain why the decision was made.' }),
    ).toHaveCount(1);
    await expect(text.locator('ins.app-diff__ins').filter({ hasText: 'within 10 working days.' })).toHaveCount(1);
    // "Taking action" changed and is shown in full; "Social media principles" did not and folds to its heading.
    await expect(page.getByRole('heading', { level: 2, name: 'Taking action' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 2, name: 'Social media principles' })).toBeVisible();
    await expect(text.getByText("A person's care is private to them.")).toHaveCount(0);
    await expect(page.getByTestId('section-unchanged')).toHaveCount(1);
    await expect(page.getByTestId('folded-note')).toHaveText(/One section has not changed/);
    await expectAccessible(page);

    // "Show this section" is a plain link: it opens the full view at that section.
    await page.getByRole('link', { name: /^Show this section\s*: Social media principles$/ }).click();
    await expect(page).toHaveURL(new RegExp(`${PATH.replace(/\./g, '\\.')}\\?full#section-social-media-principles$`));
    await expect(page.getByTestId('text-diff').getByText("A person's care is private to them.")).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Show only the sections that changed' }).click();
    await expect(page).toHaveURL(new RegExp(`${PATH.replace(/\./g, '\\.')}$`));
    await expect(page.getByTestId('text-diff').getByText("A person's care is private to them.")).toHaveCount(0);
  });

  test('refuses a version compared with itself with a clear message and a way on', async ({
    page,
    expectAccessible,
  }) => {
    const response = await page.goto('/principles/compare/1.0...1.0');
    expect(response?.status()).toBe(400);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('You chose version 1.0 twice');
    await expect(page.getByRole('link', { name: 'Choose two different versions to compare' })).toHaveAttribute(
      'href',
      '#compare-from',
    );
    await expect(page.getByText('came before')).toHaveCount(0);
    await expect(page).toHaveTitle(/^Error: /);
    await page.getByLabel('Earlier version').selectOption('1.0');
    await page.getByLabel('Later version').selectOption('1.1');
    await page.getByRole('button', { name: 'Compare versions' }).click();
    await expect(page).toHaveURL(new RegExp(`${PATH.replace(/\./g, '\\.')}$`));
    await page.goto('/principles/compare/1.0...1.0');
    await expectAccessible(page);
  });

  test('the compare form with the same version twice is refused too', async ({ page }) => {
    const response = await page.goto('/principles/compare?from=1.1&to=1.1');
    expect(response?.status()).toBe(400);
    await expect(page.getByRole('link', { name: 'Choose two published versions to compare' })).toBeVisible();
  });

  test('every state passes the Nu Html Checker', async ({ request }) => {
    const documents = [];
    for (const path of [PATH, `${PATH}?full`, '/principles/compare/1.0...1.0', '/principles/1.0', '/principles/1.1']) {
      documents.push({ name: path, html: await (await request.get(path)).text() });
    }
    expect(await validateHtml(documents)).toEqual([]);
  });
});
