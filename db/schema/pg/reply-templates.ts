/**
 * PostgreSQL twin of db/schema/sqlite/reply-templates.ts (the column comments live there).
 */
import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { OUTCOMES } from '../sqlite/cases.ts';
import { createdAt, id, timestamp } from './columns.ts';

export const replyTemplates = pgTable(
  'reply_templates',
  {
    id: id(),
    name: text('name').notNull(),
    outcome: text('outcome', { enum: OUTCOMES }).notNull(),
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
