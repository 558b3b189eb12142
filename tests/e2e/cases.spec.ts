/**
 * Moderators record cases: the reference, the notice, grounds from the version in force at the
 * time of the action, and bad input kept with errors next to the fields. JavaScript is off.
 */
import type { Page } from '@playwright/test';
import { createDraft, getDraft, publishDraft, updateDraft } from '../../src/lib/principles/versions.ts';
import { parseReference } from '../../src/lib/cases/references.ts';
import { createRuntime } from '../../src/lib/runtime.ts';
import { closeDatabase } from '../../db/open.ts';
import { e2eConfig } from './e2e-database.ts';
import { expect, test } from './fixtures.ts';
import { createStaff, signInAs } from './staff-fixtures.ts';

const token = Date.now().toString(36);
const newGround = {
  code: `spam-links-${token}`,
  title: `Spam links ${token}`,
  description: 'Posts links to unrelated products again and again.',
};

/** Publishes a version (effective now) that adds a ground, straight through the domain functions. */
async function publishVersionWithNewGround(): Promise<string> {
  const rt = await createRuntime(e2eConfig());
  try {
    const created = await createDraft(rt);
    if (!created.ok) throw new Error('no version in force');
    const draft = (await getDraft(rt, created.draftId))!;
    const saved = await updateDraft(rt, created.draftId, {
      bodyMarkdown: draft.bodyMarkdown,
      changeSummary: `Adds a ground for spam links (${token})`,
      grounds: [...draft.grounds, newGround],
    });
    if (!saved.ok) throw new Error(JSON.stringify(saved));
    const published = await publishDraft(rt, created.draftId, { kind: 'minor', effectiveAt: 'now' });
    if (!published.ok) throw new Error(JSON.stringify(published));
    return published.version;
  } finally {
    await closeDatabase(rt.db);
  }
}

async function fillValidCase(page: Page, handle: string): Promise<void> {
  await page.getByLabel('Facebook').check();
  await page.getByLabel('Account handle').fill(handle);
  await page.getByLabel('Link to the post').fill('https://www.facebook.com/nsft/posts/42');
  await page.getByLabel('Excerpt of the post (optional)').fill('You are all useless <b>idiots</b>');
  await page.getByLabel('Comment hidden').check();
  await page.getByLabel('Statement of reasons').fill('The comment insulted members of staff.');
  await page.getByLabel('Our own monitoring').check();
  await page.getByRole('group', { name: 'Did automated means take the action?' }).getByLabel('No').check();
}

test.describe('moderation cases', () => {
  test('a moderator records a case and gets a checkable reference and a ready-to-paste notice', async ({
    page,
    expectAccessible,
  }) => {
    await signInAs(page, await createStaff({ roles: ['moderator'] }));
    await page.goto('/staff/cases/new');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Record a moderation action');
    await expectAccessible(page);
    const handle = `@case-${token}`;
    await fillValidCase(page, handle);
    await page.getByLabel('Abuse towards people').check();
    await page.getByRole('button', { name: 'Record and get a case reference' }).click();

    await expect(page.getByRole('heading', { name: 'Moderation action recorded' })).toBeVisible();
    const reference = (await page.locator('#case-reference').textContent())!.trim();
    expect(parseReference(reference)).toEqual({ ok: true, reference });
    const short = await page.getByLabel('Short message (under 500 characters)').inputValue();
    expect(short.length).toBeLessThan(500);
    expect(short).toContain('We hid your comment');
    expect(short).toContain(`/appeal?ref=${reference}`);
    expect(short).toContain(reference);
    await expect(page.getByLabel('Long message')).toHaveValue(/The comment insulted members of staff\./);
    // The excerpt is shown as text, never as markup.
    await expect(page.getByText('You are all useless <b>idiots</b>')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Appeals on this case' })).toBeVisible();
    await expect(page.getByText(/: Recorded by Test/)).toBeVisible();
    await expectAccessible(page);

    // The case list finds it by reference and by handle.
    for (const q of [reference, handle]) {
      await page.goto(`/staff/cases?q=${encodeURIComponent(q)}`);
      await expect(page.getByRole('link', { name: reference })).toBeVisible();
    }
    await expectAccessible(page);
  });

  test('the grounds offered come from the version in force at the time of the action', async ({
    page,
    expectAccessible,
  }) => {
    const version = await publishVersionWithNewGround();
    await signInAs(page, await createStaff({ roles: ['moderator'] }));
    await page.goto('/staff/cases/new');
    // Today: the new version and its new ground.
    await expect(
      page.getByRole('group', { name: `Which grounds for action apply? (principles version ${version})` }),
    ).toBeVisible();
    await expect(page.getByLabel(newGround.title)).toBeVisible();

    // An action in June 2025, before the new version: version 1.0's grounds only.
    await page.getByLabel('Day').fill('1');
    await page.getByLabel('Month').fill('6');
    await page.getByLabel('Year').fill('2025');
    await page.getByLabel('Time (24-hour, like 14:30)').fill('10:00');
    await page.getByRole('button', { name: 'Show grounds for this date' }).click();
    await expect(
      page.getByRole('group', { name: 'Which grounds for action apply? (principles version 1.0)' }),
    ).toBeVisible();
    await expect(page.getByLabel(newGround.title)).toHaveCount(0);
    await expectAccessible(page);

    await fillValidCase(page, `@old-${token}`);
    await page.getByLabel('Irrelevant advertising').check();
    await page.getByRole('button', { name: 'Record and get a case reference' }).click();
    await expect(page.getByRole('heading', { name: 'Moderation action recorded' })).toBeVisible();
    await expect(page.getByRole('link', { name: '(version 1.0)' })).toHaveAttribute(
      'href',
      '/principles/1.0#ground-irrelevant-advertising',
    );
  });

  test('bad input gets errors next to the fields and keeps everything typed', async ({ page, expectAccessible }) => {
    await signInAs(page, await createStaff({ roles: ['moderator'] }));
    await page.goto('/staff/cases/new');

    // Nothing chosen at all.
    await page.getByRole('button', { name: 'Record and get a case reference' }).click();
    await expect(page).toHaveTitle(/^Error: /);
    const summary = page.locator('.nhsuk-error-summary');
    for (const message of [
      'Select the platform',
      'Enter the account handle',
      'Enter the link to the post',
      'Select the actions taken',
      'Select the grounds for the action',
      'Enter the statement of reasons',
      'Select how it came to our attention',
      'Select whether automated means took the action',
    ]) {
      await expect(summary.getByRole('link', { name: message })).toBeVisible();
    }
    await expectAccessible(page);

    // A future date, a 100 kB excerpt and a javascript: link.
    await fillValidCase(page, `@bad-${token}`);
    await page.getByLabel('Abuse towards people').check();
    await page.getByLabel('Year').fill(String(new Date().getFullYear() + 1));
    await page.getByLabel('Link to the post').fill('javascript:alert(1)');
    const huge = 'x'.repeat(100_000);
    await page.getByLabel('Excerpt of the post (optional)').fill(huge);
    const response = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Record and get a case reference' }).click();
    expect((await response).status()).toBe(400);
    await expect(page.locator('#action-error')).toContainText('must be in the past');
    await expect(page.locator('#post-url-error')).toContainText('starts with https://');
    await expect(page.locator('#excerpt-error')).toContainText('5,000 characters or fewer');
    // Everything typed is still there.
    await expect(page.getByLabel('Account handle')).toHaveValue(`@bad-${token}`);
    await expect(page.getByLabel('Link to the post')).toHaveValue('javascript:alert(1)');
    expect((await page.getByLabel('Excerpt of the post (optional)').inputValue()).length).toBe(100_000);
    await expect(page.getByLabel('Statement of reasons')).toHaveValue('The comment insulted members of staff.');
    await expect(page.getByLabel('Abuse towards people')).toBeChecked();
    await expect(page.getByLabel('Comment hidden')).toBeChecked();
    await expectAccessible(page);
  });

  test('only moderators can record cases', async ({ page }) => {
    await signInAs(page, await createStaff({ roles: ['reviewer'] }));
    const response = await page.goto('/staff/cases/new');
    expect(response?.status()).toBe(403);
  });
});
