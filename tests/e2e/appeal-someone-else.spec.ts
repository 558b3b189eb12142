/**
 * Issue 19, point 6, JavaScript off, real SMTP sink: "Are you asking for yourself or for someone
 * else?" and "Do you need us to contact you in a different way?" — both branches, their error
 * states (permission not ticked, phone number missing), check your answers, and the need shown to
 * staff on the appeal and in the queue (the NHS Accessible Information Standard).
 */
import { validateHtml } from '../support/vnu.ts';
import { expect, test } from './fixtures.ts';
import { continueButton, expectError, recordCase, shot } from './journey-helpers.ts';
import { createStaff, signInAs } from './staff-fixtures.ts';
import type { Page } from '@playwright/test';

const uniqueEmail = (tag: string) => `${tag}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.org`;
const row = (page: Page, key: string) =>
  page.locator('.nhsuk-summary-list__row').filter({ has: page.getByRole('term').filter({ hasText: key }) });

/** From a recorded case up to the contact details, answered. */
async function upToWhoIsAsking(page: Page, email: string): Promise<void> {
  await page.goto(`/appeal/case-reference?ref=${await recordCase()}`);
  await continueButton(page);
  await continueButton(page);
  await page.getByLabel('Why do you disagree with our decision?').fill('I asked a fair question.');
  await continueButton(page);
  await page.getByLabel('Email address').fill(email);
  await continueButton(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Are you asking for yourself or for someone else?');
}

test.describe('who is asking, and other ways to contact them', () => {
  test('for myself, with no other needs: nothing extra is shown to staff', async ({
    page,
    mailbox,
    expectAccessible,
  }) => {
    const email = uniqueEmail('self');
    await upToWhoIsAsking(page, email);
    // The decision still goes to the email address given: said on the page.
    await expect(page.locator('.nhsuk-inset-text')).toContainText(
      `We will send the appeal reference and our decision to the email address you gave us: ${email}`,
    );
    await expect(page.getByRole('link', { name: 'Back', exact: true })).toHaveAttribute('href', '/appeal/contact');
    await expectAccessible(page);
    await shot(page, 'who-is-asking');

    // No answer: the error next to the question.
    expect(
      (
        await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), continueButton(page)])
      )[0].status(),
    ).toBe(400);
    await expectError(page, 'asking-for', 'Select whether you are asking for yourself or for someone else');
    await expectAccessible(page);

    await page.getByLabel('For myself').check();
    await continueButton(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      'Do you need us to contact you in a different way?',
    );
    await expect(page.getByRole('link', { name: 'Back', exact: true })).toHaveAttribute(
      'href',
      '/appeal/who-is-asking',
    );
    await expectAccessible(page);
    await shot(page, 'contact-needs');
    await continueButton(page);
    await expectError(page, 'needs-any', 'Select yes if you need us to contact you in a different way');
    await expectAccessible(page);
    await page.getByLabel('No', { exact: true }).check();
    await continueButton(page);

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before sending your appeal');
    await expect(row(page, 'Who is asking')).toContainText('For myself');
    await expect(row(page, 'Other ways to contact you')).toContainText('No');
    await page.getByRole('button', { name: 'Send appeal' }).click();
    await expect(page.getByTestId('contact-needs-noted')).toHaveCount(0);
    const reference = (await page.locator('#appeal-reference').textContent())!.trim();
    await mailbox.waitFor({ to: email, subject: `We have received your appeal ${reference}` });

    await signInAs(page, await createStaff({ roles: ['reviewer'] }));
    await page.goto(`/staff/appeals?q=${reference}`);
    await expect(page.getByRole('row').filter({ hasText: reference }).locator('.nhsuk-tag')).toHaveCount(0);
    await page.getByRole('link', { name: reference }).click();
    await expect(page.getByTestId('contact-needs')).toHaveCount(0);
  });

  test('for someone else, with BSL and a phone call: errors keep what was typed, and staff see the need', async ({
    page,
    mailbox,
    expectAccessible,
  }) => {
    const email = uniqueEmail('carer');
    await upToWhoIsAsking(page, email);

    // Someone else, permission not ticked: a specific error; the rest is kept.
    await page.getByLabel('For someone else').check();
    await page.getByLabel('Carer').check();
    await page.getByLabel('Their name (optional)').fill('Sam Jones');
    await continueButton(page);
    await expectError(page, 'consent', 'Confirm you have the person’s permission to ask for this on their behalf');
    await expect(page.getByLabel('For someone else')).toBeChecked();
    await expect(page.getByLabel('Carer')).toBeChecked();
    await expect(page.getByLabel('Their name (optional)')).toHaveValue('Sam Jones');
    await expectAccessible(page);
    await shot(page, 'who-is-asking-error');
    await shot(page, 'who-is-asking-error-wide', 1024);
    await page.getByLabel('I have the person’s permission to ask for this on their behalf').check();
    await continueButton(page);

    // BSL and a phone call, the number left out: named next to the field, the ticks kept.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      'Do you need us to contact you in a different way?',
    );
    await page.getByLabel('Yes', { exact: true }).check();
    await page.getByLabel('British Sign Language (BSL)').check();
    await page.getByLabel('By phone').check();
    await continueButton(page);
    await expectError(page, 'phone', 'Enter your phone number');
    await expect(page.getByLabel('Yes', { exact: true })).toBeChecked();
    await expect(page.getByLabel('British Sign Language (BSL)')).toBeChecked();
    await expect(page.getByLabel('By phone')).toBeChecked();
    await expectAccessible(page);
    await shot(page, 'contact-needs-error');
    await shot(page, 'contact-needs-error-wide', 1024);
    await page.getByLabel('Phone number').fill('not a number');
    await continueButton(page);
    await expectError(page, 'phone', 'Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192');
    await expect(page.getByLabel('Phone number')).toHaveValue('not a number');
    await page.getByLabel('Phone number').fill('07700 900 982');
    await continueButton(page);

    // Check your answers, with Change links that come back here.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before sending your appeal');
    await expect(row(page, 'Who is asking')).toContainText(
      'For someone else (carer): Sam Jones, with their permission',
    );
    await expect(row(page, 'Other ways to contact you')).toContainText('British Sign Language (BSL)');
    await expect(row(page, 'Other ways to contact you')).toContainText('By phone: 07700 900 982');
    await expect(page.getByRole('link', { name: 'Back', exact: true })).toHaveAttribute(
      'href',
      '/appeal/contact-needs',
    );
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Change who is asking' }).click();
    await expect(page.getByLabel('Their name (optional)')).toHaveValue('Sam Jones');
    await expect(page.getByLabel('I have the person’s permission to ask for this on their behalf')).toBeChecked();
    await continueButton(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before sending your appeal');
    await page.getByRole('link', { name: 'Change other ways to contact you' }).click();
    await expect(page.getByLabel('Phone number')).toHaveValue('07700 900 982');
    await continueButton(page);
    await page.getByRole('button', { name: 'Send appeal' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appeal sent');
    await expect(page.getByTestId('contact-needs-noted')).toHaveText(
      'You told us you need us to contact you in a different way (British Sign Language and by phone). We have noted this on your appeal, and we will still email you.',
    );
    await expectAccessible(page);
    const reference = (await page.locator('#appeal-reference').textContent())!.trim();
    // The acknowledgement goes to the email address given.
    await mailbox.waitFor({ to: email, subject: `We have received your appeal ${reference}` });

    // Staff: a tag in the queue row, and the need near the top of the appeal.
    await signInAs(page, await createStaff({ roles: ['reviewer'] }));
    await page.goto(`/staff/appeals?q=${reference}`);
    const queueRow = page.getByRole('row').filter({ hasText: reference });
    await expect(queueRow.locator('.nhsuk-tag')).toHaveText(['For someone else', 'BSL', 'Phone']);
    await expectAccessible(page);
    await shot(page, 'staff-queue-contact-needs', 1280);
    await page.getByRole('link', { name: reference }).click();
    const need = page.getByTestId('contact-needs');
    await expect(need).toContainText('Asking for someone else (carer, consent given). Their name: Sam Jones');
    await expect(need.getByRole('listitem')).toHaveText(['British Sign Language (BSL)', 'By phone: 07700 900 982']);
    await expectAccessible(page);
    await shot(page, 'staff-appeal-contact-needs', 1280);
  });

  test('both questions and their error states are valid HTML (Nu Html Checker)', async ({ request, baseURL }) => {
    const headers = { Origin: baseURL! };
    const post = (path: string, form: Record<string, string>) => request.post(path, { headers, form });
    await post('/appeal/case-reference', { 'case-reference': await recordCase() });
    await post('/appeal/reason', { reason: 'Because.' });
    const asking = await post('/appeal/contact', { email: uniqueEmail('html'), name: '' });
    const consent = await post('/appeal/who-is-asking', { 'asking-for': 'someone-else', relationship: 'friend' });
    expect(consent.status()).toBe(400);
    const needs = await post('/appeal/who-is-asking', { 'asking-for': 'self' });
    const missing = await post('/appeal/contact-needs', { 'needs-any': 'yes', needs: 'post', address: '' });
    expect(missing.status()).toBe(400);
    expect(
      await validateHtml([
        { name: 'who is asking', html: await asking.text() },
        { name: 'who is asking error', html: await consent.text() },
        { name: 'contact needs', html: await needs.text() },
        { name: 'contact needs error', html: await missing.text() },
      ]),
    ).toEqual([]);
  });
});
