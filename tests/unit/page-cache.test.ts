import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  databaseChangeToken,
  findVersionInForce,
  insertDraft,
  markDraftPublished,
  principlesStamp,
} from '../../db/principles.ts';
import { isPostgres } from '../../db/dialect/index.ts';
import { transaction } from '../../db/transactions.ts';
import { negotiateEncoding } from '../../src/server/compress.ts';
import {
  createPageHandler,
  invalidatePageCache,
  isCacheablePath,
  matchesEtag,
  PageCache,
} from '../../src/server/page-cache.ts';
import { testRuntime } from '../support/db.ts';
import { waitUntil } from '../support/wait.ts';

const START = Date.UTC(2026, 0, 1, 12);
let clock = START;
const rt = await testRuntime({ now: () => new Date(clock) });

/** What the fake render does for a path; counts renders. */
/** The principles page reads the database, so it may return a promise (the response ends when it settles). */
type Render = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
let renders = 0;
let render: Render;

/** The in-force version number in the page, like the real principles page. */
const principlesPage: Render = async (req, res) => {
  const version = (await findVersionInForce(rt.db, rt.now()))?.version ?? 'none';
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "default-src 'self'",
  });
  res.write(`<h1>Version ${version}</h1>`);
  res.end(`<p>${'principles text '.repeat(100)}</p><p>${req.url}</p>`);
};

const cache = new PageCache({
  now: () => clock,
  validity: { changeToken: databaseChangeToken(rt.db), contentStamp: (now) => principlesStamp(rt.db, new Date(now)) },
  generation: rt.pageCacheGeneration,
});
const handler = createPageHandler(cache, (req, res) => {
  renders += 1;
  void render(req, res);
});
const server = createServer(handler);
let base = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // On PostgreSQL the stamp is read from the change watcher's snapshot (db/dialect/change-token.ts),
  // "unsettled" (so nothing is kept) until its first read: the tests start once it has one, as a
  // server does a moment after it starts. Immediate on SQLite.
  await waitUntil(
    () => !principlesStamp(rt.db, new Date(clock)).stamp.startsWith('unsettled:'),
    'the principles stamp to settle',
  );
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  cache.clear();
  renders = 0;
  render = principlesPage;
  clock = START;
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { headers: { 'accept-encoding': 'identity', ...headers } });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/**
 * Publishes a version through the publishing code's own statements (db/principles.ts), which on
 * PostgreSQL also tell the change watcher, so the cache notices at once on both engines.
 */
async function publish(version: string, effectiveAt: number) {
  const [major, minor] = version.split('.').map(Number);
  await transaction(rt.db, async (tx) => {
    const id = await insertDraft(tx, { bodyMarkdown: `# ${version}`, changeSummary: 'x', grounds: [] });
    await markDraftPublished(tx, id, {
      version,
      major: major!,
      minor: minor!,
      effectiveAt: new Date(effectiveAt),
      publishedAt: new Date(clock),
    });
  });
}

describe('page cache', () => {
  it('renders once, then answers from memory with the same headers and body', async () => {
    const first = await get('/principles');
    const second = await get('/principles');
    expect(renders).toBe(1);
    expect(second.status).toBe(200);
    expect(second.body).toBe(first.body);
    expect(second.body).toContain('Version 1.1'); // the seeded version in force
    for (const name of ['content-security-policy', 'x-frame-options', 'content-type', 'etag']) {
      expect(second.headers.get(name)).toBe(first.headers.get(name));
    }
    expect(second.headers.get('x-frame-options')).toBe('DENY');
    expect(second.headers.get('vary')).toBe('Accept-Encoding');
  });

  it('answers If-None-Match with 304 and no body', async () => {
    const first = await get('/principles/1.0');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await get('/principles/1.0', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.get('x-frame-options')).toBe('DENY');
    expect((await get('/principles/1.0', { 'if-none-match': 'W/"other"' })).status).toBe(200);
    expect(renders).toBe(1);
  });

  it("keeps the render's own ETag and answers If-Modified-Since from its Last-Modified", async () => {
    render = (_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'text/html',
        ETag: '"v1-0"',
        'Last-Modified': 'Thu, 01 Jan 2026 12:00:00 GMT',
      });
      res.end('<p>page</p>'.repeat(100));
    };
    const first = await get('/changelog');
    expect(first.headers.get('etag')).toBe('"v1-0"');
    expect((await get('/changelog', { 'if-none-match': '"v1-0"' })).status).toBe(304);
    expect((await get('/changelog', { 'if-modified-since': 'Thu, 01 Jan 2026 12:00:00 GMT' })).status).toBe(304);
    expect((await get('/changelog', { 'if-modified-since': 'Wed, 31 Dec 2025 12:00:00 GMT' })).status).toBe(200);
    expect(
      (await get('/changelog', { 'if-none-match': '"other"', 'if-modified-since': 'Thu, 01 Jan 2026 12:00:00 GMT' }))
        .status,
    ).toBe(200);
    const br = await rawGet('/changelog', 'br');
    expect(br.headers.etag).toBe('"v1-0"');
    expect(renders).toBe(1);
  });

  it('keeps pages apart by path, and misses for a path not yet rendered', async () => {
    await get('/principles');
    const other = await get('/principles/1.0');
    expect(other.body).toContain('/principles/1.0');
    expect(renders).toBe(2);
  });

  it('empties itself when a version is published, with no call needed', async () => {
    await get('/principles');
    clock += 1000;
    await publish('1.2', clock - 1); // in force at once
    const after = await get('/principles');
    expect(after.body).toContain('Version 1.2');
    expect(renders).toBe(2);
  });

  it('shows a scheduled version from the moment it takes effect, without restart', async () => {
    await publish('2.0', START + 60_000);
    // On PostgreSQL the cache learns when the version takes effect from the watcher's snapshot,
    // which is read again a moment after the commit (db/dialect/change-token.ts); until then it
    // empties itself on every change rather than trust the old one. Wait for that read (up to 3 s).
    if (isPostgres(rt.db))
      await waitUntil(
        () => principlesStamp(rt.db, new Date(clock)).nextChangeAt !== null,
        'the watcher to read the new version',
        3_000,
      );
    expect((await get('/principles')).body).not.toContain('Version 2.0');
    clock = START + 59_999;
    expect((await get('/principles')).body).not.toContain('Version 2.0');
    const renderedBefore = renders;
    clock = START + 60_000; // no database change at all: only time passes
    expect((await get('/principles')).body).toContain('Version 2.0');
    expect(renders).toBe(renderedBefore + 1);
  });

  it('is emptied by invalidatePageCache()', async () => {
    await get('/privacy');
    invalidatePageCache(rt.pageCacheGeneration);
    await get('/privacy');
    expect(renders).toBe(2);
  });

  it('never keeps a response that sets a cookie', async () => {
    render = (_req, res) => {
      res.setHeader('Set-Cookie', 'session=abc; HttpOnly');
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<p>hello</p>');
    };
    expect((await get('/principles')).headers.get('set-cookie')).toBe('session=abc; HttpOnly');
    await get('/principles');
    expect(renders).toBe(2);
  });

  it('never keeps a non-200 response', async () => {
    render = (_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/html' });
      res.end('<p>error</p>');
    };
    expect((await get('/principles')).status).toBe(500);
    await get('/principles');
    expect(renders).toBe(2);
  });

  it('never keeps a private or no-store response', async () => {
    render = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end('{}');
    };
    await get('/principles.json');
    await get('/principles.json');
    expect(renders).toBe(2);
  });

  it('never keeps pages outside the allow-list, with a query string, or for a request with a cookie', async () => {
    for (const path of [
      '/appeal',
      '/appeal/start',
      '/staff',
      '/staff/outbox',
      '/setup',
      '/transparency',
      '/principles?x=1',
      '/principles/1.0/extra',
    ]) {
      await get(path);
      await get(path);
    }
    await get('/principles', { cookie: 'session=abc' });
    await get('/principles', { cookie: 'session=abc' });
    expect(renders).toBe(18);
  });

  it('answers HEAD from a page a GET stored, and never stores a POST', async () => {
    await get('/');
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(renders).toBe(1);
    await fetch(`${base}/`, { method: 'POST', body: 'x' });
    await fetch(`${base}/`, { method: 'POST', body: 'x' });
    expect(renders).toBe(3);
  });

  it('sends brotli or gzip when accepted, the same page decompressed', async () => {
    const plain = await get('/accessibility');
    const br = await fetch(`${base}/accessibility`, { headers: { 'accept-encoding': 'br' } });
    // fetch decompresses; check the encoding header and the raw bytes with node's zlib too.
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(await br.text()).toBe(plain.body);
    const raw = await rawGet('/accessibility', 'gzip');
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(raw.body).toString()).toBe(plain.body);
    const rawBr = await rawGet('/accessibility', 'br;q=1, gzip;q=0.5');
    expect(brotliDecompressSync(rawBr.body).toString()).toBe(plain.body);
    expect(rawBr.body.length).toBeLessThan(plain.body.length / 3);
    expect(renders).toBe(1);
  });

  it('compresses responses it does not keep too', async () => {
    render = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Set-Cookie': 'a=b' });
      res.end('<p>personal page</p>'.repeat(100));
    };
    const raw = await rawGet('/appeal', 'gzip');
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(raw.body).toString()).toBe('<p>personal page</p>'.repeat(100));
  });
});

describe('page cache helpers', () => {
  it('allows only public, non-personal paths', () => {
    for (const ok of [
      '/',
      '/principles',
      '/principles/1.0',
      '/principles/compare/1.0...1.1',
      '/changelog',
      '/changelog.xml',
      '/principles.json',
      '/accessibility',
      '/privacy',
    ]) {
      expect(isCacheablePath(ok), ok).toBe(true);
    }
    for (const no of [
      '/appeal',
      '/appeal/1',
      '/staff',
      '/staff/sign-in',
      '/setup',
      '/transparency',
      '/healthz',
      '/principles/x',
      '/404',
    ]) {
      expect(isCacheablePath(no), no).toBe(false);
    }
  });

  it('compares ETags weakly', () => {
    expect(matchesEtag('W/"a"', 'W/"a"')).toBe(true);
    expect(matchesEtag('"a"', 'W/"a"')).toBe(true);
    expect(matchesEtag('W/"b", W/"a"', 'W/"a"')).toBe(true);
    expect(matchesEtag('*', 'W/"a"')).toBe(true);
    expect(matchesEtag('W/"b"', 'W/"a"')).toBe(false);
    expect(matchesEtag(undefined, 'W/"a"')).toBe(false);
  });

  it('chooses brotli, then gzip, honouring q=0', () => {
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br');
    expect(negotiateEncoding('gzip')).toBe('gzip');
    expect(negotiateEncoding('br;q=0, gzip')).toBe('gzip');
    expect(negotiateEncoding('identity')).toBeNull();
    expect(negotiateEncoding(undefined)).toBeNull();
    expect(negotiateEncoding('*')).toBe('br');
  });
});

async function rawGet(
  path: string,
  acceptEncoding: string,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(base + path, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('cache key: the address only, never Host or X-Forwarded-Proto (issue 17, point 13)', () => {
  let keyedRenders = 0;
  const trusted = { value: false };
  const keyed = new PageCache({
    now: () => clock,
    validity: { changeToken: databaseChangeToken(rt.db), contentStamp: (now) => principlesStamp(rt.db, new Date(now)) },
    // As scripts/start.ts: https or not by the app's rule (X-Forwarded-Proto only when trusted).
    variant: (req) => (trusted.value && req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'),
  });
  const keyedServer = createServer(
    createPageHandler(keyed, (req, res) => {
      keyedRenders += 1;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<p>rendered for ${req.headers.host} over ${req.headers['x-forwarded-proto'] ?? 'http'}</p>`);
    }),
  );
  let keyedBase = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => keyedServer.listen(0, '127.0.0.1', resolve));
    keyedBase = `http://127.0.0.1:${(keyedServer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => keyedServer.close(() => resolve())));

  async function getWith(headers: Record<string, string>) {
    const { request } = await import('node:http');
    return new Promise<string>((resolve, reject) => {
      const req = request(
        `${keyedBase}/principles`,
        { headers: { 'accept-encoding': 'identity', ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('answers every Host and an untrusted X-Forwarded-Proto from one entry', async () => {
    keyed.clear();
    keyedRenders = 0;
    trusted.value = false;
    const first = await getWith({ host: 'appeals.example.org' });
    // A forged Host cannot add entries (or be shown to others): the same page, not rendered again.
    expect(await getWith({ host: 'attacker.example' })).toBe(first);
    expect(await getWith({ host: 'another.example', 'x-forwarded-proto': 'https' })).toBe(first);
    expect(keyedRenders).toBe(1);
    expect(keyed.size).toBe(1);
  });

  it('keeps https and http apart only when the app says the request is https (TRUSTED_PROXY)', async () => {
    keyed.clear();
    keyedRenders = 0;
    trusted.value = true;
    await getWith({ host: 'appeals.example.org' });
    await getWith({ host: 'appeals.example.org', 'x-forwarded-proto': 'https' });
    await getWith({ host: 'attacker.example', 'x-forwarded-proto': 'https' });
    expect(keyedRenders).toBe(2);
    expect(keyed.size).toBe(2);
  });
});
