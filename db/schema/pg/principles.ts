/**
 * PostgreSQL twin of db/schema/sqlite/principles.ts (the column comments live there).
 */
import { index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, timestamp } from './columns.ts';

export const principleVersions = pgTable(
  'principle_versions',
  {
    id: id(),
    version: text('version'),
    major: integer('major'),
    minor: integer('minor'),
    status: text('status', { enum: ['draft', 'published'] }).notNull(),
    bodyMarkdown: text('body_markdown').notNull(),
    changeSummary: text('change_summary').notNull(),
    effectiveAt: timestamp('effective_at'),
    publishedAt: timestamp('published_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('principle_versions_version').on(t.version),
    index('principle_versions_effective').on(t.status, t.effectiveAt),
  ],
);

export const grounds = pgTable(
  'grounds',
  {
    id: id(),
    versionId: integer('version_id')
      .notNull()
      .references(() => principleVersions.id),
    code: text('code').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    position: integer('position').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('grounds_version_code').on(t.versionId, t.code)],
);
