/**
 * PostgreSQL twin of db/schema/sqlite/subscriptions.ts (the column comments live there).
 */
import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, timestamp } from './columns.ts';
import { principleVersions } from './principles.ts';

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: id(),
    email: text('email').notNull().unique(),
    confirmTokenHash: text('confirm_token_hash').unique(),
    confirmedAt: timestamp('confirmed_at'),
    createdAt: createdAt(),
  },
  (t) => [index('subscriptions_unconfirmed').on(t.confirmedAt, t.createdAt)],
);

export const unsubscribeTokens = pgTable(
  'unsubscribe_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    subscriptionId: integer('subscription_id')
      .notNull()
      .references(() => subscriptions.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [index('unsubscribe_tokens_subscription').on(t.subscriptionId)],
);

export const subscribeAttempts = pgTable(
  'subscribe_attempts',
  {
    id: id(),
    clientHash: text('client_hash').notNull(),
    at: timestamp('at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('subscribe_attempts_client').on(t.clientHash, t.at)],
);

export const changeAlerts = pgTable('change_alerts', {
  versionId: integer('version_id')
    .primaryKey()
    .references(() => principleVersions.id),
  queuedAt: timestamp('queued_at').notNull(),
  recipients: integer('recipients').notNull(),
  createdAt: createdAt(),
});
