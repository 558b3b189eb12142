/** Queries for reply templates (db/schema/sqlite/reply-templates.ts). */
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { tablesOf } from './dialect/index.ts';
import { byCodePoint } from './dialect/text.ts';
import type { ReplyTemplateRow } from './schema.ts';

export type { ReplyTemplateRow };
export type TemplateFields = Pick<ReplyTemplateRow, 'name' | 'outcome' | 'groundCode' | 'body'>;

/** Every template (active first, then retired), by outcome and name. */
export async function listTemplates(db: DbOrTx, options: { activeOnly?: boolean } = {}): Promise<ReplyTemplateRow[]> {
  const { replyTemplates } = tablesOf(db);
  return await db
    .select()
    .from(replyTemplates)
    .where(options.activeOnly ? isNull(replyTemplates.retiredAt) : undefined)
    .orderBy(
      // Active (not retired) first: SQLite puts nulls first in ascending order, PostgreSQL last.
      sql`${replyTemplates.retiredAt} asc nulls first`,
      asc(replyTemplates.outcome),
      asc(byCodePoint(db, replyTemplates.name)),
      asc(replyTemplates.id),
    );
}

export async function findTemplate(db: DbOrTx, id: number): Promise<ReplyTemplateRow | undefined> {
  const { replyTemplates } = tablesOf(db);
  const [row] = await db.select().from(replyTemplates).where(eq(replyTemplates.id, id)).limit(1);
  return row;
}

export async function insertTemplate(
  tx: DbOrTx,
  fields: TemplateFields,
  by: number,
  at: Date,
): Promise<ReplyTemplateRow> {
  const { replyTemplates } = tablesOf(tx);
  const [row] = await tx
    .insert(replyTemplates)
    .values({ ...fields, createdBy: by, updatedBy: by, updatedAt: at, createdAt: at })
    .returning();
  return row!;
}

/** Changes an active template; undefined if it does not exist or is retired. */
export async function updateTemplate(
  tx: DbOrTx,
  id: number,
  fields: TemplateFields,
  by: number,
  at: Date,
): Promise<ReplyTemplateRow | undefined> {
  const { replyTemplates } = tablesOf(tx);
  const [row] = await tx
    .update(replyTemplates)
    .set({ ...fields, updatedBy: by, updatedAt: at })
    .where(and(eq(replyTemplates.id, id), isNull(replyTemplates.retiredAt)))
    .returning();
  return row;
}

/** Retires an active template; undefined if it does not exist or is already retired. */
export async function retireTemplate(
  tx: DbOrTx,
  id: number,
  by: number,
  at: Date,
): Promise<ReplyTemplateRow | undefined> {
  const { replyTemplates } = tablesOf(tx);
  const [row] = await tx
    .update(replyTemplates)
    .set({ retiredAt: at, updatedBy: by, updatedAt: at })
    .where(and(eq(replyTemplates.id, id), isNull(replyTemplates.retiredAt)))
    .returning();
  return row;
}
