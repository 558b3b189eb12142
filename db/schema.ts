/**
 * The drizzle schema: one file a domain under db/schema/, re-exported here.
 * Dialect details stay in db/; src/lib sees plain objects.
 */
export * from './schema/principles.ts';
export * from './schema/cases.ts';
export * from './schema/outbox.ts';
export * from './schema/staff.ts';
export * from './schema/journeys.ts';
export * from './schema/subscriptions.ts';
export * from './schema/transparency.ts';
export * from './schema/notifications.ts';
export * from './schema/feedback.ts';
export * from './schema/reply-templates.ts';
