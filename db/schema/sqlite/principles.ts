/**
 * Principles: versions and their grounds for action.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from './columns.ts';

/** A version of the social media principles. Immutable once `status` is `published`. */
export const principleVersions = sqliteTable(
  'principle_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** e.g. "1.0"; unique among published versions, null while a draft. */
    version: text('version'),
    major: integer('major'),
    minor: integer('minor'),
    status: text('status', { enum: ['draft', 'published'] }).notNull(),
    bodyMarkdown: text('body_markdown').notNull(),
    changeSummary: text('change_summary').notNull(),
    /** When the version takes (or took) effect; null for an unscheduled draft. */
    effectiveAt: integer('effective_at', { mode: 'timestamp_ms' }),
    publishedAt: integer('published_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('principle_versions_version').on(t.version),
    index('principle_versions_effective').on(t.status, t.effectiveAt),
  ],
);

/** A ground for action as worded in one version. Codes are stable across versions. */
export const grounds = sqliteTable(
  'grounds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
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
