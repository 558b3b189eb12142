/**
 * Column helpers shared by every table. Times are integer milliseconds since the epoch (UTC).
 */
import { sql } from 'drizzle-orm';
import { customType, integer } from 'drizzle-orm/sqlite-core';
import { openSecret, sealSecret } from '../../secret-box.ts';

/** Every table has `created_at`, set by the database. */
export const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`);

export const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

/**
 * A text column encrypted at rest (AES-256-GCM, db/secret-box.ts): the code reads and writes
 * plain text, the database holds `enc1:…`. `context` (the column's name) is bound to each value.
 * Only for values never searched on (each write has a fresh IV).
 */
export const encryptedText = (name: string, context: string) =>
  customType<{ data: string; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => sealSecret(value, context),
    fromDriver: (value) => openSecret(value, context),
  })(name);
