/**
 * `npm run info-wait`: runs the waiting-for-appellant check now (the server also runs it every
 * minute): a reminder to each appellant who has not answered a request for more information
 * within INFO_WAIT_WORKING_DAYS working days, and the review resumed for those who have not
 * answered within twice that. Each is done once. The emails go out through the outbox (the
 * running server's worker, or `npm run worker`). Prints counts only.
 */
import { closeDatabase } from '../db/open.ts';
import { loadConfigOrExit } from '../src/lib/platform/index.ts';
import { chaseWaitingAppeals, describeInfoWait } from '../src/lib/appeals/index.ts';
import { createRuntime } from '../src/lib/runtime.ts';

const config = loadConfigOrExit();
try {
  const rt = await createRuntime(config);
  // Closed whatever happens: an open PostgreSQL pool would keep the process alive.
  try {
    console.log(describeInfoWait(await chaseWaitingAppeals(rt)));
  } finally {
    await closeDatabase(rt.db);
  }
} catch (error) {
  console.error(`Waiting-for-appellant check failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
