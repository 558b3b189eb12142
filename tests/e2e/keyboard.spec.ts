/**
 * The appeal journey with the keyboard only: Tab to move, typing into fields, Enter to follow a
 * link or press a button. No mouse, no JavaScript.
 */
import type { Locator, Page } from '@playwright/test';
import { closeDatabase } from '../../db/open.ts';
import { insertTestCase } from '../support/cases.ts';
import { openServerDatabase } from './e2e-database.ts';
import { expect, test } from './fixtures.ts';

/**
 * Presses Tab until `target` has focus (and fails if it never does). Every element Tab lands on
 * on the way must show where the focus is (WCAG 2.4.7): an outline or a box shadow.
 */
async function tabTo(page: Page, target: Locator, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      return {
        what: `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 40)}"`,
        visible: outline || style.boxShadow !== 'none',
      };
    });
    if (focus) expect(focus.visible, `no visible focus on ${focus.what} at ${page.url()}`).toBe(true);
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

test('the whole appeal journey works with the keyboard alone', async ({ page }) => {
  const db = await openServerDatabase();
  const { reference } = await insertTestCase(db, { actions: ['hidden'] });
  await closeDatabase(db);

  await page.goto('/appeal');
  // The skip link is the first thing Tab reaches.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  await tabTo(page, page.getByRole('button', { name: 'Start now' }));
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('What is your case reference?');
  await tabTo(page, page.getByLabel('Case reference'));
  await page.keyboard.type(reference);
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('What we did and why');
  await tabTo(page, page.getByRole('button', { name: 'Continue' }));
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Why do you disagree with our decision?');
  await tabTo(page, page.getByLabel('Why do you disagree with our decision?'));
  await page.keyboard.type('I only asked a question about visiting times.');
  await tabTo(page, page.getByRole('button', { name: 'Continue' }));
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('How can we contact you?');
  await tabTo(page, page.getByLabel('Email address'));
  await page.keyboard.type(`keyboard-${Date.now()}@example.org`);
  await tabTo(page, page.getByRole('button', { name: 'Continue' }));
  await page.keyboard.press('Enter');

  // Radios are chosen with the Space bar.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Are you asking for yourself or for someone else?');
  await tabTo(page, page.getByLabel('For myself'));
  await page.keyboard.press('Space');
  await tabTo(page, page.getByRole('button', { name: 'Continue' }));
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Do you need us to contact you in a different way?');
  await tabTo(page, page.getByLabel('No', { exact: true }));
  await page.keyboard.press('Space');
  await tabTo(page, page.getByRole('button', { name: 'Continue' }));
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/Check your answers/);
  await tabTo(page, page.getByRole('button', { name: 'Send appeal' }));
  await page.keyboard.press('Enter');

  await expect(page.locator('#appeal-reference')).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}$/);
});
