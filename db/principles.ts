/**
 * Queries for principle versions and their grounds.
 */
import { and, asc, desc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from './client.ts';
import { changeWatcher, principlesChanged } from './dialect/change-token.ts';
import { isPostgres, tablesOf } from './dialect/index.ts';
import { transaction } from './transactions.ts';
import type { principleVersions } from './schema.ts';
import { principlesV1, principlesV1_1, type SeedLinks } from './seed/principles-1.0.ts';

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
  /**
   * When it took effect; null when that is not known (version 1.0, the trust's page from before
   * this service): such a version counts as in force from the beginning of time until the next.
   */
  effectiveAt: Date | null;
  publishedAt: Date | null;
  grounds: GroundRow[];
}

async function groundsOf(db: DbOrTx, versionId: number): Promise<GroundRow[]> {
  const { grounds } = tablesOf(db);
  return db
    .select({ code: grounds.code, title: grounds.title, description: grounds.description, position: grounds.position })
    .from(grounds)
    .where(eq(grounds.versionId, versionId))
    .orderBy(asc(grounds.position));
}

type PublishedRow = typeof principleVersions.$inferSelect;

async function toVersion(db: DbOrTx, row: PublishedRow): Promise<VersionRow> {
  return {
    id: row.id,
    version: row.version!,
    bodyMarkdown: row.bodyMarkdown,
    changeSummary: row.changeSummary,
    effectiveAt: row.effectiveAt,
    publishedAt: row.publishedAt,
    grounds: await groundsOf(db, row.id),
  };
}

/** The published version in force at `at`: the latest effective one not after it. */
export async function findVersionInForce(db: DbOrTx, at: Date): Promise<VersionRow | undefined> {
  const { principleVersions } = tablesOf(db);
  const [row] = await db
    .select()
    .from(principleVersions)
    .where(
      and(
        eq(principleVersions.status, 'published'),
        or(isNull(principleVersions.effectiveAt), lte(principleVersions.effectiveAt, at)),
      ),
    )
    // An unknown date comes last (said outright: PostgreSQL sorts nulls first descending, SQLite
    // last): such a version is only in force before every dated one.
    .orderBy(sql`${principleVersions.effectiveAt} desc nulls last`, desc(principleVersions.id))
    .limit(1);
  return row ? toVersion(db, row) : undefined;
}

/** A published version by its number ("1.0"). Drafts are never returned. */
export async function findPublishedVersion(db: DbOrTx, version: string): Promise<VersionRow | undefined> {
  const { principleVersions } = tablesOf(db);
  const [row] = await db
    .select()
    .from(principleVersions)
    .where(and(eq(principleVersions.status, 'published'), eq(principleVersions.version, version)))
    .limit(1);
  return row ? toVersion(db, row) : undefined;
}

/** Every published version, scheduled ones included, highest number first. */
export async function listPublishedVersions(db: DbOrTx): Promise<VersionRow[]> {
  const { principleVersions } = tablesOf(db);
  const rows = await db
    .select()
    .from(principleVersions)
    .where(eq(principleVersions.status, 'published'))
    .orderBy(desc(principleVersions.major), desc(principleVersions.minor));
  const versions: VersionRow[] = [];
  for (const row of rows) versions.push(await toVersion(db, row));
  return versions;
}

/** Every ground code that has appeared in any published version. */
export async function listPublishedGroundCodes(db: DbOrTx): Promise<Set<string>> {
  const { grounds, principleVersions } = tablesOf(db);
  const rows = await db
    .selectDistinct({ code: grounds.code })
    .from(grounds)
    .innerJoin(principleVersions, eq(grounds.versionId, principleVersions.id))
    .where(eq(principleVersions.status, 'published'));
  return new Set(rows.map((r) => r.code));
}

export interface DraftRow {
  id: number;
  bodyMarkdown: string;
  changeSummary: string;
  createdAt: Date;
  grounds: GroundRow[];
}

export interface DraftContent {
  bodyMarkdown: string;
  changeSummary: string;
  grounds: { code: string; title: string; description: string }[];
}

/** A draft by id; published versions are never returned. */
export async function findDraft(db: DbOrTx, id: number): Promise<DraftRow | undefined> {
  const { principleVersions } = tablesOf(db);
  const [row] = await db
    .select()
    .from(principleVersions)
    .where(and(eq(principleVersions.id, id), eq(principleVersions.status, 'draft')))
    .limit(1);
  if (!row) return undefined;
  return {
    id: row.id,
    bodyMarkdown: row.bodyMarkdown,
    changeSummary: row.changeSummary,
    createdAt: row.createdAt,
    grounds: await groundsOf(db, row.id),
  };
}

/** Every draft, newest first. */
export async function listDrafts(db: DbOrTx): Promise<DraftRow[]> {
  const { principleVersions } = tablesOf(db);
  const rows = await db
    .select({ id: principleVersions.id })
    .from(principleVersions)
    .where(eq(principleVersions.status, 'draft'))
    .orderBy(desc(principleVersions.id));
  const drafts: DraftRow[] = [];
  for (const r of rows) drafts.push((await findDraft(db, r.id))!);
  return drafts;
}

/** Writes a draft's grounds in their order. */
async function insertGrounds(tx: DbOrTx, versionId: number, list: DraftContent['grounds']): Promise<void> {
  const { grounds } = tablesOf(tx);
  if (list.length === 0) return;
  await tx
    .insert(grounds)
    .values(
      list.map((g, position) => ({ versionId, position, code: g.code, title: g.title, description: g.description })),
    );
}

/** Inserts a draft with its grounds; returns its id. */
export async function insertDraft(db: DbOrTx, content: DraftContent): Promise<number> {
  const { principleVersions } = tablesOf(db);
  return transaction(db, async (tx) => {
    const [inserted] = await tx
      .insert(principleVersions)
      .values({ status: 'draft', bodyMarkdown: content.bodyMarkdown, changeSummary: content.changeSummary })
      .returning({ id: principleVersions.id });
    const id = inserted!.id;
    await insertGrounds(tx, id, content.grounds);
    return id;
  });
}

/** Replaces a draft's content. False when `id` is not a draft (published versions never change). */
export async function replaceDraft(db: DbOrTx, id: number, content: DraftContent): Promise<boolean> {
  const { grounds, principleVersions } = tablesOf(db);
  return transaction(db, async (tx) => {
    const updated = await tx
      .update(principleVersions)
      .set({ bodyMarkdown: content.bodyMarkdown, changeSummary: content.changeSummary })
      .where(and(eq(principleVersions.id, id), eq(principleVersions.status, 'draft')))
      .returning({ id: principleVersions.id });
    if (updated.length !== 1) return false;
    await tx.delete(grounds).where(eq(grounds.versionId, id));
    await insertGrounds(tx, id, content.grounds);
    return true;
  });
}

/** Deletes a draft and its grounds. False when `id` is not a draft. */
export async function deleteDraft(db: DbOrTx, id: number): Promise<boolean> {
  const { grounds, principleVersions } = tablesOf(db);
  return transaction(db, async (tx) => {
    const [draft] = await tx
      .select({ id: principleVersions.id })
      .from(principleVersions)
      .where(and(eq(principleVersions.id, id), eq(principleVersions.status, 'draft')))
      .limit(1);
    if (!draft) return false;
    await tx.delete(grounds).where(eq(grounds.versionId, id));
    await tx.delete(principleVersions).where(eq(principleVersions.id, id));
    return true;
  });
}

/** Turns a draft into a published version. False when `id` is not (or no longer) a draft. */
export async function markDraftPublished(
  db: DbOrTx,
  id: number,
  values: { version: string; major: number; minor: number; effectiveAt: Date; publishedAt: Date },
): Promise<boolean> {
  const { principleVersions } = tablesOf(db);
  const updated = await db
    .update(principleVersions)
    .set({ status: 'published', ...values })
    .where(and(eq(principleVersions.id, id), eq(principleVersions.status, 'draft')))
    .returning({ id: principleVersions.id });
  // On PostgreSQL the page cache's stamp is read from memory: it must not be trusted again until
  // read afresh after this commit (db/dialect/change-token.ts).
  if (updated.length === 1) principlesChanged(db);
  return updated.length === 1;
}

/**
 * Inserts versions 1.0 (the trust's page as published, date not known) and 1.1 (the change that
 * introduces this service, in force from `now`, the first start) when no version exists yet.
 * Idempotent; createRuntime (src/lib/runtime.ts) runs it once at start-up.
 */
export async function seedPrinciples(db: DbOrTx, now: Date, links: SeedLinks): Promise<void> {
  await transaction(db, async (tx) => {
    const { grounds, principleVersions } = tablesOf(tx);
    const [existing] = await tx.select({ id: principleVersions.id }).from(principleVersions).limit(1);
    if (existing) return;
    for (const [seed, effectiveAt] of [
      [principlesV1(links), null],
      [principlesV1_1(links), now],
    ] as const) {
      const [inserted] = await tx
        .insert(principleVersions)
        .values({
          version: seed.version,
          major: seed.major,
          minor: seed.minor,
          status: 'published',
          bodyMarkdown: seed.bodyMarkdown,
          changeSummary: seed.changeSummary,
          effectiveAt,
          publishedAt: now,
        })
        .returning({ id: principleVersions.id });
      await tx.insert(grounds).values(
        seed.grounds.map((g, position) => ({
          versionId: inserted!.id,
          position,
          code: g.code,
          title: g.title,
          description: g.description,
        })),
      );
    }
  });
}

/** A published version's id and times (ms), what the page cache's stamp is made of. */
interface PublishedTimes {
  id: number;
  effectiveAt: number | null;
  publishedAt: number | null;
}

/** PostgreSQL: the handle's change watcher (db/dialect/change-token.ts), keeping the published versions' times. */
function watcherOf(db: Db) {
  return changeWatcher(db, async (handle): Promise<PublishedTimes[]> => {
    const { principleVersions } = tablesOf(handle);
    const rows = await handle
      .select({
        id: principleVersions.id,
        effectiveAt: principleVersions.effectiveAt,
        publishedAt: principleVersions.publishedAt,
      })
      .from(principleVersions)
      .where(eq(principleVersions.status, 'published'))
      .orderBy(asc(principleVersions.id));
    return rows.map((r) => ({
      id: r.id,
      effectiveAt: r.effectiveAt?.getTime() ?? null,
      publishedAt: r.publishedAt?.getTime() ?? null,
    }));
  });
}

/**
 * A cheap token that changes whenever the database may have changed: this connection's total
 * changes plus SQLite's data_version (which moves when another connection, e.g. a separate
 * `npm run worker` process, commits). One prepared statement; used by the page cache
 * (src/server/page-cache.ts) to know when to look at `principlesStamp` again. On PostgreSQL a
 * counter in memory, moved by this handle's commits and a poll of the WAL position each second.
 */
export function databaseChangeToken(db: Db): () => string {
  if (isPostgres(db)) {
    const watcher = watcherOf(db);
    return () => watcher.token();
  }
  const statement = db.$client.prepare(
    'select total_changes() as t, (select data_version from pragma_data_version) as v',
  );
  return () => {
    const row = statement.get() as { t: number; v: number };
    return `${row.t}.${row.v}`;
  };
}

/**
 * SQLite's data_version for this connection: it moves only when another connection (another
 * process, e.g. `npm run worker` or a script, or another instance) commits, never for this
 * connection's own writes. Caches that are invalidated explicitly by this process's own writes
 * (src/lib/transparency/report.ts) use it to notice everybody else's. On PostgreSQL it moves
 * (within about a second) whenever the cluster's WAL moved, this process's writes included:
 * PostgreSQL cannot tell whose they were, and moving too often only costs a recount.
 */
export function otherWritersToken(db: Db): () => number {
  if (isPostgres(db)) {
    const watcher = watcherOf(db);
    return () => watcher.walMoves();
  }
  const statement = db.$client.prepare('select data_version as v from pragma_data_version');
  return () => (statement.get() as { v: number }).v;
}

/**
 * What public pages about the principles depend on, as one string: the published versions (how
 * many, the latest publish time) and the version in force at `at`. `nextChangeAt` is when a
 * scheduled version takes effect by itself (ms), so a cache knows to look again then.
 *
 * On PostgreSQL it is worked out from the watcher's snapshot of the published versions; until
 * that has been read (at start, and after a version published here until it is read again) the
 * stamp is one that matches nothing before it, so the cache is emptied rather than trusted.
 */
export function principlesStamp(db: Db, at: Date): { stamp: string; nextChangeAt: number | null } {
  const ms = at.getTime();
  if (isPostgres(db)) {
    const watcher = watcherOf(db);
    const versions = watcher.snapshot();
    return versions ? stampOf(versions, ms) : { stamp: `unsettled:${watcher.token()}`, nextChangeAt: null };
  }
  const row = db.$client
    .prepare(
      `select count(*) as n, max(published_at) as p,
         (select id from principle_versions where status = 'published' and (effective_at is null or effective_at <= ?)
           order by effective_at desc, id desc limit 1) as inForce,
         (select min(effective_at) from principle_versions where status = 'published' and effective_at > ?) as next
       from principle_versions where status = 'published'`,
    )
    .get(ms, ms) as { n: number; p: number | null; inForce: number | null; next: number | null };
  return { stamp: `${row.n}|${row.p ?? ''}|${row.inForce ?? ''}`, nextChangeAt: row.next };
}

/** SQLite's stamp query above, over the published versions' times (the same string for the same rows). */
function stampOf(versions: readonly PublishedTimes[], ms: number): { stamp: string; nextChangeAt: number | null } {
  let latestPublished: number | null = null;
  let inForce: PublishedTimes | undefined;
  let next: number | null = null;
  for (const v of versions) {
    if (v.publishedAt !== null && (latestPublished === null || v.publishedAt > latestPublished))
      latestPublished = v.publishedAt;
    if (v.effectiveAt !== null && v.effectiveAt > ms) {
      if (next === null || v.effectiveAt < next) next = v.effectiveAt;
    } else if (!inForce || laterInForce(v, inForce)) inForce = v;
  }
  return { stamp: `${versions.length}|${latestPublished ?? ''}|${inForce?.id ?? ''}`, nextChangeAt: next };
}

/** `effective_at desc, id desc` with SQLite's nulls last: a dated version wins over an undated one. */
function laterInForce(a: PublishedTimes, b: PublishedTimes): boolean {
  if (a.effectiveAt !== b.effectiveAt) {
    if (a.effectiveAt === null) return false;
    if (b.effectiveAt === null) return true;
    return a.effectiveAt > b.effectiveAt;
  }
  return a.id > b.id;
}
