/**
 * "Sign in and go back to the page you asked for": the page a signed-out visitor was sent away
 * from travels as `?next=` through the sign-in steps. Only a same-origin staff path is accepted
 * (`/staff/appeals/12?q=x`); anything else (`//evil.example`, `/\evil`, `https://…`, a sign-in
 * page, control characters, an over-long value) is ignored and the person lands on /staff.
 * Staff home itself is not carried (it is where signing in lands anyway).
 */
const MAX = 2000;
const BASE = 'http://fair-hearing.invalid';

/** The path to return to, or null when `value` is not a safe staff path on this site. */
export function safeNextPath(value: string | null | undefined): string | null {
  if (!value || value.length > MAX) return null;
  // A single leading slash, then not a slash or backslash (which browsers read as another host).
  if (!/^\/(?![/\\])/.test(value)) return null;
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  const path = url.pathname.toLowerCase();
  // Staff home is where signing in lands anyway: nothing to carry.
  if (path === '/staff' || path === '/staff/' || !path.startsWith('/staff/')) return null;
  if (path.startsWith('/staff/login') || path.startsWith('/staff/sign-out')) return null;
  return url.pathname + url.search;
}

/** `base` with `?next=` (or `&next=`) added when there is a safe path to return to. */
export function withNext(base: string, next: string | null): string {
  if (!next) return base;
  return `${base}${base.includes('?') ? '&' : '?'}next=${encodeURIComponent(next)}`;
}
