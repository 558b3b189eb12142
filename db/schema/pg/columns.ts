/**
 * Column helpers of the PostgreSQL table set, the twins of db/schema/sqlite/columns.ts. Times are
 * integer milliseconds since the epoch (UTC) in a bigint, so the stored figures are the SQLite
 * set's; they are read and written as a `Date`, as the SQLite set's `timestamp_ms` columns are, so
 * both sets give the queries the same row types (tests/unit/schema-parity.test.ts checks both).
 */
import { sql } from 'drizzle-orm';
import { customType, integer } from 'drizzle-orm/pg-core';

/**
 * A bigint of milliseconds, read as a Date. node-postgres hands int8 over as a string (it may not
 * fit a JS number); times in milliseconds stay far below 2^53, so Number() loses nothing.
 */
const millis = customType<{ data: Date; driverData: string | number }>({
  dataType: () => 'bigint',
  toDriver: (value) => value.getTime(),
  fromDriver: (value) => new Date(Number(value)),
});

/**
 * Every table has `created_at`, set by the database: now in whole milliseconds. clock_timestamp()
 * (not now(), the transaction's start) is the time of the insert itself, as SQLite's unixepoch is.
 */
export const createdAt = () =>
  millis('created_at')
    .notNull()
    .default(sql`(floor(extract(epoch from clock_timestamp()) * 1000)::bigint)`);

export const timestamp = (name: string) => millis(name);

/**
 * The SQLite set's `integer(…).primaryKey({ autoIncrement: true })`: ids from a sequence, never
 * reused. "By default" rather than "always", so a row can still be written with its id (copies
 * from SQLite, fixtures), as SQLite allows.
 */
export const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity();
