/**
 * Public journey state and request throttling.
 *
 * A journey holds the answers of a multi-page public form (the appeal journey) between steps, on
 * the server, keyed by the SHA-256 of a random id kept in an HttpOnly cookie. Rows expire and are
 * purged; nothing here outlives a day.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt, timestamp } from './columns.ts';

export const journeys = sqliteTable(
  'journeys',
  {
    /** SHA-256 (hex) of the cookie's random id: a leaked database cannot resume someone's journey. */
    idHash: text('id_hash').primaryKey(),
    /** The answers so far, as JSON. */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp('updated_at').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('journeys_expires').on(t.expiresAt)],
);

/** Fixed-window counters, e.g. case-reference lookups per IP address. */
export const rateLimits = sqliteTable(
  'rate_limits',
  {
    /** What is limited and for whom, e.g. `case-lookup:203.0.113.7`. */
    key: text('key').primaryKey(),
    windowStart: timestamp('window_start').notNull(),
    count: integer('count').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('rate_limits_window').on(t.windowStart)],
);
