/**
 * Staff account queries: accounts and roles, sessions, sign-in failures, used TOTP steps and
 * one-time links. Only this file touches those tables (the audit log is db/audit.ts).
 *
 * The TOTP secret is sealed here on every write and opened on every read of a whole row, with
 * the keys of the handle given (contextOf(db).secretKeys, db/secret-box.ts): callers see plain
 * text. The column's type (Sealed) refuses plain text written past these functions.
 */
import { and, asc, count, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, ne, or } from 'drizzle-orm';
import { open, seal, sealedKeyId } from './secret-box.ts';
import { contextOf, type Db, type DbOrTx } from './client.ts';
import { transaction } from './transactions.ts';
import {
  loginFailures,
  staff,
  staffRoles,
  staffSessions,
  staffTokens,
  totpUsedSteps,
  ROLES,
  TOTP_SECRET_CONTEXT,
  type Role,
  type SessionStage,
  type StaffRow,
  type StoredStaffRow,
  type TokenPurpose,
} from './schema.ts';

export type StaffWithRoles = StaffRow & { roles: Role[] };

function sealTotpSecret(db: DbOrTx, secret: string | null): StoredStaffRow['totpSecret'] {
  return secret === null ? null : contextOf(db).secretKeys.seal(secret, TOTP_SECRET_CONTEXT);
}

function openTotpSecret(db: DbOrTx, stored: StoredStaffRow['totpSecret']): string | null {
  return stored === null ? null : contextOf(db).secretKeys.open(stored, TOTP_SECRET_CONTEXT);
}

function withRoles(db: DbOrTx, row: StoredStaffRow | undefined): StaffWithRoles | undefined {
  if (!row) return undefined;
  return { ...row, totpSecret: openTotpSecret(db, row.totpSecret), roles: rolesOf(db, row.id) };
}

export function rolesOf(db: DbOrTx, staffId: number): Role[] {
  const held = new Set(
    db
      .select({ role: staffRoles.role })
      .from(staffRoles)
      .where(eq(staffRoles.staffId, staffId))
      .all()
      .map((r) => r.role),
  );
  return ROLES.filter((r) => held.has(r));
}

export function findStaffById(db: DbOrTx, id: number): StaffWithRoles | undefined {
  return withRoles(db, db.select().from(staff).where(eq(staff.id, id)).get());
}

/**
 * Only what a request needs to know about the signed-in person (id, email, name, roles, whether
 * disabled): read on every staff request, so it selects neither the password hash nor the TOTP
 * secret (which would be decrypted each time).
 */
export function findSessionUser(
  db: DbOrTx,
  id: number,
): { id: number; email: string; name: string; disabledAt: Date | null; roles: Role[] } | undefined {
  const row = db
    .select({ id: staff.id, email: staff.email, name: staff.name, disabledAt: staff.disabledAt })
    .from(staff)
    .where(eq(staff.id, id))
    .get();
  return row && { ...row, roles: rolesOf(db, row.id) };
}

export function findStaffByEmail(db: DbOrTx, email: string): StaffWithRoles | undefined {
  return withRoles(db, db.select().from(staff).where(eq(staff.email, email.toLowerCase())).get());
}

export function listStaffRows(db: DbOrTx): StaffWithRoles[] {
  return db
    .select()
    .from(staff)
    .orderBy(asc(staff.name), asc(staff.id))
    .all()
    .map((r) => withRoles(db, r)!);
}

export function insertStaff(
  db: DbOrTx,
  values: {
    email: string;
    name: string;
    passwordHash: string | null;
    totpSecret: string | null;
    totpConfirmedAt: Date | null;
    roles: Role[];
  },
): number {
  const row = db
    .insert(staff)
    .values({
      email: values.email.toLowerCase(),
      name: values.name,
      passwordHash: values.passwordHash,
      totpSecret: sealTotpSecret(db, values.totpSecret),
      totpConfirmedAt: values.totpConfirmedAt,
    })
    .returning({ id: staff.id })
    .get();
  setStaffRoles(db, row.id, values.roles);
  return row.id;
}

export function setStaffRoles(db: DbOrTx, staffId: number, roles: Role[]): void {
  db.delete(staffRoles).where(eq(staffRoles.staffId, staffId)).run();
  for (const role of new Set(roles)) db.insert(staffRoles).values({ staffId, role }).run();
}

export function updateStaff(
  db: DbOrTx,
  id: number,
  values: Partial<
    Pick<StaffRow, 'name' | 'passwordHash' | 'totpSecret' | 'totpConfirmedAt' | 'disabledAt' | 'mfaResetAt'>
  >,
): void {
  const { totpSecret, ...rest } = values;
  db.update(staff)
    .set(totpSecret === undefined ? rest : { ...rest, totpSecret: sealTotpSecret(db, totpSecret) })
    .where(eq(staff.id, id))
    .run();
}

/** Accounts holding `admin`, not disabled, with a password set (they can sign in, enrolling TOTP if needed). */
export function countActiveAdmins(db: DbOrTx): number {
  const row = db
    .select({ n: count() })
    .from(staff)
    .innerJoin(staffRoles, and(eq(staffRoles.staffId, staff.id), eq(staffRoles.role, 'admin')))
    .where(and(isNull(staff.disabledAt), isNotNull(staff.passwordHash)))
    .get();
  return row?.n ?? 0;
}

// Sessions

export function insertSession(
  db: DbOrTx,
  values: {
    idHash: string;
    staffId: number;
    stage: SessionStage;
    now: Date;
    ip: string | null;
    client?: string | null;
    linkHash?: string | null;
  },
): void {
  db.insert(staffSessions)
    .values({
      idHash: values.idHash,
      staffId: values.staffId,
      stage: values.stage,
      startedAt: values.now,
      lastSeenAt: values.now,
      ip: values.ip,
      client: values.client ?? null,
      linkHash: values.linkHash ?? null,
    })
    .run();
}

/** An account's signed-in sessions (any age; the caller filters ended ones), most recently used first. */
export function signedInSessionsOf(db: DbOrTx, staffId: number) {
  return db
    .select()
    .from(staffSessions)
    .where(and(eq(staffSessions.staffId, staffId), eq(staffSessions.stage, 'signed-in')))
    .orderBy(desc(staffSessions.lastSeenAt), asc(staffSessions.idHash))
    .all();
}

/** Deletes one session of an account; false when it is not (or no longer) theirs. */
export function deleteSessionOf(db: DbOrTx, staffId: number, idHash: string): boolean {
  return (
    db
      .delete(staffSessions)
      .where(and(eq(staffSessions.staffId, staffId), eq(staffSessions.idHash, idHash)))
      .run().changes === 1
  );
}

/** Deletes every session of an account except one (the one in use); returns how many ended. */
export function deleteOtherSessionsOf(db: DbOrTx, staffId: number, keepIdHash: string): number {
  return db
    .delete(staffSessions)
    .where(and(eq(staffSessions.staffId, staffId), ne(staffSessions.idHash, keepIdHash)))
    .run().changes;
}

export function findSession(db: DbOrTx, idHash: string) {
  return db.select().from(staffSessions).where(eq(staffSessions.idHash, idHash)).get();
}

export function touchSession(db: DbOrTx, idHash: string, now: Date): void {
  db.update(staffSessions).set({ lastSeenAt: now }).where(eq(staffSessions.idHash, idHash)).run();
}

export function deleteSession(db: DbOrTx, idHash: string): void {
  db.delete(staffSessions).where(eq(staffSessions.idHash, idHash)).run();
}

export function deleteSessionsOf(db: DbOrTx, staffId: number): void {
  db.delete(staffSessions).where(eq(staffSessions.staffId, staffId)).run();
}

/** Removes sessions idle since before `idleBefore` or started before `startedBefore`. */
export function deleteStaleSessions(db: DbOrTx, idleBefore: Date, startedBefore: Date): void {
  db.delete(staffSessions)
    .where(or(lt(staffSessions.lastSeenAt, idleBefore), lt(staffSessions.startedAt, startedBefore)))
    .run();
}

// Sign-in failures

export function insertLoginFailure(db: DbOrTx, key: string, at: Date): number {
  return db.insert(loginFailures).values({ key, at }).returning({ id: loginFailures.id }).get().id;
}

/** Removes failures by id (a provisional failure, counted while a password was checked, that turned out right). */
export function deleteLoginFailuresById(db: DbOrTx, ids: readonly number[]): void {
  if (ids.length > 0)
    db.delete(loginFailures)
      .where(inArray(loginFailures.id, [...ids]))
      .run();
}

/** Times (ms) of failures for `key` at or after `since`, oldest first. */
export function loginFailureTimes(db: DbOrTx, key: string, since: Date): number[] {
  return db
    .select({ at: loginFailures.at })
    .from(loginFailures)
    .where(and(eq(loginFailures.key, key), gte(loginFailures.at, since)))
    .orderBy(asc(loginFailures.at))
    .all()
    .map((r) => r.at.getTime());
}

export function deleteLoginFailures(db: DbOrTx, key: string): void {
  db.delete(loginFailures).where(eq(loginFailures.key, key)).run();
}

export function deleteLoginFailuresBefore(db: DbOrTx, before: Date): void {
  db.delete(loginFailures).where(lt(loginFailures.at, before)).run();
}

// TOTP steps

/** The latest used step at or after `step` for the account (what made a code count as reused), if any. */
export function usedTotpStepFrom(db: DbOrTx, staffId: number, step: number) {
  return db
    .select()
    .from(totpUsedSteps)
    .where(and(eq(totpUsedSteps.staffId, staffId), gte(totpUsedSteps.step, step)))
    .orderBy(desc(totpUsedSteps.step))
    .get();
}

export function insertTotpStep(
  db: DbOrTx,
  staffId: number,
  step: number,
  usedFor: 'sign-in' | 'enrolment' = 'sign-in',
): void {
  db.insert(totpUsedSteps).values({ staffId, step, usedFor }).run();
}

export function deleteTotpStepsOf(db: DbOrTx, staffId: number): void {
  db.delete(totpUsedSteps).where(eq(totpUsedSteps.staffId, staffId)).run();
}

// One-time links

export function insertToken(
  db: DbOrTx,
  values: { tokenHash: string; purpose: TokenPurpose; staffId: number | null; expiresAt: Date },
): void {
  db.insert(staffTokens).values(values).run();
}

export function findToken(db: DbOrTx, tokenHash: string) {
  return db.select().from(staffTokens).where(eq(staffTokens.tokenHash, tokenHash)).get();
}

/** True when a token exists, is unused and has not expired at `now`. */
export function isTokenLive(db: DbOrTx, tokenHash: string, now: Date): boolean {
  const row = findToken(db, tokenHash);
  return Boolean(row && !row.usedAt && row.expiresAt.getTime() > now.getTime());
}

/**
 * Marks a token used; false when it was already used (so two tabs cannot both use it) or has
 * expired at `now` (checked in the same update: a link may run out while a password hashes or an
 * enrolment step goes on).
 */
export function markTokenUsed(db: DbOrTx, tokenHash: string, now: Date): boolean {
  return (
    db
      .update(staffTokens)
      .set({ usedAt: now })
      .where(and(eq(staffTokens.tokenHash, tokenHash), isNull(staffTokens.usedAt), gt(staffTokens.expiresAt, now)))
      .run().changes === 1
  );
}

/** Ends every unused link of a purpose (optionally for one account). */
export function expireTokens(db: DbOrTx, purpose: TokenPurpose, now: Date, staffId?: number): number {
  return db
    .update(staffTokens)
    .set({ expiresAt: now })
    .where(
      and(
        eq(staffTokens.purpose, purpose),
        isNull(staffTokens.usedAt),
        gte(staffTokens.expiresAt, now),
        staffId === undefined ? undefined : eq(staffTokens.staffId, staffId),
      ),
    )
    .run().changes;
}

// TOTP secrets at rest (raw SQL: these see the stored, encrypted value, not the plain text).

/** Seals TOTP secrets stored in plain text (by a version before encryption) with the handle's key; returns how many. */
export function sealPlainTotpSecrets(db: Db): number {
  const key = contextOf(db).secretKeys.current();
  const sqlite = db.$client;
  const plain = sqlite
    .prepare(
      "select id, totp_secret as value from staff where totp_secret is not null and totp_secret not like 'enc1:%'",
    )
    .all() as { id: number; value: string }[];
  const update = sqlite.prepare('update staff set totp_secret = ? where id = ?');
  sqlite.transaction(() => plain.forEach((r) => update.run(seal(key, r.value, TOTP_SECRET_CONTEXT), r.id))).immediate();
  return plain.length;
}

/** The ids of the keys the stored TOTP secrets were sealed with. */
export function totpSecretKeyIds(db: Db): string[] {
  const rows = db.$client.prepare("select totp_secret as value from staff where totp_secret like 'enc1:%'").all() as {
    value: string;
  }[];
  return [...new Set(rows.map((r) => sealedKeyId(r.value)!))];
}

/** Re-seals every TOTP secret from key `from` to key `to`, all or none; returns how many. */
export async function resealTotpSecrets(db: Db, from: Buffer, to: Buffer): Promise<number> {
  return await transaction(db, async (tx) => {
    const sqlite = tx.$client;
    const update = sqlite.prepare('update staff set totp_secret = ? where id = ?');
    const rows = sqlite.prepare('select id, totp_secret as value from staff where totp_secret is not null').all() as {
      id: number;
      value: string;
    }[];
    for (const r of rows) update.run(seal(to, open(from, r.value, TOTP_SECRET_CONTEXT), TOTP_SECRET_CONTEXT), r.id);
    return rows.length;
  });
}
