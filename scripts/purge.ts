/**
 * `npm run purge [-- --dry-run]`: the retention purge from the command line (the server also runs
 * it daily). Prints counts only, never personal data; a failure is one line and exit code 1.
 */
import { closeDatabase } from '../db/open.ts';
import { loadConfigOrExit } from '../src/lib/platform/index.ts';
import {
  describeFeedbackCommentPurge,
  describeMailFilePurge,
  describePurge,
  runFeedbackCommentPurge,
  runMailFilePurge,
  runRetentionPurge,
} from '../src/lib/retention/index.ts';
import { createRuntime } from '../src/lib/runtime.ts';

const config = loadConfigOrExit();
try {
  const rt = await createRuntime(config);
  // Closed whatever happens: an open PostgreSQL pool would keep the process alive.
  try {
    const dryRun = process.argv.includes('--dry-run');
    console.log(describePurge(await runRetentionPurge(rt, { dryRun }), dryRun));
    console.log(describeMailFilePurge(runMailFilePurge(rt, { dryRun }), dryRun));
    console.log(describeFeedbackCommentPurge(await runFeedbackCommentPurge(rt, { dryRun }), dryRun));
  } finally {
    await closeDatabase(rt.db);
  }
} catch (error) {
  console.error(`Retention purge failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
