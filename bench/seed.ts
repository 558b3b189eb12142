/**
 * Seeds `count` cases and `count` appeals (one appeal a case; a realistic mix of statuses, a
 * tenth overdue). On SQLite with better-sqlite3 prepared statements inside one transaction; on
 * PostgreSQL with two INSERT … SELECT over generate_series computing the very same rows in SQL.
 * Either way the secondary indexes and the running aggregates are built once, after the load.
 *
 *   node_modules/.bin/tsx bench/seed.ts <data-dir> <count> [postgres-url]   (a million rows in ~10–40 s)
 *
 * Used by bench/run.ts for the scale figures and by tests/unit/queue-plans.test.ts (on PostgreSQL); works on
 * any migrated database (db/schema/sqlite/cases.ts, db/schema/pg/cases.ts).
 */
import { sql } from 'drizzle-orm';
import { pathToFileURL } from 'node:url';
import type { Db } from '../db/client.ts';
import { allRows, execute, firstRow, isPostgres } from '../db/dialect/index.ts';
import { dropPostgresTallies, installPostgresTallies } from '../db/dialect/pg-tallies.ts';
import { dropTallyTriggers, installTallies } from '../db/tallies.ts';
import { transaction } from '../db/transactions.ts';
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

export async function seedScale(db: Db, count: number, now = Date.now()): Promise<{ ms: number }> {
  if (!Number.isInteger(count) || count < 1 || count >= P) throw new Error(`From 1 to ${P - 1} rows`);
  return isPostgres(db) ? seedPostgres(db, count, Math.floor(now)) : seedSqlite(db, count, now);
}

function seedSqlite(db: Db, count: number, now: number): { ms: number } {
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
    `insert into appeals (reference, case_id, reason, email, name, status, received_at, due_at,
       assigned_to, outcome, decision_version_id, decided_by, decided_at, working_days_to_decision, withdrawn_at, purged_at, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        caseId,
        appealPurged ? null : 'I think my comment was within the rules.',
        appealPurged ? null : `person${i}@example.org`,
        appealPurged ? null : `Person ${i}`,
        status,
        receivedAt,
        dueAt,
        // New and withdrawn appeals are nobody's; the rest keep the reviewer who took them.
        status === 'new' || status === 'withdrawn' ? null : 1 + (i % 7),
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

/**
 * The same rows as seedSqlite, computed by PostgreSQL: i runs over generate_series, and each
 * expression is the TypeScript above in SQL (`%` of non-negative integers agrees). Ids are given
 * explicitly (after any rows already there) so each appeal knows its case's id, then the identity
 * sequences are moved past them. ANALYZE at the end gives the planner the statistics of a
 * million rows, as autovacuum would in a running system.
 */
async function seedPostgres(db: Db, count: number, now: number): Promise<{ ms: number }> {
  const started = performance.now();
  const version = await firstRow<{ id: number }>(
    db,
    sql`select id from principle_versions where status = 'published' order by id limit 1`,
  );
  if (!version) throw new Error('No published version to seed against');
  const { caseBase, appealBase } = (await firstRow<{ caseBase: number; appealBase: number }>(
    db,
    sql`select (select coalesce(max(id), 0) from cases)::int as "caseBase",
               (select coalesce(max(id), 0) from appeals)::int as "appealBase"`,
  ))!;
  // The secondary indexes (not those behind a primary key or unique constraint), rebuilt after.
  const indexes = await allRows<{ name: string; definition: string }>(
    db,
    sql`select i.indexname as name, i.indexdef as definition from pg_indexes i
        where i.schemaname = current_schema() and i.tablename in ('cases', 'appeals')
          and not exists (select from pg_constraint c where c.conname = i.indexname)`,
  );
  await dropPostgresTallies(db);
  const statuses = sql.raw(
    `array[${APPEAL_STATUSES.slice(0, 3)
      .map((s) => `'${s}'`)
      .join(', ')}]`,
  );
  const platforms = sql.raw(`array[${PLATFORMS.map((p) => `'${p}'`).join(', ')}]`);
  const detection = sql.raw(`array[${DETECTION.map((d) => `'${d}'`).join(', ')}]`);
  // Every number below is an integer this function computed: inlined, so the planner sees constants.
  const n = (value: number) => sql.raw(String(Math.trunc(value)));
  const rows = sql`
    select i,
      ${n(now)} - floor(((${n(count)} - i)::float8 / ${n(count)}) * 730 * ${n(DAY)})::bigint - ${n(DAY)} as action_at,
      (${platforms})[i % 7 + 1] as platform,
      i > ${n(count)} - ${n(Math.max(50, Math.floor(count / 100)))} as open
    from generate_series(1, ${n(count)}) as i`;
  await transaction(db, async (tx) => {
    for (const { name } of indexes) await execute(tx, sql.raw(`drop index "${name}"`));
    await execute(
      tx,
      sql`insert into cases (id, reference, platform, account_handle, post_url, excerpt, statement_of_reasons,
            principle_version_id, action_at, detected_by, automated, recorded_by, closed_at, purged_at, created_at)
          select ${n(caseBase)} + i, 'FH-' || lpad(((i::bigint * ${n(K)}) % ${n(P)})::text, 8, '0'), platform,
            case when purged then null else '@person' || (i % 50000) end,
            case when purged then null else 'https://' || platform || '.example/post/' || i end,
            case when purged then null else 'An example comment that was hidden.' end,
            case when purged then null else 'Hidden under ground abusive.' end,
            ${n(version.id)}, action_at, (${detection})[i % 3 + 1], i % 5 = 0, 1 + i % 7,
            case when purged then ${n(now)} end, case when purged then ${n(now)} end, action_at
          from (select *, action_at < ${n(now - (548 + 2) * DAY)} as purged from (${rows}) r) c`,
    );
    await execute(
      tx,
      sql`insert into appeals (id, reference, case_id, reason, email, name, status, received_at,
            due_at, assigned_to, outcome, decision_version_id, decided_by, decided_at, working_days_to_decision,
            withdrawn_at, purged_at, created_at)
          select ${n(appealBase)} + i, 'AP-' || lpad(((i::bigint * ${n(K)}) % ${n(P)})::text, 8, '0'),
            ${n(caseBase)} + i,
            case when purged then null else 'I think my comment was within the rules.' end,
            case when purged then null else 'person' || i || '@example.org' end,
            case when purged then null else 'Person ' || i end,
            status, received_at,
            case when open and i % 10 = 0 then ${n(now - DAY)} else received_at + ${n(14 * DAY)} end,
            case when status not in ('new', 'withdrawn') then 1 + i % 7 end,
            case when status = 'decided' then (array['upheld', 'overturned', 'partly-overturned'])[i % 3 + 1] end,
            case when status = 'decided' then ${n(version.id)} end,
            case when status = 'decided' then 1 + i % 7 end,
            case when status = 'decided' then received_at + ${n(5 * DAY)} end,
            case when status = 'decided' then 5 end,
            case when status = 'withdrawn' then received_at + ${n(DAY)} end,
            case when purged then ${n(now)} end,
            received_at
          from (select *, closed_at is not null and closed_at < ${n(now - 367 * DAY)} as purged
                from (select *, case status when 'decided' then received_at + ${n(5 * DAY)}
                                            when 'withdrawn' then received_at + ${n(DAY)} end as closed_at
                      from (select i, open, action_at + ${n(DAY)} as received_at,
                              case when open then (${statuses})[i % 3 + 1]
                                   when i % 20 = 0 then 'withdrawn' else 'decided' end as status
                            from (${rows}) r) s) t) a`,
    );
    for (const { definition } of indexes) await execute(tx, sql.raw(definition));
    for (const table of ['cases', 'appeals'])
      await execute(
        tx,
        sql.raw(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`),
      );
  });
  await installPostgresTallies(db);
  await execute(db, sql`analyze cases, appeals, transparency_tallies, appeal_tallies`);
  return { ms: performance.now() - started };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, countArg, databaseUrl] = process.argv.slice(2);
  const count = Number(countArg);
  if (!dir || !Number.isInteger(count) || count < 1) {
    console.error('Usage: tsx bench/seed.ts <data-dir> <count> [postgres-url]');
    process.exit(1);
  }
  const config = parseConfig({ DATA_DIR: dir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  if (!config.ok) throw new Error(config.error);
  const rt = await createRuntime(config.config);
  const { ms } = await seedScale(rt.db, count);
  console.log(`Seeded ${count} cases and ${count} appeals in ${(ms / 1000).toFixed(1)} s`);
  await closeDatabase(rt.db);
}
