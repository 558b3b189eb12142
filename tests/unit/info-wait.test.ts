import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { findAppealById, listAppealEvents } from '../../db/appeals.ts';
import { listAudit } from '../../db/audit.ts';
import { firstRow } from '../../db/dialect/index.ts';
import { listEmails } from '../../db/outbox.ts';
import { addFurtherInformation, createAppeal, findAppealByStatusToken } from '../../src/lib/appeals/appeals.ts';
import { addWorkingDays, remainingWorkingDays, resumeDueDate } from '../../src/lib/platform/calendar.ts';
import { parseConfig } from '../../src/lib/platform/config.ts';
import { formatDate } from '../../src/lib/platform/dates.ts';
import { infoWaitDates } from '../../src/lib/appeals/info-wait.ts';
import { chaseWaitingAppeals } from '../../src/lib/appeals/info-wait-job.ts';
import { assignAppeal, requestInformation, startReview, type Actor } from '../../src/lib/review/review.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';

const DAY = 24 * 60 * 60_000;
const ASKED = Date.UTC(2026, 0, 12, 10, 0, 0); // Monday 12 January 2026
let clock = ASKED - 2 * DAY;
const rt = await testRuntime({
  now: () => new Date(clock),
  env: { PUBLIC_URL: 'https://appeals.example.nhs.uk', INFO_WAIT_WORKING_DAYS: '3' },
});
let reviewer: Actor;
let reviewerEmail: string;

beforeAll(async () => {
  reviewer = { id: await testStaff(rt, ['reviewer'], 'Wendy Waiter'), ip: '127.0.0.1' };
  reviewerEmail = (await firstRow<{ email: string }>(rt.db, sql`select email from staff where id = ${reviewer.id}`))!
    .email;
});

async function waitingAppeal() {
  clock = ASKED - 2 * DAY;
  const c = await insertTestCase(rt.db, { actionAt: new Date(clock - DAY) });
  const email = `w${Math.random().toString(36).slice(2)}@example.org`;
  const r = await createAppeal(rt, {
    subject: { kind: 'case', caseReference: c.reference },
    reason: 'It was fair.',
    email,
    name: null,
  });
  if (!r.ok) throw new Error(r.error);
  expect(await startReview(rt, r.appeal.id, reviewer)).toEqual({ ok: true });
  expect(await assignAppeal(rt, r.appeal.id, reviewer.id, reviewer)).toEqual({ ok: true });
  clock = ASKED;
  expect(await requestInformation(rt, r.appeal.id, 'Which post do you mean?', reviewer)).toEqual({ ok: true });
  return { id: r.appeal.id, reference: r.appeal.reference, email, token: r.statusToken };
}

const mails = async (kind: string, to: string) =>
  (await listEmails(rt.db)).filter((m) => m.kind === kind && m.to === to);

describe('waiting for the appellant', () => {
  it('says by when we need an answer: twice INFO_WAIT_WORKING_DAYS working days', async () => {
    const a = await waitingAppeal();
    const answerBy = addWorkingDays(new Date(ASKED), 6);
    expect(infoWaitDates(new Date(ASKED), 3)).toEqual({ remindAt: addWorkingDays(new Date(ASKED), 3), answerBy });
    expect((await findAppealByStatusToken(rt, a.token))!.question).toMatchObject({
      text: 'Which post do you mean?',
      answerBy,
    });
    expect((await mails('appeal-info-request', a.email))[0]!.text).toContain(`by ${formatDate(answerBy)}`); // Tuesday 20 January 2026
    expect(formatDate(answerBy)).toBe('20 January 2026');
  });

  it('reminds once after INFO_WAIT_WORKING_DAYS, then resumes the review after twice that, telling the reviewer', async () => {
    const a = await waitingAppeal();
    const before = (await findAppealById(rt.db, a.id))!;
    // Thursday 15 January, end of the 3rd working day: not yet.
    clock = addWorkingDays(new Date(ASKED), 3).getTime();
    expect(await chaseWaitingAppeals(rt)).toMatchObject({ reminded: 0 });
    expect(await mails('appeal-info-reminder', a.email)).toHaveLength(0);

    clock += 60_000;
    expect((await chaseWaitingAppeals(rt)).reminded).toBeGreaterThanOrEqual(1);
    const [reminder] = await mails('appeal-info-reminder', a.email);
    expect(reminder!.subject).toBe(`Reminder: we need more information about your appeal ${a.reference}`);
    expect(reminder!.text).toContain('Which post do you mean?');
    expect(reminder!.text).toContain('by 20 January 2026');
    const link = /https:\/\/appeals\.example\.nhs\.uk(\/appeal\/status\/([A-Za-z0-9_-]{22,})\/add-information)/.exec(
      reminder!.text,
    )!;
    expect((await findAppealByStatusToken(rt, link[2]!))?.reference).toBe(a.reference);
    // Only one reminder, however often the check runs.
    clock += DAY;
    await chaseWaitingAppeals(rt);
    expect(await mails('appeal-info-reminder', a.email)).toHaveLength(1);
    expect((await findAppealById(rt.db, a.id))!.status).toBe('waiting');

    // After the answer-by day: the review resumes, the clock restarts with the days it had left.
    clock = addWorkingDays(new Date(ASKED), 6).getTime() + 60_000;
    expect((await chaseWaitingAppeals(rt)).resumed).toBeGreaterThanOrEqual(1);
    const after = (await findAppealById(rt.db, a.id))!;
    expect(after).toMatchObject({ status: 'in-review', pausedAt: null });
    expect(after.dueAt.getTime()).toBe(
      resumeDueDate(new Date(clock), remainingWorkingDays(before.pausedAt!, before.dueAt)).getTime(),
    );
    const ended = (await listAppealEvents(rt.db, a.id)).filter((e) => e.kind === 'info-wait-ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ actorType: 'system', details: { from: 'waiting', to: 'in-review' } });
    expect(
      (await listAudit(rt.db)).some((e) => e.action === 'appeal.info-wait-ended' && e.entityId === String(a.id)),
    ).toBe(true);
    const told = (await mails('staff-info-wait-ended', reviewerEmail)).filter((m) => m.subject.includes(a.reference));
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain(`https://appeals.example.nhs.uk/staff/appeals/${a.id}`);
    expect(told[0]!.text).not.toContain(a.email);
    // The appellant's history says so; nothing happens twice.
    expect((await findAppealByStatusToken(rt, a.token))!.history.map((h) => h.text)).toContain(
      'We carried on reviewing your appeal without an answer from you',
    );
    await chaseWaitingAppeals(rt);
    expect((await listAppealEvents(rt.db, a.id)).filter((e) => e.kind === 'info-wait-ended')).toHaveLength(1);
    expect(
      (await mails('staff-info-wait-ended', reviewerEmail)).filter((m) => m.subject.includes(a.reference)),
    ).toHaveLength(1);
  });

  it('leaves an appeal alone once the appellant has answered', async () => {
    const a = await waitingAppeal();
    clock = ASKED + DAY;
    expect(await addFurtherInformation(rt, a.token, 'The one about parking.')).toEqual({ ok: true });
    clock = addWorkingDays(new Date(ASKED), 10).getTime();
    await chaseWaitingAppeals(rt);
    expect(await mails('appeal-info-reminder', a.email)).toHaveLength(0);
    expect((await listAppealEvents(rt.db, a.id)).some((e) => e.kind === 'info-wait-ended')).toBe(false);
  });

  it('is configured by INFO_WAIT_WORKING_DAYS (default 10); a bad value names the variable', () => {
    const ok = parseConfig({});
    expect(ok.ok && ok.config.infoWaitWorkingDays).toBe(10);
    for (const bad of ['0', 'ten', '51']) {
      const result = parseConfig({ INFO_WAIT_WORKING_DAYS: bad });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toContain('INFO_WAIT_WORKING_DAYS');
    }
  });
});
