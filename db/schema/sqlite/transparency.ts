/**
 * Running aggregates for the transparency report, so each figure is an indexed read whatever the
 * number of cases: one row a (UK month, measure, category, working days) with its count. Kept up
 * to date by triggers on cases, case_actions, case_grounds and appeals (db/tallies.ts), in the
 * same transaction as the change, so they also follow rows written with plain SQL. Never holds
 * personal data, so the retention purge leaves it alone.
 */
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.ts';

export const transparencyTallies = sqliteTable(
  'transparency_tallies',
  {
    /** UK (Europe/London) calendar month as year × 12 + month − 1. */
    month: integer('month').notNull(),
    /** 'case' | 'told' | 'action' | 'ground' | 'received' | 'withdrawn' | 'decided'. */
    measure: text('measure').notNull(),
    /** 'case': "platform|detected_by|automated"; 'action': the action; 'ground': the code; 'decided': the outcome; else ''. */
    category: text('category').notNull(),
    /** 'decided': working days to decision (−1 when not recorded); otherwise −1. */
    days: integer('days').notNull(),
    n: integer('n').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.month, t.measure, t.category, t.days] })],
);

/**
 * Running counts of appeals by status and assignee (0 = unassigned) for the review queue's
 * counts and totals, kept by triggers on appeals (db/tallies.ts): counting a million rows on every
 * queue page would cost more than the page itself.
 */
export const appealTallies = sqliteTable(
  'appeal_tallies',
  {
    status: text('status').notNull(),
    assignee: integer('assignee').notNull(),
    n: integer('n').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.status, t.assignee] })],
);
