/**
 * Retention: personal data in appeals, cases and the outbox is blanked RETENTION_MONTHS after the
 * appeal is decided (or withdrawn) or the case closed; anonymous figures stay. A case is closed
 * when its appeal window has passed and it has no open or recently closed appeal. Comments left
 * with service feedback are blanked RETENTION_MONTHS after they were given (the rating stays).
 */
import { chmodSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { addMonths } from 'date-fns';
import { recordAudit } from '../../../db/audit.ts';
import {
  countFeedbackCommentsBefore,
  countPurgeable,
  purgeFeedbackComments,
  purgePersonalData,
  type PurgeCounts,
  type PurgeCutoffs,
} from '../../../db/retention.ts';
import { startPeriodicJob, type Runtime } from '../platform/index.ts';

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
    feedbackGivenBefore: retained,
  };
}

/**
 * Runs the purge (or, with dryRun, only counts). Writes one audit entry with the counts; never
 * logs personal data.
 */
export async function runRetentionPurge(rt: Runtime, options: { dryRun: boolean }): Promise<PurgeCounts> {
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

/**
 * Blanks the comments of service feedback given more than RETENTION_MONTHS ago (with dryRun, only
 * counts them). A run that blanks any writes an audit entry with the number. Returns the number.
 */
export async function runFeedbackCommentPurge(rt: Runtime, options: { dryRun: boolean }): Promise<number> {
  const before = purgeCutoffs(rt).feedbackGivenBefore;
  if (options.dryRun) return countFeedbackCommentsBefore(rt.db, before);
  return purgeFeedbackComments(rt.db, before, async (tx, n) => {
    if (n === 0) return;
    await recordAudit(tx, {
      actorId: null,
      action: 'retention.purged',
      entityType: 'retention',
      entityId: null,
      ip: null,
      details: { feedbackComments: n, retentionMonths: rt.config.retentionMonths },
    });
  });
}

export function describeFeedbackCommentPurge(n: number, dryRun: boolean): string {
  return `Retention purge ${dryRun ? 'would remove' : 'removed'} the comments from ${n} old piece(s) of feedback.`;
}

/**
 * The `.eml` files the file transport wrote under $DATA_DIR/mail (no SMTP_URL): each is a
 * delivered email, private link included, so it goes when the outbox copy would (last written
 * before the same cut-off). Files kept are tightened to owner-only (an older version wrote 0644).
 * Returns how many were (or, with dryRun, would be) deleted.
 */
export function runMailFilePurge(rt: Runtime, options: { dryRun: boolean }): number {
  const dir = rt.config.mailDir;
  if (!existsSync(dir)) return 0;
  const before = purgeCutoffs(rt).emailsCreatedBefore.getTime();
  let n = 0;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.eml') && !name.endsWith('.partial')) continue;
    const file = join(dir, name);
    const info = statSync(file, { throwIfNoEntry: false });
    if (!info?.isFile()) continue;
    if (info.mtimeMs < before) {
      n++;
      if (!options.dryRun) rmSync(file, { force: true });
    } else if (!options.dryRun && (info.mode & 0o777) !== 0o600) {
      chmodSync(file, 0o600);
    }
  }
  return n;
}

export function describeMailFilePurge(n: number, dryRun: boolean): string {
  return `Retention purge ${dryRun ? 'would delete' : 'deleted'} ${n} old email file(s) from the mail folder.`;
}

const DAY = 24 * 60 * 60 * 1000;

/** Runs the purge now and then daily inside the server process. */
export function startRetentionJob(rt: Runtime): { stop(): void } {
  return startPeriodicJob('Retention purge', DAY, async () => {
    console.log(describePurge(await runRetentionPurge(rt, { dryRun: false }), false));
    const files = runMailFilePurge(rt, { dryRun: false });
    if (files > 0) console.log(describeMailFilePurge(files, false));
    const comments = await runFeedbackCommentPurge(rt, { dryRun: false });
    if (comments > 0) console.log(describeFeedbackCommentPurge(comments, false));
  });
}
