/**
 * `npm start`: checks the configuration, builds if the build is missing or stale, prepares the
 * database (migrations, seed), then serves the Astro app on HOST:PORT (src/server/http-server.ts).
 * Only wiring lives here; see docs/decisions/002-server-entry.md.
 */
import { closeDatabase } from '../db/open.ts';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfigOrExit } from '../src/lib/platform/index.ts';
import { prepareFirstRun, SETUP_LINK_HOURS } from '../src/lib/staff/index.ts';
import { createRuntimeOrExit } from '../src/lib/runtime.ts';
import { buildIfStale } from '../src/server/build.ts';
import { createHttpServer, type AstroHandler } from '../src/server/http-server.ts';
import { startJobs } from '../src/server/jobs.ts';

const root = process.cwd();
const config = loadConfigOrExit();
if (!process.argv.includes('--no-build')) buildIfStale(root);
const rt = await createRuntimeOrExit(config);
// First run: no admin yet, so print a one-time link to create one (no default password anywhere).
const firstRunLink = await prepareFirstRun(rt);
if (firstRunLink) {
  console.log(
    `\nNo admin account exists yet. Create the first one within ${SETUP_LINK_HOURS} hours at this one-time link:\n\n  ${firstRunLink}\n`,
  );
}
const jobs = startJobs(rt);
const entry = (await import(pathToFileURL(resolve(root, 'dist/server/entry.mjs')).href)) as { handler: AstroHandler };
const server = createHttpServer(rt, { handler: entry.handler, clientDir: resolve(root, 'dist/client') });
await server.listen().catch((error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE' ? `Port ${config.port} is already in use: set PORT to another port.` : error.message,
  );
  process.exit(1);
});
console.log(`Fair Hearing is running at http://${config.host}:${config.port} (public URL ${config.publicUrl})`);

// Graceful shutdown (SIGTERM from a process manager, Ctrl-C): the jobs stop, requests in flight
// finish (server.stop), then the outbox worker once its sends are recorded; the database closes.
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: finishing requests in flight, then stopping.`);
  jobs.stop();
  void server
    .stop()
    .then(() => jobs.stopWorker())
    .then(() => closeDatabase(rt.db))
    .then(() => {
      console.log('Stopped.');
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error('Stopping failed:', error);
      process.exit(1);
    });
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
