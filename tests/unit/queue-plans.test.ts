/**
 * The review queue stays fast with a million appeals: every statement the queue page runs, for
 * every filter combination, reads an index (no full scan of appeals; no sort except of the open
 * appeals a due filter selects), checked with the engine's query plan (db/dialect/plans.ts).
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { execute, isPostgres, tablesOf } from '../../db/dialect/index.ts';
import { queryPlan, type Explainable, type QueryPlan } from '../../db/dialect/plans.ts';
import {
  countByStatus,
  countByStatusStatement,
  countQueueFilters,
  listOpenFollowUpsWithAppeal,
  listQueue,
  openFollowUpsStatement,
  queueFilterStatements,
  queueStatements,
  searchStatements,
  type QueueQuery,
  type QueueSearch,
} from '../../db/review.ts';
import { nearbyReferences, generateReference } from '../../src/lib/cases/references.ts';
import { QUEUE_STATUSES } from '../../src/lib/review/review.ts';
import { seedScale } from '../../bench/seed.ts';
import { testRuntime } from '../support/db.ts';

const rt = await testRuntime();

/*
 * Where the plans come from. SQLite's planner does not weigh table sizes here (no ANALYZE), so its
 * plans over the test tables are its plans over a million rows. PostgreSQL's planner does weigh
 * them: over empty tables, even with sequential scans priced out, it often walks a whole index in
 * due order rather than the exact-match or status ranges, which says nothing of a real queue. So
 * on PostgreSQL the plans are of a database of its own holding a million cases and a million
 * appeals (bench/seed.ts: the bench's mix of statuses, a tenth of the open ones overdue), with
 * ANALYZE's statistics, and the planner's own choice (no scans priced out): a scan of appeals
 * below would be the plan a trust's server runs. The queue's results further down run on the
 * test runtime of either engine.
 */
const PLAN_ROWS = 1_000_000;
const planRt = isPostgres(rt.db) ? await testRuntime() : rt;
if (isPostgres(planRt.db)) {
  await seedScale(planRt.db, PLAN_ROWS);
  // And the follow-ups those decisions leave (a comment to restore after each overturned one),
  // all done but one in a hundred.
  await execute(
    planRt.db,
    sql`insert into follow_ups (appeal_id, kind, due_at, done_at)
        select id, 'restore-comment', decided_at + 172800000, case when id % 100 <> 1 then decided_at + 86400000 end
        from appeals where outcome = 'overturned'`,
  );
  await execute(planRt.db, sql`analyze follow_ups`);
}
const plan = (query: Explainable) => queryPlan(planRt.db, query, { priceOutScans: false });
const text = (p: QueryPlan) => p.detail.join('\n');
const readsOf = (p: QueryPlan, table: string) => p.reads.filter((r) => r.table === table);
const scans = (p: QueryPlan, ...tables: string[]) =>
  p.reads.filter((r) => tables.includes(r.table) && r.access === 'scan');
/** Reads of staff and cases (the joins) that are not by primary key. */
const joinsNotByKey = (p: QueryPlan) =>
  p.reads.filter((r) => ['staff', 'cases'].includes(r.table) && r.access !== 'primary key');
/** The bounds of the appeals index range a due filter reads: the status and the due date. */
const appealsIndex = expect.objectContaining({ access: 'index', index: expect.stringMatching(/^appeals_/) });
/**
 * A due filter's read of appeals: a range of the due date within the clock-running statuses
 * (status= on a status index), or within the partial index of open appeals (appeals_open_*:
 * neither decided nor withdrawn), which PostgreSQL picks at a million rows. Either way the
 * decided bulk is never read.
 */
const dueRange = (read: { index: string | null; keys: string[] }) =>
  read.keys.includes('due_at<') && (read.keys.includes('status=') || /^appeals_open_/.test(read.index ?? ''));
/** The plan reads appeals through an index range on the due date among open appeals. */
function expectDueRange(p: QueryPlan): void {
  const read = readsOf(p, 'appeals').find((r) => r.access === 'index');
  expect(read?.index, text(p)).toMatch(/^appeals_/);
  expect(dueRange(read!), text(p)).toBe(true);
}
/**
 * Reads of the running counts that are scans. appeal_tallies holds a row a status and assignee
 * (tens of rows, whatever the number of appeals): with real statistics PostgreSQL rightly reads
 * it whole, so only SQLite is held to an index there.
 */
const tallyScans = (p: QueryPlan) => (isPostgres(planRt.db) ? [] : scans(p, 'appeal_tallies'));
/**
 * Nothing big is sorted. SQLite: no sort at all (its index order serves). PostgreSQL, which
 * estimates: a sort only of a few rows its index ranges picked (at most a hundredth of the
 * appeals, about the open ones), as when it takes "new and unassigned" from two small ranges and
 * sorts those, never of the decided bulk.
 */
function expectNoBigSort(p: QueryPlan): void {
  if (!isPostgres(planRt.db)) return void expect(p.sorted, text(p)).toBe(false);
  if (p.sorted) expect(p.sortedRows, text(p)).toBeLessThanOrEqual(PLAN_ROWS / 100);
}

const combos: QueueQuery[] = [];
for (const status of [null, ...QUEUE_STATUSES]) {
  for (const assignee of [null, 7, 'unassigned'] as const) {
    for (const dueBefore of [null, new Date('2026-11-25T12:00:00Z')]) {
      for (const order of ['soonest', 'latest'] as const) {
        for (const offset of [0, 50]) combos.push({ status, assignee, dueBefore, order, limit: 25, offset });
      }
    }
  }
}

describe('queue query plans', () => {
  it.each(combos.map((q) => [JSON.stringify({ ...q, dueBefore: q.dueBefore ? 'set' : null }), q] as const))(
    '%s reads an index in due-date order',
    async (_, q) => {
      const { items, total } = queueStatements(planRt.db, q);
      const itemPlan = await plan(items);
      // Appeals are searched through an index, never scanned whole...
      const appealsStep = readsOf(itemPlan, 'appeals')[0];
      expect(appealsStep).toMatchObject({ access: 'index', index: expect.stringMatching(/^appeals_/) });
      expect(scans(itemPlan, 'appeals')).toEqual([]);
      if (q.dueBefore) {
        // ...a due filter reads only the clock-running statuses' ranges (status=? on the index) and
        // sorts those (open appeals), never the decided bulk;
        expect(dueRange(appealsStep!), text(itemPlan)).toBe(true);
      } else {
        // ...without one, the index gives due-date order: no sort, the read stops after the page.
        expectNoBigSort(itemPlan);
      }
      // The joins use the primary keys.
      expect(joinsNotByKey(itemPlan)).toEqual([]);
      const totalPlan = await plan(total);
      expect([...scans(totalPlan, 'appeals'), ...(q.status !== null ? tallyScans(totalPlan) : [])]).toEqual([]);
      if (q.dueBefore) expect(readsOf(totalPlan, 'appeals')).toContainEqual(appealsIndex);
      else expect(readsOf(totalPlan, 'appeal_tallies')).not.toEqual([]);
    },
  );

  it('counts per filter read an index or the running counts, whatever the other filters', async () => {
    const overdue = new Date('2026-11-25T12:00:00Z');
    const week = new Date('2026-12-02T12:00:00Z');
    for (const status of [null, ...QUEUE_STATUSES]) {
      for (const assignee of [null, 7, 'unassigned'] as const) {
        for (const dueBefore of [null, overdue]) {
          const s = queueFilterStatements(planRt.db, 7, { status, assignee, dueBefore }, overdue, week);
          for (const due of [s.overdue, s.week]) expectDueRange(await plan(due));
          for (const who of [s.mine, s.unassigned]) {
            const p = await plan(who);
            expect(scans(p, 'appeals')).toEqual([]);
            if (dueBefore) expect(readsOf(p, 'appeals')).toContainEqual(appealsIndex);
            else expect(readsOf(p, 'appeal_tallies')).not.toEqual([]);
          }
        }
      }
    }
  });

  it('counts per status come from the running counts, not from appeals', async () => {
    expect(readsOf(await plan(countByStatusStatement(planRt.db)), 'appeals')).toEqual([]);
    for (const assignee of [7, 'unassigned'] as const)
      expect(readsOf(await plan(countByStatusStatement(planRt.db, { assignee, dueBefore: null })), 'appeals')).toEqual(
        [],
      );
  });

  it('counts per status under a due filter read only the clock-running index ranges', async () => {
    for (const assignee of [null, 7, 'unassigned'] as const) {
      const p = await plan(
        countByStatusStatement(planRt.db, { assignee, dueBefore: new Date('2026-11-25T12:00:00Z') }),
      );
      expectDueRange(p);
      expect(scans(p, 'appeals')).toEqual([]);
    }
  });

  it('open follow-ups are read through their index, in due order, with the appeal by primary key', async () => {
    const p = await plan(openFollowUpsStatement(planRt.db));
    expect(readsOf(p, 'follow_ups')).toEqual([
      expect.objectContaining({ access: 'index', index: 'follow_ups_open', keys: ['done_at='] }),
    ]);
    expectNoBigSort(p);
    expect(readsOf(p, 'appeals').filter((r) => r.access !== 'primary key')).toEqual([]);
    expect(await listOpenFollowUpsWithAppeal(planRt.db)).toHaveLength(isPostgres(planRt.db) ? 100 : 0);
  });
});

describe('queue query plans: the open view (the default) and the search', () => {
  it.each([null, 7, 'unassigned'] as const)(
    'open appeals, assignee %s: read from the partial open index in order, no sort, joins by primary key',
    async (assignee) => {
      for (const order of ['soonest', 'latest'] as const) {
        for (const offset of [0, 50]) {
          const { items, total } = queueStatements(planRt.db, {
            status: 'open',
            assignee,
            dueBefore: null,
            order,
            limit: 25,
            offset,
          });
          const p = await plan(items);
          // (PostgreSQL may walk appeals_open_due for the unassigned ones too, filtering: still
          // only the open appeals, in order.)
          expect(readsOf(p, 'appeals')[0], text(p)).toMatchObject(
            assignee === null
              ? { access: 'index', index: 'appeals_open_due', keys: [] }
              : isPostgres(planRt.db) && assignee === 'unassigned'
                ? { access: 'index', index: expect.stringMatching(/^appeals_open_/) }
                : { access: 'index', index: 'appeals_open_assignee_due', keys: ['assigned_to='] },
          );
          expectNoBigSort(p);
          expect(joinsNotByKey(p)).toEqual([]);
          const t = await plan(total);
          expect(readsOf(t, 'appeal_tallies')).not.toEqual([]);
          expect(readsOf(t, 'appeals')).toEqual([]);
        }
        // Under a due filter the open view is the due filter's own (clock-running index ranges).
        const due = await plan(
          queueStatements(planRt.db, {
            status: 'open',
            assignee,
            dueBefore: new Date('2026-11-25T12:00:00Z'),
            order,
            limit: 25,
            offset: 0,
          }).items,
        );
        expectDueRange(due);
        expect(scans(due, 'appeals')).toEqual([]);
      }
    },
  );

  const ref = generateReference();
  const typo = ref.replace(/^./, (c) => (c === 'X' ? 'Y' : 'X'));
  /** An exact-match read of `table` through `index`, bounded on `key`; covering on SQLite where said. */
  type Lookup = { table: 'appeals' | 'cases'; index: string; key: string; covering?: true };
  const byReference: Lookup[] = [
    { table: 'appeals', index: 'appeals_reference', key: 'reference=' },
    { table: 'cases', index: 'cases_reference', key: 'reference=', covering: true },
  ];
  const byHandle: Lookup[] = [
    { table: 'appeals', index: 'appeals_claimed_handle_key', key: '<expr>=' },
    { table: 'cases', index: 'cases_handle_key', key: '<expr>=', covering: true },
  ];
  const appealsOfCase: Lookup = { table: 'appeals', index: 'appeals_case', key: 'case_id=' };
  const searches: [string, QueueSearch, Lookup[]][] = [
    ['a reference', { references: [ref], email: null, handle: null }, [...byReference, appealsOfCase]],
    [
      'the references one slip away, and a handle',
      { references: nearbyReferences(typo), email: null, handle: typo.toLowerCase() },
      [...byReference, ...byHandle],
    ],
    [
      'an email address',
      { references: [], email: 'someone@example.org', handle: null },
      [{ table: 'appeals', index: 'appeals_email', key: 'email=' }],
    ],
    ['a handle', { references: [], email: null, handle: 'jo_bloggs' }, [...byHandle, appealsOfCase]],
  ];
  it.each(searches)(
    'searching by %s reads only exact-match indexes, never a scan of appeals or cases',
    async (_, search, expected) => {
      for (const order of ['soonest', 'latest'] as const) {
        const { items, total } = searchStatements(planRt.db, search, { order, limit: 25, offset: 25 });
        for (const statement of [items, total]) {
          const p = await plan(statement);
          for (const { table, index, key, covering } of expected) {
            const read = p.reads.find((r) => r.table === table && r.index === index);
            expect(read, `${table} through ${index} in:\n${text(p)}`).toBeDefined();
            expect(read!.keys).toContain(key);
            // PostgreSQL's choice of an index-only scan depends on its visibility map: SQLite only.
            if (covering && !isPostgres(planRt.db)) expect(read!.covering).toBe(true);
          }
          // Every read of appeals and cases is through an index (no scan, no LIKE).
          expect(scans(p, 'appeals', 'cases')).toEqual([]);
          expect(statement.toSQL().sql).not.toMatch(/\blike\b/i);
          // Only the matches are sorted (a handful), and the joins use primary keys: staff only
          // by it, cases by it or by the search's own indexes.
          const searchIndexes = expected.map((e) => e.index);
          expect(
            p.reads.filter(
              (r) =>
                (r.table === 'staff' || r.table === 'cases') &&
                r.access !== 'primary key' &&
                !(r.table === 'cases' && r.index && searchIndexes.includes(r.index)),
            ),
          ).toEqual([]);
        }
      }
    },
  );
});

describe('queue results', async () => {
  const { appeals } = tablesOf(rt.db);
  const now = new Date('2026-11-25T12:00:00Z');
  const day = 86_400_000;
  let n = 0;
  const add = async (
    status: 'new' | 'in-review' | 'waiting' | 'decided' | 'withdrawn',
    dueInDays: number,
    assignedTo: number | null,
  ) =>
    await rt.db.insert(appeals).values({
      reference: `Q-${++n}`,
      status,
      receivedAt: new Date(now.getTime() - 20 * day),
      dueAt: new Date(now.getTime() + dueInDays * day),
      assignedTo,
    });
  await add('new', -2, null);
  await add('in-review', -1, 7);
  await add('waiting', -3, 7); // clock paused: not overdue
  await add('decided', -30, 7); // decided: never overdue
  await add('withdrawn', -30, null);
  await add('new', 3, 7);
  const q = async (over: Partial<QueueQuery>) =>
    await listQueue(rt.db, { status: null, assignee: null, dueBefore: null, limit: 25, offset: 0, ...over });

  it('overdue lists only appeals whose clock is running, soonest due first', async () => {
    const r = await q({ dueBefore: now });
    expect(r.items.map((i) => i.reference)).toEqual(['Q-1', 'Q-2']);
    expect(r.total).toBe(2);
    expect((await q({ dueBefore: now, assignee: 7 })).items.map((i) => i.reference)).toEqual(['Q-2']);
    expect((await q({ dueBefore: now, assignee: 'unassigned' })).items.map((i) => i.reference)).toEqual(['Q-1']);
  });

  it('totals and counts per status come from the running counts and match the rows', async () => {
    expect((await q({})).total).toBe(6);
    expect((await q({ assignee: 7 })).total).toBe(4);
    expect((await q({ assignee: 'unassigned', status: 'new' })).total).toBe(1);
    expect((await q({ status: 'decided' })).items.map((i) => i.reference)).toEqual(['Q-4']);
    expect(await countByStatus(rt.db)).toEqual({ new: 2, 'in-review': 1, waiting: 1, decided: 1, withdrawn: 1 });
    expect(await countByStatus(rt.db, { assignee: 7, dueBefore: null })).toEqual({
      'in-review': 1,
      waiting: 1,
      decided: 1,
      new: 1,
    });
    expect(await countByStatus(rt.db, { assignee: 'unassigned', dueBefore: null })).toEqual({ new: 1, withdrawn: 1 });
    expect(await countByStatus(rt.db, { assignee: null, dueBefore: now })).toEqual({ new: 1, 'in-review': 1 });
    expect((await q({ limit: 2, offset: 2 })).items.map((i) => i.reference)).toEqual(['Q-3', 'Q-1']);
    expect((await q({ order: 'latest' })).items.map((i) => i.reference)).toEqual([
      'Q-6',
      'Q-2',
      'Q-1',
      'Q-3',
      'Q-5',
      'Q-4',
    ]);
    expect((await q({ order: 'latest', dueBefore: now })).items.map((i) => i.reference)).toEqual(['Q-2', 'Q-1']);
    const weekEnd = new Date(now.getTime() + 7 * day);
    const counts = async (current: Partial<QueueQuery>) =>
      await countQueueFilters(rt.db, 7, { status: null, assignee: null, dueBefore: null, ...current }, now, weekEnd);
    expect(await counts({})).toEqual({ overdue: 2, week: 3, mine: 4, unassigned: 2 });
    // Each count keeps the other filters: what the list would show after choosing it.
    expect(await counts({ status: 'new' })).toEqual({ overdue: 1, week: 2, mine: 1, unassigned: 1 });
    expect(await counts({ assignee: 7 })).toEqual({ overdue: 1, week: 2, mine: 4, unassigned: 2 });
    expect(await counts({ dueBefore: now })).toEqual({ overdue: 2, week: 3, mine: 1, unassigned: 1 });
    for (const current of [
      {},
      { status: 'new' as const },
      { assignee: 7 },
      { dueBefore: now },
      { status: 'in-review' as const, assignee: 'unassigned' as const },
    ]) {
      const c = await counts(current);
      expect(c.mine).toBe((await q({ ...current, assignee: 7 })).total);
      expect(c.unassigned).toBe((await q({ ...current, assignee: 'unassigned' })).total);
      expect(c.overdue).toBe((await q({ ...current, dueBefore: now })).total);
      expect(c.week).toBe((await q({ ...current, dueBefore: weekEnd })).total);
    }
  });
});
