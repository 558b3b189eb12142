/**
 * Shared browser-test helpers. Pages are driven with JavaScript off; axe needs JavaScript in the
 * page, so it runs on the same HTML served again in a separate JavaScript-enabled context.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type Page, type Route } from '@playwright/test';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** A message as the SMTP sink received it (tests/support/smtp-sink-server.ts). */
export interface SinkMessage {
  messageId: string | undefined;
  from: string | undefined;
  to: string[];
  subject: string | undefined;
  text: string;
  html: string;
  /** Header names in lower case; structured values as JSON. */
  headers: Record<string, string>;
  raw: string;
}

export interface MailFilter {
  /** The recipient's address (case-insensitive). */
  to?: string;
  /** The exact subject, or a pattern. */
  subject?: string | RegExp;
}

/** The emails the running app has sent, and control over its SMTP server. */
export interface Mailbox {
  /** Messages received so far, oldest first, matching the filter. */
  messages(filter?: MailFilter): Promise<SinkMessage[]>;
  /** Waits until at least `count` (default 1) matching messages have arrived; returns them all. */
  waitFor(filter: MailFilter, options?: { count?: number; timeoutMs?: number }): Promise<SinkMessage[]>;
  /** Stops the SMTP listener (connections refused), e.g. for an outage test. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Refuses every message with this SMTP code (e.g. 550, 451); `undefined` accepts again. */
  rejectWith(code: number | undefined): Promise<void>;
}

const controlUrl = () => `http://127.0.0.1:${process.env.E2E_SMTP_CONTROL_PORT}`;

async function control(method: 'GET' | 'POST', path: string): Promise<unknown> {
  const response = await fetch(controlUrl() + path, { method });
  if (!response.ok) throw new Error(`SMTP sink ${method} ${path}: ${response.status}`);
  return response.json();
}

function matches(m: SinkMessage, filter: MailFilter): boolean {
  if (filter.to && !m.to.some((a) => a.toLowerCase() === filter.to!.toLowerCase())) return false;
  if (filter.subject instanceof RegExp) return filter.subject.test(m.subject ?? '');
  if (filter.subject !== undefined) return m.subject === filter.subject;
  return true;
}

const mailbox: Mailbox = {
  async messages(filter = {}) {
    return ((await control('GET', '/messages')) as SinkMessage[]).filter((m) => matches(m, filter));
  },
  async waitFor(filter, { count = 1, timeoutMs = 15_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await mailbox.messages(filter);
      if (found.length >= count) return found;
      if (Date.now() > deadline)
        throw new Error(
          `Expected ${count} email(s) matching ${JSON.stringify({ ...filter, subject: String(filter.subject) })}, got ${found.length}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  },
  stop: async () => void (await control('POST', '/stop')),
  start: async () => void (await control('POST', '/start')),
  rejectWith: async (code) => void (await control('POST', code ? `/reject?code=${code}` : '/reject')),
};

export const test = base.extend<
  { expectAccessible: (page: Page) => Promise<void>; mailbox: Mailbox },
  { axePage: Page }
>({
  // Playwright reads the fixtures a function needs from its first parameter: it must be a pattern.
  // eslint-disable-next-line no-empty-pattern
  mailbox: async ({}, use) => {
    await use(mailbox);
    // Leave the sink accepting mail for the next test, whatever this one did.
    await mailbox.start();
    await mailbox.rejectWith(undefined);
  },
  // One JavaScript-enabled page a worker for axe, instead of a new browser context each check.
  axePage: [
    async ({ browser }, use) => {
      const context = await browser.newContext({ javaScriptEnabled: true });
      await use(await context.newPage());
      await context.close();
    },
    { scope: 'worker' },
  ],
  expectAccessible: async ({ axePage }, use) => {
    await use(async (page: Page) => {
      const html = await page.content();
      const url = page.url();
      // Serve the exact HTML the user saw (including error states after a POST); the styles
      // and images still come from the server.
      const serve = (route: Route) =>
        route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      await axePage.route(url, serve);
      try {
        await axePage.goto(url);
        // Legacy mode runs axe.run() in the page itself. The default (axe.runPartial() in every frame,
        // then axe.finishRun() in a new blank page, axe injected into both) finds the same on pages
        // without frames, and ours have none, but opening that extra page made a check take about
        // 0.9 s instead of 0.5 s: about a third of a journey spec's time.
        const results = await new AxeBuilder({ page: axePage }).withTags(AXE_TAGS).setLegacyMode().analyze();
        const summary = results.violations.map(
          (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
        );
        expect(summary, `axe violations on ${url}`).toEqual([]);
      } finally {
        await axePage.unroute(url, serve);
        // The next check loads its page afresh, even at the same address.
        await axePage.goto('about:blank');
      }
    });
  },
});

export { expect };
