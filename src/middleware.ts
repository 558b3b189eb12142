import { defineMiddleware, sequence } from 'astro:middleware';
import { isPrinciplesPath, withConditionalGet } from './lib/http-cache.ts';
import { principlesLastModified } from './lib/principles.ts';
import { getRuntime } from './lib/runtime.ts';
import { isSameOriginRequest, securityHeaders } from './lib/security.ts';

/** Puts the runtime on locals for every page. */
const runtime = defineMiddleware((context, next) => {
  context.locals.runtime = getRuntime();
  return next();
});

/** Refuses cross-site form posts with the NHS-styled 403 page. */
const sameOrigin = defineMiddleware((context, next) => {
  const { request, url } = context;
  const ok = isSameOriginRequest(request.method, request.headers.get('origin'), url.origin, context.locals.runtime.config.publicUrl);
  if (!ok) return context.rewrite(new Request(new URL('/forbidden', url), { method: 'GET' }));
  return next();
});

/** Security headers on every response. */
const headers = defineMiddleware(async (context, next) => {
  const response = await next();
  const isHttps = context.url.protocol === 'https:';
  let out = response;
  for (const [name, value] of Object.entries(securityHeaders(isHttps))) {
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
 * ETag, Last-Modified and Cache-Control on every public principles address, with 304 for a repeat
 * visit (src/lib/http-cache.ts). Computed per request, so a scheduled version shows at its time.
 */
const conditionalGet = defineMiddleware(async (context, next) => {
  const response = await next();
  if (!isPrinciplesPath(context.url.pathname)) return response;
  return withConditionalGet(context.request, response, principlesLastModified(context.locals.runtime));
});

export const onRequest = sequence(runtime, headers, sameOrigin, conditionalGet);
