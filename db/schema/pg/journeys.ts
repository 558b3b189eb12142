/**
 * PostgreSQL twin of db/schema/sqlite/journeys.ts (the column comments live there).
 */
import { index, integer, json, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, timestamp } from './columns.ts';

export const journeys = pgTable(
  'journeys',
  {
    idHash: text('id_hash').primaryKey(),
    data: json('data').$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp('updated_at').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('journeys_expires').on(t.expiresAt)],
);

export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').primaryKey(),
    windowStart: timestamp('window_start').notNull(),
    count: integer('count').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('rate_limits_window').on(t.windowStart)],
);
