/**
 * Helpers shared by the public journey browser tests: screenshots at 320 px, the error pattern
 * (summary link + message next to the field) and the running server's database.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Response } from '@playwright/test';
import type { Db } from '../../db/client.ts';
import { closeDatabase } from '../../db/open.ts';
import { insertTestCase, type TestCaseOptions } from '../support/cases.ts';
import { openServerDatabase } from './e2e-database.ts';
import { expect } from './fixtures.ts';

export const DAY = 24 * 60 * 60_000;

/** Works on the running server's database, as staff pages would (review, requests, decisions). */
export async function withDatabase<T>(work: (db: Db) => Promise<T> | T | Promise<T>): Promise<T> {
  const db = await openServerDatabase();
  try {
    return await work(db);
  } finally {
    await closeDatabase(db);
  }
}

/** Records a case straight into the running server's database, as a moderator would. */
export async function recordCase(options: TestCaseOptions = {}): Promise<string> {
  return withDatabase(async (db) => (await insertTestCase(db, options)).reference);
}

/** Screenshots of every step at 320 px wide (or `width`), when SCREENSHOTS_DIR is set (to look at them). */
export async function shot(page: Page, name: string, width = 320): Promise<void> {
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const size = page.viewportSize();
  await page.setViewportSize({ width, height: 640 });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  if (size) await page.setViewportSize(size);
}

/** The error summary links to the field and the same message sits next to it (`#<field>-error`). */
export async function expectError(page: Page, field: string, message: string | RegExp): Promise<void> {
  await expect(page).toHaveTitle(/^Error: /);
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await expect(summary.getByRole('link', { name: message })).toBeVisible();
  await expect(page.locator(`#${field}-error`)).toContainText(message);
}

export async function continueButton(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** Clicks a submit button and returns the response to the form's request (its status code). */
export async function submit(page: Page, button: string, method: 'POST' | 'GET' = 'POST'): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === method && r.request().isNavigationRequest()),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState();
  return response;
}

/**
 * The two questions after the contact details, answered the simplest way: asking for myself, and
 * no other way to contact me. Ends on check your answers.
 */
export async function answerAboutYou(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Are you asking for yourself or for someone else?');
  await page.getByLabel('For myself').check();
  await continueButton(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Do you need us to contact you in a different way?');
  await page.getByLabel('No', { exact: true }).check();
  await continueButton(page);
}
