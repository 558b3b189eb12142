/**
 * The staff side at a few hundred appeals, JavaScript off: the queue opens on open appeals soonest
 * due first with received, platform and account columns and numbered pages; its search finds an
 * appeal by appeal reference, case reference (with a typo), handle and email; reviewers read
 * cases (never change them) and find the case for a no-reference appeal; signing in returns to
 * the page asked for (never to another site); open follow-ups across appeals, and "Mark as done"
 * emails the appellant (real SMTP sink); "Invitation sent" survives a refresh.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { updateAppeal } from '../../db/appeals.ts';
import { insertFollowUp } from '../../db/review.ts';
import { insertTestAppeal } from '../support/appeals.ts';
import { insertTestCase } from '../support/cases.ts';
import { expect, test } from './fixtures.ts';
import { DAY, expectError, submit, withDatabase } from './journey-helpers.ts';
import { createStaff, freshCode, signInAs } from './staff-fixtures.ts';

const rows = (page: Page) => page.locator('table tbody tr');
/** Set SCREENSHOTS_DIR to keep a screenshot of the full queue (to look at it). */
const SHOTS = process.env.SCREENSHOTS_DIR;

/** One character of a reference replaced by another (the check character catches it). */
function mistype(ref: string): string {
  return (ref[0] === 'X' ? 'Y' : 'X') + ref.slice(1);
}

async function search(page: Page, q: string): Promise<void> {
  await page.getByLabel('Find an appeal').fill(q);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
}

test('the queue at 200 appeals: open ones first, soonest due, columns, numbered pages and search by every key', async ({
  page,
  expectAccessible,
}) => {
  test.setTimeout(480_000);
  const reviewer = await createStaff({ roles: ['reviewer'], name: 'Quinn Queue-Search' });
  const now = Date.now();
  const tag = Math.random().toString(36).slice(2, 8);
  const platforms = ['facebook', 'x', 'instagram', 'tiktok', 'linkedin', 'youtube'] as const;
  const seeded = await withDatabase(async (db) => {
    const c = await insertTestCase(db, { handle: `@Case_${tag}` });
    // Long past due: first in the queue (soonest due), unless decided.
    const first = await insertTestAppeal(db, {
      caseId: c.id,
      dueAt: new Date(now - 9000 * DAY),
      receivedAt: new Date(now - 9014 * DAY),
      email: `case-${tag}@example.org`,
    });
    const decided = await insertTestAppeal(db, {
      status: 'decided',
      dueAt: new Date(now - 9500 * DAY),
      handle: `@decided_${tag}`,
    });
    const withdrawn = await insertTestAppeal(db, {
      status: 'withdrawn',
      dueAt: new Date(now - 9500 * DAY),
      handle: `@withdrawn_${tag}`,
    });
    const byEmail = await insertTestAppeal(db, {
      email: `find-${tag}@example.org`,
      handle: `@email_${tag}`,
      platform: 'instagram',
      dueAt: new Date(now + 3 * DAY),
    });
    const byHandle = await insertTestAppeal(db, {
      handle: `@Handle_${tag}`,
      platform: 'x',
      dueAt: new Date(now + 4 * DAY),
    });
    for (let i = 0; i < 195; i++) {
      const status = i % 10 === 0 ? 'in-review' : i % 17 === 0 ? 'waiting' : 'new';
      await insertTestAppeal(db, {
        status,
        platform: platforms[i % platforms.length],
        handle: `@person_${i}_${tag}`,
        receivedAt: new Date(now - (i % 14) * DAY),
        dueAt: new Date(now - 8000 * DAY + i * DAY),
      });
    }
    return { caseRef: c.reference, first, decided, withdrawn, byEmail, byHandle };
  });

  await signInAs(page, reviewer);
  await page.goto('/staff/appeals');
  // Open appeals by default, soonest due first: the long-overdue one on the case leads.
  await expect(page.getByLabel('Status')).toHaveValue('open');
  await expect(rows(page)).toHaveCount(25);
  await expect(rows(page).first()).toContainText(seeded.first.reference);
  await expect(rows(page).first()).toContainText(seeded.caseRef);
  await expect(rows(page).first()).toContainText('Facebook');
  await expect(rows(page).first()).toContainText(`@Case_${tag}`);
  await expect(page.getByRole('link', { name: seeded.decided.reference })).toHaveCount(0);
  await expect(page.getByRole('link', { name: seeded.withdrawn.reference })).toHaveCount(0);
  for (const header of ['Appeal', 'Case', 'Platform', 'Account', 'Status', 'Received', 'Due', 'Assigned to']) {
    await expect(page.getByRole('columnheader', { name: header, exact: true })).toBeVisible();
  }
  // Numbered pages: first, a few either side, the last.
  const pagination = page.getByRole('navigation', { name: 'Pagination' });
  await expect(pagination.getByRole('link', { name: 'Page 1', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(pagination.getByRole('link', { name: 'Page 3', exact: true })).toBeVisible();
  await expectAccessible(page);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `${SHOTS}/queue-200-appeals.png`, fullPage: true });
  }
  // The last numbered page (not the "Next: Page 2 of N" link).
  const pages = Number(
    (await pagination.locator('.nhsuk-pagination__list a').last().textContent())!.replace(/\D+/g, '') || '0',
  );
  expect(pages).toBeGreaterThanOrEqual(8);
  await pagination.getByRole('link', { name: `Page ${pages}`, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`page=${pages}`));
  await expect(page.getByLabel('Status')).toHaveValue('open');
  await expect(
    page.getByRole('navigation', { name: 'Pagination' }).getByRole('link', { name: `Page ${pages}`, exact: true }),
  ).toHaveAttribute('aria-current', 'page');
  await expectAccessible(page);

  // Any status still shows the decided one (due longest ago: first).
  await page.getByLabel('Status').selectOption('');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(rows(page).first()).toContainText(/./);
  await expect(page.getByRole('link', { name: seeded.decided.reference })).toBeVisible();

  // Search by the appeal reference, typed loosely.
  await search(page, seeded.byHandle.reference.toLowerCase().replace(/-/g, ' '));
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText(seeded.byHandle.reference);
  await expect(page.getByRole('status')).toContainText('1 appeal found');
  await expectAccessible(page);
  // By the case reference with a typo: the references one slip away are tried.
  await search(page, mistype(seeded.caseRef));
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText(seeded.first.reference);
  await expect(page.getByText('one mistyped or swapped character away')).toBeVisible();
  await expectAccessible(page);
  // By handle (any case, without the @) and by email (any case); in any status.
  await search(page, `handle_${tag}`.toUpperCase());
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText(seeded.byHandle.reference);
  await expect(rows(page).first()).toContainText('X (Twitter)');
  await search(page, `Find-${tag}@Example.org`);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText(seeded.byEmail.reference);
  await search(page, `@decided_${tag}`);
  await expect(rows(page).first()).toContainText(seeded.decided.reference);
  await expect(rows(page).first()).toContainText('Decided');
  // Nothing found, and a search too long to be anything: a clear message, a 400, the text kept.
  await search(page, `nobody-${tag}@example.org`);
  await expect(page.getByRole('status')).toContainText('No appeals found');
  await expect(rows(page)).toHaveCount(0);
  const long = 'x'.repeat(300);
  await page.getByLabel('Find an appeal').fill(long);
  // The search form is a GET form (a search is bookmarkable); waiting for a POST hung the test.
  const refused = await submit(page, 'Search', 'GET');
  expect(refused.status()).toBe(400);
  await expectError(page, 'q', 'Search must be 254 characters or fewer');
  await expect(page.getByLabel('Find an appeal')).toHaveValue(long);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Clear the search' }).click();
  await expect(page.getByLabel('Status')).toHaveValue('open');
});

test('reviewers read cases but cannot record or change them, and find the case for a no-reference appeal', async ({
  page,
  expectAccessible,
}) => {
  const moderator = await createStaff({ roles: ['moderator'] });
  const reviewer = await createStaff({ roles: ['reviewer'], name: 'Rita Reader' });
  const tag = Math.random().toString(36).slice(2, 8);
  const actionAt = new Date(Date.now() - 10 * DAY);
  const seeded = await withDatabase(async (db) => {
    const c = await insertTestCase(db, { handle: `@reader_${tag}`, recordedBy: moderator.id, actionAt });
    const decided = await insertTestAppeal(db, {
      caseId: c.id,
      status: 'decided',
      dueAt: new Date(Date.now() - 2 * DAY),
    });
    const claimedDate = actionAt.toISOString().slice(0, 10);
    const noRef = await insertTestAppeal(db, { handle: `@reader_${tag}`, platform: 'facebook' });
    await updateAppeal(db, noRef.id, { claimedDate });
    return { caseId: c.id, caseRef: c.reference, decided, noRef };
  });

  await signInAs(page, reviewer);
  await page.getByRole('link', { name: 'Moderation cases' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cases');
  await expect(page.getByRole('link', { name: 'Record a moderation action' })).toHaveCount(0);
  await expectAccessible(page);
  const recordPage = await page.goto('/staff/cases/new');
  expect(recordPage?.status()).toBe(403);

  // The no-reference appeal links to the case search filled in with platform, handle and dates.
  await page.goto(`/staff/appeals/${seeded.noRef.id}`);
  await page.getByRole('link', { name: 'Search the cases for this account and date' }).click();
  await expect(page).toHaveURL(/\/staff\/cases\?/);
  await expect(page.getByLabel('Platform')).toHaveValue('facebook');
  await expect(page.getByLabel('Reference or account handle')).toHaveValue(`@reader_${tag}`);
  await expect(rows(page)).toHaveCount(1);
  await expectAccessible(page);
  await page.getByRole('link', { name: seeded.caseRef }).click();

  // The case page, read-only: the outcome of the decided appeal, and its link opens.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(seeded.caseRef);
  await expect(page.getByText(`${seeded.decided.reference}: Decided: we have kept our decision`)).toBeVisible();
  await expect(page.getByRole('button')).toHaveText(['Sign out']);
  await expectAccessible(page);
  // A form post to the case page is refused for a reviewer.
  const posted = await page.request.post(`/staff/cases/${seeded.caseId}`, {
    form: { anything: '1' },
    headers: { Origin: new URL(page.url()).origin },
    maxRedirects: 0,
  });
  expect(posted.status()).toBe(403);
  await page.getByRole('link', { name: seeded.decided.reference }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Appeal ${seeded.decided.reference}`);
  // ...and back from the appeal to its case.
  await page.getByRole('link', { name: seeded.caseRef }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(seeded.caseRef);
});

test('signing in returns to the page asked for, never to another site', async ({ page, expectAccessible }) => {
  const reviewer = await createStaff({ roles: ['reviewer'] });
  const appeal = await withDatabase(async (db) => insertTestAppeal(db));
  const enterCode = async () => {
    await page.getByLabel('Security code').fill(await freshCode(reviewer));
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const enterPassword = async () => {
    await page.getByLabel('Email address').fill(reviewer.email);
    await page.getByLabel('Password').fill(reviewer.password);
    await page.getByRole('button', { name: 'Continue' }).click();
  };

  await page.goto(`/staff/appeals/${appeal.id}`);
  await expect(page).toHaveURL(new RegExp(`/staff/login\\?next=%2Fstaff%2Fappeals%2F${appeal.id}$`));
  await expect(page.getByText('Sign in to continue.')).toBeVisible();
  await expectAccessible(page);
  await enterPassword();
  await expect(page).toHaveURL(new RegExp(`/staff/login/code\\?next=%2Fstaff%2Fappeals%2F${appeal.id}$`));
  await enterCode();
  await expect(page).toHaveURL(new RegExp(`/staff/appeals/${appeal.id}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Appeal ${appeal.reference}`);

  // Signed in already: the sign-in page sends you straight on.
  await page.goto('/staff/login?next=%2Fstaff%2Fappeals%3Fq%3Dx');
  await expect(page).toHaveURL(/\/staff\/appeals\?q=x$/);

  // Another site, a protocol-relative or absolute address: staff home instead.
  await page.context().clearCookies();
  for (const evil of ['//evil.example/staff', 'https://evil.example/staff/appeals', '/\\evil.example']) {
    await page.goto(`/staff/login?next=${encodeURIComponent(evil)}`);
    await expect(page.getByText('Sign in to continue.')).toHaveCount(0);
  }
  await enterPassword();
  await expect(page).toHaveURL(/\/staff\/login\/code$/);
  await enterCode();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Staff home' })).toBeVisible();
});

test('open follow-ups across appeals; marking one done emails the appellant and says so', async ({
  page,
  mailbox,
  expectAccessible,
}) => {
  const reviewer = await createStaff({ roles: ['reviewer'] });
  const email = `follow-${Math.random().toString(36).slice(2, 8)}@example.org`;
  const seeded = await withDatabase(async (db) => {
    const c = await insertTestCase(db, { actions: ['hidden'] });
    const a = await insertTestAppeal(db, {
      caseId: c.id,
      status: 'decided',
      email,
      dueAt: new Date(Date.now() - 5 * DAY),
    });
    await updateAppeal(db, a.id, { outcome: 'overturned' });
    await insertFollowUp(db, { appealId: a.id, kind: 'restore-comment', dueAt: new Date(Date.now() - DAY) });
    return a;
  });

  await signInAs(page, reviewer);
  await page.getByRole('link', { name: 'Follow-ups' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Follow-ups');
  const row = rows(page).filter({ hasText: seeded.reference });
  await expect(row).toContainText('Restore the comment');
  await expect(row).toContainText('Overdue');
  await expectAccessible(page);
  await row.getByRole('link', { name: seeded.reference }).click();
  await page.getByRole('button', { name: 'Mark “Restore the comment” as done' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: 'Follow-up marked as done. The appellant has been emailed to say so.' }),
  ).toBeVisible();
  await expectAccessible(page);
  const [done] = await mailbox.waitFor({
    to: email,
    subject: `Your comment is visible again: appeal ${seeded.reference}`,
  });
  expect(done!.text).toContain(
    `As we told you in our decision on your appeal ${seeded.reference}, we have made your comment visible again.`,
  );
  expect(done!.text).not.toContain(reviewer.name);
  // The banner is shown once; the follow-up has left the list.
  await page.reload();
  await expect(page.getByText('Follow-up marked as done.')).toHaveCount(0);
  await page.goto('/staff/follow-ups');
  await expect(page.getByRole('link', { name: seeded.reference })).toHaveCount(0);
});

test('"Invitation sent" survives a refresh, and a refresh does not invite twice', async ({
  page,
  mailbox,
  expectAccessible,
}) => {
  const admin = await createStaff({ roles: ['admin'] });
  const email = `prg-${Date.now()}@example.org`;
  await signInAs(page, admin);
  await page.goto('/staff/admin/invite');
  await page.getByLabel('Full name').fill('Pat Refresh');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Reviewer').check();
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page).toHaveURL(/\/staff\/admin\/invite\?sent=\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Invitation sent');
  const link = (await page.locator('#invite-link').textContent())!.trim();
  expect(link).toMatch(/\/setup\/[A-Za-z0-9_-]+$/);
  await expectAccessible(page);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Invitation sent');
  await expect(page.getByText(`We have emailed Pat Refresh at ${email}`)).toBeVisible();
  // The one-time link is shown once only.
  await expect(page.locator('#invite-link')).toHaveCount(0);
  await expectAccessible(page);
  const [mail] = await mailbox.waitFor({ to: email });
  expect(mail!.text).toContain(link);
  await new Promise((r) => setTimeout(r, 1000));
  expect(await mailbox.messages({ to: email })).toHaveLength(1);
});
