/**
 * Staff notifications on a real SQLite file with a fake clock: the new-appeal and reply emails,
 * when the working-day digest is due (08:00 UK on a working day; not at weekends or on bank
 * holidays), once a day across two runtimes on one database, and the once-only overdue escalation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../db/audit.ts';
import { findDigestDay } from '../../db/notifications.ts';
import { insertFollowUp } from '../../db/review.ts';
import { listEmails } from '../../db/outbox.ts';
import { addFurtherInformation, createAppeal } from '../../src/lib/appeals/appeals.ts';
import { createRuntime } from '../../src/lib/runtime.ts';
import { closeDatabase } from '../../db/open.ts';
import { getStaff, setDisabled } from '../../src/lib/staff/accounts.ts';
import { assignAppeal, requestInformation, startReview } from '../../src/lib/review/review.ts';
import {
  escalateOverdueAppeals,
  isDigestDue,
  runScheduledDigest,
  sendDigest,
  STAFF_EMAIL_KINDS,
  ukMinuteOfDay,
} from '../../src/lib/notifications/notifications.ts';
import { insertTestAppeal } from '../support/appeals.ts';
import { insertTestCase } from '../support/cases.ts';
import { testConfig, testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);

describe('isDigestDue (08:00 UK time, working days only)', () => {
  it('is due from 08:00 UK time on a working day, not before', () => {
    // Tuesday 1 December 2026: UK time is GMT.
    expect(isDigestDue(at('2026-12-01T07:59:00Z'), 8 * 60)).toBe(false);
    expect(isDigestDue(at('2026-12-01T08:00:00Z'), 8 * 60)).toBe(true);
    expect(isDigestDue(at('2026-12-01T16:30:00Z'), 8 * 60)).toBe(true);
    // Wednesday 1 July 2026: British Summer Time, so 08:00 UK is 07:00 UTC.
    expect(isDigestDue(at('2026-07-01T06:59:00Z'), 8 * 60)).toBe(false);
    expect(isDigestDue(at('2026-07-01T07:00:00Z'), 8 * 60)).toBe(true);
    expect(ukMinuteOfDay(at('2026-07-01T07:00:00Z'))).toBe(8 * 60);
  });

  it('is never due at the weekend', () => {
    expect(isDigestDue(at('2026-12-05T08:00:00Z'), 8 * 60)).toBe(false); // Saturday
    expect(isDigestDue(at('2026-12-06T12:00:00Z'), 8 * 60)).toBe(false); // Sunday
  });

  it('is never due on an England and Wales bank holiday', () => {
    expect(isDigestDue(at('2026-12-25T09:00:00Z'), 8 * 60)).toBe(false); // Christmas Day, a Friday
    expect(isDigestDue(at('2026-12-28T09:00:00Z'), 8 * 60)).toBe(false); // Boxing Day (substitute), a Monday
    expect(isDigestDue(at('2026-12-29T08:00:00Z'), 8 * 60)).toBe(true); // the Tuesday after
  });

  it('is never due when DIGEST_TIME is off', () => {
    expect(isDigestDue(at('2026-12-01T12:00:00Z'), null)).toBe(false);
  });
});

describe('appeal emails to staff', async () => {
  let clock = Date.UTC(2026, 11, 1, 10, 0, 0); // Tuesday 1 December 2026
  const team = await testRuntime({
    now: () => new Date(clock),
    env: { PUBLIC_URL: 'https://appeals.example.nhs.uk', REVIEW_TEAM_EMAIL: 'Review.Team@example.nhs.uk' },
  });
  let reviewerId = 0;

  beforeAll(async () => {
    reviewerId = await testStaff(team, ['reviewer'], 'Rhys Reviewer');
  });

  async function appeal(email = `p${Math.random().toString(36).slice(2)}@example.org`) {
    const c = await insertTestCase(team.db, { actionAt: new Date(clock - 2 * DAY) });
    const r = await createAppeal(team, {
      subject: { kind: 'case', caseReference: c.reference },
      reason: 'My private reasons, with my phone 07700 900123.',
      email,
      name: 'Pat Appellant',
    });
    if (!r.ok) throw new Error(r.error);
    return { ...r, email };
  }

  it('a new appeal sends one email to REVIEW_TEAM_EMAIL with the reference, due date and staff link, and no personal data', async () => {
    const { appeal: a, email } = await appeal();
    const sent = (await listEmails(team.db)).filter(
      (m) => m.kind === STAFF_EMAIL_KINDS.appealReceived && m.subject.includes(a.reference),
    );
    expect(sent).toHaveLength(1);
    const [m] = sent;
    expect(m!.to).toBe('review.team@example.nhs.uk');
    expect(m!.subject).toBe(`New appeal ${a.reference}, decision due 15 December 2026`);
    for (const part of [m!.text, m!.html]) {
      expect(part).toContain(a.reference);
      expect(part).toContain('15 December 2026');
      expect(part).toContain(`https://appeals.example.nhs.uk/staff/appeals/${a.id}`);
      expect(part).not.toContain(email);
      expect(part).not.toContain('Pat Appellant');
      expect(part).not.toContain('07700');
      expect(part).not.toContain('@test_person');
    }
  });

  it('added information goes to the team while nobody is assigned, then to the assigned reviewer', async () => {
    const { appeal: a, statusToken } = await appeal();
    expect((await addFurtherInformation(team, statusToken, 'More from me: my address is 1 High Street.')).ok).toBe(
      true,
    );
    const replies = async () =>
      (await listEmails(team.db)).filter(
        (m) => m.kind === STAFF_EMAIL_KINDS.appellantReplied && m.subject.includes(a.reference),
      );
    expect((await replies()).map((m) => m.to)).toEqual(['review.team@example.nhs.uk']);
    expect((await replies())[0]!.subject).toBe(`Appeal ${a.reference}: the appellant added information`);

    const actor = { id: reviewerId, ip: null };
    expect((await startReview(team, a.id, actor)).ok).toBe(true); // takes it
    expect((await requestInformation(team, a.id, 'Which post do you mean?', actor)).ok).toBe(true);
    clock += 3 * DAY; // Friday
    expect((await addFurtherInformation(team, statusToken, 'The one about the ward.')).ok).toBe(true);
    const reviewerEmail = (await getStaff(team, reviewerId))!.email;
    const latest = (await replies()).at(0)!; // newest first
    expect(latest.to).toBe(reviewerEmail);
    expect(latest.subject).toBe(`Appeal ${a.reference}: the appellant answered your request for information`);
    expect(latest.text).toContain('The clock has restarted');
    expect(latest.text).not.toContain('The one about the ward.');
    expect(latest.text).not.toContain('High Street');
  });
});

describe('without REVIEW_TEAM_EMAIL the team is every active reviewer', async () => {
  const clock = Date.UTC(2026, 11, 1, 10, 0, 0);
  const rt = await testRuntime({ now: () => new Date(clock) });

  it('emails each active reviewer once, not moderators, admins or disabled reviewers', async () => {
    const r1 = await testStaff(rt, ['reviewer'], 'One');
    const r2 = await testStaff(rt, ['reviewer', 'admin'], 'Two');
    const off = await testStaff(rt, ['reviewer'], 'Off');
    await testStaff(rt, ['moderator'], 'Mod');
    await testStaff(rt, ['admin'], 'Adm');
    expect((await setDisabled(rt, { id: null, ip: 'test' }, off, true)).ok).toBe(true);
    const c = await insertTestCase(rt.db, { actionAt: new Date(clock - DAY) });
    const made = await createAppeal(rt, {
      subject: { kind: 'case', caseReference: c.reference },
      reason: 'x',
      email: 'a@example.org',
      name: null,
    });
    if (!made.ok) throw new Error(made.error);
    const to = (await listEmails(rt.db))
      .filter((m) => m.kind === STAFF_EMAIL_KINDS.appealReceived)
      .map((m) => m.to)
      .sort();
    expect(to).toEqual([(await getStaff(rt, r1))!.email, (await getStaff(rt, r2))!.email].sort());
  });
});

describe('the working-day digest', async () => {
  let clock = Date.UTC(2026, 11, 1, 7, 59, 0); // Tuesday 1 December 2026, 07:59 UK
  const config = testConfig({ PUBLIC_URL: 'https://appeals.example.nhs.uk', REVIEW_TEAM_EMAIL: 'team@example.nhs.uk' });
  const rt = await createRuntime(config, () => new Date(clock));
  // A second process on the same database (another worker, or the server after a restart).
  const other = await createRuntime(config, () => new Date(clock));
  afterAll(async () => {
    await closeDatabase(rt.db);
    await closeDatabase(other.db);
  });
  const digests = async () => (await listEmails(rt.db)).filter((m) => m.kind === STAFF_EMAIL_KINDS.digest);

  let overdue: { reference: string };
  let dueSoon: { reference: string };
  let fresh: { reference: string };
  let later: { reference: string };

  beforeAll(async () => {
    const now = new Date(clock);
    overdue = await insertTestAppeal(rt.db, {
      status: 'in-review',
      receivedAt: new Date(clock - 20 * DAY),
      dueAt: new Date(clock - 2 * DAY),
      assignedTo: 1,
    });
    dueSoon = await insertTestAppeal(rt.db, {
      status: 'in-review',
      receivedAt: new Date(clock - 12 * DAY),
      dueAt: new Date(clock + DAY),
      assignedTo: 1,
    });
    fresh = await insertTestAppeal(rt.db, { status: 'new', receivedAt: now, dueAt: new Date(clock + 14 * DAY) });
    later = await insertTestAppeal(rt.db, {
      status: 'in-review',
      receivedAt: now,
      dueAt: new Date(clock + 14 * DAY),
      assignedTo: 1,
    });
    await insertTestAppeal(rt.db, {
      status: 'waiting',
      receivedAt: new Date(clock - 20 * DAY),
      dueAt: new Date(clock - 2 * DAY),
    });
    await insertTestAppeal(rt.db, {
      status: 'decided',
      receivedAt: new Date(clock - 20 * DAY),
      dueAt: new Date(clock - 2 * DAY),
    });
  });

  it('is not sent before 08:00', async () => {
    expect(await runScheduledDigest(rt)).toBeUndefined();
    expect(await digests()).toHaveLength(0);
    expect(await findDigestDay(rt.db, '2026-12-01')).toBeUndefined();
  });

  it('at 08:00 on a working day one digest lists overdue, due soon and new unassigned appeals', async () => {
    clock = Date.UTC(2026, 11, 1, 8, 0, 0);
    expect(await runScheduledDigest(rt)).toEqual({ status: 'sent', day: '2026-12-01', emails: 1, items: 3 });
    const [d] = await digests();
    expect(await digests()).toHaveLength(1);
    expect(d!.to).toBe('team@example.nhs.uk');
    expect(d!.subject).toBe('Appeals today, 1 December 2026: 1 overdue, 1 due soon, 1 new and unassigned');
    const text = d!.text;
    const section = (heading: string) => text.slice(text.indexOf(heading), text.indexOf('\n\n', text.indexOf(heading)));
    expect(section('Overdue (1)')).toContain(overdue.reference);
    expect(section('Due within 2 working days (1)')).toContain(dueSoon.reference);
    expect(section('New and not assigned to anyone (1)')).toContain(fresh.reference);
    expect(section('Follow-ups overdue (0)')).toContain('No follow-up is overdue.');
    expect(text).not.toContain(later.reference);
    expect(d!.html).toContain(`<h2>Overdue (1)</h2>`);
    expect(d!.html).toMatch(
      new RegExp(`<a href="https://appeals.example.nhs.uk/staff/appeals/\\d+">${overdue.reference}</a>: was due`),
    );
  });

  it('is sent once a day: not again by the same process, another process, or later that day', async () => {
    expect(await sendDigest(rt)).toEqual({ status: 'already-decided', day: '2026-12-01' });
    expect(await sendDigest(other)).toEqual({ status: 'already-decided', day: '2026-12-01' });
    clock = Date.UTC(2026, 11, 1, 15, 0, 0);
    expect(await runScheduledDigest(other)).toEqual({ status: 'already-decided', day: '2026-12-01' });
    expect(await digests()).toHaveLength(1);
    expect(await findDigestDay(rt.db, '2026-12-01')).toMatchObject({ emails: 1, items: 3 });
  });

  it('is not sent on Saturday, Sunday or a bank holiday, and is sent on the next working day', async () => {
    for (const day of [5, 6, 25, 28]) {
      clock = Date.UTC(2026, 11, day, 9, 0, 0);
      expect(await runScheduledDigest(rt)).toBeUndefined();
    }
    expect(await digests()).toHaveLength(1);
    clock = Date.UTC(2026, 11, 2, 8, 0, 0); // Wednesday
    expect((await runScheduledDigest(other))?.status).toBe('sent');
    expect(await digests()).toHaveLength(2);
  });

  it('sends nothing when every list is empty, and records the day', async () => {
    const quiet = await testRuntime({
      now: () => new Date(Date.UTC(2026, 11, 3, 8, 0, 0)),
      env: { REVIEW_TEAM_EMAIL: 'team@example.nhs.uk' },
    });
    expect(await runScheduledDigest(quiet)).toEqual({ status: 'empty', day: '2026-12-03' });
    expect(await listEmails(quiet.db)).toHaveLength(0);
    expect(await findDigestDay(quiet.db, '2026-12-03')).toMatchObject({ emails: 0, items: 0 });
  });
});

describe('the digest lists overdue follow-ups', async () => {
  const clock = Date.UTC(2026, 11, 3, 8, 30, 0); // Thursday
  const rt = await testRuntime({ now: () => new Date(clock), env: { REVIEW_TEAM_EMAIL: 'team@example.nhs.uk' } });

  it('with the appeal reference and what to do, and not the ones done or not yet due', async () => {
    const a = await insertTestAppeal(rt.db, {
      status: 'decided',
      receivedAt: new Date(clock - 20 * DAY),
      dueAt: new Date(clock - 6 * DAY),
    });
    const b = await insertTestAppeal(rt.db, {
      status: 'decided',
      receivedAt: new Date(clock - 20 * DAY),
      dueAt: new Date(clock - 6 * DAY),
    });
    await insertFollowUp(rt.db, {
      appealId: a.id,
      kind: 'unblock-account',
      dueAt: new Date(Date.UTC(2026, 11, 1, 23, 59, 59, 999)),
    });
    await insertFollowUp(rt.db, { appealId: b.id, kind: 'restore-comment', dueAt: new Date(clock + DAY) });
    expect(await sendDigest(rt)).toEqual({ status: 'sent', day: '2026-12-03', emails: 1, items: 1 });
    const [d] = (await listEmails(rt.db)).filter((m) => m.kind === STAFF_EMAIL_KINDS.digest);
    expect(d!.subject).toBe(
      'Appeals today, 3 December 2026: 0 overdue, 0 due soon, 0 new and unassigned, 1 follow-up overdue',
    );
    expect(d!.text).toContain(
      `Follow-ups overdue (1)\n- ${a.reference}: Unblock the account, was due 1 December 2026 (2 working days ago)`,
    );
    expect(d!.text).not.toContain(b.reference);
  });
});

describe('overdue escalation', async () => {
  let clock = Date.UTC(2026, 11, 1, 10, 0, 0);
  const rt = await testRuntime({ now: () => new Date(clock), env: { PUBLIC_URL: 'https://appeals.example.nhs.uk' } });

  it('escalates an appeal once to every active admin when it becomes overdue, never again', async () => {
    const a1 = await testStaff(rt, ['admin'], 'Ada Admin');
    const a2 = await testStaff(rt, ['admin', 'reviewer'], 'Ali Admin');
    const gone = await testStaff(rt, ['admin'], 'Gone Admin');
    const reviewer = await testStaff(rt, ['reviewer'], 'Rae Reviewer');
    expect((await setDisabled(rt, { id: null, ip: 'test' }, gone, true)).ok).toBe(true);
    const due = new Date(Date.UTC(2026, 11, 2, 23, 59, 59, 999)); // end of Wednesday
    const a = await insertTestAppeal(rt.db, {
      status: 'in-review',
      receivedAt: new Date(clock - 10 * DAY),
      dueAt: due,
    });
    expect((await assignAppeal(rt, a.id, reviewer, { id: a1, ip: null })).ok).toBe(true);
    const waiting = await insertTestAppeal(rt.db, {
      status: 'waiting',
      receivedAt: new Date(clock - 10 * DAY),
      dueAt: due,
    });
    const escalations = async () => (await listEmails(rt.db)).filter((m) => m.kind === STAFF_EMAIL_KINDS.overdue);

    expect(await escalateOverdueAppeals(rt)).toBe(0); // not yet due
    clock = due.getTime(); // the last moment of the due day: not yet overdue
    expect(await escalateOverdueAppeals(rt)).toBe(0);
    clock = due.getTime() + 1; // Thursday 00:00: overdue
    expect(await escalateOverdueAppeals(rt)).toBe(1);
    expect((await escalations()).map((m) => m.to).sort()).toEqual(
      [(await getStaff(rt, a1))!.email, (await getStaff(rt, a2))!.email].sort(),
    );
    const [m] = await escalations();
    expect(m!.subject).toBe(`Overdue: appeal ${a.reference} was due 2 December 2026`);
    expect(m!.text).toContain('It is assigned to Rae Reviewer.');
    expect(m!.text).toContain(`https://appeals.example.nhs.uk/staff/appeals/${a.id}`);
    expect(m!.text).not.toContain(waiting.reference);

    clock += HOUR;
    expect(await escalateOverdueAppeals(rt)).toBe(0);
    clock += 5 * DAY;
    expect(await escalateOverdueAppeals(rt)).toBe(0);
    expect(await escalations()).toHaveLength(2);
    expect((await listAudit(rt.db, { action: 'appeal.overdue-escalated' })).map((e) => e.entityId)).toEqual([
      String(a.id),
    ]);
  });
});

describe('staff emails always reach someone, or wait until they can', () => {
  it('without REVIEW_TEAM_EMAIL and with no active reviewer, the team is every active admin', async () => {
    const clock = Date.UTC(2026, 11, 1, 10, 0, 0);
    const rt = await testRuntime({ now: () => new Date(clock) });
    const admin = await testStaff(rt, ['admin'], 'Ada Admin');
    const off = await testStaff(rt, ['reviewer'], 'Off Reviewer');
    const offAdmin = await testStaff(rt, ['admin'], 'Off Admin');
    await testStaff(rt, ['moderator'], 'Mo Moderator');
    for (const id of [off, offAdmin]) expect((await setDisabled(rt, { id: null, ip: 'test' }, id, true)).ok).toBe(true);
    const c = await insertTestCase(rt.db, { actionAt: new Date(clock - DAY) });
    const made = await createAppeal(rt, {
      subject: { kind: 'case', caseReference: c.reference },
      reason: 'x',
      email: 'a@example.org',
      name: null,
    });
    if (!made.ok) throw new Error(made.error);
    // Until this change nobody was emailed.
    expect(
      (await listEmails(rt.db)).filter((m) => m.kind === STAFF_EMAIL_KINDS.appealReceived).map((m) => m.to),
    ).toEqual([(await getStaff(rt, admin))!.email]);
  });

  it('a digest with nobody to send it to does not claim the day, and goes out once there is someone', async () => {
    let clock = Date.UTC(2026, 11, 1, 8, 0, 0); // Tuesday 08:00 UK
    const rt = await testRuntime({ now: () => new Date(clock) });
    await insertTestAppeal(rt.db, {
      status: 'new',
      receivedAt: new Date(clock - DAY),
      dueAt: new Date(clock + 14 * DAY),
    });
    expect(await runScheduledDigest(rt)).toEqual({ status: 'no-recipients', day: '2026-12-01' });
    // Until this change the day was claimed with 0 emails, and no digest went out that day.
    expect(await findDigestDay(rt.db, '2026-12-01')).toBeUndefined();
    const reviewer = await testStaff(rt, ['reviewer'], 'Rae Reviewer');
    clock += HOUR;
    expect(await runScheduledDigest(rt)).toEqual({ status: 'sent', day: '2026-12-01', emails: 1, items: 1 });
    expect((await listEmails(rt.db)).filter((m) => m.kind === STAFF_EMAIL_KINDS.digest).map((m) => m.to)).toEqual([
      (await getStaff(rt, reviewer))!.email,
    ]);
    expect(await findDigestDay(rt.db, '2026-12-01')).toMatchObject({ emails: 1, items: 1 });
  });

  it('an overdue appeal is not marked escalated while there is no active admin, and is once there is one', async () => {
    let clock = Date.UTC(2026, 11, 3, 10, 0, 0);
    const rt = await testRuntime({ now: () => new Date(clock) });
    const gone = await testStaff(rt, ['admin'], 'Gone Admin');
    expect((await setDisabled(rt, { id: null, ip: 'test' }, gone, true)).ok).toBe(true);
    const a = await insertTestAppeal(rt.db, {
      status: 'in-review',
      receivedAt: new Date(clock - 20 * DAY),
      dueAt: new Date(clock - DAY),
    });
    expect(await escalateOverdueAppeals(rt)).toBe(0);
    // Until this change the escalation was used up with nobody told.
    expect(await listAudit(rt.db, { action: 'appeal.overdue-escalated' })).toEqual([]);
    const admin = await testStaff(rt, ['admin'], 'New Admin');
    clock += 60_000;
    expect(await escalateOverdueAppeals(rt)).toBe(1);
    const sent = (await listEmails(rt.db)).filter((m) => m.kind === STAFF_EMAIL_KINDS.overdue);
    expect(sent.map((m) => m.to)).toEqual([(await getStaff(rt, admin))!.email]);
    expect(sent[0]!.subject).toContain(a.reference);
    expect(await listAudit(rt.db, { action: 'appeal.overdue-escalated' })).toMatchObject([
      { entityId: String(a.id), details: { admins: 1 } },
    ]);
  });
});
