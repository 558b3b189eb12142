/**
 * Shared browser-test helpers. Pages are driven with JavaScript off; axe needs JavaScript in the
 * page, so it runs on the same HTML served again in a separate JavaScript-enabled context.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type Page } from '@playwright/test';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

export const test = base.extend<{ expectAccessible: (page: Page) => Promise<void> }>({
  expectAccessible: async ({ browser }, use) => {
    await use(async (page: Page) => {
      const html = await page.content();
      const url = page.url();
      const context = await browser.newContext({ javaScriptEnabled: true });
      try {
        const axePage = await context.newPage();
        // Serve the exact HTML the user saw (including error states after a POST); the styles
        // and images still come from the server.
        await axePage.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
        await axePage.goto(url);
        const results = await new AxeBuilder({ page: axePage }).withTags(AXE_TAGS).analyze();
        const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
        expect(summary, `axe violations on ${url}`).toEqual([]);
      } finally {
        await context.close();
      }
    });
  },
});

export { expect };
