/**
 * Secrets at rest (issue 17, point 4), against the real server and the real SMTP sink: an appeal
 * is made through the web journey and its acknowledgement delivered; a staff member is enrolled
 * with the CLI and signs in through the server. Then a dump of every table (from sqlite_master,
 * or PostgreSQL's information_schema) and the raw bytes of every file under DATA_DIR, on SQLite
 * the -wal and -shm included (after the WAL checkpoint the server runs every 10 minutes), contain
 * neither the status token nor the TOTP seed. The private files are owner-only. On PostgreSQL no
 * SQLite file is made under DATA_DIR at all.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { Secret, TOTP, URI } from 'otpauth';
import { afterAll, describe, expect, it } from 'vitest';
import { recentPostDateFields } from '../support/appeals.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { appealReferenceIn, HttpClient } from './support/client.ts';
import { ABOUT_THEM_STEPS } from './support/appeal-steps.ts';
import { recordFigure } from './support/figures.ts';
import { allRows } from '../../db/dialect/index.ts';
import { closeDatabase } from '../../db/open.ts';
import { openPostgres } from '../../db/postgres.ts';
import { AppServer, databaseEnv, databaseUrlOf, onCleanup, tempDataDir } from './support/server.ts';

/** The server's database as the test reads it: every table's rows, on either engine. */
interface Store {
  tables(): Promise<string[]>;
  rows(table: string): Promise<unknown[]>;
  /** SQLite: what the server's housekeeping does every 10 minutes (truncateWal). */
  checkpoint(): void;
}

async function openStore(dataDir: string): Promise<Store> {
  const url = await databaseUrlOf(dataDir);
  if (url) {
    const db = await openPostgres(url, { poolSize: 1 });
    onCleanup(() => closeDatabase(db));
    return {
      tables: async () =>
        (
          await allRows<{ name: string }>(
            db,
            sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
          )
        ).map((t) => t.name),
      rows: (table) => allRows(db, sql.raw(`select * from "${table}"`)),
      checkpoint: () => undefined,
    };
  }
  const db = new Database(join(dataDir, 'fair-hearing.sqlite'));
  onCleanup(() => db.close());
  return {
    tables: async () =>
      (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      ),
    rows: async (table) => db.prepare(`select * from "${table}"`).all(),
    checkpoint: () => {
      const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      expect(checkpoint!.busy).toBe(0);
    },
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('secrets at rest', () => {
  it('after a real acknowledgement is delivered, no table and no file under DATA_DIR holds the status token or a TOTP seed', async () => {
    const dataDir = tempDataDir('secrets');
    const sink = await new SmtpSink().start();
    afterAll(() => sink.stop());
    const server = (await AppServer.start({ dataDir, smtpUrl: sink.url })).stopAfterAll();

    // A staff member enrolled by the CLI (the seed is printed once, for the authenticator app).
    const email = 'sam.secrets@example.org';
    const password = 'a long and private passphrase';
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/staff.ts', 'add', '--email', email, '--name', 'Sam Secrets', '--role', 'admin'],
      {
        input: `${password}\n`,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ...(await databaseEnv(dataDir)) },
      },
    );
    expect(cli.status, cli.stderr).toBe(0);
    const totp = URI.parse(cli.stdout.trim()) as TOTP;
    const seed = totp.secret.base32;
    expect(seed.length).toBeGreaterThanOrEqual(16);

    // The seed works through the server (so it is stored in a form the server reads).
    const staffWeb = new HttpClient(server.baseUrl);
    const signIn = await staffWeb.post('/staff/login', { email, password });
    expect(signIn.status).toBe(303);
    expect(signIn.location).toContain('/staff/login/code');
    const code = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(seed) }).generate();
    const signedIn = await staffWeb.post('/staff/login/code', { code });
    expect(signedIn.status, signedIn.body.slice(0, 500)).toBe(303);
    expect(signedIn.location).not.toContain('/login');

    // An appeal through the public journey; its acknowledgement reaches the SMTP sink.
    const web = new HttpClient(server.baseUrl);
    const steps: [string, Record<string, string>][] = [
      ['/appeal/platform', { platform: 'facebook' }],
      ['/appeal/what-happened', { action: 'hidden' }],
      ['/appeal/account', { handle: '@secrets_test' }],
      ['/appeal/post-date', recentPostDateFields()],
      ['/appeal/post-link', { 'post-url': '' }],
      ['/appeal/reason', { reason: 'Please look at my post again.' }],
      ['/appeal/contact', { email: 'appellant@example.org', name: 'Alex' }],
      ...ABOUT_THEM_STEPS,
    ];
    for (const [path, form] of steps) expect((await web.post(path, form)).status, path).toBe(303);
    expect((await web.post('/appeal/check-answers', {})).status).toBe(303);
    expect(appealReferenceIn((await web.get('/appeal/confirmation')).body)).toBeDefined();
    const [ack] = await sink.waitFor((m) => m.to.includes('appellant@example.org'), 1, 30_000);
    const token = /\/appeal\/status\/([A-Za-z0-9_-]{20,})/.exec(ack!.text)?.[1];
    expect(token).toBeDefined();
    expect((await web.get(`/appeal/status/${token}`)).status).toBe(200);

    // The worker records the delivery (and redacts the copy) just after the sink accepts it.
    const db = await openStore(dataDir);
    const unsent = async () => (await db.rows('outbox')).filter((m) => (m as { state: string }).state !== 'sent');
    const deadline = Date.now() + 30_000;
    while ((await unsent()).length > 0) {
      if (Date.now() > deadline) throw new Error(`The outbox did not drain:\n${server.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    db.checkpoint();

    // Every table, row by row.
    const tables = await db.tables();
    const contents = new Map<string, string>();
    for (const t of tables) contents.set(t, JSON.stringify(await db.rows(t)));
    const dump = tables.map((t) => `${t}: ${contents.get(t)}`).join('\n');
    // Every file, raw bytes.
    const files = filesUnder(dataDir);
    const raw = files.map((f) => ({
      file: relative(dataDir, f),
      bytes: readFileSync(f).toString('latin1'),
      mode: statSync(f).mode & 0o777,
    }));

    const holding = (needle: string) => [
      ...tables.filter((t) => contents.get(t)!.toLowerCase().includes(needle.toLowerCase())).map((t) => `table ${t}`),
      ...raw.filter((r) => r.bytes.toLowerCase().includes(needle.toLowerCase())).map((r) => `file ${r.file}`),
    ];
    recordFigure(
      'Secrets at rest',
      'tables / files searched',
      `${tables.length} / ${files.length} (${files.map((f) => relative(dataDir, f)).join(', ')})`,
    );
    recordFigure(
      'Secrets at rest',
      'places holding the status token / the TOTP seed',
      `${holding(token!).length} / ${holding(seed).length}`,
    );

    expect(tables).toEqual(expect.arrayContaining(['outbox', 'staff', 'appeals', 'audit_log']));
    expect(dump).toContain('[private link removed]');
    expect(holding(token!)).toEqual([]);
    expect(holding(seed)).toEqual([]);
    // Owner-only: the database and its companions, the key file.
    const privateFiles = raw.filter((r) => /fair-hearing\.sqlite|secret\.key/.test(r.file));
    if (await databaseUrlOf(dataDir)) {
      // On PostgreSQL the key is the only private file: no SQLite database was made beside it.
      expect(files.filter((f) => /sqlite/.test(f))).toEqual([]);
      expect(privateFiles.map((r) => r.file)).toEqual(['secret.key']);
    } else
      expect(privateFiles.map((r) => r.file)).toEqual(expect.arrayContaining(['fair-hearing.sqlite', 'secret.key']));
    for (const r of privateFiles) expect(r.mode, r.file).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });
});
