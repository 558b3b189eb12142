/**
 * PostgreSQL twin of db/schema/sqlite/notifications.ts (the column comments live there).
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { appeals, cases } from './cases.ts';
import { createdAt, id, timestamp } from './columns.ts';

export const staffDigests = pgTable('staff_digests', {
  day: text('day').primaryKey(),
  decidedAt: timestamp('decided_at').notNull(),
  emails: integer('emails').notNull(),
  items: integer('items').notNull(),
  createdAt: createdAt(),
});

export const appealEscalations = pgTable('appeal_escalations', {
  appealId: integer('appeal_id')
    .primaryKey()
    .references(() => appeals.id),
  escalatedAt: timestamp('escalated_at').notNull(),
  dueAt: timestamp('due_at').notNull(),
  createdAt: createdAt(),
});

export const safeguardingConcerns = pgTable(
  'safeguarding_concerns',
  {
    id: id(),
    caseId: integer('case_id').references(() => cases.id),
    appealId: integer('appeal_id').references(() => appeals.id),
    note: text('note'),
    raisedBy: integer('raised_by').notNull(),
    raisedAt: timestamp('raised_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('safeguarding_case').on(t.caseId),
    index('safeguarding_appeal').on(t.appealId),
    check('safeguarding_one_subject', sql`(${t.caseId} is null) <> (${t.appealId} is null)`),
  ],
);
