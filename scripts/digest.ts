/**
 * `npm run digest [-- --scheduled]`: queues today's working-day digest for the review team now
 * (the server also sends it at DIGEST_TIME on working days). A day's digest is sent once: a second
 * run the same UK day sends nothing. With --scheduled it sends only when the digest is due (a
 * working day, at or after DIGEST_TIME), for running from cron. The emails go out through the
 * outbox: the running server's worker (or `npm run worker`) delivers them. Prints counts only.
 */
import { closeDatabase } from '../db/open.ts';
import { loadConfigOrExit } from '../src/lib/platform/index.ts';
import { describeDigest, runScheduledDigest, sendDigest } from '../src/lib/notifications/index.ts';
import { createRuntime } from '../src/lib/runtime.ts';

const config = loadConfigOrExit();
try {
  const rt = await createRuntime(config);
  // Closed whatever happens: an open PostgreSQL pool would keep the process alive.
  try {
    const result = await (process.argv.includes('--scheduled') ? runScheduledDigest(rt) : sendDigest(rt));
    console.log(
      result
        ? describeDigest(result)
        : 'The digest is not due now (not a working day, or before DIGEST_TIME): nothing sent.',
    );
  } finally {
    await closeDatabase(rt.db);
  }
} catch (error) {
  console.error(`Digest failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
