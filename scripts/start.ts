/**
 * `npm start`: checks the configuration, builds if the build is missing or stale, prepares the
 * database (migrations, seed), then serves the Astro app with node:http on HOST:PORT.
 * See docs/decisions/002-server-entry.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfigOrExit, servedOverHttps, securityHeaders } from '../src/lib/platform/index.ts';
import { startChangeAlertJob } from '../src/lib/principles/index.ts';
import { startOutboxWorker } from '../src/lib/email/index.ts';
import { purgeExpired, prepareFirstRun, SETUP_LINK_HOURS } from '../src/lib/staff/index.ts';
import { startRetentionJob } from '../src/lib/retention/index.ts';
import { startStaffNotificationJob } from '../src/lib/notifications/index.ts';
import { startInfoWaitJob } from '../src/lib/appeals/index.ts';
import { createRuntimeOrExit, installRuntime } from '../src/lib/runtime.ts';
import { truncateWal } from '../db/client.ts';
import { databaseChangeToken, principlesStamp } from '../db/principles.ts';
import { createPageHandler, PageCache } from '../src/server/page-cache.ts';
import { createStaticFiles } from '../src/server/static-files.ts';
import { bodyLimitLocals, limitRequestBody } from '../src/server/body-limit.ts';

const root = process.cwd();
/** How long SIGTERM waits for requests in flight before cutting their connections. */
const SHUTDOWN_GRACE_MS = 20_000;
/** How long a connection with no request under way is kept open after SIGTERM (bytes may be on their way). */
const IDLE_GRACE_MS = 1_000;
/** How long the server keeps accepting after SIGTERM (connections the kernel already queued). */
const ACCEPT_GRACE_MS = 500;
const stamp = resolve(root, 'dist/.build-stamp');
const SOURCES = ['src', 'db', 'public', 'scripts', 'astro.config.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function buildIfStale(): void {
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((s) => newestMtime(resolve(root, s))));
  if (built > 0 && built >= sources && existsSync(resolve(root, 'dist/server/entry.mjs'))) return;
  console.log(built ? 'The build is out of date: building…' : 'No build yet: building (about a minute)…');
  const result = spawnSync(resolve(root, 'node_modules/.bin/astro'), ['build'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // eslint-disable-next-line no-restricted-properties -- hands the environment on to the build
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) {
    console.error('The build failed; see the messages above.');
    process.exit(1);
  }
  writeFileSync(stamp, new Date().toISOString());
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!process.argv.includes('--no-build')) buildIfStale();
  const rt = installRuntime(createRuntimeOrExit(config));
  // First run: no admin yet, so print a one-time link to create one (no default password anywhere).
  const firstRunLink = prepareFirstRun(rt);
  if (firstRunLink) {
    console.log(`\nNo admin account exists yet. Create the first one within ${SETUP_LINK_HOURS} hours at this one-time link:\n\n  ${firstRunLink}\n`);
  }
  purgeExpired(rt);
  const housekeeping = setInterval(() => {
    purgeExpired(rt);
    truncateWal(rt.db);
  }, 10 * 60 * 1000);
  housekeeping.unref();
  // Personal data past its retention period is purged now and daily (counts logged, never data).
  const retention = startRetentionJob(rt);
  // The outbox worker runs in-process by default (DESIGN.md Contract); `npm run worker` runs more.
  const worker = startOutboxWorker(rt);
  // Queues each version's change alert once when it takes effect (a scheduled one within 30 s of
  // its time), and deletes sign-ups left unconfirmed for 7 days.
  const alerts = startChangeAlertJob(rt);
  // Escalates newly overdue appeals to the admins, and sends the working-day digest at DIGEST_TIME
  // (once a UK day, whatever restarts or other workers do); checked every minute.
  const staffNotifications = startStaffNotificationJob(rt);
  // Appeals waiting for the appellant: one reminder after INFO_WAIT_WORKING_DAYS, and the review
  // resumes by itself after twice that; checked every minute too.
  const infoWait = startInfoWaitJob(rt);

  const entry = (await import(pathToFileURL(resolve(root, 'dist/server/entry.mjs')).href)) as {
    handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next?: (err?: unknown) => void, locals?: object) => void;
  };
  // Files get the same security headers as pages (CSP, X-Frame-Options…; src/lib/platform/security.ts).
  const staticFiles = createStaticFiles(resolve(root, 'dist/client'), (req) =>
    securityHeaders(servedOverHttps(config, 'encrypted' in req.socket && !!req.socket.encrypted, req.headers['x-forwarded-proto'])),
  );
  // Public pages from memory ahead of the render; see docs/decisions/007-page-cache.md.
  const changeToken = databaseChangeToken(rt.db);
  const cache = config.pageCache
    ? new PageCache({
        now: () => rt.now().getTime(),
        validity: { changeToken, contentStamp: (now) => principlesStamp(rt.db, new Date(now)) },
        // Keyed on the address and https-or-not by the app's own rule, never on Host (see 017).
        variant: (req) => (servedOverHttps(config, 'encrypted' in req.socket && !!req.socket.encrypted, req.headers['x-forwarded-proto']) ? 'https' : 'http'),
      })
    : undefined;
  const pages = createPageHandler(cache, (req, res) => {
    // A body over its limit was refused (src/server/body-limit.ts): the page says so, with 413.
    entry.handler(req, res, () => {
      // No route matched: the adapter hands over in middleware mode, so render our 404 page.
      req.url = '/404';
      entry.handler(req, res, () => {
        res.statusCode = 404;
        res.end('Not found');
      });
    }, bodyLimitLocals(req));
  });
  // Requests under way on each connection, so shutdown can tell a busy connection from an idle one.
  const active = new Map<Socket, number>();
  let stopping = false;
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
  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${config.port} is already in use: set PORT to another port.` : error.message);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    console.log(`Fair Hearing is running at http://${config.host}:${config.port} (public URL ${config.publicUrl})`);
  });

  // Graceful shutdown (SIGTERM from a process manager, Ctrl-C): stop accepting connections; let
  // every request in flight finish, including one whose bytes arrived but were not read yet (so
  // idle connections get IDLE_GRACE_MS before they are closed, instead of Node's immediate
  // closeIdleConnections, which resets such requests); then stop the outbox worker after its sends
  // in flight are recorded, close the database and exit 0. Anything still running after
  // SHUTDOWN_GRACE_MS is cut off so shutdown always ends.
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing requests in flight, then stopping.`);
    retention.stop();
    alerts.stop();
    staffNotifications.stop();
    infoWait.stop();
    clearInterval(housekeeping);
    const idle = setTimeout(() => {
      // Connections accepted during ACCEPT_GRACE_MS are covered: this runs after it.
      for (const [socket, requests] of active) if (requests === 0) socket.end();
    }, ACCEPT_GRACE_MS + IDLE_GRACE_MS);
    const deadline = setTimeout(() => {
      for (const socket of active.keys()) socket.destroy();
    }, SHUTDOWN_GRACE_MS);
    deadline.unref();
    // net.Server's close: stop listening, call back once every connection has ended (http.Server's
    // own close would also drop idle connections at once). Listening goes on for ACCEPT_GRACE_MS so
    // connections already queued by the kernel (not yet accepted on a busy event loop) are served
    // (with Connection: close) instead of being reset when the listener closes.
    setTimeout(() => NetServer.prototype.close.call(server, () => {
      clearTimeout(idle);
      clearTimeout(deadline);
      void worker
        .stop()
        .then(() => {
          rt.db.$client.close();
          console.log('Stopped.');
          process.exit(0);
        })
        .catch((error: unknown) => {
          console.error('Stopping the outbox worker failed:', error);
          process.exit(1);
        });
    }), ACCEPT_GRACE_MS);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

await main();
