/** Sign out (POST only): ends the session in the database and clears the cookie. */
import type { APIRoute } from 'astro';
import { isHttps, requestIp } from '../../lib/platform/index.ts';
import { sessionCookieName, sessionCookieOptions, signOut } from '../../lib/staff/index.ts';

export const POST: APIRoute = async (context) => {
  const { runtime } = context.locals;
  const secure = isHttps(context.request, runtime.config);
  await signOut(runtime, context.cookies.get(sessionCookieName(secure))?.value, requestIp(context));
  context.cookies.delete(sessionCookieName(secure), sessionCookieOptions(secure));
  return context.redirect('/staff/login?ended=signed-out', 303);
};

export const GET: APIRoute = (context) => context.redirect(context.locals.staff ? '/staff' : '/staff/login', 303);
