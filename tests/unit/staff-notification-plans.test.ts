/**
 * The digest and the escalation stay cheap with a million appeals: each statement reads an index
 * range (no full scan of appeals or follow-ups), checked with the engine's query plan
 * (db/dialect/plans.ts: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL).
 */
import { describe, expect, it } from 'vitest';
import { isPostgres } from '../../db/dialect/index.ts';
import { queryPlan, type Explainable } from '../../db/dialect/plans.ts';
import { digestStatements } from '../../db/notifications.ts';
import { testRuntime } from '../support/db.ts';

const rt = await testRuntime();
const plan = (query: Explainable) => queryPlan(rt.db, query);
/** The partial indexes of open appeals (neither decided nor withdrawn). */
const OPEN_INDEX = /^appeals_open_/;

describe('digest and escalation query plans', () => {
  const now = new Date('2026-12-01T08:00:00Z');
  const s = digestStatements(rt.db, now, new Date('2026-12-03T23:59:59Z'), 50);

  // The table, the index (or indexes) that may serve it, the range's bounds (undefined: any, but some), and
  // whether SQLite answers from the index alone (a covering index; PostgreSQL's choice of an
  // index-only scan depends on its visibility map, so that is checked on SQLite only).
  it.each([
    [
      'new and unassigned',
      s.newUnassigned.items,
      'appeals',
      /^appeals_(status_due|assignee_status_due)$/,
      undefined,
      false,
    ],
    ['new and unassigned, count', s.newUnassigned.total, 'appeals', /^appeals_/, undefined, undefined],
    ['due soon', s.dueSoon.items, 'appeals', /^appeals_status_due$/, ['status=', 'due_at>', 'due_at<'], false],
    ['due soon, count', s.dueSoon.total, 'appeals', /^appeals_status_due$/, ['status=', 'due_at>', 'due_at<'], true],
    ['overdue', s.overdue.items, 'appeals', /^appeals_status_due$/, ['status=', 'due_at<'], false],
    ['overdue, count', s.overdue.total, 'appeals', /^appeals_status_due$/, ['status=', 'due_at<'], true],
    ['follow-ups overdue', s.followUpsOverdue.items, 'follow_ups', /^follow_ups_open$/, ['done_at=', 'due_at<'], false],
    [
      'follow-ups overdue, count',
      s.followUpsOverdue.total,
      'follow_ups',
      /^follow_ups_open$/,
      ['done_at=', 'due_at<'],
      true,
    ],
    ['not yet escalated', s.notEscalated, 'appeals', /^appeals_status_due$/, ['status=', 'due_at<'], false],
  ] as const)('%s reads an index range', async (_, query, table, index, keys, covering) => {
    const p = await plan(query);
    const read = p.reads.find((r) => r.table === table && r.access === 'index');
    if (read?.index && isPostgres(rt.db) && OPEN_INDEX.test(read.index) && !index.test(read.index)) {
      // PostgreSQL may take the partial index of open appeals instead: its predicate implies the
      // status filter, so the range is bounded on the due date alone.
      if (keys) expect(read.keys).toEqual(keys.filter((k) => k !== 'status='));
    } else {
      expect(read?.index).toMatch(index);
      // A range of the index (a SEARCH in SQLite's words), never the whole of it.
      if (keys) expect(read?.keys).toEqual(keys);
    }
    expect(read?.keys.length).toBeGreaterThan(0);
    if (covering !== undefined && !isPostgres(rt.db)) expect(read?.covering).toBe(covering);
    expect(p.reads.filter((r) => ['appeals', 'follow_ups'].includes(r.table) && r.access === 'scan')).toEqual([]);
  });

  it('the escalation check and the follow-ups join by primary key', async () => {
    expect((await plan(s.notEscalated)).reads).toContainEqual(
      expect.objectContaining({ table: 'appeal_escalations', access: 'primary key' }),
    );
    expect((await plan(s.followUpsOverdue.items)).reads).toContainEqual(
      expect.objectContaining({ table: 'appeals', access: 'primary key' }),
    );
  });
});
