/**
 * Who may open which staff URL: ONE table for every page under /staff/. Later pages are added
 * under a prefix here. The longest matching prefix wins; a /staff/ URL that matches no rule needs
 * the admin role (so a page added without a rule fails closed).
 *
 * Roles are independent: admin does not include moderator or reviewer (grant them explicitly).
 */
import type { Role } from './accounts.ts';

export type Access = 'public' | 'any-staff' | readonly Role[];

/**
 * `access` lists the roles of which the person needs at least one. `write`, when given, is what a
 * form post (any method but GET and HEAD) needs instead: a page others may read but not change.
 */
export const STAFF_ACCESS_RULES: readonly { prefix: string; access: Access; write?: readonly Role[] }[] = [
  // Signing in: the password page, the security code step and TOTP enrolment, and signing out.
  { prefix: '/staff/login', access: 'public' },
  { prefix: '/staff/sign-out', access: 'public' },
  { prefix: '/staff', access: 'any-staff' },
  // Everyone's own account: change password, see and end their sessions.
  { prefix: '/staff/account', access: 'any-staff' },
  { prefix: '/staff/admin', access: ['admin'] },
  { prefix: '/staff/audit', access: ['admin'] },
  { prefix: '/staff/outbox', access: ['admin'] },
  { prefix: '/staff/principles', access: ['admin'] },
  { prefix: '/staff/templates', access: ['admin'] },
  // Reviewers read cases (to check one, or find the case for a no-reference appeal); only
  // moderators record or change them.
  { prefix: '/staff/cases', access: ['moderator', 'reviewer'], write: ['moderator'] },
  { prefix: '/staff/cases/new', access: ['moderator'] },
  { prefix: '/staff/appeals', access: ['reviewer'] },
  // Open follow-ups across appeals (ticked off on each appeal's page, which reviewers open).
  { prefix: '/staff/follow-ups', access: ['reviewer'] },
];

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

/**
 * The access rule for a path (and method: a form post needs the rule's `write` roles when it has
 * some); null for paths outside /staff (not guarded here).
 */
export function accessFor(pathname: string, method = 'GET'): Access | null {
  const path = pathname.replace(/\/{2,}/g, '/').replace(/\/$/, '') || '/';
  if (!under(path.toLowerCase(), '/staff')) return null;
  let best: (typeof STAFF_ACCESS_RULES)[number] | undefined;
  for (const rule of STAFF_ACCESS_RULES) {
    if (under(path.toLowerCase(), rule.prefix) && (!best || rule.prefix.length > best.prefix.length)) best = rule;
  }
  // Only /staff itself matches the bare rule; deeper URLs without their own rule need admin.
  if (best?.prefix === '/staff' && path.toLowerCase() !== '/staff') return ['admin'];
  if (best?.write && method !== 'GET' && method !== 'HEAD') return best.write;
  return best?.access ?? ['admin'];
}

export function mayAccess(roles: readonly Role[], access: Access): boolean {
  if (access === 'public' || access === 'any-staff') return true;
  return access.some((r) => roles.includes(r));
}

/** Whether a signed-in person may open a path (for showing links only to what they can open). */
export function canOpen(roles: readonly Role[], pathname: string): boolean {
  const access = accessFor(pathname);
  return access === null || mayAccess(roles, access);
}

/** Whether a signed-in person may post forms to a path (for showing edit controls only to them). */
export function canChange(roles: readonly Role[], pathname: string): boolean {
  const access = accessFor(pathname, 'POST');
  return access === null || mayAccess(roles, access);
}
