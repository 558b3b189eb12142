/**
 * db/principles.ts (but seedPrinciples) and the page cache's change tokens
 * (db/dialect/change-token.ts) on a real PostgreSQL server. The same writes go
 * to a fresh SQLite file and a fresh PostgreSQL database, and the queries must give the same rows
 * on both. Needs TEST_DATABASE_URL (tests/support/postgres.ts): the file fails, and says how to
 * set it, when it is missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, openDatabase, type Db } from '../../db/client.ts';
import { changeWatcher, stopChangeWatcher } from '../../db/dialect/change-token.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { openPostgres, poolOf } from '../../db/postgres.ts';
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
import { onCleanup } from '../support/cleanup.ts';
import { migratedPostgresDatabase } from '../support/postgres.ts';

interface Engines {
  sqlite: Db;
  postgres: Db;
  url: string;
}

/** Both databases for the file, made by the first test that asks (so each test fails with the reason). */
let engines: Promise<Engines> | undefined;
const both = () => (engines ??= open());

async function open(): Promise<Engines> {
  const { url } = await migratedPostgresDatabase();
  const postgres = await openPostgres(url, { poolSize: 4 });
  // Clean-ups run newest first: the watcher stops, then the pool ends, then the database is dropped.
  onCleanup(() => poolOf(postgres).end());
  onCleanup(() => stopChangeWatcher(postgres));
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
      await poolOf(other).end();
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
      await poolOf(other).end();
    }
  });
});
