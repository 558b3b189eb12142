/**
 * The outbox as staff see it: list messages, count them for /healthz, retry a failed one.
 * Writing and delivering are in db/outbox.ts (enqueueEmail) and src/lib/email/worker.ts.
 */
import {
  countEmailsByState,
  findEmail,
  listEmails,
  redactSecrets,
  requeueFailedEmail,
  type EmailFilters,
} from '../../../db/outbox.ts';
import { recordAudit } from '../../../db/audit.ts';
import type { DbOrTx } from '../../../db/client.ts';
import { transaction } from '../../../db/transactions.ts';
import { OUTBOX_STATES, type OutboxRow, type OutboxState } from '../../../db/schema.ts';
import {
  EMAIL_KINDS,
  emailKindLabel,
  outboxStateLabel,
  parseDayRange,
  parsePage,
  type DayRange,
  type Runtime,
} from '../platform/index.ts';

export type { OutboxRow, OutboxState };

/**
 * Messages newest first (at most `limit`, default 200), filtered. Staff see every message without
 * its private links, even one not delivered yet (it keeps them until then).
 */
export async function listOutbox(rt: Runtime, options: EmailFilters = {}): Promise<OutboxRow[]> {
  return (await listEmails(rt.db, options)).map(withoutSecrets);
}

/** The copy of a message staff may read: private links replaced by the marker, none listed. */
export function withoutSecrets(row: OutboxRow): OutboxRow {
  return { ...redactSecrets(row, row.secrets), secrets: null };
}

/** The colour of each state's tag on the outbox page (nhsuk-tag modifiers). */
export const OUTBOX_STATE_TAGS: Record<OutboxState, string> = {
  queued: 'nhsuk-tag--blue',
  sending: 'nhsuk-tag--yellow',
  sent: 'nhsuk-tag--green',
  failed: 'nhsuk-tag--red',
};

export const OUTBOX_PAGE_SIZE = 50;

export interface OutboxQuery {
  state: OutboxState | '';
  kind: string;
  from: string;
  to: string;
  range: DayRange;
  page: number;
}

export type OutboxQueryResult =
  { ok: true; query: OutboxQuery } | { ok: false; query: OutboxQuery; errors: Record<string, string> };

/** Reads the outbox filters (state, kind, created between two days) and the page from the query string. */
export function parseOutboxQuery(params: URLSearchParams): OutboxQueryResult {
  const state = params.get('state') ?? '';
  const kind = (params.get('kind') ?? '').trim().slice(0, 60);
  const dates = parseDayRange(params);
  const errors: Record<string, string> = dates.ok ? {} : { ...dates.errors };
  const okState = state === '' || (OUTBOX_STATES as readonly string[]).includes(state);
  if (!okState) errors.state = 'Select a state from the list';
  if (kind !== '' && !/^[a-z0-9][a-z0-9-]*$/.test(kind)) errors.kind = 'Select a kind of email from the list';
  const query: OutboxQuery = {
    state: okState ? (state as OutboxState | '') : '',
    kind: errors.kind ? '' : kind,
    from: (params.get('from') ?? '').trim().slice(0, 20),
    to: (params.get('to') ?? '').trim().slice(0, 20),
    range: dates.ok ? dates.range : { from: undefined, to: undefined },
    page: parsePage(params),
  };
  return Object.keys(errors).length ? { ok: false, query, errors } : { ok: true, query };
}

export interface OutboxLine extends OutboxRow {
  kindLabel: string;
  stateLabel: string;
}

/** One page of messages matching the filters, newest first, with their labels in words. */
export async function browseOutbox(
  rt: Runtime,
  query: OutboxQuery,
): Promise<{ messages: OutboxLine[]; hasMore: boolean; kinds: { code: string; label: string }[] }> {
  const rows = await listEmails(rt.db, {
    ...(query.state ? { states: [query.state] } : {}),
    kind: query.kind || undefined,
    from: query.range.from,
    to: query.range.to,
    limit: OUTBOX_PAGE_SIZE + 1,
    offset: (query.page - 1) * OUTBOX_PAGE_SIZE,
  });
  const kinds: { code: string; label: string }[] = EMAIL_KINDS.map((code) => ({ code, label: emailKindLabel(code) }));
  if (query.kind && !kinds.some((k) => k.code === query.kind))
    kinds.push({ code: query.kind, label: emailKindLabel(query.kind) });
  kinds.sort((a, b) => a.label.localeCompare(b.label));
  return {
    messages: rows
      .slice(0, OUTBOX_PAGE_SIZE)
      .map((m) => ({ ...m, kindLabel: emailKindLabel(m.kind), stateLabel: outboxStateLabel(m.state) })),
    hasMore: rows.length > OUTBOX_PAGE_SIZE,
    kinds,
  };
}

export async function outboxCounts(rt: Runtime): Promise<{ queued: number; failed: number }> {
  const counts = await countEmailsByState(rt.db);
  return { queued: counts.queued + counts.sending, failed: counts.failed };
}

export type RetryResult = { ok: true; message: OutboxRow } | { ok: false; error: 'not-found' | 'not-failed' };

/**
 * Puts a failed message back in the queue, due now, with attempts reset; the worker sends it
 * again with the same Message-ID. `onRetried` runs in the same transaction (e.g. to write the
 * audit entry for `actorId`), so both happen or neither.
 */
export async function retryMessage(
  rt: Runtime,
  id: number,
  actorId: number,
  onRetried?: (tx: DbOrTx, event: { message: OutboxRow; actorId: number }) => Promise<void> | void,
): Promise<RetryResult> {
  return transaction(rt.db, async (tx): Promise<RetryResult> => {
    const message = await requeueFailedEmail(tx, id, rt.now());
    if (!message) return { ok: false, error: (await findEmail(tx, id)) ? 'not-failed' : 'not-found' };
    await onRetried?.(tx, { message, actorId });
    return { ok: true, message };
  });
}

/**
 * The outbox page's Retry button: `rawId` as posted. Requeues the failed email and writes
 * `outbox.retried` to the audit log in the same transaction (neither without the other).
 */
export async function retryFromOutbox(
  rt: Runtime,
  rawId: unknown,
  actor: { id: number; ip: string | null },
): Promise<{ ok: true; id: number } | { ok: false }> {
  const id = Number(rawId);
  if (!Number.isSafeInteger(id) || id <= 0) return { ok: false };
  const result = await retryMessage(rt, id, actor.id, (tx, { message }) =>
    recordAudit(tx, {
      actorId: actor.id,
      action: 'outbox.retried',
      entityType: 'outbox',
      entityId: String(message.id),
      ip: actor.ip,
      details: { kind: message.kind },
    }),
  );
  return result.ok ? { ok: true, id } : { ok: false };
}
