/**
 * The queries of db/appeals, audit, cases, feedback, journeys, notifications, reply-templates,
 * subscriptions and retention on PostgreSQL (issue 21): each called on a migrated database opened
 * with openPostgres, as the runtime will, with its results checked. The SQLite behaviour they
 * must match is what the other unit tests of these files check (the journeys' deleted counts,
 * read from each driver's result, are checked here on both engines). Needs TEST_DATABASE_URL
 * (tests/support/postgres.ts): without it every test fails and says how to set it. The running
 * aggregates (transparency_tallies, appeal_tallies) have no PostgreSQL triggers yet, so nothing
 * here reads them.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  findAppealById,
  findAppealByReferenceAndEmail,
  findAppealByTokenHash,
  findOpenAppealForCase,
  insertAppeal,
  insertAppealEvent,
  insertStatusLink,
  listAppealEvents,
  listWaitingAppeals,
  updateAppeal,
} from '../../db/appeals.ts';
import { auditActions, listAudit, recordAudit } from '../../db/audit.ts';
import {
  appealsForCase,
  findCaseById,
  findCaseByReference,
  insertCase,
  referenceExists,
  searchCases,
  setCaseNotice,
} from '../../db/cases.ts';
import { migrateDatabase, openDatabase, type Db } from '../../db/client.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { countFeedbackRatings, insertFeedback } from '../../db/feedback.ts';
import {
  countHit,
  deleteExpiredJourneys,
  deleteJourney,
  deleteOldRateLimits,
  findJourneyData,
  peekHits,
  saveJourneyData,
} from '../../db/journeys.ts';
import {
  activeStaffEmail,
  activeStaffEmails,
  claimDigestDay,
  countSafeguardingConcerns,
  insertEscalation,
  insertSafeguardingConcern,
  listDueBetween,
  listNewUnassigned,
  listOverdue,
  listOverdueFollowUps,
  listOverdueNotEscalated,
  listSafeguardingConcerns,
} from '../../db/notifications.ts';
import {
  findTemplate,
  insertTemplate,
  listTemplates,
  retireTemplate,
  updateTemplate,
} from '../../db/reply-templates.ts';
import {
  countFeedbackCommentsBefore,
  countPurgeable,
  purgeFeedbackComments,
  purgePersonalData,
  type PurgeCutoffs,
} from '../../db/retention.ts';
import {
  claimChangeAlert,
  countSubscribeAttempts,
  deleteUnconfirmedBefore,
  findSubscriptionByConfirmHash,
  findSubscriptionByEmail,
  findSubscriptionByUnsubscribeHash,
  insertSubscribeAttempt,
  insertSubscription,
  insertUnsubscribeToken,
  listAlertedVersionIds,
  listConfirmedSubscriptions,
  markConfirmed,
} from '../../db/subscriptions.ts';
import { transaction } from '../../db/transactions.ts';
import { onCleanup } from '../support/cleanup.ts';
import { openMigratedPostgres } from '../support/postgres.ts';

const CLOCK = new Date(Date.UTC(2026, 5, 1, 9, 0, 0));
const at = (days: number) => new Date(CLOCK.getTime() + days * 86_400_000);

interface World {
  db: Db;
  versionId: number;
  reviewer: number;
  moderator: number;
}

/**
 * One migrated database for the file, with a published version, two grounds and staff, made by
 * the first test that asks (not in a beforeAll: a failing hook only marks the tests skipped).
 */
let world: Promise<World> | undefined;
const database = () => (world ??= makeWorld());

async function makeWorld(): Promise<World> {
  const { db } = await openMigratedPostgres({ poolSize: 3, context: { now: () => CLOCK } });
  const { grounds, principleVersions, staff, staffRoles } = tablesOf(db);
  const [version] = await db
    .insert(principleVersions)
    .values({ status: 'published', version: '1.0', bodyMarkdown: 'Body', changeSummary: 'First' })
    .returning({ id: principleVersions.id });
  const versionId = version!.id;
  await db.insert(grounds).values([
    { versionId, code: 'B', title: 'Second', description: 'Two', position: 2 },
    { versionId, code: 'A', title: 'First', description: 'One', position: 1 },
  ]);
  const people = await db
    .insert(staff)
    .values([
      { email: 'rita@example.org', name: 'Rita Reviewer' },
      { email: 'mo@example.org', name: 'Mo Moderator' },
      { email: 'gone@example.org', name: 'Gone Reviewer', disabledAt: at(-1) },
    ])
    .returning({ id: staff.id });
  const [reviewer, moderator, gone] = people.map((p) => p.id) as [number, number, number];
  await db.insert(staffRoles).values([
    { staffId: reviewer, role: 'reviewer' },
    { staffId: moderator, role: 'moderator' },
    { staffId: gone, role: 'reviewer' },
  ]);
  return { db, versionId, reviewer, moderator };
}

let cases = 0;
async function recordCase(w: World, fields: { reference?: string; handle?: string; actionAt?: Date } = {}) {
  const reference = fields.reference ?? `FH-PGQ-${++cases}`;
  const id = await transaction(w.db, (tx) =>
    insertCase(tx, {
      reference,
      platform: 'facebook',
      accountHandle: fields.handle ?? `@someone${cases}`,
      postUrl: 'https://example.org/post',
      excerpt: null,
      statementOfReasons: 'Because',
      principleVersionId: w.versionId,
      actionAt: fields.actionAt ?? at(-10),
      detectedBy: 'own-monitoring',
      automated: true,
      recordedBy: w.moderator,
      actions: ['hidden', 'blocked'],
      groundCodes: ['B', 'A'],
    }),
  );
  return { id, reference };
}

let appealsMade = 0;
async function makeAppeal(w: World, values: { caseId?: number | null; receivedAt?: Date; dueAt?: Date } = {}) {
  return insertAppeal(w.db, {
    reference: `FH-PGA-${++appealsMade}`,
    caseId: values.caseId ?? null,
    email: `person${appealsMade}@example.org`,
    name: 'A Person',
    reason: 'I disagree',
    contactNeeds: ['bsl'],
    receivedAt: values.receivedAt ?? at(-5),
    dueAt: values.dueAt ?? at(5),
  });
}

describe('db/cases.ts on PostgreSQL', () => {
  it('inserts a case with its actions and grounds, and finds it by id and by reference', async () => {
    const w = await database();
    const { id, reference } = await recordCase(w, { reference: 'FH-PGQ-FIND' });
    expect(await referenceExists(w.db, reference)).toBe(true);
    expect(await referenceExists(w.db, 'FH-PGQ-NONE')).toBe(false);
    const found = await findCaseById(w.db, id);
    expect(found).toMatchObject({
      id,
      reference,
      platform: 'facebook',
      automated: true,
      actionAt: at(-10),
      version: '1.0',
      noticeSentAt: null,
      grounds: [
        { code: 'A', title: 'First', description: 'One' },
        { code: 'B', title: 'Second', description: 'Two' },
      ],
    });
    expect(found!.actions).toEqual(['blocked', 'hidden']);
    expect(await findCaseByReference(w.db, reference)).toEqual(found);
    expect(await findCaseById(w.db, 999_999)).toBeUndefined();

    expect(await setCaseNotice(w.db, id, { sentAt: at(-9), method: 'email' }, { at: at(-8), by: w.moderator })).toBe(
      true,
    );
    expect(await findCaseById(w.db, id)).toMatchObject({ noticeSentAt: at(-9), noticeMethod: 'email' });
    expect(await setCaseNotice(w.db, 999_999, { notSentReason: 'No address' }, { at: at(-8), by: 1 })).toBe(false);
  });

  it('searches references and handles ignoring case, with % and _ matched literally', async () => {
    const w = await database();
    const underscore = await recordCase(w, { reference: 'FH-SRCH-1', handle: '@Under_Score' });
    const percent = await recordCase(w, { reference: 'FH-SRCH-2', handle: '@fifty%off' });
    const plain = await recordCase(w, { reference: 'FH-SRCH-3', handle: '@underxscore', actionAt: at(-20) });
    const ids = async (text: string) =>
      (await searchCases(w.db, { text, limit: 10, offset: 0 })).items.map((i) => i.id);

    expect(await ids('fh-srch')).toEqual([percent.id, underscore.id, plain.id]);
    expect(await ids('under_score')).toEqual([underscore.id]);
    expect(await ids('UNDER')).toEqual([underscore.id, plain.id]);
    expect(await ids('fifty%')).toEqual([percent.id]);
    expect(await ids('y%o')).toEqual([percent.id]);
    expect(await ids('%')).toEqual([percent.id]);
    expect(await ids('\\')).toEqual([]);

    const page = await searchCases(w.db, { text: 'FH-SRCH', from: at(-15), limit: 1, offset: 1 });
    expect(page.total).toBe(2);
    expect(page.items).toEqual([
      {
        id: underscore.id,
        reference: 'FH-SRCH-1',
        platform: 'facebook',
        accountHandle: '@Under_Score',
        actionAt: at(-10),
        openAppeals: 0,
      },
    ]);
    expect((await searchCases(w.db, { text: 'FH-SRCH', to: at(-15), limit: 5, offset: 0 })).total).toBe(1);
    expect((await searchCases(w.db, { text: 'FH-SRCH', platform: 'tiktok', limit: 5, offset: 0 })).total).toBe(0);
    expect((await searchCases(w.db, { text: 'FH-SRCH', action: 'hidden', limit: 5, offset: 0 })).total).toBe(3);
    expect((await searchCases(w.db, { text: 'FH-SRCH', action: 'police', limit: 5, offset: 0 })).total).toBe(0);

    await makeAppeal(w, { caseId: plain.id });
    const [withAppeal] = (await searchCases(w.db, { text: '@underx', limit: 5, offset: 0 })).items;
    expect(withAppeal).toMatchObject({ id: plain.id, openAppeals: 1 });
    expect(await appealsForCase(w.db, plain.id)).toMatchObject([{ status: 'new', outcome: null }]);
  });
});

describe('db/appeals.ts on PostgreSQL', () => {
  it('inserts, finds, updates and lists an appeal with its events and status links', async () => {
    const w = await database();
    const kase = await recordCase(w);
    const appeal = await makeAppeal(w, { caseId: kase.id });
    expect(appeal).toMatchObject({ status: 'new', contactNeeds: ['bsl'], caseId: kase.id, askingConsent: null });
    expect(await findOpenAppealForCase(w.db, kase.id)).toEqual(appeal);
    expect(await findAppealById(w.db, appeal.id)).toEqual(appeal);
    expect(await findAppealByReferenceAndEmail(w.db, appeal.reference, appeal.email!)).toEqual(appeal);
    expect(await findAppealByReferenceAndEmail(w.db, appeal.reference, 'other@example.org')).toBeUndefined();

    await insertStatusLink(w.db, appeal.id, `hash-${appeal.id}`, 'appeal-ack', at(-5));
    expect((await findAppealByTokenHash(w.db, `hash-${appeal.id}`))?.id).toBe(appeal.id);
    await insertAppealEvent(w.db, { appealId: appeal.id, at: at(-4), actorType: 'appellant', kind: 'received' });
    await insertAppealEvent(w.db, { appealId: appeal.id, at: at(-5), actorType: 'staff', kind: 'note', body: 'x' });
    expect((await listAppealEvents(w.db, appeal.id)).map((e) => e.kind)).toEqual(['note', 'received']);

    await updateAppeal(w.db, appeal.id, { status: 'waiting', pausedAt: at(-1) });
    expect(await listWaitingAppeals(w.db)).toContainEqual({ id: appeal.id, pausedAt: at(-1) });
    await updateAppeal(w.db, appeal.id, { status: 'withdrawn', withdrawnAt: at(-1) });
    expect(await findOpenAppealForCase(w.db, kase.id)).toBeUndefined();
  });
});

describe('db/audit.ts on PostgreSQL', () => {
  it('lists entries newest first with each filter, and the distinct actions in code point order', async () => {
    const w = await database();
    const { auditLog } = tablesOf(w.db);
    const entry = (action: string, actorId: number | null, entityId: string) => ({
      actorId,
      action,
      entityType: 'audit-test',
      entityId,
      ip: null,
      details: { n: entityId },
    });
    await recordAudit(w.db, entry('staff.sign-in', w.reviewer, 'e1'));
    await recordAudit(w.db, entry('staff.sign_out', w.reviewer, 'e2'));
    await recordAudit(w.db, entry('Staff.Roles', null, 'e3'));
    await recordAudit(w.db, entry('staffx.other', null, 'e4'));
    await recordAudit(w.db, entry('case.recorded', w.moderator, 'e5'));
    // recordAudit takes the handle's clock; spread the entries over days for the range filters.
    for (const [i, id] of ['e1', 'e2', 'e3', 'e4', 'e5'].entries())
      await w.db
        .update(auditLog)
        .set({ at: at(i) })
        .where(eq(auditLog.entityId, id));

    const ids = async (filters: Parameters<typeof listAudit>[1]) =>
      (await listAudit(w.db, { entityType: 'audit-test', ...filters })).map((e) => e.entityId);
    expect(await ids({})).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
    expect(await ids({ actorId: null })).toEqual(['e4', 'e3']);
    expect(await ids({ actorId: w.reviewer })).toEqual(['e2', 'e1']);
    expect(await ids({ action: 'staff.sign-in' })).toEqual(['e1']);
    // A prefix ignores case, as SQLite's like does; a typed _ or % is dropped, never a wildcard.
    expect(await ids({ action: 'staff.*' })).toEqual(['e3', 'e2', 'e1']);
    expect(await ids({ action: 'STAFF.SIGN*' })).toEqual(['e2', 'e1']);
    expect(await ids({ action: 'staff_*' })).toEqual(['e4', 'e3', 'e2', 'e1']);
    expect(await ids({ action: 'staff.sign_*' })).toEqual(['e2', 'e1']);
    expect(await ids({ entityId: 'e3' })).toEqual(['e3']);
    expect(await ids({ from: at(1), to: at(3) })).toEqual(['e3', 'e2']);
    expect(await ids({ limit: 2, offset: 1 })).toEqual(['e4', 'e3']);

    const [latest] = await listAudit(w.db, { entityType: 'audit-test', actorId: w.moderator });
    expect(latest).toMatchObject({
      action: 'case.recorded',
      at: at(4),
      details: { n: 'e5' },
      actorName: 'Mo Moderator',
      actorEmail: 'mo@example.org',
    });
    expect((await listAudit(w.db, { entityId: 'e4' }))[0]).toMatchObject({ actorName: null, actorEmail: null });

    const actions = await auditActions(w.db);
    expect(actions.filter((a) => a.toLowerCase().startsWith('staff') || a === 'case.recorded')).toEqual([
      'Staff.Roles',
      'case.recorded',
      'staff.sign-in',
      'staff.sign_out',
      'staffx.other',
    ]);
  });
});

// On both engines: the deleted counts come from each driver's own result (db/dialect/changes.ts).
describe.each(['postgres', 'sqlite'])('db/journeys.ts on %s', (engine) => {
  let sqlite: Db | undefined;
  async function journeyDb(): Promise<Db> {
    if (engine === 'postgres') return (await database()).db;
    if (!sqlite) {
      sqlite = openDatabase(':memory:');
      migrateDatabase(sqlite);
      onCleanup(() => sqlite!.$client.close());
    }
    return sqlite;
  }

  it('saves, replaces, reads and expires journeys, counting what it deletes', async () => {
    const db = await journeyDb();
    await saveJourneyData(db, 'j1', { step: 1 }, at(0), at(1));
    await saveJourneyData(db, 'j1', { step: 2, nested: { ok: true } }, at(0), at(2));
    await saveJourneyData(db, 'j2', { step: 1 }, at(0), at(-1));
    await saveJourneyData(db, 'j3', { step: 1 }, at(-3), at(-2));
    await saveJourneyData(db, 'j4', { step: 1 }, at(0), at(3));
    expect(await findJourneyData(db, 'j1', at(0))).toEqual({ step: 2, nested: { ok: true } });
    expect(await findJourneyData(db, 'j1', at(2))).toBeUndefined();
    expect(await findJourneyData(db, 'j2', at(0))).toBeUndefined();
    expect(await deleteExpiredJourneys(db, at(0))).toBe(2);
    expect(await deleteExpiredJourneys(db, at(0))).toBe(0);
    await deleteJourney(db, 'j4');
    expect(await findJourneyData(db, 'j4', at(0))).toBeUndefined();
    expect(await deleteExpiredJourneys(db, at(10))).toBe(1);
  });

  it('counts hits in fixed windows and deletes old counters, counting them', async () => {
    const db = await journeyDb();
    const hour = 3_600_000;
    expect(await countHit(db, 'ip:1', at(0), hour)).toEqual({ count: 1, windowStart: at(0) });
    expect(await countHit(db, 'ip:1', new Date(at(0).getTime() + 1000), hour)).toEqual({
      count: 2,
      windowStart: at(0),
    });
    expect(await peekHits(db, 'ip:1', at(0), hour)).toEqual({ count: 2, windowStart: at(0) });
    // A new window starts the count again.
    expect(await countHit(db, 'ip:1', at(1), hour)).toEqual({ count: 1, windowStart: at(1) });
    expect(await peekHits(db, 'ip:1', at(2), hour)).toEqual({ count: 0, windowStart: at(2) });
    // Hits at the same moment, on every client of the pool, are each counted once, each told its
    // own count (one statement: they wait for the row's lock, none fails to serialise).
    const counts = await Promise.all(Array.from({ length: 50 }, () => countHit(db, 'ip:2', at(0), hour)));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await peekHits(db, 'ip:2', at(0), hour)).count).toBe(50);
    await countHit(db, 'ip:3', at(-5), hour);
    expect(await deleteOldRateLimits(db, at(0.5))).toBe(2);
    expect(await deleteOldRateLimits(db, at(0.5))).toBe(0);
    expect((await peekHits(db, 'ip:1', at(1), hour)).count).toBe(1);
  });
});

describe('db/subscriptions.ts on PostgreSQL', () => {
  it('subscribes, confirms, finds by token, limits attempts and claims alerts once', async () => {
    const w = await database();
    const id = await insertSubscription(w.db, { email: 'sub@example.org', confirmTokenHash: 'c1', now: at(0) });
    const stale = await insertSubscription(w.db, { email: 'old@example.org', confirmTokenHash: 'c2', now: at(-9) });
    expect((await findSubscriptionByEmail(w.db, 'sub@example.org'))?.id).toBe(id);
    expect((await findSubscriptionByConfirmHash(w.db, 'c1'))?.id).toBe(id);
    expect(await markConfirmed(w.db, id, at(1))).toBe(true);
    expect(await markConfirmed(w.db, id, at(1))).toBe(false);
    expect(await findSubscriptionByConfirmHash(w.db, 'c1')).toBeUndefined();
    await insertUnsubscribeToken(w.db, id, 'u1', at(1));
    expect(await findSubscriptionByUnsubscribeHash(w.db, 'u1')).toMatchObject({ id, confirmedAt: at(1) });
    expect(await listConfirmedSubscriptions(w.db, at(0))).toEqual([]);
    expect(await listConfirmedSubscriptions(w.db, at(1))).toEqual([{ id, email: 'sub@example.org' }]);
    expect(await deleteUnconfirmedBefore(w.db, at(-7))).toBe(1);
    expect(await findSubscriptionByEmail(w.db, 'old@example.org')).toBeUndefined();
    expect(stale).not.toBe(id);

    await insertSubscribeAttempt(w.db, 'client', at(0));
    await insertSubscribeAttempt(w.db, 'client', at(1));
    expect(await countSubscribeAttempts(w.db, 'client', at(0))).toBe(1);
    expect(await countSubscribeAttempts(w.db, 'client', at(-1))).toBe(2);

    expect(await claimChangeAlert(w.db, w.versionId, at(0))).toBe(true);
    expect(await claimChangeAlert(w.db, w.versionId, at(0))).toBe(false);
    expect(await listAlertedVersionIds(w.db)).toEqual(new Set([w.versionId]));
  });
});

describe('db/notifications.ts on PostgreSQL', () => {
  it('lists active staff by role, the digest lists with their totals, escalations and concerns', async () => {
    const w = await database();
    expect(await activeStaffEmails(w.db, 'reviewer')).toEqual(['rita@example.org']);
    expect(await activeStaffEmail(w.db, w.moderator, 'moderator')).toBe('mo@example.org');
    expect(await activeStaffEmail(w.db, w.moderator, 'reviewer')).toBeUndefined();

    const { appeals, followUps } = tablesOf(w.db);
    // Only this test's appeals count: earlier ones are closed first.
    await w.db.update(appeals).set({ status: 'withdrawn' });
    const overdue1 = await makeAppeal(w, { dueAt: at(-3) });
    const overdue2 = await makeAppeal(w, { dueAt: at(-2) });
    const soon = await makeAppeal(w, { dueAt: at(1) });
    const later = await makeAppeal(w, { dueAt: at(9) });
    await updateAppeal(w.db, soon.id, { status: 'in-review', assignedTo: w.reviewer });
    const refs = (list: { items: { id: number }[]; total: number }) => [list.items.map((i) => i.id), list.total];

    expect(refs(await listNewUnassigned(w.db, 10))).toEqual([[overdue1.id, overdue2.id, later.id], 3]);
    expect(refs(await listNewUnassigned(w.db, 2))).toEqual([[overdue1.id, overdue2.id], 3]);
    expect(refs(await listDueBetween(w.db, at(0), at(5), 10))).toEqual([[soon.id], 1]);
    expect(refs(await listOverdue(w.db, at(0), 1))).toEqual([[overdue1.id], 2]);

    await w.db.insert(followUps).values([
      { appealId: overdue1.id, kind: 'restore-comment', dueAt: at(-1) },
      { appealId: overdue2.id, kind: 'unblock-account', dueAt: at(-2), doneAt: at(-1) },
    ]);
    expect(await listOverdueFollowUps(w.db, at(0), 10)).toEqual({
      items: [
        {
          id: expect.any(Number),
          appealId: overdue1.id,
          appealReference: overdue1.reference,
          kind: 'restore-comment',
          dueAt: at(-1),
        },
      ],
      total: 1,
    });

    expect(await claimDigestDay(w.db, { day: '2026-06-01', decidedAt: at(0), emails: 1, items: 4 })).toBe(true);
    expect(await claimDigestDay(w.db, { day: '2026-06-01', decidedAt: at(0), emails: 1, items: 4 })).toBe(false);
    expect(await insertEscalation(w.db, { appealId: overdue1.id, escalatedAt: at(0), dueAt: overdue1.dueAt })).toBe(
      true,
    );
    expect(await insertEscalation(w.db, { appealId: overdue1.id, escalatedAt: at(0), dueAt: overdue1.dueAt })).toBe(
      false,
    );
    expect((await listOverdueNotEscalated(w.db, at(0), 10)).map((a) => a.id)).toEqual([overdue2.id]);

    const before = await countSafeguardingConcerns(w.db);
    const kase = await recordCase(w);
    const second = await insertSafeguardingConcern(w.db, {
      caseId: null,
      appealId: overdue1.id,
      note: 'Second',
      raisedBy: w.moderator,
      raisedAt: at(1),
    });
    const first = await insertSafeguardingConcern(w.db, {
      caseId: kase.id,
      appealId: null,
      note: 'First',
      raisedBy: w.reviewer,
      raisedAt: at(0),
    });
    expect(await countSafeguardingConcerns(w.db)).toBe(before + 2);
    expect(await listSafeguardingConcerns(w.db, { caseIds: [kase.id], appealIds: [overdue1.id] })).toMatchObject([
      { id: first.id, note: 'First', raisedByName: 'Rita Reviewer' },
      { id: second.id, note: 'Second', raisedByName: 'Mo Moderator' },
    ]);
    expect(await listSafeguardingConcerns(w.db, { caseIds: [], appealIds: [] })).toEqual([]);
  });
});

describe('db/reply-templates.ts on PostgreSQL', () => {
  it('inserts, changes and retires templates, listing active first and names in code point order', async () => {
    const w = await database();
    const fields = (name: string) => ({ name, outcome: 'upheld' as const, groundCode: null, body: `Body of ${name}` });
    const b = await insertTemplate(w.db, fields('b template'), w.reviewer, at(0));
    const upper = await insertTemplate(w.db, fields('Z template'), w.reviewer, at(0));
    const a = await insertTemplate(w.db, fields('a template'), w.reviewer, at(0));
    const old = await insertTemplate(w.db, { ...fields('0 old'), outcome: 'overturned' }, w.reviewer, at(0));
    expect(await updateTemplate(w.db, a.id, fields('a template, changed'), w.moderator, at(1))).toMatchObject({
      name: 'a template, changed',
      updatedBy: w.moderator,
      updatedAt: at(1),
    });
    expect(await retireTemplate(w.db, old.id, w.moderator, at(2))).toMatchObject({ retiredAt: at(2) });
    expect(await retireTemplate(w.db, old.id, w.moderator, at(3))).toBeUndefined();
    expect(await updateTemplate(w.db, old.id, fields('nope'), w.moderator, at(3))).toBeUndefined();
    expect((await findTemplate(w.db, old.id))?.name).toBe('0 old');

    expect((await listTemplates(w.db)).map((t) => t.id)).toEqual([upper.id, a.id, b.id, old.id]);
    expect((await listTemplates(w.db, { activeOnly: true })).map((t) => t.id)).toEqual([upper.id, a.id, b.id]);
  });
});

describe('db/feedback.ts on PostgreSQL', () => {
  it('counts ratings given in a period, by rating', async () => {
    const { db } = await database();
    await insertFeedback(db, { rating: 'satisfied', comment: 'Good', fromPage: 'status', givenAt: at(0) });
    await insertFeedback(db, { rating: 'satisfied', comment: null, fromPage: null, givenAt: at(1) });
    await insertFeedback(db, { rating: 'neither', comment: null, fromPage: 'banner', givenAt: at(1) });
    await insertFeedback(db, { rating: 'neither', comment: null, fromPage: 'banner', givenAt: at(2) });
    expect(await countFeedbackRatings(db, at(0), at(2))).toEqual(
      new Map([
        ['satisfied', 2],
        ['neither', 1],
      ]),
    );
    expect(await countFeedbackRatings(db, at(10), at(11))).toEqual(new Map());
  });
});

describe('db/retention.ts on PostgreSQL', () => {
  it('selects what is past retention, blanks it in one transaction, and blanks old feedback comments', async () => {
    const w = await database();
    const { appealStatusLinks, cases, outbox, serviceFeedback } = tablesOf(w.db);
    const oldCase = await recordCase(w, { actionAt: at(-400) });
    const recentCase = await recordCase(w, { actionAt: at(-400) });
    const newCase = await recordCase(w, { actionAt: at(-1) });
    const oldAppeal = await makeAppeal(w, { caseId: oldCase.id, receivedAt: at(-390) });
    await updateAppeal(w.db, oldAppeal.id, { status: 'decided', outcome: 'upheld', decidedAt: at(-380) });
    const recentAppeal = await makeAppeal(w, { caseId: recentCase.id, receivedAt: at(-390) });
    await updateAppeal(w.db, recentAppeal.id, { status: 'withdrawn', withdrawnAt: at(-10) });
    const openAppeal = await makeAppeal(w, { receivedAt: at(-390) });
    await insertStatusLink(w.db, oldAppeal.id, `purge-${oldAppeal.id}`, 'decision', at(-380));
    const email = (state: 'sent' | 'queued', queuedAt: Date) => ({
      messageId: `<${state}-${queuedAt.getTime()}@example.org>`,
      kind: 'decision',
      to: 'person@example.org',
      subject: 'S',
      text: 'T',
      html: 'H',
      headers: {},
      state,
      nextAttemptAt: queuedAt,
      queuedAt,
    });
    await w.db.insert(outbox).values([email('sent', at(-100)), email('queued', at(-100)), email('sent', at(-1))]);

    const cutoffs: PurgeCutoffs = {
      appealsClosedBefore: at(-365),
      casesActedBefore: at(-365),
      caseAppealsClosedBefore: at(-365),
      emailsCreatedBefore: at(-30),
      feedbackGivenBefore: at(-30),
    };
    // Earlier tests' rows are recent, so only these are past retention.
    expect(await countPurgeable(w.db, cutoffs)).toEqual({ appeals: 1, cases: 1, emails: 1 });

    let audited: unknown;
    const counts = await purgePersonalData(w.db, cutoffs, at(0), (tx, n) => {
      audited = n;
      return recordAudit(tx, {
        actorId: null,
        action: 'retention.purged',
        entityType: 'system',
        entityId: null,
        ip: null,
      });
    });
    expect(counts).toEqual({ appeals: 1, cases: 1, emails: 1 });
    expect(audited).toEqual(counts);
    expect(await countPurgeable(w.db, cutoffs)).toEqual({ appeals: 0, cases: 0, emails: 0 });

    expect(await findAppealById(w.db, oldAppeal.id)).toMatchObject({
      email: null,
      reason: null,
      contactNeeds: null,
      status: 'decided',
      outcome: 'upheld',
      purgedAt: at(0),
    });
    expect(await findAppealById(w.db, recentAppeal.id)).toMatchObject({ email: recentAppeal.email, purgedAt: null });
    expect(await findAppealById(w.db, openAppeal.id)).toMatchObject({ purgedAt: null });
    expect(await w.db.select().from(appealStatusLinks).where(eq(appealStatusLinks.appealId, oldAppeal.id))).toEqual([]);
    const caseRow = async (id: number) => (await w.db.select().from(cases).where(eq(cases.id, id)))[0];
    expect(await caseRow(oldCase.id)).toMatchObject({ accountHandle: null, closedAt: at(0), purgedAt: at(0) });
    expect(await caseRow(recentCase.id)).toMatchObject({ purgedAt: null });
    expect(await caseRow(newCase.id)).toMatchObject({ purgedAt: null });
    expect((await w.db.select({ state: outbox.state }).from(outbox)).map((r) => r.state).sort()).toEqual([
      'queued',
      'sent',
    ]);
    expect((await listAudit(w.db, { action: 'retention.purged' })).length).toBe(1);

    await w.db.insert(serviceFeedback).values([
      { rating: 'satisfied', comment: 'Old words', givenAt: at(-60) },
      { rating: 'neither', comment: null, givenAt: at(-60) },
    ]);
    expect(await countFeedbackCommentsBefore(w.db, at(-30))).toBe(1);
    expect(await purgeFeedbackComments(w.db, at(-30), () => undefined)).toBe(1);
    expect(await countFeedbackCommentsBefore(w.db, at(-30))).toBe(0);
    expect(await countFeedbackRatings(w.db, at(-61), at(-59))).toEqual(
      new Map([
        ['satisfied', 1],
        ['neither', 1],
      ]),
    );
  });
});
