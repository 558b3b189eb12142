/**
 * The queue's search box: finds an appeal by its own reference, by its case's reference (forgiving
 * as the public form is, and one typing slip away when the check character fails), by the account
 * handle (case's or claimed, any case, with or without @) and by the appellant's email; in any
 * status; refuses an over-long search with a message. The queue opens on open appeals, soonest due
 * first, ties by received time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  parseQueueFilters,
  parseQueueSearch,
  queueFilterSelects,
  queueStatusHref,
  reviewQueue,
  QUEUE_SEARCH_TOO_LONG,
} from '../../src/lib/review/review.ts';
import { nearbyReferences, parseReference } from '../../src/lib/cases/references.ts';
import { insertTestAppeal } from '../support/appeals.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';

const DAY = 24 * 60 * 60_000;
const now = new Date(Date.UTC(2026, 10, 25, 10));
const rt = await testRuntime({ now: () => now });
let me: number;
const seeded = {} as Record<
  'onCase' | 'decidedOnCase' | 'claimed' | 'byEmail' | 'other' | 'tieLater' | 'tieEarlier' | 'withdrawn',
  { id: number; reference: string }
>;
let caseRef = '';

/** One character of a formatted reference replaced by another from the alphabet (a typo). */
function mistype(ref: string, at: number): string {
  const chars = [...ref];
  const i = [...ref.matchAll(/[0-9A-Z]/g)][at]!.index!;
  chars[i] = chars[i] === 'X' ? 'Y' : 'X';
  return chars.join('');
}

const find = async (q: string) => await reviewQueue(rt, parseQueueFilters(new URLSearchParams()), me, q);
const refs = async (q: string) => (await find(q)).items.map((i) => i.reference).sort();

beforeAll(async () => {
  me = await testStaff(rt, ['reviewer'], 'Sam Searcher');
  const c = await insertTestCase(rt.db, { handle: '@Jo_Bloggs' });
  caseRef = c.reference;
  seeded.onCase = await insertTestAppeal(rt.db, {
    caseId: c.id,
    email: 'case.person@example.org',
    dueAt: new Date(now.getTime() + 5 * DAY),
  });
  seeded.decidedOnCase = await insertTestAppeal(rt.db, {
    caseId: c.id,
    status: 'decided',
    email: 'case.person@example.org',
    dueAt: new Date(now.getTime() - 30 * DAY),
  });
  seeded.claimed = await insertTestAppeal(rt.db, {
    handle: 'NoRef_Person',
    platform: 'instagram',
    email: 'claimed@example.org',
  });
  seeded.byEmail = await insertTestAppeal(rt.db, { email: 'findme@example.org', handle: '@someone' });
  seeded.other = await insertTestAppeal(rt.db, { email: 'other@example.org', handle: '@other' });
  // Same due date: the one received first comes first, whatever the insertion order.
  const due = new Date(now.getTime() + 2 * DAY);
  seeded.tieLater = await insertTestAppeal(rt.db, {
    dueAt: due,
    receivedAt: new Date(now.getTime() - DAY),
    handle: '@tie',
  });
  seeded.tieEarlier = await insertTestAppeal(rt.db, {
    dueAt: due,
    receivedAt: new Date(now.getTime() - 3 * DAY),
    handle: '@tie',
  });
  seeded.withdrawn = await insertTestAppeal(rt.db, {
    status: 'withdrawn',
    dueAt: new Date(now.getTime() - 60 * DAY),
    handle: '@gone',
  });
});

describe('queue search', () => {
  it('finds an appeal by its own reference, typed sloppily', async () => {
    const ref = seeded.claimed.reference;
    expect(await refs(ref)).toEqual([ref]);
    expect(await refs(ref.toLowerCase().replace(/-/g, ' '))).toEqual([ref]);
    expect(await refs(ref.replace(/0/g, 'O').replace(/1/g, 'l'))).toEqual([ref]);
  });

  it('finds every appeal on a case by the case reference, in any status, with typos forgiven', async () => {
    const both = [seeded.onCase.reference, seeded.decidedOnCase.reference].sort();
    expect(await refs(caseRef)).toEqual(both);
    expect(await refs(caseRef.toLowerCase())).toEqual(both);
    expect(await refs(caseRef.replace(/-/g, '').replace(/0/g, 'o').replace(/1/g, 'I'))).toEqual(both);
    // A mistyped character (the check fails): the references one slip away are looked up.
    for (const at of [0, 5, 10]) {
      const typo = mistype(caseRef, at);
      expect(parseReference(typo)).toMatchObject({ ok: false, error: 'check-failed' });
      const r = await find(typo);
      expect(r.items.map((i) => i.reference).sort()).toEqual(both);
      expect(r.search?.corrected).toBe(true);
    }
    // Two neighbouring characters swapped.
    const chars = [...caseRef.replace(/-/g, '')];
    const i = chars.findIndex((ch, k) => k < 10 && ch !== chars[k + 1]);
    [chars[i], chars[i + 1]] = [chars[i + 1]!, chars[i]!];
    expect(await refs(chars.join(''))).toEqual(both);
  });

  it('finds by account handle: the case handle and the handle a no-reference appellant gave, any case, with or without @', async () => {
    const both = [seeded.onCase.reference, seeded.decidedOnCase.reference].sort();
    for (const q of ['@Jo_Bloggs', 'jo_bloggs', 'JO_BLOGGS', '  @jo_bloggs ']) expect(await refs(q)).toEqual(both);
    for (const q of ['NoRef_Person', '@noref_person']) expect(await refs(q)).toEqual([seeded.claimed.reference]);
    // Exact, not a substring match.
    expect(await refs('jo_blog')).toEqual([]);
    expect((await find('@gone')).items.map((i) => i.status)).toEqual(['withdrawn']);
  });

  it("finds by the appellant's email address, in any case", async () => {
    expect(await refs('findme@example.org')).toEqual([seeded.byEmail.reference]);
    expect(await refs('FindMe@Example.org')).toEqual([seeded.byEmail.reference]);
    expect(await refs('case.person@example.org')).toEqual(
      [seeded.onCase.reference, seeded.decidedOnCase.reference].sort(),
    );
    expect(await refs('nobody@example.org')).toEqual([]);
  });

  it('shows platform and handle columns from the case, or from what the appellant told us', async () => {
    const [onCase] = (await find(seeded.onCase.reference)).items;
    expect(onCase).toMatchObject({ platform: 'facebook', handle: '@Jo_Bloggs', caseReference: caseRef });
    const [claimed] = (await find(seeded.claimed.reference)).items;
    expect(claimed).toMatchObject({ platform: 'instagram', handle: 'NoRef_Person', caseReference: null });
  });

  it('refuses an over-long search with a message, and reads a blank one as no search', async () => {
    expect(parseQueueSearch('x'.repeat(255))).toEqual({ ok: false, error: QUEUE_SEARCH_TOO_LONG });
    expect(await find('x'.repeat(255))).toMatchObject({ searchError: QUEUE_SEARCH_TOO_LONG, items: [], total: 0 });
    expect(parseQueueSearch('   ')).toEqual({ ok: true, parsed: null });
    expect((await find("' or 1=1 --")).items).toEqual([]);
  });

  it('nearbyReferences gives valid references only, and nothing for a valid or malformed one', () => {
    const typo = mistype(caseRef, 3);
    const near = nearbyReferences(typo);
    expect(near).toContain(caseRef);
    expect(near.length).toBeLessThanOrEqual(21);
    for (const r of near) expect(parseReference(r)).toEqual({ ok: true, reference: r });
    expect(nearbyReferences(caseRef)).toEqual([]);
    expect(nearbyReferences('ABC')).toEqual([]);
  });
});

describe('queue defaults', () => {
  it('opens on open appeals (new, in review, waiting), soonest due first, ties by received time', async () => {
    const filters = parseQueueFilters(new URLSearchParams());
    expect(filters.status).toBe('open');
    const r = await reviewQueue(rt, filters, me);
    expect(r.items.map((i) => i.status).every((s) => s === 'new' || s === 'in-review' || s === 'waiting')).toBe(true);
    expect(r.items.map((i) => i.reference)).not.toContain(seeded.decidedOnCase.reference);
    expect(r.items.map((i) => i.reference)).not.toContain(seeded.withdrawn.reference);
    expect(r.total).toBe(r.items.length);
    const due = r.items.map((i) => i.dueAt.getTime());
    expect(due).toEqual([...due].sort((a, b) => a - b));
    const tie = r.items
      .map((i) => i.reference)
      .filter((x) => x === seeded.tieEarlier.reference || x === seeded.tieLater.reference);
    expect(tie).toEqual([seeded.tieEarlier.reference, seeded.tieLater.reference]);
    // Latest first reverses both.
    const latest = (await reviewQueue(rt, { ...filters, order: 'latest' }, me)).items
      .map((i) => i.reference)
      .filter((x) => x === seeded.tieEarlier.reference || x === seeded.tieLater.reference);
    expect(latest).toEqual([seeded.tieLater.reference, seeded.tieEarlier.reference]);
    // "Any status" (status= empty) still lists everything.
    const any = await reviewQueue(rt, parseQueueFilters(new URLSearchParams('status=')), me);
    expect(any.total).toBe(8);
  });
});

describe('queueFilterSelects and queueStatusHref', () => {
  it('gives each filter its options, with counts where they help, and what is chosen', () => {
    const filters = parseQueueFilters(new URLSearchParams('status=waiting&assignee=me&due=week&order=latest'));
    const selects = queueFilterSelects(filters, { overdue: 3, week: 5, mine: 2, unassigned: 7 });
    expect(selects.map((s) => [s.name, s.label, s.selected])).toEqual([
      ['status', 'Status', 'waiting'],
      ['assignee', 'Assigned to', 'me'],
      ['due', 'Due', 'week'],
      ['order', 'Sort', 'latest'],
    ]);
    expect(selects[0]!.options.map((o) => o.value)).toEqual([
      'open',
      '',
      'new',
      'in-review',
      'waiting',
      'decided',
      'withdrawn',
    ]);
    expect(selects[1]!.options.map((o) => o.label)).toEqual(['Anyone', 'Me (2)', 'Nobody (7)']);
    expect(selects[2]!.options.map((o) => o.label)).toEqual(['Any time', 'Overdue (3)', 'Due this week (5)']);
    expect(
      queueFilterSelects(parseQueueFilters(new URLSearchParams()), { overdue: 0, week: 0, mine: 0, unassigned: 0 }).map(
        (s) => s.selected,
      ),
    ).toEqual(['open', 'anyone', '', 'soonest']);
  });

  it('links a status count to the queue as it is, from the first page', () => {
    expect(queueStatusHref(new URLSearchParams('assignee=me&page=3&status=new'), 'decided')).toBe(
      '/staff/appeals?assignee=me&status=decided',
    );
  });
});
