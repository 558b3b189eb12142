/**
 * Running aggregates behind the transparency report (table transparency_tallies, see
 * db/schema/sqlite/transparency.ts) and the review queue's counts (appeal_tallies).
 *
 * They are kept by SQLite triggers, so every writer is covered — domain code, the retention
 * purge, tests and operators writing plain SQL — in the same transaction as the change. The
 * triggers are (re)created at start by `installTallies` (called by migrateDatabase): when their
 * definition here differs from the database's, they are replaced and the tallies rebuilt from the
 * rows in one transaction. drizzle-kit has no notion of triggers, so they live here rather than in
 * a generated migration (and survive migrations being regenerated). PostgreSQL runs the same
 * statements (`tallyTriggers`) in PL/pgSQL trigger functions: db/dialect/pg-tallies.ts.
 *
 * Months are UK calendar months. SQLite has no time zones; the expression below uses the UK rule
 * (in force since 1981) that British Summer Time covers the last hour of every month from March to
 * September and none of October to February: BST starts on the last Sunday of March and ends on
 * the last Sunday of October, both at 01:00 UTC. Only a month's last hour can fall in another
 * month in UK time, so adding an hour to times in March–September gives the UK month. A unit test
 * checks it against @date-fns/tz on random instants.
 */
import type Database from 'better-sqlite3';

/** UK month index (year × 12 + month − 1) of an integer-milliseconds UTC column, in SQL. */
export function ukMonthSql(column: string): string {
  const shifted = `(${column} / 1000 + (case when cast(strftime('%m', ${column} / 1000, 'unixepoch') as integer) between 3 and 9 then 3600 else 0 end))`;
  return `(cast(strftime('%Y', ${shifted}, 'unixepoch') as integer) * 12 + cast(strftime('%m', ${shifted}, 'unixepoch') as integer) - 1)`;
}

/**
 * The pieces of the tally SQL whose form differs between the engines; the statements themselves
 * are written once, here, for SQLite's triggers and PostgreSQL's (db/dialect/pg-tallies.ts).
 */
export interface TallyDialect {
  /** UK month index of an integer-milliseconds UTC column. */
  ukMonth(column: string): string;
  /** A case's category, 'platform|detected_by|1' or '…|0' (the figures code parses it). */
  caseCategory(row: string): string;
  /** The ON CONFLICT clause adding excluded.n to a transparency_tallies row. */
  upsert: string;
  /** The same for appeal_tallies. */
  queueUpsert: string;
}

export const T = 'transparency_tallies';
export const Q = 'appeal_tallies';

const SQLITE: TallyDialect = {
  ukMonth: ukMonthSql,
  caseCategory: (r) => `${r}.platform || '|' || ${r}.detected_by || '|' || ${r}.automated`,
  upsert: 'on conflict(month, measure, category, days) do update set n = n + excluded.n',
  queueUpsert: 'on conflict(status, assignee) do update set n = n + excluded.n',
};

/** One trigger: after `event` on `table`, for each row, these statements (NEW and OLD as `new`, `old`). */
export interface TallyTrigger {
  table: string;
  event: string;
  statements: string[];
}

/** name → trigger. The statements run in this order on both engines. */
export function tallyTriggers(d: TallyDialect): Record<string, TallyTrigger> {
  /** Adds `sign` to the tally of one row of cases (r = new or old). */
  const caseTally = (r: string, sign: 1 | -1) => [
    `insert into ${T} (month, measure, category, days, n) select ${d.ukMonth(`${r}.action_at`)}, 'case', ${d.caseCategory(r)}, -1, ${sign} where true ${d.upsert};`,
    // Cases whose person was told (notice recorded as sent), in the month of the action.
    `insert into ${T} (month, measure, category, days, n) select ${d.ukMonth(`${r}.action_at`)}, 'told', '', -1, ${sign} where ${r}.notice_sent_at is not null ${d.upsert};`,
  ];
  const childTally = (measure: 'action' | 'ground', column: string, r: string, sign: 1 | -1) => [
    `insert into ${T} (month, measure, category, days, n) select ${d.ukMonth('c.action_at')}, '${measure}', ${r}.${column}, -1, ${sign} from cases c where c.id = ${r}.case_id ${d.upsert};`,
  ];
  /** All actions and grounds of case `r` moved by `sign` (when its action time changes). */
  const childrenOfCase = (r: string, sign: 1 | -1) => [
    `insert into ${T} (month, measure, category, days, n) select ${d.ukMonth(`${r}.action_at`)}, 'action', a.action, -1, ${sign} from case_actions a where a.case_id = ${r}.id ${d.upsert};`,
    `insert into ${T} (month, measure, category, days, n) select ${d.ukMonth(`${r}.action_at`)}, 'ground', g.ground_code, -1, ${sign} from case_grounds g where g.case_id = ${r}.id ${d.upsert};`,
  ];
  const appealTallies = (r: string, sign: 1 | -1) => [
    `insert into ${T} (month, measure, category, days, n) select ${d.ukMonth(`${r}.received_at`)}, 'received', '', -1, ${sign} where true ${d.upsert};`,
    `insert into ${T} (month, measure, category, days, n) select ${d.ukMonth(`${r}.decided_at`)}, 'decided', ${r}.outcome, coalesce(${r}.working_days_to_decision, -1), ${sign} where ${r}.decided_at is not null and ${r}.outcome is not null ${d.upsert};`,
    `insert into ${T} (month, measure, category, days, n) select ${d.ukMonth(`${r}.withdrawn_at`)}, 'withdrawn', '', -1, ${sign} where ${r}.withdrawn_at is not null and ${r}.status = 'withdrawn' ${d.upsert};`,
  ];
  /** Queue counts: appeals by status and assignee (0 = unassigned). */
  const queueTally = (r: string, sign: 1 | -1) => [
    `insert into ${Q} (status, assignee, n) select ${r}.status, coalesce(${r}.assigned_to, 0), ${sign} where true ${d.queueUpsert};`,
  ];
  const on = (table: string, event: string, ...statements: string[][]): TallyTrigger => ({
    table,
    event,
    statements: statements.flat(),
  });
  return {
    tally_cases_insert: on('cases', 'insert', caseTally('new', 1)),
    tally_cases_delete: on('cases', 'delete', caseTally('old', -1)),
    tally_cases_update: on(
      'cases',
      `update of ${FIGURE_COLUMNS}`,
      caseTally('old', -1),
      caseTally('new', 1),
      childrenOfCase('old', -1),
      childrenOfCase('new', 1),
    ),
    tally_case_actions_insert: on('case_actions', 'insert', childTally('action', 'action', 'new', 1)),
    tally_case_actions_delete: on('case_actions', 'delete', childTally('action', 'action', 'old', -1)),
    tally_case_actions_update: on(
      'case_actions',
      'update',
      childTally('action', 'action', 'old', -1),
      childTally('action', 'action', 'new', 1),
    ),
    tally_case_grounds_insert: on('case_grounds', 'insert', childTally('ground', 'ground_code', 'new', 1)),
    tally_case_grounds_delete: on('case_grounds', 'delete', childTally('ground', 'ground_code', 'old', -1)),
    tally_case_grounds_update: on(
      'case_grounds',
      'update',
      childTally('ground', 'ground_code', 'old', -1),
      childTally('ground', 'ground_code', 'new', 1),
    ),
    tally_appeals_insert: on('appeals', 'insert', appealTallies('new', 1), queueTally('new', 1)),
    tally_appeals_delete: on('appeals', 'delete', appealTallies('old', -1), queueTally('old', -1)),
    tally_appeals_update: on(
      'appeals',
      `update of ${APPEAL_FIGURE_COLUMNS}`,
      appealTallies('old', -1),
      appealTallies('new', 1),
    ),
    tally_appeals_queue_update: on(
      'appeals',
      'update of status, assigned_to',
      queueTally('old', -1),
      queueTally('new', 1),
    ),
  };
}

const FIGURE_COLUMNS = 'action_at, platform, detected_by, automated, notice_sent_at';
const APPEAL_FIGURE_COLUMNS = 'received_at, decided_at, outcome, working_days_to_decision, withdrawn_at, status';

const TRIGGERS = tallyTriggers(SQLITE);

// SQLite keeps the text as written, with "CREATE TRIGGER" in capitals, so it can be compared.
const triggerSql = (name: string) => {
  const { table, event, statements } = TRIGGERS[name]!;
  return `CREATE TRIGGER ${name} after ${event} on ${table} begin\n  ${statements.join('\n  ')}\nend`;
};

/**
 * The statements that recount every tally from the rows (inside the caller's transaction). Rows
 * are first counted per UTC hour (UK offsets are whole hours, so a UTC hour lies in one UK month),
 * reading the covering indexes in order; the month expression then runs once an hour, not once a
 * row.
 */
export function rebuildStatements(d: TallyDialect): string[] {
  const month = d.ukMonth('h * 3600000');
  return [
    `delete from ${T}`,
    `insert into ${T} (month, measure, category, days, n)
      select ${month} as m, 'case', k, -1, sum(c) from (
        select action_at / 3600000 as h, ${d.caseCategory('cases')} as k, count(*) as c from cases group by h, k) as hours
      group by m, k`,
    `insert into ${T} (month, measure, category, days, n)
      select ${month} as m, 'told', '', -1, sum(c) from (
        select action_at / 3600000 as h, count(*) as c from cases where notice_sent_at is not null group by h) as hours
      group by m`,
    `insert into ${T} (month, measure, category, days, n)
      select ${month} as m, 'action', k, -1, sum(c) from (
        select c.action_at / 3600000 as h, a.action as k, count(*) as c from case_actions a join cases c on c.id = a.case_id group by h, k) as hours
      group by m, k`,
    `insert into ${T} (month, measure, category, days, n)
      select ${month} as m, 'ground', k, -1, sum(c) from (
        select c.action_at / 3600000 as h, g.ground_code as k, count(*) as c from case_grounds g join cases c on c.id = g.case_id group by h, k) as hours
      group by m, k`,
    `insert into ${T} (month, measure, category, days, n)
      select ${month} as m, 'received', '', -1, sum(c) from (
        select received_at / 3600000 as h, count(*) as c from appeals group by h) as hours
      group by m`,
    `insert into ${T} (month, measure, category, days, n)
      select ${month} as m, 'decided', k, d, sum(c) from (
        select decided_at / 3600000 as h, outcome as k, coalesce(working_days_to_decision, -1) as d, count(*) as c from appeals
        where decided_at is not null and outcome is not null group by h, k, d) as hours
      group by m, k, d`,
    `insert into ${T} (month, measure, category, days, n)
      select ${month} as m, 'withdrawn', '', -1, sum(c) from (
        select withdrawn_at / 3600000 as h, count(*) as c from appeals where withdrawn_at is not null and status = 'withdrawn' group by h) as hours
      group by m`,
    `delete from ${Q}`,
    `insert into ${Q} (status, assignee, n) select status, coalesce(assigned_to, 0) as a, count(*) from appeals group by status, a`,
  ];
}

/** Recounts every tally from the rows (inside the caller's transaction). */
export function rebuildTallies(sqlite: Database.Database): void {
  sqlite.exec(rebuildStatements(SQLITE).join(';\n') + ';');
}

/** Drops the tally triggers (before a bulk load; call installTallies afterwards). */
export function dropTallyTriggers(sqlite: Database.Database): void {
  const existing = sqlite
    .prepare(`select name from sqlite_master where type = 'trigger' and name like 'tally\\_%' escape '\\'`)
    .all() as { name: string }[];
  for (const { name } of existing) sqlite.exec(`drop trigger "${name}"`);
}

/**
 * Makes sure the triggers are exactly the ones defined here; if not (first start, a changed
 * definition, or after a bulk load), replaces them and rebuilds the tallies, in one transaction.
 */
export function installTallies(sqlite: Database.Database): { rebuilt: boolean } {
  const existing = new Map(
    (
      sqlite
        .prepare(`select name, sql from sqlite_master where type = 'trigger' and name like 'tally\\_%' escape '\\'`)
        .all() as { name: string; sql: string }[]
    ).map((r) => [r.name, r.sql]),
  );
  const names = Object.keys(TRIGGERS);
  const upToDate = existing.size === names.length && names.every((n) => existing.get(n) === triggerSql(n));
  if (upToDate) return { rebuilt: false };
  sqlite
    .transaction(() => {
      dropTallyTriggers(sqlite);
      for (const name of names) sqlite.exec(triggerSql(name));
      rebuildTallies(sqlite);
    })
    .immediate();
  return { rebuilt: true };
}
