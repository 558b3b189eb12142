/**
 * Every page a person can reach by following links — as the public and signed in as each staff
 * role — passes axe and the Nu Html Checker. Pages of the same shape (/staff/cases/12 and
 * /staff/cases/13) are checked once. Runs after the other specs (the `crawl` project depends on
 * `journeys`, playwright.config.ts) so they have made data to show; its tests run in parallel.
 * Each page is also checked at 640 px (200% zoom) and 320 px (400% zoom) for sideways scrolling,
 * and every form with fields is sent empty to check its error state the same way.
 */
import type { Page } from '@playwright/test';
import { validateHtml } from '../support/vnu.ts';
import { expect, test } from './fixtures.ts';
import { createStaff, signInAs, type Role } from './staff-fixtures.ts';

const MAX_PAGES = 60;

/** One representative a shape: numbers and long tokens in paths collapse to a placeholder. */
function shapeOf(url: URL): string {
  const path = url.pathname.replace(/\/\d+(?=\/|$)/g, '/:id').replace(/\/[A-Za-z0-9_-]{20,}(?=\/|$)/g, '/:token');
  return `${path}?${[...url.searchParams.keys()].sort().join('&')}`;
}

async function expectNoSidewaysScroll(page: Page, width: number, path: string) {
  await page.setViewportSize({ width, height: 800 });
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.parentElement?.closest('.app-table-scroll'))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)}px)`);
    return { by: document.documentElement.scrollWidth - width, culprits };
  });
  expect(
    overflow.by,
    `horizontal scrolling at ${width} px on ${path}: ${overflow.culprits.join(', ')}`,
  ).toBeLessThanOrEqual(0);
}

/** Fields a person fills in; a form with none of them is a button that acts (assign, retry, sign out). */
const FILLABLE =
  'textarea, input:not([type]), input[type=text], input[type=email], input[type=url], input[type=password], input[type=number], input[type=tel], input[type=radio]';

/**
 * The error state of every form on the page: each POST form with fields to fill is sent with its
 * text fields emptied and no choice made. Where that is refused (4xx), the page must say so the
 * way every form does — "Error: " title, error summary, one h1 — and pass axe and (later) the Nu
 * checker. A form that accepts empty input is left alone (nothing to check); none may give a 5xx.
 */
async function checkErrorStates(
  page: Page,
  url: URL,
  expectAccessible: (page: Page) => Promise<void>,
  documents: { name: string; html: string }[],
) {
  const path = url.pathname + url.search;
  const checked: string[] = [];
  const forms = await page.locator('form[method="post" i]').count();
  for (let i = 0; i < forms; i++) {
    if (page.url() !== new URL(path, page.url()).href) await page.goto(path);
    const form = page.locator('form[method="post" i]').nth(i);
    const fields = form.locator(FILLABLE);
    if ((await fields.count()) === 0) continue;
    for (const field of await form.locator(FILLABLE.replace(', input[type=radio]', '')).all()) await field.fill('');
    // The main action (a secondary button, like "Show grounds for this date", only refreshes the form).
    const buttons = form.locator('button[type=submit], button:not([type]), input[type=submit]');
    const primary = buttons.and(page.locator(':not(.nhsuk-button--secondary)'));
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
      ((await primary.count()) > 0 ? primary : buttons).last().click(),
    ]);
    await page.waitForLoadState();
    const status = response.status();
    expect(status, `empty form ${i + 1} on ${path}`).toBeLessThan(500);
    // A form shown to this visitor must be theirs to send: never the forbidden or no-access page.
    expect(status, `empty form ${i + 1} on ${path} was refused`).not.toBe(403);
    if (status < 400) continue;
    const name = `POST ${path} (form ${i + 1}, status ${status})`;
    // 429: earlier tests from this address used up a rate limit; that page is checked instead.
    if (status !== 429) {
      expect(await page.title(), name).toMatch(/^Error: /);
      await expect(page.locator('.nhsuk-error-summary'), name).toHaveCount(1);
    }
    await expect(page.locator('h1'), name).toHaveCount(1);
    await expectNoSidewaysScroll(page, 320, name);
    await expectAccessible(page);
    documents.push({ name, html: await page.content() });
    checked.push(name);
  }
  if (forms > 0) await page.goto(path);
  return checked;
}

async function crawl(page: Page, start: string[], expectAccessible: (page: Page) => Promise<void>) {
  const origin = new URL(page.url() || 'http://127.0.0.1').origin;
  const queue = [...start];
  const seen = new Set<string>();
  const documents: { name: string; html: string }[] = [];
  const titles = new Map<string, string>();
  const errorStates: string[] = [];
  /** Addresses found as links on a page (not the starting points, some of which are errors on purpose). */
  const linked = new Map<string, string>();
  let pages = 0;
  while (queue.length > 0 && pages < MAX_PAGES) {
    const next = queue.shift()!;
    const url = new URL(next, origin);
    const shape = shapeOf(url);
    if (seen.has(shape)) continue;
    seen.add(shape);
    const response = await page.goto(url.pathname + url.search);
    const type = response?.headers()['content-type'] ?? '';
    if (!type.includes('text/html')) continue;
    pages += 1;
    expect(response!.status(), url.pathname).toBeLessThan(500);
    // A link shown to this visitor leads somewhere they can open: never "no access" or "not found".
    const from = linked.get(next);
    if (from)
      expect(
        [403, 404],
        `${url.pathname + url.search}, linked from ${from}, answered ${response!.status()}`,
      ).not.toContain(response!.status());
    // 320 CSS pixels is a small phone, or 1280 px at 400% zoom; 640 is 1280 px at 200% zoom.
    for (const width of [640, 320]) await expectNoSidewaysScroll(page, width, url.pathname);
    await expectAccessible(page);
    // One h1, and a title that says what the page is (unique across distinct pages).
    await expect(page.locator('h1'), url.pathname).toHaveCount(1);
    const title = await page.title();
    expect(
      titles.get(title) ?? url.pathname,
      `title "${title}" is shared by ${titles.get(title)} and ${url.pathname}`,
    ).toBe(url.pathname);
    titles.set(title, url.pathname);
    documents.push({ name: url.pathname + url.search, html: await page.content() });
    const links = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    errorStates.push(...(await checkErrorStates(page, url, expectAccessible, documents)));
    for (const href of links) {
      if (!href.startsWith('/') || href.startsWith('//')) continue;
      const target = new URL(href, origin);
      // Stay on this site, skip files and anything that acts (sign-out is a POST form anyway).
      if (/\.(xml|json|csv|svg|png|ico|js|css)$/.test(target.pathname)) continue;
      if (target.pathname.startsWith('/staff/sign-out')) continue;
      const address = target.pathname + target.search;
      if (!linked.has(address)) linked.set(address, url.pathname + url.search);
      queue.push(address);
    }
  }
  // Stopping at the cap would leave pages unchecked without saying so: raise MAX_PAGES instead.
  const unvisited = [...new Set(queue.map((address) => shapeOf(new URL(address, origin))))].filter(
    (shape) => !seen.has(shape),
  );
  expect(unvisited, `the crawl reached its cap of ${MAX_PAGES} pages with pages still to check`).toEqual([]);
  const errors = await validateHtml(documents);
  expect(errors, 'Nu Html Checker errors').toEqual([]);
  return { pages: documents.filter((d) => !d.name.startsWith('POST ')).map((d) => d.name), errorStates };
}

test.describe('every page passes axe and the Nu Html Checker', () => {
  test.describe.configure({ timeout: 600_000 });

  test('as a member of the public', async ({ page, expectAccessible }) => {
    await page.goto('/');
    const { pages, errorStates } = await crawl(
      page,
      [
        '/',
        '/appeal',
        '/principles',
        '/changelog',
        '/accessibility',
        '/privacy',
        '/staff/login',
        '/no-such-page',
        '/too-many-requests',
        '/request-too-large',
        '/appeal/cookies',
        '/feedback',
        '/transparency',
        '/principles/compare/1.0...1.1',
        '/principles/compare/1.0...1.0',
        '/appeal/find/sent',
      ],
      expectAccessible,
    );
    console.log(
      `public: ${pages.length} pages checked: ${pages.join(' ')}; ${errorStates.length} error states: ${errorStates.join(' | ')}`,
    );
    expect(pages).toEqual(
      expect.arrayContaining([
        '/',
        '/appeal',
        '/principles',
        '/accessibility',
        '/privacy',
        '/feedback',
        '/transparency',
        '/principles/compare/1.0...1.1',
        '/principles/compare/1.0...1.1?full',
        '/appeal/find',
        '/appeal/find/sent',
      ]),
    );
    // The first appeal steps and staff sign-in at least show their error state.
    expect(errorStates.length).toBeGreaterThanOrEqual(3);
  });

  test('the appeal questions that need earlier answers, with a journey under way', async ({
    page,
    expectAccessible,
  }) => {
    // Links cannot reach these without a journey: answer up to "Who is asking?", then crawl from
    // the next question (its Back link, and theirs, lead round the rest).
    const next = () => page.getByRole('button', { name: 'Continue' }).click();
    await page.goto('/appeal/platform');
    await page.getByLabel('Facebook', { exact: true }).check();
    await next();
    await page.getByLabel('You hid my post or comment').check();
    await next();
    await page.getByLabel('What is your account name or handle?').fill('@crawl');
    await next();
    const lastWeek = new Date(Date.now() - 7 * 24 * 60 * 60_000);
    await page.getByLabel('Day', { exact: true }).fill(String(lastWeek.getUTCDate()));
    await page.getByLabel('Month', { exact: true }).fill(String(lastWeek.getUTCMonth() + 1));
    await page.getByLabel('Year', { exact: true }).fill(String(lastWeek.getUTCFullYear()));
    await next();
    await next();
    await page.getByLabel('Why do you disagree with our decision?').fill('Crawl');
    await next();
    await page.getByLabel('Email address').fill(`crawl-${Date.now()}@example.org`);
    await next();
    await page.getByLabel('For myself').check();
    await next();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      'Do you need us to contact you in a different way?',
    );
    const { pages, errorStates } = await crawl(page, ['/appeal/contact-needs'], expectAccessible);
    console.log(
      `journey: ${pages.length} pages checked: ${pages.join(' ')}; ${errorStates.length} error states: ${errorStates.join(' | ')}`,
    );
    expect(pages).toEqual(
      expect.arrayContaining(['/appeal/contact-needs', '/appeal/who-is-asking', '/appeal/contact']),
    );
    // "Who is asking?" shows its saved answer, so sent as it is it is accepted: its error states
    // are checked in appeal-someone-else.spec.ts.
    expect(errorStates.join(' ')).toContain('/appeal/contact-needs');
  });

  for (const role of ['moderator', 'reviewer', 'admin'] as Role[]) {
    test(`signed in as ${role === 'admin' ? 'an' : 'a'} ${role}`, async ({ page, expectAccessible }) => {
      await signInAs(page, await createStaff({ roles: [role] }));
      const { pages, errorStates } = await crawl(page, ['/staff'], expectAccessible);
      console.log(
        `${role}: ${pages.length} pages checked: ${pages.join(' ')}; ${errorStates.length} error states: ${errorStates.join(' | ')}`,
      );
      expect(pages.length).toBeGreaterThan(1);
      // Every role has at least one form with fields (moderators record cases, reviewers write notes, admins invite).
      expect(errorStates.length).toBeGreaterThanOrEqual(1);
    });
  }
});
