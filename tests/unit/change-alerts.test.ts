import { describe, expect, it } from 'vitest';
import { listAudit } from '../../db/audit.ts';
import { listEmails } from '../../db/outbox.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import {
  ALERT_RULES,
  confirmSubscription,
  isConfirmTokenValid,
  isUnsubscribeTokenValid,
  purgeUnconfirmed,
  queueChangeAlerts,
  startChangeAlertJob,
  subscribe,
  unsubscribe,
} from '../../src/lib/principles/change-alerts.ts';
import {
  alreadySubscribedEmail,
  changeAlertEmail,
  confirmSubscriptionEmail,
  unsubscribeHeaders,
} from '../../src/lib/principles/emails/change-alerts.ts';
import { createDraft, getDraft, publishDraft, updateDraft } from '../../src/lib/principles/versions.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import { testRuntime } from '../support/db.ts';

const PUBLIC_URL = 'https://principles.example.nhs.uk';
const DAY = 24 * 60 * 60 * 1000;

async function clocked(start: string): Promise<{ rt: Runtime; set: (ms: number) => void; at: () => number }> {
  let now = Date.parse(start);
  // Each reading moves the clock on a second, so two versions published "now" are not simultaneous.
  const rt = await testRuntime({ now: () => new Date((now += 1000)), env: { PUBLIC_URL } });
  return { rt, set: (ms) => (now = ms), at: () => now };
}

/** Emails queued to one address, oldest first. */
const emailsTo = async (rt: Runtime, to: string) =>
  (await listEmails(rt.db, { limit: 500 })).filter((m) => m.to === to).sort((a, b) => a.id - b.id);

/** The token in the last email's link to `path` (…/subscribe/confirm/<token> or …/unsubscribe/<token>). */
function tokenFrom(text: string, path: 'subscribe/confirm' | 'unsubscribe'): string {
  const match = new RegExp(`${PUBLIC_URL}/${path}/([A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no ${path} link in: ${text}`);
  return match[1]!;
}

async function publishMinor(
  rt: Runtime,
  change: string,
  effectiveAt: Date | 'now' = 'now',
  actor = { id: null, ip: '192.0.2.1' },
) {
  const created = await createDraft(rt, { actor });
  if (!created.ok) throw new Error('no draft');
  const draft = (await getDraft(rt, created.draftId))!;
  const saved = await updateDraft(
    rt,
    created.draftId,
    { bodyMarkdown: `${draft.bodyMarkdown}\n\n${change}`, changeSummary: `Adds: ${change}`, grounds: draft.grounds },
    actor,
  );
  if (!saved.ok) throw new Error(JSON.stringify(saved));
  const published = await publishDraft(rt, created.draftId, { kind: 'minor', effectiveAt, actor });
  if (!published.ok) throw new Error(JSON.stringify(published));
  return published;
}

async function subscribeAndConfirm(rt: Runtime, email: string, ip = '192.0.2.10'): Promise<void> {
  expect(await subscribe(rt, { email, ip })).toEqual({ ok: true });
  const [confirm] = (await emailsTo(rt, email)).filter((m) => m.kind === 'subscription-confirm');
  expect((await confirmSubscription(rt, tokenFrom(confirm!.text, 'subscribe/confirm'))).ok).toBe(true);
}

describe('double opt-in', async () => {
  const { rt } = await clocked('2026-11-25T09:00:00Z');

  it('sends only a confirmation email, and alerts only confirmed addresses', async () => {
    expect(await subscribe(rt, { email: '  Pat@Example.org ', ip: '192.0.2.1' })).toEqual({ ok: true });
    const sent = await emailsTo(rt, 'pat@example.org');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.kind).toBe('subscription-confirm');
    expect(sent[0]!.subject).toMatch(/^Confirm/);
    const token = tokenFrom(sent[0]!.text, 'subscribe/confirm');
    expect(sent[0]!.html).toContain(`${PUBLIC_URL}/subscribe/confirm/${token}`);

    // Not yet confirmed: a new version brings no alert.
    await publishMinor(rt, 'Paragraph one.');
    expect(await emailsTo(rt, 'pat@example.org')).toHaveLength(1);

    expect(await isConfirmTokenValid(rt, token)).toBe(true);
    const confirmed = await confirmSubscription(rt, token);
    expect(confirmed.ok).toBe(true);
    // The link works once.
    expect(await isConfirmTokenValid(rt, token)).toBe(false);
    expect(await confirmSubscription(rt, token)).toEqual({ ok: false, error: 'not-found' });

    await publishMinor(rt, 'Paragraph two.');
    const alerts = (await emailsTo(rt, 'pat@example.org')).filter((m) => m.kind === 'principles-changed');
    expect(alerts).toHaveLength(1);
  });

  it('answers the same whether or not the address is already signed up, and never re-confirms by itself', async () => {
    const before = (await emailsTo(rt, 'pat@example.org')).length;
    expect(await subscribe(rt, { email: 'pat@example.org', ip: '192.0.2.2' })).toEqual({ ok: true });
    const after = await emailsTo(rt, 'pat@example.org');
    expect(after).toHaveLength(before + 1);
    const last = after[after.length - 1]!;
    expect(last.kind).toBe('subscription-exists');
    expect(await isUnsubscribeTokenValid(rt, tokenFrom(last.text, 'unsubscribe'))).toBe(true);
  });

  it('refuses a bad address with a field error and garbage tokens without a lookup', async () => {
    expect(await subscribe(rt, { email: 'not an address', ip: '192.0.2.3' })).toMatchObject({
      ok: false,
      error: 'invalid',
      fieldErrors: { email: expect.stringContaining('correct format') },
    });
    expect(await subscribe(rt, { email: undefined, ip: '192.0.2.3' })).toMatchObject({
      ok: false,
      error: 'invalid',
      fieldErrors: { email: 'Enter your email address' },
    });
    expect(await confirmSubscription(rt, "x' OR 1=1 --")).toEqual({ ok: false, error: 'not-found' });
    expect(await unsubscribe(rt, '../../etc/passwd')).toEqual({ ok: false, error: 'not-found' });
  });

  it('limits sign-ups per client to 10 an hour', async () => {
    for (let i = 0; i < ALERT_RULES.attemptsPerHour; i++)
      expect((await subscribe(rt, { email: `flood${i}@example.org`, ip: '198.51.100.7' })).ok).toBe(true);
    expect(await subscribe(rt, { email: 'flood-last@example.org', ip: '198.51.100.7' })).toMatchObject({
      ok: false,
      error: 'rate-limited',
    });
    expect(await emailsTo(rt, 'flood-last@example.org')).toHaveLength(0);
    // Another client is not affected.
    expect((await subscribe(rt, { email: 'other@example.org', ip: '198.51.100.8' })).ok).toBe(true);
  });
});

describe('the sign-up limit', async () => {
  const rt = await testRuntime({ env: { PUBLIC_URL, SUBSCRIBES_PER_HOUR: '2' } });
  it('comes from SUBSCRIBES_PER_HOUR', async () => {
    expect((await subscribe(rt, { email: 'a@example.org', ip: '203.0.113.1' })).ok).toBe(true);
    expect((await subscribe(rt, { email: 'b@example.org', ip: '203.0.113.1' })).ok).toBe(true);
    expect(await subscribe(rt, { email: 'c@example.org', ip: '203.0.113.1' })).toMatchObject({
      ok: false,
      error: 'rate-limited',
    });
  });
});

describe('purging unconfirmed addresses', async () => {
  const { rt, set, at } = await clocked('2026-11-25T09:00:00Z');

  it('deletes them after 7 days, with their link, and keeps confirmed ones', async () => {
    await subscribe(rt, { email: 'late@example.org', ip: '192.0.2.1' });
    const token = tokenFrom((await emailsTo(rt, 'late@example.org'))[0]!.text, 'subscribe/confirm');
    await subscribeAndConfirm(rt, 'kept@example.org');
    const start = at();
    set(start + 7 * DAY - 60_000);
    expect(await purgeUnconfirmed(rt)).toBe(0);
    expect(await isConfirmTokenValid(rt, token)).toBe(true);
    set(start + 7 * DAY + 60_000);
    expect(await isConfirmTokenValid(rt, token)).toBe(false);
    expect(await purgeUnconfirmed(rt)).toBe(1);
    expect(await confirmSubscription(rt, token)).toEqual({ ok: false, error: 'not-found' });
    // The confirmed address still gets alerts; the purged one gets nothing.
    await publishMinor(rt, 'After the purge.');
    expect((await emailsTo(rt, 'kept@example.org')).filter((m) => m.kind === 'principles-changed')).toHaveLength(1);
    expect(await emailsTo(rt, 'late@example.org')).toHaveLength(1);
    // Signing up again starts afresh.
    expect((await subscribe(rt, { email: 'late@example.org', ip: '192.0.2.1' })).ok).toBe(true);
    expect((await emailsTo(rt, 'late@example.org')).filter((m) => m.kind === 'subscription-confirm')).toHaveLength(2);
  });
});

describe('change alerts', async () => {
  const { rt, set, at } = await clocked('2026-11-25T09:00:00Z');

  it('are queued once per version, with the summary, a compare link and one-click unsubscribe headers', async () => {
    await rt.db.delete(tablesOf(rt.db).outbox);
    await subscribeAndConfirm(rt, 'one@example.org');
    await subscribeAndConfirm(rt, 'two@example.org');
    const published = await publishMinor(rt, 'A clearer paragraph.');
    // The seeded 1.1 (this service's own first change) is in force, so this is 1.2.
    expect(published.version).toBe('1.2');
    // Calling the check again (as the periodic job and other processes do) queues nothing more.
    expect(await queueChangeAlerts(rt)).toEqual([]);
    expect(await queueChangeAlerts(rt)).toEqual([]);
    for (const to of ['one@example.org', 'two@example.org']) {
      const alerts = (await emailsTo(rt, to)).filter((m) => m.kind === 'principles-changed');
      expect(alerts).toHaveLength(1);
      const alert = alerts[0]!;
      expect(alert.subject).toBe('Our social media principles have changed: version 1.2');
      expect(alert.text).toContain('Adds: A clearer paragraph.');
      expect(alert.text).toContain(`${PUBLIC_URL}/principles/compare/1.1...1.2`);
      expect(alert.html).toContain(`href="${PUBLIC_URL}/principles/compare/1.1...1.2"`);
      const token = tokenFrom(alert.text, 'unsubscribe');
      expect(alert.headers).toEqual({
        'List-Unsubscribe': `<${PUBLIC_URL}/unsubscribe/${token}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      });
    }
  });

  it('for a scheduled version are queued when it takes effect, not before, and once', async () => {
    const start = at();
    const effective = new Date(start + DAY);
    await publishMinor(rt, 'Scheduled.', effective);
    expect(await queueChangeAlerts(rt)).toEqual([]);
    expect((await emailsTo(rt, 'one@example.org')).filter((m) => m.subject?.includes('1.3'))).toHaveLength(0);
    set(start + DAY + 1);
    expect(await queueChangeAlerts(rt)).toEqual([{ version: '1.3', recipients: 2 }]);
    expect(await queueChangeAlerts(rt)).toEqual([]);
    expect((await emailsTo(rt, 'one@example.org')).filter((m) => m.subject?.includes('version 1.3'))).toHaveLength(1);
  });

  it('go only to people confirmed when the version took effect', async () => {
    const start = at();
    await publishMinor(rt, 'Later one.', new Date(start + 60_000));
    set(start + 120_000);
    await subscribeAndConfirm(rt, 'newcomer@example.org');
    expect(await queueChangeAlerts(rt)).toEqual([{ version: '1.4', recipients: 2 }]);
    expect((await emailsTo(rt, 'newcomer@example.org')).filter((m) => m.kind === 'principles-changed')).toHaveLength(0);
  });

  it('stop after unsubscribing, which deletes the address; every alert link works', async () => {
    const alerts = (await emailsTo(rt, 'one@example.org')).filter((m) => m.kind === 'principles-changed');
    const older = tokenFrom(alerts[0]!.text, 'unsubscribe');
    const newer = tokenFrom(alerts[alerts.length - 1]!.text, 'unsubscribe');
    expect(await isUnsubscribeTokenValid(rt, older)).toBe(true);
    expect(await unsubscribe(rt, older)).toEqual({ ok: true });
    expect(await isUnsubscribeTokenValid(rt, newer)).toBe(false);
    expect(await unsubscribe(rt, newer)).toEqual({ ok: false, error: 'not-found' });
    await publishMinor(rt, 'After unsubscribing.');
    expect((await emailsTo(rt, 'one@example.org')).filter((m) => m.kind === 'principles-changed')).toHaveLength(
      alerts.length,
    );
    expect((await emailsTo(rt, 'two@example.org')).filter((m) => m.kind === 'principles-changed')).toHaveLength(
      alerts.length + 1,
    );
  });

  it('every drafting step is in the audit log', async () => {
    const actions = (await listAudit(rt.db, { entityType: 'principles', limit: 500 })).map((e) => e.action);
    expect(actions).toContain('principles.draft-created');
    expect(actions).toContain('principles.draft-saved');
    expect(actions).toContain('principles.published');
  });
});

describe('the periodic job', async () => {
  const { rt, set, at } = await clocked('2026-11-25T09:00:00Z');

  it('purges stale sign-ups and queues due alerts as soon as it starts, then stops', async () => {
    await subscribeAndConfirm(rt, 'job@example.org');
    await subscribe(rt, { email: 'stale@example.org', ip: '192.0.2.1' });
    const start = at();
    await publishMinor(rt, 'Scheduled for the job.', new Date(start + DAY));
    set(start + 8 * DAY);
    const job = startChangeAlertJob(rt, 60_000);
    job.stop();
    // The check made at start goes on after stop() and finishes by itself.
    await job.firstRun;
    // Already purged by the job: nothing left for a second purge.
    expect(await purgeUnconfirmed(rt)).toBe(0);
    expect((await emailsTo(rt, 'job@example.org')).filter((m) => m.kind === 'principles-changed')).toHaveLength(1);
    expect(await queueChangeAlerts(rt)).toEqual([]);
  });
});

describe('templates', () => {
  const org = 'Trust <NHS> & "friends"';
  it('escape every value in the HTML part and keep the text part plain', () => {
    const alert = changeAlertEmail({
      orgName: org,
      version: '1.1',
      previousVersion: '1.0',
      changeSummary: '<script>alert(1)</script> & more',
      effectiveOn: '25 November 2026, 9:00am',
      versionUrl: 'https://x.example/principles/1.1',
      compareUrl: 'https://x.example/principles/compare/1.0...1.1?a=1&b="2"',
      unsubscribeUrl: 'https://x.example/unsubscribe/abc',
    });
    expect(alert.html).not.toContain('<script>');
    expect(alert.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(alert.html).toContain('href="https://x.example/principles/compare/1.0...1.1?a=1&amp;b=&quot;2&quot;"');
    expect(alert.html).toContain('Trust &lt;NHS&gt; &amp; &quot;friends&quot;');
    expect(alert.text).toContain('<script>alert(1)</script> & more');
    expect(alert.text).toContain('https://x.example/unsubscribe/abc');
    for (const email of [
      confirmSubscriptionEmail({ orgName: org, confirmUrl: 'https://x.example/subscribe/confirm/t', validDays: 7 }),
      alreadySubscribedEmail({ orgName: org, unsubscribeUrl: 'https://x.example/unsubscribe/t' }),
    ]) {
      expect(email.html).not.toContain('<NHS>');
      expect(email.html).toContain('href="https://x.example/');
      expect(email.text).toContain('https://x.example/');
    }
  });

  it('give RFC 8058 one-click headers', () => {
    expect(unsubscribeHeaders('https://x.example/unsubscribe/t')).toEqual({
      'List-Unsubscribe': '<https://x.example/unsubscribe/t>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });
});
