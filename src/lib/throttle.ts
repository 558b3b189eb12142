/**
 * Sign-in throttling: at most 5 failed attempts per account and 20 per IP address in any
 * 15 minutes. Once a limit is reached, further attempts are refused (without checking the
 * password) until the oldest counted failure is 15 minutes old. Pure functions here; the counts
 * come from db/staff.ts.
 */
import { limitGroup } from './client-group.ts';

export const THROTTLE = { windowMs: 15 * 60 * 1000, perAccount: 5, perIp: 20 } as const;

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAt: Date };

/** Decides from the failure times (ms, any order) inside or outside the window. */
export function throttleDecision(accountFailures: readonly number[], ipFailures: readonly number[], now: Date, limits = THROTTLE): ThrottleDecision {
  const since = now.getTime() - limits.windowMs;
  let retryAt = 0;
  for (const [times, limit] of [[accountFailures, limits.perAccount], [ipFailures, limits.perIp]] as const) {
    const recent = times.filter((t) => t > since).sort((a, b) => a - b);
    if (recent.length >= limit) {
      // Allowed again once enough of them have aged out of the window.
      retryAt = Math.max(retryAt, recent[recent.length - limit]! + limits.windowMs);
    }
  }
  return retryAt ? { allowed: false, retryAt: new Date(retryAt) } : { allowed: true };
}

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
/** Failures per client network: an IPv6 client's whole /64 (src/lib/client-group.ts). */
export const ipKey = (ip: string | null) => `ip:${limitGroup(ip)}`;
