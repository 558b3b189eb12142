/**
 * Cookie names. Over https every cookie we set carries the `__Host-` prefix: browsers then accept
 * it only with Secure, Path=/ and no Domain, and only from this exact host over https, so a
 * sibling subdomain or a network attacker on plain http cannot plant or overwrite it (cookie
 * tossing, session fixation). Over plain http (a local trial on localhost) a `__Host-` cookie
 * would be refused, so the plain name is used. See docs/decisions/018-host-cookies.md.
 */
export const HOST_PREFIX = '__Host-';

/** The name to set and read for `base`: `__Host-<base>` over https, `<base>` over plain http. */
export function cookieName(base: string, secure: boolean): string {
  return secure ? `${HOST_PREFIX}${base}` : base;
}
