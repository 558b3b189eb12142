import { describe, expect, it } from 'vitest';
import {
  REVALIDATE,
  etagFor,
  isNotModified,
  isPrinciplesPath,
  matchesEtag,
  withConditionalGet,
} from '../../src/lib/platform/http-cache.ts';

const lastModified = new Date('2026-03-01T10:00:00.500Z');
const page = () => new Response('<h1>Principles</h1>', { headers: { 'Content-Type': 'text/html' } });
const get = (headers: Record<string, string> = {}, method = 'GET') =>
  new Request('http://localhost/principles', { method, headers });

describe('conditional GET', () => {
  it('adds ETag, Last-Modified and Cache-Control to a 200', async () => {
    const response = await withConditionalGet(get(), page(), lastModified);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<h1>Principles</h1>');
    expect(response.headers.get('etag')).toBe(etagFor('<h1>Principles</h1>'));
    expect(response.headers.get('last-modified')).toBe('Sun, 01 Mar 2026 10:00:00 GMT');
    expect(response.headers.get('cache-control')).toBe(REVALIDATE);
    expect(response.headers.get('content-type')).toBe('text/html');
  });

  it('answers 304 with no body to a matching If-None-Match, weak or in a list', async () => {
    const etag = etagFor('<h1>Principles</h1>');
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await withConditionalGet(get({ 'If-None-Match': value }), page(), lastModified);
      expect(response.status, value).toBe(304);
      expect(await response.text()).toBe('');
      expect(response.headers.get('etag')).toBe(etag);
    }
    expect((await withConditionalGet(get({ 'If-None-Match': '"stale"' }), page(), lastModified)).status).toBe(200);
  });

  it('answers 304 to If-Modified-Since at or after Last-Modified, unless If-None-Match disagrees', async () => {
    const ims = (value: string, extra: Record<string, string> = {}) =>
      withConditionalGet(get({ 'If-Modified-Since': value, ...extra }), page(), lastModified);
    expect((await ims('Sun, 01 Mar 2026 10:00:00 GMT')).status).toBe(304);
    expect((await ims('Mon, 02 Mar 2026 10:00:00 GMT')).status).toBe(304);
    expect((await ims('Sun, 01 Mar 2026 09:59:59 GMT')).status).toBe(200);
    expect((await ims('not a date')).status).toBe(200);
    expect((await ims('Mon, 02 Mar 2026 10:00:00 GMT', { 'If-None-Match': '"stale"' })).status).toBe(200);
  });

  it('leaves errors, redirects and posts alone', async () => {
    const notFound = new Response('nope', { status: 404 });
    expect(await withConditionalGet(get(), notFound, lastModified)).toBe(notFound);
    const post = page();
    expect(await withConditionalGet(get({}, 'POST'), post, lastModified)).toBe(post);
  });

  it('knows the principles addresses', () => {
    for (const p of [
      '/principles',
      '/principles/1.0',
      '/principles/compare/1.0...1.1',
      '/changelog',
      '/changelog.xml',
      '/principles.json',
      '/principles/compare',
    ])
      expect(isPrinciplesPath(p), p).toBe(true);
    for (const p of ['/', '/appeal', '/staff/principles', '/principles/1.0/extra/x', '/healthz'])
      expect(isPrinciplesPath(p), p).toBe(false);
  });

  it('compares validators carefully', () => {
    expect(matchesEtag('"a"', '"a"')).toBe(true);
    expect(matchesEtag('"a"', '"b"')).toBe(false);
    expect(isNotModified(new Headers(), '"a"', lastModified)).toBe(false);
  });
});
