/**
 * PostgreSQL twin of db/schema/sqlite/outbox.ts (the column comments live there).
 */
import { index, integer, json, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { OUTBOX_STATES } from '../sqlite/outbox.ts';
import { createdAt, id, timestamp } from './columns.ts';

export const outbox = pgTable(
  'outbox',
  {
    id: id(),
    messageId: text('message_id').notNull(),
    kind: text('kind').notNull(),
    to: text('to_address').notNull(),
    subject: text('subject').notNull(),
    text: text('text_body').notNull(),
    html: text('html_body').notNull(),
    headers: json('headers').$type<Record<string, string>>().notNull(),
    secrets: json('secrets').$type<string[]>(),
    state: text('state', { enum: OUTBOX_STATES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at').notNull(),
    lastError: text('last_error'),
    claimToken: text('claim_token'),
    claimedAt: timestamp('claimed_at'),
    queuedAt: timestamp('queued_at').notNull(),
    sentAt: timestamp('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('outbox_message_id').on(t.messageId),
    index('outbox_due').on(t.state, t.nextAttemptAt),
    index('outbox_claimed').on(t.state, t.claimedAt),
    index('outbox_kind').on(t.kind, t.id),
    index('outbox_created').on(t.createdAt),
  ],
);
