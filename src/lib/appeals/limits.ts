/**
 * Public limits applied ahead of the pages (from src/middleware.ts), so they hold for every page
 * under a path: private status links (wrong links counted per IP; see statusLinkLimit) and sending
 * an appeal (per journey, per email address and per IP, each per hour). Case-reference lookups are
 * limited in the journey itself (src/lib/appeals/journey.ts), sign-ups in src/lib/principles/change-alerts.ts, sign-in in src/lib/staff/throttle.ts.
 */
import { findAppealByTokenHash } from '../../../db/appeals.ts';
import {
  appealSendLimits,
  checkRateLimit,
  hitRateLimit,
  hitRateLimitKey,
  statusLinkLimit,
  type RateLimitResult,
  type Runtime,
  hashToken,
} from '../platform/index.ts';

const STATUS_PATH = /^\/appeal\/status\/([^/]*)/;
export const APPEAL_SEND_PATH = '/appeal/check-answers';

export type LimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * For a request to a private status link: refused once this client has tried too many wrong
 * links; otherwise a wrong link is counted. Other paths are always allowed.
 */
export async function statusLinkGuard(rt: Runtime, pathname: string, client: string): Promise<LimitDecision> {
  const match = STATUS_PATH.exec(pathname);
  if (!match) return { ok: true };
  const limit = statusLinkLimit(rt.config);
  const before = await checkRateLimit(rt, limit, client);
  if (!before.ok) return before;
  let token: string;
  try {
    token = decodeURIComponent(match[1] ?? '');
  } catch {
    token = '';
  }
  const known =
    /^[A-Za-z0-9_-]{22,200}$/.test(token) && (await findAppealByTokenHash(rt.db, hashToken(token))) !== undefined;
  if (!known) await hitRateLimit(rt, limit, client);
  return { ok: true };
}

/** Whether a request is the POST that sends an appeal (the only one appealSendGuard counts). */
export function isAppealSend(method: string, pathname: string): boolean {
  return method.toUpperCase() === 'POST' && pathname.replace(/\/$/, '') === APPEAL_SEND_PATH;
}

/** The journey sending an appeal, as `liveJourney` (src/lib/appeals/journeys.ts) gives it. */
export interface SendingJourney {
  /** The stored hash of the journey's id. */
  key: string;
  data: Record<string, unknown>;
}

/** The counter key for an email address: a hash of it, trimmed and in lower case, never the address. */
export function emailLimitKey(email: string): string {
  return hashToken(email.trim().toLowerCase());
}

/**
 * For a POST that sends an appeal: counted per journey, per email address and per client IP
 * address (appealSendLimits), and refused once any of them is over its limit. Many people behind
 * one shared address (a hospital, a library) each have their own journey and email address, so
 * only the high per-address ceiling is shared; one browser, or one email address across many
 * fresh journeys, is held back long before it. A POST with no live journey sends nothing (the
 * page sends the browser back to a step) and counts only against the address.
 */
export async function appealSendGuard(
  rt: Runtime,
  method: string,
  pathname: string,
  client: string,
  journey?: SendingJourney,
): Promise<LimitDecision> {
  if (!isAppealSend(method, pathname)) return { ok: true };
  const limits = appealSendLimits(rt.config);
  const email = typeof journey?.data['email'] === 'string' ? journey.data['email'] : undefined;
  // In this order, so one person's own limits answer before the shared address's ceiling.
  const checks: (() => Promise<RateLimitResult>)[] = [];
  if (journey) checks.push(() => hitRateLimitKey(rt, limits.journey, journey.key));
  if (email) checks.push(() => hitRateLimitKey(rt, limits.email, emailLimitKey(email)));
  checks.push(() => hitRateLimit(rt, limits.address, client));
  for (const check of checks) {
    const result = await check();
    if (!result.ok) return result;
  }
  return { ok: true };
}
