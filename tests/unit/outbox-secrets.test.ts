/**
 * Private links in the outbox: a message carries its secrets until it is delivered (the real SMTP
 * sink receives the link), then the stored copy has each replaced by the marker and keeps no list
 * of them. Undelivered messages keep them (a retry must send the link) but staff see them redacted.
 */
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { allRows, firstRow } from '../../db/dialect/index.ts';
import {
  claimNextEmail,
  enqueueEmail,
  findEmail,
  markEmailFailed,
  redactSecrets,
  REDACTED_MARK,
} from '../../db/outbox.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { subscribe } from '../../src/lib/principles/change-alerts.ts';
import { notificationEmail } from '../../src/lib/email/notification.ts';
import { startOutboxWorker } from '../../src/lib/email/worker.ts';
import { listOutbox } from '../../src/lib/email/outbox.ts';
import { inviteStaff } from '../../src/lib/staff/accounts.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { testStaff } from '../support/staff.ts';
import { waitUntil } from '../support/wait.ts';

const sink = await new SmtpSink().start();
afterAll(() => sink.stop());
const rt = await testRuntime({
  env: {
    OUTBOX_POLL_MS: '50',
    SMTP_URL: sink.url,
    PUBLIC_URL: 'https://appeals.example.nhs.uk',
    SUBSCRIBES_PER_HOUR: '1000',
  },
});

/** Every stored column of one outbox row, as text. */
const rawRow = async (id: number) => JSON.stringify(await firstRow(rt.db, sql`select * from outbox where id = ${id}`));
/** The id of the newest outbox row of a kind. */
const newestOfKind = async (kind: string) =>
  (await firstRow<{ id: number }>(rt.db, sql`select id from outbox where kind = ${kind} order by id desc`))!.id;

async function deliverAll(): Promise<void> {
  const worker = startOutboxWorker(rt);
  try {
    await waitUntil(
      async () =>
        (
          await firstRow<{ n: number }>(
            rt.db,
            sql`select count(*) as n from outbox where state in ('queued', 'sending')`,
          )
        )?.n === 0,
      'the outbox to drain',
    );
  } finally {
    await worker.stop();
  }
}

describe('redactSecrets', () => {
  it('replaces each secret in text, HTML (also HTML-escaped) and headers, the longest first', () => {
    const link = 'https://x.example/status/tok?a=1&b=2';
    const out = redactSecrets(
      {
        text: `Go to ${link} now`,
        html: `<a href="${link.replace('&', '&amp;')}">Go</a> tok`,
        headers: { 'List-Unsubscribe': `<${link}>` },
      },
      ['tok', link],
    );
    expect(out).toEqual({
      text: `Go to ${REDACTED_MARK} now`,
      html: `<a href="${REDACTED_MARK}">Go</a> ${REDACTED_MARK}`,
      headers: { 'List-Unsubscribe': `<${REDACTED_MARK}>` },
    });
  });
});

describe('enqueueEmail with secrets', () => {
  it('refuses a listed secret the message does not carry (it would stay unredacted)', async () => {
    const content = notificationEmail({
      orgName: 'T',
      subject: 'S',
      heading: 'H',
      paragraphs: ['P'],
      link: { text: 'L', url: 'https://x.example/a' },
    });
    await expect(
      enqueueEmail(
        rt.db,
        { to: 'a@example.org', ...content, kind: 'notification', secrets: ['https://x.example/b'] },
        rt.now(),
      ),
    ).rejects.toThrow(/not in the message/);
  });
});

describe('after delivery the stored copy keeps no private link', () => {
  it('appeal acknowledgement: the sink got the status link, the row has the marker instead', async () => {
    const c = await insertTestCase(rt.db);
    const created = await createAppeal(rt, {
      subject: { kind: 'case', caseReference: c.reference },
      reason: 'Please look again.',
      email: 'ack@example.org',
      name: 'Ann',
    });
    if (!created.ok) throw new Error(created.error);
    const token = created.statusToken;
    const row = { id: await newestOfKind('appeal-ack') };
    // Before delivery the link is there (it is what will be sent).
    expect(await rawRow(row.id)).toContain(token);
    await deliverAll();
    const mail = sink.messages.find((m) => m.to.includes('ack@example.org'))!;
    expect(mail.text).toContain(`https://appeals.example.nhs.uk/appeal/status/${token}`);
    expect(mail.html).toContain(token);
    const stored = (await findEmail(rt.db, row.id))!;
    expect(stored.state).toBe('sent');
    expect(await rawRow(row.id)).not.toContain(token);
    expect(stored.text).toContain(REDACTED_MARK);
    expect(stored.html).toContain(REDACTED_MARK);
    expect(stored.secrets).toBeNull();
  });

  it('staff invitation and sign-up confirmation emails', async () => {
    const admin = await testStaff(rt, ['admin']);
    const invited = await inviteStaff(
      rt,
      { id: admin, ip: null },
      { email: 'new.person@example.org', name: 'New Person', roles: ['moderator'] },
    );
    if (!invited.ok) throw new Error(JSON.stringify(invited));
    expect((await subscribe(rt, { email: 'alerts@example.org', ip: '203.0.113.5' })).ok).toBe(true);
    const confirm = /\/subscribe\/confirm\/([A-Za-z0-9_-]+)/.exec(
      await rawRow(await newestOfKind('subscription-confirm')),
    )![1]!;
    await deliverAll();
    const inviteRow = { id: await newestOfKind('staff-invite') };
    expect(sink.messages.some((m) => m.text.includes(invited.link))).toBe(true);
    expect(await rawRow(inviteRow.id)).not.toContain(invited.link);
    expect(await rawRow(inviteRow.id)).toContain(REDACTED_MARK);
    expect(sink.messages.some((m) => m.text.includes(confirm))).toBe(true);
    const all = JSON.stringify(await allRows(rt.db, sql`select * from outbox`));
    expect(all).not.toContain(confirm);
    expect(all).not.toContain(invited.link.split('/').pop()!);
  });

  it('a failed message keeps its link for a retry, but staff see it redacted', async () => {
    const content = notificationEmail({
      orgName: 'T',
      subject: 'S',
      heading: 'H',
      paragraphs: ['P'],
      link: { text: 'L', url: 'https://x.example/secret-link-123' },
    });
    const { id } = await enqueueEmail(
      rt.db,
      { to: 'fail@example.org', ...content, kind: 'notification', secrets: ['https://x.example/secret-link-123'] },
      new Date(0),
    );
    const claimed = (await claimNextEmail(rt.db, 'tok', rt.now(), 60_000))!;
    expect(claimed.id).toBe(id);
    expect(await markEmailFailed(rt.db, id, 'tok', 'refused')).toBe(true);
    expect(await rawRow(id)).toContain('secret-link-123');
    const shown = (await listOutbox(rt)).find((m) => m.id === id)!;
    expect(JSON.stringify(shown)).not.toContain('secret-link-123');
    expect(shown.text).toContain(REDACTED_MARK);
  });
});
