/**
 * Queries for principle versions and their grounds.
 */
import { and, asc, desc, eq, lte } from 'drizzle-orm';
import type { Db } from './client.ts';
import { grounds, principleVersions } from './schema.ts';
import { principlesV1 } from './seed/principles-1.0.ts';

export interface GroundRow {
  code: string;
  title: string;
  description: string;
  position: number;
}

export interface VersionRow {
  id: number;
  version: string;
  bodyMarkdown: string;
  changeSummary: string;
  effectiveAt: Date;
  publishedAt: Date | null;
  grounds: GroundRow[];
}

function groundsOf(db: Db, versionId: number): GroundRow[] {
  return db
    .select({ code: grounds.code, title: grounds.title, description: grounds.description, position: grounds.position })
    .from(grounds)
    .where(eq(grounds.versionId, versionId))
    .orderBy(asc(grounds.position))
    .all();
}

type PublishedRow = typeof principleVersions.$inferSelect;

function toVersion(db: Db, row: PublishedRow): VersionRow {
  return {
    id: row.id,
    version: row.version!,
    bodyMarkdown: row.bodyMarkdown,
    changeSummary: row.changeSummary,
    effectiveAt: row.effectiveAt!,
    publishedAt: row.publishedAt,
    grounds: groundsOf(db, row.id),
  };
}

/** The published version in force at `at`: the latest effective one not after it. */
export function findVersionInForce(db: Db, at: Date): VersionRow | undefined {
  const row = db
    .select()
    .from(principleVersions)
    .where(and(eq(principleVersions.status, 'published'), lte(principleVersions.effectiveAt, at)))
    .orderBy(desc(principleVersions.effectiveAt), desc(principleVersions.id))
    .limit(1)
    .get();
  return row ? toVersion(db, row) : undefined;
}

/** A published version by its number ("1.0"). Drafts are never returned. */
export function findPublishedVersion(db: Db, version: string): VersionRow | undefined {
  const row = db
    .select()
    .from(principleVersions)
    .where(and(eq(principleVersions.status, 'published'), eq(principleVersions.version, version)))
    .get();
  return row ? toVersion(db, row) : undefined;
}

/** Inserts version 1.0 from the seed when no version exists yet. Idempotent. */
export function seedPrinciples(db: Db, now = new Date()): void {
  db.transaction((tx) => {
    const existing = tx.select({ id: principleVersions.id }).from(principleVersions).limit(1).get();
    if (existing) return;
    const inserted = tx
      .insert(principleVersions)
      .values({
        version: principlesV1.version,
        major: principlesV1.major,
        minor: principlesV1.minor,
        status: 'published',
        bodyMarkdown: principlesV1.bodyMarkdown,
        changeSummary: principlesV1.changeSummary,
        effectiveAt: principlesV1.effectiveAt,
        publishedAt: now,
      })
      .returning({ id: principleVersions.id })
      .get();
    tx.insert(grounds)
      .values(principlesV1.grounds.map((g, position) => ({ versionId: inserted.id, position, ...g })))
      .run();
  });
}

/**
 * A cheap token that changes whenever the database may have changed: this connection's total
 * changes plus SQLite's data_version (which moves when another connection, e.g. a separate
 * `npm run worker` process, commits). One prepared statement; used by the page cache
 * (src/server/page-cache.ts) to know when to look at `principlesStamp` again.
 */
export function databaseChangeToken(db: Db): () => string {
  const statement = db.$client.prepare('select total_changes() as t, (select data_version from pragma_data_version) as v');
  return () => {
    const row = statement.get() as { t: number; v: number };
    return `${row.t}.${row.v}`;
  };
}

/**
 * What public pages about the principles depend on, as one string: the published versions (how
 * many, the latest publish time) and the version in force at `at`. `nextChangeAt` is when a
 * scheduled version takes effect by itself (ms), so a cache knows to look again then.
 */
export function principlesStamp(db: Db, at: Date): { stamp: string; nextChangeAt: number | null } {
  const ms = at.getTime();
  const row = db.$client
    .prepare(
      `select count(*) as n, max(published_at) as p,
         (select id from principle_versions where status = 'published' and effective_at <= ?
           order by effective_at desc, id desc limit 1) as inForce,
         (select min(effective_at) from principle_versions where status = 'published' and effective_at > ?) as next
       from principle_versions where status = 'published'`,
    )
    .get(ms, ms) as { n: number; p: number | null; inForce: number | null; next: number | null };
  return { stamp: `${row.n}|${row.p ?? ''}|${row.inForce ?? ''}`, nextChangeAt: row.next };
}
