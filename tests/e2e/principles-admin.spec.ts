/**
 * Publishing a new version of the principles through the staff pages, with JavaScript off, and
 * the change alerts that follow: double opt-in at /subscribe, exactly one alert per subscriber at
 * the SMTP sink, and unsubscribing by the link (no JavaScript) and by RFC 8058 one-click POST.
 * Other specs share the database and may publish versions too: the version number is read from
 * the pages, never assumed.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Page } from '@playwright/test';
import { validateHtml } from '../support/vnu.ts';
import { expect, test, type Mailbox, type SinkMessage } from './fixtures.ts';
import { createStaff, signInAs } from './staff-fixtures.ts';

const token = Date.now().toString(36);
const REWORD_FROM = 'how we can use our accounts more effectively';
const REWORD_TO = `how we could use our accounts better (${token})`;
const ground = {
  code: `spam-links-${token}`,
  title: `Links to scams ${token}`,
  description: 'Contains links to scams, phishing or malware.',
};
const summary = `Adds a ground for links to scams and rewords the paragraph about feedback (${token})`;

/** The path of the first link to `/<prefix>/…` in an email's text part (links are absolute, from PUBLIC_URL). */
function linkPath(message: SinkMessage, prefix: string): string {
  const match = new RegExp(`(https?://[^\\s]+${prefix}/[A-Za-z0-9_-]+)`).exec(message.text);
  if (!match) throw new Error(`no ${prefix} link in: ${message.text}`);
  expect(match[1]).toMatch(/^http:\/\/localhost:\d+\//);
  return new URL(match[1]!).pathname;
}

async function subscribeAndConfirm(
  page: Page,
  mailbox: Mailbox,
  email: string,
  expectAccessible?: (page: Page) => Promise<void>,
): Promise<void> {
  await page.goto('/subscribe');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/subscribe\/check-your-email$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Check your email' })).toBeVisible();
  if (expectAccessible) await expectAccessible(page);
  const [confirmation] = await mailbox.waitFor({ to: email, subject: /^Confirm that you want emails/ });
  const confirmPath = linkPath(confirmation!, '/subscribe/confirm');
  // Opening the link does not confirm (link scanners); the button does.
  await page.goto(confirmPath);
  await expect(page.getByRole('heading', { level: 1, name: 'Confirm your email address' })).toBeVisible();
  if (expectAccessible) await expectAccessible(page);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page).toHaveURL(/\/subscribe\/confirmed$/);
  await expect(page.getByRole('heading', { level: 1, name: 'You are signed up' })).toBeVisible();
  if (expectAccessible) await expectAccessible(page);
  // The link works once.
  const again = await page.goto(confirmPath);
  expect(again?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'This link does not work' })).toBeVisible();
  if (expectAccessible) await expectAccessible(page);
}

test.describe('publishing through the staff pages, with change alerts', () => {
  test.describe.configure({ mode: 'serial' });

  test('the subscribe form explains a bad address and keeps what was typed', async ({ page, expectAccessible }) => {
    await page.goto('/subscribe');
    await expect(
      page.getByRole('heading', { level: 1, name: 'Get an email when our principles change' }),
    ).toBeVisible();
    await expectAccessible(page);
    await page.getByLabel('Email address').fill('not an address');
    const response = page.waitForResponse((r) => r.url().endsWith('/subscribe') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect((await response).status()).toBe(400);
    await expect(page).toHaveTitle(/^Error: /);
    await expect(page.locator('.nhsuk-error-summary')).toContainText('Enter an email address in the correct format');
    await expect(page.getByLabel('Email address')).toHaveValue('not an address');
    await expectAccessible(page);
  });

  test('an admin publishes a new version; each confirmed subscriber gets exactly one alert and can unsubscribe', async ({
    page,
    browser,
    request,
    mailbox,
    expectAccessible,
  }) => {
    test.setTimeout(180_000);
    const reader = `reader-${token}@example.org`;
    const oneClick = `one-click-${token}@example.org`;
    await subscribeAndConfirm(page, mailbox, reader, expectAccessible);
    await subscribeAndConfirm(page, mailbox, oneClick);

    // The admin, in a separate browser session.
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signInAs(admin, await createStaff({ roles: ['admin'] }));
    await admin.goto('/staff/principles');
    await expect(admin.getByRole('heading', { level: 1, name: 'Principles' })).toBeVisible();
    await expectAccessible(admin);
    await admin.getByRole('button', { name: 'Start a new version' }).click();
    await expect(admin).toHaveURL(/\/staff\/principles\/drafts\/\d+$/);
    const draftPath = new URL(admin.url()).pathname;
    await expect(
      admin.getByRole('heading', { level: 1, name: 'Edit the new version of the principles' }),
    ).toBeVisible();
    await expectAccessible(admin);

    // Drafts are private: no session, no draft.
    const anonymous = await request.get(draftPath, { maxRedirects: 0 });
    expect(anonymous.status()).toBe(303);
    expect(anonymous.headers().location).toMatch(/^\/staff\/login/);

    // First attempt: no summary and a new ground with a bad code and no title.
    const body = admin.getByLabel('Text of the principles');
    const original = await body.inputValue();
    expect(original).toContain(REWORD_FROM);
    await body.fill(original.replace(REWORD_FROM, REWORD_TO));
    const newGround = admin.getByRole('group', { name: /^New ground/ });
    await newGround.getByLabel('Code').fill('Links To Scams!');
    await newGround.getByLabel('Description').fill(ground.description);
    const saving = admin.waitForResponse((r) => r.url().endsWith(draftPath) && r.request().method() === 'POST');
    await admin.getByRole('button', { name: 'Save and preview' }).click();
    expect((await saving).status()).toBe(400);
    await expect(admin).toHaveTitle(/^Error: /);
    const errors = admin.locator('.nhsuk-error-summary');
    await expect(errors).toContainText('Enter a summary of what has changed');
    await expect(errors).toContainText('Code must be lower-case letters');
    await expect(errors).toContainText('Enter a title for the ground');
    // Everything typed is kept, and each error is next to its field.
    await expect(admin.getByLabel('Text of the principles')).toHaveValue(
      original.replace(REWORD_FROM, REWORD_TO).replace(/\r\n/g, '\n'),
    );
    const keptGround = admin.getByRole('group', { name: /^Ground \d+: Links To Scams!$/ });
    await expect(admin.getByRole('group', { name: /^New ground/ })).toHaveCount(1);
    await expect(keptGround.getByLabel('Code')).toHaveValue('Links To Scams!');
    await expect(keptGround.getByLabel('Description')).toHaveValue(ground.description);
    await expect(keptGround.locator('.nhsuk-error-message')).toHaveCount(2);
    await expectAccessible(admin);
    const editorWithErrors = await admin.content();

    await admin.getByLabel('Summary of the changes').fill(summary);
    await keptGround.getByLabel('Code').fill(ground.code);
    await keptGround.getByLabel('Title').fill(ground.title);
    await admin.getByRole('button', { name: 'Save and preview' }).click();

    // Preview: the diff against the version in force, and the rendered draft.
    await expect(admin).toHaveURL(new RegExp(`${draftPath}/preview$`));
    await expect(admin.getByRole('heading', { level: 1, name: 'Preview the new version' })).toBeVisible();
    await expect(admin.getByTestId('text-diff').locator('ins.app-diff__ins').filter({ hasText: 'could' })).toHaveCount(
      1,
    );
    await expect(
      admin.getByTestId('text-diff').locator('del.app-diff__del').filter({ hasText: 'can' }),
    ).not.toHaveCount(0);
    await expect(admin.getByTestId('grounds-added')).toContainText(ground.title);
    await expect(admin.getByTestId('draft-preview').locator(`#ground-${ground.code}`)).toContainText(
      ground.description,
    );
    await expect(admin.getByTestId('draft-preview')).toContainText(REWORD_TO);
    await expectAccessible(admin);

    // The staff pages are valid HTML (fetched with the admin's session).
    const documents: { name: string; html: string }[] = [];
    for (const path of [
      '/staff/principles',
      draftPath,
      `${draftPath}/preview`,
      `${draftPath}/publish`,
      `${draftPath}/discard`,
    ]) {
      const response = await adminContext.request.get(path);
      expect(response.status(), path).toBe(200);
      documents.push({ name: path, html: await response.text() });
    }
    documents.push({ name: 'editor with errors', html: editorWithErrors });
    for (const path of ['/subscribe', '/subscribe/check-your-email', '/subscribe/confirmed'])
      documents.push({ name: path, html: await (await request.get(path)).text() });
    expect(await validateHtml(documents)).toEqual([]);

    // Nothing is public yet.
    await page.goto('/principles');
    await expect(page.getByText(REWORD_TO)).toHaveCount(0);

    // Publish: first without choosing, then minor, now.
    await admin.getByRole('link', { name: 'Publish this version' }).click();
    await expect(admin.getByRole('heading', { level: 1, name: 'Publish the new version' })).toBeVisible();
    await expectAccessible(admin);
    await admin.getByRole('button', { name: 'Publish' }).click();
    await expect(admin).toHaveTitle(/^Error: /);
    await expect(admin.locator('.nhsuk-error-summary')).toContainText(
      'Select whether this is a minor or a major change',
    );
    await expect(admin.locator('.nhsuk-error-summary')).toContainText('Select when the new version takes effect');
    await expectAccessible(admin);
    await admin.getByLabel(/^Minor change: version \d+\.\d+$/).check();
    await admin.getByLabel('At a later date and time').check();
    await admin.getByLabel('Day').fill('31');
    await admin.getByLabel('Month').fill('2');
    await admin.getByLabel('Year').fill('2030');
    await admin.getByLabel('Time (24-hour, like 14:30)').fill('09:00');
    await admin.getByRole('button', { name: 'Publish' }).click();
    await expect(admin.locator('.nhsuk-error-summary')).toContainText('Enter a real date');
    // What was chosen is kept.
    await expect(admin.getByLabel(/^Minor change/)).toBeChecked();
    await expect(admin.getByLabel('Day')).toHaveValue('31');
    await expectAccessible(admin);
    await admin.getByLabel('Now').check();
    await admin.getByRole('button', { name: 'Publish' }).click();
    await expect(admin).toHaveURL(/\/staff\/principles\?published=/);
    const version = (await admin.getByTestId('published-version').textContent())!.trim();
    expect(version).toMatch(/^\d+\.\d+$/);
    await expect(
      admin.getByRole('row', { name: new RegExp(`^${version.replace('.', '\\.')} In force now`) }),
    ).toBeVisible();
    await expectAccessible(admin);

    // Every step is in the audit log.
    await admin.goto('/staff/audit');
    // In words, as staff read them (src/lib/platform/labels.ts).
    for (const action of ['Principles draft started', 'Principles draft saved', 'Principles published']) {
      await expect(admin.getByRole('table').getByText(action, { exact: true }).first()).toBeVisible();
    }
    await adminContext.close();

    // The public pages.
    await page.goto('/principles');
    await expect(page.getByTestId('version-number')).toHaveText(version);
    await expect(page.getByText(REWORD_TO)).toBeVisible();
    await expect(page.locator(`#ground-${ground.code}`)).toContainText(ground.description);
    await page.goto('/principles/1.0');
    await expect(page.getByTestId('version-number')).toHaveText('1.0');
    await expect(page.getByText(REWORD_FROM)).toBeVisible();
    await expect(page.getByText(REWORD_TO)).toHaveCount(0);
    await expect(page.locator(`#ground-${ground.code}`)).toHaveCount(0);

    // Exactly one alert each, with the summary, the compare link and one-click unsubscribe headers.
    const subject = `Our social media principles have changed: version ${version}`;
    const [alert] = await mailbox.waitFor({ to: reader, subject });
    await mailbox.waitFor({ to: oneClick, subject });
    expect(alert!.text).toContain(summary);
    const comparePath = new URL(/(http:\/\/\S+\/principles\/compare\/\S+)/.exec(alert!.text)![1]!).pathname;
    expect(comparePath).toMatch(new RegExp(`^/principles/compare/\\d+\\.\\d+\\.\\.\\.${version.replace('.', '\\.')}$`));
    const unsubscribePath = linkPath(alert!, '/unsubscribe');
    const headers = alert!.raw.replace(/\r?\n[ \t]+/g, ' ');
    expect(headers).toMatch(new RegExp(`^List-Unsubscribe: <http://localhost:\\d+${unsubscribePath}>\\r?$`, 'mi'));
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/im);
    // The alert check runs every 30 s in the server; give it the chance to send a duplicate.
    await page.waitForTimeout(2_000);
    for (const to of [reader, oneClick]) {
      expect((await mailbox.messages({ to })).filter((m) => /have changed/.test(m.subject ?? ''))).toHaveLength(1);
    }

    // The compare page from the email marks the changes.
    await page.goto(comparePath);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      new RegExp(`to version ${version.replace('.', '\\.')}$`),
    );
    await expect(page.getByTestId('text-diff').locator('ins.app-diff__ins').filter({ hasText: 'could' })).toHaveCount(
      1,
    );
    await expect(page.getByTestId('grounds-added')).toContainText(ground.title);
    await expectAccessible(page);

    // The changelog and the feed list it.
    await page.goto('/changelog');
    await expect(page.getByTestId(`changelog-${version}`)).toContainText(summary);
    const feed = new XMLParser({ ignoreAttributes: false }).parse(await (await request.get('/changelog.xml')).text());
    const entries = [feed.feed.entry].flat();
    expect(
      entries.some(
        (e: { title: { '#text'?: string } | string }) =>
          (typeof e.title === 'string' ? e.title : e.title['#text']) === `Version ${version}`,
      ),
    ).toBe(true);

    // Unsubscribing with the link works without JavaScript: the link shows a button; the button deletes the address.
    await page.goto(unsubscribePath);
    await expect(
      page.getByRole('heading', { level: 1, name: 'Stop emails about changes to our principles' }),
    ).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'You have unsubscribed' })).toBeVisible();
    await expectAccessible(page);
    expect((await page.goto(unsubscribePath))?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1, name: 'This link does not work' })).toBeVisible();
    await expectAccessible(page);

    // One-click (RFC 8058): a mail provider posts from its own server, with no Origin header.
    const [oneClickAlert] = await mailbox.messages({ to: oneClick, subject });
    const oneClickPath = linkPath(oneClickAlert!, '/unsubscribe');
    const posted = await request.post(oneClickPath, { form: { 'List-Unsubscribe': 'One-Click' }, maxRedirects: 0 });
    expect(posted.status()).toBe(200);
    expect((await request.get(oneClickPath)).status()).toBe(404);
    // The same client without an Origin is refused anywhere else: the exemption is this endpoint only.
    expect((await request.post('/subscribe', { form: { email: 'x@example.org' }, maxRedirects: 0 })).status()).toBe(
      403,
    );
  });

  test('a ground can be retired in a draft, and a draft can be discarded after confirming', async ({
    page,
    expectAccessible,
  }) => {
    await signInAs(page, await createStaff({ roles: ['admin'] }));
    await page.goto('/staff/principles');
    await page.getByRole('button', { name: 'Start a new version' }).click();
    const draftPath = new URL(page.url()).pathname;
    const first = page.getByRole('group', { name: /^Ground 1: / });
    const code = await first.getByLabel('Code').inputValue();
    const title = await first.getByLabel('Title').inputValue();
    await first.getByLabel('Retire this ground').check();
    await page.getByLabel('Summary of the changes').fill(`Retires ${code}`);
    await page.getByRole('button', { name: 'Save and preview' }).click();
    await expect(page).toHaveURL(new RegExp(`${draftPath}/preview$`));
    await expect(page.getByTestId('grounds-retired')).toContainText(title);
    await expect(page.getByTestId('draft-preview').locator(`#ground-${code}`)).toHaveCount(0);
    await page.getByRole('link', { name: 'Change the draft' }).first().click();
    await expect(page.getByRole('group', { name: new RegExp(`: ${code}$`) })).toHaveCount(0);
    await page.getByRole('link', { name: 'Discard this draft' }).click();
    await expect(
      page.getByRole('heading', { level: 1, name: 'Are you sure you want to discard this draft?' }),
    ).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Discard draft' }).click();
    await expect(page).toHaveURL(/\/staff\/principles\?discarded=1$/);
    await expect(page.getByText('The draft has been discarded.')).toBeVisible();
    expect((await page.goto(draftPath))?.status()).toBe(404);
  });

  test('people without the admin role cannot open the principles pages', async ({ page }) => {
    await signInAs(page, await createStaff({ roles: ['moderator'] }));
    const response = await page.goto('/staff/principles');
    expect(response?.status()).toBe(403);
  });

  // Last: it uses up this client's sign-ups for the hour.
  test('too many sign-ups from one client get a clear 429 page', async ({
    page,
    request,
    baseURL,
    expectAccessible,
  }) => {
    for (let i = 0; i < 12; i++) {
      const r = await request.post('/subscribe', {
        form: { email: `flood-${token}-${i}@example.org` },
        headers: { Origin: baseURL! },
        maxRedirects: 0,
      });
      if (r.status() === 429) break;
      expect(r.status()).toBe(303);
    }
    await page.goto('/subscribe');
    await page.getByLabel('Email address').fill(`late-${token}@example.org`);
    const response = page.waitForResponse((r) => r.url().endsWith('/subscribe') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect((await response).status()).toBe(429);
    expect((await response).headers()['retry-after']).toMatch(/^\d+$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Too many attempts' })).toBeVisible();
    await expectAccessible(page);
  });
});
