/**
 * Server-side state for multi-page public forms. The browser holds only a random id in an
 * HttpOnly, SameSite=Lax cookie (Secure over https); the answers live in the `journeys` table,
 * so Back, Forward and refresh never lose them, and nothing personal sits in the browser.
 */
import { createHash } from 'node:crypto';
import { deleteExpiredJourneys, deleteJourney, findJourneyData, saveJourneyData } from '../../db/journeys.ts';
import type { Runtime } from './runtime.ts';
import { generateToken } from './tokens.ts';

export const JOURNEY_COOKIE = 'fh_journey';
/** Long enough to come back to a half-finished appeal later in the day. */
export const JOURNEY_TTL_MS = 24 * 60 * 60_000;

/** The part of Astro's cookie jar used here (kept structural so src/lib needs no astro import). */
export interface CookieJar {
  get(name: string): { value: string } | undefined;
  set(name: string, value: string, options: { httpOnly: boolean; sameSite: 'lax'; secure: boolean; path: string; maxAge: number }): void;
}

function hashId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

function cookieId(cookies: CookieJar): string | undefined {
  const value = cookies.get(JOURNEY_COOKIE)?.value;
  return value && /^[A-Za-z0-9_-]{22,100}$/.test(value) ? value : undefined;
}

/** The answers so far, or an empty object when there is no (live) journey. */
export function readJourney<T extends object>(rt: Runtime, cookies: CookieJar): Partial<T> {
  const id = cookieId(cookies);
  if (!id) return {};
  return (findJourneyData(rt.db, hashId(id), rt.now()) ?? {}) as Partial<T>;
}

/** Saves the answers, starting a journey (and setting the cookie) if there is none. */
export function writeJourney<T extends object>(rt: Runtime, cookies: CookieJar, data: T, secure: boolean): void {
  const now = rt.now();
  let id = cookieId(cookies);
  if (!id) {
    id = generateToken();
    // A new journey is a good moment to clear out abandoned ones.
    deleteExpiredJourneys(rt.db, now);
  }
  saveJourneyData(rt.db, hashId(id), data as Record<string, unknown>, now, new Date(now.getTime() + JOURNEY_TTL_MS));
  cookies.set(JOURNEY_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: JOURNEY_TTL_MS / 1000 });
}

/** Forgets a journey's answers. */
export function clearJourney(rt: Runtime, cookies: CookieJar): void {
  const id = cookieId(cookies);
  if (id) deleteJourney(rt.db, hashId(id));
}
