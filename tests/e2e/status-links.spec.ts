/**
 * Status links that keep working, "Get my status link again" and waiting for the appellant
 * (issue 19 points 1 to 3), JavaScript off, through the real SMTP sink: the information request
 * carries a link of its own that opens the reply page with the question; a lost link is asked
 * for again at /appeal/find, which answers the same whether or not the appeal exists; an
 * unanswered request gets one reminder, then the review resumes by itself (`npm run info-wait`).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { and, count, eq, inArray } from 'drizzle-orm';
import { tablesOf } from '../../db/dialect/index.ts';
import { addWorkingDays } from '../../src/lib/platform/calendar.ts';
import { insertAppealEvent, updateAppeal } from '../../db/appeals.ts';
import { formatDate } from '../../src/lib/platform/dates.ts';
import { infoWaitDates } from '../../src/lib/appeals/info-wait.ts';
import { insertTestAppeal } from '../support/appeals.ts';
import { validateHtml } from '../support/vnu.ts';
import { expect, test, type SinkMessage } from './fixtures.ts';
import { expectError, shot, submit, withDatabase } from './journey-helpers.ts';
import { createStaff, signInAs } from './staff-fixtures.ts';

/** The path of the private status link an email carries (its text part). */
function statusPathIn(mail: SinkMessage | undefined): string {
  const found = /https?:\/\/[^\s/]+(\/appeal\/status\/[A-Za-z0-9_-]{22,}(?:\/add-information)?)/.exec(mail?.text ?? '');
  if (!found) throw new Error(`no status link in "${mail?.subject}"`);
  return found[1]!;
}

async function ask(page: Page, reference: string, email: string) {
  await page.getByLabel('Appeal reference').fill(reference);
  await page.getByLabel('Email address').fill(email);
  return submit(page, 'Send me a new link');
}

/** `npm run info-wait` against the test server's database (its worker delivers the emails). */
function runInfoWait(): string {
  const result = spawnSync('node_modules/.bin/tsx', ['scripts/info-wait.ts'], {
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR },
  });
  if (result.status !== 0) throw new Error(`info-wait failed: ${result.stderr}`);
  return result.stdout;
}

/** A moment to have asked at, so that now is past the reminder (and, with `resume`, past the answer-by day). */
function askedAgo(resume: boolean): Date {
  const now = Date.now();
  for (let back = 1; ; back++) {
    const at = new Date(now - back * 24 * 60 * 60_000);
    const { remindAt, answerBy } = infoWaitDates(at, 10);
    if (resume ? answerBy.getTime() < now : remindAt.getTime() < now) return at;
  }
}

test.describe('status links', () => {
  test('the information request’s own link opens the reply page with the question; the first link still works', async ({
    page,
    browser,
    baseURL,
    mailbox,
    expectAccessible,
  }) => {
    test.setTimeout(120_000);
    const reviewer = await createStaff({ roles: ['reviewer'], name: 'Lina Linkwell' });
    const firstToken = randomBytes(24).toString('base64url');
    const email = `links.${Date.now()}@example.org`;
    const appeal = await withDatabase(async (db) =>
      insertTestAppeal(db, {
        email,
        statusToken: firstToken,
        receivedAt: new Date(),
        dueAt: addWorkingDays(new Date(), 10),
      }),
    );

    await signInAs(page, reviewer);
    await page.goto(`/staff/appeals/${appeal.id}`);
    await page.getByRole('button', { name: 'Start review' }).click();
    const question = `Which post do you mean? Send us its link (${Date.now()}).`;
    await page.getByLabel('Ask the appellant for more information').fill(question);
    expect((await submit(page, 'Send request')).status()).toBe(303);

    const [request] = await mailbox.waitFor({
      to: email,
      subject: `We need more information about your appeal ${appeal.reference}`,
    });
    expect(request!.text).toContain(question);
    expect(request!.text).not.toContain('link in the email we sent when you made your appeal');
    expect(request!.text).toContain('/appeal/find');
    const replyPath = statusPathIn(request);
    expect(replyPath).toMatch(/\/add-information$/);
    expect(replyPath).not.toContain(firstToken);
    // The stored copy keeps only hashes: neither token is in the database.
    const [stored] = await withDatabase((db) => {
      const { appealStatusLinks } = tablesOf(db);
      return db.select({ n: count() }).from(appealStatusLinks).where(eq(appealStatusLinks.appealId, appeal.id));
    });
    expect(stored!.n).toBe(2);

    const appellant = await browser.newContext({ baseURL: baseURL!, javaScriptEnabled: false });
    try {
      const reply = await appellant.newPage();
      const opened = await reply.goto(replyPath);
      expect(opened!.status()).toBe(200);
      await expect(reply.getByRole('heading', { level: 1 })).toHaveText('Reply to our question');
      await expect(reply.getByTestId('our-question')).toContainText(question);
      await expectAccessible(reply);
      await shot(reply, 'links-01-reply-page-question');
      expect(await validateHtml([{ name: 'reply page with the question', html: await reply.content() }])).toEqual([]);
      // An empty answer is refused next to the field, the question still shown.
      expect((await submit(reply, 'Add to my appeal')).status()).toBe(400);
      await expect(reply.getByTestId('our-question')).toContainText(question);
      await expectAccessible(reply);
      await reply
        .getByLabel('What do you want to add to your appeal?')
        .fill('It was my reply of 3 November on your Facebook page.');
      await reply.getByRole('button', { name: 'Add to my appeal' }).click();
      await expect(reply.getByText('We have added your information to your appeal')).toBeVisible();
      // The link in the acknowledgement still opens the same appeal.
      await reply.goto(`/appeal/status/${firstToken}`);
      await expect(reply.getByRole('main').locator('.nhsuk-tag')).toHaveText('Being reviewed');
      await expect(reply.getByText('It was my reply of 3 November on your Facebook page.')).toBeVisible();
    } finally {
      await appellant.close();
    }
  });

  test('a lost link: from the “link does not work” page to /appeal/find, the same answer either way, a new link by email', async ({
    page,
    mailbox,
    expectAccessible,
  }) => {
    const email = `found.${Date.now()}@example.org`;
    const firstToken = randomBytes(24).toString('base64url');
    const appeal = await withDatabase(async (db) => insertTestAppeal(db, { email, statusToken: firstToken }));

    // Where a lost link is looked for: the start page and the "link does not work" page.
    await page.goto('/appeal');
    await expect(page.getByRole('link', { name: 'get your status link again' })).toHaveAttribute(
      'href',
      '/appeal/find',
    );
    const broken = await page.goto(`/appeal/status/${randomBytes(24).toString('base64url')}`);
    expect(broken!.status()).toBe(404);
    await page.getByRole('link', { name: 'get your status link again' }).click();
    await expect(page).toHaveURL(/\/appeal\/find$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Get my status link again');
    await expectAccessible(page);
    await shot(page, 'links-02-find');

    // Nothing typed: both fields say what is missing, 400.
    expect((await submit(page, 'Send me a new link')).status()).toBe(400);
    await expectError(page, 'reference', 'Enter your appeal reference');
    await expectError(page, 'email', 'Enter your email address');
    await expectAccessible(page);
    await shot(page, 'links-03-find-errors');
    // A mistyped reference is caught by its check character; what was typed is kept.
    const typo = `${appeal.reference.slice(0, -1)}${appeal.reference.endsWith('0') ? '1' : '0'}`;
    expect((await ask(page, typo, 'not-an-address')).status()).toBe(400);
    await expectError(page, 'reference', /looks mistyped/);
    await expectError(page, 'email', 'Enter an email address in the correct format, like name@example.com');
    await expect(page.getByLabel('Appeal reference')).toHaveValue(typo);
    await expect(page.getByLabel('Email address')).toHaveValue('not-an-address');

    // The wrong address for a real appeal: the same page and status as a match, and no email.
    const before = (await mailbox.messages()).length;
    const miss = await ask(page, appeal.reference, `someone.else.${Date.now()}@example.org`);
    expect(miss.status()).toBe(303);
    await expect(page).toHaveURL(/\/appeal\/find\/sent$/);
    const missPage = await page.content();
    await expectAccessible(page);
    await shot(page, 'links-04-find-sent');

    // The right address, typed in capitals and the reference in small letters with spaces.
    await page.goto('/appeal/find');
    const hit = await ask(page, appeal.reference.toLowerCase().replace(/-/g, ' '), email.toUpperCase());
    expect(hit.status()).toBe(303);
    await expect(page).toHaveURL(/\/appeal\/find\/sent$/);
    expect(await page.content()).toBe(missPage);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email');

    const [mail] = await mailbox.waitFor({ to: email, subject: `Your status link for appeal ${appeal.reference}` });
    const all = await mailbox.messages();
    expect(all.slice(before).filter((m) => m.subject?.startsWith('Your status link'))).toHaveLength(1);
    const path = statusPathIn(mail);
    expect(path).not.toContain(firstToken);
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your appeal');
    await expect(page.getByText(appeal.reference).first()).toBeVisible();
    // The old link still works as well.
    expect((await page.goto(`/appeal/status/${firstToken}`))!.status()).toBe(200);
  });

  test('the find pages and their states pass the Nu Html Checker', async ({ request, baseURL }) => {
    const documents = [];
    for (const path of ['/appeal/find', '/appeal/find/sent'])
      documents.push({ name: path, html: await (await request.get(path)).text() });
    const error = await request.post('/appeal/find', {
      form: { reference: 'x', email: '' },
      headers: { Origin: baseURL! },
    });
    expect(error.status()).toBe(400);
    documents.push({ name: 'POST /appeal/find (errors)', html: await error.text() });
    documents.push({
      name: '/appeal/status/:bad',
      html: await (await request.get(`/appeal/status/${randomBytes(24).toString('base64url')}`)).text(),
    });
    expect(await validateHtml(documents)).toEqual([]);
  });

  test('waiting for the appellant: the status page says by when, one reminder with its link, then the review resumes and the reviewer is told', async ({
    page,
    browser,
    baseURL,
    mailbox,
    expectAccessible,
  }) => {
    test.setTimeout(120_000);
    const reviewer = await createStaff({ roles: ['reviewer'], name: 'Wanda Waiting' });
    const token = randomBytes(24).toString('base64url');
    const email = `waiting.${Date.now()}@example.org`;
    const question = `Which of our posts did you reply to? (${Date.now()})`;
    const asked = askedAgo(false);
    const appeal = await withDatabase(async (db) => {
      const made = await insertTestAppeal(db, {
        email,
        statusToken: token,
        status: 'waiting',
        receivedAt: asked,
        dueAt: addWorkingDays(asked, 8),
        assignedTo: reviewer.id,
      });
      await updateAppeal(db, made.id, { pausedAt: asked });
      await insertAppealEvent(db, {
        appealId: made.id,
        at: asked,
        actorType: 'staff',
        actorId: reviewer.id,
        kind: 'info-requested',
        body: question,
        details: { from: 'in-review', to: 'waiting' },
      });
      return made;
    });
    const answerBy = formatDate(infoWaitDates(asked, 10).answerBy);

    // The status page says by when we need the answer.
    const appellant = await browser.newContext({ baseURL: baseURL!, javaScriptEnabled: false });
    try {
      const status = await appellant.newPage();
      await status.goto(`/appeal/status/${token}`);
      await expect(status.getByTestId('answer-by')).toHaveText(
        `We need your answer by ${answerBy}. If we do not hear from you by then, we will carry on reviewing your appeal with the information we have.`,
      );
      await expectAccessible(status);
      await shot(status, 'links-05-status-waiting-answer-by');
      expect(
        await validateHtml([{ name: 'status page waiting, with the answer-by date', html: await status.content() }]),
      ).toEqual([]);

      // One reminder, with a link of its own to the reply page; a second run sends nothing more.
      // (The server runs the same check every minute; whichever runs first sends it, once.)
      expect(runInfoWait()).toMatch(/^Waiting for appellants: \d+ reminder\(s\) sent/);
      const [reminder] = await mailbox.waitFor({
        to: email,
        subject: `Reminder: we need more information about your appeal ${appeal.reference}`,
      });
      expect(reminder!.text).toContain(question);
      expect(reminder!.text).toContain(`by ${answerBy}`);
      runInfoWait();
      const replyPath = statusPathIn(reminder);
      expect(replyPath).toMatch(/\/add-information$/);
      await status.goto(replyPath);
      await expect(status.getByTestId('our-question')).toContainText(question);
      await expect(status.getByTestId('answer-by')).toContainText(answerBy);
      expect(await mailbox.messages({ to: email, subject: /^Reminder:/ })).toHaveLength(1);

      // Twice the wait without an answer: the review resumes by itself.
      const longAgo = askedAgo(true);
      await withDatabase(async (db) => {
        await updateAppeal(db, appeal.id, { pausedAt: longAgo, dueAt: addWorkingDays(longAgo, 8) });
        const { appealEvents } = tablesOf(db);
        await db
          .update(appealEvents)
          .set({ at: longAgo })
          .where(
            and(
              eq(appealEvents.appealId, appeal.id),
              inArray(appealEvents.kind, ['info-requested', 'info-reminder-sent']),
            ),
          );
      });
      expect(runInfoWait()).toMatch(/\d+ review\(s\) resumed without an answer/);
      const [told] = await mailbox.waitFor({
        to: reviewer.email,
        subject: `No answer from the appellant: appeal ${appeal.reference} is back in review`,
      });
      expect(told!.text).toContain(`/staff/appeals/${appeal.id}`);
      expect(told!.text).not.toContain(email);
      await status.goto(`/appeal/status/${token}`);
      await expect(status.getByRole('main').locator('.nhsuk-tag')).toHaveText('Being reviewed');
      await expect(status.getByText('We carried on reviewing your appeal without an answer from you')).toBeVisible();
      await expect(status.getByTestId('answer-by')).toHaveCount(0);
    } finally {
      await appellant.close();
    }
    // The reviewer sees it in the history.
    await signInAs(page, reviewer);
    await page.goto(`/staff/appeals/${appeal.id}`);
    await expect(page.getByText('Review resumed: no answer from the appellant')).toBeVisible();
    await expect(page.getByText('Reminder sent: no answer yet')).toBeVisible();
    await expectAccessible(page);
  });
});
