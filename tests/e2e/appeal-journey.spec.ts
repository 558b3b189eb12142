/**
 * The public appeal journey, driven like a person would with JavaScript off: with a case
 * reference, without one, mistakes, an expired case, a second appeal on the same case, Back and
 * Change links, the acknowledgement email at the SMTP sink and its private status link.
 */
import { findAppealByReference, insertAppealEvent, updateAppeal } from '../../db/appeals.ts';
import { validateHtml } from '../support/vnu.ts';
import { expect, test, type Mailbox } from './fixtures.ts';
import { continueButton, DAY, expectError, recordCase, shot, withDatabase, answerAboutYou } from './journey-helpers.ts';
import { recentPostDateFields } from '../support/appeals.ts';

let seq = 0;
const uniqueEmail = (label: string) => `${label}.${Date.now()}.${++seq}@example.org`;

/** The private status link from the acknowledgement email, as a path on the test server. */
async function statusLinkFromEmail(mailbox: Mailbox, to: string, appealReference: string): Promise<string> {
  const [mail] = await mailbox.waitFor({ to, subject: `We have received your appeal ${appealReference}` });
  const match = /https?:\/\/[^\s/]+(\/appeal\/status\/[A-Za-z0-9_-]{22,})/.exec(mail!.text);
  expect(match, 'status link in the email text').not.toBeNull();
  expect(mail!.html).toContain(`${match![1]}"`);
  return match![1]!;
}

test.describe('appeal journey with a case reference', () => {
  test('from the notice link to the status page, with errors, Back and Change on the way', async ({
    page,
    mailbox,
    expectAccessible,
  }) => {
    const reference = await recordCase({
      actions: ['hidden'],
      groundCodes: ['abusive'],
      statementOfReasons: 'The comment insulted a named nurse.',
    });
    const email = uniqueEmail('journey');

    // The notice's link pre-fills the reference, typed loosely.
    const loose = reference.toLowerCase().replace(/-/g, ' ');
    await page.goto(`/appeal?ref=${encodeURIComponent(loose)}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ask us to look again at a social media decision');
    await expect(page.getByRole('heading', { name: /If you need help in a crisis/ })).toBeVisible();
    await expect(page.getByRole('link', { name: 'contact our complaints team' })).toBeVisible();
    await expect(page.getByRole('main').getByRole('link', { name: 'privacy notice' })).toHaveAttribute(
      'href',
      '/privacy',
    );
    await expectAccessible(page);
    await shot(page, '01-start');
    await page.getByRole('button', { name: 'Start now' }).click();

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('What is your case reference?');
    await expect(page.getByLabel('Case reference')).toHaveValue(loose);
    await expect(page.getByRole('link', { name: 'I do not have a case reference' })).toBeVisible();
    await expectAccessible(page);
    await shot(page, '02-case-reference');
    await continueButton(page);

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('What we did and why');
    await expect(page.getByText(/we hid your comment on Facebook/)).toBeVisible();
    await expect(page.getByText('The comment insulted a named nurse.')).toBeVisible();
    await expect(
      page.getByRole('listitem').filter({ hasText: /^Abuse towards people: Is abusive towards people/ }),
    ).toBeVisible();
    await expect(page.getByRole('link', { name: 'Read version 1.0 of our social media principles' })).toHaveAttribute(
      'href',
      '/principles/1.0',
    );
    await expectAccessible(page);
    await shot(page, '03-what-we-did');

    // Back goes to the reference, still filled in; Continue comes back here.
    await page.getByRole('link', { name: 'Back', exact: true }).click();
    await expect(page.getByLabel('Case reference')).toHaveValue(reference);
    await continueButton(page);
    await page.getByRole('button', { name: 'Continue' }).click();

    // Why you disagree: empty, then too long (5,001 characters), then fine.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Why do you disagree with our decision?');
    await expect(page.getByText('You can enter up to 5,000 characters')).toBeVisible();
    await shot(page, '04-reason');
    await continueButton(page);
    await expectError(page, 'reason', 'Enter why you disagree with our decision');
    await expectAccessible(page);
    await shot(page, '04-reason-empty');

    const tooLong = 'x'.repeat(5001);
    await page.getByLabel('Why do you disagree with our decision?').fill(tooLong);
    await continueButton(page);
    await expectError(
      page,
      'reason',
      'Why you disagree must be 5,000 characters or fewer. You have 1 character too many',
    );
    await expect(page.getByLabel('Why do you disagree with our decision?')).toHaveValue(tooLong);
    await expectAccessible(page);
    await shot(page, '04-reason-too-long');

    const reason = 'I was asking when the ward reopens.\nI did not insult anyone. <script>alert(1)</script>';
    await page.getByLabel('Why do you disagree with our decision?').fill(reason);
    await continueButton(page);

    // Contact: a bad address keeps both values.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('How can we contact you?');
    await page.getByLabel('Email address').fill('not-an-address');
    await page.getByLabel('Name (optional)').fill('Jo Bloggs');
    await continueButton(page);
    await expectError(page, 'email', 'Enter an email address in the correct format, like name@example.com');
    await expect(page.getByLabel('Email address')).toHaveValue('not-an-address');
    await expect(page.getByLabel('Name (optional)')).toHaveValue('Jo Bloggs');
    await expectAccessible(page);
    await shot(page, '05-contact-error');

    // Browser Back and Forward lose nothing: the reason is still there.
    await page.goBack();
    await page.goBack();
    await expect(page.getByLabel('Why do you disagree with our decision?')).toHaveValue(reason);
    await page.goForward();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Name (optional)').fill('Jo Bloggs');
    await shot(page, '05-contact');
    await continueButton(page);
    await answerAboutYou(page);

    // Check your answers, then change the reason and come straight back.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before sending your appeal');
    const row = (key: string) =>
      page.locator('.nhsuk-summary-list__row').filter({ has: page.getByRole('term').filter({ hasText: key }) });
    await expect(row('Case reference')).toContainText(reference);
    await expect(row('Why you disagree')).toContainText('<script>alert(1)</script>');
    await expect(row('Email address')).toContainText(email);
    await expect(row('Name')).toContainText('Jo Bloggs');
    await expectAccessible(page);
    await shot(page, '06-check-answers');

    await page.getByRole('link', { name: 'Change why you disagree' }).click();
    await expect(page.getByLabel('Why do you disagree with our decision?')).toHaveValue(reason);
    await expect(page.getByRole('link', { name: 'Back', exact: true })).toHaveAttribute(
      'href',
      '/appeal/check-answers',
    );
    const changed = `${reason}\nThe ward is my local one.`;
    await page.getByLabel('Why do you disagree with our decision?').fill(changed);
    await continueButton(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before sending your appeal');
    await expect(row('Why you disagree')).toContainText('The ward is my local one.');

    await page.getByRole('link', { name: 'Change name' }).click();
    await expect(page.getByLabel('Name (optional)')).toHaveValue('Jo Bloggs');
    await page.getByLabel('Name (optional)').fill('');
    await continueButton(page);
    await expect(row('Name')).toContainText('Not given');

    await page.getByRole('button', { name: 'Send appeal' }).click();

    // Confirmation with the appeal reference and decision date.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appeal sent');
    const appealReference = (await page.locator('#appeal-reference').textContent())!.trim();
    expect(appealReference).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}$/);
    await expect(page.getByText(/We aim to tell you our decision by \d{1,2} \w+ \d{4}/)).toBeVisible();
    await expect(page.getByRole('link', { name: 'What did you think of this service?' })).toHaveAttribute(
      'href',
      '/feedback?from=confirmation',
    );
    await expectAccessible(page);
    await shot(page, '07-confirmation');

    // Back after sending does not send it again: check your answers shows the confirmation.
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appeal sent');

    // The acknowledgement email arrives at the SMTP server with the private status link.
    const statusPath = await statusLinkFromEmail(mailbox, email, appealReference);
    await page.goto(statusPath);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your appeal');
    await expect(page.getByRole('main').locator('.nhsuk-tag')).toHaveText('Received');
    await expect(page.locator('.nhsuk-summary-list')).toContainText(appealReference);
    await expect(page.locator('.nhsuk-summary-list')).toContainText(reference);
    // What they wrote, as text (the markup they typed is shown, never run).
    await expect(page.getByRole('heading', { name: 'What you told us' })).toBeVisible();
    await expect(page.getByText('I did not insult anyone. <script>alert(1)</script>')).toBeVisible();
    await expectAccessible(page);
    await shot(page, '08-status');

    // Add further information: empty first, then something.
    await page.getByRole('link', { name: 'Add further information' }).click();
    await page.getByRole('button', { name: 'Add to my appeal' }).click();
    await expectError(page, 'information', 'Enter the information you want to add');
    await expectAccessible(page);
    await shot(page, '09-add-information-error');
    await page.getByLabel('What do you want to add to your appeal?').fill('The post is still visible to me as hidden.');
    await page.getByRole('button', { name: 'Add to my appeal' }).click();
    await expect(page.getByText('We have added your information to your appeal')).toBeVisible();
    await expect(page.getByText('The post is still visible to me as hidden.')).toBeVisible();
    await expectAccessible(page);

    // Withdraw, after confirming.
    await page.getByRole('link', { name: 'Withdraw your appeal' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Are you sure you want to withdraw your appeal?');
    await expectAccessible(page);
    await shot(page, '10-withdraw');
    await page.getByRole('button', { name: 'Withdraw appeal' }).click();
    await expect(page.getByText('You have withdrawn your appeal', { exact: true })).toBeVisible();
    await expect(page.getByRole('main').locator('.nhsuk-tag')).toHaveText('Withdrawn');
    await expect(page.getByRole('link', { name: 'Withdraw your appeal' })).toHaveCount(0);
    await expectAccessible(page);
    await shot(page, '11-withdrawn');
    await mailbox.waitFor({ to: email, subject: `You have withdrawn your appeal ${appealReference}` });
  });

  test('a mistyped, unknown or wrongly sized reference gets a specific message and keeps what was typed', async ({
    page,
    expectAccessible,
  }) => {
    const reference = await recordCase();
    await page.goto('/appeal/case-reference');
    await continueButton(page);
    await expectError(page, 'case-reference', 'Enter your case reference');
    await expectAccessible(page);

    // One character changed: the check character catches it before any lookup.
    const i = reference.search(/[0-9A-Z]/);
    const typo = reference.slice(0, i) + (reference[i] === '7' ? '8' : '7') + reference.slice(i + 1);
    await page.getByLabel('Case reference').fill(typo);
    await continueButton(page);
    await expectError(page, 'case-reference', /One of the characters looks mistyped/);
    await expect(page.getByLabel('Case reference')).toHaveValue(typo);
    await expectAccessible(page);
    await shot(page, '02-case-reference-typo');

    await page.getByLabel('Case reference').fill('7K3M-Q9TX');
    await continueButton(page);
    await expectError(page, 'case-reference', 'Case reference must be 11 letters and numbers, like 7K3M-Q9TX-2MC');
    await expectAccessible(page);

    // A well-formed reference no case has: the same message as for any unknown case.
    const unknown = '0000-0000-000';
    await page.getByLabel('Case reference').fill(unknown);
    await continueButton(page);
    await expectError(page, 'case-reference', /We could not find a case with that reference/);
    await expect(page.getByLabel('Case reference')).toHaveValue(unknown);
    await expectAccessible(page);
    await shot(page, '02-case-reference-not-found');
  });

  test('an action more than 6 months ago is explained, with the complaints route', async ({
    page,
    expectAccessible,
  }) => {
    const reference = await recordCase({ actionAt: new Date(Date.now() - 214 * DAY) });
    await page.goto('/appeal/case-reference');
    await page.getByLabel('Case reference').fill(reference);
    await continueButton(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      'It is too late to ask us to look again at this decision',
    );
    await expect(page.getByText(/You can ask us to look again within 6 months of our decision/)).toBeVisible();
    await expect(page.getByRole('link', { name: 'make a complaint' })).toHaveAttribute('href', /^https:\/\//);
    await expectAccessible(page);
    await shot(page, '12-too-late');
    // Nothing further is possible on this case: the later steps send them back.
    await page.goto('/appeal/what-we-did');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('What is your case reference?');
  });

  test('a second appeal on the same case is told one is open, without anyone else’s details', async ({
    browser,
    page,
    mailbox,
    expectAccessible,
  }) => {
    const reference = await recordCase();
    const firstEmail = uniqueEmail('first');
    await page.goto(`/appeal/case-reference?ref=${reference}`);
    await continueButton(page);
    await continueButton(page);
    await page.getByLabel('Why do you disagree with our decision?').fill('My comment was fair.');
    await continueButton(page);
    await page.getByLabel('Email address').fill(firstEmail);
    await page.getByLabel('Name (optional)').fill('First Person');
    await continueButton(page);
    await answerAboutYou(page);
    await page.getByRole('button', { name: 'Send appeal' }).click();
    const firstReference = (await page.locator('#appeal-reference').textContent())!.trim();
    await mailbox.waitFor({ to: firstEmail, subject: `We have received your appeal ${firstReference}` });

    // Someone else, in another browser, with the same case reference.
    const other = await browser.newContext({ javaScriptEnabled: false });
    try {
      const second = await other.newPage();
      await second.goto('/appeal/case-reference');
      await second.getByLabel('Case reference').fill(reference);
      await second.getByRole('button', { name: 'Continue' }).click();
      await expect(second.getByRole('heading', { level: 1 })).toHaveText(
        'An appeal about this decision is already open',
      );
      await expect(second.getByText(/Use the private link in the email we sent you/)).toBeVisible();
      const body = await second.locator('main').textContent();
      for (const secret of [firstEmail, 'First Person', 'My comment was fair.', firstReference])
        expect(body).not.toContain(secret);
      await expectAccessible(second);
      await shot(second, '13-already-open');
    } finally {
      await other.close();
    }
  });
});

test.describe('following an appeal from the status link', () => {
  test('shows when we are waiting for information, resumes when it is added, and shows the decision', async ({
    page,
    mailbox,
    expectAccessible,
  }) => {
    const reference = await recordCase();
    const email = uniqueEmail('status');
    await page.goto(`/appeal/case-reference?ref=${reference}`);
    await continueButton(page);
    await continueButton(page);
    await page.getByLabel('Why do you disagree with our decision?').fill('It was a question, not abuse.');
    await continueButton(page);
    await page.getByLabel('Email address').fill(email);
    await continueButton(page);
    await answerAboutYou(page);
    await page.getByRole('button', { name: 'Send appeal' }).click();
    const appealReference = (await page.locator('#appeal-reference').textContent())!.trim();
    const statusPath = await statusLinkFromEmail(mailbox, email, appealReference);

    // Staff ask for more information (as the review pages will).
    await withDatabase((db) => {
      const appeal = findAppealByReference(db, appealReference)!;
      updateAppeal(db, appeal.id, { status: 'waiting', pausedAt: new Date() });
      insertAppealEvent(db, {
        appealId: appeal.id,
        at: new Date(),
        actorType: 'staff',
        actorId: 1,
        kind: 'info-requested',
        body: 'Which post on our page did you reply to?',
      });
      insertAppealEvent(db, {
        appealId: appeal.id,
        at: new Date(),
        actorType: 'staff',
        actorId: 1,
        kind: 'note',
        body: 'INTERNAL NOTE never shown',
      });
    });
    await page.goto(statusPath);
    await expect(page.getByRole('main').locator('.nhsuk-tag')).toHaveText('Waiting for information from you');
    await expect(page.getByText('Which post on our page did you reply to?').first()).toBeVisible();
    await expect(page.getByText('INTERNAL NOTE never shown')).toHaveCount(0);
    await expectAccessible(page);
    await shot(page, '14-status-waiting');
    await page.getByRole('link', { name: 'Add further information' }).click();
    await page.getByLabel('What do you want to add to your appeal?').fill('The post about visiting hours.');
    await page.getByRole('button', { name: 'Add to my appeal' }).click();
    await expect(page.getByRole('main').locator('.nhsuk-tag')).toHaveText('Being reviewed');

    // The decision, with its reasons; nothing more can be changed.
    await withDatabase((db) => {
      const appeal = findAppealByReference(db, appealReference)!;
      updateAppeal(db, appeal.id, {
        status: 'decided',
        outcome: 'overturned',
        explanation: 'Your comment asked a fair question.\nWe have restored it.',
        decidedAt: new Date(),
        decisionVersionId: 1,
      });
      insertAppealEvent(db, { appealId: appeal.id, at: new Date(), actorType: 'staff', actorId: 2, kind: 'decided' });
    });
    await page.goto(statusPath);
    await expect(page.getByRole('main').locator('.nhsuk-tag')).toHaveText('Decided');
    await expect(page.getByRole('heading', { name: 'Our decision' })).toBeVisible();
    await expect(page.getByText('We have reversed our decision')).toBeVisible();
    await expect(page.getByText(/Your comment asked a fair question\.\s+We have restored it\./)).toBeVisible();
    await expect(page.getByRole('link', { name: 'Read version 1.0 of our social media principles' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Withdraw your appeal' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Add further information' })).toHaveCount(0);
    await expectAccessible(page);
    await shot(page, '15-status-decided');
    // A stale form posted after the decision changes nothing.
    await page.goto(`${statusPath}/withdraw`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your appeal');
  });
});

test.describe('appeal journey without a case reference', () => {
  test('describes the post instead, then the same steps, and gets an acknowledgement', async ({
    page,
    mailbox,
    expectAccessible,
  }) => {
    const email = uniqueEmail('noref');
    await page.goto('/appeal');
    await page.getByRole('button', { name: 'Start now' }).click();
    await page.getByRole('link', { name: 'I do not have a case reference' }).click();

    // One question a page: where, who, roughly when, and a link if they have one.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Where did you post?');
    await expect(page.getByRole('link', { name: 'Back', exact: true })).toHaveAttribute(
      'href',
      '/appeal/case-reference',
    );
    await expectAccessible(page);
    await shot(page, '20-platform');
    await continueButton(page);
    await expectError(page, 'platform', 'Select where you posted');
    await expectAccessible(page);
    await shot(page, '20-platform-error');
    await page.getByLabel('Instagram').check();
    await continueButton(page);

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('What did we do?');
    await continueButton(page);
    await expectError(page, 'action', 'Select what we did, or I’m not sure');
    await page.getByLabel('You hid my post or comment').check();
    await continueButton(page);

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('What is your account name or handle?');
    await shot(page, '21-account');
    await continueButton(page);
    await expectError(page, 'handle', 'Enter your account name or handle');
    await expectAccessible(page);
    await shot(page, '21-account-error');
    await page.getByLabel('What is your account name or handle?').fill('@jo_bloggs');
    await continueButton(page);

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Roughly when did it happen?');
    await expectAccessible(page);
    await shot(page, '22-post-date');
    await continueButton(page);
    await expectError(page, 'post-date', 'Enter roughly when it happened');
    await expect(page.getByRole('alert').getByRole('link', { name: 'Enter roughly when it happened' })).toHaveAttribute(
      'href',
      '#post-date-day',
    );
    await page.getByLabel('Day').fill('31');
    await page.getByLabel('Month').fill('2');
    await page.getByLabel('Year').fill('2026');
    await continueButton(page);
    await expectError(page, 'post-date', /Date must be a real date/);
    await expect(page.getByLabel('Day')).toHaveValue('31');
    await expect(page.getByLabel('Month')).toHaveValue('2');
    await expectAccessible(page);
    await shot(page, '22-post-date-error');
    const lastWeek = new Date(Date.now() - 7 * DAY);
    await page.getByLabel('Day').fill(String(lastWeek.getUTCDate()));
    await page.getByLabel('Month').fill(String(lastWeek.getUTCMonth() + 1));
    await page.getByLabel('Year').fill(String(lastWeek.getUTCFullYear()));
    await continueButton(page);

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Link to the post (optional)');
    await expectAccessible(page);
    await shot(page, '23-post-link');
    await page.getByLabel('Link to the post (optional)').fill('javascript:alert(1)');
    await continueButton(page);
    await expectError(page, 'post-url', 'Enter a link to the post that starts with https://, or leave it blank');
    await expect(page.getByLabel('Link to the post (optional)')).toHaveValue('javascript:alert(1)');
    await expectAccessible(page);
    await shot(page, '23-post-link-error');
    // Back keeps the earlier answer.
    await page.getByRole('link', { name: 'Back', exact: true }).click();
    await expect(page.getByLabel('Day')).toHaveValue(String(lastWeek.getUTCDate()));
    await continueButton(page);
    await page.getByLabel('Link to the post (optional)').fill('https://www.instagram.com/p/abc123/');
    await continueButton(page);

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Why do you disagree with our decision?');
    await expect(page.getByRole('link', { name: 'Back', exact: true })).toHaveAttribute('href', '/appeal/post-link');
    await page.getByLabel('Why do you disagree with our decision?').fill('My comment was removed but it was polite.');
    await continueButton(page);
    await page.getByLabel('Email address').fill(email);
    await continueButton(page);
    await answerAboutYou(page);

    const row = (key: string) =>
      page.locator('.nhsuk-summary-list__row').filter({ has: page.getByRole('term').filter({ hasText: key }) });
    await expect(row('Where you posted')).toContainText('Instagram');
    await expect(row('Account name')).toContainText('@jo_bloggs');
    await expect(row('Link to the post')).toContainText('https://www.instagram.com/p/abc123/');
    await expectAccessible(page);
    await shot(page, '21-check-answers-no-reference');

    // Change the post details and come back to check your answers.
    await page.getByRole('link', { name: 'Change account name' }).click();
    await expect(page.getByLabel('What is your account name or handle?')).toHaveValue('@jo_bloggs');
    await expect(page.getByRole('link', { name: 'Back', exact: true })).toHaveAttribute(
      'href',
      '/appeal/check-answers',
    );
    await page.getByLabel('What is your account name or handle?').fill('@jo_bloggs_2');
    await continueButton(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your answers before sending your appeal');
    await expect(row('Account name')).toContainText('@jo_bloggs_2');

    await page.getByRole('button', { name: 'Send appeal' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appeal sent');
    const appealReference = (await page.locator('#appeal-reference').textContent())!.trim();
    const statusPath = await statusLinkFromEmail(mailbox, email, appealReference);
    await page.goto(statusPath);
    await expect(page.locator('.nhsuk-summary-list')).toContainText('Instagram, @jo_bloggs_2');
    await expectAccessible(page);
  });
});

test.describe('appeal pages and bad requests', () => {
  test('every page of the journey, including error states, is valid HTML (Nu Html Checker)', async ({
    request,
    baseURL,
    mailbox,
  }) => {
    const headers = { Origin: baseURL! };
    const documents: { name: string; html: string }[] = [];
    const keep = async (name: string, response: Awaited<ReturnType<typeof request.get>>) => {
      expect(response.status(), name).toBeLessThan(500);
      documents.push({ name, html: await response.text() });
    };
    const post = (path: string, form: Record<string, string>) => request.post(path, { headers, form });
    const reference = await recordCase();
    const email = uniqueEmail('html');
    await keep('start', await request.get('/appeal?ref=abc'));
    await keep('case reference', await request.get('/appeal/case-reference'));
    await keep('case reference error', await post('/appeal/case-reference', { 'case-reference': '' }));
    await keep('what we did', await post('/appeal/case-reference', { 'case-reference': reference }));
    await keep('reason error', await post('/appeal/reason', { reason: '' }));
    await keep('contact', await post('/appeal/reason', { reason: 'Because <b>bold</b> & "quoted"' }));
    await keep('contact error', await post('/appeal/contact', { email: 'x', name: '' }));
    await keep('who is asking', await post('/appeal/contact', { email, name: 'Ann' }));
    await keep(
      'who is asking error',
      await post('/appeal/who-is-asking', { 'asking-for': 'someone-else', 'person-name': 'Sam' }),
    );
    await keep(
      'contact needs',
      await post('/appeal/who-is-asking', { 'asking-for': 'someone-else', relationship: 'carer', consent: 'yes' }),
    );
    await keep(
      'contact needs error',
      await post('/appeal/contact-needs', { 'needs-any': 'yes', needs: 'phone', phone: '' }),
    );
    await keep('contact needs nothing ticked', await post('/appeal/contact-needs', { 'needs-any': 'yes' }));
    await keep(
      'check answers',
      await post('/appeal/contact-needs', { 'needs-any': 'yes', needs: 'phone', phone: '07700 900982' }),
    );
    const confirmation = await post('/appeal/check-answers', {});
    await keep('confirmation', confirmation);
    const appealReference = /id="appeal-reference"[^>]*>([^<]+)</.exec(await confirmation.text())![1]!;
    await keep('already open', await post('/appeal/case-reference', { 'case-reference': reference }));
    await keep(
      'too late',
      await post('/appeal/case-reference', {
        'case-reference': await recordCase({ actionAt: new Date(Date.now() - 214 * DAY) }),
      }),
    );
    await keep('platform', await request.get('/appeal/platform'));
    await keep('platform error', await post('/appeal/platform', {}));
    await keep('account', await post('/appeal/platform', { platform: 'x' }));
    // What we did (its page and error are checked in appeal-fields.spec.ts).
    await post('/appeal/what-happened', { action: 'hidden' });
    await keep('account error', await post('/appeal/account', { handle: '' }));
    await keep('post date', await post('/appeal/account', { handle: '@x' }));
    await keep('post date error', await post('/appeal/post-date', { 'post-date-day': '99' }));
    await keep(
      'too late without a reference',
      await post('/appeal/post-date', { 'post-date-day': '1', 'post-date-month': '1', 'post-date-year': '2020' }),
    );
    await keep('cookies needed', await request.get('/appeal/cookies'));
    await keep('post link', await post('/appeal/post-date', recentPostDateFields()));
    await keep('post link error', await post('/appeal/post-link', { 'post-url': 'ftp://x' }));
    const statusPath = await statusLinkFromEmail(mailbox, email, appealReference);
    await keep('status', await request.get(statusPath));
    await keep('add information', await request.get(`${statusPath}/add-information`));
    await keep('add information error', await post(`${statusPath}/add-information`, { information: '' }));
    await keep('withdraw', await request.get(`${statusPath}/withdraw`));
    await keep('status not found', await request.get('/appeal/status/not-a-real-token-at-all-123'));
    expect(documents.map((d) => d.name)).toHaveLength(31);
    expect(await validateHtml(documents)).toEqual([]);
  });

  test('forged, missing or broken form posts get a 4xx page, never a 5xx', async ({ request, baseURL }) => {
    const origin = { Origin: baseURL! };
    const noField = await request.post('/appeal/case-reference', { headers: origin, form: { other: 'x' } });
    expect(noField.status()).toBe(400);
    const broken = await request.post('/appeal/case-reference', {
      headers: { ...origin, 'Content-Type': 'multipart/form-data; boundary=nothing' },
      data: 'this is not multipart',
    });
    expect(broken.status()).toBe(400);
    const huge = await request.post('/appeal/case-reference', {
      headers: origin,
      form: { 'case-reference': 'A'.repeat(100_000) },
    });
    expect(huge.status()).toBe(400);
    // A step without a journey sends the person back to the start of it.
    const noJourney = await request.post('/appeal/reason', { headers: origin, form: { reason: 'x' }, maxRedirects: 0 });
    expect(noJourney.status()).toBe(303);
    expect(noJourney.headers()['location']).toBe('/appeal/case-reference');
    // A cross-site post is refused.
    const crossSite = await request.post('/appeal/case-reference', {
      headers: { Origin: 'https://evil.example' },
      form: { 'case-reference': 'x' },
    });
    expect(crossSite.status()).toBe(403);
    // Status links that do not exist, however they look.
    for (const token of ['nope', 'A'.repeat(43), '%27%20or%201%3D1']) {
      const res = await request.get(`/appeal/status/${token}`);
      expect(res.status()).toBe(404);
      expect(await res.text()).toContain('This link does not work');
    }
  });

  test('the journey cookie is HttpOnly and SameSite=Lax, and holds no answers', async ({ page, context }) => {
    const reference = await recordCase();
    await page.goto(`/appeal/case-reference?ref=${reference}`);
    await continueButton(page);
    const cookies = await context.cookies();
    const journey = cookies.find((c) => c.name === 'fh_journey')!;
    expect(journey).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(journey.value).not.toContain(reference.replace(/-/g, ''));
    expect(journey.value.length).toBeGreaterThanOrEqual(22);
  });
});
