/**
 * HTTP security rules shared by the middleware: response headers and the same-origin check
 * for form posts.
 */

/** No inline script or style anywhere: every page works without client JavaScript. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/**
 * Pages whose address carries a secret (a status link, a setup or invitation link, a sign-up
 * confirmation, an unsubscribe link): they send `Referrer-Policy: no-referrer`, so the address never
 * reaches another request's Referer (their own stylesheet included). A page elsewhere whose address
 * carries a secret (a password-reset or re-enrolment link, say) either joins this list or sets the
 * header itself: a page's own security header always wins over the defaults (src/middleware.ts).
 */
export const SECRET_LINK_PATHS = [/^\/appeal\/status\//, /^\/setup\//, /^\/subscribe\/confirm\//, /^\/unsubscribe\//];

export function carriesSecret(pathname: string): boolean {
  return SECRET_LINK_PATHS.some((p) => p.test(pathname));
}

/**
 * Paths whose pages show personal data (the appeal journey and status pages, sign-up and
 * unsubscribe pages, first-run setup; staff pages are covered by their access rules): sent with
 * `Cache-Control: no-store`, so no browser or proxy keeps a copy.
 */
export function showsPersonalData(pathname: string): boolean {
  return /^\/(appeal|setup|subscribe|unsubscribe)(\/|$)/.test(pathname) || carriesSecret(pathname);
}

export function securityHeaders(isHttps: boolean, pathname = '/'): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': carriesSecret(pathname) ? 'no-referrer' : 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  if (isHttps) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request is allowed only when its Origin header is the configured public
 * origin (PUBLIC_URL). The Host header is not consulted: it is the client's to choose. A request
 * without Origin is refused, as browsers always send it on a form POST. When PUBLIC_URL is a
 * localhost address (development, tests), the same port on 127.0.0.1 and [::1] is this site too.
 */
export function isSameOriginRequest(
  method: string,
  origin: string | null,
  publicUrl: string,
  fetchSite: string | null = null,
): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return true;
  // A page sent with `Referrer-Policy: no-referrer` (the secret-link pages) makes the browser send
  // `Origin: null` on its own form posts. The browser's own `Sec-Fetch-Site` (a header no page can
  // set) still says same-origin then, so that pair is accepted; anything else without an origin is not.
  if (origin === 'null') return fetchSite === 'same-origin';
  if (!origin) return false;
  return allowedOrigins(publicUrl).includes(origin);
}

/** The origins a form may be posted from: PUBLIC_URL's, plus the loopback aliases of a localhost one. */
export function allowedOrigins(publicUrl: string): string[] {
  const url = new URL(publicUrl);
  if (url.hostname !== 'localhost') return [url.origin];
  const port = url.port ? `:${url.port}` : '';
  return [url.origin, `${url.protocol}//127.0.0.1${port}`, `${url.protocol}//[::1]${port}`];
}

/**
 * The one exception to the same-origin rule: RFC 8058 one-click unsubscribe. Mail providers POST
 * `List-Unsubscribe=One-Click` to the link in the List-Unsubscribe header from their own servers,
 * with no Origin header. The unguessable token in the address is what authorises it, and all it
 * can do is remove that one address, so only `POST /unsubscribe/<token>` is let through.
 */
export function isOneClickUnsubscribe(method: string, pathname: string): boolean {
  return method.toUpperCase() === 'POST' && /^\/unsubscribe\/[A-Za-z0-9_-]{1,100}$/.test(pathname);
}
