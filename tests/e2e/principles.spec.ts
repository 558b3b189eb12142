/**
 * Publishing a new version and the public pages that follow it. There is no admin editor on this
 * branch yet, so the test publishes through the domain functions against the server's own
 * database file (the server reads it on every request). Another spec may have published versions
 * too, so nothing here assumes which number comes next.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { createDraft, getDraft, publishDraft, updateDraft } from '../../src/lib/principles/versions.ts';
import { createRuntime } from '../../src/lib/runtime.ts';
import { closeDatabase } from '../../db/open.ts';
import { validateHtml } from '../support/vnu.ts';
import { e2eConfig, untilServerNotices } from './e2e-database.ts';
import { expect, test } from './fixtures.ts';

const token = Date.now().toString(36);
const ground = {
  code: `repeated-posting-${token}`,
  title: `Repeated posting ${token}`,
  description: 'Posts the same message again and again.',
};
// In both 1.0 and the seeded 1.1 (which adds "or get an email when they change" after it).
const REWORDED_FROM = "so if they're important to you, please keep checking back";
const REWORDED_TO = "so if they're important to you, please check this page often or follow our changelog";
let version = '';

/** Publishes a minor version (now unless `at` is given): one paragraph reworded, one ground added. */
async function publishNewVersion(at: Date | 'now' = 'now', note = 'mentions the changelog'): Promise<string> {
  const rt = await createRuntime(e2eConfig());
  try {
    const created = await createDraft(rt);
    if (!created.ok) throw new Error('no version in force');
    const draft = (await getDraft(rt, created.draftId))!;
    const saved = await updateDraft(rt, created.draftId, {
      bodyMarkdown: draft.bodyMarkdown.replace(REWORDED_FROM, REWORDED_TO),
      changeSummary: `Adds a ground for repeated posting (${token}) and ${note}`,
      grounds: draft.grounds.some((g) => g.code === ground.code) ? draft.grounds : [...draft.grounds, ground],
    });
    if (!saved.ok) throw new Error(JSON.stringify(saved));
    const published = await publishDraft(rt, created.draftId, { kind: 'minor', effectiveAt: at });
    if (!published.ok) throw new Error(JSON.stringify(published));
    return published.version;
  } finally {
    await closeDatabase(rt.db);
  }
}

test.describe('versioned principles', () => {
  test.describe.configure({ mode: 'serial' });

  test.beforeAll(async () => {
    version = await publishNewVersion();
    // Published by this process, not the server: "at once" is once the server can know of it.
    await untilServerNotices();
  });

  test('/principles shows the new version at once', async ({ page, expectAccessible }) => {
    await page.goto('/principles');
    await expect(page.getByTestId('version-number')).toHaveText(version);
    await expect(page.getByText('please check this page often or follow our changelog')).toBeVisible();
    await expect(page.locator(`#ground-${ground.code}`)).toContainText(ground.description);
    await expect(
      page.getByRole('link', {
        name: new RegExp(`^See what changed from version [\\d.]+ to version ${version.replace('.', '\\.')}$`),
      }),
    ).toHaveAttribute('href', /^\/principles\/compare\//);
    await expectAccessible(page);
  });

  test('/principles/1.0 is unchanged and points to the current version', async ({ page, expectAccessible }) => {
    await page.goto('/principles/1.0');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Our social media principles, version 1.0');
    await expect(page.getByTestId('version-number')).toHaveText('1.0');
    await expect(page.getByText(REWORDED_FROM)).toBeVisible();
    await expect(page.getByText('follow our changelog')).toHaveCount(0);
    // 1.0 lists its ten reasons in its own text; the anchors are placed on that list.
    await expect(page.locator('li[id^="ground-"]')).toHaveCount(10);
    await expect(page.getByRole('heading', { name: /This is not the current version/ })).toBeVisible();
    await expect(page.getByRole('link', { name: `Read the current version (${version})` })).toHaveAttribute(
      'href',
      '/principles',
    );
    await expectAccessible(page);
  });

  test('the compare page marks added and removed words and lists the added ground', async ({
    page,
    expectAccessible,
  }) => {
    const response = await page.goto(`/principles/compare/1.0...${version}`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Changes from version 1.0 to version ${version}`);
    const text = page.getByTestId('text-diff');
    await expect(text.locator('ins.app-diff__ins').filter({ hasText: 'follow our changelog' })).toHaveCount(1);
    await expect(text.locator('ins.app-diff__ins .nhsuk-u-visually-hidden').first()).toHaveText('added:');
    await expect(text.locator('del.app-diff__del').first()).toBeAttached();
    await expect(text.locator('del.app-diff__del .nhsuk-u-visually-hidden').first()).toHaveText('removed:');
    const added = page.getByTestId('grounds-added');
    await expect(added).toContainText(ground.title);
    await expect(added.locator('ins .nhsuk-u-visually-hidden').first()).toHaveText('added:');
    await expectAccessible(page);
  });

  test('the compare form works without JavaScript', async ({ page, expectAccessible }) => {
    await page.goto('/principles/compare');
    await expectAccessible(page);
    await page.getByLabel('Earlier version').selectOption('1.0');
    await page.getByLabel('Later version').selectOption(version);
    await page.getByRole('button', { name: 'Compare versions' }).click();
    await expect(page).toHaveURL(new RegExp(`/principles/compare/1\\.0\\.\\.\\.${version.replace('.', '\\.')}$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Changes from version 1.0 to version ${version}`);
  });

  test('malformed or unknown compare addresses are not found', async ({ page }) => {
    for (const path of [
      '/principles/compare/1.0..1.1',
      '/principles/compare/1.0...99.0',
      '/principles/compare/x...y',
      `/principles/compare/1.0...${version}...2.0`,
    ]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
    }
    const response = await page.goto('/principles/compare?from=1.0&to=99.0');
    expect(response?.status()).toBe(400);
    await expect(page).toHaveTitle(/^Error: /);
  });

  test('the changelog lists every version newest first with links', async ({ page, expectAccessible }) => {
    await page.goto('/changelog');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Changes to our social media principles');
    const headings = (await page.getByRole('main').getByRole('heading', { level: 2 }).allTextContents())
      .map((h) => h.trim())
      .filter((h) => h.startsWith('Version'));
    expect(headings[0]).toContain(`Version ${version}`);
    expect(headings[0]).toContain('In force now');
    expect(headings.at(-1)).toContain('Version 1.0');
    const entry = page.getByTestId(`changelog-${version}`);
    await expect(entry).toContainText(`Adds a ground for repeated posting (${token})`);
    await expect(entry.getByRole('link', { name: `Read version ${version}` })).toHaveAttribute(
      'href',
      `/principles/${version}`,
    );
    await expect(
      entry.getByRole('link', { name: new RegExp(`^Compare version ${version.replace('.', '\\.')} with version`) }),
    ).toHaveAttribute('href', /^\/principles\/compare\//);
    await expectAccessible(page);
  });

  test('the Atom feed and the JSON archive list the new version', async ({ request, baseURL }) => {
    const feed = await request.get('/changelog.xml');
    expect(feed.headers()['content-type']).toContain('application/atom+xml');
    const xml = await feed.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@',
      isArray: (n) => n === 'entry' || n === 'link',
    }).parse(xml);
    const entries = doc.feed.entry as { id: string; title: { '#text': string } }[];
    expect(entries[0]!.title['#text']).toBe(`Version ${version}`);
    expect(entries[0]!.id).toMatch(new RegExp(`^http://localhost:\\d+/principles/${version.replace('.', '\\.')}$`));
    expect(entries.at(-1)!.title['#text']).toBe('Version 1.0');
    expect(baseURL).toBeTruthy();

    const archive = await (await request.get('/principles.json')).json();
    const numbers = archive.versions.map((v: { version: string }) => v.version);
    expect(numbers[0]).toBe(version);
    expect(numbers).toContain('1.0');
    expect(archive.versions[0].grounds).toContainEqual(ground);
    expect(archive.versions[0].inForce).toBe(true);
  });

  test('repeat visits cost a 304 on every principles address', async ({ request }) => {
    for (const path of [
      '/principles',
      '/principles/1.0',
      `/principles/${version}`,
      `/principles/compare/1.0...${version}`,
      '/changelog',
      '/changelog.xml',
      '/principles.json',
    ]) {
      const first = await request.get(path);
      expect(first.status(), path).toBe(200);
      const etag = first.headers()['etag'];
      const lastModified = first.headers()['last-modified'];
      expect(etag, path).toMatch(/^"[\w-]+"$/);
      expect(lastModified, path).toBeTruthy();
      expect(first.headers()['cache-control'], path).toBe('public, max-age=0, must-revalidate');
      const again = await request.get(path, { headers: { 'If-None-Match': etag! } });
      expect(again.status(), path).toBe(304);
      expect(await again.body(), path).toHaveLength(0);
      const since = await request.get(path, { headers: { 'If-Modified-Since': lastModified! } });
      expect(since.status(), path).toBe(304);
      const stale = await request.get(path, { headers: { 'If-None-Match': '"not-this-one"' } });
      expect(stale.status(), path).toBe(200);
    }
  });

  test('a scheduled version takes effect at its time without a restart', async ({ page }) => {
    const previous = version;
    const at = new Date(Date.now() + 3_000);
    version = await publishNewVersion(at, 'a later review');
    expect(version).not.toBe(previous);
    await page.goto('/principles');
    await expect(page.getByTestId('version-number')).toHaveText(previous);
    expect((await page.goto(`/principles/${version}`))?.status()).toBe(404);
    await page.waitForTimeout(Math.max(0, at.getTime() - Date.now()) + 200);
    await page.goto('/principles');
    await expect(page.getByTestId('version-number')).toHaveText(version);
    expect((await page.goto(`/principles/${version}`))?.status()).toBe(200);
  });

  test('the new pages are valid HTML (Nu Html Checker)', async ({ request }) => {
    const paths = [`/principles/compare/1.0...${version}`, '/principles/compare', '/changelog'];
    const documents = [];
    for (const path of paths) documents.push({ name: path, html: await (await request.get(path)).text() });
    expect(await validateHtml(documents)).toEqual([]);
  });
});
