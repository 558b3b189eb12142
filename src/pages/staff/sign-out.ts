/** Sign out (POST only): ends the session in the database and clears the cookie. */
import type { APIRoute } from 'astro';
import { isHttps, requestIp } from '../../lib/request.ts';
import { SESSION_COOKIE, sessionCookieOptions, signOut } from '../../lib/sessions.ts';

export const POST: APIRoute = (context) => {
  const { runtime } = context.locals;
  signOut(runtime, context.cookies.get(SESSION_COOKIE)?.value, requestIp(context));
  context.cookies.delete(SESSION_COOKIE, sessionCookieOptions(isHttps(context.request, runtime.config)));
  return context.redirect('/staff/login?ended=signed-out', 303);
};

export const GET: APIRoute = (context) => context.redirect(context.locals.staff ? '/staff' : '/staff/login', 303);
