/** Queries for reply templates (db/schema/sqlite/reply-templates.ts). */
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { replyTemplates, type ReplyTemplateRow } from './schema.ts';

export type { ReplyTemplateRow };
export type TemplateFields = Pick<ReplyTemplateRow, 'name' | 'outcome' | 'groundCode' | 'body'>;

/** Every template (active first, then retired), by outcome and name. */
export function listTemplates(db: DbOrTx, options: { activeOnly?: boolean } = {}): ReplyTemplateRow[] {
  return db
    .select()
    .from(replyTemplates)
    .where(options.activeOnly ? isNull(replyTemplates.retiredAt) : undefined)
    .orderBy(
      asc(replyTemplates.retiredAt),
      asc(replyTemplates.outcome),
      asc(replyTemplates.name),
      asc(replyTemplates.id),
    )
    .all();
}

export function findTemplate(db: DbOrTx, id: number): ReplyTemplateRow | undefined {
  return db.select().from(replyTemplates).where(eq(replyTemplates.id, id)).get();
}

export function insertTemplate(tx: DbOrTx, fields: TemplateFields, by: number, at: Date): ReplyTemplateRow {
  return tx
    .insert(replyTemplates)
    .values({ ...fields, createdBy: by, updatedBy: by, updatedAt: at, createdAt: at })
    .returning()
    .get();
}

/** Changes an active template; undefined if it does not exist or is retired. */
export function updateTemplate(
  tx: DbOrTx,
  id: number,
  fields: TemplateFields,
  by: number,
  at: Date,
): ReplyTemplateRow | undefined {
  return tx
    .update(replyTemplates)
    .set({ ...fields, updatedBy: by, updatedAt: at })
    .where(and(eq(replyTemplates.id, id), isNull(replyTemplates.retiredAt)))
    .returning()
    .get();
}

/** Retires an active template; undefined if it does not exist or is already retired. */
export function retireTemplate(tx: DbOrTx, id: number, by: number, at: Date): ReplyTemplateRow | undefined {
  return tx
    .update(replyTemplates)
    .set({ retiredAt: at, updatedBy: by, updatedAt: at })
    .where(and(eq(replyTemplates.id, id), isNull(replyTemplates.retiredAt)))
    .returning()
    .get();
}
