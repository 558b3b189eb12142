import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isPostgres, tablesOf } from '../../db/dialect/index.ts';
import { queryPlan } from '../../db/dialect/plans.ts';
import { endPool, openPostgres, poolOf } from '../../db/postgres.ts';
import { countCases, countDecisions, countOpenPastDue } from '../../db/transparency.ts';
import { csvCell, reportFigures, toCsv } from '../../src/lib/transparency/export.ts';
import {
  buildReport,
  getTransparencyReport,
  invalidateTransparencyCache,
  monthPeriod,
  parseReportChoice,
  periodsFor,
  quarterPeriod,
  type Report,
} from '../../src/lib/transparency/report.ts';
import { cellText } from '../../src/lib/transparency/glance.ts';
import { tableNote } from '../../src/lib/transparency/notes.ts';
import { testRuntime } from '../support/db.ts';
import { waitUntil } from '../support/wait.ts';

let clock = new Date('2026-07-15T12:00:00Z');
const rt = await testRuntime({ now: () => clock });
let seq = 0;

async function addCase(
  at: string,
  o: {
    platform?: 'facebook' | 'x';
    detectedBy?: 'own-monitoring' | 'public-report';
    automated?: boolean;
    actions?: ('hidden' | 'blocked')[];
    grounds?: string[];
  } = {},
) {
  const { caseActions, caseGrounds, cases } = tablesOf(rt.db);
  const [row] = await rt.db
    .insert(cases)
    .values({
      reference: `CASE-${++seq}`,
      platform: o.platform ?? 'facebook',
      principleVersionId: 1,
      actionAt: new Date(at),
      detectedBy: o.detectedBy ?? 'own-monitoring',
      automated: o.automated ?? false,
      recordedBy: 99,
    })
    .returning({ id: cases.id });
  for (const action of o.actions ?? ['hidden']) await rt.db.insert(caseActions).values({ caseId: row!.id, action });
  for (const groundCode of o.grounds ?? ['abusive'])
    await rt.db.insert(caseGrounds).values({ caseId: row!.id, groundCode });
}

async function addDecision(at: string, days: number, outcome: 'upheld' | 'overturned' | 'partly-overturned') {
  const n = ++seq;
  await rt.db.insert(tablesOf(rt.db).appeals).values({
    reference: `APP-${n}`,
    status: 'decided',
    receivedAt: new Date(at),
    dueAt: new Date(at),
    decidedAt: new Date(at),
    outcome,
    workingDaysToDecision: days,
  });
}

async function addAppeal(status: 'new' | 'withdrawn', receivedAt: string, dueAt: string, withdrawnAt?: string) {
  const n = ++seq;
  await rt.db.insert(tablesOf(rt.db).appeals).values({
    reference: `APP-${n}`,
    status,
    receivedAt: new Date(receivedAt),
    dueAt: new Date(dueAt),
    withdrawnAt: withdrawnAt ? new Date(withdrawnAt) : null,
  });
}

// March 2026 in UK time ends at 2026-03-31T23:00Z (BST began on 29 March).
await addCase('2026-03-31T22:30:00Z'); // 23:30 BST, 31 March → March
for (let i = 0; i < 6; i++) await addCase(`2026-04-1${i}T10:00:00Z`);
await addCase('2026-03-31T23:30:00Z'); // 00:30 BST, 1 April → April (7 facebook cases)
await addCase('2026-04-20T10:00:00Z', {
  platform: 'x',
  detectedBy: 'public-report',
  actions: ['hidden', 'blocked'],
  grounds: ['abusive', 'illegal-activity'],
});
await addCase('2026-04-21T10:00:00Z', { platform: 'x', detectedBy: 'public-report', automated: true });
await addCase('2026-04-30T23:30:00Z'); // 00:30 BST, 1 May → May
// May: 10 decisions; June: 12 decisions.
for (const d of [2, 3, 4, 5, 6, 7, 8, 9, 15, 30])
  await addDecision('2026-05-12T10:00:00Z', d, d < 8 ? 'upheld' : 'overturned');
for (let i = 0; i < 12; i++)
  await addDecision('2026-06-03T10:00:00Z', i < 6 ? 5 : 12, i < 6 ? 'upheld' : 'partly-overturned');
for (let i = 0; i < 5; i++)
  await addAppeal('withdrawn', '2026-06-01T10:00:00Z', '2026-06-15T10:00:00Z', '2026-06-10T10:00:00Z');
await addAppeal('new', '2026-06-20T10:00:00Z', '2026-07-03T10:00:00Z'); // open and overdue on 15 July
await addAppeal('new', '2026-07-10T10:00:00Z', '2026-07-24T10:00:00Z'); // open, not yet due

/** `n` cases at `at` committed in one statement by a connection of the test's own, not the runtime's. */
async function commitFromAnotherConnection(n: number, at: Date): Promise<void> {
  const references = Array.from({ length: n }, (_, i) => `OTHER-${i}`);
  if (isPostgres(rt.db)) {
    const other = await openPostgres(rt.config.databaseUrl!, { poolSize: 1 });
    try {
      await other.insert(tablesOf(other).cases).values(
        references.map((reference) => ({
          reference,
          platform: 'facebook' as const,
          principleVersionId: 1,
          actionAt: at,
          detectedBy: 'own-monitoring' as const,
          automated: false,
          recordedBy: 99,
        })),
      );
    } finally {
      await endPool(poolOf(other));
    }
    return;
  }
  const other = new Database(rt.config.databaseFile);
  try {
    const insert = other.prepare(
      "insert into cases (reference, platform, principle_version_id, action_at, detected_by, automated, recorded_by) values (?, 'facebook', 1, ?, 'own-monitoring', 0, 99)",
    );
    other.transaction(() => {
      for (const reference of references) insert.run(reference, at.getTime());
    })();
  } finally {
    other.close();
  }
}

function figure(report: Report, table: string, period: string, category: string) {
  return reportFigures(report).find((r) => r.table === table && r.period === period && r.category === category)?.value;
}

describe('periods in UK time', () => {
  it('months start at UK midnight, in GMT and in BST', () => {
    expect(new Date(monthPeriod(2026 * 12 + 3).start).toISOString()).toBe('2026-03-31T23:00:00.000Z'); // April, BST
    expect(new Date(monthPeriod(2026 * 12 + 0).start).toISOString()).toBe('2026-01-01T00:00:00.000Z'); // January, GMT
    expect(new Date(monthPeriod(2026 * 12 + 9).end).toISOString()).toBe('2026-11-01T00:00:00.000Z'); // October ends in GMT
    expect(quarterPeriod(2026 * 4 + 1)).toMatchObject({ key: '2026-Q2', label: 'April to June 2026' });
  });

  it('the default is the last 12 complete months or 4 complete quarters', () => {
    const months = periodsFor('month', 'last-12-months', clock).map((p) => p.key);
    expect(months[0]).toBe('2025-07');
    expect(months.at(-1)).toBe('2026-06');
    expect(periodsFor('quarter', 'last-12-months', clock).map((p) => p.key)).toEqual([
      '2025-Q3',
      '2025-Q4',
      '2026-Q1',
      '2026-Q2',
    ]);
    // A year shows only its complete periods.
    expect(periodsFor('quarter', '2026', clock).map((p) => p.key)).toEqual(['2026-Q1', '2026-Q2']);
  });

  it('reads the choice from the query string and refuses anything else', () => {
    expect(parseReportChoice(new URLSearchParams(''), [2026])).toEqual({
      ok: true,
      choice: { view: 'month', range: 'last-12-months' },
    });
    expect(parseReportChoice(new URLSearchParams('view=quarter&range=2026'), [2026])).toEqual({
      ok: true,
      choice: { view: 'quarter', range: '2026' },
    });
    const bad = parseReportChoice(new URLSearchParams('view=week&range=1999'), [2026]);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && Object.keys(bad.errors)).toEqual(['view', 'range']);
  });
});

describe('SQL aggregates', () => {
  it('counts cases per UK month on both sides of the BST change', async () => {
    const rows = await countCases(rt.db, [
      monthPeriod(2026 * 12 + 2),
      monthPeriod(2026 * 12 + 3),
      monthPeriod(2026 * 12 + 4),
    ]);
    const total = (p: string) => rows.filter((r) => r.period === p).reduce((s, r) => s + r.count, 0);
    expect([total('2026-03'), total('2026-04'), total('2026-05')]).toEqual([1, 9, 1]);
  });

  it('gives a histogram of working days per month', async () => {
    const rows = await countDecisions(rt.db, [monthPeriod(2026 * 12 + 5)]);
    expect(rows.map((r) => [r.outcome, r.workingDays, r.count]).sort()).toEqual([
      ['partly-overturned', 12, 6],
      ['upheld', 5, 6],
    ]);
  });

  it('counts open appeals past their due date', async () => {
    expect(await countOpenPastDue(rt.db, clock)).toBe(1);
  });

  it('counts from covering indexes, never reading the tables', async () => {
    const figuresRead = async (query: string, table: string, index: string) => {
      const p = await queryPlan(rt.db, query);
      expect(p.reads).toEqual([expect.objectContaining({ table, access: 'index', index, covering: true })]);
    };
    await figuresRead(
      'select platform, detected_by, automated, count(*) from cases where action_at >= 0 and action_at < 1 group by 1, 2, 3',
      'cases',
      'cases_figures',
    );
    await figuresRead(
      'select outcome, working_days_to_decision, count(*) from appeals where decided_at >= 0 and decided_at < 1 group by 1, 2',
      'appeals',
      'appeals_decided_figures',
    );
  });
});

describe('the report', async () => {
  const report = await buildReport(rt, { view: 'month', range: 'last-12-months' });

  it('suppresses small counts and the cell that would give them away', () => {
    // April: 7 on Facebook, 2 on X, 9 in all. X is <5; Facebook would give it away (9 − 7), so it is [c].
    expect(figure(report, 'cases-by-platform', '2026-04', 'x')).toBe('<5');
    expect(figure(report, 'cases-by-platform', '2026-04', 'facebook')).toBe('[c]');
    expect(figure(report, 'cases-by-platform', '2026-04', 'total')).toBe(9);
    expect(figure(report, 'cases-by-platform', '2026-04', 'tiktok')).toBe(0);
    // 8 not automated, 1 automated.
    expect(figure(report, 'cases-by-automation', '2026-04', 'yes')).toBe('<5');
    expect(figure(report, 'cases-by-automation', '2026-04', 'no')).toBe('[c]');
    // Actions: 9 hidden, 1 blocked (no total: a case can have several actions).
    expect(figure(report, 'actions-by-type', '2026-04', 'hidden')).toBe(9);
    expect(figure(report, 'actions-by-type', '2026-04', 'blocked')).toBe('<5');
    expect(figure(report, 'actions-by-ground', '2026-04', 'abusive')).toBe(9);
    expect(figure(report, 'actions-by-ground', '2026-04', 'illegal-activity')).toBe('<5');
    expect(figure(report, 'cases-by-platform', '2026-03', 'total')).toBe('<5');
    expect(figure(report, 'cases-by-platform', '2026-05', 'total')).toBe('<5');
  });

  it('works out decision times and the share within target', () => {
    // May: days 2,3,4,5,6,7,8,9,15,30. Median rank ⌈5⌉ → 6; p90 rank ⌈9⌉ → 15.
    // 8 within 10 days, 2 outside: the 2 is <5, so 8 is withheld too and so is the share.
    expect(figure(report, 'decision-times', '2026-05', 'median')).toBe(6);
    expect(figure(report, 'decision-times', '2026-05', 'p90')).toBe(15);
    expect(figure(report, 'decision-times', '2026-05', 'within-target')).toBe('[c]');
    expect(figure(report, 'decision-times', '2026-05', 'within-target-percent')).toBe('[c]');
    // Outcomes: 6 upheld (under 8 days), 4 overturned: the 4 is <5, so the 6 is withheld too.
    expect(figure(report, 'appeal-outcomes', '2026-05', 'overturned')).toBe('<5');
    expect(figure(report, 'appeal-outcomes', '2026-05', 'upheld')).toBe('[c]');
    expect(figure(report, 'appeal-outcomes', '2026-05', 'partly-overturned')).toBe(0);
    expect(figure(report, 'appeal-outcomes', '2026-05', 'total')).toBe(10);
    // June: 6 at 5 days, 6 at 12 days. Median rank 6 → 5; p90 rank ⌈10.8⌉ = 11 → 12; 50% within.
    expect(figure(report, 'decision-times', '2026-06', 'median')).toBe(5);
    expect(figure(report, 'decision-times', '2026-06', 'p90')).toBe(12);
    expect(figure(report, 'decision-times', '2026-06', 'within-target-percent')).toBe(50);
    expect(figure(report, 'appeals', '2026-06', 'withdrawn')).toBe(5);
    expect(figure(report, 'appeals', '2026-06', 'received')).toBe(18);
    expect(figure(report, 'appeals', '2026-06', 'decided')).toBe(12);
    // No decisions in April: no median, no share.
    expect(figure(report, 'decision-times', '2026-04', 'median')).toBe('[low]');
    expect(figure(report, 'decision-times', '2026-04', 'within-target-percent')).toBe('[z]');
    expect(figure(report, 'open-past-target', 'as-at', 'open-past-target')).toBe('<5');
  });

  it('a quarter is published only when all its months are', async () => {
    const q = await buildReport(rt, { view: 'quarter', range: '2026' });
    // Q2 platform total = 9 + 1 + 0 = 10, but May is <5, so the quarter is [c].
    expect(figure(q, 'cases-by-platform', '2026-Q2', 'total')).toBe('[c]');
    expect(figure(q, 'appeals', '2026-Q2', 'withdrawn')).toBe(5);
    // Quarter decision times use all 22 decisions: sorted 2,3,4,5×7,6,… so the 11th (median) is 6;
    // p90 rank ⌈19.8⌉ = 20: 2,3,4,5×7,6,7,8,9 are 14, then 12×6 reach 20 → 12.
    expect(figure(q, 'decision-times', '2026-Q2', 'median')).toBe(6);
    expect(figure(q, 'decision-times', '2026-Q2', 'p90')).toBe(12);
  });
});

describe('cache', () => {
  /*
   * On SQLite the cache is dropped by an explicit invalidation, by age, or by another connection's
   * commit (data_version), never by this connection's own write. On PostgreSQL the watcher
   * (db/dialect/change-token.ts) cannot tell whose commit moved the WAL, so any write, this
   * process's own included, may recount within about a second: "still the cached figure after a
   * write" holds on SQLite only. What both promise, a change seen, is asserted on both.
   */
  const keptAfterOwnWrite = !isPostgres(rt.db);

  it('serves the cached report until invalidated or five minutes old', async () => {
    const choice = { view: 'month' as const, range: 'last-12-months' };
    const first = await getTransparencyReport(rt, choice);
    expect(await getTransparencyReport(rt, choice)).toBe(first);
    await addCase('2026-06-10T10:00:00Z');
    if (keptAfterOwnWrite) expect(await getTransparencyReport(rt, choice)).toBe(first); // not yet invalidated
    invalidateTransparencyCache(rt);
    const second = await getTransparencyReport(rt, choice);
    expect(second).not.toBe(first);
    expect(figure(second, 'cases-by-platform', '2026-06', 'total')).toBe('<5');
    clock = new Date(clock.getTime() + 5 * 60 * 1000);
    expect(await getTransparencyReport(rt, choice)).not.toBe(second);
  });

  it('invalidating with a date recounts only that month', async () => {
    const choice = { view: 'month' as const, range: 'last-12-months' };
    const before = figure(await getTransparencyReport(rt, choice), 'cases-by-platform', '2026-02', 'total');
    expect(before).toBe(0);
    for (let i = 0; i < 6; i++) await addCase('2026-02-10T10:00:00Z');
    // A change dated in another month: the report is rebuilt but February is still the cached count.
    invalidateTransparencyCache(rt, new Date('2026-06-10T10:00:00Z'));
    if (keptAfterOwnWrite)
      expect(figure(await getTransparencyReport(rt, choice), 'cases-by-platform', '2026-02', 'total')).toBe(0);
    // Naming February (UK time: 1 Feb 00:30 GMT is February) recounts it.
    invalidateTransparencyCache(rt, [new Date('2026-02-01T00:30:00Z')]);
    expect(figure(await getTransparencyReport(rt, choice), 'cases-by-platform', '2026-02', 'total')).toBe(6);
  });

  it("notices another connection's commit at once (another process, script or instance)", async () => {
    const choice = { view: 'month' as const, range: 'last-12-months' };
    expect(figure(await getTransparencyReport(rt, choice), 'cases-by-platform', '2025-10', 'total')).toBe(0);
    // This connection's own write, not invalidated: still the cached figure.
    await addCase('2025-10-10T10:00:00Z');
    if (keptAfterOwnWrite)
      expect(figure(await getTransparencyReport(rt, choice), 'cases-by-platform', '2025-10', 'total')).toBe(0);
    // Another connection commits five more; no invalidation call anywhere.
    await commitFromAnotherConnection(5, new Date('2025-10-11T10:00:00Z'));
    if (isPostgres(rt.db)) {
      // PostgreSQL's watcher sees others' commits at its next poll (about a second), not at once.
      await waitUntil(
        async () => figure(await getTransparencyReport(rt, choice), 'cases-by-platform', '2025-10', 'total') === 6,
        'the report to count the other connection’s cases',
        3_000,
      );
    }
    expect(figure(await getTransparencyReport(rt, choice), 'cases-by-platform', '2025-10', 'total')).toBe(6);
  });

  it('recounts a month after an hour even if nobody invalidated it', async () => {
    const choice = { view: 'month' as const, range: 'last-12-months' };
    expect(figure(await getTransparencyReport(rt, choice), 'cases-by-platform', '2026-01', 'total')).toBe(0);
    for (let i = 0; i < 5; i++) await addCase('2026-01-10T10:00:00Z');
    clock = new Date(clock.getTime() + 6 * 60 * 1000);
    if (keptAfterOwnWrite)
      expect(figure(await getTransparencyReport(rt, choice), 'cases-by-platform', '2026-01', 'total')).toBe(0);
    clock = new Date(clock.getTime() + 60 * 60 * 1000);
    expect(figure(await getTransparencyReport(rt, choice), 'cases-by-platform', '2026-01', 'total')).toBe(5);
  });
});

describe('CSV', () => {
  it('escapes cells against formula injection and quotes as RFC 4180', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('-2')).toBe(`"'-2"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('<5')).toBe('<5');
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell(12)).toBe('12');
  });

  it('has a header and one row per figure', async () => {
    const report = await buildReport(rt, { view: 'month', range: 'last-12-months' });
    const lines = toCsv(reportFigures(report)).trimEnd().split('\r\n');
    expect(lines[0]).toBe('table,period,period_start,period_end,category,category_label,unit,value');
    expect(lines).toContain('cases-by-platform,2026-04,2026-04-01,2026-04-30,x,X (Twitter),cases,<5');
    expect(lines.length - 1).toBe(reportFigures(report).length);
  });
});

describe('table cells and notes', () => {
  it('writes a count with separators, a percentage with its sign, and a marker as it is', () => {
    expect(cellText(1234)).toBe('1,234');
    expect(cellText(0)).toBe('0');
    expect(cellText(50, 'percent')).toBe('50%');
    expect(cellText('<5')).toBe('<5');
    expect(cellText('[c]', 'percent')).toBe('[c]');
  });

  it("finds a table's note by its id, and none for a table without one", () => {
    expect(tableNote('cases-told')).toMatch(/^Whether we told the person/);
    expect(tableNote('cases-by-platform')).toBeUndefined();
  });
});
