/**
 * `npm run purge [-- --dry-run]`: the retention purge from the command line (the server also runs
 * it daily). Prints counts only, never personal data.
 */
import { loadConfigOrExit } from '../src/lib/config.ts';
import { describePurge, runRetentionPurge } from '../src/lib/retention.ts';
import { createRuntime } from '../src/lib/runtime.ts';

const rt = createRuntime(loadConfigOrExit());
const dryRun = process.argv.includes('--dry-run');
console.log(describePurge(runRetentionPurge(rt, { dryRun }), dryRun));
rt.db.$client.close();
