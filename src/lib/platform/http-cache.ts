/**
 * Conditional GET for public pages that change rarely (the principles, changelog, feed, archive):
 * an ETag (a hash of the exact body) and Last-Modified, with `max-age=0, must-revalidate` so every
 * visit asks again — a scheduled version must appear the moment it takes effect — but a repeat
 * visit with nothing new costs a bodiless 304.
 */
import { createHash } from 'node:crypto';

export const REVALIDATE = 'public, max-age=0, must-revalidate';

/** A strong ETag for a body. */
export function etagFor(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** Whether an `If-None-Match` header value matches `etag` (weak comparison, as RFC 9110 asks for GET). */
export function matchesEtag(ifNoneMatch: string, etag: string): boolean {
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/**
 * True when the request's validators say the client's copy is current. If-None-Match wins when
 * present (RFC 9110 §13.2.2); otherwise If-Modified-Since is compared at one-second precision.
 */
export function isNotModified(requestHeaders: Headers, etag: string, lastModified: Date): boolean {
  const ifNoneMatch = requestHeaders.get('if-none-match');
  if (ifNoneMatch !== null) return matchesEtag(ifNoneMatch, etag);
  const ifModifiedSince = requestHeaders.get('if-modified-since');
  if (ifModifiedSince === null) return false;
  const since = Date.parse(ifModifiedSince);
  if (Number.isNaN(since)) return false;
  return Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}

/**
 * Adds ETag, Last-Modified and Cache-Control to a successful GET/HEAD response, and answers 304
 * (no body) when the client already has it. Other responses pass through unchanged.
 */
export async function withConditionalGet(request: Request, response: Response, lastModified: Date): Promise<Response> {
  if ((request.method !== 'GET' && request.method !== 'HEAD') || response.status !== 200) return response;
  const body = new Uint8Array(await response.arrayBuffer());
  const etag = etagFor(body);
  const headers = new Headers(response.headers);
  headers.set('ETag', etag);
  headers.set('Last-Modified', lastModified.toUTCString());
  headers.set('Cache-Control', REVALIDATE);
  if (isNotModified(request.headers, etag, lastModified)) {
    for (const name of ['content-length', 'content-type', 'content-encoding']) headers.delete(name);
    return new Response(null, { status: 304, headers });
  }
  headers.delete('content-length');
  return new Response(request.method === 'HEAD' ? null : body, {
    status: 200,
    statusText: response.statusText,
    headers,
  });
}

/** The public addresses whose content depends only on the published principles. */
export function isPrinciplesPath(pathname: string): boolean {
  return /^\/(?:principles(?:\/[^/]+|\/compare\/[^/]+)?|changelog|changelog\.xml|principles\.json)\/?$/.test(pathname);
}
