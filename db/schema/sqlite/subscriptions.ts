/**
 * Change alerts: people who asked to be emailed when a new version of the principles takes effect,
 * and a record of which versions' alerts have been queued (so each is queued exactly once).
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { principleVersions } from './principles.ts';
import { createdAt, timestamp } from './columns.ts';

/**
 * One address. Unconfirmed rows get no alerts and are purged after 7 days. Tokens are stored only
 * as SHA-256 hashes: a copy of the database cannot confirm or unsubscribe anyone.
 */
export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Lower-cased, trimmed. */
    email: text('email').notNull().unique(),
    /** Null once confirmed (the confirmation link works once). */
    confirmTokenHash: text('confirm_token_hash').unique(),
    confirmedAt: timestamp('confirmed_at'),
    createdAt: createdAt(),
  },
  (t) => [index('subscriptions_unconfirmed').on(t.confirmedAt, t.createdAt)],
);

/**
 * Unsubscribe tokens (hashes). Every email to a subscriber carries a fresh token, so a link in an
 * older email keeps working while the raw tokens are never stored. Deleted with the subscription.
 */
export const unsubscribeTokens = sqliteTable(
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

/** Recent subscribe attempts per client, for the rate limit (IP stored as a hash, kept an hour). */
export const subscribeAttempts = sqliteTable(
  'subscribe_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clientHash: text('client_hash').notNull(),
    at: timestamp('at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('subscribe_attempts_client').on(t.clientHash, t.at)],
);

/** One row per published version once its change alert has been queued (or deliberately skipped). */
export const changeAlerts = sqliteTable('change_alerts', {
  versionId: integer('version_id')
    .primaryKey()
    .references(() => principleVersions.id),
  queuedAt: timestamp('queued_at').notNull(),
  /** How many emails were queued (0 for the first version or one superseded before its alert). */
  recipients: integer('recipients').notNull(),
  createdAt: createdAt(),
});
