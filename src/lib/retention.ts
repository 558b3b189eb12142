/**
 * Retention: personal data in appeals, cases and the outbox is blanked RETENTION_MONTHS after the
 * appeal is decided (or withdrawn) or the case closed; anonymous figures stay. A case is closed
 * when its appeal window has passed and it has no open or recently closed appeal.
 */
import { addMonths } from 'date-fns';
import { recordAudit } from '../../db/audit.ts';
import { countPurgeable, purgePersonalData, type PurgeCounts, type PurgeCutoffs } from '../../db/retention.ts';
import type { Runtime } from './runtime.ts';

export type { PurgeCounts };

export function purgeCutoffs(rt: Runtime): PurgeCutoffs {
  const now = rt.now();
  const retention = rt.config.retentionMonths;
  const retained = addMonths(now, -retention);
  return {
    appealsClosedBefore: retained,
    casesActedBefore: addMonths(retained, -rt.config.appealWindowMonths),
    caseAppealsClosedBefore: retained,
    emailsCreatedBefore: retained,
  };
}

/**
 * Runs the purge (or, with dryRun, only counts). Writes one audit entry with the counts; never
 * logs personal data.
 */
export function runRetentionPurge(rt: Runtime, options: { dryRun: boolean }): PurgeCounts {
  const cutoffs = purgeCutoffs(rt);
  if (options.dryRun) return countPurgeable(rt.db, cutoffs);
  return purgePersonalData(rt.db, cutoffs, rt.now(), (tx, counts) =>
    recordAudit(tx, {
      actorId: null,
      action: 'retention.purged',
      entityType: 'retention',
      entityId: null,
      ip: null,
      details: { ...counts, retentionMonths: rt.config.retentionMonths },
    }),
  );
}

export function describePurge(counts: PurgeCounts, dryRun: boolean): string {
  const verb = dryRun ? 'would remove' : 'removed';
  return `Retention purge ${verb} personal data from ${counts.appeals} appeal(s) and ${counts.cases} case(s), and ${dryRun ? 'would delete' : 'deleted'} ${counts.emails} old email(s).`;
}

const DAY = 24 * 60 * 60 * 1000;

/** Runs the purge now and then daily inside the server process. */
export function startRetentionJob(rt: Runtime): { stop(): void } {
  const run = () => {
    try {
      console.log(describePurge(runRetentionPurge(rt, { dryRun: false }), false));
    } catch (error) {
      console.error('Retention purge failed:', error instanceof Error ? error.message : error);
    }
  };
  run();
  const timer = setInterval(run, DAY);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
