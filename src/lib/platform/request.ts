/**
 * Facts about the request that depend on whether a reverse proxy is trusted (TRUSTED_PROXY).
 */
import type { Config } from './config.ts';

/**
 * The client's IP address: the socket's address, or with TRUSTED_PROXY the last address in
 * X-Forwarded-For (the one our proxy added; earlier entries can be forged by the client).
 */
export function clientIp(
  request: Request,
  clientAddress: string | undefined | null,
  config: Pick<Config, 'trustedProxy'>,
): string | null {
  if (config.trustedProxy) {
    const forwarded = request.headers.get('x-forwarded-for');
    const last = forwarded
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .pop();
    if (last) return last.slice(0, 100);
  }
  return clientAddress ? clientAddress.slice(0, 100) : null;
}

/** True when the site is served over https: the public URL says so, or the request (or trusted proxy) does. */
export function isHttps(request: Request, config: Pick<Config, 'trustedProxy' | 'publicUrl'>): boolean {
  return servedOverHttps(config, new URL(request.url).protocol === 'https:', request.headers.get('x-forwarded-proto'));
}

/**
 * The rule behind isHttps, for the HTTP host too (the page cache, scripts/start.ts): X-Forwarded-Proto
 * counts only with TRUSTED_PROXY.
 */
export function servedOverHttps(
  config: Pick<Config, 'trustedProxy' | 'publicUrl'>,
  encrypted: boolean,
  forwardedProto: string | string[] | null | undefined,
): boolean {
  if (config.publicUrl.startsWith('https:')) return true;
  if (encrypted) return true;
  const proto = Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto;
  return config.trustedProxy && proto?.split(',')[0]?.trim() === 'https';
}

/**
 * The client IP for a page or endpoint: `requestIp(Astro)` or `requestIp(context)`.
 * (Reading `clientAddress` can throw when the adapter does not know it.)
 */
export function requestIp(context: {
  request: Request;
  clientAddress: string;
  locals: { runtime: { config: Pick<Config, 'trustedProxy'> } };
}): string | null {
  return clientIp(context.request, clientAddressOf(context), context.locals.runtime.config);
}

/** The socket's address from a page context, or undefined when the adapter does not know it (reading it throws). */
export function clientAddressOf(context: { clientAddress: string }): string | undefined {
  try {
    return context.clientAddress;
  } catch {
    return undefined;
  }
}

/**
 * The submitted form, or an empty one when the body is missing or not a form (a forged or broken
 * request must get a 400 page, never a 500).
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    return new FormData();
  }
}
