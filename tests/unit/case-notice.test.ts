/**
 * "Was the person told?": recording the notice on a case (sent when and how, or why not), the
 * appeal window counted from the later of the action and the notice, and the transparency
 * figure "share of actions where the person was told" with the small-number rules.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../db/audit.ts';
import { findCaseById } from '../../db/cases.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { appealWindowStart, checkCaseEligibility, createAppeal } from '../../src/lib/appeals/appeals.ts';
import { NOTICE_MESSAGES, noticeFormValues, parseNoticeForm, recordNotice } from '../../src/lib/cases/notice.ts';
import { toDateParts } from '../../src/lib/platform/dates.ts';
import { reportFigures, toCsv, toJson } from '../../src/lib/transparency/export.ts';
import { buildReport, countsFromRows, countsFromTallies, monthPeriod } from '../../src/lib/transparency/report.ts';
import { eq } from 'drizzle-orm';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';

const DAY = 24 * 60 * 60_000;
let clock = Date.UTC(2026, 10, 25, 10, 0, 0); // Wednesday 25 November 2026
const rt = await testRuntime({ now: () => new Date(clock) });
let mod: { id: number; ip: string; roles: string[] };
let reviewer: { id: number; ip: string; roles: string[] };

beforeAll(async () => {
  mod = { id: await testStaff(rt, ['moderator'], 'Mo Derator'), ip: '127.0.0.1', roles: ['moderator'] };
  reviewer = { id: await testStaff(rt, ['reviewer'], 'Rita Reviewer'), ip: '127.0.0.1', roles: ['reviewer'] };
});

const sentAt = (d: Date) => {
  const p = toDateParts(d);
  return { 'sent-day': p.day, 'sent-month': p.month, 'sent-year': p.year, 'sent-time': p.time };
};

describe('the notice form', () => {
  const actionAt = new Date(Date.UTC(2026, 10, 20, 9, 30));
  it('refuses what is missing or impossible, with the message for each field', () => {
    expect(parseNoticeForm(rt, {}, actionAt)).toEqual({ ok: false, errors: { told: NOTICE_MESSAGES.told } });
    expect(parseNoticeForm(rt, { told: 'yes' }, actionAt)).toEqual({
      ok: false,
      errors: { method: NOTICE_MESSAGES.method, 'sent-day': NOTICE_MESSAGES.sentEmpty },
    });
    expect(
      parseNoticeForm(
        rt,
        {
          told: 'yes',
          method: 'reply',
          'sent-day': '31',
          'sent-month': '2',
          'sent-year': '2026',
          'sent-time': '10:00',
        },
        actionAt,
      ),
    ).toEqual({ ok: false, errors: { 'sent-day': NOTICE_MESSAGES.sentInvalid } });
    expect(
      parseNoticeForm(rt, { told: 'yes', method: 'reply', ...sentAt(new Date(actionAt.getTime() - DAY)) }, actionAt),
    ).toEqual({ ok: false, errors: { 'sent-day': NOTICE_MESSAGES.sentBeforeAction } });
    expect(parseNoticeForm(rt, { told: 'yes', method: 'reply', ...sentAt(new Date(clock + DAY)) }, actionAt)).toEqual({
      ok: false,
      errors: { 'sent-day': NOTICE_MESSAGES.sentFuture },
    });
    expect(parseNoticeForm(rt, { told: 'yes', method: 'carrier-pigeon', ...sentAt(actionAt) }, actionAt)).toEqual({
      ok: false,
      errors: { method: NOTICE_MESSAGES.method },
    });
    expect(parseNoticeForm(rt, { told: 'no', reason: '   ' }, actionAt)).toEqual({
      ok: false,
      errors: { reason: NOTICE_MESSAGES.reasonEmpty },
    });
    expect(parseNoticeForm(rt, { told: 'no', reason: 'x'.repeat(1001) }, actionAt)).toEqual({
      ok: false,
      errors: { reason: NOTICE_MESSAGES.reasonTooLong },
    });
  });

  it('the minute of the action counts as at the action', () => {
    const at = new Date(Date.UTC(2026, 10, 20, 9, 30, 45));
    expect(parseNoticeForm(rt, { told: 'yes', method: 'reply', ...sentAt(at) }, at)).toEqual({
      ok: true,
      input: { told: true, method: 'reply', sentAt: at },
    });
  });
});

describe('recording the notice', () => {
  it('a moderator records it sent; the audit entry says how and when, and the form re-fills', async () => {
    const c = await insertTestCase(rt.db, { actionAt: new Date(clock - 3 * DAY), recordedBy: mod.id });
    const told = new Date(clock - 2 * DAY);
    expect(await recordNotice(rt, c.id, { told: 'yes', method: 'private-message', ...sentAt(told) }, mod)).toEqual({
      ok: true,
    });
    const saved = (await findCaseById(rt.db, c.id))!;
    expect(saved).toMatchObject({
      noticeSentAt: new Date(Math.floor(told.getTime() / 60_000) * 60_000),
      noticeMethod: 'private-message',
      noticeNotSentReason: null,
      noticeRecordedBy: mod.id,
    });
    expect((await listAudit(rt.db, { action: 'case.notice-recorded', entityId: c.reference }))[0]).toMatchObject({
      actorId: mod.id,
      details: { told: true, method: 'private-message' },
    });
    expect(noticeFormValues(saved)).toMatchObject({ told: 'yes', method: 'private-message' });
  });

  it('could not be told: the reason is kept on the case, never in the audit log', async () => {
    const c = await insertTestCase(rt.db, { actionAt: new Date(clock - 3 * DAY), recordedBy: mod.id });
    expect(
      await recordNotice(
        rt,
        c.id,
        { told: 'no', reason: 'The account was deleted by Sam Smith before we could reply.' },
        mod,
      ),
    ).toEqual({ ok: true });
    expect(await findCaseById(rt.db, c.id)).toMatchObject({
      noticeSentAt: null,
      noticeNotSentReason: 'The account was deleted by Sam Smith before we could reply.',
    });
    const entry = (await listAudit(rt.db, { action: 'case.notice-recorded', entityId: c.reference }))[0]!;
    expect(entry.details).toEqual({ told: false });
    expect(JSON.stringify(entry)).not.toContain('Sam Smith');
  });

  it('a reviewer cannot record it, and nothing changes', async () => {
    const c = await insertTestCase(rt.db, { actionAt: new Date(clock - 3 * DAY), recordedBy: mod.id });
    expect(await recordNotice(rt, c.id, { told: 'no', reason: 'No way to message them.' }, reviewer)).toEqual({
      ok: false,
      error: 'not-allowed',
    });
    expect(await findCaseById(rt.db, c.id)).toMatchObject({ noticeRecordedAt: null, noticeNotSentReason: null });
    expect(await recordNotice(rt, 999_999, { told: 'no', reason: 'x' }, mod)).toEqual({
      ok: false,
      error: 'not-found',
    });
  });
});

describe('the appeal window runs from the later of the action and the notice', () => {
  it('counts from the action when the notice is not recorded, could not be sent, or was sent at once', () => {
    const actionAt = new Date(Date.UTC(2026, 3, 1, 12));
    expect(appealWindowStart({ actionAt })).toEqual(actionAt);
    expect(appealWindowStart({ actionAt, noticeSentAt: null })).toEqual(actionAt);
    expect(appealWindowStart({ actionAt, noticeSentAt: new Date(actionAt.getTime() - 1) })).toEqual(actionAt);
    expect(appealWindowStart({ actionAt, noticeSentAt: new Date(actionAt.getTime() + DAY) })).toEqual(
      new Date(actionAt.getTime() + DAY),
    );
  });

  it('a notice recorded after the action reopens a window the action alone had closed', async () => {
    // Action seven months ago: outside the 6-month window on its own.
    const actionAt = new Date(Date.UTC(2026, 3, 20, 10)); // 20 April 2026
    const c = await insertTestCase(rt.db, { actionAt, recordedBy: mod.id });
    expect(await checkCaseEligibility(rt, (await findCaseById(rt.db, c.id))!)).toMatchObject({
      ok: false,
      error: 'outside-window',
      windowClosedAt: new Date(Date.UTC(2026, 9, 20, 10)),
    });
    // The person was only told on 2 June (the moderator records it today, long after both).
    const told = new Date(Date.UTC(2026, 5, 2, 14, 15));
    expect(await recordNotice(rt, c.id, { told: 'yes', method: 'email', ...sentAt(told) }, mod)).toEqual({ ok: true });
    const found = (await findCaseById(rt.db, c.id))!;
    expect(await checkCaseEligibility(rt, found)).toEqual({
      ok: true,
      windowClosesAt: new Date(Date.UTC(2026, 11, 2, 15, 15)),
    }); // 2 December, 15:15 GMT = 14:15 BST + 6 months in UK time
    const appeal = await createAppeal(rt, {
      subject: { kind: 'case', caseReference: found.reference },
      reason: 'I only found out in June.',
      email: 'late@example.org',
      name: null,
    });
    expect(appeal.ok).toBe(true);
    // …and once that window has passed too, the appeal is refused.
    const other = await insertTestCase(rt.db, { actionAt, recordedBy: mod.id });
    await recordNotice(rt, other.id, { told: 'yes', method: 'reply', ...sentAt(told) }, mod);
    const saved = clock;
    clock = Date.UTC(2026, 11, 2, 15, 16);
    expect(await checkCaseEligibility(rt, (await findCaseById(rt.db, other.id))!)).toMatchObject({
      ok: false,
      error: 'outside-window',
    });
    clock = saved;
  });

  it('a notice recorded as not sent leaves the window at the action', async () => {
    const actionAt = new Date(Date.UTC(2026, 3, 20, 10));
    const c = await insertTestCase(rt.db, { actionAt, recordedBy: mod.id });
    await recordNotice(rt, c.id, { told: 'no', reason: 'Account gone.' }, mod);
    expect(await checkCaseEligibility(rt, (await findCaseById(rt.db, c.id))!)).toMatchObject({
      ok: false,
      error: 'outside-window',
    });
  });
});

describe('the transparency figure: share of actions where the person was told', async () => {
  const rt2 = await testRuntime({ now: () => new Date('2026-07-15T12:00:00Z'), env: { PAGE_CACHE: 'false' } });
  const { cases } = tablesOf(rt2.db);
  let seq = 0;
  const addCase = async (at: string, told: boolean) => {
    const [row] = await rt2.db
      .insert(cases)
      .values({
        reference: `C-${++seq}`,
        platform: 'facebook',
        principleVersionId: 1,
        actionAt: new Date(at),
        detectedBy: 'own-monitoring',
        automated: false,
        recordedBy: 1,
      })
      .returning({ id: cases.id });
    // Written afterwards, as the case page does: the tallies follow the update.
    if (told)
      await rt2.db
        .update(cases)
        .set({ noticeSentAt: new Date(new Date(at).getTime() + 3_600_000), noticeMethod: 'reply' })
        .where(eq(cases.id, row!.id));
  };
  beforeAll(async () => {
    for (let i = 0; i < 20; i++) await addCase(`2026-04-${10 + i}T10:00:00Z`, i < 14); // April: 14 of 20 told
    for (let i = 0; i < 7; i++) await addCase(`2026-05-1${i}T10:00:00Z`, i < 3); // May: 3 of 7 told → "<5"
    // June: no actions.
  });

  it('publishes the share, withheld when a count is under 5, not applicable with no actions', async () => {
    const report = await buildReport(rt2, { view: 'month', range: 'last-12-months' });
    const byPeriod = Object.fromEntries(report.told.map((r) => [r.period.key, r]));
    expect(byPeriod['2026-04']).toMatchObject({ cases: 20, told: 14, toldPercent: 70 });
    expect(byPeriod['2026-05']).toMatchObject({ cases: 7, told: '<5', toldPercent: '[c]' });
    expect(byPeriod['2026-06']).toMatchObject({ cases: 0, told: 0, toldPercent: '[z]' });
    const table = report.tables.find((t) => t.id === 'cases-told')!;
    const april = table.rows.find((r) => r.period.key === '2026-04')!;
    expect(april.cells).toEqual([14, 6]);
    expect(april.total).toBe(20);
  });

  it('the same figure is in the CSV and the JSON', async () => {
    const report = await buildReport(rt2, { view: 'month', range: 'last-12-months' });
    const rows = reportFigures(report).filter((r) => r.table === 'cases-told' && r.category === 'told-percent');
    expect(rows.find((r) => r.period === '2026-04')).toMatchObject({
      category_label: 'Share of actions where the person was told',
      unit: 'percent',
      value: 70,
    });
    expect(toCsv(reportFigures(report))).toContain(
      'cases-told,2026-04,2026-04-01,2026-04-30,told-percent,Share of actions where the person was told,percent,70\r\n',
    );
    expect(toCsv(reportFigures(report))).toContain(
      'cases-told,2026-05,2026-05-01,2026-05-31,told-percent,Share of actions where the person was told,percent,[c]\r\n',
    );
    const json = toJson(report, 'https://example.org') as {
      figures: { table: string; period: string; category: string; value: unknown }[];
    };
    expect(
      json.figures.find((f) => f.table === 'cases-told' && f.period === '2026-04' && f.category === 'told-percent')
        ?.value,
    ).toBe(70);
    expect(
      json.figures.find((f) => f.table === 'cases-told' && f.period === '2026-04' && f.category === 'yes')?.value,
    ).toBe(14);
  });

  it('the running tallies agree with counting the rows', async () => {
    const months = [monthPeriod(2026 * 12 + 3), monthPeriod(2026 * 12 + 4), monthPeriod(2026 * 12 + 5)];
    expect((await countsFromTallies(rt2, months)).cases).toEqual((await countsFromRows(rt2, months)).cases);
    expect((await countsFromTallies(rt2, months)).cases.get('2026-04')?.get('told/yes')).toBe(14);
  });
});
