/**
 * An in-process cache of whole public pages, ahead of the Astro render (src/server/http-server.ts).
 *
 * Only GET/HEAD requests for an allow-list of public, non-personal URLs, without a query string,
 * Cookie or Authorization header, are looked up; only 200 responses without Set-Cookie or
 * `Cache-Control: private|no-store` are kept. A cached page is answered with every header the
 * render set (security headers included), a weak ETag (If-None-Match → 304) and a brotli or gzip
 * variant compressed once.
 *
 * Validity: the cache is emptied when what these pages show may have changed —
 * - `invalidatePageCache(rt.pageCacheGeneration)` (from any copy of this module) empties it at once;
 * - on every lookup a cheap change token (one prepared SQLite statement; on PostgreSQL a counter
 *   in memory, db/dialect/change-token.ts) is compared; when the database changed, the content
 *   stamp (published versions, latest publish time, version in force) is read again and the cache
 *   emptied if it differs;
 * - when a scheduled version's effective time arrives, the stamp is read again;
 * - entries older than `maxAgeMs` are rendered again (a safety net for anything else).
 * See docs/decisions/007-page-cache.md.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { bodyWasRefused } from './body-limit.ts';
import {
  compressBody,
  isCompressible,
  MIN_COMPRESS_BYTES,
  negotiateEncoding,
  varyWithAcceptEncoding,
  type Encoding,
} from './compress.ts';

/** Public pages that are the same for everyone. Never /appeal*, /staff*, /setup*. */
const EXACT = new Set([
  '/',
  '/principles',
  '/changelog',
  '/changelog.xml',
  '/principles.json',
  '/accessibility',
  '/privacy',
]);
const PATTERNS = [
  /^\/principles\/\d{1,4}\.\d{1,4}$/,
  /^\/principles\/compare\/\d{1,4}\.\d{1,4}\.\.\.\d{1,4}\.\d{1,4}$/,
];

export function isCacheablePath(pathname: string): boolean {
  return EXACT.has(pathname) || PATTERNS.some((p) => p.test(pathname));
}

/**
 * Empties every page cache given `generation` (the runtime's rt.pageCacheGeneration, so a call from
 * the Astro bundle reaches the cache the start script's server holds) at its next lookup.
 */
export function invalidatePageCache(generation: { value: number }): void {
  generation.value += 1;
}

// ---------------------------------------------------------------------------------------------

/** A response as the render produced it. */
export interface CapturedResponse {
  status: number;
  statusMessage?: string;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

export interface CachedPage {
  headers: OutgoingHttpHeaders;
  body: Buffer;
  etag: string;
  storedAt: number;
  /** Compressed bodies with their full response headers, made on first request. */
  variants: Partial<Record<Encoding, { body: Buffer; headers: OutgoingHttpHeaders }>>;
  /** Full response headers for the uncompressed body and for a 304 (built once). */
  identityHeaders: OutgoingHttpHeaders;
  notModifiedHeaders: OutgoingHttpHeaders;
  compressible: boolean;
  /** From the render's Last-Modified, for If-Modified-Since. */
  lastModifiedMs: number | undefined;
}

export interface PageCacheValidity {
  /** Cheap; changes whenever the data may have changed (db/principles.ts databaseChangeToken). */
  changeToken(): string;
  /** What the pages depend on, and when it changes by itself (db/principles.ts principlesStamp). */
  contentStamp(now: number): { stamp: string; nextChangeAt: number | null };
}

export interface PageCacheOptions {
  validity: PageCacheValidity;
  /** Clock in ms (tests pass a fixed one). */
  now?: () => number;
  maxEntries?: number;
  maxAgeMs?: number;
  /** Largest body kept. */
  maxBytes?: number;
  /**
   * What a render depends on besides the address, as the app decides it (src/server/http-server.ts: "https"
   * or "http" by the TRUSTED_PROXY rule). Default: nothing.
   */
  variant?: (req: IncomingMessage) => string;
  /** Bumped by invalidatePageCache (the runtime's rt.pageCacheGeneration). Default: a private one. */
  generation?: { value: number };
}

export type Lookup =
  { kind: 'bypass' } | { kind: 'hit'; page: CachedPage } | { kind: 'miss'; key: string; epoch: number };

/** Headers not copied from the render into a cached page: they are set per response. */
const PER_RESPONSE = new Set([
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'date',
  'etag',
  'keep-alive',
]);

export class PageCache {
  readonly #entries = new Map<string, CachedPage>();
  readonly #validity: PageCacheValidity;
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #maxBytes: number;
  readonly #variant: (req: IncomingMessage) => string;
  readonly #shared: { value: number };
  #generation: number;
  #token: string | undefined;
  #stamp: string | undefined;
  #nextChangeAt: number | null = null;
  /** Bumped on every clear: a render begun before a clear is not stored after it. */
  #epoch = 0;

  constructor(options: PageCacheOptions) {
    this.#validity = options.validity;
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 200;
    this.#maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.#maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
    this.#variant = options.variant ?? (() => '');
    this.#shared = options.generation ?? { value: 0 };
    this.#generation = this.#shared.value;
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
    this.#epoch += 1;
  }

  /** Empties the cache if what the pages show may have changed since the last look. */
  #revalidate(now: number): void {
    const generation = this.#shared.value;
    if (generation !== this.#generation) {
      this.#generation = generation;
      this.clear();
    }
    const token = this.#validity.changeToken();
    const due = this.#nextChangeAt !== null && now >= this.#nextChangeAt;
    if (token === this.#token && !due && this.#stamp !== undefined) return;
    this.#token = token;
    const { stamp, nextChangeAt } = this.#validity.contentStamp(now);
    this.#nextChangeAt = nextChangeAt;
    if (stamp !== this.#stamp) {
      this.#stamp = stamp;
      this.clear();
    }
  }

  lookup(req: IncomingMessage): Lookup {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return { kind: 'bypass' };
    if (req.headers.cookie || req.headers.authorization) return { kind: 'bypass' };
    const url = req.url ?? '/';
    if (url.includes('?') || url.includes('#') || !isCacheablePath(url)) return { kind: 'bypass' };
    const now = this.#now();
    this.#revalidate(now);
    // Keyed on the address only, never on Host or X-Forwarded-Proto (a client's to choose): the
    // site has one origin (PUBLIC_URL). What else changes a render (https or not, for
    // Strict-Transport-Security) comes from `variant`, which follows TRUSTED_PROXY.
    const key = `${this.#variant(req)}|${url}`;
    const page = this.#entries.get(key);
    if (page && now - page.storedAt < this.#maxAgeMs) return { kind: 'hit', page };
    if (page) this.#entries.delete(key);
    // HEAD is answered from a page a GET stored, never stored itself (its body is empty).
    if (method === 'HEAD') return { kind: 'bypass' };
    return { kind: 'miss', key, epoch: this.#epoch };
  }

  /** Keeps a rendered response if it may be shared; returns the page, or undefined when not kept. */
  store(miss: { key: string; epoch: number }, response: CapturedResponse): CachedPage | undefined {
    if (!isShareable(response) || response.body.length > this.#maxBytes) return undefined;
    const now = this.#now();
    this.#revalidate(now);
    if (miss.epoch !== this.#epoch) return undefined;
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined && !PER_RESPONSE.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    if (isCompressible(String(headers['content-type']))) headers.vary = varyWithAcceptEncoding(headers.vary);
    // The render's own validators win (the principles pages set ETag and Last-Modified); else a
    // weak ETag from the body.
    const rendered = lowerCaseKeys(response.headers);
    const etag =
      typeof rendered.etag === 'string'
        ? rendered.etag
        : `W/"${createHash('sha256').update(response.body).digest('base64url').slice(0, 27)}"`;
    const lastModified = Date.parse(String(headers['last-modified'] ?? ''));
    const compressible = isCompressible(String(headers['content-type'])) && response.body.length >= MIN_COMPRESS_BYTES;
    const notModifiedHeaders: OutgoingHttpHeaders = { ...headers, etag };
    delete notModifiedHeaders['content-type'];
    const page: CachedPage = {
      headers,
      body: response.body,
      etag,
      storedAt: now,
      variants: {},
      identityHeaders: { ...headers, etag, 'content-length': response.body.length },
      notModifiedHeaders,
      compressible,
      lastModifiedMs: Number.isNaN(lastModified) ? undefined : lastModified,
    };
    while (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(miss.key, page);
    return page;
  }
}

/** 200, no Set-Cookie, not private or no-store, and a body type. */
export function isShareable(response: CapturedResponse): boolean {
  if (response.status !== 200) return false;
  const h = lowerCaseKeys(response.headers);
  if (h['set-cookie'] !== undefined) return false;
  if (h['content-encoding'] !== undefined) return false;
  if (!h['content-type']) return false;
  const cacheControl = String(h['cache-control'] ?? '').toLowerCase();
  return !/\b(private|no-store)\b/.test(cacheControl);
}

function lowerCaseKeys(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** True when an If-None-Match header names this ETag (weak comparison) or is `*`. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === bare;
  });
}

/** Answers with a cached page: 304 when the client has it, else the best encoding it accepts. */
export function sendCachedPage(req: IncomingMessage, res: ServerResponse, page: CachedPage): void {
  const ifNoneMatch = req.headers['if-none-match'];
  const ifModifiedSince = req.headers['if-modified-since'];
  // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
  const notModified = ifNoneMatch
    ? matchesEtag(ifNoneMatch, page.etag)
    : !!ifModifiedSince && page.lastModifiedMs !== undefined && Date.parse(ifModifiedSince) >= page.lastModifiedMs;
  if (notModified) {
    res.writeHead(304, page.notModifiedHeaders);
    res.end();
    return;
  }
  const encoding = page.compressible ? negotiateEncoding(req.headers['accept-encoding']) : null;
  let body = page.body;
  let headers = page.identityHeaders;
  if (encoding) {
    let variant = page.variants[encoding];
    if (!variant) {
      const compressed = compressBody(page.body, encoding, 'best');
      variant = page.variants[encoding] = {
        body: compressed,
        headers: {
          ...page.headers,
          etag: page.etag,
          'content-encoding': encoding,
          'content-length': compressed.length,
        },
      };
    }
    body = variant.body;
    headers = variant.headers;
  }
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Sends a response that is not cached, compressed on the fly when it is text, large enough, and
 * the client accepts it.
 */
export function sendCaptured(req: IncomingMessage, res: ServerResponse, response: CapturedResponse): void {
  const headers = { ...response.headers };
  const lower = lowerCaseKeys(headers);
  let body = response.body;
  const bodyAllowed =
    req.method !== 'HEAD' && response.status !== 204 && response.status !== 304 && response.status >= 200;
  if (
    bodyAllowed &&
    body.length >= MIN_COMPRESS_BYTES &&
    lower['content-encoding'] === undefined &&
    isCompressible(String(lower['content-type'] ?? ''))
  ) {
    const encoding = negotiateEncoding(req.headers['accept-encoding']);
    for (const name of Object.keys(headers)) if (/^(vary|content-length)$/i.test(name)) delete headers[name];
    headers.vary = varyWithAcceptEncoding(lower.vary);
    if (encoding) {
      body = compressBody(body, encoding, 'fast');
      headers['content-encoding'] = encoding;
    }
    headers['content-length'] = body.length;
  }
  // The standard reason phrase for the status: the render's own can be stale (a Response copied
  // from a 200 page and given another status keeps "OK": "429 OK").
  const reason = STATUS_CODES[response.status] ?? response.statusMessage;
  if (reason) res.statusMessage = reason;
  res.writeHead(response.status, headers);
  res.end(bodyAllowed ? body : undefined);
}

/**
 * Buffers what a handler writes to `res` (writeHead, write, end) instead of sending it, then calls
 * `done` with the whole response; `done` sends it with the real methods, which are back in place.
 */
export function captureResponse(res: ServerResponse, done: (response: CapturedResponse) => void): void {
  const chunks: Buffer[] = [];
  let status: number | undefined;
  let statusMessage: string | undefined;
  let headHeaders: OutgoingHttpHeaders = {};
  const patched = res as unknown as Record<string, unknown>;
  const toBuffer = (chunk: unknown, encoding?: unknown): Buffer | undefined => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
    if (typeof chunk === 'string')
      return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    return Buffer.from(chunk as Uint8Array);
  };
  const callbackOf = (...args: unknown[]) => args.find((a): a is () => void => typeof a === 'function');

  patched.writeHead = (code: number, ...rest: unknown[]) => {
    status = code;
    let headers = rest[0];
    if (typeof headers === 'string') {
      statusMessage = headers;
      headers = rest[1];
    }
    if (Array.isArray(headers)) {
      const obj: OutgoingHttpHeaders = {};
      for (let i = 0; i < headers.length; i += 2) obj[String(headers[i]).toLowerCase()] = headers[i + 1] as string;
      headers = obj;
    }
    headHeaders = { ...headHeaders, ...lowerCaseKeys((headers as OutgoingHttpHeaders) ?? {}) };
    return res;
  };
  patched.write = (chunk: unknown, encoding?: unknown, cb?: unknown) => {
    const buffer = toBuffer(chunk, encoding);
    if (buffer) chunks.push(buffer);
    const callback = callbackOf(encoding, cb);
    if (callback) process.nextTick(callback);
    return true;
  };
  patched.end = (chunk?: unknown, encoding?: unknown, cb?: unknown) => {
    const buffer = toBuffer(chunk, encoding);
    if (buffer) chunks.push(buffer);
    delete patched.writeHead;
    delete patched.write;
    delete patched.end;
    const headers = { ...lowerCaseKeys(res.getHeaders()), ...headHeaders };
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    done({
      status: status ?? res.statusCode,
      statusMessage: statusMessage ?? (res.statusMessage || undefined),
      headers,
      body: Buffer.concat(chunks),
    });
    const callback = callbackOf(chunk, encoding, cb);
    if (callback) res.once('finish', callback);
    return res;
  };
}

/**
 * The request handler the start script uses: static files first, then cached pages, then the
 * render (captured, stored when shareable, compressed).
 */
export function createPageHandler(
  cache: PageCache | undefined,
  render: (req: IncomingMessage, res: ServerResponse) => void,
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // A refused body became a GET (src/server/body-limit.ts): always rendered, never stored.
    const lookup: Lookup = cache && !bodyWasRefused(req) ? cache.lookup(req) : { kind: 'bypass' };
    if (lookup.kind === 'hit') {
      sendCachedPage(req, res, lookup.page);
      return;
    }
    captureResponse(res, (response) => {
      const page = cache && lookup.kind === 'miss' ? cache.store(lookup, response) : undefined;
      if (page) sendCachedPage(req, res, page);
      else sendCaptured(req, res, response);
    });
    render(req, res);
  };
}
