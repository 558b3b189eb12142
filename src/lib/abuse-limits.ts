/**
 * Public limits applied ahead of the pages (from src/middleware.ts), so they hold for every page
 * under a path: private status links (wrong links counted per IP; see statusLinkLimit) and sending
 * an appeal (per IP per hour). Case-reference lookups are limited in the journey itself
 * (src/lib/appeal-journey.ts), sign-ups in src/lib/change-alerts.ts, sign-in in src/lib/throttle.ts.
 */
import { findAppealByTokenHash } from '../../db/appeals.ts';
import { hashStatusToken } from './appeals.ts';
import { appealSendLimit, checkRateLimit, hitRateLimit, statusLinkLimit } from './rate-limit.ts';
import type { Runtime } from './runtime.ts';

const STATUS_PATH = /^\/appeal\/status\/([^/]*)/;
export const APPEAL_SEND_PATH = '/appeal/check-answers';

export type LimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * For a request to a private status link: refused once this client has tried too many wrong
 * links; otherwise a wrong link is counted. Other paths are always allowed.
 */
export function statusLinkGuard(rt: Runtime, pathname: string, client: string): LimitDecision {
  const match = STATUS_PATH.exec(pathname);
  if (!match) return { ok: true };
  const limit = statusLinkLimit(rt.config);
  const before = checkRateLimit(rt, limit, client);
  if (!before.ok) return before;
  let token: string;
  try {
    token = decodeURIComponent(match[1] ?? '');
  } catch {
    token = '';
  }
  const known = /^[A-Za-z0-9_-]{22,200}$/.test(token) && findAppealByTokenHash(rt.db, hashStatusToken(token)) !== undefined;
  if (!known) hitRateLimit(rt, limit, client);
  return { ok: true };
}

/** For a POST that sends an appeal: counted, and refused over APPEALS_PER_HOUR. */
export function appealSendGuard(rt: Runtime, method: string, pathname: string, client: string): LimitDecision {
  if (method.toUpperCase() !== 'POST' || pathname.replace(/\/$/, '') !== APPEAL_SEND_PATH) return { ok: true };
  const result = hitRateLimit(rt, appealSendLimit(rt.config), client);
  return result.ok ? { ok: true } : result;
}
