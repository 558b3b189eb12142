/**
 * PostgreSQL twin of db/schema/sqlite/feedback.ts (the column comments live there).
 */
import { sql } from 'drizzle-orm';
import { check, index, pgTable, text } from 'drizzle-orm/pg-core';
import { FEEDBACK_FROM, FEEDBACK_RATINGS } from '../sqlite/feedback.ts';
import { createdAt, id, timestamp } from './columns.ts';

export const serviceFeedback = pgTable(
  'service_feedback',
  {
    id: id(),
    rating: text('rating', { enum: FEEDBACK_RATINGS }).notNull(),
    comment: text('comment'),
    fromPage: text('from_page', { enum: FEEDBACK_FROM }),
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
