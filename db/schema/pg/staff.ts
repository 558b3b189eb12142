/**
 * PostgreSQL twin of db/schema/sqlite/staff.ts (the column comments live there).
 */
import { index, integer, json, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { ROLES, SESSION_STAGES, TOKEN_PURPOSES } from '../sqlite/staff.ts';
import { createdAt, id, timestamp } from './columns.ts';
import type { Sealed } from '../../secret-box.ts';

export const staff = pgTable('staff', {
  id: id(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash'),
  /** Sealed text (`enc1:…`, db/secret-box.ts): the sealing is the queries' job, not the column's. */
  totpSecret: text('totp_secret').$type<Sealed>(),
  totpConfirmedAt: timestamp('totp_confirmed_at'),
  disabledAt: timestamp('disabled_at'),
  mfaResetAt: timestamp('mfa_reset_at'),
  createdAt: createdAt(),
});

export const staffRoles = pgTable(
  'staff_roles',
  {
    staffId: integer('staff_id')
      .notNull()
      .references(() => staff.id),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.role] })],
);

export const staffSessions = pgTable(
  'staff_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    staffId: integer('staff_id')
      .notNull()
      .references(() => staff.id),
    stage: text('stage', { enum: SESSION_STAGES }).notNull(),
    startedAt: timestamp('started_at').notNull(),
    lastSeenAt: timestamp('last_seen_at').notNull(),
    ip: text('ip'),
    client: text('client'),
    linkHash: text('link_hash'),
    createdAt: createdAt(),
  },
  (t) => [index('staff_sessions_staff').on(t.staffId)],
);

export const loginFailures = pgTable(
  'login_failures',
  {
    id: id(),
    key: text('key').notNull(),
    at: timestamp('at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('login_failures_key_at').on(t.key, t.at)],
);

export const totpUsedSteps = pgTable(
  'totp_used_steps',
  {
    staffId: integer('staff_id')
      .notNull()
      .references(() => staff.id),
    /** Unix seconds / 30: about 5.9e7 in 2026, so a 32-bit integer lasts until the year 4000. */
    step: integer('step').notNull(),
    usedFor: text('used_for', { enum: ['sign-in', 'enrolment'] }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.step] })],
);

export const staffTokens = pgTable('staff_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  purpose: text('purpose', { enum: TOKEN_PURPOSES }).notNull(),
  staffId: integer('staff_id').references(() => staff.id),
  expiresAt: timestamp('expires_at').notNull(),
  usedAt: timestamp('used_at'),
  createdAt: createdAt(),
});

/** Append-only: rows are inserted by db/audit.ts and never updated or deleted. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    at: timestamp('at').notNull(),
    actorId: integer('actor_id').references(() => staff.id),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    ip: text('ip'),
    details: json('details').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_log_at').on(t.at),
    index('audit_log_action').on(t.action),
    index('audit_log_actor').on(t.actorId),
  ],
);
