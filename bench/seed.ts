/**
 * Seeds `count` cases and `count` appeals (one appeal a case; a realistic mix of statuses, a
 * tenth overdue) with better-sqlite3 prepared statements inside one transaction.
 *
 *   node_modules/.bin/tsx bench/seed.ts <data-dir> <count>     (e.g. a million rows in ~10 s)
 *
 * Used by bench/run.ts for the scale figures; works on any migrated database (db/schema/sqlite/cases.ts).
 */
import { pathToFileURL } from 'node:url';
import type { Db } from '../db/client.ts';
import { dropTallyTriggers, installTallies } from '../db/tallies.ts';
import { APPEAL_STATUSES } from '../src/lib/appeals/state.ts';
import { parseConfig } from '../src/lib/platform/config.ts';
import { closeDatabase } from '../db/open.ts';
import { createRuntime } from '../src/lib/runtime.ts';

const PLATFORMS = ['facebook', 'x', 'instagram', 'linkedin', 'youtube', 'tiktok', 'other'];
const DETECTION = ['own-monitoring', 'public-report', 'platform-filter'];
const DAY = 86_400_000;
/** A prime above any count we seed: i → i·K mod P is a bijection, so references look random but never collide. */
const P = 10_000_019;
const K = 7_368_787;

/** The case reference of the i-th seeded case (i from 1). */
export function seededCaseReference(i: number): string {
  return `FH-${String((i * K) % P).padStart(8, '0')}`;
}
export function seededAppealReference(i: number): string {
  return `AP-${String((i * K) % P).padStart(8, '0')}`;
}

export function seedScale(db: Db, count: number, now = Date.now()): { ms: number } {
  if (count >= P) throw new Error(`At most ${P - 1} rows`);
  const sqlite = db.$client;
  const versionId = (
    sqlite.prepare(`select id from principle_versions where status = 'published' order by id limit 1`).get() as {
      id: number;
    }
  ).id;
  const insertCase = sqlite.prepare(
    `insert into cases (reference, platform, account_handle, post_url, excerpt, statement_of_reasons, principle_version_id,
       action_at, detected_by, automated, recorded_by, closed_at, purged_at, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAppeal = sqlite.prepare(
    `insert into appeals (reference, status_token_hash, case_id, reason, email, name, status, received_at, due_at,
       assigned_to, outcome, decision_version_id, decided_by, decided_at, working_days_to_decision, withdrawn_at, purged_at, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // The retention purge runs daily (src/lib/retention/retention.ts), so in a running system personal data
  // past its time is already gone: rows closed over a year ago (RETENTION_MONTHS default 12) and
  // cases over 18 months old (plus the 6-month appeal window) are seeded purged, as the purge
  // leaves them. Otherwise the app's first start would spend minutes purging half a million rows.
  const purgedBefore = now - 367 * DAY;
  const casesPurgedBefore = now - (548 + 2) * DAY;
  const started = performance.now();
  // Bulk load: a large page cache, and the secondary indexes built once at the end (sorted, far
  // faster than a million random inserts into each); their definitions come from the schema.
  const cacheSize = sqlite.pragma('cache_size', { simple: true }) as number;
  sqlite.pragma('cache_size = -1000000');
  const indexes = sqlite
    .prepare(
      `select name, sql from sqlite_master where type = 'index' and tbl_name in ('cases', 'appeals') and sql is not null`,
    )
    .all() as { name: string; sql: string }[];
  // Likewise the running aggregates (db/tallies.ts): triggers off during the load, one recount after.
  dropTallyTriggers(sqlite);
  sqlite.transaction(() => {
    for (const index of indexes) sqlite.exec(`drop index "${index.name}"`);
    for (let i = 1; i <= count; i++) {
      // Spread over the last two years, newest last.
      const actionAt = now - Math.floor(((count - i) / count) * 730 * DAY) - DAY;
      const platform = PLATFORMS[i % PLATFORMS.length]!;
      const casePurged = actionAt < casesPurgedBefore;
      const caseId = insertCase.run(
        seededCaseReference(i),
        platform,
        casePurged ? null : `@person${i % 50_000}`,
        casePurged ? null : `https://${platform}.example/post/${i}`,
        casePurged ? null : 'An example comment that was hidden.',
        casePurged ? null : 'Hidden under ground abusive.',
        versionId,
        actionAt,
        DETECTION[i % 3]!,
        i % 5 === 0 ? 1 : 0,
        1 + (i % 7),
        casePurged ? now : null,
        casePurged ? now : null,
        actionAt,
      ).lastInsertRowid;
      const receivedAt = actionAt + DAY;
      // Old appeals are decided; the newest are open (new, in review, waiting), a tenth overdue.
      const open = i > count - Math.max(50, Math.floor(count / 100));
      const status = open ? APPEAL_STATUSES[i % 3]! : i % 20 === 0 ? 'withdrawn' : 'decided';
      const dueAt = open && i % 10 === 0 ? now - DAY : receivedAt + 14 * DAY;
      const decided = status === 'decided';
      const closedAt = decided ? receivedAt + 5 * DAY : status === 'withdrawn' ? receivedAt + DAY : null;
      const appealPurged = closedAt !== null && closedAt < purgedBefore;
      insertAppeal.run(
        seededAppealReference(i),
        // Unique and hash-shaped; computing real SHA-256s would only slow the seed.
        i.toString(16).padStart(64, '0'),
        caseId,
        appealPurged ? null : 'I think my comment was within the rules.',
        appealPurged ? null : `person${i}@example.org`,
        appealPurged ? null : `Person ${i}`,
        status,
        receivedAt,
        dueAt,
        open ? 1 + (i % 7) : null,
        decided ? (['upheld', 'overturned', 'partly-overturned'] as const)[i % 3]! : null,
        decided ? versionId : null,
        decided ? 1 + (i % 7) : null,
        decided ? receivedAt + 5 * DAY : null,
        decided ? 5 : null,
        status === 'withdrawn' ? receivedAt + DAY : null,
        appealPurged ? now : null,
        receivedAt,
      );
    }
    for (const index of indexes) sqlite.exec(index.sql);
  })();
  installTallies(sqlite);
  sqlite.pragma(`cache_size = ${cacheSize}`);
  return { ms: performance.now() - started };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, countArg] = process.argv.slice(2);
  const count = Number(countArg);
  if (!dir || !Number.isInteger(count) || count < 1) {
    console.error('Usage: tsx bench/seed.ts <data-dir> <count>');
    process.exit(1);
  }
  const config = parseConfig({ DATA_DIR: dir });
  if (!config.ok) throw new Error(config.error);
  const rt = await createRuntime(config.config);
  const { ms } = seedScale(rt.db, count);
  console.log(`Seeded ${count} cases and ${count} appeals in ${(ms / 1000).toFixed(1)} s`);
  await closeDatabase(rt.db);
}
