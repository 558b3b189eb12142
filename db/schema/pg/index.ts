/**
 * The PostgreSQL table set (issue 21): the tables of db/schema/sqlite/ for pg-core, one file a
 * domain, re-exported here for drizzle-kit (db/drizzle.pg.config.ts) and, later, the PostgreSQL
 * client. The value lists (platforms, statuses…) and row types stay with the SQLite set, the one
 * place the code imports them from (db/schema.ts). tests/unit/schema-parity.test.ts fails on any
 * difference between the two sets.
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
