/**
 * The email outbox: every email is a row, written in the same transaction as the change that
 * causes it, then delivered by the worker (src/lib/email/worker.ts). See docs/decisions/004-outbox.md.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt, timestamp } from './columns.ts';

export const OUTBOX_STATES = ['queued', 'sending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** `<uuid@host>`, fixed when the row is written and sent unchanged on every attempt. */
    messageId: text('message_id').notNull(),
    /** What the email is for, e.g. `appeal-ack`, `decision`, `notification`. */
    kind: text('kind').notNull(),
    to: text('to_address').notNull(),
    subject: text('subject').notNull(),
    text: text('text_body').notNull(),
    html: text('html_body').notNull(),
    /** Extra headers such as List-Unsubscribe. */
    headers: text('headers', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    /**
     * The private links (or tokens) the message carries, kept only until it is delivered: then
     * each is replaced by REDACTED_MARK in the bodies and headers and this is set to null.
     */
    secrets: text('secrets', { mode: 'json' }).$type<string[]>(),
    state: text('state', { enum: OUTBOX_STATES }).notNull(),
    /** Delivery attempts since the message was (re)queued; counted when an attempt is claimed. */
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at').notNull(),
    lastError: text('last_error'),
    /** Random token of the worker that claimed the message, with the claim time (the lease start). */
    claimToken: text('claim_token'),
    claimedAt: timestamp('claimed_at'),
    /** When the message was (re)queued: temporary failures give up 24 hours after this. */
    queuedAt: timestamp('queued_at').notNull(),
    sentAt: timestamp('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('outbox_message_id').on(t.messageId),
    // The worker's claim query: due queued messages, and `sending` ones whose lease ran out.
    index('outbox_due').on(t.state, t.nextAttemptAt),
    index('outbox_claimed').on(t.state, t.claimedAt),
    // The staff outbox page's filters: one kind newest first, and a range of days created.
    index('outbox_kind').on(t.kind, t.id),
    index('outbox_created').on(t.createdAt),
  ],
);

export type OutboxRow = typeof outbox.$inferSelect;
