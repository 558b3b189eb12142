/**
 * Crash safety: a bounded load of appeals sent through the real public journey over HTTP while the
 * server is killed with SIGKILL several times and restarted. Every appeal whose confirmation page
 * came back is in the database afterwards, every appeal stored gets exactly one acknowledgement
 * (one Message-ID; a message cut off by a kill mid-send may be re-sent with the SAME Message-ID,
 * which mail clients collapse; counted and reported), and the database passes integrity_check
 * (SQLite; on PostgreSQL the database server is not the process killed, and every stored appeal
 * is checked to have its history and its acknowledgement instead, as on SQLite too).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { allRows, firstRow } from '../../db/dialect/index.ts';
import { SMTP_POOL_CONNECTIONS } from '../../src/lib/email/transport.ts';
import { insertTestCase } from '../support/cases.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { testStaff } from '../support/staff.ts';
import { appealReferenceIn, HttpClient } from './support/client.ts';
import { recordFigure } from './support/figures.ts';
import { AppServer, onCleanup, onPostgres, sharedRuntime, tempDataDir } from './support/server.ts';

const APPEALS = 60;
const CLIENTS = 4;
const KILLS = 5;

type Outcome = { kind: 'acknowledged'; reference: string; email: string } | { kind: 'lost-reply'; email: string };

function isConnectionError(error: unknown): boolean {
  return (
    error instanceof TypeError ||
    (error instanceof Error &&
      /fetch failed|ECONNRE|socket|terminated|other side closed/i.test(String(error.cause ?? error.message)))
  );
}

describe('crash safety', () => {
  it('loses no acknowledged appeal and sends each acknowledgement once when SIGKILLed under load', async () => {
    const dataDir = tempDataDir('crash');
    const rt = await sharedRuntime(dataDir);
    const moderator = await testStaff(rt, ['moderator']);
    const cases: { id: number; reference: string; email: string }[] = [];
    for (let i = 0; i < APPEALS; i++)
      cases.push({
        ...(await insertTestCase(rt.db, { recordedBy: moderator })),
        email: `crash-${i}@example.org`,
      });
    const sink = await new SmtpSink().start();
    onCleanup(() => sink.stop());
    const server = (
      await AppServer.start({
        dataDir,
        smtpUrl: sink.url,
        env: {
          // One client IP (loopback) sends every appeal: lift the per-IP limits for this load.
          CASE_LOOKUPS_PER_10_MINUTES: '100000',
          APPEALS_PER_HOUR: '100000',
          APPEALS_PER_JOURNEY_PER_HOUR: '100000',
          APPEALS_PER_EMAIL_PER_HOUR: '100000',
          // A message claimed when the process dies is taken over after 2 s instead of 5 minutes.
          OUTBOX_LEASE_MS: '2000',
        },
      })
    ).stopAfterAll();

    let up = true;
    let waitersForUp: (() => void)[] = [];
    const waitUp = () => (up ? Promise.resolve() : new Promise<void>((r) => waitersForUp.push(r)));

    /** The path of a redirect's Location, without its query. */
    const pathOf = (location: string | null) => (location === null ? null : new URL(location, server.baseUrl).pathname);

    /** One appeal through the journey; throws on a connection error (server killed). */
    async function journey(c: { reference: string; email: string }): Promise<Outcome> {
      const web = new HttpClient(server.baseUrl);
      const step = async (
        method: 'GET' | 'POST',
        path: string,
        form?: Record<string, string>,
        expectStatus = method === 'GET' ? 200 : 303,
      ) => {
        const res = method === 'GET' ? await web.get(path) : await web.post(path, form ?? {});
        return { res, ok: res.status === expectStatus };
      };
      await step('GET', '/appeal/case-reference');
      const lookup = await step('POST', '/appeal/case-reference', { 'case-reference': c.reference.toLowerCase() });
      if (!lookup.ok) throw new Error(`case reference step answered ${lookup.res.status}`);
      // The first answer starts the journey: the next address carries ?journey=new (the cookie check).
      expect(lookup.res.location).toMatch(/\?journey=new$/);
      const next = pathOf(lookup.res.location);
      // Killed after the appeal was stored but before its reply: the case now has an open appeal.
      if (next === '/appeal/already-open') return { kind: 'lost-reply', email: c.email };
      expect(next).toBe('/appeal/what-we-did');
      await step('GET', '/appeal/what-we-did');
      await step('GET', '/appeal/reason');
      expect(
        (await step('POST', '/appeal/reason', { reason: `Crash test appeal for ${c.email}. The comment was fair.` }))
          .res.location,
      ).toBe('/appeal/contact');
      expect((await step('POST', '/appeal/contact', { email: c.email, name: '' })).res.location).toBe(
        '/appeal/who-is-asking',
      );
      expect((await step('POST', '/appeal/who-is-asking', { 'asking-for': 'self' })).res.location).toBe(
        '/appeal/contact-needs',
      );
      expect((await step('POST', '/appeal/contact-needs', { 'needs-any': 'no' })).res.location).toBe(
        '/appeal/check-answers',
      );
      await step('GET', '/appeal/check-answers');
      const sent = await step('POST', '/appeal/check-answers', {});
      if (sent.res.location === '/appeal/already-open') return { kind: 'lost-reply', email: c.email };
      expect(sent.res.location).toBe('/appeal/confirmation');
      const confirmation = await step('GET', '/appeal/confirmation');
      const reference = appealReferenceIn(confirmation.res.body);
      if (!confirmation.ok || !reference) throw new Error(`no confirmation page (${confirmation.res.status})`);
      return { kind: 'acknowledged', reference, email: c.email };
    }

    const outcomes: Outcome[] = [];
    let connectionErrors = 0;
    const queue = [...cases];
    async function clientLoop(): Promise<void> {
      for (let c = queue.shift(); c; c = queue.shift()) {
        for (;;) {
          await waitUp();
          try {
            outcomes.push(await journey(c));
            break;
          } catch (error) {
            if (!isConnectionError(error)) throw error;
            connectionErrors++;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
    }

    let killsSurvived = 0;
    let loadDone = false;
    async function killer(): Promise<void> {
      for (let k = 0; k < KILLS && !loadDone; k++) {
        // Spread the kills over the load: the k-th once about k/(KILLS+2) of the appeals are done
        // (so the last still lands well before the end), then a random moment later, so kills land
        // in different steps of the journey.
        const threshold = Math.floor(((k + 1) * APPEALS) / (KILLS + 2));
        while (outcomes.length < threshold && !loadDone) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, Math.random() * 200));
        if (loadDone) break;
        up = false;
        const result = await server.stop('SIGKILL');
        expect(result.signal).toBe('SIGKILL');
        await server.spawn();
        up = true;
        const waiting = waitersForUp;
        waitersForUp = [];
        for (const w of waiting) w();
        killsSurvived++;
      }
    }

    const started = Date.now();
    const killing = killer();
    await Promise.all(Array.from({ length: CLIENTS }, clientLoop));
    loadDone = true;
    await killing;
    const loadMs = Date.now() - started;

    // Everything stored is acknowledged by email: wait for the outbox to empty.
    const appealsInDb = () =>
      allRows<{ reference: string; email: string }>(rt.db, sql`select reference, email from appeals`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const pending = (await firstRow<{ n: number }>(
        rt.db,
        sql`select count(*) as n from outbox where state in ('queued', 'sending')`,
      ))!;
      const stored = await appealsInDb();
      const delivered = new Set(sink.messages.map((m) => m.to[0]));
      if (pending.n === 0 && stored.every((a) => delivered.has(a.email))) break;
      if (Date.now() > deadline) throw new Error(`outbox did not drain: ${pending.n} pending\n${server.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const exit = await server.stop('SIGTERM');

    const stored = await appealsInDb();
    const storedRefs = new Set(stored.map((a) => a.reference));
    const acknowledged = outcomes.filter(
      (o): o is Extract<Outcome, { kind: 'acknowledged' }> => o.kind === 'acknowledged',
    );
    const missing = acknowledged.filter((a) => !storedRefs.has(a.reference));
    const acks = sink.messages.filter((m) => /appeal/i.test(m.subject ?? ''));
    const byAppeal = new Map<string, Set<string>>();
    for (const m of acks) {
      const to = m.to[0]!;
      const set = byAppeal.get(to) ?? new Set<string>();
      set.add(m.messageId ?? '');
      byAppeal.set(to, set);
    }
    const notExactlyOnce = stored.filter((a) => byAppeal.get(a.email)?.size !== 1);
    const distinctIds = new Set(acks.map((m) => m.messageId)).size;
    const wrongReference = acknowledged.filter(
      (a) => !acks.some((m) => m.to[0] === a.email && m.text.includes(a.reference)),
    );

    let integrity: unknown = 'not applicable (PostgreSQL)';
    if (!onPostgres) {
      const file = new Database(join(dataDir, 'fair-hearing.sqlite'), { readonly: true });
      integrity = file.pragma('integrity_check', { simple: true });
      file.close();
    }
    // Every stored appeal has its 'received' history entry and its acknowledgement in the outbox.
    const [incomplete] = await allRows<{ n: number }>(
      rt.db,
      sql`select count(*) as n from appeals a
          where not exists (select 1 from appeal_events e where e.appeal_id = a.id and e.kind = 'received')
             or not exists (select 1 from outbox o where o.to_address = a.email)`,
    );

    recordFigure('Crash safety', 'kills (SIGKILL) survived', `${killsSurvived} of ${KILLS}`);
    recordFigure('Crash safety', 'appeals attempted / connection errors retried', `${APPEALS} / ${connectionErrors}`);
    recordFigure(
      'Crash safety',
      'appeals acknowledged (confirmation page) vs found in DB',
      `${acknowledged.length} acknowledged, ${acknowledged.length - missing.length} of them found; ${stored.length} stored in all (${outcomes.length - acknowledged.length} stored with the reply lost to a kill)`,
    );
    recordFigure(
      'Crash safety',
      'acknowledgement emails expected vs received (distinct Message-IDs)',
      `${stored.length} expected, ${distinctIds} received (${acks.length} deliveries incl. same-Message-ID re-sends after a kill mid-send)`,
    );
    recordFigure('Crash safety', 'integrity_check / exit code after SIGTERM', `${String(integrity)} / ${exit.code}`);
    recordFigure('Crash safety', 'load duration', `${(loadMs / 1000).toFixed(1)} s with ${CLIENTS} clients`);

    expect(killsSurvived).toBe(KILLS);
    expect(outcomes).toHaveLength(APPEALS);
    expect(missing).toEqual([]);
    expect(stored).toHaveLength(APPEALS);
    expect(notExactlyOnce.map((a) => a.email)).toEqual([]);
    expect(distinctIds).toBe(stored.length);
    expect(wrongReference).toEqual([]);
    // A re-send happens only for a message whose send was cut off by a kill: at most the worker's
    // sends in flight (SMTP_POOL_CONNECTIONS) per kill.
    expect(acks.length - distinctIds).toBeLessThanOrEqual(killsSurvived * SMTP_POOL_CONNECTIONS);
    if (!onPostgres) expect(integrity).toBe('ok');
    expect(incomplete!.n).toBe(0);
    expect(exit.code).toBe(0);
  });
});
