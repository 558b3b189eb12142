/**
 * The SQLite table set: one file a domain, re-exported here (and by db/schema.ts, which the
 * queries import). Its PostgreSQL twin is db/schema/pg/; tests/unit/schema-parity.test.ts keeps
 * the two alike.
 */
export * from './principles.ts';
export * from './cases.ts';
export * from './outbox.ts';
export * from './staff.ts';
export * from './journeys.ts';
export * from './subscriptions.ts';
export * from './transparency.ts';
export * from './notifications.ts';
export * from './feedback.ts';
export * from './reply-templates.ts';
