import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { findAppealById, listAppealEvents, updateAppeal } from '../../db/appeals.ts';
import { listEmails } from '../../db/outbox.ts';
import { execute, isPostgres, tablesOf } from '../../db/dialect/index.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { addWorkingDays } from '../../src/lib/platform/calendar.ts';
import { formatDate, fromDateParts } from '../../src/lib/platform/dates.ts';
import {
  addFurtherInformation,
  appealWindowCloses,
  checkClaimedDate,
  createAppeal,
  findAppealByStatusToken,
  withdrawAppeal,
  type NewAppeal,
} from '../../src/lib/appeals/appeals.ts';
import { hashToken } from '../../src/lib/platform/tokens.ts';
import { appealAcknowledgementEmail } from '../../src/lib/appeals/emails/acknowledgement.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';

const DAY = 24 * 60 * 60_000;
let clock = Date.UTC(2026, 10, 25, 10, 0, 0); // Wednesday 25 November 2026
const rt = await testRuntime({ now: () => new Date(clock), env: { PUBLIC_URL: 'https://appeals.example.nhs.uk' } });
const { appealStatusLinks, appeals } = tablesOf(rt.db);

/** The message of `error` and of each of its causes, one a line. */
function messagesOf(error: unknown): string {
  const messages: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) messages.push(e.message);
  return messages.join('\n');
}

/** Makes every insert into the outbox fail with `message`, until the returned function is called. */
async function refuseOutboxInserts(message: string): Promise<() => Promise<void>> {
  if (!isPostgres(rt.db)) {
    await execute(
      rt.db,
      sql.raw(`create trigger refuse_outbox before insert on outbox begin select raise(abort, '${message}'); end`),
    );
    return () => execute(rt.db, sql`drop trigger refuse_outbox`);
  }
  await execute(
    rt.db,
    sql.raw(
      `create function refuse_outbox() returns trigger language plpgsql as $$ begin raise exception '${message}'; end $$`,
    ),
  );
  await execute(
    rt.db,
    sql`create trigger refuse_outbox before insert on outbox for each row execute function refuse_outbox()`,
  );
  return async () => {
    await execute(rt.db, sql`drop trigger refuse_outbox on outbox`);
    await execute(rt.db, sql`drop function refuse_outbox()`);
  };
}

function caseAppeal(caseReference: string, email = 'person@example.org'): NewAppeal {
  return {
    subject: { kind: 'case', caseReference },
    reason: 'I was asking a fair question.',
    email,
    name: 'Jo <b>Bloggs</b>',
  };
}

describe('createAppeal', () => {
  it('records the appeal, its history and the acknowledgement email, keeping only the token hash', async () => {
    const c = await insertTestCase(rt.db, { actionAt: new Date(clock - 3 * DAY) });
    const result = await createAppeal(rt, caseAppeal(c.reference));
    if (!result.ok) throw new Error(result.error);
    const { appeal, statusToken } = result;
    // ≥ 128 bits of randomness in the link.
    expect(Buffer.from(statusToken, 'base64url').length).toBeGreaterThanOrEqual(16);
    const row = (await findAppealById(rt.db, appeal.id))!;
    expect(row).toMatchObject({
      caseId: c.id,
      status: 'new',
      email: 'person@example.org',
      reason: 'I was asking a fair question.',
    });
    expect(
      (await rt.db.select().from(appealStatusLinks).where(eq(appealStatusLinks.appealId, appeal.id))).map(
        (l) => l.tokenHash,
      ),
    ).toEqual([hashToken(statusToken)]);
    expect(JSON.stringify(row)).not.toContain(statusToken);
    expect(row.dueAt.getTime()).toBe(addWorkingDays(new Date(clock), rt.config.reviewWorkingDays).getTime());
    expect((await listAppealEvents(rt.db, appeal.id)).map((e) => e.kind)).toEqual(['received', 'email-queued']);

    const email = (await listEmails(rt.db)).find(
      (m) => m.kind === 'appeal-ack' && m.subject.includes(appeal.reference),
    )!;
    expect(email.to).toBe('person@example.org');
    expect(email.text).toContain(`https://appeals.example.nhs.uk/appeal/status/${statusToken}`);
    expect(email.text).toContain(c.reference);
    expect(email.text).toContain('9 December 2026'); // 10 working days after 25 November 2026
    expect(email.html).toContain(`href="https://appeals.example.nhs.uk/appeal/status/${statusToken}"`);
    // The name is escaped in HTML, never markup.
    expect(email.html).toContain('Jo &lt;b&gt;Bloggs&lt;/b&gt;');
    expect(email.html).not.toContain('<b>Bloggs');
  });

  it('allows one open appeal per case, and a new one once the first is withdrawn', async () => {
    const c = await insertTestCase(rt.db, { actionAt: new Date(clock - DAY) });
    const first = await createAppeal(rt, caseAppeal(c.reference, 'first@example.org'));
    expect(first.ok).toBe(true);
    const before = (await listEmails(rt.db)).length;
    expect(await createAppeal(rt, caseAppeal(c.reference, 'second@example.org'))).toEqual({
      ok: false,
      error: 'already-open',
    });
    expect((await listEmails(rt.db)).length).toBe(before);
    if (!first.ok) return;
    expect(await withdrawAppeal(rt, first.statusToken)).toEqual({ ok: true });
    expect((await createAppeal(rt, caseAppeal(c.reference, 'second@example.org'))).ok).toBe(true);
  });

  it('is refused by the database index even if the first check is raced', async () => {
    const c = await insertTestCase(rt.db);
    expect((await createAppeal(rt, caseAppeal(c.reference))).ok).toBe(true);
    const [open] = await rt.db.select().from(appeals).where(eq(appeals.caseId, c.id)).limit(1);
    const error: unknown = await rt.db
      .insert(appeals)
      .values({ ...open!, id: undefined, reference: 'X' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isUniqueViolation(error, 'appeals.case_id')).toBe(true);
  });

  it('applies the appeal window from the action date', async () => {
    const months = rt.config.appealWindowMonths;
    const inside = await insertTestCase(rt.db, { actionAt: new Date(Date.UTC(2026, 5, 1, 12)) }); // 1 June: closes 1 December
    const outside = await insertTestCase(rt.db, { actionAt: new Date(Date.UTC(2026, 3, 24, 12)) }); // 7 months ago
    expect(appealWindowCloses(new Date(Date.UTC(2026, 3, 24, 12)), months).toISOString()).toBe(
      '2026-10-24T12:00:00.000Z',
    );
    expect(await createAppeal(rt, caseAppeal(outside.reference))).toEqual({
      ok: false,
      error: 'outside-window',
      windowClosedAt: new Date('2026-10-24T12:00:00.000Z'),
    });
    expect((await createAppeal(rt, caseAppeal(inside.reference))).ok).toBe(true);
  });

  it('counts the window in UK time across a change of the clocks', () => {
    // 1 pm BST on 15 June 2026 (12:00 UTC) → 1 pm GMT on 15 December 2026 (13:00 UTC), not noon.
    expect(appealWindowCloses(new Date('2026-06-15T12:00:00Z'), 6).toISOString()).toBe('2026-12-15T13:00:00.000Z');
    // 1 pm GMT on 15 November 2026 → 1 pm BST on 15 May 2027 (12:00 UTC).
    expect(appealWindowCloses(new Date('2026-11-15T13:00:00Z'), 6).toISOString()).toBe('2027-05-15T12:00:00.000Z');
  });

  it('lets a no-reference appeal through all of the last UK day of the window, and not after', () => {
    const at = (iso: string) => ({ ...rt, now: () => new Date(iso) });
    const noon = (y: number, m: number, d: number) => fromDateParts(String(d), String(m), String(y))!;
    // Happened 1 May 2026 (BST): the last day is 1 November 2026 (GMT), until midnight GMT.
    expect(checkClaimedDate(at('2026-11-01T23:30:00Z'), noon(2026, 5, 1))).toEqual({ ok: true });
    const late = checkClaimedDate(at('2026-11-02T00:00:00Z'), noon(2026, 5, 1));
    expect(late.ok).toBe(false);
    if (!late.ok) expect(formatDate(late.windowClosedAt)).toBe('1 November 2026');
    // Happened 15 November 2026 (GMT): the last day is 15 May 2027 (BST), until midnight BST (23:00 UTC).
    expect(checkClaimedDate(at('2027-05-15T22:30:00Z'), noon(2026, 11, 15))).toEqual({ ok: true });
    expect(checkClaimedDate(at('2027-05-15T23:00:00Z'), noon(2026, 11, 15)).ok).toBe(false);
  });

  it('refuses an unknown case', async () => {
    expect(await createAppeal(rt, caseAppeal('000-000-000'))).toEqual({ ok: false, error: 'case-not-found' });
  });

  it('records an appeal without a case reference with what the person told us', async () => {
    const result = await createAppeal(rt, {
      subject: { kind: 'post', platform: 'x', handle: '@someone', date: '2026-11-20', postUrl: null },
      reason: 'Not abusive.',
      email: 'noref@example.org',
      name: null,
    });
    if (!result.ok) throw new Error(result.error);
    expect(await findAppealById(rt.db, result.appeal.id)).toMatchObject({
      caseId: null,
      claimedPlatform: 'x',
      claimedHandle: '@someone',
      claimedDate: '2026-11-20',
    });
    expect((await listEmails(rt.db)).some((m) => m.to === 'noref@example.org' && m.kind === 'appeal-ack')).toBe(true);
  });

  it('keeps the appeal and its email together: if the email cannot be queued, no appeal is recorded', async () => {
    const c = await insertTestCase(rt.db);
    const appealsBefore = (await rt.db.select().from(appeals)).length;
    const emailsBefore = (await listEmails(rt.db)).length;
    const allowOutboxInserts = await refuseOutboxInserts('outbox unavailable');
    try {
      // On PostgreSQL drizzle wraps the driver's error (DrizzleQueryError): the trigger's text is its cause.
      await expect(createAppeal(rt, caseAppeal(c.reference))).rejects.toSatisfy((error) =>
        messagesOf(error).includes('outbox unavailable'),
      );
    } finally {
      await allowOutboxInserts();
    }
    expect((await rt.db.select().from(appeals)).length).toBe(appealsBefore);
    expect((await listEmails(rt.db)).length).toBe(emailsBefore);
    // And nothing stops a later attempt.
    expect((await createAppeal(rt, caseAppeal(c.reference))).ok).toBe(true);
  });
});

describe('the private status link', () => {
  it('finds the appeal by its token only', async () => {
    const c = await insertTestCase(rt.db);
    const result = await createAppeal(rt, caseAppeal(c.reference));
    if (!result.ok) throw new Error(result.error);
    const view = (await findAppealByStatusToken(rt, result.statusToken))!;
    expect(view).toMatchObject({
      reference: result.appeal.reference,
      caseReference: c.reference,
      status: 'new',
      statusLabel: 'Received',
      canChange: true,
      decision: null,
    });
    expect(view.history.map((h) => h.text)).toEqual(['We received your appeal']);
    // One character changed (to something other than what it was) finds nothing.
    const last = result.statusToken.at(-1) === 'A' ? 'B' : 'A';
    expect(await findAppealByStatusToken(rt, `${result.statusToken.slice(0, -1)}${last}`)).toBeUndefined();
    expect(await findAppealByStatusToken(rt, '')).toBeUndefined();
    expect(await findAppealByStatusToken(rt, "' or 1=1 --")).toBeUndefined();
    expect(await findAppealByStatusToken(rt, hashToken(result.statusToken))).toBeUndefined();
  });

  it('shows the decision text once decided, and then allows no more changes', async () => {
    const c = await insertTestCase(rt.db);
    const result = await createAppeal(rt, caseAppeal(c.reference));
    if (!result.ok) throw new Error(result.error);
    await updateAppeal(rt.db, result.appeal.id, {
      status: 'decided',
      outcome: 'overturned',
      explanation: 'We got this wrong.',
      decidedAt: new Date(clock),
    });
    const view = (await findAppealByStatusToken(rt, result.statusToken))!;
    expect(view.decision).toMatchObject({
      outcome: 'We have reversed our decision',
      explanation: 'We got this wrong.',
    });
    expect(view.canChange).toBe(false);
    expect(await withdrawAppeal(rt, result.statusToken)).toEqual({ ok: false, error: 'not-allowed' });
    expect(await addFurtherInformation(rt, result.statusToken, 'More')).toEqual({ ok: false, error: 'not-allowed' });
  });
});

describe('withdrawAppeal and addFurtherInformation', () => {
  it('withdraws once, records it and emails a confirmation', async () => {
    const c = await insertTestCase(rt.db);
    const result = await createAppeal(rt, caseAppeal(c.reference, 'withdraw@example.org'));
    if (!result.ok) throw new Error(result.error);
    expect(await withdrawAppeal(rt, result.statusToken)).toEqual({ ok: true });
    expect(await withdrawAppeal(rt, result.statusToken)).toEqual({ ok: false, error: 'not-allowed' });
    expect(await withdrawAppeal(rt, 'A'.repeat(43))).toEqual({ ok: false, error: 'not-found' });
    const view = (await findAppealByStatusToken(rt, result.statusToken))!;
    expect(view).toMatchObject({ status: 'withdrawn', statusLabel: 'Withdrawn', canChange: false });
    expect(view.withdrawnAt?.getTime()).toBe(clock);
    expect(view.history.map((h) => h.text)).toContain('You withdrew your appeal');
    expect(
      (await listEmails(rt.db)).some((m) => m.to === 'withdraw@example.org' && m.kind === 'appeal-withdrawn'),
    ).toBe(true);
  });

  it('adds information; when we were waiting for it, review resumes and the due date moves by the pause', async () => {
    const c = await insertTestCase(rt.db);
    const result = await createAppeal(rt, caseAppeal(c.reference));
    if (!result.ok) throw new Error(result.error);
    expect(await addFurtherInformation(rt, result.statusToken, 'Here is a screenshot description.')).toEqual({
      ok: true,
    });
    expect((await findAppealById(rt.db, result.appeal.id))!.status).toBe('new');

    const due = (await findAppealById(rt.db, result.appeal.id))!.dueAt;
    await updateAppeal(rt.db, result.appeal.id, { status: 'waiting', pausedAt: new Date(clock) });
    const saved = clock;
    clock = addWorkingDays(new Date(clock), 3).getTime();
    try {
      expect(await addFurtherInformation(rt, result.statusToken, 'The answer to your question.')).toEqual({ ok: true });
    } finally {
      clock = saved;
    }
    const row = (await findAppealById(rt.db, result.appeal.id))!;
    expect(row.status).toBe('in-review');
    expect(row.pausedAt).toBeNull();
    expect(row.dueAt.getTime()).toBe(addWorkingDays(due, 3).getTime());
    const view = (await findAppealByStatusToken(rt, result.statusToken))!;
    expect(view.history.filter((h) => h.text === 'You added further information').map((h) => h.body)).toEqual([
      'Here is a screenshot description.',
      'The answer to your question.',
    ]);
  });
});

describe('appealAcknowledgementEmail', () => {
  const base = {
    orgName: 'Test Trust',
    appealReference: 'AAAA-BBBB-CCC',
    receivedAt: new Date(Date.UTC(2026, 10, 25, 10)),
    dueAt: new Date(Date.UTC(2026, 11, 9, 23, 59)),
    statusUrl: 'https://example.nhs.uk/appeal/status/abc_DEF-123abc_DEF-123abc',
    findUrl: 'https://example.nhs.uk/appeal/find',
    complaintsUrl: 'https://example.nhs.uk/complaints',
    crisisUrl: 'https://example.nhs.uk/crisis',
  };

  it('gives the reference, the decision date, the private link and other routes, in text and HTML', () => {
    const mail = appealAcknowledgementEmail({ ...base, name: null, caseReference: '1111-2222-333' });
    expect(mail.subject).toBe('We have received your appeal AAAA-BBBB-CCC');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('AAAA-BBBB-CCC');
      expect(part).toContain('1111-2222-333');
      expect(part).toContain('9 December 2026');
      expect(part).toContain(base.statusUrl);
      expect(part).toContain(base.complaintsUrl);
      expect(part).toContain('116 123');
    }
    expect(mail.text.startsWith('Hello,')).toBe(true);
    expect(mail.html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
  });

  it('without a case reference, and with a name that is only ever text', () => {
    const mail = appealAcknowledgementEmail({ ...base, name: '"><img src=x onerror=alert(1)>', caseReference: null });
    expect(mail.text).toContain('a decision we made about your post');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&quot;&gt;&lt;img');
  });
});
