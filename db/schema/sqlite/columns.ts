/**
 * Column helpers shared by every table. Times are integer milliseconds since the epoch (UTC).
 */
import { sql } from 'drizzle-orm';
import { integer } from 'drizzle-orm/sqlite-core';

/** Every table has `created_at`, set by the database. */
export const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });
