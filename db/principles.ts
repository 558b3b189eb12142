/**
 * Queries for principle versions and their grounds.
 */
import { and, asc, desc, eq, isNull, lte, or } from 'drizzle-orm';
import type { Db, DbOrTx } from './client.ts';
import { tablesOf } from './dialect/index.ts';
import { transaction } from './transactions.ts';
import { grounds, principleVersions } from './schema.ts';
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
  const [row] = await db
    .select()
    .from(principleVersions)
    .where(
      and(
        eq(principleVersions.status, 'published'),
        or(isNull(principleVersions.effectiveAt), lte(principleVersions.effectiveAt, at)),
      ),
    )
    // SQLite sorts null first ascending, so an unknown date comes last here: it is only in force before every dated one.
    .orderBy(desc(principleVersions.effectiveAt), desc(principleVersions.id))
    .limit(1);
  return row ? toVersion(db, row) : undefined;
}

/** A published version by its number ("1.0"). Drafts are never returned. */
export async function findPublishedVersion(db: DbOrTx, version: string): Promise<VersionRow | undefined> {
  const [row] = await db
    .select()
    .from(principleVersions)
    .where(and(eq(principleVersions.status, 'published'), eq(principleVersions.version, version)))
    .limit(1);
  return row ? toVersion(db, row) : undefined;
}

/** Every published version, scheduled ones included, highest number first. */
export async function listPublishedVersions(db: DbOrTx): Promise<VersionRow[]> {
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
  if (list.length === 0) return;
  await tx
    .insert(grounds)
    .values(
      list.map((g, position) => ({ versionId, position, code: g.code, title: g.title, description: g.description })),
    );
}

/** Inserts a draft with its grounds; returns its id. */
export async function insertDraft(db: DbOrTx, content: DraftContent): Promise<number> {
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
  const updated = await db
    .update(principleVersions)
    .set({ status: 'published', ...values })
    .where(and(eq(principleVersions.id, id), eq(principleVersions.status, 'draft')))
    .returning({ id: principleVersions.id });
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

/**
 * A cheap token that changes whenever the database may have changed: this connection's total
 * changes plus SQLite's data_version (which moves when another connection, e.g. a separate
 * `npm run worker` process, commits). One prepared statement; used by the page cache
 * (src/server/page-cache.ts) to know when to look at `principlesStamp` again.
 */
export function databaseChangeToken(db: Db): () => string {
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
 * (src/lib/transparency/report.ts) use it to notice everybody else's.
 */
export function otherWritersToken(db: Db): () => number {
  const statement = db.$client.prepare('select data_version as v from pragma_data_version');
  return () => (statement.get() as { v: number }).v;
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
         (select id from principle_versions where status = 'published' and (effective_at is null or effective_at <= ?)
           order by effective_at desc, id desc limit 1) as inForce,
         (select min(effective_at) from principle_versions where status = 'published' and effective_at > ?) as next
       from principle_versions where status = 'published'`,
    )
    .get(ms, ms) as { n: number; p: number | null; inForce: number | null; next: number | null };
  return { stamp: `${row.n}|${row.p ?? ''}|${row.inForce ?? ''}`, nextChangeAt: row.next };
}
