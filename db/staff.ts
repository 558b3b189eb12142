/**
 * Staff account queries: accounts and roles, sessions, sign-in failures, used TOTP steps and
 * one-time links. Only this file touches those tables (the audit log is db/audit.ts).
 *
 * The TOTP secret is sealed here on every write and opened on every read of a whole row, with
 * the keys of the handle given (contextOf(db).secretKeys, db/secret-box.ts): callers see plain
 * text. The column's type (Sealed) refuses plain text written past these functions.
 */
import { and, asc, count, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, ne, or } from 'drizzle-orm';
import { isSealed, open, seal, sealedKeyId } from './secret-box.ts';
import { contextOf, type Db, type DbOrTx } from './client.ts';
import { tablesOf } from './dialect/index.ts';
import { transaction } from './transactions.ts';
import {
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

async function withRoles(db: DbOrTx, row: StoredStaffRow | undefined): Promise<StaffWithRoles | undefined> {
  if (!row) return undefined;
  return { ...row, totpSecret: openTotpSecret(db, row.totpSecret), roles: await rolesOf(db, row.id) };
}

export async function rolesOf(db: DbOrTx, staffId: number): Promise<Role[]> {
  const { staffRoles } = tablesOf(db);
  const rows = await db.select({ role: staffRoles.role }).from(staffRoles).where(eq(staffRoles.staffId, staffId));
  const held = new Set(rows.map((r) => r.role));
  return ROLES.filter((r) => held.has(r));
}

export async function findStaffById(db: DbOrTx, id: number): Promise<StaffWithRoles | undefined> {
  const { staff } = tablesOf(db);
  const [row] = await db.select().from(staff).where(eq(staff.id, id));
  return withRoles(db, row);
}

/**
 * Only what a request needs to know about the signed-in person (id, email, name, roles, whether
 * disabled): read on every staff request, so it selects neither the password hash nor the TOTP
 * secret (which would be decrypted each time).
 */
export async function findSessionUser(
  db: DbOrTx,
  id: number,
): Promise<{ id: number; email: string; name: string; disabledAt: Date | null; roles: Role[] } | undefined> {
  const { staff } = tablesOf(db);
  const [row] = await db
    .select({ id: staff.id, email: staff.email, name: staff.name, disabledAt: staff.disabledAt })
    .from(staff)
    .where(eq(staff.id, id));
  return row && { ...row, roles: await rolesOf(db, row.id) };
}

export async function findStaffByEmail(db: DbOrTx, email: string): Promise<StaffWithRoles | undefined> {
  const { staff } = tablesOf(db);
  const [row] = await db.select().from(staff).where(eq(staff.email, email.toLowerCase()));
  return withRoles(db, row);
}

export async function listStaffRows(db: DbOrTx): Promise<StaffWithRoles[]> {
  const { staff } = tablesOf(db);
  const rows = await db.select().from(staff).orderBy(asc(staff.name), asc(staff.id));
  const result: StaffWithRoles[] = [];
  for (const row of rows) result.push((await withRoles(db, row))!);
  return result;
}

export async function insertStaff(
  db: DbOrTx,
  values: {
    email: string;
    name: string;
    passwordHash: string | null;
    totpSecret: string | null;
    totpConfirmedAt: Date | null;
    roles: Role[];
  },
): Promise<number> {
  const { staff } = tablesOf(db);
  const [row] = await db
    .insert(staff)
    .values({
      email: values.email.toLowerCase(),
      name: values.name,
      passwordHash: values.passwordHash,
      totpSecret: sealTotpSecret(db, values.totpSecret),
      totpConfirmedAt: values.totpConfirmedAt,
    })
    .returning({ id: staff.id });
  await setStaffRoles(db, row!.id, values.roles);
  return row!.id;
}

export async function setStaffRoles(db: DbOrTx, staffId: number, roles: Role[]): Promise<void> {
  const { staffRoles } = tablesOf(db);
  await db.delete(staffRoles).where(eq(staffRoles.staffId, staffId));
  for (const role of new Set(roles)) await db.insert(staffRoles).values({ staffId, role });
}

export async function updateStaff(
  db: DbOrTx,
  id: number,
  values: Partial<
    Pick<StaffRow, 'name' | 'passwordHash' | 'totpSecret' | 'totpConfirmedAt' | 'disabledAt' | 'mfaResetAt'>
  >,
): Promise<void> {
  const { staff } = tablesOf(db);
  const { totpSecret, ...rest } = values;
  await db
    .update(staff)
    .set(totpSecret === undefined ? rest : { ...rest, totpSecret: sealTotpSecret(db, totpSecret) })
    .where(eq(staff.id, id));
}

/** Accounts holding `admin`, not disabled, with a password set (they can sign in, enrolling TOTP if needed). */
export async function countActiveAdmins(db: DbOrTx): Promise<number> {
  const { staff, staffRoles } = tablesOf(db);
  const [row] = await db
    .select({ n: count() })
    .from(staff)
    .innerJoin(staffRoles, and(eq(staffRoles.staffId, staff.id), eq(staffRoles.role, 'admin')))
    .where(and(isNull(staff.disabledAt), isNotNull(staff.passwordHash)));
  return row?.n ?? 0;
}

// Sessions

export async function insertSession(
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
): Promise<void> {
  const { staffSessions } = tablesOf(db);
  await db.insert(staffSessions).values({
    idHash: values.idHash,
    staffId: values.staffId,
    stage: values.stage,
    startedAt: values.now,
    lastSeenAt: values.now,
    ip: values.ip,
    client: values.client ?? null,
    linkHash: values.linkHash ?? null,
  });
}

/** An account's signed-in sessions (any age; the caller filters ended ones), most recently used first. */
export async function signedInSessionsOf(db: DbOrTx, staffId: number) {
  const { staffSessions } = tablesOf(db);
  return await db
    .select()
    .from(staffSessions)
    .where(and(eq(staffSessions.staffId, staffId), eq(staffSessions.stage, 'signed-in')))
    .orderBy(desc(staffSessions.lastSeenAt), asc(staffSessions.idHash));
}

/*
 * The functions below that say how many rows they changed count the rows RETURNING gives back
 * (both engines have it) rather than the driver's count of changes (better-sqlite3's `changes`,
 * node-postgres's `rowCount`).
 */

/** Deletes one session of an account; false when it is not (or no longer) theirs. */
export async function deleteSessionOf(db: DbOrTx, staffId: number, idHash: string): Promise<boolean> {
  const { staffSessions } = tablesOf(db);
  const deleted = await db
    .delete(staffSessions)
    .where(and(eq(staffSessions.staffId, staffId), eq(staffSessions.idHash, idHash)))
    .returning({ idHash: staffSessions.idHash });
  return deleted.length === 1;
}

/** Deletes every session of an account except one (the one in use); returns how many ended. */
export async function deleteOtherSessionsOf(db: DbOrTx, staffId: number, keepIdHash: string): Promise<number> {
  const { staffSessions } = tablesOf(db);
  const deleted = await db
    .delete(staffSessions)
    .where(and(eq(staffSessions.staffId, staffId), ne(staffSessions.idHash, keepIdHash)))
    .returning({ idHash: staffSessions.idHash });
  return deleted.length;
}

export async function findSession(db: DbOrTx, idHash: string) {
  const { staffSessions } = tablesOf(db);
  const [row] = await db.select().from(staffSessions).where(eq(staffSessions.idHash, idHash));
  return row;
}

export async function touchSession(db: DbOrTx, idHash: string, now: Date): Promise<void> {
  const { staffSessions } = tablesOf(db);
  await db.update(staffSessions).set({ lastSeenAt: now }).where(eq(staffSessions.idHash, idHash));
}

export async function deleteSession(db: DbOrTx, idHash: string): Promise<void> {
  const { staffSessions } = tablesOf(db);
  await db.delete(staffSessions).where(eq(staffSessions.idHash, idHash));
}

export async function deleteSessionsOf(db: DbOrTx, staffId: number): Promise<void> {
  const { staffSessions } = tablesOf(db);
  await db.delete(staffSessions).where(eq(staffSessions.staffId, staffId));
}

/** Removes sessions idle since before `idleBefore` or started before `startedBefore`. */
export async function deleteStaleSessions(db: DbOrTx, idleBefore: Date, startedBefore: Date): Promise<void> {
  const { staffSessions } = tablesOf(db);
  await db
    .delete(staffSessions)
    .where(or(lt(staffSessions.lastSeenAt, idleBefore), lt(staffSessions.startedAt, startedBefore)));
}

// Sign-in failures

export async function insertLoginFailure(db: DbOrTx, key: string, at: Date): Promise<number> {
  const { loginFailures } = tablesOf(db);
  const [row] = await db.insert(loginFailures).values({ key, at }).returning({ id: loginFailures.id });
  return row!.id;
}

/** Removes failures by id (a provisional failure, counted while a password was checked, that turned out right). */
export async function deleteLoginFailuresById(db: DbOrTx, ids: readonly number[]): Promise<void> {
  const { loginFailures } = tablesOf(db);
  if (ids.length > 0) await db.delete(loginFailures).where(inArray(loginFailures.id, [...ids]));
}

/** Times (ms) of failures for `key` at or after `since`, oldest first. */
export async function loginFailureTimes(db: DbOrTx, key: string, since: Date): Promise<number[]> {
  const { loginFailures } = tablesOf(db);
  const rows = await db
    .select({ at: loginFailures.at })
    .from(loginFailures)
    .where(and(eq(loginFailures.key, key), gte(loginFailures.at, since)))
    .orderBy(asc(loginFailures.at));
  return rows.map((r) => r.at.getTime());
}

export async function deleteLoginFailures(db: DbOrTx, key: string): Promise<void> {
  const { loginFailures } = tablesOf(db);
  await db.delete(loginFailures).where(eq(loginFailures.key, key));
}

export async function deleteLoginFailuresBefore(db: DbOrTx, before: Date): Promise<void> {
  const { loginFailures } = tablesOf(db);
  await db.delete(loginFailures).where(lt(loginFailures.at, before));
}

// TOTP steps

/** The latest used step at or after `step` for the account (what made a code count as reused), if any. */
export async function usedTotpStepFrom(db: DbOrTx, staffId: number, step: number) {
  const { totpUsedSteps } = tablesOf(db);
  const [row] = await db
    .select()
    .from(totpUsedSteps)
    .where(and(eq(totpUsedSteps.staffId, staffId), gte(totpUsedSteps.step, step)))
    .orderBy(desc(totpUsedSteps.step))
    .limit(1);
  return row;
}

export async function insertTotpStep(
  db: DbOrTx,
  staffId: number,
  step: number,
  usedFor: 'sign-in' | 'enrolment' = 'sign-in',
): Promise<void> {
  const { totpUsedSteps } = tablesOf(db);
  await db.insert(totpUsedSteps).values({ staffId, step, usedFor });
}

export async function deleteTotpStepsOf(db: DbOrTx, staffId: number): Promise<void> {
  const { totpUsedSteps } = tablesOf(db);
  await db.delete(totpUsedSteps).where(eq(totpUsedSteps.staffId, staffId));
}

// One-time links

export async function insertToken(
  db: DbOrTx,
  values: { tokenHash: string; purpose: TokenPurpose; staffId: number | null; expiresAt: Date },
): Promise<void> {
  const { staffTokens } = tablesOf(db);
  await db.insert(staffTokens).values(values);
}

export async function findToken(db: DbOrTx, tokenHash: string) {
  const { staffTokens } = tablesOf(db);
  const [row] = await db.select().from(staffTokens).where(eq(staffTokens.tokenHash, tokenHash));
  return row;
}

/** True when a token exists, is unused and has not expired at `now`. */
export async function isTokenLive(db: DbOrTx, tokenHash: string, now: Date): Promise<boolean> {
  const row = await findToken(db, tokenHash);
  return Boolean(row && !row.usedAt && row.expiresAt.getTime() > now.getTime());
}

/**
 * Marks a token used; false when it was already used (so two tabs cannot both use it) or has
 * expired at `now` (checked in the same update: a link may run out while a password hashes or an
 * enrolment step goes on).
 */
export async function markTokenUsed(db: DbOrTx, tokenHash: string, now: Date): Promise<boolean> {
  const { staffTokens } = tablesOf(db);
  const marked = await db
    .update(staffTokens)
    .set({ usedAt: now })
    .where(and(eq(staffTokens.tokenHash, tokenHash), isNull(staffTokens.usedAt), gt(staffTokens.expiresAt, now)))
    .returning({ tokenHash: staffTokens.tokenHash });
  return marked.length === 1;
}

/** Ends every unused link of a purpose (optionally for one account); returns how many. */
export async function expireTokens(db: DbOrTx, purpose: TokenPurpose, now: Date, staffId?: number): Promise<number> {
  const { staffTokens } = tablesOf(db);
  const expired = await db
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
    .returning({ tokenHash: staffTokens.tokenHash });
  return expired.length;
}

// TOTP secrets at rest: these see the stored, sealed value, not the plain text.

/** Seals TOTP secrets stored in plain text (by a version before encryption) with the handle's key; returns how many. */
export async function sealPlainTotpSecrets(db: Db): Promise<number> {
  const key = contextOf(db).secretKeys.current();
  return await transaction(db, async (tx) => {
    const { staff } = tablesOf(tx);
    const stored = await tx
      .select({ id: staff.id, value: staff.totpSecret })
      .from(staff)
      .where(isNotNull(staff.totpSecret));
    const plain = stored.filter((r) => !isSealed(r.value!));
    for (const r of plain)
      await tx
        .update(staff)
        .set({ totpSecret: seal(key, r.value!, TOTP_SECRET_CONTEXT) })
        .where(eq(staff.id, r.id));
    return plain.length;
  });
}

/** The ids of the keys the stored TOTP secrets were sealed with. */
export async function totpSecretKeyIds(db: Db): Promise<string[]> {
  const { staff } = tablesOf(db);
  const stored = await db.select({ value: staff.totpSecret }).from(staff).where(isNotNull(staff.totpSecret));
  return [...new Set(stored.flatMap((r) => sealedKeyId(r.value!) ?? []))];
}

/** Re-seals every TOTP secret from key `from` to key `to`, all or none; returns how many. */
export async function resealTotpSecrets(db: Db, from: Buffer, to: Buffer): Promise<number> {
  return await transaction(db, async (tx) => {
    const { staff } = tablesOf(tx);
    const rows = await tx
      .select({ id: staff.id, value: staff.totpSecret })
      .from(staff)
      .where(isNotNull(staff.totpSecret));
    for (const r of rows) {
      const resealed = seal(to, open(from, r.value!, TOTP_SECRET_CONTEXT), TOTP_SECRET_CONTEXT);
      await tx.update(staff).set({ totpSecret: resealed }).where(eq(staff.id, r.id));
    }
    return rows.length;
  });
}
