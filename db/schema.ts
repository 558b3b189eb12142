/**
 * The drizzle schema the queries import: the SQLite table set (db/schema/sqlite/, one file a
 * domain). drizzle has no dialect-neutral schema (drizzle-orm#1196), so PostgreSQL has its own
 * set in db/schema/pg/, kept alike by tests/unit/schema-parity.test.ts.
 * Dialect details stay in db/; src/lib sees plain objects.
 */
export * from './schema/sqlite/index.ts';
