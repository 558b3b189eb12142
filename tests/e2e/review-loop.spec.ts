/**
 * The whole review loop with JavaScript off: a moderator records a case, a member of the public
 * appeals against it, a different reviewer finds it in the queue, notes and decides it (preview,
 * then send), the decision email reaches the SMTP sink, the status page shows the decision and
 * the follow-up is ticked off. The moderator who recorded the case is refused.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { answerAboutYou } from './journey-helpers.ts';
import { createStaff, signInAs, signOut } from './staff-fixtures.ts';

const continueButton = (page: Page) => page.getByRole('button', { name: 'Continue' }).click();

async function decide(page: Page, explanation: string): Promise<void> {
  await page.getByLabel('We have reversed our decision', { exact: true }).check();
  await page.getByLabel('Reasons for the decision').fill(explanation);
  await page.getByRole('button', { name: 'Preview' }).click();
}

test('a case is recorded, appealed, reviewed, decided and followed up', async ({ page, mailbox, expectAccessible }) => {
  test.setTimeout(240_000);
  const token = `${Date.now()}`;
  const moderator = await createStaff({ roles: ['moderator', 'reviewer'], name: 'Morgan Moderator' });
  const reviewer = await createStaff({ roles: ['reviewer'], name: 'Riley Reviewer' });

  // 1. The moderator records a case.
  await signInAs(page, moderator);
  await page.goto('/staff/cases/new');
  await page.getByLabel('Facebook').check();
  await page.getByLabel('Account handle').fill(`@loop-${token}`);
  await page.getByLabel('Link to the post').fill('https://www.facebook.com/nsft/posts/77');
  await page.getByLabel('Excerpt of the post (optional)').fill('When does the ward reopen?');
  await page.getByLabel('Comment hidden').check();
  await page.getByLabel('Statement of reasons').fill('We thought the comment named a patient.');
  await page.getByLabel('Our own monitoring').check();
  await page.getByRole('group', { name: 'Did automated means take the action?' }).getByLabel('No').check();
  await page.getByLabel('Abuse towards people').check();
  await page.getByRole('button', { name: 'Record and get a case reference' }).click();
  await expect(page.getByRole('heading', { name: 'Moderation action recorded' })).toBeVisible();
  const caseReference = (await page.locator('#case-reference').textContent())!.trim();
  await signOut(page);

  // 2. A member of the public appeals (JS off).
  const email = `loop.${token}@example.org`;
  await page.goto(`/appeal?ref=${encodeURIComponent(caseReference)}`);
  await page.getByRole('button', { name: 'Start now' }).click();
  await continueButton(page);
  await continueButton(page);
  await page.getByLabel('Why do you disagree with our decision?').fill('I only asked when the ward reopens.');
  await continueButton(page);
  await page.getByLabel('Email address').fill(email);
  await continueButton(page);
  await answerAboutYou(page);
  await page.getByRole('button', { name: 'Send appeal' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appeal sent');
  const appealReference = (await page.locator('#appeal-reference').textContent())!.trim();
  const [ack] = await mailbox.waitFor({ to: email, subject: `We have received your appeal ${appealReference}` });
  const statusPath = /https?:\/\/[^\s/]+(\/appeal\/status\/[A-Za-z0-9_-]{22,})/.exec(ack!.text)![1]!;

  // 3. The moderator who recorded the case may not decide it.
  await signInAs(page, moderator);
  await page.goto('/staff/appeals?status=new');
  await page.getByRole('link', { name: appealReference }).click();
  await decide(page, 'Trying to decide my own case.');
  await expect(page).toHaveTitle(/^Error: /);
  await expect(page.getByRole('alert')).toContainText('You recorded this case, so you cannot decide the appeal');
  await expect(page.getByRole('button', { name: 'Send decision' })).toHaveCount(0);
  await expectAccessible(page);
  await signOut(page);

  // 4. A different reviewer finds it in the queue, notes and decides it.
  await signInAs(page, reviewer);
  await page.goto('/staff/appeals');
  await page.getByLabel('Status').selectOption('new');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/status=new/);
  await expectAccessible(page);
  await page.getByRole('link', { name: appealReference }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Appeal ${appealReference}`);
  await expect(page.getByText('I only asked when the ward reopens.')).toBeVisible();
  await expect(page.getByText('When does the ward reopen?')).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Start review' }).click();
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page).toHaveTitle(/^Error: /);
  await expectAccessible(page);
  await page.getByLabel('Add an internal note').fill('Checked the thread: no patient is named.');
  await page.getByRole('button', { name: 'Add note' }).click();
  const history = page.getByRole('table', { name: 'History, oldest first' });
  await expect(history).toContainText('Checked the thread: no patient is named.');
  await expect(history).toContainText('Riley Reviewer');

  const explanation = 'Your comment asked a fair question and did not name anyone. We should not have hidden it.';
  await decide(page, explanation);
  const preview = page.getByTestId('email-preview');
  await expect(preview).toContainText(explanation);
  // The version in force when the case was recorded (other specs may have published newer ones).
  await expect(preview).toContainText(/\/principles\/\d+\.\d+/);
  const version = /\/principles\/(\d+\.\d+)/.exec((await preview.textContent())!)![1]!;
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Send decision' }).click();
  await expect(page.getByText(`We have reversed our decision (principles version ${version})`)).toBeVisible();
  await expectAccessible(page);

  // 5. The decision email reaches the sink, with the reasons and the version link; no staff names.
  const [decision] = await mailbox.waitFor({ to: email, subject: `Our decision on your appeal ${appealReference}` });
  expect(decision!.text).toContain(explanation);
  expect(decision!.text).toMatch(new RegExp(`https?://[^\\s]+/principles/${version.replace('.', '\\.')}(\\s|$)`));
  expect(decision!.text).not.toContain('Riley');
  expect(decision!.html).not.toContain('Riley');

  // 6. The follow-up shows in the queue until ticked off.
  await page.goto('/staff/appeals');
  const followUp = page.getByRole('link', { name: `Restore the comment (appeal ${appealReference})` });
  await expect(followUp).toBeVisible();
  await followUp.click();
  await page.getByRole('button', { name: 'Mark “Restore the comment” as done' }).click();
  await expect(
    page.getByRole('listitem').filter({ hasText: /Restore the comment, due [\s\S]+done by Riley Reviewer on / }),
  ).toBeVisible();
  await expectAccessible(page);
  await page.goto('/staff/appeals');
  await expect(page.getByRole('link', { name: `Restore the comment (appeal ${appealReference})` })).toHaveCount(0);
  await signOut(page);

  // 7. The status page shows the decision, without staff names or notes.
  await page.goto(statusPath);
  await expect(page.getByText('We have reversed our decision')).toBeVisible();
  await expect(page.getByText(explanation)).toBeVisible();
  await expect(page.getByText('Checked the thread')).toHaveCount(0);
  await expect(page.getByText('Riley')).toHaveCount(0);
  await expectAccessible(page);
});
