/**
 * Mail outage: the SMTP server goes away while reviewers decide appeals, and comes back. Every
 * email (acknowledgements before, decisions during) arrives exactly once by Message-ID; none lost.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { allRows, firstRow } from '../../db/dialect/index.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { insertTestCase } from '../support/cases.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { testStaff } from '../support/staff.ts';
import { recordFigure } from './support/figures.ts';
import { AppServer, onCleanup, sharedRuntime, tempDataDir } from './support/server.ts';
import { decideAfterPreview } from '../support/review.ts';

const APPEALS = 12;
const OUTAGE_MS = 4_000;

describe('mail outage', () => {
  it('delivers every email exactly once after the SMTP server was down during decisions', async () => {
    const dataDir = tempDataDir('outage');
    const rt = await sharedRuntime(dataDir);
    const moderator = await testStaff(rt, ['moderator']);
    const sink = new SmtpSink();
    // Pooled connections are cut at once when the sink stops (an abrupt outage, not a 30 s drain).
    sink.closeTimeoutMs = 200;
    await sink.start();
    onCleanup(() => sink.stop());
    const server = (await AppServer.start({ dataDir, smtpUrl: sink.url })).stopAfterAll();

    const appeals: { id: number; email: string }[] = [];
    for (let i = 0; i < APPEALS; i++) {
      const c = await insertTestCase(rt.db, { recordedBy: moderator });
      const email = `outage-${i}@example.org`;
      const created = await createAppeal(rt, {
        subject: { kind: 'case', caseReference: c.reference },
        reason: 'Please look again.',
        email,
        name: null,
      });
      if (!created.ok) throw new Error(created.error);
      appeals.push({ id: created.appeal.id, email });
    }
    await sink.waitFor(() => true, APPEALS, 30_000);
    // The reviewer joins after the appeals arrived, so the only emails are the appellants' own
    // (without REVIEW_TEAM_EMAIL each new appeal would also email every active reviewer).
    const reviewer = await testStaff(rt, ['reviewer']);

    // The outage: SMTP down while every appeal is decided.
    await sink.stop();
    const outageStarted = Date.now();
    for (const [i, a] of appeals.entries()) {
      const result = await decideAfterPreview(
        rt,
        a.id,
        { outcome: i % 2 ? 'upheld' : 'overturned', explanation: `Decision ${i}: we looked again.`, version: '1.0' },
        { id: reviewer, ip: 'test' },
      );
      expect(result).toEqual({ ok: true });
      await new Promise((r) => setTimeout(r, OUTAGE_MS / APPEALS));
    }
    while (Date.now() - outageStarted < OUTAGE_MS) await new Promise((r) => setTimeout(r, 100));
    const during = (await firstRow<{ waiting: number; attempts: number }>(
      rt.db,
      sql`select count(*) as waiting, coalesce(sum(attempts), 0) as attempts from outbox where kind = 'appeal-decision' and state = 'queued'`,
    ))!;
    const receivedDuring = sink.messages.length;
    await sink.start(sink.port);
    const outageMs = Date.now() - outageStarted;

    const rows = () =>
      allRows<{ messageId: string; state: string }>(rt.db, sql`select message_id as "messageId", state from outbox`);
    const deadline = Date.now() + 60_000;
    while ((await rows()).some((r) => r.state !== 'sent')) {
      if (Date.now() > deadline)
        throw new Error(`outbox did not drain:\n${JSON.stringify(await rows())}\n${server.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Anything sent twice would have arrived by now.
    await new Promise((r) => setTimeout(r, 1_000));
    await server.stop('SIGTERM');

    const bare = (id: string | undefined) => (id ?? '').replace(/^<|>$/g, '');
    const expected = (await rows()).map((r) => bare(r.messageId));
    const received = sink.messages.map((m) => bare(m.messageId));
    const counts = new Map<string, number>();
    for (const id of received) counts.set(id, (counts.get(id) ?? 0) + 1);
    const notOnce = expected.filter((id) => counts.get(id) !== 1);
    const unexpected = received.filter((id) => !expected.includes(id));

    recordFigure(
      'Mail outage',
      'outage length / decisions made during it',
      `${(outageMs / 1000).toFixed(1)} s / ${APPEALS}`,
    );
    recordFigure(
      'Mail outage',
      'decision emails waiting at the end of the outage (attempts failed)',
      `${during.waiting} (${during.attempts})`,
    );
    recordFigure(
      'Mail outage',
      'emails expected vs received (by Message-ID)',
      `${expected.length} expected, ${counts.size} distinct received, ${received.length} deliveries, ${notOnce.length} not exactly once`,
    );

    expect(receivedDuring).toBe(APPEALS);
    expect(during.waiting).toBe(APPEALS);
    expect(during.attempts).toBeGreaterThanOrEqual(APPEALS);
    expect(expected).toHaveLength(APPEALS * 2);
    expect(notOnce).toEqual([]);
    expect(unexpected).toEqual([]);
    for (const a of appeals) expect(sink.messages.filter((m) => m.to[0] === a.email)).toHaveLength(2);
  });
});
