/**
 * Server-side state for multi-page public forms. The browser holds only a random id in an
 * HttpOnly, SameSite=Lax cookie (Secure and named `__Host-fh_journey` over https); the answers
 * live in the `journeys` table, so Back, Forward and refresh never lose them, and nothing personal
 * sits in the browser. Only ids this server issued are used: a cookie value it does not know (one
 * planted by someone else, or an expired journey's) starts a new journey with a new id, so a
 * value chosen by another person never ends up holding this person's answers.
 */
import { deleteExpiredJourneys, deleteJourney, findJourneyData, saveJourneyData } from '../../../db/journeys.ts';
import { type Runtime, generateToken, cookieName, hashToken } from '../platform/index.ts';

export const JOURNEY_COOKIE = 'fh_journey';

/** The journey cookie's name: `__Host-fh_journey` over https, `fh_journey` over plain http. */
export function journeyCookieName(secure: boolean): string {
  return cookieName(JOURNEY_COOKIE, secure);
}
/** Long enough to come back to a half-finished appeal later in the day. */
export const JOURNEY_TTL_MS = 24 * 60 * 60_000;

/** The part of Astro's cookie jar used here (kept structural so src/lib needs no astro import). */
export interface CookieJar {
  get(name: string): { value: string } | undefined;
  set(
    name: string,
    value: string,
    options: { httpOnly: boolean; sameSite: 'lax'; secure: boolean; path: string; maxAge: number },
  ): void;
}

function cookieId(cookies: Pick<CookieJar, 'get'>, secure: boolean): string | undefined {
  const value = cookies.get(journeyCookieName(secure))?.value;
  return value && /^[A-Za-z0-9_-]{22,100}$/.test(value) ? value : undefined;
}

/** The answers so far, or an empty object when there is no (live) journey. */
export async function readJourney<T extends object>(
  rt: Runtime,
  cookies: CookieJar,
  secure: boolean,
): Promise<Partial<T>> {
  return ((await liveJourney(rt, cookies, secure))?.data ?? {}) as Partial<T>;
}

/**
 * The live journey's key (the hash of its id, as stored) and answers, for limits counted per
 * journey (src/lib/appeals/limits.ts); undefined when the browser has no journey this server knows.
 */
export async function liveJourney(
  rt: Runtime,
  cookies: Pick<CookieJar, 'get'>,
  secure: boolean,
): Promise<{ key: string; data: Record<string, unknown> } | undefined> {
  const id = cookieId(cookies, secure);
  if (!id) return undefined;
  const key = hashToken(id);
  const data = await findJourneyData(rt.db, key, rt.now());
  return data === undefined ? undefined : { key, data };
}

/**
 * Saves the answers, starting a journey (and setting the cookie) if there is no live one. Returns
 * true when it started one: the next page then checks the browser kept the cookie (`continueUrl`).
 * An id the server does not know (never issued, or expired) is never adopted: a new one is issued.
 */
export async function writeJourney<T extends object>(
  rt: Runtime,
  cookies: CookieJar,
  data: T,
  secure: boolean,
): Promise<boolean> {
  const now = rt.now();
  let id = cookieId(cookies, secure);
  if (id && (await findJourneyData(rt.db, hashToken(id), now)) === undefined) id = undefined;
  const started = !id;
  if (!id) {
    id = generateToken();
    // A new journey is a good moment to clear out abandoned ones.
    await deleteExpiredJourneys(rt.db, now);
  }
  await saveJourneyData(
    rt.db,
    hashToken(id),
    data as Record<string, unknown>,
    now,
    new Date(now.getTime() + JOURNEY_TTL_MS),
  );
  cookies.set(journeyCookieName(secure), id, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: JOURNEY_TTL_MS / 1000,
  });
  return started;
}

/**
 * Marks the page after the one that started a journey (`?journey=new`). If the browser comes
 * back without the cookie it was just given, it is refusing cookies: rather than silently
 * sending the person back a step, the cookies page explains (see `checkJourneyCookie`).
 */
export const JOURNEY_STARTED_PARAM = 'journey';
export const COOKIES_NEEDED_PATH = '/appeal/cookies';

/** Where to go after saving: `next`, marked when the save started the journey. */
export function continueUrl(next: string, started: boolean): string {
  if (!started) return next;
  return `${next}${next.includes('?') ? '&' : '?'}${JOURNEY_STARTED_PARAM}=new`;
}

/**
 * On a marked page: 'refused' when the cookie did not come back (show the cookies page),
 * 'kept' when it did (drop the mark: redirect to `clean`), undefined on an unmarked page.
 */
export function checkJourneyCookie(
  url: URL,
  cookies: Pick<CookieJar, 'get'>,
  secure: boolean,
): { result: 'refused' } | { result: 'kept'; clean: string } | undefined {
  if (url.searchParams.get(JOURNEY_STARTED_PARAM) !== 'new') return undefined;
  if (!cookieId(cookies, secure)) return { result: 'refused' };
  const params = new URLSearchParams(url.searchParams);
  params.delete(JOURNEY_STARTED_PARAM);
  const query = params.toString();
  return { result: 'kept', clean: `${url.pathname}${query ? `?${query}` : ''}` };
}

/** Forgets a journey's answers. */
export async function clearJourney(rt: Runtime, cookies: CookieJar, secure: boolean): Promise<void> {
  const id = cookieId(cookies, secure);
  if (id) await deleteJourney(rt.db, hashToken(id));
}
