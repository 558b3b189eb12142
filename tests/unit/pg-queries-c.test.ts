/**
 * db/principles.ts (but seedPrinciples), db/transparency.ts, the page cache's change tokens
 * (db/dialect/change-token.ts) and db/backup.ts on a real PostgreSQL server. The same writes go
 * to a fresh SQLite file and a fresh PostgreSQL database, and the queries must give the same rows
 * on both. Needs TEST_DATABASE_URL (tests/support/postgres.ts): the file fails, and says how to
 * set it, when it is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { backupPostgres, libpqEnvironment, postgresProgram } from '../../db/backup.ts';
import { MIGRATIONS_DIR, openDatabase, type Db } from '../../db/client.ts';
import { changeWatcher } from '../../db/dialect/change-token.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { endPool, openPostgres, poolOf } from '../../db/postgres.ts';
import {
  databaseChangeToken,
  deleteDraft,
  findDraft,
  findPublishedVersion,
  findVersionInForce,
  insertDraft,
  listDrafts,
  listPublishedGroundCodes,
  listPublishedVersions,
  markDraftPublished,
  otherWritersToken,
  principlesStamp,
  replaceDraft,
} from '../../db/principles.ts';
import { transaction } from '../../db/transactions.ts';
import {
  countAppealsReceived,
  countAppealsWithdrawn,
  countCaseActions,
  countCaseGrounds,
  countCases,
  countCasesTold,
  countDecisions,
  countOpenPastDue,
  firstActivityAt,
  groundTitles,
  readTallies,
  type PeriodRange,
} from '../../db/transparency.ts';
import { onCleanup } from '../support/cleanup.ts';
import { openMigratedPostgres } from '../support/postgres.ts';

interface Engines {
  sqlite: Db;
  postgres: Db;
  url: string;
}

/** Both databases for the file, made by the first test that asks (so each test fails with the reason). */
let engines: Promise<Engines> | undefined;
const both = () => (engines ??= open());

async function open(): Promise<Engines> {
  // Closed (the change watcher stopped, the pool ended) and dropped after the file.
  const { url, db: postgres } = await openMigratedPostgres({ poolSize: 4 });
  const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-pg-queries-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const sqlite = openDatabase(join(dir, 'db.sqlite'));
  onCleanup(() => sqlite.$client.close());
  // The migrations only, without the tally triggers: PostgreSQL has none yet, and the tallies
  // are written by hand below on both engines.
  migrate(sqlite, { migrationsFolder: MIGRATIONS_DIR });
  return { sqlite, postgres, url };
}

/** Runs `work` on SQLite, then PostgreSQL; expects the same result and returns it. */
async function same<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const { sqlite, postgres } = await both();
  const fromSqlite = await work(sqlite);
  const fromPostgres = await work(postgres);
  expect(fromPostgres).toEqual(fromSqlite);
  return fromSqlite;
}

const at = (iso: string) => new Date(iso);
const ground = (code: string, title = `Title of ${code}`) => ({ code, title, description: `About ${code}.` });

/** Drops what differs by nature between two databases (creation times by each server's clock). */
const withoutCreatedAt = <T extends { createdAt?: Date }>(row: T | undefined) => {
  if (!row) return row;
  const { createdAt, ...rest } = row;
  expect(createdAt).toBeInstanceOf(Date);
  return rest;
};

describe('principle versions on both engines', () => {
  it('drafts are written, listed, replaced, deleted and published the same way', async () => {
    const first = await same((db) =>
      insertDraft(db, { bodyMarkdown: 'One', changeSummary: 'First', grounds: [ground('a'), ground('b')] }),
    );
    const second = await same((db) =>
      insertDraft(db, { bodyMarkdown: 'Two', changeSummary: 'Second', grounds: [ground('c')] }),
    );
    const third = await same((db) => insertDraft(db, { bodyMarkdown: 'Three', changeSummary: 'Third', grounds: [] }));
    expect([first, second, third]).toEqual([1, 2, 3]);

    const draft = await same(async (db) => withoutCreatedAt(await findDraft(db, first)));
    expect(draft?.grounds.map((g) => g.code)).toEqual(['a', 'b']);
    expect(await same(async (db) => (await listDrafts(db)).map((d) => d.id))).toEqual([3, 2, 1]);

    expect(
      await same((db) =>
        replaceDraft(db, second, {
          bodyMarkdown: 'Two, again',
          changeSummary: 'Second',
          grounds: [ground('d'), ground('c', 'Newer c')],
        }),
      ),
    ).toBe(true);
    expect(await same(async (db) => (await findDraft(db, second))?.grounds.map((g) => g.code))).toEqual(['d', 'c']);
    expect(await same((db) => deleteDraft(db, third))).toBe(true);
    expect(await same((db) => deleteDraft(db, third))).toBe(false);

    // 1.0 with no known date (in force before every dated version), 1.1 dated.
    const published = at('2026-03-01T10:00:00Z');
    expect(
      await same((db) =>
        transaction(db, (tx) =>
          markDraftPublished(tx, first, {
            version: '1.0',
            major: 1,
            minor: 0,
            effectiveAt: published,
            publishedAt: published,
          }),
        ),
      ),
    ).toBe(true);
    await same(async (db) => {
      const { principleVersions } = tablesOf(db);
      await db.update(principleVersions).set({ effectiveAt: null });
    });
    expect(
      await same((db) =>
        markDraftPublished(db, second, {
          version: '1.1',
          major: 1,
          minor: 1,
          effectiveAt: at('2026-06-01T00:00:00Z'),
          publishedAt: at('2026-05-20T09:30:00Z'),
        }),
      ),
    ).toBe(true);
    expect(
      await same((db) =>
        markDraftPublished(db, second, {
          version: '1.2',
          major: 1,
          minor: 2,
          effectiveAt: published,
          publishedAt: published,
        }),
      ),
    ).toBe(false);

    const versions = await same(async (db) => (await listPublishedVersions(db)).map((v) => v.version));
    expect(versions).toEqual(['1.1', '1.0']);
    expect((await same((db) => findPublishedVersion(db, '1.1')))?.grounds.map((g) => g.title)).toEqual([
      'Title of d',
      'Newer c',
    ]);
    expect(await same((db) => findPublishedVersion(db, '9.9'))).toBeUndefined();
    expect((await same((db) => findVersionInForce(db, at('2026-05-31T23:59:59Z'))))?.version).toBe('1.0');
    expect((await same((db) => findVersionInForce(db, at('2026-06-01T00:00:00Z'))))?.version).toBe('1.1');
    expect([...(await same((db) => listPublishedGroundCodes(db)))].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(await same(async (db) => [...(await groundTitles(db))])).toEqual([
      ['a', 'Title of a'],
      ['b', 'Title of b'],
      ['d', 'Title of d'],
      ['c', 'Newer c'],
    ]);
  });
});

describe('the transparency figures on both engines', () => {
  const may: PeriodRange = {
    key: '2026-05',
    start: Date.parse('2026-04-30T23:00:00Z'),
    end: Date.parse('2026-05-31T23:00:00Z'),
  };
  const june: PeriodRange = { key: '2026-06', start: may.end, end: Date.parse('2026-06-30T23:00:00Z') };
  const periods = [june, may];

  /** The same cases, actions, grounds, appeals and tallies in either database. */
  async function fill(db: Db): Promise<void> {
    const { appeals, caseActions, caseGrounds, cases, transparencyTallies } = tablesOf(db);
    const caseRows = [
      { platform: 'x', detectedBy: 'public-report', automated: true, actionAt: '2026-05-02T10:00:00Z', told: true },
      { platform: 'x', detectedBy: 'public-report', automated: false, actionAt: '2026-05-03T10:00:00Z', told: false },
      {
        platform: 'facebook',
        detectedBy: 'own-monitoring',
        automated: false,
        actionAt: '2026-05-31T22:30:00Z',
        told: true,
      },
      {
        platform: 'facebook',
        detectedBy: 'platform-filter',
        automated: true,
        actionAt: '2026-06-10T10:00:00Z',
        told: false,
      },
      { platform: 'x', detectedBy: 'public-report', automated: true, actionAt: '2026-06-11T10:00:00Z', told: true },
    ] as const;
    const ids: number[] = [];
    for (const [i, c] of caseRows.entries()) {
      const [row] = await db
        .insert(cases)
        .values({
          reference: `FH-CASE-${i}`,
          platform: c.platform,
          principleVersionId: 1,
          actionAt: at(c.actionAt),
          detectedBy: c.detectedBy,
          automated: c.automated,
          recordedBy: 1,
          noticeSentAt: c.told ? at(c.actionAt) : null,
        })
        .returning({ id: cases.id });
      ids.push(row!.id);
    }
    await db.insert(caseActions).values([
      { caseId: ids[0]!, action: 'hidden' },
      { caseId: ids[0]!, action: 'blocked' },
      { caseId: ids[1]!, action: 'hidden' },
      { caseId: ids[3]!, action: 'deleted' },
    ]);
    await db.insert(caseGrounds).values([
      { caseId: ids[0]!, groundCode: 'a' },
      { caseId: ids[2]!, groundCode: 'a' },
      { caseId: ids[2]!, groundCode: 'c' },
      { caseId: ids[4]!, groundCode: 'd' },
    ]);
    const appealRows = [
      {
        caseId: ids[0]!,
        status: 'decided',
        received: '2026-05-04T09:00:00Z',
        decided: '2026-05-20T09:00:00Z',
        outcome: 'upheld',
        days: 12,
      },
      {
        caseId: ids[1]!,
        status: 'decided',
        received: '2026-05-05T09:00:00Z',
        decided: '2026-06-02T09:00:00Z',
        outcome: 'overturned',
        days: null,
      },
      {
        caseId: ids[2]!,
        status: 'decided',
        received: '2026-06-01T09:00:00Z',
        decided: '2026-06-15T09:00:00Z',
        outcome: 'upheld',
        days: 10,
      },
      { caseId: ids[3]!, status: 'withdrawn', received: '2026-06-11T09:00:00Z', withdrawn: '2026-06-12T09:00:00Z' },
      { caseId: ids[4]!, status: 'new', received: '2026-06-20T09:00:00Z', due: '2026-06-25T09:00:00Z' },
      { caseId: null, status: 'in-review', received: '2026-04-20T09:00:00Z', due: '2026-08-01T09:00:00Z' },
    ] as const;
    for (const [i, a] of appealRows.entries()) {
      await db.insert(appeals).values({
        reference: `FH-APPEAL-${i}`,
        caseId: a.caseId,
        status: a.status,
        receivedAt: at(a.received),
        dueAt: at('due' in a ? a.due : '2026-07-01T00:00:00Z'),
        outcome: 'outcome' in a ? a.outcome : null,
        decidedAt: 'decided' in a ? at(a.decided) : null,
        workingDaysToDecision: 'days' in a ? a.days : null,
        withdrawnAt: 'withdrawn' in a ? at(a.withdrawn) : null,
      });
    }
    const tally = (month: number, measure: string, category: string, days: number, n: number) => ({
      month,
      measure,
      category,
      days,
      n,
    });
    await db
      .insert(transparencyTallies)
      .values([
        tally(24316, 'case', 'x|public-report|1', -1, 2),
        tally(24316, 'case', 'facebook|own-monitoring|0', -1, 1),
        tally(24316, 'decided', 'upheld', 12, 1),
        tally(24316, 'decided', 'upheld', -1, 0),
        tally(24317, 'received', '', -1, 2),
        tally(24317, 'ground', 'a-b', -1, 1),
        tally(24317, 'ground', 'ab', -1, 1),
        tally(24317, 'ground', 'B', -1, 1),
        tally(24318, 'told', '', -1, 4),
      ]);
  }

  it('give the same rows from the same data', async () => {
    await same(fill);
    const cases = await same((db) => countCases(db, periods));
    expect(cases).toContainEqual({
      period: '2026-05',
      platform: 'x',
      detectedBy: 'public-report',
      automated: true,
      count: 1,
    });
    expect(cases).toHaveLength(5);
    expect(await same((db) => countCasesTold(db, periods))).toEqual([
      { period: '2026-05', count: 2 },
      { period: '2026-06', count: 1 },
    ]);
    expect(await same((db) => countCaseActions(db, periods))).toHaveLength(3);
    expect(await same((db) => countCaseGrounds(db, periods))).toHaveLength(3);
    expect(await same((db) => countAppealsReceived(db, periods))).toEqual([
      { period: '2026-05', count: 2 },
      { period: '2026-06', count: 3 },
    ]);
    expect(await same((db) => countAppealsWithdrawn(db, periods))).toEqual([{ period: '2026-06', count: 1 }]);
    expect(await same((db) => countDecisions(db, periods))).toEqual([
      { period: '2026-05', outcome: 'upheld', workingDays: 12, count: 1 },
      { period: '2026-06', outcome: 'overturned', workingDays: null, count: 1 },
      { period: '2026-06', outcome: 'upheld', workingDays: 10, count: 1 },
    ]);
    expect(await same((db) => countOpenPastDue(db, at('2026-07-01T00:00:00Z')))).toBe(1);
    expect(await same((db) => firstActivityAt(db))).toEqual(at('2026-04-20T09:00:00Z'));
    const tallies = await same((db) => readTallies(db, [24316, 24317]));
    // Byte order on both engines (B before a-b before ab), rows with n = 0 left out.
    expect(tallies.map((t) => `${t.month} ${t.measure} ${t.category} ${t.days} ${t.n}`)).toEqual([
      '24316 case facebook|own-monitoring|0 -1 1',
      '24316 case x|public-report|1 -1 2',
      '24316 decided upheld 12 1',
      '24317 ground B -1 1',
      '24317 ground a-b -1 1',
      '24317 ground ab -1 1',
      '24317 received  -1 2',
    ]);
  });
});

/** Waits until `check` holds, looking every 20 ms, for at most `ms`. */
async function eventually(check: () => boolean, ms: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

describe('the page cache tokens on PostgreSQL', () => {
  it('move after a commit here at once, after another process’s write within about a second', async () => {
    const { sqlite, postgres, url } = await both();
    const token = databaseChangeToken(postgres);
    const others = otherWritersToken(postgres);
    // The watcher the tokens read (the one of the handle; the loader given here is not used).
    const watcher = changeWatcher(postgres, () => Promise.resolve(null));
    await watcher.refresh();
    // The two drafts written below, on SQLite too, so both engines keep giving the same ids.
    for (const summary of ['Local', 'Remote'])
      await insertDraft(sqlite, { bodyMarkdown: summary, changeSummary: summary, grounds: [] });

    const before = token();
    await insertDraft(postgres, { bodyMarkdown: 'Here', changeSummary: 'Local', grounds: [] });
    expect(token()).not.toBe(before);

    // Another process: its own pool, its own handle.
    const other = await openPostgres(url, { poolSize: 1 });
    try {
      await watcher.refresh();
      await watcher.refresh();
      const quiet = token();
      const quietOthers = others();
      await insertDraft(other, { bodyMarkdown: 'There', changeSummary: 'Remote', grounds: [] });
      await eventually(() => token() !== quiet && others() !== quietOthers, 1_500);
    } finally {
      await endPool(poolOf(other));
    }
  });

  it('give a stamp that follows versions published here and elsewhere, as SQLite’s does', async () => {
    const { sqlite, postgres, url } = await both();
    const now = at('2026-07-01T00:00:00Z');
    const stamp = () => principlesStamp(postgres, now);
    await eventually(() => !stamp().stamp.startsWith('unsettled'), 1_500);
    expect(stamp()).toEqual(principlesStamp(sqlite, now));
    const before = stamp().stamp;

    // Published here, in a transaction: the next look (no wait) no longer gives the old stamp.
    const draft = await insertDraft(postgres, { bodyMarkdown: 'Next', changeSummary: 'Next', grounds: [] });
    const effectiveAt = at('2026-08-01T00:00:00Z');
    const values = { version: '1.2', major: 1, minor: 2, effectiveAt, publishedAt: now };
    expect(await transaction(postgres, (tx) => markDraftPublished(tx, draft, values))).toBe(true);
    expect(stamp().stamp).not.toBe(before);
    await eventually(() => !stamp().stamp.startsWith('unsettled'), 1_500);
    // The same version on SQLite gives the same stamp, and says when the scheduled one takes effect.
    const sqliteDraft = await insertDraft(sqlite, { bodyMarkdown: 'Next', changeSummary: 'Next', grounds: [] });
    await markDraftPublished(sqlite, sqliteDraft, values);
    expect(stamp()).toEqual(principlesStamp(sqlite, now));
    expect(stamp().nextChangeAt).toBe(effectiveAt.getTime());
    expect(principlesStamp(postgres, effectiveAt)).toEqual(principlesStamp(sqlite, effectiveAt));

    // Published by another process: seen by the poll within about a second.
    const settled = stamp().stamp;
    const other = await openPostgres(url, { poolSize: 1 });
    try {
      const remote = await insertDraft(other, { bodyMarkdown: 'Remote', changeSummary: 'Remote', grounds: [] });
      await markDraftPublished(other, remote, {
        ...values,
        version: '2.0',
        major: 2,
        minor: 0,
        effectiveAt: at('2026-09-01T00:00:00Z'),
      });
      await eventually(() => stamp().stamp !== settled, 1_500);
      expect(stamp().stamp).toMatch(/^4\|/);
    } finally {
      await endPool(poolOf(other));
    }
  });
});

describe('npm run backup on PostgreSQL', () => {
  it('writes a pg_dump archive, owner-only, that pg_restore --list reads', async () => {
    const { url } = await both();
    const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-pg-backup-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'backup.dump');
    const result = await backupPostgres(url, file);
    expect(result.tool).toMatch(/pg_dump$/);
    expect(result.tables).toBeGreaterThan(25);
    expect(existsSync(`${file}.partial`)).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const list = execFileSync(postgresProgram('pg_restore'), ['--list', file], { encoding: 'utf8' });
    expect(list).toMatch(/TABLE DATA public principle_versions/);
    // The password travels in the environment only.
    const env = libpqEnvironment(url);
    expect(env.PGPASSWORD).toBe(decodeURIComponent(new URL(url).password));
  });
});
