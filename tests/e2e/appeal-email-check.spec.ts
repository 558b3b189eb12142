/**
 * "Did you mean …?" for a mistyped email address (issue 19, point 4), JavaScript off: the
 * question after the contact step, keeping what was typed or taking the suggestion, and check
 * your answers showing the address prominently with its Change link.
 */
import { validateHtml } from '../support/vnu.ts';
import { expect, test } from './fixtures.ts';
import { continueButton, expectError, recordCase, shot, answerAboutYou } from './journey-helpers.ts';

let seq = 0;
const unique = (label: string) => `${label}.${Date.now()}.${++seq}`;

test.describe('a likely typo in the email address', () => {
  test('is asked about; what was typed can be kept, or the suggestion taken', async ({
    page,
    mailbox,
    expectAccessible,
  }) => {
    const reference = await recordCase();
    const local = unique('typo');
    await page.goto('/appeal/case-reference');
    await page.getByLabel('Case reference').fill(reference);
    await continueButton(page);
    await continueButton(page);
    await page.getByLabel('Why do you disagree with our decision?').fill('It was a fair question.');
    await continueButton(page);

    await page.getByLabel('Email address').fill(`${local}@gmial.con`);
    await continueButton(page);
    await expect(page).toHaveURL(/\/appeal\/check-email$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email address');
    await expect(page.getByRole('group', { name: `Did you mean ${local}@gmail.com?` })).toBeVisible();
    await expect(page.getByText(`You typed ${local}@gmial.con.`)).toBeVisible();
    await expectAccessible(page);
    await shot(page, 'email-check');

    // No choice: the error names the suggestion; check your answers cannot be skipped to.
    await continueButton(page);
    await expectError(
      page,
      'email-choice',
      `Select whether to use ${local}@gmail.com or keep the email address you typed`,
    );
    await expectAccessible(page);
    await shot(page, 'email-check-error');
    await page.goto('/appeal/check-answers');
    await expect(page).toHaveURL(/\/appeal\/check-email$/);

    // Keep what was typed: check your answers shows it prominently, with its Change link.
    await page.getByLabel(`No, keep ${local}@gmial.con`).check();
    await continueButton(page);
    await answerAboutYou(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before sending your appeal');
    const prominent = page.locator('.nhsuk-inset-text');
    await expect(prominent).toContainText('We will send your appeal reference and our decision to:');
    await expect(prominent.locator('strong')).toHaveText(`${local}@gmial.con`);
    await expectAccessible(page);
    await shot(page, 'email-check-answers');

    // Change it from there to another typo: asked again, Back returns to the address; take the suggestion.
    await prominent.getByRole('link', { name: 'Change the email address we send our decision to' }).click();
    await expect(page.getByLabel('Email address')).toHaveValue(`${local}@gmial.con`);
    await page.getByLabel('Email address').fill(`${local}@hotmial.co.uk`);
    await continueButton(page);
    await expect(page).toHaveURL(/\/appeal\/check-email\?change=1$/);
    await page.getByRole('link', { name: 'Back', exact: true }).click();
    await expect(page.getByLabel('Email address')).toHaveValue(`${local}@hotmial.co.uk`);
    await continueButton(page);
    await page.getByLabel(`Yes, use ${local}@hotmail.co.uk`).check();
    await continueButton(page);
    await expect(prominent.locator('strong')).toHaveText(`${local}@hotmail.co.uk`);

    // An address with nothing to question goes straight to check your answers.
    await prominent.getByRole('link', { name: /Change/ }).click();
    await page.getByLabel('Email address').fill(`${local}@example.org`);
    await continueButton(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before sending your appeal');
    await prominent.getByRole('link', { name: /Change/ }).click();
    await page.getByLabel('Email address').fill(`${local}@hotmial.co.uk`);
    await continueButton(page);
    await page.getByLabel(`Yes, use ${local}@hotmail.co.uk`).check();
    await continueButton(page);

    await page.getByRole('button', { name: 'Send appeal' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appeal sent');
    const [mail] = await mailbox.waitFor({ to: `${local}@hotmail.co.uk`, subject: /We have received your appeal/ });
    expect(mail).toBeTruthy();
  });

  test('the question and its error state are valid HTML (Nu Html Checker)', async ({ request, baseURL }) => {
    const headers = { Origin: baseURL! };
    const post = (path: string, form: Record<string, string>) => request.post(path, { headers, form });
    await post('/appeal/case-reference', { 'case-reference': await recordCase() });
    await post('/appeal/reason', { reason: 'Because.' });
    const question = await post('/appeal/contact', { email: `${unique('html')}@gmail.co`, name: '' });
    expect(question.url()).toMatch(/\/appeal\/check-email$/);
    const error = await post('/appeal/check-email', {});
    expect(error.status()).toBe(400);
    expect(
      await validateHtml([
        { name: 'check email', html: await question.text() },
        { name: 'check email error', html: await error.text() },
      ]),
    ).toEqual([]);
  });
});
