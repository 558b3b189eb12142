/**
 * `npm run worker`: the outbox worker on its own, for running delivery in a separate process
 * (the server also runs one in-process). Stops cleanly on SIGTERM/SIGINT.
 */
import { closeDatabase } from '../db/open.ts';
import { loadConfigOrExit } from '../src/lib/platform/index.ts';
import { startOutboxWorker } from '../src/lib/email/index.ts';
import { createRuntimeOrExit } from '../src/lib/runtime.ts';

const config = loadConfigOrExit();
const rt = await createRuntimeOrExit(config);
const worker = startOutboxWorker(rt);
console.log(`Outbox worker running (${config.smtpUrl ? 'SMTP' : `files in ${config.mailDir}`}).`);

const stop = () => {
  void worker
    .stop()
    .then(() => closeDatabase(rt.db))
    .then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
