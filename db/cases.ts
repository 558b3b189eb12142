/**
 * Queries for moderation cases.
 */
import { and, desc, eq, gte, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { tablesOf } from './dialect/index.ts';
import { escapeLike, likeIgnoringCase } from './dialect/text.ts';
import type { CASE_ACTIONS, cases, DETECTION, PLATFORMS } from './schema.ts';

export type Platform = (typeof PLATFORMS)[number];
export type CaseAction = (typeof CASE_ACTIONS)[number];
export type Detection = (typeof DETECTION)[number];

export interface NewCase {
  reference: string;
  platform: Platform;
  accountHandle: string;
  postUrl: string;
  excerpt: string | null;
  statementOfReasons: string;
  principleVersionId: number;
  actionAt: Date;
  detectedBy: Detection;
  automated: boolean;
  recordedBy: number;
  actions: CaseAction[];
  groundCodes: string[];
}

/** Inserts a case with its actions and grounds; returns its id. Call inside a transaction. */
export async function insertCase(tx: DbOrTx, c: NewCase): Promise<number> {
  const { caseActions, caseGrounds, cases } = tablesOf(tx);
  const { actions, groundCodes, ...row } = c;
  const [inserted] = await tx.insert(cases).values(row).returning({ id: cases.id });
  const id = inserted!.id;
  await tx.insert(caseActions).values(actions.map((action) => ({ caseId: id, action })));
  await tx.insert(caseGrounds).values(groundCodes.map((groundCode) => ({ caseId: id, groundCode })));
  return id;
}

export async function referenceExists(db: DbOrTx, reference: string): Promise<boolean> {
  const { cases } = tablesOf(db);
  const [row] = await db.select({ id: cases.id }).from(cases).where(eq(cases.reference, reference)).limit(1);
  return row !== undefined;
}

export interface CaseRecord {
  id: number;
  reference: string;
  platform: Platform;
  accountHandle: string | null;
  postUrl: string | null;
  excerpt: string | null;
  statementOfReasons: string | null;
  actionAt: Date;
  detectedBy: Detection;
  automated: boolean;
  recordedBy: number;
  closedAt: Date | null;
  purgedAt: Date | null;
  createdAt: Date;
  /** When the person was told and how; or why they could not be (null until recorded). */
  noticeSentAt: Date | null;
  noticeMethod: NoticeMethod | null;
  noticeNotSentReason: string | null;
  noticeRecordedAt: Date | null;
  noticeRecordedBy: number | null;
  version: string;
  actions: CaseAction[];
  grounds: { code: string; title: string; description: string }[];
}

async function loadDetails(db: DbOrTx, row: typeof cases.$inferSelect): Promise<CaseRecord> {
  const { caseActions, caseGrounds, grounds, principleVersions } = tablesOf(db);
  const [version] = await db
    .select({ version: principleVersions.version })
    .from(principleVersions)
    .where(eq(principleVersions.id, row.principleVersionId))
    .limit(1);
  const actions = (
    await db
      .select({ action: caseActions.action })
      .from(caseActions)
      .where(eq(caseActions.caseId, row.id))
      // The primary key's order, which SQLite reads them in anyway; PostgreSQL needs telling.
      .orderBy(caseActions.action)
  ).map((a) => a.action);
  const codes = (
    await db.select({ code: caseGrounds.groundCode }).from(caseGrounds).where(eq(caseGrounds.caseId, row.id))
  ).map((g) => g.code);
  const groundRows = codes.length
    ? await db
        .select({
          code: grounds.code,
          title: grounds.title,
          description: grounds.description,
          position: grounds.position,
        })
        .from(grounds)
        .where(and(eq(grounds.versionId, row.principleVersionId), inArray(grounds.code, codes)))
        .orderBy(grounds.position)
    : [];
  return {
    id: row.id,
    reference: row.reference,
    platform: row.platform,
    accountHandle: row.accountHandle,
    postUrl: row.postUrl,
    excerpt: row.excerpt,
    statementOfReasons: row.statementOfReasons,
    actionAt: row.actionAt,
    detectedBy: row.detectedBy,
    automated: row.automated,
    recordedBy: row.recordedBy,
    closedAt: row.closedAt,
    purgedAt: row.purgedAt,
    createdAt: row.createdAt,
    noticeSentAt: row.noticeSentAt,
    noticeMethod: row.noticeMethod,
    noticeNotSentReason: row.noticeNotSentReason,
    noticeRecordedAt: row.noticeRecordedAt,
    noticeRecordedBy: row.noticeRecordedBy,
    version: version?.version ?? '',
    actions,
    grounds: groundRows.map(({ code, title, description }) => ({ code, title, description })),
  };
}

export type NoticeMethod = NonNullable<(typeof cases.$inferSelect)['noticeMethod']>;

/** Records whether the person was told: sent (when, how) or not sent (why); replaces an earlier record. */
export async function setCaseNotice(
  tx: DbOrTx,
  id: number,
  notice:
    | { sentAt: Date; method: NoticeMethod; notSentReason?: undefined }
    | { sentAt?: undefined; method?: undefined; notSentReason: string },
  recorded: { at: Date; by: number },
): Promise<boolean> {
  const { cases } = tablesOf(tx);
  const changed = await tx
    .update(cases)
    .set({
      noticeSentAt: notice.sentAt ?? null,
      noticeMethod: notice.method ?? null,
      noticeNotSentReason: notice.notSentReason ?? null,
      noticeRecordedAt: recorded.at,
      noticeRecordedBy: recorded.by,
    })
    .where(eq(cases.id, id))
    .returning({ id: cases.id });
  return changed.length > 0;
}

export async function findCaseById(db: DbOrTx, id: number): Promise<CaseRecord | undefined> {
  const { cases } = tablesOf(db);
  const [row] = await db.select().from(cases).where(eq(cases.id, id)).limit(1);
  return row && (await loadDetails(db, row));
}

export async function findCaseByReference(db: DbOrTx, reference: string): Promise<CaseRecord | undefined> {
  const { cases } = tablesOf(db);
  const [row] = await db.select().from(cases).where(eq(cases.reference, reference)).limit(1);
  return row && (await loadDetails(db, row));
}

export interface CaseSearch {
  /** Part of a reference or handle. */
  text?: string | undefined;
  platform?: Platform | undefined;
  action?: CaseAction | undefined;
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
  limit: number;
  offset: number;
}

export interface CaseListItem {
  id: number;
  reference: string;
  platform: Platform;
  accountHandle: string | null;
  actionAt: Date;
  openAppeals: number;
}

/** Cases newest first, filtered; uses the action_at, platform and handle indexes. */
export async function searchCases(db: DbOrTx, q: CaseSearch): Promise<{ items: CaseListItem[]; total: number }> {
  const { appeals, caseActions, cases } = tablesOf(db);
  const conditions = [];
  if (q.text) {
    const pattern = `%${escapeLike(q.text)}%`;
    conditions.push(
      sql`(${likeIgnoringCase(db, cases.reference, pattern)} or ${likeIgnoringCase(db, cases.accountHandle, pattern)})`,
    );
  }
  if (q.platform) conditions.push(eq(cases.platform, q.platform));
  if (q.from) conditions.push(gte(cases.actionAt, q.from));
  if (q.to) conditions.push(lt(cases.actionAt, q.to));
  if (q.action) {
    conditions.push(
      inArray(
        cases.id,
        db.select({ id: caseActions.caseId }).from(caseActions).where(eq(caseActions.action, q.action)),
      ),
    );
  }
  const where = conditions.length ? and(...conditions) : undefined;
  const [counted] = await db
    .select({ n: sql<number>`count(*)` })
    .from(cases)
    .where(where);
  const total = counted?.n ?? 0;
  const items = await db
    .select({
      id: cases.id,
      reference: cases.reference,
      platform: cases.platform,
      accountHandle: cases.accountHandle,
      actionAt: cases.actionAt,
      // The condition as one nested fragment: drizzle writes the bare columns of a one-table select's
      // fields unqualified, and "case_id" = "id" would then compare two columns of appeals.
      openAppeals: sql<number>`(select count(*) from ${appeals} where ${and(eq(appeals.caseId, cases.id), notInArray(appeals.status, ['decided', 'withdrawn']))})`,
    })
    .from(cases)
    .where(where)
    .orderBy(desc(cases.actionAt), desc(cases.id))
    .limit(q.limit)
    .offset(q.offset);
  return { items, total };
}

export interface CaseAppeal {
  id: number;
  reference: string;
  status: string;
  receivedAt: Date;
  dueAt: Date;
  outcome: string | null;
}

/** Appeals made on a case, newest first. */
export async function appealsForCase(db: DbOrTx, caseId: number): Promise<CaseAppeal[]> {
  const { appeals } = tablesOf(db);
  return await db
    .select({
      id: appeals.id,
      reference: appeals.reference,
      status: appeals.status,
      receivedAt: appeals.receivedAt,
      dueAt: appeals.dueAt,
      outcome: appeals.outcome,
    })
    .from(appeals)
    .where(eq(appeals.caseId, caseId))
    .orderBy(desc(appeals.receivedAt));
}
