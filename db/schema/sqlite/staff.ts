/**
 * Staff accounts, roles, sessions, sign-in throttling, used TOTP time-steps, one-time links and
 * the append-only audit log. See docs/decisions/008-staff-accounts.md.
 */
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { Sealed } from '../../secret-box.ts';
import { createdAt, timestamp } from './columns.ts';

/** Associated data of an encrypted TOTP secret: a value sealed for another column is refused. */
export const TOTP_SECRET_CONTEXT = 'staff.totp_secret';

export const ROLES = ['moderator', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const staff = sqliteTable('staff', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Lower case, unique. */
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  /** `$scrypt$v=1$…` (src/lib/staff/passwords.ts); null until an invited person sets one. */
  passwordHash: text('password_hash'),
  /**
   * Base32 TOTP secret, encrypted at rest: db/staff.ts seals it on write and opens it on read with
   * the handle's keys (the code sees plain text, StaffRow; docs/decisions/015-secrets-at-rest.md);
   * null after an MFA reset until the person enrols again.
   */
  totpSecret: text('totp_secret').$type<Sealed>(),
  /** Set once the person has proved the secret works (entered a code from it). */
  totpConfirmedAt: timestamp('totp_confirmed_at'),
  disabledAt: timestamp('disabled_at'),
  /**
   * Set when an admin (or the command line) resets the authenticator; while set, the password
   * alone cannot enrol a new one: the emailed one-time link is needed. Cleared at enrolment.
   */
  mfaResetAt: timestamp('mfa_reset_at'),
  createdAt: createdAt(),
});

export const staffRoles = sqliteTable(
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

export const SESSION_STAGES = ['code', 'enrol', 'signed-in'] as const;
export type SessionStage = (typeof SESSION_STAGES)[number];

/**
 * Sessions, including the half-signed-in state between the password and the security code
 * (`code`) or TOTP enrolment (`enrol`). Only the SHA-256 of the cookie value is stored.
 */
export const staffSessions = sqliteTable(
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
    /** A coarse description of the browser, such as "Chrome on Windows" (never the raw User-Agent). */
    client: text('client'),
    /**
     * An enrolment step started from an emailed new-authenticator link: the link's hash. The link
     * is used up only when enrolment is confirmed, so one abandoned attempt does not lock out.
     */
    linkHash: text('link_hash'),
    createdAt: createdAt(),
  },
  (t) => [index('staff_sessions_staff').on(t.staffId)],
);

/**
 * One row per failed sign-in attempt; `key` is `account:<email>` (every address),
 * `account-net:<email>|<network>` (one account from one client network) or `net:<network>`
 * (src/lib/staff/throttle.ts).
 */
export const loginFailures = sqliteTable(
  'login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    at: timestamp('at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('login_failures_key_at').on(t.key, t.at)],
);

/** TOTP time-steps already accepted for an account: a code is never accepted twice. */
export const totpUsedSteps = sqliteTable(
  'totp_used_steps',
  {
    staffId: integer('staff_id')
      .notNull()
      .references(() => staff.id),
    step: integer('step').notNull(),
    /** `enrolment` for the code that set up the authenticator; null (older rows) or `sign-in` otherwise. */
    usedFor: text('used_for', { enum: ['sign-in', 'enrolment'] }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.staffId, t.step] })],
);

export const TOKEN_PURPOSES = ['first-run', 'invite', 'password-reset', 'mfa-enrol'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/**
 * One-time links (`/setup/<token>`): the first-run link, invitations, password resets and
 * authenticator re-enrolment. Only the SHA-256 of the token is stored.
 */
export const staffTokens = sqliteTable('staff_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  purpose: text('purpose', { enum: TOKEN_PURPOSES }).notNull(),
  /** The account the link is for; null for the first-run link (the account does not exist yet). */
  staffId: integer('staff_id').references(() => staff.id),
  expiresAt: timestamp('expires_at').notNull(),
  usedAt: timestamp('used_at'),
  createdAt: createdAt(),
});

/** Append-only: rows are inserted by db/audit.ts and never updated or deleted. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: timestamp('at').notNull(),
    /** The staff member, or null for the command line and the system. */
    actorId: integer('actor_id').references(() => staff.id),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    ip: text('ip'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_log_at').on(t.at),
    index('audit_log_action').on(t.action),
    index('audit_log_actor').on(t.actorId),
  ],
);

/** A staff row as stored: the TOTP secret sealed. */
export type StoredStaffRow = typeof staff.$inferSelect;
/** A staff row as the code sees it (db/staff.ts opens the TOTP secret). */
export type StaffRow = Omit<StoredStaffRow, 'totpSecret'> & { totpSecret: string | null };
export type AuditRow = typeof auditLog.$inferSelect;
