import { describe, expect, it } from 'vitest';
import { tablesOf } from '../../db/dialect/index.ts';
import {
  FEEDBACK_COMMENT_MAX,
  FEEDBACK_MESSAGES,
  giveFeedback,
  satisfactionTable,
} from '../../src/lib/feedback/feedback.ts';
import { testRuntime } from '../support/db.ts';

describe('feedback on the service', async () => {
  let now = new Date('2026-05-10T10:00:00Z');
  const rt = await testRuntime({ now: () => now, env: { FEEDBACK_PER_HOUR: '3' } });
  const { serviceFeedback } = tablesOf(rt.db);

  it('needs a rating, keeps the comment optional and limits its length', async () => {
    expect(await giveFeedback(rt, { client: '192.0.2.1' })).toEqual({
      ok: false,
      error: 'invalid',
      fieldErrors: { rating: FEEDBACK_MESSAGES.rating },
    });
    expect(await giveFeedback(rt, { rating: 'delighted', client: '192.0.2.1' })).toMatchObject({
      ok: false,
      fieldErrors: { rating: FEEDBACK_MESSAGES.rating },
    });
    expect(
      await giveFeedback(rt, {
        rating: 'satisfied',
        comment: 'x'.repeat(FEEDBACK_COMMENT_MAX + 1),
        client: '192.0.2.1',
      }),
    ).toEqual({
      ok: false,
      error: 'invalid',
      fieldErrors: { comment: FEEDBACK_MESSAGES.commentTooLong },
    });
    expect(await rt.db.select().from(serviceFeedback)).toHaveLength(0);
  });

  it('stores the rating, the comment and the page it came from, and nothing about the person', async () => {
    expect(
      await giveFeedback(rt, {
        rating: 'very-satisfied',
        comment: '  Quick and clear.  ',
        from: 'status',
        client: '192.0.2.1',
      }),
    ).toEqual({ ok: true });
    expect(await giveFeedback(rt, { rating: 'dissatisfied', from: 'somewhere-else', client: '192.0.2.1' })).toEqual({
      ok: true,
    });
    const rows = await rt.db.select().from(serviceFeedback).orderBy(serviceFeedback.id);
    expect(rows.map((r) => [r.rating, r.comment, r.fromPage])).toEqual([
      ['very-satisfied', 'Quick and clear.', 'status'],
      ['dissatisfied', null, null],
    ]);
    expect(Object.keys(rows[0]!).sort()).toEqual(['comment', 'createdAt', 'fromPage', 'givenAt', 'id', 'rating']);
    expect(JSON.stringify(rows)).not.toContain('192.0.2.1');
  });

  it('is limited per client, like the other public forms', async () => {
    // The third this hour:
    expect(await giveFeedback(rt, { rating: 'satisfied', client: '192.0.2.1' })).toEqual({ ok: true });
    expect(await giveFeedback(rt, { rating: 'satisfied', client: '192.0.2.1' })).toMatchObject({
      ok: false,
      error: 'rate-limited',
      retryAfterSeconds: expect.any(Number),
    });
    // Another client:
    expect(await giveFeedback(rt, { rating: 'satisfied', client: '192.0.2.99' })).toEqual({ ok: true });
    now = new Date('2026-05-10T11:00:01Z');
    expect(await giveFeedback(rt, { rating: 'satisfied', client: '192.0.2.1' })).toEqual({ ok: true });
  });

  it('publishes the ratings of the last four complete quarters with the small-number rules', async () => {
    // So far, in April to June 2026 (not complete): very-satisfied 1, dissatisfied 1, satisfied 3.
    now = new Date('2026-07-02T09:00:00Z');
    const table = await satisfactionTable(rt);
    expect(table.rows.map((r) => r.period.key)).toEqual(['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2']);
    const q2 = table.rows.at(-1)!;
    // 1, 3, 0, 1, 0 of 5: every non-zero count is under 5, and the total would reveal them: all withheld.
    expect(q2.cells).toEqual(['<5', '<5', 0, '<5', 0]);
    expect(q2.total).toBe(5);
    expect(table.rows[0]!.cells).toEqual([0, 0, 0, 0, 0]);
  });
});
