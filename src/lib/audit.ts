/**
 * The audit log as admins browse it: parse the filter form (GET query) and list entries.
 * Entries are written with recordAudit (db/audit.ts) in the transaction of each change.
 */
import { auditActions, listAudit, type AuditFilters, type AuditListRow } from '../../db/audit.ts';
import type { Runtime } from './runtime.ts';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditQuery {
  action: string;
  actor: string;
  entityType: string;
  entityId: string;
  page: number;
}

/** Reads filters from the query string; anything malformed is ignored rather than an error. */
export function parseAuditQuery(params: URLSearchParams): AuditQuery {
  const text = (name: string) => (params.get(name) ?? '').trim().slice(0, 100);
  const page = Number(params.get('page'));
  return {
    action: text('action'),
    actor: text('actor'),
    entityType: text('entityType'),
    entityId: text('entityId'),
    page: Number.isSafeInteger(page) && page > 0 && page < 100_000 ? page : 1,
  };
}

export function browseAudit(rt: Runtime, query: AuditQuery): { entries: AuditListRow[]; hasMore: boolean; actions: string[] } {
  const filters: AuditFilters = {
    action: query.action || undefined,
    entityType: query.entityType || undefined,
    entityId: query.entityId || undefined,
    limit: AUDIT_PAGE_SIZE + 1,
    offset: (query.page - 1) * AUDIT_PAGE_SIZE,
  };
  if (query.actor === 'none') filters.actorId = undefined;
  else if (/^\d+$/.test(query.actor)) filters.actorId = Number(query.actor);
  let entries = listAudit(rt.db, filters);
  if (query.actor === 'none') entries = entries.filter((e) => e.actorId === null);
  const hasMore = entries.length > AUDIT_PAGE_SIZE;
  return { entries: entries.slice(0, AUDIT_PAGE_SIZE), hasMore, actions: auditActions(rt.db) };
}
