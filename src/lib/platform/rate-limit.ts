/**
 * Per-client rate limits, counted in the database so they hold across restarts and processes.
 */
import { countHit, deleteOldRateLimits, peekHits } from '../../../db/journeys.ts';
import { limitGroup } from './client-group.ts';
import type { Runtime, Scope } from './scope.ts';

export interface RateLimit {
  /** Name of what is limited, e.g. `case-lookup`. */
  name: string;
  max: number;
  windowMs: number;
}

/**
 * Case-reference lookups per IP in 10 minutes (CASE_LOOKUPS_PER_10_MINUTES, default 20): generous
 * for a person with typos, useless for guessing references.
 */
export function caseLookupLimit(config: { caseLookupsPer10Minutes: number }): RateLimit {
  return { name: 'case-lookup', max: config.caseLookupsPer10Minutes, windowMs: 10 * 60_000 };
}

export type RateLimitResult = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

/** Counts one attempt by `client` (an IP address, counted by its limitGroup) and says whether it is allowed. */
export async function hitRateLimit(rt: Scope, limit: RateLimit, client: string): Promise<RateLimitResult> {
  return hitRateLimitKey(rt, limit, limitGroup(client));
}

/**
 * Counts one attempt under `key` as it is (not an IP address: a journey's or an email address's
 * hash, say; never personal data in the clear) and says whether it is allowed.
 */
export async function hitRateLimitKey(rt: Scope, limit: RateLimit, key: string): Promise<RateLimitResult> {
  const now = rt.now();
  const { count, windowStart } = await countHit(rt.db, `${limit.name}:${key}`, now, limit.windowMs);
  // Old counters are cleared now and then rather than on a schedule.
  if (count === 1) await deleteOldRateLimits(rt.db, new Date(now.getTime() - 24 * 60 * 60_000));
  if (count <= limit.max) return { ok: true, remaining: limit.max - count };
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + limit.windowMs - now.getTime()) / 1000));
  return { ok: false, retryAfterSeconds };
}

/**
 * Wrong private status links per IP in 10 minutes (STATUS_LINK_MISSES_PER_10_MINUTES, default 20).
 * Only misses count, so a person reloading their own link is never limited; once the limit is
 * reached every status link is refused for the rest of the window, so guessing cannot go on.
 */
export function statusLinkLimit(config: { statusLinkMissesPer10Minutes: number }): RateLimit {
  return { name: 'status-link-miss', max: config.statusLinkMissesPer10Minutes, windowMs: 10 * 60_000 };
}

/**
 * Appeals sent in an hour, counted three ways (decision 026): per journey
 * (APPEALS_PER_JOURNEY_PER_HOUR, default 5) and per email address (APPEALS_PER_EMAIL_PER_HOUR,
 * default 5), which hold back one person, and per IP address (APPEALS_PER_HOUR, default 100), a
 * ceiling high enough for a hospital's or a library's shared connection that still stops a flood.
 */
export function appealSendLimits(config: {
  appealsPerHour: number;
  appealsPerJourneyPerHour: number;
  appealsPerEmailPerHour: number;
}): {
  journey: RateLimit;
  email: RateLimit;
  address: RateLimit;
} {
  const hour = 60 * 60_000;
  return {
    journey: { name: 'appeal-send-journey', max: config.appealsPerJourneyPerHour, windowMs: hour },
    email: { name: 'appeal-send-email', max: config.appealsPerEmailPerHour, windowMs: hour },
    address: { name: 'appeal-send', max: config.appealsPerHour, windowMs: hour },
  };
}

/** Whether `client` has used up `limit` already, without counting an attempt. */
export async function checkRateLimit(rt: Runtime, limit: RateLimit, client: string): Promise<RateLimitResult> {
  const now = rt.now();
  const { count, windowStart } = await peekHits(rt.db, `${limit.name}:${limitGroup(client)}`, now, limit.windowMs);
  if (count < limit.max) return { ok: true, remaining: limit.max - count };
  return {
    ok: false,
    retryAfterSeconds: Math.max(1, Math.ceil((windowStart.getTime() + limit.windowMs - now.getTime()) / 1000)),
  };
}

/** "You have tried too many case references. Wait 7 minutes, then try again" (a 429's field error). */
export function tooManyMessage(what: string, retryAfterSeconds: number): string {
  return `${what}. ${waitInWords(retryAfterSeconds)}, then try again`;
}

/**
 * "Wait 7 minutes" for a wait in seconds (RateLimitResult.retryAfterSeconds), rounded up to whole
 * minutes. Anything that is not 1 second to an hour (NaN from a missing or odd URL value, say)
 * gives the longest window any limit has: "Wait up to an hour".
 */
export function waitInWords(seconds: number): string {
  if (!(seconds >= 1 && seconds <= 60 * 60)) return 'Wait up to an hour';
  const minutes = Math.ceil(seconds / 60);
  return minutes === 60 ? 'Wait 1 hour' : `Wait ${minutes} minute${minutes === 1 ? '' : 's'}`;
}
