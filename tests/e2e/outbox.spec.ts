/**
 * The email harness end to end: a message written to the running server's outbox (straight into
 * its database, as domain code would) is delivered by the in-process worker to the SMTP sink.
 */
import { closeDatabase } from '../../db/open.ts';
import { enqueueEmail, findEmail } from '../../db/outbox.ts';
import { notificationEmail } from '../../src/lib/email/notification.ts';
import { openServerDatabase } from './e2e-database.ts';
import { expect, test } from './fixtures.ts';
import { createStaff, signInAs } from './staff-fixtures.ts';

/** Opens the server's database (the caller closes it) and writes one message to the outbox. */
async function enqueue(to: string, subject: string) {
  const db = await openServerDatabase();
  const content = notificationEmail({ orgName: 'Test', subject, heading: 'Hello', paragraphs: ['From the e2e test.'] });
  return { db, ...(await enqueueEmail(db, { to, ...content, kind: 'notification' }, new Date())) };
}

test.describe('email outbox', () => {
  test('the running server delivers an outbox message to the SMTP sink', async ({ mailbox, request }) => {
    const to = `e2e-outbox-${Date.now()}@example.org`;
    const { db, id, messageId } = await enqueue(to, 'Delivered by the server');
    try {
      const [mail] = await mailbox.waitFor({ to, subject: 'Delivered by the server' });
      expect(mail!.messageId).toBe(messageId);
      expect(mail!.from).toBe('no-reply@fair-hearing.test');
      expect(mail!.text).toContain('From the e2e test.');
      await expect.poll(async () => (await findEmail(db, id))?.state).toBe('sent');
      const health = await request.get('/healthz');
      expect(await health.json()).toMatchObject({
        status: 'ok',
        outbox: { queued: expect.any(Number), failed: expect.any(Number) },
      });
    } finally {
      await closeDatabase(db);
    }
  });

  test('a message written during an SMTP outage is delivered once the server is back', async ({ mailbox }) => {
    await mailbox.stop();
    const to = `e2e-outage-${Date.now()}@example.org`;
    const { db, id, messageId } = await enqueue(to, 'After the outage');
    try {
      await expect
        .poll(async () => (await findEmail(db, id))?.attempts ?? 0, { timeout: 15_000 })
        .toBeGreaterThanOrEqual(1);
      expect((await findEmail(db, id))?.state).not.toBe('sent');
      expect(await mailbox.messages({ to })).toHaveLength(0);
      await mailbox.start();
      const [mail] = await mailbox.waitFor({ to }, { timeoutMs: 20_000 });
      expect(mail!.messageId).toBe(messageId);
      await expect.poll(async () => (await findEmail(db, id))?.state).toBe('sent');
      expect(await mailbox.messages({ to })).toHaveLength(1);
    } finally {
      await closeDatabase(db);
    }
  });
});

test('the staff outbox page shows nothing to someone not signed in', async ({ page, request, expectAccessible }) => {
  const direct = await request.get('/staff/outbox/', { maxRedirects: 0 });
  expect(direct.status()).toBe(303);
  // Sent to sign in, with the page asked for kept for afterwards (decision 020).
  expect(direct.headers()['location']).toBe('/staff/login?next=%2Fstaff%2Foutbox%2F');
  await page.goto('/staff/outbox/');
  await expect(page).toHaveURL(/\/staff\/login\?next=%2Fstaff%2Foutbox%2F$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await expect(page.getByRole('table')).toHaveCount(0);
  await expectAccessible(page);
  const post = await request.post('/staff/outbox/', {
    form: { id: '1' },
    headers: { Origin: new URL(page.url()).origin },
    maxRedirects: 0,
  });
  expect(post.status()).toBe(303);
  expect(post.headers()['location']).toBe('/staff/login');
});

test('an admin sees a refused email as failed and retries it from the outbox page', async ({
  page,
  mailbox,
  expectAccessible,
}) => {
  const to = `e2e-refused-${Date.now()}@example.org`;
  await mailbox.rejectWith(550);
  const { db, id, messageId } = await enqueue(to, 'Refused at first');
  try {
    await expect.poll(async () => (await findEmail(db, id))?.state, { timeout: 15_000 }).toBe('failed');
    await mailbox.rejectWith(undefined);

    await signInAs(page, await createStaff({ roles: ['admin'] }));
    await page.goto('/staff/outbox/');
    const row = page.getByRole('row').filter({ hasText: to });
    // States in words, as staff read them (src/lib/platform/labels.ts).
    await expect(row.getByText('Failed', { exact: true })).toBeVisible();
    await expect(row).toContainText('550');
    await expectAccessible(page);

    await row.getByRole('button', { name: `Retry email to ${to}: Refused at first` }).click();
    await expect(page.getByRole('status')).toContainText(`Message ${id} is queued to be sent again.`);
    await expectAccessible(page);
    const [mail] = await mailbox.waitFor({ to });
    expect(mail!.messageId).toBe(messageId);
    await expect.poll(async () => (await findEmail(db, id))?.state).toBe('sent');
    await page.reload();
    await expect(page.getByRole('row').filter({ hasText: to }).getByText('Sent', { exact: true })).toBeVisible();
  } finally {
    await closeDatabase(db);
  }
});
