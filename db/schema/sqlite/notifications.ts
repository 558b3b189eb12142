/**
 * Staff notifications and safeguarding concerns (docs/decisions/019-staff-notifications.md).
 *
 * - `staff_digests`: one row per UK day on which the working-day digest was decided (sent, or
 *   nothing to send). The primary key makes "once a day" hold across restarts and workers.
 * - `appeal_escalations`: one row per appeal escalated to the admins for being overdue, so each
 *   appeal is escalated once only.
 * - `safeguarding_concerns`: a staff member's flag on a case or an appeal, with their note.
 */
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt, timestamp } from './columns.ts';
import { appeals, cases } from './cases.ts';

export const staffDigests = sqliteTable('staff_digests', {
  /** The UK calendar day, "YYYY-MM-DD". */
  day: text('day').primaryKey(),
  decidedAt: timestamp('decided_at').notNull(),
  /** How many emails were queued (0: every list was empty, nothing sent). */
  emails: integer('emails').notNull(),
  /** How many appeals and follow-ups the digest listed. */
  items: integer('items').notNull(),
  createdAt: createdAt(),
});

export const appealEscalations = sqliteTable('appeal_escalations', {
  appealId: integer('appeal_id')
    .primaryKey()
    .references(() => appeals.id),
  escalatedAt: timestamp('escalated_at').notNull(),
  /** The due date that had passed. */
  dueAt: timestamp('due_at').notNull(),
  createdAt: createdAt(),
});

export const safeguardingConcerns = sqliteTable(
  'safeguarding_concerns',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').references(() => cases.id),
    appealId: integer('appeal_id').references(() => appeals.id),
    /** What the staff member saw; purged with the case or appeal's personal data. */
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

export type SafeguardingConcernRow = typeof safeguardingConcerns.$inferSelect;
