import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  isOneClickUnsubscribe,
  isSameOriginRequest,
  securityHeaders,
} from '../../src/lib/platform/security.ts';

describe('isSameOriginRequest', () => {
  const site = 'http://localhost:4321';
  it('lets safe methods through whatever the origin', () => {
    expect(isSameOriginRequest('GET', 'https://evil.example', site)).toBe(true);
  });
  it('accepts a POST from the public URL', () => {
    expect(isSameOriginRequest('POST', site, site)).toBe(true);
    expect(isSameOriginRequest('POST', 'https://appeals.example.org', 'https://appeals.example.org')).toBe(true);
    expect(isSameOriginRequest('POST', 'https://appeals.example.org', 'https://appeals.example.org/')).toBe(true);
  });
  it.each([null, 'null', 'https://evil.example', 'http://localhost:4322'])('refuses a POST from %s', (origin) => {
    expect(isSameOriginRequest('POST', origin, site)).toBe(false);
  });
  it("accepts Origin: null only with the browser's Sec-Fetch-Site: same-origin (a no-referrer page's own form)", () => {
    expect(isSameOriginRequest('POST', 'null', site, 'same-origin')).toBe(true);
    for (const fetchSite of [null, 'cross-site', 'same-site', 'none'])
      expect(isSameOriginRequest('POST', 'null', site, fetchSite)).toBe(false);
    // No Origin at all is still refused, whatever Sec-Fetch-Site says; a foreign Origin too.
    expect(isSameOriginRequest('POST', null, site, 'same-origin')).toBe(false);
    expect(isSameOriginRequest('POST', 'https://evil.example', site, 'same-origin')).toBe(false);
  });
  it('compares with PUBLIC_URL, never with the Host the request names (issue 17, point 13)', () => {
    // A request sent to the server's own address (Host: 10.0.0.5:4321) with a matching Origin is
    // not same-origin when the site is https://appeals.example.org.
    expect(isSameOriginRequest('POST', 'http://10.0.0.5:4321', 'https://appeals.example.org')).toBe(false);
    expect(isSameOriginRequest('POST', 'http://evil.example', 'https://appeals.example.org')).toBe(false);
    expect(isSameOriginRequest('POST', 'http://appeals.example.org', 'https://appeals.example.org')).toBe(false);
    // A localhost public URL (development) also answers to the loopback addresses on its port.
    expect(isSameOriginRequest('POST', 'http://127.0.0.1:4321', site)).toBe(true);
    expect(isSameOriginRequest('POST', 'http://[::1]:4321', site)).toBe(true);
    expect(isSameOriginRequest('POST', 'http://127.0.0.1:4322', site)).toBe(false);
    expect(isSameOriginRequest('POST', 'http://127.0.0.1', 'https://appeals.example.org')).toBe(false);
  });
});

describe('securityHeaders', () => {
  it('never allows inline script and forbids framing', () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });
  it('adds HSTS only over https', () => {
    expect(securityHeaders(false)['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders(true)['Strict-Transport-Security']).toMatch(/max-age=\d+/);
  });
});

describe('isOneClickUnsubscribe', () => {
  it('exempts only POST /unsubscribe/<token>', () => {
    expect(isOneClickUnsubscribe('POST', '/unsubscribe/abcDEF123_-')).toBe(true);
    expect(isOneClickUnsubscribe('post', '/unsubscribe/abc')).toBe(true);
  });
  it.each([
    ['POST', '/unsubscribe'],
    ['POST', '/unsubscribe/'],
    ['POST', '/unsubscribe/abc/def'],
    ['POST', '/unsubscribe/abc.def'],
    ['POST', '/subscribe'],
    ['POST', '/staff/principles'],
    ['PUT', '/unsubscribe/abc'],
    ['DELETE', '/unsubscribe/abc'],
  ])('does not exempt %s %s', (method, path) => {
    expect(isOneClickUnsubscribe(method, path)).toBe(false);
  });
});
