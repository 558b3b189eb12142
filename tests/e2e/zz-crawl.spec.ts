/**
 * Every page a person can reach by following links — as the public and signed in as each staff
 * role — passes axe and the Nu Html Checker. Pages of the same shape (/staff/cases/12 and
 * /staff/cases/13) are checked once. Runs last (file name) so other specs have made data to show.
 */
import type { Page } from '@playwright/test';
import { validateHtml } from '../support/vnu.ts';
import { expect, test } from './fixtures.ts';
import { createStaff, signIn, type Role } from './staff-fixtures.ts';

const MAX_PAGES = 60;

/** One representative a shape: numbers and long tokens in paths collapse to a placeholder. */
function shapeOf(url: URL): string {
  const path = url.pathname.replace(/\/\d+(?=\/|$)/g, '/:id').replace(/\/[A-Za-z0-9_-]{20,}(?=\/|$)/g, '/:token');
  return `${path}?${[...url.searchParams.keys()].sort().join('&')}`;
}

async function crawl(page: Page, start: string[], expectAccessible: (page: Page) => Promise<void>) {
  await page.setViewportSize({ width: 320, height: 800 });
  const origin = new URL(page.url() || 'http://127.0.0.1').origin;
  const queue = [...start];
  const seen = new Set<string>();
  const documents: { name: string; html: string }[] = [];
  const titles = new Map<string, string>();
  while (queue.length > 0 && documents.length < MAX_PAGES) {
    const next = queue.shift()!;
    const url = new URL(next, origin);
    const shape = shapeOf(url);
    if (seen.has(shape)) continue;
    seen.add(shape);
    const response = await page.goto(url.pathname + url.search);
    const type = response?.headers()['content-type'] ?? '';
    if (!type.includes('text/html')) continue;
    expect(response!.status(), url.pathname).toBeLessThan(500);
    // At 320 CSS pixels (a small phone, or 1280 px at 400% zoom) nothing scrolls sideways.
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const culprits = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.parentElement?.closest('.app-table-scroll'))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)}px)`);
      return { by: document.documentElement.scrollWidth - width, culprits };
    });
    expect(overflow.by, `horizontal scrolling at 320 px on ${url.pathname}: ${overflow.culprits.join(', ')}`).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    // One h1, and a title that says what the page is (unique across distinct pages).
    await expect(page.locator('h1'), url.pathname).toHaveCount(1);
    const title = await page.title();
    expect(titles.get(title) ?? url.pathname, `title "${title}" is shared by ${titles.get(title)} and ${url.pathname}`).toBe(url.pathname);
    titles.set(title, url.pathname);
    documents.push({ name: url.pathname + url.search, html: await page.content() });
    for (const href of await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))) {
      if (!href.startsWith('/') || href.startsWith('//')) continue;
      const target = new URL(href, origin);
      // Stay on this site, skip files and anything that acts (sign-out is a POST form anyway).
      if (/\.(xml|json|csv|svg|png|ico|js|css)$/.test(target.pathname)) continue;
      if (target.pathname.startsWith('/staff/sign-out')) continue;
      queue.push(target.pathname + target.search);
    }
  }
  const errors = await validateHtml(documents);
  expect(errors, 'Nu Html Checker errors').toEqual([]);
  return documents.map((d) => d.name);
}

test.describe('every page passes axe and the Nu Html Checker', () => {
  test.describe.configure({ timeout: 600_000 });

  test('as a member of the public', async ({ page, expectAccessible }) => {
    await page.goto('/');
    const visited = await crawl(page, ['/', '/appeal', '/principles', '/changelog', '/accessibility', '/privacy', '/staff/login', '/no-such-page'], expectAccessible);
    console.log(`public: ${visited.length} pages checked: ${visited.join(' ')}`);
    expect(visited).toEqual(expect.arrayContaining(['/', '/appeal', '/principles', '/accessibility', '/privacy']));
  });

  for (const role of ['moderator', 'reviewer', 'admin'] as Role[]) {
    test(`signed in as ${role === 'admin' ? 'an' : 'a'} ${role}`, async ({ page, expectAccessible }) => {
      await signIn(page, createStaff({ roles: [role] }));
      const visited = await crawl(page, ['/staff'], expectAccessible);
      console.log(`${role}: ${visited.length} pages checked: ${visited.join(' ')}`);
      expect(visited.length).toBeGreaterThan(1);
    });
  }
});
