import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { findAppealById, updateAppeal } from '../../db/appeals.ts';
import { migrateDatabase, MIGRATIONS_DIR } from '../../db/client.ts';
import { allRows, tablesOf } from '../../db/dialect/index.ts';
import { listEmails } from '../../db/outbox.ts';
import {
  addFurtherInformation,
  createAppeal,
  findAppealByStatusToken,
  openStatusLink,
  withdrawAppeal,
} from '../../src/lib/appeals/appeals.ts';
import { hashToken } from '../../src/lib/platform/tokens.ts';
import { runRetentionPurge } from '../../src/lib/retention/retention.ts';
import { generateReference } from '../../src/lib/cases/references.ts';
import { requestInformation, type Actor } from '../../src/lib/review/review.ts';
import { LINKS_PER_APPEAL_PER_HOUR, requestStatusLink } from '../../src/lib/appeals/status-link-request.ts';
import { insertTestCase } from '../support/cases.ts';
import { testConfig, testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';

const DAY = 24 * 60 * 60_000;
let clock = Date.UTC(2026, 10, 25, 10, 0, 0);
const rt = await testRuntime({
  now: () => new Date(clock),
  env: { PUBLIC_URL: 'https://appeals.example.nhs.uk', CASE_LOOKUPS_PER_10_MINUTES: '5' },
});
let reviewer: Actor;

beforeAll(async () => {
  reviewer = { id: await testStaff(rt, ['reviewer'], 'Rita Reviewer'), ip: '127.0.0.1' };
});

const LINK = /https:\/\/appeals\.example\.nhs\.uk\/appeal\/status\/([A-Za-z0-9_-]{22,})/;

async function newAppeal(email = `p${Math.random().toString(36).slice(2)}@example.org`) {
  const c = await insertTestCase(rt.db, { actionAt: new Date(clock - 2 * DAY) });
  const r = await createAppeal(rt, {
    subject: { kind: 'case', caseReference: c.reference },
    reason: 'It was a fair question.',
    email,
    name: 'Sam',
  });
  if (!r.ok) throw new Error(r.error);
  return { id: r.appeal.id, reference: r.appeal.reference, email, token: r.statusToken };
}

async function tokenIn(kind: string, to: string): Promise<string> {
  const mail = (await listEmails(rt.db)).filter((m) => m.kind === kind && m.to === to).at(-1);
  if (!mail) throw new Error(`no ${kind} email to ${to}`);
  return LINK.exec(mail.text)![1]!;
}

describe('status links', () => {
  it('gives each email to the appellant a link of its own, every one opening the appeal', async () => {
    const a = await newAppeal();
    expect(await requestInformation(rt, a.id, 'Which post did you reply to?', reviewer)).toEqual({ ok: true });
    const request = (await listEmails(rt.db)).find((m) => m.kind === 'appeal-info-request' && m.to === a.email)!;
    // The request carries its own link, to the reply page, and the question itself.
    expect(request.text).toContain('Which post did you reply to?');
    expect(request.text).toMatch(/\/appeal\/status\/[A-Za-z0-9_-]{22,}\/add-information/);
    const replyToken = await tokenIn('appeal-info-request', a.email);
    expect(replyToken).not.toBe(a.token);
    const view = (await findAppealByStatusToken(rt, replyToken))!;
    expect(view.reference).toBe(a.reference);
    expect(view.question).toMatchObject({ text: 'Which post did you reply to?' });
    // The first link still works alongside it; only hashes are stored.
    expect((await findAppealByStatusToken(rt, a.token))?.reference).toBe(a.reference);
    const stored = await allRows<{ token_hash: string }>(
      rt.db,
      sql`select token_hash from appeal_status_links where appeal_id = ${a.id}`,
    );
    expect(stored.map((s) => s.token_hash).sort()).toEqual([hashToken(a.token), hashToken(replyToken)].sort());

    // Answering through the request's own link; then the question is no longer open.
    expect(await addFurtherInformation(rt, replyToken, 'The one about visiting hours.')).toEqual({ ok: true });
    expect((await findAppealByStatusToken(rt, replyToken))!.question).toBeNull();
    expect(await withdrawAppeal(rt, a.token)).toEqual({ ok: true });
    const withdrawnToken = await tokenIn('appeal-withdrawn', a.email);
    expect(new Set([a.token, replyToken, withdrawnToken]).size).toBe(3);
    expect((await findAppealByStatusToken(rt, withdrawnToken))?.status).toBe('withdrawn');
  });

  it('openStatusLink: every status-link page is private, and finds the appeal or says the link does not work', async () => {
    const a = await newAppeal();
    const headers = new Headers();
    expect(await openStatusLink(rt, a.token, headers)).toMatchObject({
      appeal: { reference: a.reference },
      base: `/appeal/status/${a.token}`,
    });
    expect(Object.fromEntries(headers)).toEqual({
      'cache-control': 'no-store',
      'x-robots-tag': 'noindex',
      'referrer-policy': 'no-referrer',
    });
    const wrong = new Headers();
    expect(await openStatusLink(rt, 'not a token/', wrong)).toEqual({
      appeal: undefined,
      base: '/appeal/status/not%20a%20token%2F',
    });
    expect(wrong.get('cache-control')).toBe('no-store');
  });

  it('ends every link with the appeal’s retention', async () => {
    const a = await newAppeal();
    expect(await withdrawAppeal(rt, a.token)).toEqual({ ok: true });
    const second = await tokenIn('appeal-withdrawn', a.email);
    await rt.db.update(tablesOf(rt.db).outbox).set({ state: 'sent' });
    const before = clock;
    clock += (rt.config.retentionMonths * 31 + 1) * DAY;
    try {
      await runRetentionPurge(rt, { dryRun: false });
      expect((await findAppealById(rt.db, a.id))!.purgedAt).not.toBeNull();
      expect(await findAppealByStatusToken(rt, a.token)).toBeUndefined();
      expect(await findAppealByStatusToken(rt, second)).toBeUndefined();
    } finally {
      clock = before;
    }
  });

  it('carries an existing appeal’s link over to the new table (migration 0015)', () => {
    // A database as the previous release left it: migrated up to 0014, with one appeal.
    const dir = testConfig().dataDir;
    const old = join(dir, 'migrations');
    mkdirSync(join(old, 'meta'), { recursive: true });
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
      entries: { tag: string; idx: number }[];
    };
    journal.entries = journal.entries.filter((e) => e.idx < 15);
    writeFileSync(join(old, 'meta/_journal.json'), JSON.stringify(journal));
    for (const e of journal.entries) copyFileSync(join(MIGRATIONS_DIR, `${e.tag}.sql`), join(old, `${e.tag}.sql`));
    const sqlite = new Database(join(dir, 'old.db'));
    try {
      const db = drizzle(sqlite);
      migrateDatabase(db as never, old);
      sqlite
        .prepare(
          "insert into appeals (reference, status_token_hash, status, received_at, due_at) values ('OLD-1', ?, 'new', 1, 2)",
        )
        .run(hashToken('kept-token-kept-token-kept'));
      sqlite
        .prepare(
          "insert into appeals (reference, status_token_hash, status, received_at, due_at, purged_at) values ('OLD-2', 'purged-hash', 'decided', 1, 2, 3)",
        )
        .run();
      migrateDatabase(db as never);
      const links = sqlite
        .prepare(
          'select a.reference, l.token_hash, l.sent_with from appeal_status_links l join appeals a on a.id = l.appeal_id',
        )
        .all();
      expect(links).toEqual([
        { reference: 'OLD-1', token_hash: hashToken('kept-token-kept-token-kept'), sent_with: 'appeal-ack' },
      ]);
    } finally {
      sqlite.close();
    }
  });
});

describe('requestStatusLink', () => {
  const client = (n: number) => `192.0.2.${n}`;

  it('emails a new link when the reference and email address match, in any case', async () => {
    const a = await newAppeal('Jo.Match@example.org'.toLowerCase());
    const before = (await listEmails(rt.db)).length;
    const result = await requestStatusLink(
      rt,
      { reference: a.reference.toLowerCase().replace(/-/g, ' '), email: '  JO.MATCH@Example.ORG ' },
      client(1),
    );
    expect(result).toEqual({ ok: true });
    expect((await listEmails(rt.db)).length).toBe(before + 1);
    const token = await tokenIn('appeal-status-link', a.email);
    expect(token).not.toBe(a.token);
    expect((await findAppealByStatusToken(rt, token))?.reference).toBe(a.reference);
    expect((await findAppealByStatusToken(rt, a.token))?.reference).toBe(a.reference);
  });

  it('says the same and sends nothing when they do not match', async () => {
    const a = await newAppeal();
    const other = await newAppeal();
    const before = (await listEmails(rt.db)).length;
    expect(await requestStatusLink(rt, { reference: a.reference, email: other.email }, client(2))).toEqual({
      ok: true,
    });
    expect(await requestStatusLink(rt, { reference: generateReference(), email: a.email }, client(2))).toEqual({
      ok: true,
    });
    expect((await listEmails(rt.db)).length).toBe(before);
  });

  it('gives field errors for what cannot be a reference or an address', async () => {
    expect(await requestStatusLink(rt, { reference: '', email: '' }, client(3))).toEqual({
      ok: false,
      status: 400,
      errors: { reference: 'Enter your appeal reference', email: 'Enter your email address' },
    });
    const typo = await requestStatusLink(rt, { reference: '7K3M-Q9TX-2MD', email: 'not an email' }, client(3));
    expect(typo).toMatchObject({ ok: false, status: 400 });
    if (!typo.ok) {
      expect(typo.errors['reference']).toMatch(/looks mistyped/);
      expect(typo.errors['email']).toMatch(/correct format/);
    }
  });

  it('is limited per client like the case-reference lookup, and per appeal', async () => {
    const a = await newAppeal();
    for (let i = 0; i < 5; i++)
      expect(
        await requestStatusLink(rt, { reference: generateReference(), email: 'x@example.org' }, client(4)),
      ).toEqual({
        ok: true,
      });
    const limited = await requestStatusLink(rt, { reference: a.reference, email: a.email }, client(4));
    expect(limited).toMatchObject({
      ok: false,
      status: 429,
      errors: {
        reference: expect.stringMatching(
          /^You have asked for too many status links\. Wait \d+ minutes?, then try again$/,
        ),
      },
    });
    const sent = async () =>
      (await listEmails(rt.db)).filter((m) => m.kind === 'appeal-status-link' && m.to === a.email).length;
    expect(await sent()).toBe(0);
    // From many connections, the appellant still gets only a few emails an hour.
    for (let i = 0; i < LINKS_PER_APPEAL_PER_HOUR + 2; i++)
      expect(await requestStatusLink(rt, { reference: a.reference, email: a.email }, client(10 + i))).toEqual({
        ok: true,
      });
    expect(await sent()).toBe(LINKS_PER_APPEAL_PER_HOUR);
    clock += 61 * 60_000;
    expect(await requestStatusLink(rt, { reference: a.reference, email: a.email }, client(40))).toEqual({ ok: true });
    expect(await sent()).toBe(LINKS_PER_APPEAL_PER_HOUR + 1);
  });

  it('sends nothing for an appeal whose details the retention purge has removed', async () => {
    const a = await newAppeal();
    await updateAppeal(rt.db, a.id, { purgedAt: new Date(clock) });
    const before = (await listEmails(rt.db)).length;
    expect(await requestStatusLink(rt, { reference: a.reference, email: a.email }, client(50))).toEqual({ ok: true });
    expect((await listEmails(rt.db)).length).toBe(before);
  });
});
