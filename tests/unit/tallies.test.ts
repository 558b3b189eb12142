/**
 * The running aggregates (db/tallies.ts) against the slow definition (SQL aggregates over the
 * rows themselves) on random data, through inserts, updates, deletes and the retention purge.
 */
import { createHash } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { allRows, firstRow, isPostgres, tablesOf } from '../../db/dialect/index.ts';
import { pgUkMonthSql } from '../../db/dialect/pg-tallies.ts';
import { CASE_ACTIONS, DETECTION, OUTCOMES, PLATFORMS } from '../../db/schema.ts';
import { installTallies, ukMonthSql } from '../../db/tallies.ts';
import { runRetentionPurge } from '../../src/lib/retention/retention.ts';
import {
  countsFromRows,
  countsFromTallies,
  monthPeriod,
  type MonthlyCounts,
} from '../../src/lib/transparency/report.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import { testRuntime } from '../support/db.ts';
import { random } from '../support/random.ts';

const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2027, 0, 1);
const HOUR = 3_600_000;

/** Random instants, a third of them within an hour of a UTC month boundary (where UK months differ). */
function instant(r: ReturnType<typeof random>): Date {
  if (r.int(3) === 0) {
    const m = r.int(36);
    const boundary = Date.UTC(2024, m + 1, 1);
    return new Date(boundary - 2 * HOUR + r.int(4 * HOUR));
  }
  return new Date(FROM + r.int(TO - FROM));
}

function ukMonthIndex(d: Date): number {
  const z = new TZDate(d.getTime(), 'Europe/London');
  return z.getFullYear() * 12 + z.getMonth();
}

/** Sorted plain form of the counts, for comparison. */
function plain(c: MonthlyCounts) {
  const out: Record<string, [string, [string | number, number][]][]> = {};
  for (const [name, byPeriod] of Object.entries(c) as [string, Map<string, Map<string | number, number>>][]) {
    out[name] = [...byPeriod]
      .map(
        ([p, m]) =>
          [p, [...m].filter(([, n]) => n !== 0).sort((a, b) => String(a[0]).localeCompare(String(b[0])))] as [
            string,
            [string | number, number][],
          ],
      )
      .filter(([, m]) => m.length > 0)
      .sort((a, b) => a[0].localeCompare(b[0]));
  }
  return out;
}

describe('UK month in SQL', async () => {
  const rt = await testRuntime();
  it('matches Europe/London on random instants and on every month boundary ± 1 ms, 1990–2040', async () => {
    const r = random(7);
    const instants: number[] = [];
    for (let i = 0; i < 3000; i++) instants.push(Date.UTC(1990, 0, 1) + r.int(50 * 365 * 24 * HOUR));
    for (let m = 0; m < 50 * 12; m++) {
      const start = monthPeriod(1990 * 12 + m).start;
      instants.push(start - 1, start, start + 1, start - HOUR, start + HOUR);
    }
    // The engine's own expression (SQLite's rule, or PostgreSQL's time zone), over a table of the
    // instants (integers this test made, so written into the statement).
    const ukMonth = isPostgres(rt.db) ? pgUkMonthSql : ukMonthSql;
    const rows = await allRows<{ t: number; m: number }>(
      rt.db,
      sql.raw(
        `with i(t) as (values ${instants.map((t) => `(${t})`).join(', ')}) select t, ${ukMonth('t')} as m from i`,
      ),
    );
    expect(rows).toHaveLength(instants.length);
    const wrong = rows.filter(({ t, m }) => m !== ukMonthIndex(new Date(t)));
    expect(wrong.map(({ t }) => new Date(t).toISOString())).toEqual([]);
  });
});

describe('the SQLite trigger definitions', async () => {
  const rt = await testRuntime({ engine: 'sqlite' });
  it('are unchanged, since any change rebuilds the tallies of every database at its next start', () => {
    // Update the digest only for a deliberate change of the triggers.
    const triggers = rt.db.$client
      .prepare(
        `select name, sql from sqlite_master where type = 'trigger' and name like 'tally\\_%' escape '\\' order by name`,
      )
      .all() as { name: string; sql: string }[];
    const digest = createHash('sha256')
      .update(triggers.map((t) => `${t.name}\n${t.sql}`).join('\n'))
      .digest('hex');
    expect(triggers).toHaveLength(13);
    expect(digest).toBe('13e5ffcc298e43ae3301b433aa9bd78e17da88b170786acf13307ecaf1408da2');
  });
});

/** The figures and the queue's counts, from the running aggregates and from the rows, agree. */
async function expectTalliesMatchRows(rt: Runtime, months: ReturnType<typeof monthPeriod>[]): Promise<void> {
  expect(plain(await countsFromTallies(rt, months))).toEqual(plain(await countsFromRows(rt, months)));
  const queue = await allRows<{ status: string; a: number; n: number }>(
    rt.db,
    sql`select status, coalesce(assigned_to, 0) as a, count(*) as n from appeals group by 1, 2 order by 1, 2`,
  );
  const tallies = await allRows<{ status: string; a: number; n: number }>(
    rt.db,
    sql`select status, assignee as a, n from appeal_tallies where n <> 0 order by 1, 2`,
  );
  expect(tallies).toEqual(queue);
}

/** `n` random cases, each with actions, grounds and (mostly) an appeal; their ids go to the lists. */
async function addRandomRows(
  rt: Runtime,
  r: ReturnType<typeof random>,
  n: number,
  caseIds: number[],
  appealIds: number[],
): Promise<void> {
  const { appeals, caseActions, caseGrounds, cases } = tablesOf(rt.db);
  for (let i = 0; i < n; i++) {
    const at = instant(r);
    const [row] = await rt.db
      .insert(cases)
      .values({
        reference: `C${i}`,
        platform: r.pick(PLATFORMS),
        principleVersionId: 1,
        actionAt: at,
        detectedBy: r.pick(DETECTION),
        automated: r.int(2) === 1,
        recordedBy: 1,
      })
      .returning({ id: cases.id });
    const id = row!.id;
    caseIds.push(id);
    for (const action of new Set([r.pick(CASE_ACTIONS), r.pick(CASE_ACTIONS)]))
      await rt.db.insert(caseActions).values({ caseId: id, action });
    for (const groundCode of new Set([r.pick(['abusive', 'spam', 'hateful']), r.pick(['abusive', 'illegal'])]))
      await rt.db.insert(caseGrounds).values({ caseId: id, groundCode });
    const received = new Date(at.getTime() + r.int(30 * 24 * HOUR));
    const status = r.pick(['new', 'in-review', 'waiting', 'decided', 'withdrawn'] as const);
    const decidedAt = status === 'decided' ? new Date(received.getTime() + r.int(40 * 24 * HOUR)) : null;
    const [a] = await rt.db
      .insert(appeals)
      .values({
        reference: `A${i}`,

        caseId: r.int(4) === 0 ? null : id,
        status,
        receivedAt: received,
        dueAt: new Date(received.getTime() + 14 * 24 * HOUR),
        assignedTo: r.int(3) === 0 ? null : 1 + r.int(3),
        outcome: decidedAt ? r.pick(OUTCOMES) : null,
        decidedAt,
        workingDaysToDecision: decidedAt && r.int(10) > 0 ? r.int(25) : null,
        withdrawnAt: status === 'withdrawn' ? new Date(received.getTime() + r.int(10 * 24 * HOUR)) : null,
        email: `p${i}@example.org`,
        reason: 'Personal words',
      })
      .returning({ id: appeals.id });
    appealIds.push(a!.id);
  }
}

describe('running aggregates equal the definition', async () => {
  let clock = new Date('2027-02-10T12:00:00Z');
  const rt = await testRuntime({ now: () => clock, env: { RETENTION_MONTHS: '1' } });
  const { appeals, caseActions, caseGrounds, cases } = tablesOf(rt.db);
  const r = random(20261125);
  const months = Array.from({ length: 40 }, (_, i) => monthPeriod(2023 * 12 + 11 + i));
  const check = () => expectTalliesMatchRows(rt, months);

  const caseIds: number[] = [];
  const appealIds: number[] = [];
  it('after random inserts', async () => {
    await addRandomRows(rt, r, 400, caseIds, appealIds);
    await check();
  });

  it('after random updates and deletes', async () => {
    for (let i = 0; i < 300; i++) {
      const kind = r.int(7);
      if (kind === 0)
        await rt.db
          .update(cases)
          .set({ actionAt: instant(r) })
          .where(sql`id = ${r.pick(caseIds)}`);
      else if (kind === 1)
        await rt.db
          .update(cases)
          .set({ platform: r.pick(PLATFORMS), automated: r.int(2) === 1 })
          .where(sql`id = ${r.pick(caseIds)}`);
      else if (kind === 2) {
        const id = r.pick(caseIds);
        await rt.db.delete(caseActions).where(sql`case_id = ${id} and action = ${r.pick(CASE_ACTIONS)}`);
        await rt.db
          .update(caseGrounds)
          .set({ groundCode: `g${r.int(1000)}` })
          .where(
            sql`case_id = ${id} and ground_code = (select ground_code from case_grounds where case_id = ${id} order by ground_code limit 1)`,
          );
      } else if (kind === 3) {
        // A decision, as decideAppeal records it.
        const id = r.pick(appealIds);
        await rt.db
          .update(appeals)
          .set({
            status: 'decided',
            outcome: r.pick(OUTCOMES),
            decidedAt: instant(r),
            workingDaysToDecision: r.int(20),
            assignedTo: 2,
          })
          .where(sql`id = ${id} and status not in ('decided', 'withdrawn')`);
      } else if (kind === 4) {
        const id = r.pick(appealIds);
        await rt.db
          .update(appeals)
          .set({ status: 'withdrawn', withdrawnAt: instant(r) })
          .where(sql`id = ${id} and status not in ('decided', 'withdrawn')`);
      } else if (kind === 5)
        await rt.db
          .update(appeals)
          .set({ assignedTo: r.int(2) ? null : 3, status: r.pick(['new', 'in-review', 'waiting'] as const) })
          .where(sql`id = ${r.pick(appealIds)} and status not in ('decided', 'withdrawn')`);
      else
        await rt.db
          .update(appeals)
          .set({ receivedAt: instant(r) })
          .where(sql`id = ${r.pick(appealIds)}`);
    }
    // Deleting whole rows (an operator's correction).
    const gone = appealIds.pop()!;
    await rt.db.delete(appeals).where(sql`id = ${gone}`);
    await check();
  });

  it('the figures survive the retention purge unchanged', async () => {
    const before = plain(await countsFromTallies(rt, months));
    clock = new Date('2029-01-01T12:00:00Z');
    const purged = await runRetentionPurge(rt, { dryRun: false });
    expect(purged.appeals).toBeGreaterThan(0);
    expect(
      (
        await firstRow<{ n: number }>(
          rt.db,
          sql`select count(*) as n from appeals where email is not null and status in ('decided', 'withdrawn')`,
        )
      )?.n,
    ).toBe(0);
    expect(plain(await countsFromTallies(rt, months))).toEqual(before);
    await check();
  });
});

/*
 * SQLite's triggers and installTallies (which reads their text) are SQLite's own:
 * tests/unit/pg-tallies.test.ts covers PostgreSQL's install.
 */
describe('the SQLite tallies at start', async () => {
  const rt = await testRuntime({ engine: 'sqlite' });
  const months = Array.from({ length: 40 }, (_, i) => monthPeriod(2023 * 12 + 11 + i));
  await addRandomRows(rt, random(20261126), 100, [], []);

  it('a changed or missing trigger is replaced and the tallies rebuilt at start', async () => {
    rt.db.$client.exec(`drop trigger tally_cases_insert; delete from transparency_tallies;`);
    expect(installTallies(rt.db.$client)).toEqual({ rebuilt: true });
    expect(installTallies(rt.db.$client)).toEqual({ rebuilt: false });
    await expectTalliesMatchRows(rt, months);
  });
});
