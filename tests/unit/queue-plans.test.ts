/**
 * The review queue stays fast with a million appeals: every statement the queue page runs, for
 * every filter combination, reads an index (no full scan of appeals; no sort except of the open
 * appeals a due filter selects), checked with EXPLAIN QUERY PLAN.
 */
import { describe, expect, it } from 'vitest';
import { appeals } from '../../db/schema.ts';
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
import { testRuntime } from '../support/db.ts';

const rt = await testRuntime();

function plan(query: { toSQL(): { sql: string; params: unknown[] } }): string[] {
  const { sql, params } = query.toSQL();
  return (rt.db.$client.prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[]).map(
    (r) => r.detail,
  );
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
    (_, q) => {
      const { items, total } = queueStatements(rt.db, q);
      const itemPlan = plan(items);
      // Appeals are searched through an index, never scanned whole...
      const appealsStep = itemPlan.find((d) => /\b(SEARCH|SCAN) appeals\b/.test(d));
      expect(appealsStep).toMatch(/USING (COVERING )?INDEX appeals_/);
      expect(itemPlan.filter((d) => /^SCAN appeals$/.test(d))).toEqual([]);
      if (q.dueBefore) {
        // ...a due filter reads only the clock-running statuses' ranges (status=? on the index) and
        // sorts those (open appeals), never the decided bulk;
        expect(appealsStep).toMatch(/\(.*status=\?.*due_at<\?\)/);
      } else {
        // ...without one, the index gives due-date order: no sort, the read stops after the page.
        expect(itemPlan.filter((d) => /TEMP B-TREE/.test(d))).toEqual([]);
      }
      // The joins use the primary keys.
      expect(itemPlan.filter((d) => /\b(staff|cases)\b/.test(d) && !/USING INTEGER PRIMARY KEY/.test(d))).toEqual([]);
      const totalPlan = plan(total);
      expect(
        totalPlan.filter((d) => /^SCAN appeals\b/.test(d) || (/^SCAN appeal_tallies\b/.test(d) && q.status !== null)),
      ).toEqual([]);
      if (q.dueBefore) expect(totalPlan.join('\n')).toMatch(/INDEX appeals_/);
      else expect(totalPlan.join('\n')).toMatch(/appeal_tallies/);
    },
  );

  it('counts per filter read an index or the running counts, whatever the other filters', () => {
    const overdue = new Date('2026-11-25T12:00:00Z');
    const week = new Date('2026-12-02T12:00:00Z');
    for (const status of [null, ...QUEUE_STATUSES]) {
      for (const assignee of [null, 7, 'unassigned'] as const) {
        for (const dueBefore of [null, overdue]) {
          const s = queueFilterStatements(rt.db, 7, { status, assignee, dueBefore }, overdue, week);
          for (const due of [s.overdue, s.week])
            expect(plan(due).join('\n')).toMatch(
              /SEARCH appeals USING (COVERING )?INDEX appeals_\w+ \(status=\? AND due_at<\?\)/,
            );
          for (const who of [s.mine, s.unassigned]) {
            const p = plan(who).join('\n');
            expect(p).not.toMatch(/^SCAN appeals\b/m);
            expect(p).toMatch(dueBefore ? /INDEX appeals_/ : /appeal_tallies/);
          }
        }
      }
    }
  });

  it('counts per status come from the running counts, not from appeals', () => {
    expect(plan(countByStatusStatement(rt.db)).join('\n')).not.toMatch(/\bappeals\b/);
    for (const assignee of [7, 'unassigned'] as const)
      expect(plan(countByStatusStatement(rt.db, { assignee, dueBefore: null })).join('\n')).not.toMatch(/\bappeals\b/);
  });

  it('counts per status under a due filter read only the clock-running index ranges', () => {
    for (const assignee of [null, 7, 'unassigned'] as const) {
      const p = plan(countByStatusStatement(rt.db, { assignee, dueBefore: new Date('2026-11-25T12:00:00Z') })).join(
        '\n',
      );
      expect(p).toMatch(/SEARCH appeals USING (COVERING )?INDEX appeals_\w+ \(status=\? AND due_at<\?\)/);
      expect(p).not.toMatch(/^SCAN appeals\b/m);
    }
  });

  it('open follow-ups are read through their index, in due order, with the appeal by primary key', async () => {
    const p = plan(openFollowUpsStatement(rt.db));
    expect(p.join('\n')).toMatch(/SEARCH follow_ups USING INDEX follow_ups_open \(done_at=\?\)/);
    expect(p.filter((d) => /TEMP B-TREE/.test(d))).toEqual([]);
    expect(p.filter((d) => /\bappeals\b/.test(d) && !/USING INTEGER PRIMARY KEY/.test(d))).toEqual([]);
    expect(await listOpenFollowUpsWithAppeal(rt.db)).toEqual([]);
  });
});

describe('queue query plans: the open view (the default) and the search', () => {
  it.each([null, 7, 'unassigned'] as const)(
    'open appeals, assignee %s: read from the partial open index in order, no sort, joins by primary key',
    (assignee) => {
      for (const order of ['soonest', 'latest'] as const) {
        for (const offset of [0, 50]) {
          const { items, total } = queueStatements(rt.db, {
            status: 'open',
            assignee,
            dueBefore: null,
            order,
            limit: 25,
            offset,
          });
          const p = plan(items);
          expect(p.find((d) => /\bappeals\b/.test(d))).toMatch(
            assignee === null
              ? /^SCAN appeals USING INDEX appeals_open_due$/
              : /^SEARCH appeals USING INDEX appeals_open_assignee_due \(assigned_to=\?\)$/,
          );
          expect(p.filter((d) => /TEMP B-TREE/.test(d))).toEqual([]);
          expect(p.filter((d) => /\b(staff|cases)\b/.test(d) && !/USING INTEGER PRIMARY KEY/.test(d))).toEqual([]);
          const t = plan(total).join('\n');
          expect(t).toMatch(/appeal_tallies/);
          expect(t).not.toMatch(/\bappeals\b/);
        }
        // Under a due filter the open view is the due filter's own (clock-running index ranges).
        const due = plan(
          queueStatements(rt.db, {
            status: 'open',
            assignee,
            dueBefore: new Date('2026-11-25T12:00:00Z'),
            order,
            limit: 25,
            offset: 0,
          }).items,
        ).join('\n');
        expect(due).toMatch(/INDEX appeals_\w+ \(.*status=\?.*due_at<\?\)/);
        expect(due).not.toMatch(/^SCAN appeals\b/m);
      }
    },
  );

  const ref = generateReference();
  const typo = ref.replace(/^./, (c) => (c === 'X' ? 'Y' : 'X'));
  const searches: [string, QueueSearch, RegExp[]][] = [
    [
      'a reference',
      { references: [ref], email: null, handle: null },
      [
        /SEARCH appeals USING (COVERING )?INDEX appeals_reference \(reference=\?\)/,
        /SEARCH cases USING COVERING INDEX cases_reference \(reference=\?\)/,
        /SEARCH appeals USING (COVERING )?INDEX appeals_case \(case_id=\?\)/,
      ],
    ],
    [
      'the references one slip away, and a handle',
      { references: nearbyReferences(typo), email: null, handle: typo.toLowerCase() },
      [
        /appeals_reference \(reference=\?\)/,
        /cases_reference \(reference=\?\)/,
        /appeals_claimed_handle_key \(<expr>=\?\)/,
        /cases_handle_key \(<expr>=\?\)/,
      ],
    ],
    [
      'an email address',
      { references: [], email: 'someone@example.org', handle: null },
      [/SEARCH appeals USING (COVERING )?INDEX appeals_email \(email=\?\)/],
    ],
    [
      'a handle',
      { references: [], email: null, handle: 'jo_bloggs' },
      [
        /SEARCH appeals USING (COVERING )?INDEX appeals_claimed_handle_key \(<expr>=\?\)/,
        /SEARCH cases USING COVERING INDEX cases_handle_key \(<expr>=\?\)/,
        /SEARCH appeals USING (COVERING )?INDEX appeals_case \(case_id=\?\)/,
      ],
    ],
  ];
  it.each(searches)(
    'searching by %s reads only exact-match indexes, never a scan of appeals or cases',
    (_, search, expected) => {
      for (const order of ['soonest', 'latest'] as const) {
        const { items, total } = searchStatements(rt.db, search, { order, limit: 25, offset: 25 });
        for (const statement of [items, total]) {
          const p = plan(statement);
          const text = p.join('\n');
          for (const re of expected) expect(text).toMatch(re);
          // Every read of appeals and cases is a SEARCH on an index (no SCAN, no LIKE).
          expect(p.filter((d) => /^SCAN (appeals|cases)\b/.test(d))).toEqual([]);
          expect(statement.toSQL().sql).not.toMatch(/\blike\b/i);
          // Only the matches are sorted (a handful), and the joins use primary keys.
          expect(
            p.filter((d) => /\b(staff|cases)\b/.test(d) && /LEFT-JOIN/.test(d) && !/USING INTEGER PRIMARY KEY/.test(d)),
          ).toEqual([]);
        }
      }
    },
  );
});

describe('queue results', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const day = 86_400_000;
  let n = 0;
  const add = (
    status: 'new' | 'in-review' | 'waiting' | 'decided' | 'withdrawn',
    dueInDays: number,
    assignedTo: number | null,
  ) =>
    rt.db
      .insert(appeals)
      .values({
        reference: `Q-${++n}`,
        status,
        receivedAt: new Date(now.getTime() - 20 * day),
        dueAt: new Date(now.getTime() + dueInDays * day),
        assignedTo,
      })
      .run();
  add('new', -2, null);
  add('in-review', -1, 7);
  add('waiting', -3, 7); // clock paused: not overdue
  add('decided', -30, 7); // decided: never overdue
  add('withdrawn', -30, null);
  add('new', 3, 7);
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
