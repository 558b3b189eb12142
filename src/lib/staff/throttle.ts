/**
 * Sign-in throttling (ASVS 6.1.1) without letting a stranger lock the real person out
 * (docs/decisions/016-account-recovery-and-sign-in-limits.md). Three counts of failed attempts
 * (wrong passwords, wrong or reused security codes) in any 15 minutes:
 *
 * - one account from one client network (an IPv4 address, or an IPv6 /64): at most 5, then that
 *   network is refused for that account until the oldest counted failure is 15 minutes old;
 * - one client network across all accounts: at most 20, then refused the same way;
 * - one account from anywhere: from 10 on, the account is "guarded": the password is no longer
 *   checked on its own. The sign-in form then asks for the password and the security code
 *   together and says only whether both were right, so guessing the password from many
 *   addresses learns nothing, while the real person (right password + a valid code) still
 *   signs in.
 *
 * Pure functions here; the counts come from db/staff.ts.
 */
import { limitGroup } from '../platform/index.ts';

export const THROTTLE = { windowMs: 15 * 60 * 1000, perAccountPerNetwork: 5, perIp: 20, accountGuard: 10 } as const;

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAt: Date };

/**
 * Decides from the failure times (ms, any order) inside or outside the window: `accountFailures`
 * are this account's from this client network, `ipFailures` this network's for every account.
 */
export function throttleDecision(
  accountFailures: readonly number[],
  ipFailures: readonly number[],
  now: Date,
  limits: { windowMs: number; perAccountPerNetwork: number; perIp: number } = THROTTLE,
): ThrottleDecision {
  const since = now.getTime() - limits.windowMs;
  let retryAt = 0;
  for (const [times, limit] of [
    [accountFailures, limits.perAccountPerNetwork],
    [ipFailures, limits.perIp],
  ] as const) {
    const recent = times.filter((t) => t > since).sort((a, b) => a - b);
    if (recent.length >= limit) {
      // Allowed again once enough of them have aged out of the window.
      retryAt = Math.max(retryAt, recent[recent.length - limit]! + limits.windowMs);
    }
  }
  return retryAt ? { allowed: false, retryAt: new Date(retryAt) } : { allowed: true };
}

/** Whether an account's failures from every address (ms) make it guarded now. */
export function isGuarded(
  accountFailures: readonly number[],
  now: Date,
  limits: { windowMs: number; accountGuard: number } = THROTTLE,
): boolean {
  const since = now.getTime() - limits.windowMs;
  return accountFailures.filter((t) => t > since).length >= limits.accountGuard;
}

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const accountNetworkKey = (email: string, ip: string | null) =>
  `account-net:${email.trim().toLowerCase()}|${limitGroup(ip)}`;
export const ipKey = (ip: string | null) => `net:${limitGroup(ip)}`;
