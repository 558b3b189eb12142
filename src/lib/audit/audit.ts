/**
 * The audit log as admins browse it: parse the filter form (GET query), list entries a page at a
 * time, and download them as CSV. Entries are written with recordAudit (db/audit.ts) in the
 * transaction of each change. Everything staff read is in words (src/lib/platform/labels.ts).
 */
import { auditActions, listAudit, recordAudit, type AuditFilters, type AuditListRow } from '../../../db/audit.ts';
import { transaction } from '../../../db/transactions.ts';
import {
  csvCell,
  formatDateTime,
  auditActionLabel,
  auditDetailsInWords,
  parseDayRange,
  parsePage,
  type DayRange,
  type Runtime,
} from '../platform/index.ts';

export const AUDIT_PAGE_SIZE = 50;
/** The most entries one CSV download holds; narrow the dates for more. */
export const AUDIT_EXPORT_MAX = 50_000;

export interface AuditQuery {
  action: string;
  actor: string;
  entityType: string;
  entityId: string;
  /** As typed (YYYY-MM-DD), for re-filling the form. */
  from: string;
  to: string;
  range: DayRange;
  page: number;
}

export type AuditQueryResult =
  { ok: true; query: AuditQuery } | { ok: false; query: AuditQuery; errors: Record<string, string> };

/** Reads filters from the query string; a date that is not a real date is an error for the field. */
export function parseAuditQuery(params: URLSearchParams): AuditQueryResult {
  const text = (name: string) => (params.get(name) ?? '').trim().slice(0, 100);
  const dates = parseDayRange(params);
  const query: AuditQuery = {
    action: text('action'),
    actor: text('actor'),
    entityType: text('entityType'),
    entityId: text('entityId'),
    from: text('from'),
    to: text('to'),
    range: dates.ok ? dates.range : { from: undefined, to: undefined },
    page: parsePage(params),
  };
  return dates.ok ? { ok: true, query } : { ok: false, query, errors: dates.errors };
}

function filtersOf(query: AuditQuery): AuditFilters {
  const filters: AuditFilters = {
    action: query.action || undefined,
    entityType: query.entityType || undefined,
    entityId: query.entityId || undefined,
    from: query.range.from,
    to: query.range.to,
  };
  if (query.actor === 'none') filters.actorId = null;
  else if (/^\d{1,9}$/.test(query.actor)) filters.actorId = Number(query.actor);
  return filters;
}

export interface AuditLine {
  id: number;
  at: Date;
  who: string;
  action: string;
  record: string;
  from: string;
  details: string;
}

/** One entry as staff read it. */
export function auditLine(e: AuditListRow): AuditLine {
  return {
    id: e.id,
    at: e.at,
    who: e.actorId === null ? 'Command line or system' : `${e.actorName} (${e.actorEmail})`,
    action: auditActionLabel(e.action),
    record: `${e.entityType}${e.entityId ? ` ${e.entityId}` : ''}`,
    from: e.ip ?? 'Unknown',
    details: auditDetailsInWords(e.action, e.details) || 'No further details',
  };
}

export async function browseAudit(
  rt: Runtime,
  query: AuditQuery,
): Promise<{ entries: AuditLine[]; hasMore: boolean; actions: { code: string; label: string }[] }> {
  const entries = await listAudit(rt.db, {
    ...filtersOf(query),
    limit: AUDIT_PAGE_SIZE + 1,
    offset: (query.page - 1) * AUDIT_PAGE_SIZE,
  });
  const hasMore = entries.length > AUDIT_PAGE_SIZE;
  const actions = (await auditActions(rt.db)).map((code) => ({ code, label: auditActionLabel(code) }));
  actions.sort((a, b) => a.label.localeCompare(b.label));
  return { entries: entries.slice(0, AUDIT_PAGE_SIZE).map(auditLine), hasMore, actions };
}

export { csvCell };

export type AuditExport = { ok: true; csv: string; rows: number } | { ok: false; error: 'too-many'; rows: number };

/**
 * The entries matching the filters as CSV (newest first, all pages), in words with the stored
 * codes alongside for anyone who needs to match them. The download itself is audited, in the
 * same transaction as the read, so there is no download without its entry.
 */
export async function exportAudit(
  rt: Runtime,
  query: AuditQuery,
  actor: { id: number; ip: string | null },
): Promise<AuditExport> {
  return transaction(rt.db, async (tx): Promise<AuditExport> => {
    const rows = await listAudit(tx, { ...filtersOf(query), limit: AUDIT_EXPORT_MAX + 1, max: AUDIT_EXPORT_MAX + 1 });
    if (rows.length > AUDIT_EXPORT_MAX) return { ok: false, error: 'too-many', rows: rows.length };
    const header = [
      'When (UK time)',
      'When (ISO 8601)',
      'Who',
      'What happened',
      'Record',
      'From',
      'Details',
      'Action code',
    ];
    const lines = [header.map(csvCell).join(',')];
    for (const e of rows) {
      const l = auditLine(e);
      lines.push(
        [formatDateTime(l.at), l.at.toISOString(), l.who, l.action, l.record, l.from, l.details, e.action]
          .map(csvCell)
          .join(','),
      );
    }
    const filters: Record<string, string> = {};
    for (const k of ['action', 'actor', 'entityType', 'entityId', 'from', 'to'] as const)
      if (query[k]) filters[k] = query[k];
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'audit.exported',
      entityType: 'audit',
      entityId: null,
      ip: actor.ip,
      details: { rows: rows.length, filters },
    });
    return { ok: true, csv: `${lines.join('\r\n')}\r\n`, rows: rows.length };
  });
}
