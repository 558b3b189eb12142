/**
 * Reply templates: admins keep a starting text for the reasons of a decision, per outcome and
 * optionally per ground, with placeholders and a `###` must-edit marker (src/lib/review/reply-templates.ts).
 * Retired templates stay (the appeal history names the template a decision started from).
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt, timestamp } from './columns.ts';
import { OUTCOMES } from './cases.ts';

export const replyTemplates = sqliteTable(
  'reply_templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    outcome: text('outcome', { enum: OUTCOMES }).notNull(),
    /** A ground code of the principles, or null for any ground. */
    groundCode: text('ground_code'),
    body: text('body').notNull(),
    createdBy: integer('created_by').notNull(),
    updatedBy: integer('updated_by').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
    retiredAt: timestamp('retired_at'),
    createdAt: createdAt(),
  },
  (t) => [index('reply_templates_active').on(t.retiredAt, t.outcome)],
);

export type ReplyTemplateRow = typeof replyTemplates.$inferSelect;
