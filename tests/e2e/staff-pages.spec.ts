/**
 * Staff pages with JavaScript off: the outbox and audit log filtered and paged (and the audit
 * CSV download), reply templates kept by an admin and used on an appeal (### refuses the
 * preview), and the moderator recording whether the person was told. Rows for the lists are
 * written straight into the server's database, dated March 2020, which no other test uses.
 */
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { tablesOf } from '../../db/dialect/index.ts';
import { closeDatabase } from '../../db/open.ts';
import { transaction } from '../../db/transactions.ts';
import { insertTestCase } from '../support/cases.ts';
import { expect, test } from './fixtures.ts';
import { createStaff, openTestDatabase, signInAs } from './staff-fixtures.ts';

const DAY_2020 = Date.UTC(2020, 2, 2, 10); // Monday 2 March 2020 (GMT)
const token = `${Date.now()}`;

test('an admin filters and pages the outbox, in words', async ({ page, expectAccessible }) => {
  const admin = await createStaff({ roles: ['admin'], name: 'Olive Outbox' });
  const db = await openTestDatabase();
  try {
    const { outbox } = tablesOf(db);
    await transaction(db, async (tx) => {
      const row = (i: number, kind: string, state: 'failed' | 'sent') => ({
        messageId: `<e2e-${token}-${kind}-${i}@example.org>`,
        kind,
        to: `person-${i}-${token}@example.org`,
        subject: kind === 'appeal-ack' ? 'We have received your appeal' : 'Our decision',
        text: 't',
        html: '<p>t</p>',
        headers: {},
        state,
        attempts: 1,
        nextAttemptAt: new Date(DAY_2020),
        queuedAt: new Date(DAY_2020),
        lastError: state === 'failed' ? '550 mailbox unavailable' : null,
        sentAt: state === 'sent' ? new Date(DAY_2020) : null,
        createdAt: new Date(DAY_2020 + i * 60_000),
      });
      for (let i = 0; i < 55; i++) await tx.insert(outbox).values(row(i, 'appeal-ack', 'failed'));
      for (let i = 0; i < 3; i++) await tx.insert(outbox).values(row(i, 'appeal-decision', 'sent'));
    });
  } finally {
    await closeDatabase(db);
  }
  await signInAs(page, admin);
  await page.goto('/staff/outbox/');
  await page.getByLabel('Kind of email').selectOption({ label: 'Acknowledgement email' });
  await page.getByLabel('Created from').fill('2020-03-02');
  await page.getByLabel('Created to').fill('2020-03-02');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=appeal-ack/);
  const rows = page.getByRole('table', { name: /Emails/ }).locator('tbody tr');
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText('Acknowledgement email, created');
  await expect(rows.first()).toContainText('Failed');
  await expect(page.locator('main')).not.toContainText('appeal-ack');
  await expect(page.locator('main')).not.toContainText('None');
  await expectAccessible(page);
  await page.getByRole('link', { name: /Older emails/ }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(rows).toHaveCount(5);
  await expect(page.getByLabel('Kind of email')).toHaveValue('appeal-ack');
  await page.getByRole('link', { name: /Newer emails/ }).click();
  await expect(rows).toHaveCount(50);

  await page.goto('/staff/outbox?from=2020-03-02&to=2020-03-02');
  await page.getByLabel('State').selectOption({ label: 'Sent' });
  await page.getByLabel('Kind of email').selectOption('');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(3);
  for (const r of await rows.all()) await expect(r).toContainText('Decision email');
  await expect(page.getByRole('link', { name: /Older emails/ })).toHaveCount(0);

  // A date that is not a date: an error next to the field and in the summary, with a 400.
  const bad = await page.goto('/staff/outbox?from=2020-02-31');
  expect(bad?.status()).toBe(400);
  await expect(page.getByRole('alert')).toContainText('From date must be a real date');
  await expect(page.locator('#from-error')).toContainText('From date must be a real date');
  await expectAccessible(page);
});

test('an admin filters, pages and downloads the audit log, in words', async ({ page, expectAccessible }) => {
  const admin = await createStaff({ roles: ['admin'], name: 'Aldous Audit' });
  const db = await openTestDatabase();
  try {
    const { auditLog } = tablesOf(db);
    await transaction(db, async (tx) => {
      for (let i = 0; i < 55; i++)
        await tx.insert(auditLog).values({
          at: new Date(DAY_2020 + i * 60_000),
          actorId: admin.id,
          action: 'staff.signed-in',
          entityType: 'staff',
          entityId: String(admin.id),
          ip: '127.0.0.1',
        });
      for (let i = 0; i < 2; i++)
        await tx.insert(auditLog).values({
          at: new Date(DAY_2020 + 3 * 86_400_000 + i),
          actorId: null,
          action: 'retention.purged',
          entityType: 'retention',
          entityId: null,
          ip: 'cli',
          details: { cases: 4, retentionMonths: 24 },
        });
    });
  } finally {
    await closeDatabase(db);
  }
  await signInAs(page, admin);
  await page.goto('/staff/audit');
  await page.getByLabel('What happened').selectOption({ label: 'Signed in' });
  await page.getByLabel('Done by').selectOption({ label: `${admin.name} (${admin.email})` });
  await page.getByLabel('From', { exact: true }).fill('2020-03-01');
  await page.getByLabel('To', { exact: true }).fill('2020-03-31');
  await page.getByRole('button', { name: 'Filter' }).click();
  const rows = page.getByRole('table', { name: /Audit entries/ }).locator('tbody tr');
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText('Signed in');
  await expect(page.locator('main table')).not.toContainText('staff.signed-in');
  await expectAccessible(page);
  await page.getByRole('link', { name: /Older entries/ }).click();
  await expect(rows).toHaveCount(5);

  // The system's purges on 5 March, with their details in words.
  await page.goto('/staff/audit?from=2020-03-05&to=2020-03-05');
  await page.getByLabel('Done by').selectOption({ label: 'Command line or system' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('Personal data removed after the retention period');
  await expect(rows.first()).toContainText('Cases: 4. Retention period (months): 24.');
  await expect(page.locator('main table')).not.toContainText('{');

  // The CSV: every matching entry, in words, and the download is itself in the log.
  const href = await page.getByRole('link', { name: 'Download these entries (CSV)' }).getAttribute('href');
  expect(href).toMatch(/^\/staff\/audit\/export\.csv\?/);
  const csv = await page.request.get(href!);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trimEnd().split('\r\n');
  expect(lines[0]).toBe('When (UK time),When (ISO 8601),Who,What happened,Record,From,Details,Action code');
  expect(lines).toHaveLength(3);
  expect(lines[1]).toContain('Command line or system,Personal data removed after the retention period');
  // Someone not signed in gets nothing.
  const anonymous = await page.context().browser()!.newContext();
  try {
    const refused = await anonymous.request.get(new URL(href!, page.url()).href, { maxRedirects: 0 });
    expect(refused.status()).toBeGreaterThanOrEqual(300);
    expect(await refused.text()).not.toContain('Personal data removed');
  } finally {
    await anonymous.close();
  }
  await page.goto('/staff/audit?action=audit.exported');
  await expect(rows.first()).toContainText('Audit log downloaded');
  await expect(rows.first()).toContainText(admin.name);
  await expect(rows.first()).toContainText('Entries: 2.');
});

test('an admin keeps reply templates; a reviewer uses one, and ### stops the preview', async ({
  page,
  expectAccessible,
}) => {
  test.setTimeout(180_000);
  const admin = await createStaff({ roles: ['admin'], name: 'Tess Templates' });
  const reviewer = await createStaff({ roles: ['reviewer'], name: 'Rowan Reviewer' });
  const moderator = await createStaff({ roles: ['moderator'], name: 'Max Moderator' });
  const name = `Kept: abuse ${token}`;

  await signInAs(page, admin);
  await page.getByRole('link', { name: 'Reply templates' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reply templates');
  await page.getByRole('link', { name: 'Create a template' }).click();
  // Nothing filled in, and an unknown placeholder: errors, and what was typed is kept.
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByRole('alert')).toContainText('Enter a name for the template');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('We have kept our decision').check();
  await page.getByLabel('Ground', { exact: true }).selectOption({ label: 'Abuse towards people' });
  await page.getByLabel('Text', { exact: true }).fill('Hello {{name}}');
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.locator('#body-error')).toContainText('{{name}} is not a placeholder');
  await expect(page.getByLabel('Name')).toHaveValue(name);
  await expectAccessible(page);
  await page
    .getByLabel('Text', { exact: true })
    .fill(
      'We looked again at appeal {{appeal_reference}} about case {{case_reference}}. On {{platform}} we {{action}}, because of {{ground}} ({{principles_link}}). ###',
    );
  await page.getByRole('button', { name: 'Save template' }).click();
  await expect(page.getByRole('status')).toContainText(`Template “${name}” saved.`);
  await expectAccessible(page);
  // Change it; retire a second one.
  await page.getByRole('link', { name }).click();
  await page
    .getByLabel('Text', { exact: true })
    .fill(`${await page.getByLabel('Text', { exact: true }).inputValue()} Thank you for asking.`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toContainText('saved');
  await page.getByRole('link', { name: 'Create a template' }).click();
  await page.getByLabel('Name').fill(`Old ${token}`);
  await page.getByLabel('We have reversed our decision', { exact: true }).check();
  await page.getByLabel('Text', { exact: true }).fill('Old text');
  await page.getByRole('button', { name: 'Save template' }).click();
  await page.getByRole('link', { name: `Old ${token}` }).click();
  await page.getByRole('button', { name: `Retire “Old ${token}”` }).click();
  await expect(page.getByRole('status')).toContainText('retired');
  await expect(page.getByRole('row', { name: new RegExp(`Old ${token}`) })).toContainText('Retired');

  // A case and an appeal on it (recorded by the moderator, so the reviewer may decide).
  const db = await openTestDatabase();
  let appealId: number;
  try {
    const c = await insertTestCase(db, {
      actionAt: new Date(Date.now() - 2 * 86_400_000),
      recordedBy: moderator.id,
      groundCodes: ['abusive'],
      actions: ['hidden'],
    });
    const { appeals } = tablesOf(db);
    const [inserted] = await db
      .insert(appeals)
      .values({
        reference: `TPL${token.slice(-8)}`,
        caseId: c.id,
        reason: 'I disagree.',
        email: `tpl-${token}@example.org`,
        status: 'new',
        receivedAt: new Date(),
        dueAt: new Date(Date.now() + 14 * 86_400_000),
      })
      .returning({ id: appeals.id });
    appealId = inserted!.id;
  } finally {
    await closeDatabase(db);
  }

  const reviewerPage = await page
    .context()
    .browser()!
    .newPage({ baseURL: new URL(page.url()).origin, javaScriptEnabled: false });
  try {
    await signInAs(reviewerPage, reviewer);
    await reviewerPage.goto(`/staff/appeals/${appealId}`);
    const select = reviewerPage.getByLabel('Start from a reply template (optional)');
    await expect(select.locator('option')).not.toContainText([`Old ${token}`]);
    // Typed reasons are never overwritten.
    await reviewerPage.getByLabel('Reasons for the decision').fill('My own reasons, typed first.');
    await select.selectOption({ label: name });
    await reviewerPage.getByRole('button', { name: 'Use template' }).click();
    await expect(reviewerPage.locator('#template-error')).toContainText('already has text in it');
    await expect(reviewerPage.getByLabel('Reasons for the decision')).toHaveValue('My own reasons, typed first.');
    // Empty: the template fills the reasons and the outcome.
    await reviewerPage.getByLabel('Reasons for the decision').fill('');
    await reviewerPage.getByLabel('Start from a reply template (optional)').selectOption({ label: name });
    await reviewerPage.getByRole('button', { name: 'Use template' }).click();
    const reasons = reviewerPage.getByLabel('Reasons for the decision');
    await expect(reasons).toHaveValue(
      new RegExp(
        `appeal TPL${token.slice(-8)} about case .+ On Facebook we hid your comment, because of Abuse towards people \\(http.+/principles/1\\.0\\)\\. ### Thank you for asking\\.`,
      ),
    );
    await expect(reviewerPage.getByLabel('We have kept our decision')).toBeChecked();
    await expect(reviewerPage.getByRole('status')).toContainText('Replace every ### with your own words');
    await reviewerPage.locator('#decide').scrollIntoViewIfNeeded();
    if (process.env.SCREENSHOTS_DIR)
      await reviewerPage.screenshot({
        path: join(process.env.SCREENSHOTS_DIR, 'appeal-template-chosen.png'),
        fullPage: true,
      });
    await expectAccessible(reviewerPage);
    // ### left in: no preview.
    await reviewerPage.getByRole('button', { name: 'Preview' }).click();
    await expect(reviewerPage.locator('#explanation-error')).toContainText('Replace every ### in the reasons');
    await expect(reviewerPage.getByTestId('email-preview')).toHaveCount(0);
    await expect(reviewerPage.getByRole('button', { name: 'Send decision' })).toHaveCount(0);
    // A forged template-used (no template that fits this appeal) is refused at the top, and what
    // was typed comes back; nothing is recorded as if it were a template.
    const forged = await reviewerPage.request.post(`/staff/appeals/${appealId}`, {
      headers: { Origin: new URL(reviewerPage.url()).origin },
      form: {
        intent: 'preview',
        outcome: 'upheld',
        explanation: 'Forged reasons, kept as typed.',
        version: '1.0',
        'template-used': '12abc',
      },
    });
    expect(forged.status()).toBe(400);
    const forgedHtml = await forged.text();
    expect(forgedHtml).toContain('could not be found, so it has been removed');
    expect(forgedHtml).toContain('Forged reasons, kept as typed.');
    expect(forgedHtml).not.toContain('name="template-used"');
    const { validateHtml } = await import('../support/vnu.ts');
    expect(await validateHtml([{ name: 'appeal page, forged template-used', html: forgedHtml }])).toEqual([]);
    // Replaced: previewed and sent; the history names the template.
    await reasons.fill((await reasons.inputValue()).replace('###', 'Your comment called a named nurse useless.'));
    await reviewerPage.getByRole('button', { name: 'Preview' }).click();
    await expect(reviewerPage.getByTestId('email-preview')).toContainText('called a named nurse useless');
    await reviewerPage.getByRole('button', { name: 'Send decision' }).click();
    await expect(reviewerPage.getByRole('table', { name: /History/ })).toContainText(
      `reasons started from the reply template “${name}”`,
    );
    await expect(reviewerPage.getByRole('table', { name: /History/ })).toContainText('Decision email queued');
    await expect(reviewerPage.getByRole('table', { name: /History/ })).not.toContainText('→');
  } finally {
    await reviewerPage.close();
  }
});

test('a moderator records whether the person was told, and the window follows it', async ({
  page,
  expectAccessible,
}) => {
  const moderator = await createStaff({ roles: ['moderator'], name: 'Nia Notice' });
  const db = await openTestDatabase();
  let caseId: number;
  try {
    // Acted on 7 months ago: outside the 6-month window, until a later notice is recorded.
    caseId = (await insertTestCase(db, { actionAt: new Date(Date.now() - 213 * 86_400_000), recordedBy: moderator.id }))
      .id;
  } finally {
    await closeDatabase(db);
  }
  await signInAs(page, moderator);
  await page.goto(`/staff/cases/${caseId}`);
  await expect(page.getByText('Not recorded yet.')).toBeVisible();
  await expect(page.getByText(/months from the action/)).toBeVisible();
  // Nothing chosen: an error.
  await page.getByRole('button', { name: 'Save whether the person was told' }).click();
  await expect(page.getByRole('alert')).toContainText('Select whether the person was told');
  await expectAccessible(page);
  // Yes, but a date before the action.
  await page.getByLabel('Yes, we sent them the message').check();
  await page.getByLabel('A private message on the platform').check();
  await page.getByLabel('Day').fill('1');
  await page.getByLabel('Month').fill('1');
  await page.getByLabel('Year').fill('2020');
  await page.getByLabel('Time (24-hour, like 14:30)').fill('10:00');
  await page.getByRole('button', { name: 'Save whether the person was told' }).click();
  await expect(page.locator('#sent-error')).toContainText('cannot have been told before the action');
  await expect(page.getByLabel('A private message on the platform')).toBeChecked();
  // Told 40 days ago (long after the action): saved, and the window now runs from it.
  const told = new Date(Date.now() - 40 * 86_400_000);
  const uk = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'numeric',
    year: 'numeric',
  }).formatToParts(told);
  const part = (t: string) => uk.find((p) => p.type === t)!.value;
  await page.getByLabel('Day').fill(part('day'));
  await page.getByLabel('Month').fill(part('month'));
  await page.getByLabel('Year').fill(part('year'));
  await page.getByLabel('Time (24-hour, like 14:30)').fill('12:00');
  await page.getByRole('button', { name: 'Save whether the person was told' }).click();
  await expect(page.getByRole('status')).toContainText('Saved whether the person was told.');
  await expect(page.getByText(/Told on .+ by a private message on the platform\./)).toBeVisible();
  await expect(page.getByText(/months from when the person was told/)).toBeVisible();
  await expect(page.getByRole('list').filter({ hasText: 'Whether the person was told recorded' })).toBeVisible();
  await expectAccessible(page);

  // The public journey now accepts this case (the action alone is outside the window).
  const db2 = await openTestDatabase();
  let reference: string;
  try {
    const { cases } = tablesOf(db2);
    const [row] = await db2.select({ reference: cases.reference }).from(cases).where(eq(cases.id, caseId));
    reference = row!.reference;
  } finally {
    await closeDatabase(db2);
  }
  const publicPage = await page
    .context()
    .browser()!
    .newPage({ baseURL: new URL(page.url()).origin, javaScriptEnabled: false });
  try {
    await publicPage.goto(`/appeal?ref=${encodeURIComponent(reference)}`);
    await publicPage.getByRole('button', { name: 'Start now' }).click();
    await publicPage.getByRole('button', { name: 'Continue' }).click();
    await expect(publicPage).not.toHaveURL(/too-late/);
    await expect(publicPage.getByRole('heading', { level: 1 })).not.toContainText(/too late|ended/i);
    await expect(publicPage.getByText(reference).first()).toBeVisible();
  } finally {
    await publicPage.close();
  }
});
