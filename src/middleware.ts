import { defineMiddleware, sequence } from 'astro:middleware';
import {
  isPrinciplesPath,
  withConditionalGet,
  isHttps,
  requestIp,
  isOneClickUnsubscribe,
  isSameOriginRequest,
  securityHeaders,
  showsPersonalData,
  safeNextPath,
  withNext,
} from './lib/platform/index.ts';
import {
  checkJourneyCookie,
  COOKIES_NEEDED_PATH,
  liveJourney,
  appealSendGuard,
  isAppealSend,
  statusLinkGuard,
} from './lib/appeals/index.ts';
import { principlesLastModified } from './lib/principles/index.ts';
import { sessionCookieName, sessionUser, accessFor, mayAccess } from './lib/staff/index.ts';
import { loadConfig } from './lib/platform/index.ts';
import { createRuntime, type Runtime } from './lib/runtime.ts';

/**
 * Only for `astro dev`, where no start script hands the pages a runtime: one made from the
 * environment on first use. Under `npm start` (and in every test) the runtime arrives as
 * locals.runtime from src/server/http-server.ts and this stays unset.
 */
let devRuntime: Promise<Runtime> | undefined;

/** Every page finds the runtime on locals: the HTTP host's (src/server/http-server.ts). */
const runtime = defineMiddleware(async (context, next) => {
  if (!context.locals.runtime) {
    // A promise is kept, so requests arriving while it is built all wait for the same one; after
    // a failure (a bad setting) the next request tries again.
    devRuntime ??= createRuntime(loadConfig()).catch((error: unknown) => {
      devRuntime = undefined;
      throw error;
    });
    context.locals.runtime = await devRuntime;
  }
  return next();
});

/** Refuses cross-site form posts with the NHS-styled 403 page (except RFC 8058 one-click unsubscribe). */
const sameOrigin = defineMiddleware((context, next) => {
  const { request, url } = context;
  // Compared with PUBLIC_URL's origin, never the Host header (src/lib/platform/security.ts).
  if (isOneClickUnsubscribe(request.method, url.pathname)) return next();
  const ok = isSameOriginRequest(
    request.method,
    request.headers.get('origin'),
    context.locals.runtime.config.publicUrl,
    request.headers.get('sec-fetch-site'),
  );
  if (!ok) return context.rewrite(new Request(new URL('/forbidden', url), { method: 'GET' }));
  return next();
});

/**
 * Per-IP limits on guessing private status links, and limits per journey, email address and IP on
 * sending appeals (src/lib/appeals/limits.ts): over a limit, the 429 page with Retry-After.
 */
const publicLimits = defineMiddleware(async (context, next) => {
  const { request, url, locals } = context;
  if (!url.pathname.startsWith('/appeal/')) return next();
  const client = requestIp(context) ?? 'unknown';
  let decision = await statusLinkGuard(locals.runtime, url.pathname, client);
  if (decision.ok) {
    const journey = isAppealSend(request.method, url.pathname)
      ? await liveJourney(locals.runtime, context.cookies, isHttps(request, locals.runtime.config))
      : undefined;
    decision = await appealSendGuard(locals.runtime, request.method, url.pathname, client, journey);
  }
  if (decision.ok) return next();
  const page = await context.rewrite(
    new Request(new URL(`/too-many-requests?wait=${decision.retryAfterSeconds}`, url), { method: 'GET' }),
  );
  const response = new Response(page.body, page);
  response.headers.set('Retry-After', String(decision.retryAfterSeconds));
  return response;
});

/**
 * A request whose body was over its limit arrives as a GET of the same address with
 * `locals.bodyTooLarge` (src/server/body-limit.ts): a form page renders again with the error at the
 * top (src/layouts/Page.astro) and is sent with 413; any other answer (a redirect, a 404) is
 * replaced by the plain 413 page.
 */
const TOO_LARGE_PATH = '/request-too-large';
const bodyTooLarge = defineMiddleware(async (context, next) => {
  if (!context.locals.bodyTooLarge || context.url.pathname === TOO_LARGE_PATH) return next();
  const response = await next();
  // Already answered by an inner pass (a page that rewrote to another, which this middleware saw too).
  if (response.status === 413) return response;
  if (response.status === 200 && (response.headers.get('content-type') ?? '').startsWith('text/html')) {
    return new Response(response.body, { status: 413, headers: response.headers });
  }
  await response.body?.cancel();
  return context.rewrite(new Request(new URL(TOO_LARGE_PATH, context.url), { method: 'GET' }));
});

/**
 * Security headers on every response. A header the page set itself wins (a status page's
 * `Referrer-Policy: no-referrer`, say); secret-link addresses get no-referrer by path
 * (src/lib/platform/security.ts).
 */
const headers = defineMiddleware(async (context, next) => {
  const response = await next();
  // Behind a TLS-terminating proxy (TRUSTED_PROXY) the request itself is http: ask the proxy.
  const https = isHttps(context.request, context.locals.runtime.config);
  let out = response;
  for (const [name, value] of Object.entries(securityHeaders(https, context.url.pathname))) {
    if (out.headers.has(name)) continue;
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
 * Staff sessions and the central guard for every /staff/ URL (rules in src/lib/staff/access.ts):
 * signed out → 303 to the sign-in page; signed in without the role → the 403 page.
 */
const staffGuard = defineMiddleware(async (context, next) => {
  const { locals, cookies, url } = context;
  const secure = isHttps(context.request, locals.runtime.config);
  const sessionId = cookies.get(sessionCookieName(secure))?.value;
  let ended: string | null = null;
  if (sessionId) {
    const found = await sessionUser(locals.runtime, sessionId);
    if (found.user) locals.staff = found.user;
    else {
      ended = found.ended;
      if (ended) cookies.delete(sessionCookieName(secure), { path: '/', httpOnly: true, sameSite: 'lax', secure });
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

/**
 * No staff page, and no page that shows personal data, is stored by a proxy cache, and no such
 * page fetched with GET is stored by the browser either (`no-store`). The answer to a form post
 * (the form again with its errors) is `private, no-cache` instead: no shared cache ever stores a
 * POST answer, and `no-store` there would turn the browser's Back button into "Confirm form
 * resubmission" and lose what the person typed (decision 017).
 */
const noStore = defineMiddleware(async (context, next) => {
  const response = await next();
  if (accessFor(context.url.pathname) !== null || showsPersonalData(context.url.pathname)) {
    const value = context.request.method === 'POST' ? 'private, no-cache' : 'no-store';
    try {
      response.headers.set('Cache-Control', value);
    } catch {
      const copy = new Response(response.body, response);
      copy.headers.set('Cache-Control', value);
      return copy;
    }
  }
  return response;
});

/**
 * ETag, Last-Modified and Cache-Control on every public principles address, with 304 for a repeat
 * visit (src/lib/platform/http-cache.ts). Computed per request, so a scheduled version shows at its time.
 */
const conditionalGet = defineMiddleware(async (context, next) => {
  const response = await next();
  if (!isPrinciplesPath(context.url.pathname)) return response;
  return withConditionalGet(context.request, response, await principlesLastModified(context.locals.runtime));
});

/**
 * The page after the one that started an appeal journey checks the browser kept the journey
 * cookie (src/lib/appeals/journeys.ts): if not, it explains on the cookies page instead of silently
 * sending the person back a step; if so, it drops the check from the address.
 */
const journeyCookie = defineMiddleware((context, next) => {
  const { url, cookies } = context;
  if (context.request.method !== 'GET' || !url.pathname.startsWith('/appeal/')) return next();
  const checked = checkJourneyCookie(url, cookies, isHttps(context.request, context.locals.runtime.config));
  if (!checked) return next();
  return context.redirect(checked.result === 'refused' ? COOKIES_NEEDED_PATH : checked.clean, 303);
});

export const onRequest = sequence(
  runtime,
  headers,
  noStore,
  bodyTooLarge,
  sameOrigin,
  publicLimits,
  staffGuard,
  journeyCookie,
  conditionalGet,
);
