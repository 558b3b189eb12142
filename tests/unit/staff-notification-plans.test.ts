/**
 * The digest and the escalation stay cheap with a million appeals: each statement reads an index
 * range (no full scan of appeals or follow-ups), checked with EXPLAIN QUERY PLAN.
 */
import { describe, expect, it } from 'vitest';
import { digestStatements } from '../../db/notifications.ts';
import { testRuntime } from '../support/db.ts';

const rt = await testRuntime();

function plan(query: { toSQL(): { sql: string; params: unknown[] } }): string[] {
  const { sql, params } = query.toSQL();
  return (rt.db.$client.prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[]).map(
    (r) => r.detail,
  );
}

describe('digest and escalation query plans', () => {
  const now = new Date('2026-12-01T08:00:00Z');
  const s = digestStatements(rt.db, now, new Date('2026-12-03T23:59:59Z'), 50);

  it.each([
    [
      'new and unassigned',
      s.newUnassigned.items,
      /SEARCH appeals USING INDEX appeals_(status_due|assignee_status_due) \(/,
    ],
    ['new and unassigned, count', s.newUnassigned.total, /SEARCH appeals USING (COVERING )?INDEX appeals_/],
    [
      'due soon',
      s.dueSoon.items,
      /SEARCH appeals USING INDEX appeals_status_due \(status=\? AND due_at>\? AND due_at<\?\)/,
    ],
    [
      'due soon, count',
      s.dueSoon.total,
      /SEARCH appeals USING COVERING INDEX appeals_status_due \(status=\? AND due_at>\? AND due_at<\?\)/,
    ],
    ['overdue', s.overdue.items, /SEARCH appeals USING INDEX appeals_status_due \(status=\? AND due_at<\?\)/],
    [
      'overdue, count',
      s.overdue.total,
      /SEARCH appeals USING COVERING INDEX appeals_status_due \(status=\? AND due_at<\?\)/,
    ],
    [
      'follow-ups overdue',
      s.followUpsOverdue.items,
      /SEARCH follow_ups USING INDEX follow_ups_open \(done_at=\? AND due_at<\?\)/,
    ],
    [
      'follow-ups overdue, count',
      s.followUpsOverdue.total,
      /SEARCH follow_ups USING COVERING INDEX follow_ups_open \(done_at=\? AND due_at<\?\)/,
    ],
    ['not yet escalated', s.notEscalated, /SEARCH appeals USING INDEX appeals_status_due \(status=\? AND due_at<\?\)/],
  ] as const)('%s reads an index range', (_, query, expected) => {
    const p = plan(query);
    expect(p.join('\n')).toMatch(expected);
    expect(p.filter((d) => /^SCAN (appeals|follow_ups)\b/.test(d))).toEqual([]);
  });

  it('the escalation check and the follow-ups join by primary key', () => {
    expect(plan(s.notEscalated).join('\n')).toMatch(/SEARCH appeal_escalations USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    expect(plan(s.followUpsOverdue.items).join('\n')).toMatch(/SEARCH appeals USING INTEGER PRIMARY KEY \(rowid=\?\)/);
  });
});
