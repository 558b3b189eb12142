/**
 * "It worked" banners after a staff form post (POST-redirect-GET): the page that handled the post
 * sets a one-time flash cookie holding a key from a fixed list (never free text), and the page it
 * redirects to takes it once, so a refresh does not repeat the banner and the address stays the
 * same. The cookie is HttpOnly, SameSite=Lax, limited to one path, and lives a minute at most.
 */

/** The few cookie operations needed (Astro's AstroCookies has them; no Astro import here). */
export interface CookieJar {
  get(name: string): { value: string } | undefined;
  set(
    name: string,
    value: string,
    options: { path: string; httpOnly: boolean; sameSite: 'lax' | 'strict'; secure: boolean; maxAge: number },
  ): void;
  delete(name: string, options: { path: string }): void;
}

export const FLASH_COOKIE = 'fh_flash';
const MAX_AGE_SECONDS = 60;

/** What each staff action on an appeal says once it is done. */
export const APPEAL_DONE_MESSAGES = {
  start: 'Review started. The appeal is assigned to you if it was not assigned already.',
  'assign-me': 'The appeal is assigned to you.',
  assign: 'Assignment changed.',
  note: 'Note added.',
  'request-info': 'Request sent. The appellant has been emailed and the time limit is paused until they reply.',
  'link-case': 'Appeal linked to the case.',
  resume: 'Review resumed. The due date has moved on by the working days the clock was paused.',
  'follow-up': 'Follow-up marked as done.',
  send: 'Decision recorded.',
} as const;

/** What the banner adds when the action emailed the appellant (or could not: no address). */
export function appealDoneMessage(key: AppealDone, appellantHasEmail: boolean): string {
  const base = APPEAL_DONE_MESSAGES[key];
  if (key === 'follow-up')
    return `${base} ${appellantHasEmail ? 'The appellant has been emailed to say so.' : 'The appellant gave no email address, so nobody was emailed.'}`;
  if (key === 'send')
    return `${base} ${appellantHasEmail ? 'The appellant has been emailed the decision.' : 'The appellant gave no email address, so nobody was emailed.'}`;
  return base;
}
export type AppealDone = keyof typeof APPEAL_DONE_MESSAGES;

export function setFlash(cookies: CookieJar, path: string, key: string, secure: boolean): void {
  cookies.set(FLASH_COOKIE, key, { path, httpOnly: true, sameSite: 'lax', secure, maxAge: MAX_AGE_SECONDS });
}

/** The flash key if it is one of `known` (then the cookie is cleared), else undefined. */
export function takeFlash<K extends string>(cookies: CookieJar, path: string, known: Record<K, string>): K | undefined {
  const value = cookies.get(FLASH_COOKIE)?.value;
  if (value === undefined) return undefined;
  cookies.delete(FLASH_COOKIE, { path });
  return Object.hasOwn(known, value) ? (value as K) : undefined;
}

export const INVITE_LINK_COOKIE = 'fh_invite_link';

/**
 * The invitation page shows the new one-time setup link once, after its POST-redirect-GET: the
 * link rides in a cookie that lives a minute, only on that page's path, HttpOnly and SameSite
 * Strict, and is cleared the first time the page is shown (a refresh shows "Invitation sent"
 * without it; the link is in the invitation email).
 */
export function setInviteLink(cookies: CookieJar, path: string, link: string, secure: boolean): void {
  cookies.set(INVITE_LINK_COOKIE, link, { path, httpOnly: true, sameSite: 'strict', secure, maxAge: MAX_AGE_SECONDS });
}

/** The link if the cookie holds a setup link of this site (then it is cleared), else undefined. */
export function takeInviteLink(cookies: CookieJar, path: string, publicUrl: string): string | undefined {
  const value = cookies.get(INVITE_LINK_COOKIE)?.value;
  if (value === undefined) return undefined;
  cookies.delete(INVITE_LINK_COOKIE, { path });
  return value.startsWith(`${publicUrl}/setup/`) && /^[A-Za-z0-9_-]+$/.test(value.slice(publicUrl.length + 7))
    ? value
    : undefined;
}
