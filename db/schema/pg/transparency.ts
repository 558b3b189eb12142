/**
 * PostgreSQL twin of db/schema/sqlite/transparency.ts (the column comments live there). The
 * triggers that keep these tallies are db/tallies.ts (SQLite) and db/dialect/pg-tallies.ts.
 */
import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';

export const transparencyTallies = pgTable(
  'transparency_tallies',
  {
    month: integer('month').notNull(),
    measure: text('measure').notNull(),
    category: text('category').notNull(),
    days: integer('days').notNull(),
    n: integer('n').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.month, t.measure, t.category, t.days] })],
);

export const appealTallies = pgTable(
  'appeal_tallies',
  {
    status: text('status').notNull(),
    assignee: integer('assignee').notNull(),
    n: integer('n').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.status, t.assignee] })],
);
