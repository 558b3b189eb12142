/**
 * Serves the built client assets (dist/client: CSS, icons) ahead of the Astro handler.
 * The node adapter's middleware mode leaves static files to the host server.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { compressBody, isCompressible, MIN_COMPRESS_BYTES, negotiateEncoding, type Encoding } from './compress.ts';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Returns a handler that answers with a file and true, or false when there is no such file.
 * `headers` gives the security headers every response carries (the same as pages'; src/server/http-server.ts).
 */
export function createStaticFiles(
  clientDir: string,
  headers: (req: IncomingMessage) => Record<string, string> = () => ({}),
) {
  const root = resolve(clientDir);
  // Compressed text files (CSS, SVG…), made once a file version and encoding.
  const compressed = new Map<string, Buffer>();
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    // Cheap early exit for pages (no known file extension), before parsing the URL.
    const raw = req.url ?? '/';
    const end = raw.search(/[?#]/);
    if (!TYPES[extname(end === -1 ? raw : raw.slice(0, end)).toLowerCase()]) return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return false;
    }
    const type = TYPES[extname(pathname).toLowerCase()];
    if (!type || pathname.includes('\0')) return false;
    const file = resolve(root, `.${pathname}`);
    if (!file.startsWith(root + sep)) return false;
    let info;
    try {
      info = statSync(file);
    } catch {
      return false;
    }
    if (!info.isFile()) return false;
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    for (const [name, value] of Object.entries(headers(req))) res.setHeader(name, value);
    res.setHeader('Content-Type', type);
    res.setHeader('ETag', etag);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Hashed build output never changes; other files are revalidated.
    res.setHeader(
      'Cache-Control',
      pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
    );
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      res.end();
      return true;
    }
    const encoding: Encoding | null =
      isCompressible(type) && info.size >= MIN_COMPRESS_BYTES
        ? negotiateEncoding(req.headers['accept-encoding'])
        : null;
    if (isCompressible(type)) res.setHeader('Vary', 'Accept-Encoding');
    if (encoding) {
      const key = `${encoding}:${file}:${etag}`;
      let body = compressed.get(key);
      if (!body) {
        body = compressBody(readFileSync(file), encoding, 'best');
        compressed.set(key, body);
      }
      res.setHeader('Content-Encoding', encoding);
      res.setHeader('Content-Length', body.length);
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    res.setHeader('Content-Length', info.size);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    createReadStream(file).pipe(res);
    return true;
  };
}
