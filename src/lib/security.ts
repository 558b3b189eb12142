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

export function securityHeaders(isHttps: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  if (isHttps) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request is allowed only when its Origin header names this site: either the
 * origin the request came in on or the configured public URL. A request without Origin is
 * refused, as browsers always send it on a form POST.
 */
export function isSameOriginRequest(method: string, origin: string | null, requestOrigin: string, publicUrl: string): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return true;
  if (!origin || origin === 'null') return false;
  return origin === requestOrigin || origin === new URL(publicUrl).origin;
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
