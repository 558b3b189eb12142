/**
 * db/outbox.ts, db/review.ts and db/staff.ts on PostgreSQL (issue 21): the functions run on a
 * migrated database through openPostgres, without a whole runtime, and give the results they give
 * on SQLite (their SQLite tests are outbox*.test.ts, review*.test.ts, queue-plans.test.ts,
 * staff*.test.ts). Needs TEST_DATABASE_URL (tests/support/postgres.ts): fails, never skips,
 * without it. The queue's totals without a due filter come from appeal_tallies, whose triggers
 * PostgreSQL does not have yet, so no test here relies on them.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import {
  claimNextEmail,
  countEmailsByState,
  enqueueEmail,
  findEmail,
  listEmails,
  markEmailFailed,
  markEmailSent,
  REDACTED_MARK,
  requeueFailedEmail,
  rescheduleEmail,
} from '../../db/outbox.ts';
import { tablesOf, type Tables } from '../../db/dialect/index.ts';
import {
  countByStatus,
  countQueueFilters,
  insertFollowUp,
  listOpenFollowUpsWithAppeal,
  listQueue,
  listReviewers,
  markFollowUpDone,
  searchQueue,
  staffNames,
  type QueueQuery,
} from '../../db/review.ts';
import { TOTP_SECRET_CONTEXT, type OutboxRow } from '../../db/schema.ts';
import { SecretKeyRing } from '../../db/secret-box.ts';
import {
  countActiveAdmins,
  deleteLoginFailures,
  deleteLoginFailuresBefore,
  deleteLoginFailuresById,
  deleteOtherSessionsOf,
  deleteStaleSessions,
  expireTokens,
  findSession,
  findSessionUser,
  findStaffByEmail,
  findStaffById,
  insertLoginFailure,
  insertSession,
  insertStaff,
  insertToken,
  insertTotpStep,
  isTokenLive,
  listStaffRows,
  loginFailureTimes,
  markTokenUsed,
  resealTotpSecrets,
  signedInSessionsOf,
  touchSession,
  updateStaff,
  usedTotpStepFrom,
} from '../../db/staff.ts';
import { transaction } from '../../db/transactions.ts';
import { openMigratedPostgres } from '../support/postgres.ts';

const key = randomBytes(32);

/**
 * One migrated database for the file, opened as the application opens it, made by the first test
 * that asks (not in a beforeAll: a failing hook only marks the tests skipped).
 */
let database: Promise<Db> | undefined;
const db = () =>
  (database ??= (async () => {
    const secretKeys = new SecretKeyRing();
    secretKeys.install(key);
    const { db: handle } = await openMigratedPostgres({
      poolSize: 4,
      context: { secretKeys, messageIdDomain: 'pg.example' },
    });
    return handle;
  })());

const t0 = new Date(Date.UTC(2026, 10, 25, 9, 0, 0));
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const LEASE = 5 * 60_000;
const message = (to: string, extra: { secrets?: string[]; kind?: string } = {}) => ({
  to,
  subject: `Hello ${to}`,
  text: `Text for ${to}`,
  html: `<p>HTML for ${to}</p>`,
  kind: extra.kind ?? 'notification',
  ...extra,
});

/** Claims until nothing is due; the ids claimed, in order. */
async function claimAll(handle: Db, token: string, now: Date): Promise<number[]> {
  const ids: number[] = [];
  for (;;) {
    const row = await claimNextEmail(handle, token, now, LEASE);
    if (!row) return ids;
    ids.push(row.id);
  }
}

/** Fails every queued or sending message, so one test's messages are not claimed by the next. */
async function clearOutbox(handle: Db): Promise<void> {
  await handle.update(tablesOf(handle).outbox).set({ state: 'failed', claimToken: null });
}

describe('the outbox on PostgreSQL', () => {
  it('enqueues, claims once, marks sent and removes the secrets from the stored copy', async () => {
    const h = await db();
    await clearOutbox(h);
    const link = 'https://appeals.example/s/secret-token';
    const { id, messageId } = await enqueueEmail(
      h,
      { ...message('a@example.org'), text: `Open ${link}`, html: `<a href="${link}">open</a>`, secrets: [link] },
      t0,
    );
    expect(messageId).toMatch(/^<[0-9a-f-]{36}@pg\.example>$/);
    expect(await findEmail(h, id)).toMatchObject({ state: 'queued', attempts: 0, nextAttemptAt: t0, headers: {} });

    expect(await claimNextEmail(h, 'w1', at(-1), LEASE)).toBeUndefined(); // not due yet
    const claimed = (await claimNextEmail(h, 'w1', t0, LEASE))!;
    expect(claimed).toMatchObject({ id, state: 'sending', attempts: 1, claimToken: 'w1', claimedAt: t0 });
    expect(claimed.secrets).toEqual([link]);
    expect(await claimNextEmail(h, 'w2', at(1), LEASE)).toBeUndefined(); // claimed, lease not over

    expect(await markEmailSent(h, id, 'w2', at(1))).toBe(false);
    expect(await markEmailSent(h, id, 'w1', at(1))).toBe(true);
    const sent = (await findEmail(h, id))!;
    expect(sent).toMatchObject({ state: 'sent', sentAt: at(1), claimToken: null, secrets: null });
    expect(sent.text).toBe(`Open ${REDACTED_MARK}`);
    expect(sent.html).toBe(`<a href="${REDACTED_MARK}">open</a>`);
    expect(await markEmailSent(h, id, 'w1', at(2))).toBe(false);
  });

  it('retries later, takes over a stale claim, gives up and requeues', async () => {
    const h = await db();
    await clearOutbox(h);
    const { id } = await enqueueEmail(h, message('b@example.org'), t0);
    await claimNextEmail(h, 'w1', t0, LEASE);
    expect(await rescheduleEmail(h, id, 'other', at(10), 'nope')).toBe(false);
    expect(await rescheduleEmail(h, id, 'w1', at(10), '421 try later')).toBe(true);
    expect(await findEmail(h, id)).toMatchObject({ state: 'queued', lastError: '421 try later', claimToken: null });
    expect(await claimNextEmail(h, 'w1', at(9), LEASE)).toBeUndefined();

    const again = (await claimNextEmail(h, 'w1', at(10), LEASE))!;
    expect(again).toMatchObject({ id, attempts: 2, claimToken: 'w1' });
    // w1 dies mid-send: once the lease is over another worker takes the message over.
    expect(await claimNextEmail(h, 'w2', at(14), LEASE)).toBeUndefined();
    expect(await claimNextEmail(h, 'w2', at(15), LEASE)).toMatchObject({ id, attempts: 3, claimToken: 'w2' });
    expect(await markEmailSent(h, id, 'w1', at(16))).toBe(false);

    expect(await markEmailFailed(h, id, 'w1', 'refused')).toBe(false);
    expect(await markEmailFailed(h, id, 'w2', '550 refused')).toBe(true);
    expect(await findEmail(h, id)).toMatchObject({ state: 'failed', lastError: '550 refused', claimToken: null });
    expect(await claimNextEmail(h, 'w2', at(60), LEASE)).toBeUndefined();

    expect(await requeueFailedEmail(h, id, at(20))).toMatchObject({ state: 'queued', attempts: 0, queuedAt: at(20) });
    expect(await requeueFailedEmail(h, id, at(21))).toBeUndefined(); // not failed any more
    expect(await claimNextEmail(h, 'w3', at(20), LEASE)).toMatchObject({ id, attempts: 1 });
  });

  it('claims one message at a time, the earliest due first, ties by id', async () => {
    const h = await db();
    await clearOutbox(h);
    const late = await enqueueEmail(h, message('late@example.org'), at(2));
    const first = await enqueueEmail(h, message('first@example.org'), at(1));
    const second = await enqueueEmail(h, message('second@example.org'), at(1));
    expect(await claimNextEmail(h, 'w', at(5), LEASE)).toMatchObject({ id: first.id });
    expect(await countEmailsByState(h)).toMatchObject({ sending: 1, queued: 2 });
    expect(await claimAll(h, 'w', at(5))).toEqual([second.id, late.id]);
  });

  it('never gives one message to two claims running at once on two clients', async () => {
    const h = await db();
    await clearOutbox(h);
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push((await enqueueEmail(h, message(`c${i}@example.org`), t0)).id);
    const [a, b] = await Promise.all([claimAll(h, 'a', t0), claimAll(h, 'b', t0)]);
    expect([...a!, ...b!].sort((x, y) => x - y)).toEqual(ids);
    const rows = await listEmails(h, { states: ['sending'] });
    expect(rows).toHaveLength(12);
    for (const row of rows) expect(row.claimToken).toBe(a!.includes(row.id) ? 'a' : 'b');
  });

  it('skips a message another open transaction has claimed instead of waiting for it', async () => {
    const h = await db();
    await clearOutbox(h);
    await enqueueEmail(h, message('d1@example.org'), t0);
    await enqueueEmail(h, message('d2@example.org'), t0);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let claimedA!: (row: OutboxRow | undefined) => void;
    const firstClaim = new Promise<OutboxRow | undefined>((resolve) => (claimedA = resolve));
    // A claims inside a transaction that stays open (its row locked) until the gate opens.
    const holder = transaction(h, async (tx) => {
      claimedA(await claimNextEmail(tx, 'A', t0, LEASE));
      await gate;
    });
    const a = (await firstClaim)!;
    // B runs on another client while A's transaction is open: waiting for A's lock would hang here.
    const b = (await claimNextEmail(h, 'B', t0, LEASE))!;
    expect(b.id).not.toBe(a.id);
    release();
    await holder;
    const claimed = await listEmails(h, { states: ['sending'] });
    expect(claimed.map((r) => r.claimToken).sort()).toEqual(['A', 'B']);
  });

  it('lists with filters and counts by state', async () => {
    const h = await db();
    const { id } = await enqueueEmail(h, message('e@example.org', { kind: 'receipt' }), t0);
    const receipts = await listEmails(h, { kind: 'receipt', states: ['queued'] });
    expect(receipts.map((r) => r.id)).toEqual([id]);
    expect(await listEmails(h, { kind: 'receipt', to: new Date(0) })).toEqual([]);
    const all = await listEmails(h, { limit: 3 });
    expect(all).toHaveLength(3);
    expect(all[0]!.id).toBe(id); // newest first
    const counts = await countEmailsByState(h);
    const total = (await listEmails(h, { limit: 1000 })).length;
    expect(counts.queued).toBeGreaterThanOrEqual(1);
    expect(counts.queued + counts.sending + counts.sent + counts.failed).toBe(total);
  });
});

/** Seeds one principle version, two cases, two reviewers and five appeals for the queue tests. */
async function seedQueue(h: Db) {
  const { appeals, cases, principleVersions } = tablesOf(h);
  const [version] = await h
    .insert(principleVersions)
    .values({ status: 'published', bodyMarkdown: 'P', changeSummary: 'first' })
    .returning({ id: principleVersions.id });
  const ann = await insertStaff(h, {
    email: 'Ann@Example.org',
    name: 'Ann Reviewer',
    passwordHash: 'h',
    totpSecret: null,
    totpConfirmedAt: null,
    roles: ['reviewer'],
  });
  const bob = await insertStaff(h, {
    email: 'bob@example.org',
    name: 'Bob Reviewer',
    passwordHash: 'h',
    totpSecret: null,
    totpConfirmedAt: null,
    roles: ['reviewer', 'admin'],
  });
  const caseRow = (reference: string, accountHandle: string) => ({
    reference,
    platform: 'facebook' as const,
    accountHandle,
    principleVersionId: version!.id,
    actionAt: at(-600),
    detectedBy: 'public-report' as const,
    automated: false,
    recordedBy: ann,
  });
  const [c1, c2] = await h
    .insert(cases)
    .values([caseRow('C-1111', '@Carol_Case'), caseRow('C-2222', 'dave')])
    .returning({ id: cases.id });
  const appeal = (reference: string, dueMinutes: number, values: Partial<Tables['appeals']['$inferInsert']> = {}) => ({
    reference,
    receivedAt: at(-100),
    dueAt: at(dueMinutes),
    ...values,
  });
  const rows = await h
    .insert(appeals)
    .values([
      appeal('A-1', -60, { caseId: c1!.id, status: 'new', email: 'one@example.org' }),
      appeal('A-2', 30, {
        status: 'in-review',
        assignedTo: ann,
        claimedHandle: 'Eve_Claims',
        claimedPlatform: 'facebook',
      }),
      appeal('A-3', 120, { status: 'waiting', assignedTo: bob, caseId: c2!.id }),
      appeal('A-4', -30, { status: 'decided', assignedTo: ann }),
      appeal('A-5', 90, { status: 'new', email: 'five@example.org' }),
    ])
    .returning({ id: appeals.id, reference: appeals.reference });
  const idOf = Object.fromEntries(rows.map((r) => [r.reference, r.id]));
  return { ann, bob, idOf };
}

describe('the review queue on PostgreSQL', () => {
  let seeded: ReturnType<typeof seedQueue> | undefined;
  const seed = async () => {
    const h = await db();
    return { h, ...(await (seeded ??= seedQueue(h))) };
  };
  const page = { limit: 25, offset: 0 };
  const refs = (items: { reference: string }[]) => items.map((i) => i.reference);
  const query = (q: Partial<QueueQuery>): QueueQuery => ({
    status: 'open',
    assignee: null,
    dueBefore: null,
    ...page,
    ...q,
  });

  it('lists open appeals in due order, with filters, order and paging', async () => {
    const { h, ann, bob } = await seed();
    const open = await listQueue(h, query({}));
    expect(refs(open.items)).toEqual(['A-1', 'A-2', 'A-5', 'A-3']);
    expect(open.items[0]).toMatchObject({ platform: 'facebook', handle: '@Carol_Case', caseReference: 'C-1111' });
    expect(open.items[1]).toMatchObject({ assigneeName: 'Ann Reviewer', handle: 'Eve_Claims', caseReference: null });
    expect(refs((await listQueue(h, query({ status: null }))).items)).toEqual(['A-1', 'A-4', 'A-2', 'A-5', 'A-3']);
    expect(refs((await listQueue(h, query({ status: 'decided' }))).items)).toEqual(['A-4']);
    expect(refs((await listQueue(h, query({ order: 'latest' }))).items)).toEqual(['A-3', 'A-5', 'A-2', 'A-1']);
    expect(refs((await listQueue(h, query({ limit: 2, offset: 1 }))).items)).toEqual(['A-2', 'A-5']);
    expect(refs((await listQueue(h, query({ assignee: ann }))).items)).toEqual(['A-2']);
    expect(refs((await listQueue(h, query({ assignee: bob, status: null }))).items)).toEqual(['A-3']);
    expect(refs((await listQueue(h, query({ assignee: 'unassigned' }))).items)).toEqual(['A-1', 'A-5']);
  });

  it('filters by due date on running clocks only, and counts those from the appeals', async () => {
    const { h, ann } = await seed();
    // Overdue at t0: A-1 (new); not the decided A-4. Due within 100 minutes: too, not waiting A-3.
    const overdue = await listQueue(h, query({ dueBefore: t0 }));
    expect(overdue).toMatchObject({ total: 1 });
    expect(refs(overdue.items)).toEqual(['A-1']);
    const soon = await listQueue(h, query({ dueBefore: at(100) }));
    expect(refs(soon.items)).toEqual(['A-1', 'A-2', 'A-5']);
    expect(soon.total).toBe(3);
    expect(await listQueue(h, query({ dueBefore: at(100), assignee: ann }))).toMatchObject({ total: 1 });
    expect(await listQueue(h, query({ dueBefore: at(100), assignee: 'unassigned' }))).toMatchObject({ total: 2 });
    expect(await countByStatus(h, { assignee: null, dueBefore: at(100) })).toEqual({ new: 2, 'in-review': 1 });
    expect(await countByStatus(h, { assignee: ann, dueBefore: at(100) })).toEqual({ 'in-review': 1 });
    const filters = await countQueueFilters(h, ann, { status: 'open', assignee: null, dueBefore: null }, t0, at(100));
    expect(filters).toMatchObject({ overdue: 1, week: 3 });
    const underDue = await countQueueFilters(
      h,
      ann,
      { status: 'open', assignee: null, dueBefore: at(100) },
      t0,
      at(100),
    );
    expect(underDue).toEqual({ overdue: 1, week: 3, mine: 1, unassigned: 2 });
  });

  it('searches by reference, case reference, email and handle in any case', async () => {
    const { h } = await seed();
    const search = async (s: { references?: string[]; email?: string; handle?: string }) => {
      const found = await searchQueue(
        h,
        { references: s.references ?? [], email: s.email ?? null, handle: s.handle ?? null },
        page,
      );
      expect(found.total).toBe(found.items.length);
      return refs(found.items);
    };
    expect(await search({ references: ['A-4'] })).toEqual(['A-4']);
    expect(await search({ references: ['C-2222', 'A-5'] })).toEqual(['A-5', 'A-3']);
    // Matched two ways (its own reference and its case's), listed and counted once.
    expect(await search({ references: ['A-3', 'C-2222'] })).toEqual(['A-3']);
    expect(await search({ references: ['A-3'], handle: 'dave' })).toEqual(['A-3']);
    expect(await search({ email: 'five@example.org' })).toEqual(['A-5']);
    expect(await search({ handle: 'eve_claims' })).toEqual(['A-2']); // claimed on the appeal
    expect(await search({ handle: 'carol_case' })).toEqual(['A-1']); // the case's, stored with its @
    expect(await search({ handle: 'dave' })).toEqual(['A-3']);
    expect(await search({ handle: 'nobody' })).toEqual([]);
    expect(await search({})).toEqual([]); // nothing to look for: no rows, not every row
  });

  it('keeps follow-ups, reviewers and names', async () => {
    const { h, ann, bob, idOf } = await seed();
    const f = await insertFollowUp(h, { appealId: idOf['A-4']!, kind: 'restore-comment', dueAt: at(60) });
    const [open] = await listOpenFollowUpsWithAppeal(h);
    expect(open).toMatchObject({ id: f.id, appealReference: 'A-4', dueAt: at(60), doneAt: null });
    expect(await markFollowUpDone(h, f.id, ann, at(70))).toBe(true);
    expect(await markFollowUpDone(h, f.id, ann, at(71))).toBe(false);
    expect(await listOpenFollowUpsWithAppeal(h)).toEqual([]);
    expect(await listReviewers(h)).toEqual([
      { id: ann, name: 'Ann Reviewer' },
      { id: bob, name: 'Bob Reviewer' },
    ]);
    expect(await staffNames(h, [bob])).toEqual(new Map([[bob, 'Bob Reviewer']]));
  });
});

describe('staff accounts on PostgreSQL', () => {
  const newStaff = (h: Db, email: string, totpSecret: string | null = null) =>
    insertStaff(h, {
      email,
      name: email.split('@')[0]!,
      passwordHash: 'hash',
      totpSecret,
      totpConfirmedAt: null,
      roles: ['admin', 'reviewer', 'admin'],
    });

  it('creates and finds accounts, their roles and the TOTP secret sealed at rest', async () => {
    const h = await db();
    const { staff } = tablesOf(h);
    const id = await newStaff(h, 'Zed@Example.org', 'JBSWY3DPEHPK3PXP');
    const found = (await findStaffByEmail(h, 'ZED@example.ORG'))!;
    expect(found).toMatchObject({
      id,
      email: 'zed@example.org',
      totpSecret: 'JBSWY3DPEHPK3PXP',
      roles: ['reviewer', 'admin'],
    });
    expect((await findStaffById(h, id))!.roles).toEqual(['reviewer', 'admin']);
    expect(await findSessionUser(h, id)).toEqual({
      id,
      email: 'zed@example.org',
      name: 'Zed',
      disabledAt: null,
      roles: ['reviewer', 'admin'],
    });
    const [stored] = await h
      .select({ v: tablesOf(h).staff.totpSecret })
      .from(tablesOf(h).staff)
      .where(eq(staff.id, id));
    expect(stored!.v).toMatch(/^enc1:/);

    const admins = await countActiveAdmins(h);
    await updateStaff(h, id, { disabledAt: t0, totpSecret: 'NEWSECRET' });
    expect(await countActiveAdmins(h)).toBe(admins - 1);
    expect(await findStaffById(h, id)).toMatchObject({ disabledAt: t0, totpSecret: 'NEWSECRET' });
    expect((await listStaffRows(h)).find((r) => r.id === id)).toMatchObject({ totpSecret: 'NEWSECRET' });

    // A new key: every secret re-sealed with it, all opened with it alone.
    const next = randomBytes(32);
    expect(await resealTotpSecrets(h, key, next)).toBeGreaterThanOrEqual(1);
    const ring = new SecretKeyRing();
    ring.install(next);
    const [resealed] = await h
      .select({ v: tablesOf(h).staff.totpSecret })
      .from(tablesOf(h).staff)
      .where(eq(staff.id, id));
    expect(ring.open(resealed!.v!, TOTP_SECRET_CONTEXT)).toBe('NEWSECRET');
    await resealTotpSecrets(h, next, key); // back, for the other tests of the file
  });

  it('creates, finds, touches and ends sessions', async () => {
    const h = await db();
    const id = await newStaff(h, 'sessions@example.org');
    await insertSession(h, { idHash: 's1', staffId: id, stage: 'signed-in', now: t0, ip: '192.0.2.1' });
    await insertSession(h, { idHash: 's2', staffId: id, stage: 'signed-in', now: at(1), ip: null, client: 'Firefox' });
    await insertSession(h, { idHash: 's3', staffId: id, stage: 'code', now: at(2), ip: null });
    expect(await findSession(h, 's1')).toMatchObject({ staffId: id, startedAt: t0, lastSeenAt: t0, ip: '192.0.2.1' });
    await touchSession(h, 's1', at(5));
    expect((await signedInSessionsOf(h, id)).map((s) => s.idHash)).toEqual(['s1', 's2']);
    // Idle since before minute 2, or started before minute -10: s2 (idle since minute 1) ends.
    await deleteStaleSessions(h, at(2), at(-10));
    expect(await findSession(h, 's2')).toBeUndefined();
    expect(await deleteOtherSessionsOf(h, id, 's1')).toBe(1);
    expect(await findSession(h, 's3')).toBeUndefined();
    expect(await findSession(h, 's1')).toMatchObject({ lastSeenAt: at(5) });
  });

  it('counts sign-in failures for the throttle', async () => {
    const h = await db();
    const first = await insertLoginFailure(h, 'ip:192.0.2.9', at(0));
    await insertLoginFailure(h, 'ip:192.0.2.9', at(2));
    const provisional = await insertLoginFailure(h, 'ip:192.0.2.9', at(3));
    await insertLoginFailure(h, 'email:x@example.org', at(3));
    expect(await loginFailureTimes(h, 'ip:192.0.2.9', at(1))).toEqual([at(2).getTime(), at(3).getTime()]);
    await deleteLoginFailuresById(h, [provisional]);
    expect(await loginFailureTimes(h, 'ip:192.0.2.9', at(0))).toEqual([at(0).getTime(), at(2).getTime()]);
    await deleteLoginFailuresBefore(h, at(1));
    expect(await loginFailureTimes(h, 'ip:192.0.2.9', at(-10))).toEqual([at(2).getTime()]);
    await deleteLoginFailures(h, 'ip:192.0.2.9');
    expect(await loginFailureTimes(h, 'ip:192.0.2.9', at(-10))).toEqual([]);
    expect(await loginFailureTimes(h, 'email:x@example.org', at(-10))).toEqual([at(3).getTime()]);
    expect(first).toBeGreaterThan(0);
  });

  it('keeps used TOTP steps and one-time links', async () => {
    const h = await db();
    const id = await newStaff(h, 'links@example.org');
    await insertTotpStep(h, id, 100);
    await insertTotpStep(h, id, 102, 'enrolment');
    expect(await usedTotpStepFrom(h, id, 101)).toMatchObject({ step: 102, usedFor: 'enrolment' });
    expect(await usedTotpStepFrom(h, id, 103)).toBeUndefined();
    await expect(insertTotpStep(h, id, 100)).rejects.toThrow();

    await insertToken(h, { tokenHash: 't1', purpose: 'invite', staffId: id, expiresAt: at(60) });
    await insertToken(h, { tokenHash: 't2', purpose: 'invite', staffId: id, expiresAt: at(60) });
    expect(await isTokenLive(h, 't1', t0)).toBe(true);
    expect(await markTokenUsed(h, 't1', at(60))).toBe(false); // expired by then
    expect(await markTokenUsed(h, 't1', t0)).toBe(true);
    expect(await markTokenUsed(h, 't1', t0)).toBe(false); // used
    expect(await isTokenLive(h, 't1', t0)).toBe(false);
    expect(await expireTokens(h, 'invite', at(1), id)).toBe(1); // t2 only: t1 is used
    expect(await isTokenLive(h, 't2', at(1))).toBe(false);
  });
});
