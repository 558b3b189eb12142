/**
 * The running aggregates (db/tallies.ts) on PostgreSQL: the same statements as SQLite's 13
 * triggers, each in a PL/pgSQL function run by an AFTER … FOR EACH ROW trigger of the same name,
 * so every writer (domain code, the purge, operators' plain SQL) keeps transparency_tallies and
 * appeal_tallies in step in its own transaction.
 *
 * `installPostgresTallies` runs at start. When the installed functions and triggers are not exactly
 * the ones defined here (first start, a changed definition, a trigger dropped or disabled), it
 * replaces them and rebuilds both tables from the rows, in one transaction.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../client.ts';
import { rebuildStatements, tallyTriggers, T, Q, type TallyDialect } from '../tallies.ts';
import { transaction } from '../transactions.ts';
import { allRows, execute } from './index.ts';

/**
 * UK month index (year × 12 + month − 1) of an integer-milliseconds UTC column. PostgreSQL knows
 * the time zone itself (its tz database); the test file checks it gives SQLite's month (whose
 * rule holds from 1981) over DST changeovers, month ends and random instants, 1981–2100.
 */
export function pgUkMonthSql(column: string): string {
  const local = `(to_timestamp(${column} / 1000.0) at time zone 'Europe/London')`;
  return `((extract(year from ${local}) * 12 + extract(month from ${local}) - 1)::integer)`;
}

const POSTGRES: TallyDialect = {
  ukMonth: pgUkMonthSql,
  // `automated` is a boolean here: as an integer it gives SQLite's '…|1' and '…|0', not 'true'.
  caseCategory: (r) => `${r}.platform || '|' || ${r}.detected_by || '|' || ${r}.automated::integer`,
  // PostgreSQL refuses a bare `n` here as ambiguous (the table's row or `excluded`).
  upsert: `on conflict (month, measure, category, days) do update set n = ${T}.n + excluded.n`,
  queueUpsert: `on conflict (status, assignee) do update set n = ${Q}.n + excluded.n`,
};

interface Definition {
  table: string;
  /** The function's body, as pg_proc.prosrc keeps it. */
  body: string;
  /** The function's and trigger's statements. */
  create: string[];
}

function definitions(): Map<string, Definition> {
  const out = new Map<string, Definition>();
  for (const [name, { table, event, statements }] of Object.entries(tallyTriggers(POSTGRES))) {
    const body = `\nbegin\n  ${statements.join('\n  ')}\n  return null;\nend\n`;
    out.set(name, {
      table,
      body,
      create: [
        `create function ${name}() returns trigger language plpgsql as $tally$${body}$tally$`,
        `create trigger ${name} after ${event} on ${table} for each row execute function ${name}()`,
      ],
    });
  }
  return out;
}

const DEFINITIONS = definitions();

/** Written as each trigger's comment: a trigger whose comment differs is from another definition. */
const DIGEST = createHash('sha256')
  .update([...DEFINITIONS.values()].flatMap((d) => d.create).join('\n'))
  .digest('hex');

interface Installed {
  name: string;
  table: string;
  function: string;
  body: string;
  enabled: string;
  comment: string | null;
}

/** The tally triggers of the current schema, with their functions. */
async function installed(db: DbOrTx): Promise<Installed[]> {
  return allRows<Installed>(
    db,
    sql`select t.tgname as name, c.relname as "table", p.proname as "function", p.prosrc as body,
          t.tgenabled as enabled, obj_description(t.oid, 'pg_trigger') as comment
        from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_proc p on p.oid = t.tgfoid
        where not t.tgisinternal and t.tgname like 'tally\\_%' and c.relnamespace = current_schema()::regnamespace`,
  );
}

async function upToDate(db: DbOrTx): Promise<boolean> {
  const found = await installed(db);
  return (
    found.length === DEFINITIONS.size &&
    found.every((t) => {
      const want = DEFINITIONS.get(t.name);
      // 'O': fires in ordinary sessions (not disabled).
      return (
        want !== undefined &&
        t.table === want.table &&
        t.function === t.name &&
        t.body === want.body &&
        t.enabled === 'O' &&
        t.comment === DIGEST
      );
    })
  );
}

/**
 * The tables whose writes fire the triggers, in the order the domain writes them (a case before its
 * actions, grounds and appeals), to make a deadlock with a writer unlikely; one is retried anyway.
 */
const SOURCES = 'cases, case_actions, case_grounds, appeals';

/**
 * Makes sure the triggers are exactly the ones defined here; if not, replaces them and rebuilds
 * both tally tables from the rows, in one SERIALIZABLE transaction.
 *
 * That transaction first locks the source tables against writes (SHARE ROW EXCLUSIVE, which also
 * conflicts with itself). It waits for the writers already under way, holds off the rest until the
 * commit, and makes a second process installing at the same time wait, then find the work done.
 * It is a LOCK TABLE, not an advisory lock, because a SERIALIZABLE transaction's snapshot is taken
 * by its first query: `select pg_advisory_xact_lock(…)` would fix it before the wait, so the
 * second process would count rows without the first's commit and writes made while it waited.
 * LOCK TABLE takes no snapshot; the check after it sees everything committed before. (The test
 * file shows the advisory lock failing: the second process, blind to the first's functions,
 * tries to create them again.)
 */
export async function installPostgresTallies(db: Db): Promise<void> {
  if (await upToDate(db)) return;
  await transaction(db, async (tx) => {
    await execute(tx, sql.raw(`lock table ${SOURCES} in share row exclusive mode`));
    if (await upToDate(tx)) return;
    await dropTallies(tx);
    for (const [name, { table, create }] of DEFINITIONS) {
      for (const statement of create) await execute(tx, sql.raw(statement));
      await execute(tx, sql.raw(`comment on trigger ${name} on ${table} is '${DIGEST}'`));
    }
    for (const statement of rebuildStatements(POSTGRES)) await execute(tx, sql.raw(statement));
  });
}

/**
 * Drops the tally triggers and their functions, for a bulk load (bench/seed.ts) that then runs
 * `installPostgresTallies` once: it finds them missing, installs them and recounts from the rows.
 */
export async function dropPostgresTallies(db: Db): Promise<void> {
  await transaction(db, (tx) => dropTallies(tx));
}

/** Drops every tally trigger of the current schema and every tally trigger function. */
async function dropTallies(tx: DbOrTx): Promise<void> {
  for (const { name, table } of await installed(tx)) await execute(tx, sql.raw(`drop trigger "${name}" on "${table}"`));
  const functions = await allRows<{ name: string }>(
    tx,
    sql`select proname as name from pg_proc
        where pronamespace = current_schema()::regnamespace and proname like 'tally\\_%' and prorettype = 'trigger'::regtype`,
  );
  for (const { name } of functions) await execute(tx, sql.raw(`drop function "${name}"()`));
}
