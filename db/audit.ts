/**
 * The audit log: append-only. This module is the only one that touches `audit_log`, and it has
 * no update or delete: entries are written with recordAudit (inside the transaction of the change
 * they describe) and read with listAudit.
 */
import { and, desc, eq, gte, isNull, lt, type SQL } from 'drizzle-orm';
import { contextOf, type DbOrTx } from './client.ts';
import { tablesOf } from './dialect/index.ts';
import { byCodePoint, escapeLike, likeIgnoringCase } from './dialect/text.ts';
import type { AuditRow } from './schema.ts';

export interface AuditEntry {
  /** The staff member who acted; null for the command line or the system. */
  actorId: number | null;
  /** What happened, e.g. `staff.sign-in`, `staff.roles-changed`, `case.recorded`. */
  action: string;
  /** Which kind of record, e.g. `staff`, `case`, `appeal`. */
  entityType: string;
  entityId: string | null;
  /** Where the request came from (src/lib/platform/request.ts clientIp), `cli`, or null. */
  ip: string | null;
  details?: Record<string, unknown>;
}

/** Appends one entry. Call it with the `tx` of the change it records, so both happen or neither. */
export async function recordAudit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  const { auditLog } = tablesOf(db);
  // The handle's clock: the runtime's (createRuntime gives it to openDatabase).
  const now = contextOf(db).now();
  await db.insert(auditLog).values({
    at: now,
    actorId: entry.actorId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    ip: entry.ip,
    details: entry.details ?? null,
  });
}

export interface AuditFilters {
  /** A staff id, or null for entries by the command line or the system. */
  actorId?: number | null | undefined;
  /** Exact action, or a prefix ending in `*` (e.g. `staff.*`). */
  action?: string | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /** The most `limit` may be (500 unless raised, e.g. for the CSV download). */
  max?: number | undefined;
}

export type AuditListRow = AuditRow & { actorName: string | null; actorEmail: string | null };

/** Entries newest first, filtered. */
export async function listAudit(db: DbOrTx, filters: AuditFilters = {}): Promise<AuditListRow[]> {
  const { auditLog, staff } = tablesOf(db);
  const where: SQL[] = [];
  if (filters.actorId === null) where.push(isNull(auditLog.actorId));
  else if (filters.actorId !== undefined) where.push(eq(auditLog.actorId, filters.actorId));
  if (filters.action) {
    where.push(
      filters.action.endsWith('*')
        ? // A prefix: any % or _ typed is dropped, the rest matched literally.
          likeIgnoringCase(db, auditLog.action, `${escapeLike(filters.action.slice(0, -1).replace(/[%_]/g, ''))}%`)
        : eq(auditLog.action, filters.action),
    );
  }
  if (filters.entityType) where.push(eq(auditLog.entityType, filters.entityType));
  if (filters.entityId) where.push(eq(auditLog.entityId, filters.entityId));
  if (filters.from) where.push(gte(auditLog.at, filters.from));
  if (filters.to) where.push(lt(auditLog.at, filters.to));
  const rows = await db
    .select({ entry: auditLog, actorName: staff.name, actorEmail: staff.email })
    .from(auditLog)
    .leftJoin(staff, eq(staff.id, auditLog.actorId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(Math.min(filters.limit ?? 100, filters.max ?? 500))
    .offset(filters.offset ?? 0);
  return rows.map((r) => ({ ...r.entry, actorName: r.actorName, actorEmail: r.actorEmail }));
}

/** The distinct actions recorded so far, for the filter list. */
export async function auditActions(db: DbOrTx): Promise<string[]> {
  const { auditLog } = tablesOf(db);
  const action = byCodePoint(db, auditLog.action);
  const rows = await db.selectDistinct({ action }).from(auditLog).orderBy(action);
  return rows.map((r) => r.action);
}
