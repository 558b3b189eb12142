import { defineMiddleware, sequence } from 'astro:middleware';
import { isPrinciplesPath, withConditionalGet } from './lib/http-cache.ts';
import { checkJourneyCookie, COOKIES_NEEDED_PATH } from './lib/journeys.ts';
import { principlesLastModified } from './lib/principles.ts';
import { getRuntime } from './lib/runtime.ts';
import { appealSendGuard, statusLinkGuard } from './lib/abuse-limits.ts';
import { isHttps, requestIp } from './lib/request.ts';
import { isOneClickUnsubscribe, isSameOriginRequest, securityHeaders } from './lib/security.ts';
import { SESSION_COOKIE, sessionUser } from './lib/sessions.ts';
import { accessFor, mayAccess } from './lib/staff-access.ts';
import { safeNextPath, withNext } from './lib/next-path.ts';

/** Puts the runtime on locals for every page. */
const runtime = defineMiddleware((context, next) => {
  context.locals.runtime = getRuntime();
  return next();
});

/** Refuses cross-site form posts with the NHS-styled 403 page (except RFC 8058 one-click unsubscribe). */
const sameOrigin = defineMiddleware((context, next) => {
  const { request, url } = context;
  if (isOneClickUnsubscribe(request.method, url.pathname)) return next();
  const ok = isSameOriginRequest(request.method, request.headers.get('origin'), url.origin, context.locals.runtime.config.publicUrl);
  if (!ok) return context.rewrite(new Request(new URL('/forbidden', url), { method: 'GET' }));
  return next();
});

/**
 * Per-IP limits on guessing private status links and on sending appeals (src/lib/abuse-limits.ts):
 * over a limit, the 429 page with Retry-After.
 */
const publicLimits = defineMiddleware(async (context, next) => {
  const { request, url, locals } = context;
  if (!url.pathname.startsWith('/appeal/')) return next();
  const client = requestIp(context) ?? 'unknown';
  let decision = statusLinkGuard(locals.runtime, url.pathname, client);
  if (decision.ok) decision = appealSendGuard(locals.runtime, request.method, url.pathname, client);
  if (decision.ok) return next();
  const page = await context.rewrite(new Request(new URL(`/too-many-requests?wait=${decision.retryAfterSeconds}`, url), { method: 'GET' }));
  const response = new Response(page.body, page);
  response.headers.set('Retry-After', String(decision.retryAfterSeconds));
  return response;
});

/** Security headers on every response. */
const headers = defineMiddleware(async (context, next) => {
  const response = await next();
  // Behind a TLS-terminating proxy (TRUSTED_PROXY) the request itself is http: ask the proxy.
  const https = isHttps(context.request, context.locals.runtime.config);
  let out = response;
  for (const [name, value] of Object.entries(securityHeaders(https))) {
    try {
      out.headers.set(name, value);
    } catch {
      // Some responses (e.g. Response.redirect) have immutable headers: copy once, then set.
      out = new Response(out.body, out);
      out.headers.set(name, value);
    }
  }
  return out;
});

/**
 * Staff sessions and the central guard for every /staff/ URL (rules in src/lib/staff-access.ts):
 * signed out → 303 to the sign-in page; signed in without the role → the 403 page.
 */
const staffGuard = defineMiddleware((context, next) => {
  const { locals, cookies, url } = context;
  const sessionId = cookies.get(SESSION_COOKIE)?.value;
  let ended: string | null = null;
  if (sessionId) {
    const found = sessionUser(locals.runtime, sessionId);
    if (found.user) locals.staff = found.user;
    else {
      ended = found.ended;
      if (ended) cookies.delete(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: isHttps(context.request, locals.runtime.config) });
    }
  }
  const access = accessFor(url.pathname, context.request.method);
  if (access === null || access === 'public') return next();
  if (!locals.staff) {
    // Back to the page asked for after signing in (GET only: a form post is not replayed).
    const next = context.request.method === 'GET' ? safeNextPath(url.pathname + url.search) : null;
    return context.redirect(withNext(ended ? `/staff/login?ended=${ended}` : '/staff/login', next), 303);
  }
  if (!mayAccess(locals.staff.roles, access)) {
    return context.rewrite(new Request(new URL('/no-access', url), { method: 'GET' }));
  }
  return next();
});

/** No staff page is ever stored by a browser or proxy cache. */
const noStore = defineMiddleware(async (context, next) => {
  const response = await next();
  if (accessFor(context.url.pathname) !== null || context.url.pathname.startsWith('/setup/')) {
    try {
      response.headers.set('Cache-Control', 'no-store');
    } catch {
      const copy = new Response(response.body, response);
      copy.headers.set('Cache-Control', 'no-store');
      return copy;
    }
  }
  return response;
});

/**
 * ETag, Last-Modified and Cache-Control on every public principles address, with 304 for a repeat
 * visit (src/lib/http-cache.ts). Computed per request, so a scheduled version shows at its time.
 */
const conditionalGet = defineMiddleware(async (context, next) => {
  const response = await next();
  if (!isPrinciplesPath(context.url.pathname)) return response;
  return withConditionalGet(context.request, response, principlesLastModified(context.locals.runtime));
});

/**
 * The page after the one that started an appeal journey checks the browser kept the journey
 * cookie (src/lib/journeys.ts): if not, it explains on the cookies page instead of silently
 * sending the person back a step; if so, it drops the check from the address.
 */
const journeyCookie = defineMiddleware((context, next) => {
  const { url, cookies } = context;
  if (context.request.method !== 'GET' || !url.pathname.startsWith('/appeal/')) return next();
  const checked = checkJourneyCookie(url, cookies);
  if (!checked) return next();
  return context.redirect(checked.result === 'refused' ? COOKIES_NEEDED_PATH : checked.clean, 303);
});

export const onRequest = sequence(runtime, headers, noStore, sameOrigin, publicLimits, staffGuard, journeyCookie, conditionalGet);
