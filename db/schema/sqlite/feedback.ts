/**
 * Feedback on the service (the GOV.UK feedback pattern): a satisfaction rating and an optional
 * comment. No name, address, IP address or cookie is stored with it.
 */
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { createdAt, timestamp } from './columns.ts';

export const FEEDBACK_RATINGS = [
  'very-satisfied',
  'satisfied',
  'neither',
  'dissatisfied',
  'very-dissatisfied',
] as const;
export const FEEDBACK_FROM = ['confirmation', 'status', 'banner'] as const;

export const serviceFeedback = sqliteTable(
  'service_feedback',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    rating: text('rating', { enum: FEEDBACK_RATINGS }).notNull(),
    /** Optional; read by staff to improve the service, never published. */
    comment: text('comment'),
    /** Which page the link was on, if any. */
    fromPage: text('from_page', { enum: FEEDBACK_FROM }),
    /** When it was given (the runtime's clock), for the figures per quarter. */
    givenAt: timestamp('given_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('service_feedback_given').on(t.givenAt),
    check(
      'service_feedback_rating',
      sql`${t.rating} in ('very-satisfied', 'satisfied', 'neither', 'dissatisfied', 'very-dissatisfied')`,
    ),
  ],
);
