/**
 * Appeals from a shared connection (decision 026): with the default limits, 30 people behind one
 * address (a hospital's or a library's NAT) can each send an appeal, while one journey (one
 * browser) or one email address across fresh journeys cannot flood. TRUSTED_PROXY lets each test
 * choose its client address with X-Forwarded-For; no appeal limit is set, so the defaults apply.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstRow } from '../../db/dialect/index.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import { answerPostAppeal } from './support/appeal-steps.ts';
import { appealReferenceIn, HttpClient } from './support/client.ts';
import { recordFigure } from './support/figures.ts';
import { AppServer, sharedRuntime, tempDataDir } from './support/server.ts';

/** The defaults in src/lib/platform/config.ts (APPEALS_PER_JOURNEY_PER_HOUR, APPEALS_PER_EMAIL_PER_HOUR). */
const PER_JOURNEY = 5;
const PER_EMAIL = 5;

describe('appeals from one shared address', () => {
  let rt: Runtime;
  let server: AppServer;
  const storedLike = async (pattern: string) =>
    (await firstRow<{ n: number }>(rt.db, sql`select count(*) as n from appeals where email like ${pattern}`))!.n;

  beforeAll(async () => {
    const dataDir = tempDataDir('shared-address');
    rt = await sharedRuntime(dataDir);
    server = (await AppServer.start({ dataDir, env: { TRUSTED_PROXY: 'true' } })).stopAfterAll();
  });

  it('lets 30 different journeys from one address all send', async () => {
    const results: number[] = [];
    for (let i = 0; i < 30; i++) {
      const web = new HttpClient(server.baseUrl, '198.51.100.20');
      await answerPostAppeal(web, `@ward${i}`, `ward-${i}@example.org`);
      const sent = await web.post('/appeal/check-answers', {});
      results.push(sent.status);
      expect(appealReferenceIn((await web.get('/appeal/confirmation')).body)).toBeDefined();
    }
    expect(results.every((s) => s === 303)).toBe(true);
    expect(await storedLike('ward-%')).toBe(30);
    recordFigure(
      'Abuse limits',
      'appeals sent by 30 journeys from one shared address: accepted',
      `${await storedLike('ward-%')} of 30`,
    );
  });

  it('holds back one journey sending again and again', async () => {
    const web = new HttpClient(server.baseUrl, '198.51.100.21');
    const results: number[] = [];
    for (let i = 0; i < PER_JOURNEY + 2; i++) {
      // The same browser (one journey cookie) answers afresh for each appeal.
      await answerPostAppeal(web, `@repeat${i}`, `repeat-${i}@example.org`);
      const sent = await web.post('/appeal/check-answers', {});
      results.push(sent.status);
      if (sent.status === 429) {
        expect(sent.body).toContain('Too many attempts');
        expect(Number(sent.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(results).toEqual([...Array<number>(PER_JOURNEY).fill(303), 429, 429]);
    expect(await storedLike('repeat-%')).toBe(PER_JOURNEY);
    // Someone else on the same connection still can.
    const neighbour = new HttpClient(server.baseUrl, '198.51.100.21');
    await answerPostAppeal(neighbour, '@neighbour', 'neighbour@example.org');
    expect((await neighbour.post('/appeal/check-answers', {})).status).toBe(303);
  });

  it('holds back one email address across fresh journeys and addresses', async () => {
    const results: number[] = [];
    for (let i = 0; i < PER_EMAIL + 2; i++) {
      // A new browser (no cookie) and a new address each time: only the email address is the same.
      const web = new HttpClient(server.baseUrl, `203.0.113.${100 + i}`);
      await answerPostAppeal(web, `@same${i}`, i % 2 ? 'Same.Person@example.org' : 'same.person@example.org');
      results.push((await web.post('/appeal/check-answers', {})).status);
    }
    expect(results).toEqual([...Array<number>(PER_EMAIL).fill(303), 429, 429]);
    expect(await storedLike('same.person@%')).toBe(PER_EMAIL);
    recordFigure(
      'Abuse limits',
      'appeals sent by one journey / one email address in an hour: accepted, then 429',
      `${PER_JOURNEY} / ${PER_EMAIL}`,
    );
  });
});
