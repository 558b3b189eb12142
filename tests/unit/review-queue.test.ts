/**
 * The review queue: filters by status, assignee and due date, counts per status that follow the
 * other filters, and pages of 25.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays } from '../../src/lib/platform/calendar.ts';
import { parseQueueFilters, QUEUE_PAGE_SIZE, reviewQueue, type QueueFilters } from '../../src/lib/review/review.ts';
import { insertTestAppeal } from '../support/appeals.ts';
import { testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';

const DAY = 24 * 60 * 60_000;
const now = new Date(Date.UTC(2026, 10, 25, 10)); // Wednesday
const rt = await testRuntime({ now: () => now });
let me: number;
let other: number;

const filters = (f: Partial<QueueFilters> = {}): QueueFilters => ({
  status: '',
  assignee: 'anyone',
  due: '',
  order: 'soonest',
  page: 1,
  ...f,
});

beforeAll(async () => {
  me = await testStaff(rt, ['reviewer'], 'Me Reviewer');
  other = await testStaff(rt, ['reviewer'], 'Other Reviewer');
  const far = new Date(now.getTime() + 30 * DAY);
  for (let i = 0; i < 26; i++) await insertTestAppeal(rt.db, { assignedTo: me, dueAt: far });
  await insertTestAppeal(rt.db, { assignedTo: me, dueAt: addWorkingDays(now, 2) }); // due this week
  await insertTestAppeal(rt.db, { assignedTo: me, status: 'in-review', dueAt: new Date(now.getTime() - 2 * DAY) }); // overdue
  await insertTestAppeal(rt.db, { assignedTo: me, status: 'in-review', dueAt: new Date(now.getTime() - 3 * DAY) }); // overdue
  // Past their due date but not overdue: the clock is paused or stopped.
  await insertTestAppeal(rt.db, { assignedTo: me, status: 'waiting', dueAt: new Date(now.getTime() - DAY) });
  await insertTestAppeal(rt.db, { assignedTo: me, status: 'decided', dueAt: new Date(now.getTime() - 40 * DAY) });
  await insertTestAppeal(rt.db, { assignedTo: me, status: 'withdrawn', dueAt: new Date(now.getTime() - 40 * DAY) });
  await insertTestAppeal(rt.db, { assignedTo: other, dueAt: far });
  await insertTestAppeal(rt.db, { assignedTo: null, status: 'in-review', dueAt: new Date(now.getTime() - DAY) });
});

describe('reviewQueue', () => {
  it('filters by assignee, with counts per status among those', async () => {
    const mine = await reviewQueue(rt, filters({ assignee: 'me' }), me);
    expect(mine.total).toBe(32);
    expect(mine.counts).toEqual({ new: 27, 'in-review': 2, waiting: 1, decided: 1, withdrawn: 1 });
    const unassigned = await reviewQueue(rt, filters({ assignee: 'unassigned' }), me);
    expect(unassigned.total).toBe(1);
    expect(unassigned.counts).toEqual({ 'in-review': 1 });
    const anyone = await reviewQueue(rt, filters(), me);
    expect(anyone.total).toBe(34);
    expect(anyone.counts).toEqual({ new: 28, 'in-review': 3, waiting: 1, decided: 1, withdrawn: 1 });
  });

  it('filters by status', async () => {
    expect((await reviewQueue(rt, filters({ assignee: 'me', status: 'in-review' }), me)).total).toBe(2);
    expect(
      (await reviewQueue(rt, filters({ assignee: 'me', status: 'waiting' }), me)).items.map((i) => i.status),
    ).toEqual(['waiting']);
    expect((await reviewQueue(rt, filters({ status: 'decided' }), me)).total).toBe(1);
  });

  it('counts as overdue only appeals whose clock runs; due this week includes them', async () => {
    const overdue = await reviewQueue(rt, filters({ assignee: 'me', due: 'overdue' }), me);
    expect(overdue.total).toBe(2);
    expect(overdue.items.every((i) => i.overdue)).toBe(true);
    expect(overdue.counts).toEqual({ 'in-review': 2 });
    expect((await reviewQueue(rt, filters({ due: 'overdue' }), me)).total).toBe(3);
    expect((await reviewQueue(rt, filters({ assignee: 'me', due: 'week' }), me)).total).toBe(3);
    // A waiting appeal's clock is paused (its due date moves when review resumes), so it is never
    // overdue, even with its status chosen; its row shows without the overdue mark.
    expect((await reviewQueue(rt, filters({ assignee: 'me', due: 'overdue', status: 'waiting' }), me)).total).toBe(0);
    const waiting = await reviewQueue(rt, filters({ assignee: 'me', status: 'waiting' }), me);
    expect(waiting.total).toBe(1);
    expect(waiting.items[0]!.overdue).toBe(false);
  });

  it('pages by 25, soonest due first', async () => {
    const first = await reviewQueue(rt, filters({ assignee: 'me' }), me);
    expect(first.items).toHaveLength(QUEUE_PAGE_SIZE);
    expect(first.pages).toBe(2);
    const due = first.items.map((i) => i.dueAt.getTime());
    expect(due).toEqual([...due].sort((a, b) => a - b));
    const second = await reviewQueue(rt, filters({ assignee: 'me', page: 2 }), me);
    expect(second.items).toHaveLength(7);
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe(32);
  });

  it('reads filters from the address, ignoring anything forged', () => {
    expect(parseQueueFilters(new URLSearchParams('status=in-review&assignee=me&due=week&order=latest&page=2'))).toEqual(
      { status: 'in-review', assignee: 'me', due: 'week', order: 'latest', page: 2 },
    );
    expect(
      parseQueueFilters(new URLSearchParams('status=drop&assignee=1%20or%201&due=x&order=id;drop&page=-3')),
    ).toEqual({ status: '', assignee: 'anyone', due: '', order: 'soonest', page: 1 });
  });
});
