/**
 * The work the server process does besides answering requests (scripts/start.ts): housekeeping,
 * retention, change alerts, staff notifications, the information-wait job and the outbox worker.
 */
import { truncateWal } from '../../db/client.ts';
import { startInfoWaitJob } from '../lib/appeals/index.ts';
import { startOutboxWorker } from '../lib/email/index.ts';
import { startStaffNotificationJob } from '../lib/notifications/index.ts';
import { startChangeAlertJob } from '../lib/principles/index.ts';
import { startRetentionJob } from '../lib/retention/index.ts';
import { startPeriodicJob } from '../lib/platform/index.ts';
import type { Runtime } from '../lib/runtime.ts';
import { purgeExpired } from '../lib/staff/index.ts';

export interface Jobs {
  /** Stops the periodic jobs at once (a run under way finishes). */
  stop(): void;
  /** Stops the outbox worker once its sends in flight are recorded. */
  stopWorker(): Promise<void>;
}

export function startJobs(rt: Runtime): Jobs {
  const jobs = [
    // Expired sessions and links are deleted, then the WAL emptied, now and every 10 minutes (a
    // failure is logged and the next run tries again).
    startPeriodicJob('Housekeeping', 10 * 60 * 1000, async () => {
      await purgeExpired(rt);
      await truncateWal(rt.db);
    }),
    // Personal data past its retention period is purged now and daily (counts logged, never data).
    startRetentionJob(rt),
    // Queues each version's change alert once when it takes effect (a scheduled one within 30 s of
    // its time), and deletes sign-ups left unconfirmed for 7 days.
    startChangeAlertJob(rt),
    // Escalates newly overdue appeals to the admins, and sends the working-day digest at DIGEST_TIME
    // (once a UK day, whatever restarts or other workers do); checked every minute.
    startStaffNotificationJob(rt),
    // Appeals waiting for the appellant: one reminder after INFO_WAIT_WORKING_DAYS, and the review
    // resumes by itself after twice that; checked every minute too.
    startInfoWaitJob(rt),
  ];
  // The outbox worker runs in-process by default (DESIGN.md Contract); `npm run worker` runs more.
  const worker = startOutboxWorker(rt);
  return {
    stop() {
      for (const job of jobs) job.stop();
    },
    stopWorker: () => worker.stop(),
  };
}
