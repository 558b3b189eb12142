/**
 * The HTTP host: node:http serving static files, the public page cache and the Astro app (the
 * node adapter's handler in middleware mode), with graceful shutdown. scripts/start.ts wires it;
 * see docs/decisions/002-server-entry.md.
 *
 * The runtime reaches every page as `locals.runtime`, passed to the adapter's handler with each
 * request: the start script and the built bundle each load their own copy of the modules, so the
 * objects are handed over, never found through a global.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { databaseChangeToken, principlesStamp } from '../../db/principles.ts';
import { servedOverHttps, securityHeaders } from '../lib/platform/index.ts';
import type { Runtime } from '../lib/runtime.ts';
import { bodyLimitLocals, limitRequestBody } from './body-limit.ts';
import { createPageHandler, PageCache } from './page-cache.ts';
import { createStaticFiles } from './static-files.ts';

/** How long stop() waits for requests in flight before cutting their connections. */
export const SHUTDOWN_GRACE_MS = 20_000;
/** How long a connection with no request under way is kept open after stop() (bytes may be on their way). */
export const IDLE_GRACE_MS = 1_000;
/** How long the server keeps accepting after stop() (connections the kernel already queued). */
export const ACCEPT_GRACE_MS = 500;

/** The node adapter's handler (dist/server/entry.mjs) in middleware mode. */
export type AstroHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
  locals?: object,
) => void;

export interface HttpServer {
  /** Listens on HOST:PORT; rejects with the server's error (e.g. EADDRINUSE). */
  listen(): Promise<void>;
  /**
   * Graceful stop: stops accepting connections after ACCEPT_GRACE_MS (connections already queued
   * by the kernel are served, with Connection: close); lets every request in flight finish,
   * including one whose bytes arrived but were not read yet (so idle connections get
   * IDLE_GRACE_MS before they are closed, instead of Node's immediate closeIdleConnections, which
   * resets such requests); resolves once every connection has ended. Anything still running
   * after SHUTDOWN_GRACE_MS is cut off, so it always resolves.
   */
  stop(): Promise<void>;
}

function isEncrypted(req: IncomingMessage): boolean {
  return 'encrypted' in req.socket && !!req.socket.encrypted;
}

export function createHttpServer(rt: Runtime, app: { handler: AstroHandler; clientDir: string }): HttpServer {
  const { config } = rt;
  const https = (req: IncomingMessage) => servedOverHttps(config, isEncrypted(req), req.headers['x-forwarded-proto']);
  // Files get the same security headers as pages (CSP, X-Frame-Options…; src/lib/platform/security.ts).
  const staticFiles = createStaticFiles(app.clientDir, (req) => securityHeaders(https(req)));
  // Public pages from memory ahead of the render; see docs/decisions/007-page-cache.md.
  const cache = config.pageCache
    ? new PageCache({
        now: () => rt.now().getTime(),
        validity: {
          changeToken: databaseChangeToken(rt.db),
          contentStamp: (now) => principlesStamp(rt.db, new Date(now)),
        },
        // Keyed on the address and https-or-not by the app's own rule, never on Host (see 017).
        variant: (req) => (https(req) ? 'https' : 'http'),
        generation: rt.pageCacheGeneration,
      })
    : undefined;
  const pages = createPageHandler(cache, (req, res) => {
    // The runtime, and whether a body over its limit was refused (src/server/body-limit.ts: the
    // page says so, with 413), reach the pages as locals.
    const locals = { runtime: rt, ...bodyLimitLocals(req) };
    app.handler(
      req,
      res,
      () => {
        // No route matched: the adapter hands over in middleware mode, so render our 404 page.
        req.url = '/404';
        app.handler(
          req,
          res,
          () => {
            res.statusCode = 404;
            res.end('Not found');
          },
          locals,
        );
      },
      locals,
    );
  });

  // Requests under way on each connection, so stop() can tell a busy connection from an idle one.
  const active = new Map<Socket, number>();
  let stopping: Promise<void> | undefined;
  const server = createServer((req, res) => {
    const socket = req.socket;
    active.set(socket, (active.get(socket) ?? 0) + 1);
    // While stopping, every response closes its connection once sent.
    if (stopping) res.setHeader('Connection', 'close');
    res.once('close', () => {
      const left = (active.get(socket) ?? 1) - 1;
      active.set(socket, left);
      if (stopping && left === 0) socket.end();
    });
    if (staticFiles(req, res)) return;
    // Every body is read here, within its limit, before the app sees the request.
    limitRequestBody(req, res, () => pages(req, res));
  });
  server.on('connection', (socket: Socket) => {
    active.set(socket, 0);
    socket.once('close', () => active.delete(socket));
  });

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      }),
    stop: () =>
      (stopping ??= new Promise((resolve) => {
        const idle = setTimeout(() => {
          // Connections accepted during ACCEPT_GRACE_MS are covered: this runs after it.
          for (const [socket, requests] of active) if (requests === 0) socket.end();
        }, ACCEPT_GRACE_MS + IDLE_GRACE_MS);
        const deadline = setTimeout(() => {
          for (const socket of active.keys()) socket.destroy();
        }, SHUTDOWN_GRACE_MS);
        deadline.unref();
        // net.Server's close: stop listening, call back once every connection has ended
        // (http.Server's own close would also drop idle connections at once).
        setTimeout(
          () =>
            NetServer.prototype.close.call(server, () => {
              clearTimeout(idle);
              clearTimeout(deadline);
              resolve();
            }),
          ACCEPT_GRACE_MS,
        );
      })),
  };
}
