/**
 * The running aggregates on PostgreSQL (db/dialect/pg-tallies.ts): its UK month against SQLite's,
 * and, after a random sequence of plain SQL writes, both tally tables against a recount made here
 * from the rows and against SQLite's tables after the same sequence. Needs TEST_DATABASE_URL
 * (tests/support/postgres.ts): the file fails, and says how to set it, when it is missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TZDate } from '@date-fns/tz';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type Db } from '../../db/client.ts';
import { allRows, execute } from '../../db/dialect/index.ts';
import { installPostgresTallies, pgUkMonthSql } from '../../db/dialect/pg-tallies.ts';
import { endPool, openPostgres, poolOf } from '../../db/postgres.ts';
import { CASE_ACTIONS, DETECTION, OUTCOMES, PLATFORMS } from '../../db/schema.ts';
import { ukMonthSql } from '../../db/tallies.ts';
import { onCleanup } from '../support/cleanup.ts';
import { openMigratedPostgres } from '../support/postgres.ts';
import { random, type Random } from '../support/random.ts';

const HOUR = 3_600_000;

async function open(url: string, poolSize = 4): Promise<Db> {
  const db = await openPostgres(url, { poolSize });
  onCleanup(() => endPool(poolOf(db)));
  return db;
}

/** A migrated database, with the one principle version the cases refer to. */
async function postgres(): Promise<{ url: string; db: Db }> {
  const { url, db } = await openMigratedPostgres();
  await execute(db, sql.raw(PRINCIPLE));
  return { url, db };
}

function sqlite(): Db {
  const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-pg-tallies-'));
  const db = openDatabase(join(dir, 'test.db'));
  onCleanup(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });
  migrateDatabase(db);
  db.$client.exec(PRINCIPLE);
  return db;
}

const PRINCIPLE = `insert into principle_versions (id, status, body_markdown, change_summary) values (1, 'draft', '', '')`;

/**
 * One migrated PostgreSQL database for the file, with the tallies installed, made by the first
 * test that asks. Not in a beforeAll: a failing hook only marks the tests skipped.
 */
let database: Promise<Db> | undefined;
const pgDb = () =>
  (database ??= postgres().then(async ({ db }) => {
    await installPostgresTallies(db);
    return db;
  }));

/** The last Sunday of a month, at 01:00 UTC (when UK clocks change, since 1981). */
function changeover(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0, 1));
  return last.getTime() - last.getUTCDay() * 24 * HOUR;
}

describe('the UK month on PostgreSQL', () => {
  it("equals SQLite's over DST changeovers, month ends and random instants, 1981–2100", async () => {
    const instants: number[] = [];
    for (let year = 1981; year <= 2060; year++) {
      for (const at of [changeover(year, 2), changeover(year, 9)]) {
        for (let t = at - 3 * HOUR; t <= at + 3 * HOUR; t += 10 * 60_000) instants.push(t);
        instants.push(at - 1, at + 1, at - HOUR - 1, at + HOUR - 1);
      }
      for (let month = 0; month < 12; month++) {
        const end = Date.UTC(year, month + 1, 1);
        for (const t of [end - HOUR, end]) instants.push(t - 1, t, t + 1);
      }
    }
    const r = random(1981);
    const from = Date.UTC(1981, 0, 1);
    for (let i = 0; i < 5000; i++) instants.push(from + r.int(Date.UTC(2100, 0, 1) - from));
    const json = JSON.stringify(instants);

    const onPostgres = await allRows<{ t: number; m: number }>(
      await pgDb(),
      sql`select t, ${sql.raw(pgUkMonthSql('t'))} as m
          from (select v::bigint as t from jsonb_array_elements_text(${json}::jsonb) as e(v)) as instants`,
    );
    const onSqlite = await allRows<{ t: number; m: number }>(
      sqlite(),
      sql`select value as t, ${sql.raw(ukMonthSql('value'))} as m from json_each(${json})`,
    );
    expect(onPostgres).toHaveLength(instants.length);
    const sqliteMonth = new Map(onSqlite.map((row) => [row.t, row.m]));
    const wrong = onPostgres.filter((row) => sqliteMonth.get(row.t) !== row.m);
    expect(wrong.map((row) => new Date(row.t).toISOString())).toEqual([]);
  });
});

/** Random instants 2024–2026, a third within two hours of a UTC month boundary, some on changeovers. */
function instant(r: Random): number {
  const kind = r.int(6);
  if (kind < 2) return Date.UTC(2024, r.int(36) + 1, 1) - 2 * HOUR + r.int(4 * HOUR);
  if (kind === 2) return changeover(2024 + r.int(3), r.pick([2, 9])) - 2 * HOUR + r.int(4 * HOUR);
  return Date.UTC(2024, 0, 1) + r.int(Date.UTC(2027, 0, 1) - Date.UTC(2024, 0, 1));
}

const GROUNDS = ['abusive', 'spam', 'hateful', 'illegal', 'threat'];
const OPEN = `status not in ('decided', 'withdrawn')`;

/**
 * A random sequence of plain SQL writes, the same text for both engines (`true`/`false` are
 * booleans on PostgreSQL and 1/0 on SQLite). Ids are given, so both engines number rows alike; the
 * model here only tracks which rows exist, so that no statement breaks a key.
 */
function writes(r: Random, count: number, firstId = 1): string[] {
  const out: string[] = [];
  const cases = new Map<number, { actions: Set<string>; grounds: Set<string> }>();
  const appeals = new Set<number>();
  const appealed = new Set<number>();
  let nextCase = firstId;
  let nextAppeal = firstId;
  const bool = () => (r.int(2) === 1 ? 'true' : 'false');
  const nullable = (value: () => string) => (r.int(3) === 0 ? 'null' : value());
  const someCase = () => r.pick([...cases.keys()]);
  const someAppeal = () => r.pick([...appeals]);

  const insertCase = () => {
    const id = nextCase++;
    cases.set(id, { actions: new Set(), grounds: new Set() });
    out.push(
      `insert into cases (id, reference, platform, principle_version_id, action_at, detected_by, automated, recorded_by, notice_sent_at)
       values (${id}, 'C${id}', '${r.pick(PLATFORMS)}', 1, ${instant(r)}, '${r.pick(DETECTION)}', ${bool()}, 1, ${nullable(() => String(instant(r)))})`,
    );
    for (let i = r.int(3); i > 0; i--) addChild(id, 'actions');
    for (let i = r.int(3); i > 0; i--) addChild(id, 'grounds');
  };
  const addChild = (id: number, kind: 'actions' | 'grounds') => {
    const value = kind === 'actions' ? r.pick(CASE_ACTIONS) : r.pick(GROUNDS);
    if (cases.get(id)![kind].has(value)) return;
    cases.get(id)![kind].add(value);
    out.push(
      kind === 'actions'
        ? `insert into case_actions (case_id, action) values (${id}, '${value}')`
        : `insert into case_grounds (case_id, ground_code) values (${id}, '${value}')`,
    );
  };
  /** Changes one action or ground of a case: deleted, renamed, or moved to another case. */
  const changeChild = (kind: 'actions' | 'grounds') => {
    const id = someCase();
    const mine = cases.get(id)![kind];
    if (mine.size === 0) return addChild(id, kind);
    const value = r.pick([...mine]);
    const [table, column] = kind === 'actions' ? ['case_actions', 'action'] : ['case_grounds', 'ground_code'];
    const where = `where case_id = ${id} and ${column} = '${value}'`;
    const choice = r.int(3);
    if (choice === 0) {
      mine.delete(value);
      out.push(`delete from ${table} ${where}`);
    } else if (choice === 1) {
      const renamed = kind === 'actions' ? r.pick(CASE_ACTIONS) : r.pick(GROUNDS);
      if (mine.has(renamed)) return;
      mine.delete(value);
      mine.add(renamed);
      out.push(`update ${table} set ${column} = '${renamed}' ${where}`);
    } else {
      const other = someCase();
      if (cases.get(other)![kind].has(value)) return;
      mine.delete(value);
      cases.get(other)![kind].add(value);
      out.push(`update ${table} set case_id = ${other} ${where}`);
    }
  };
  /** A case no appeal refers to yet, or null: a case has one appeal at most (appeals_one_open_per_case). */
  const caseOfNewAppeal = () => {
    const free = [...cases.keys()].filter((id) => !appealed.has(id));
    if (free.length === 0 || r.int(4) === 0) return 'null';
    const id = r.pick(free);
    appealed.add(id);
    return String(id);
  };
  const insertAppeal = () => {
    const id = nextAppeal++;
    appeals.add(id);
    const received = instant(r);
    const status = r.pick(['new', 'in-review', 'waiting', 'decided', 'withdrawn'] as const);
    const decided = status === 'decided' ? received + r.int(40 * 24 * HOUR) : null;
    out.push(
      `insert into appeals (id, reference, case_id, status, received_at, due_at, assigned_to, outcome, decided_at, working_days_to_decision, withdrawn_at, email, reason)
       values (${id}, 'A${id}', ${caseOfNewAppeal()}, '${status}', ${received}, ${received + 14 * 24 * HOUR},
         ${nullable(() => String(1 + r.int(3)))}, ${decided ? `'${r.pick(OUTCOMES)}'` : 'null'}, ${decided ?? 'null'},
         ${decided && r.int(10) > 0 ? r.int(25) : 'null'}, ${status === 'withdrawn' ? received + r.int(10 * 24 * HOUR) : 'null'},
         'p${id}@example.org', 'Personal words')`,
    );
  };
  const deleteCase = () => {
    const id = someCase();
    cases.delete(id);
    appealed.delete(id);
    out.push(
      `delete from case_actions where case_id = ${id}`,
      `delete from case_grounds where case_id = ${id}`,
      `update appeals set case_id = null where case_id = ${id}`,
      `delete from cases where id = ${id}`,
    );
  };

  const steps: (() => void)[] = [
    insertCase,
    insertAppeal,
    () => out.push(`update cases set action_at = ${instant(r)} where id = ${someCase()}`),
    () =>
      out.push(
        `update cases set platform = '${r.pick(PLATFORMS)}', detected_by = '${r.pick(DETECTION)}', automated = ${bool()} where id = ${someCase()}`,
      ),
    // Notice sent, or the record of it corrected away.
    () => out.push(`update cases set notice_sent_at = ${nullable(() => String(instant(r)))} where id = ${someCase()}`),
    // A decision, as decideAppeal records it.
    () =>
      out.push(
        `update appeals set status = 'decided', outcome = '${r.pick(OUTCOMES)}', decided_at = ${instant(r)},
           working_days_to_decision = ${nullable(() => String(r.int(20)))}, assigned_to = 2 where id = ${someAppeal()} and ${OPEN}`,
      ),
    () =>
      out.push(
        `update appeals set status = 'withdrawn', withdrawn_at = ${instant(r)} where id = ${someAppeal()} and ${OPEN}`,
      ),
    // A decided appeal reopened.
    () =>
      out.push(
        `update appeals set status = 'in-review', outcome = null, decided_at = null, working_days_to_decision = null where id = ${someAppeal()} and status = 'decided'`,
      ),
    () =>
      out.push(
        `update appeals set assigned_to = ${nullable(() => String(1 + r.int(3)))}, status = '${r.pick(['new', 'in-review', 'waiting'])}' where id = ${someAppeal()} and ${OPEN}`,
      ),
    () =>
      out.push(`update appeals set assigned_to = ${nullable(() => String(1 + r.int(3)))} where id = ${someAppeal()}`),
    () => out.push(`update appeals set received_at = ${instant(r)} where id = ${someAppeal()}`),
    () => changeChild('actions'),
    () => changeChild('grounds'),
    () => addChild(someCase(), r.pick(['actions', 'grounds'] as const)),
    // Statements touching many rows, and ones that set a column to its own value.
    () => out.push(`update cases set action_at = action_at + ${HOUR} where id % 7 = ${r.int(7)}`),
    () => out.push(`update appeals set assigned_to = null where assigned_to = ${1 + r.int(3)}`),
    () => out.push(`update cases set notice_sent_at = notice_sent_at, automated = automated where id = ${someCase()}`),
    () => out.push(`update appeals set status = status where id % 5 = ${r.int(5)}`),
    () => {
      const id = someAppeal();
      appeals.delete(id);
      out.push(`delete from appeals where id = ${id}`);
      // (Its case, if any, stays out of `appealed`: the model does not know which it was.)
    },
    deleteCase,
  ];
  for (let i = 0; i < 40; i++) {
    insertCase();
    insertAppeal();
  }
  while (out.length < count) {
    if (cases.size < 10) insertCase();
    else if (appeals.size < 10) insertAppeal();
    else r.pick(steps)();
  }
  return out;
}

interface TallyRow {
  month: number;
  measure: string;
  category: string;
  days: number;
  n: number;
}
interface QueueRow {
  status: string;
  assignee: number;
  n: number;
}

/** Both tally tables, in a fixed order, every row (those at zero too). */
async function tallies(db: Db) {
  return {
    transparency: await allRows<TallyRow>(
      db,
      sql`select month, measure, category, days, n from transparency_tallies order by month, measure, category, days`,
    ),
    queue: await allRows<QueueRow>(db, sql`select status, assignee, n from appeal_tallies order by status, assignee`),
  };
}

const nonZero = <T extends { n: number }>(rows: T[]) => rows.filter((row) => row.n !== 0);

const ukMonth = (ms: number) => {
  const z = new TZDate(ms, 'Europe/London');
  return z.getFullYear() * 12 + z.getMonth();
};

/** The tallies as they should be, counted here from the rows with @date-fns/tz (not with SQL). */
async function recount(db: Db) {
  const cases = await allRows<{
    id: number;
    action_at: number;
    platform: string;
    detected_by: string;
    automated: boolean;
    notice_sent_at: number | null;
  }>(db, sql`select id, action_at, platform, detected_by, automated, notice_sent_at from cases`);
  const children = await allRows<{ case_id: number; measure: string; category: string }>(
    db,
    sql`select case_id, 'action' as measure, action as category from case_actions
        union all select case_id, 'ground', ground_code from case_grounds`,
  );
  const appeals = await allRows<{
    status: string;
    assigned_to: number | null;
    received_at: number;
    decided_at: number | null;
    outcome: string | null;
    working_days_to_decision: number | null;
    withdrawn_at: number | null;
  }>(
    db,
    sql`select status, assigned_to, received_at, decided_at, outcome, working_days_to_decision, withdrawn_at from appeals`,
  );
  const counts = new Map<string, TallyRow>();
  const add = (month: number, measure: string, category: string, days = -1) => {
    const key = JSON.stringify([month, measure, category, days]);
    const row = counts.get(key) ?? { month, measure, category, days, n: 0 };
    row.n += 1;
    counts.set(key, row);
  };
  const actionMonth = new Map<number, number>();
  for (const c of cases) {
    const month = ukMonth(c.action_at);
    actionMonth.set(c.id, month);
    add(month, 'case', `${c.platform}|${c.detected_by}|${c.automated ? 1 : 0}`);
    if (c.notice_sent_at !== null) add(month, 'told', '');
  }
  for (const child of children) add(actionMonth.get(child.case_id)!, child.measure, child.category);
  const queue = new Map<string, QueueRow>();
  for (const a of appeals) {
    add(ukMonth(a.received_at), 'received', '');
    if (a.decided_at !== null && a.outcome !== null)
      add(ukMonth(a.decided_at), 'decided', a.outcome, a.working_days_to_decision ?? -1);
    if (a.withdrawn_at !== null && a.status === 'withdrawn') add(ukMonth(a.withdrawn_at), 'withdrawn', '');
    const key = JSON.stringify([a.status, a.assigned_to ?? 0]);
    const row = queue.get(key) ?? { status: a.status, assignee: a.assigned_to ?? 0, n: 0 };
    row.n += 1;
    queue.set(key, row);
  }
  const byKey = <T>(rows: Iterable<[string, T]>) => [...rows].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
  return { transparency: byKey(counts), queue: byKey(queue) };
}

/** The tallies without their zero rows, sorted like `recount`. */
async function counted(db: Db) {
  const { transparency, queue } = await tallies(db);
  const key = (row: object) => JSON.stringify(Object.values(row).slice(0, -1));
  const sorted = <T extends { n: number }>(rows: T[]) => nonZero(rows).sort((a, b) => (key(a) < key(b) ? -1 : 1));
  return { transparency: sorted(transparency), queue: sorted(queue) };
}

async function run(db: Db, statements: string[]): Promise<void> {
  for (const statement of statements) await execute(db, sql.raw(statement));
}

/** A wrong count that only a rebuild corrects. */
const TAMPER = `insert into appeal_tallies (status, assignee, n) values ('new', 0, 1000)
  on conflict (status, assignee) do update set n = appeal_tallies.n + 1000`;

describe('the PostgreSQL tallies', () => {
  const sequence = writes(random(20261202), 1500);

  it('equal a recount of the rows after random writes, and equal SQLite’s after the same writes', async () => {
    const pg = await pgDb();
    await run(pg, sequence);
    const recounted = await recount(pg);
    expect(recounted.transparency.length).toBeGreaterThan(100);
    expect(await counted(pg)).toEqual(recounted);

    const lite = sqlite();
    await run(lite, sequence);
    expect(await recount(lite)).toEqual(recounted);
    expect(await tallies(pg)).toEqual(await tallies(lite));
  });

  it('are left alone by a second install, and rebuilt when the definition differs', async () => {
    const pg = await pgDb();
    const functions = () =>
      allRows<{ oid: number }>(pg, sql`select oid::integer from pg_proc where proname like 'tally\\_%' order by 1`);
    const before = await functions();
    expect(before).toHaveLength(13);
    await execute(pg, sql.raw(TAMPER));
    await installPostgresTallies(pg);
    expect(await functions()).toEqual(before);
    expect((await counted(pg)).queue).not.toEqual((await recount(pg)).queue);

    const changes = [
      `create or replace function tally_cases_insert() returns trigger language plpgsql as $$ begin return null; end $$`,
      `drop trigger tally_appeals_update on appeals`,
      `alter table case_grounds disable trigger tally_case_grounds_insert`,
      `comment on trigger tally_cases_delete on cases is 'an older definition'`,
    ];
    for (const change of changes) {
      await execute(pg, sql.raw(TAMPER));
      await execute(pg, sql.raw(change));
      await installPostgresTallies(pg);
      expect(await counted(pg), change).toEqual(await recount(pg));
    }
    // The rebuilt triggers keep counting.
    await run(pg, writes(random(7), 200, 100_000));
    expect(await counted(pg)).toEqual(await recount(pg));
  });

  it('are installed once, correctly, by two processes starting together while others write', async () => {
    // Two pools, so two connections, as two processes would have.
    const { url, db: first } = await postgres();
    const second = await open(url, 2);
    await run(first, writes(random(11), 600));
    const meanwhile = writes(random(12), 400, 100_000);
    await Promise.all([installPostgresTallies(first), installPostgresTallies(second), run(second, meanwhile)]);
    const triggers = await allRows<{ n: number }>(
      first,
      sql`select count(*) as n from pg_trigger where tgname like 'tally\\_%'`,
    );
    expect(triggers).toEqual([{ n: 13 }]);
    expect(await counted(first)).toEqual(await recount(first));
  });
});
