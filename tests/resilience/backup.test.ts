/**
 * Backups: `npm run backup -- <file>` (scripts/backup.ts: SQLite's online backup API, or pg_dump
 * on PostgreSQL) makes a consistent copy while the server keeps taking writes; the copy passes
 * integrity_check (SQLite) or is read back by pg_restore (PostgreSQL), holds everything written
 * before the backup started, and a server started on it (a restore) serves it.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { libpqEnvironment, postgresProgram } from '../../db/backup.ts';
import { openDatabase, type Db } from '../../db/client.ts';
import { allRows, firstRow } from '../../db/dialect/index.ts';
import { closeDatabase } from '../../db/open.ts';
import { openPostgres } from '../../db/postgres.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { insertTestCase } from '../support/cases.ts';
import { HttpClient } from './support/client.ts';
import { recordFigure } from './support/figures.ts';
import { AppServer, databaseEnv, databaseUrlOf, onPostgres, sharedRuntime, tempDataDir } from './support/server.ts';

async function runBackup(
  dataDir: string,
  file: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ...(await databaseEnv(dataDir)) };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', file], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('backups', () => {
  it('copies the live database consistently under writes, and the copy restores', async () => {
    const dataDir = tempDataDir('backup');
    const rt = await sharedRuntime(dataDir);
    const server = (
      await AppServer.start({ dataDir, env: { TRUSTED_PROXY: 'true', SUBSCRIBES_PER_HOUR: '10000' } })
    ).stopAfterAll();

    // Data written before the backup: appeals (with their status links) made through the domain.
    const before: { reference: string; token: string }[] = [];
    for (let i = 0; i < 30; i++) {
      const c = await insertTestCase(rt.db);
      const created = await createAppeal(rt, {
        subject: { kind: 'case', caseReference: c.reference },
        reason: `Backup appeal ${i}`,
        email: `backup-${i}@example.org`,
        name: null,
      });
      if (!created.ok) throw new Error(created.error);
      before.push({ reference: created.appeal.reference, token: created.statusToken });
    }

    // Writes keep coming through the server (sign-ups) and the domain (appeals) during the backup.
    let writing = true;
    let writes = 0;
    const writers = [0, 1].map(async (w) => {
      const web = new HttpClient(server.baseUrl, `198.51.100.${w + 1}`);
      for (let i = 0; writing; i++) {
        const res = await web.post('/subscribe', { email: `during-${w}-${i}@example.org` });
        expect(res.status).toBe(303);
        const c = await insertTestCase(rt.db);
        expect(
          (
            await createAppeal(rt, {
              subject: { kind: 'case', caseReference: c.reference },
              reason: 'During',
              email: `during-${w}-${i}@example.org`,
              name: null,
            })
          ).ok,
        ).toBe(true);
        writes += 2;
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const backupDir = tempDataDir('backup-copy');
    const file = join(backupDir, onPostgres ? 'copy.dump' : 'copy.sqlite');
    const writesAtStart = writes;
    const result = await runBackup(dataDir, file);
    const writesDuring = writes - writesAtStart;
    await new Promise((r) => setTimeout(r, 300));
    writing = false;
    await Promise.all(writers);
    expect(result.code, result.stderr).toBe(0);
    // The copy was taken while writes went on, or the test proves nothing about consistency.
    expect(writesDuring).toBeGreaterThan(0);
    expect(result.stdout).toContain(onPostgres ? 'pg_restore --list reads it' : 'integrity check ok');
    // It never overwrites an existing file.
    expect((await runBackup(dataDir, file)).code).toBe(1);

    // SQLite: the copy is a database file, checked as it is, then put where a server finds it.
    let integrity: unknown = 'not applicable (PostgreSQL: pg_restore read it back)';
    let journalMode: unknown = 'delete';
    const restoredDir = tempDataDir('backup-restored');
    mkdirSync(restoredDir, { recursive: true });
    const restoredUrl = await databaseUrlOf(restoredDir);
    let copy: Db;
    if (restoredUrl) {
      // PostgreSQL: restored into an empty database, as the README says.
      await promisify(execFile)(
        postgresProgram('pg_restore'),
        ['--no-owner', `--dbname=${new URL(restoredUrl).pathname.slice(1)}`, file],
        {
          env: libpqEnvironment(restoredUrl),
        },
      );
      copy = await openPostgres(restoredUrl, { poolSize: 1 });
    } else {
      const check = new Database(file, { readonly: true });
      integrity = check.pragma('integrity_check', { simple: true });
      journalMode = check.pragma('journal_mode', { simple: true });
      check.close();
      expect(existsSync(`${file}-wal`)).toBe(false);
      copyFileSync(file, join(restoredDir, 'fair-hearing.sqlite'));
      copy = openDatabase(join(restoredDir, 'fair-hearing.sqlite'));
    }
    const refs = new Set(
      (await allRows<{ reference: string }>(copy, sql`select reference from appeals`)).map((r) => r.reference),
    );
    const copied = {
      appeals: refs.size,
      subscriptions: (await firstRow<{ n: number }>(copy, sql`select count(*) as n from subscriptions`))!.n,
    };
    // Consistent: every appeal in the copy has its 'received' history entry.
    const orphans = (await firstRow<{ n: number }>(
      copy,
      sql`select count(*) as n from appeals a where not exists (select 1 from appeal_events e where e.appeal_id = a.id and e.kind = 'received')`,
    ))!;
    await closeDatabase(copy);
    const live = (await firstRow<{ appeals: number; subs: number }>(
      rt.db,
      sql`select (select count(*) from appeals) as appeals, (select count(*) from subscriptions) as subs`,
    ))!;

    // Restore: a server started on the copy serves an appeal's status page from it.
    const restored = (await AppServer.start({ dataDir: restoredDir })).stopAfterAll();
    const page = await new HttpClient(restored.baseUrl).get(`/appeal/status/${before[7]!.token}`);
    await restored.stop('SIGTERM');

    recordFigure(
      'Backups',
      'writes during the backup / backup time',
      `${writesDuring} / ${/in (\d+) ms/.exec(result.stdout)?.[1] ?? '?'} ms`,
    );
    recordFigure(
      'Backups',
      'rows in the copy vs live after the writes stopped',
      `appeals ${copied.appeals} vs ${live.appeals}, sign-ups ${copied.subscriptions} vs ${live.subs}`,
    );
    recordFigure(
      'Backups',
      'copy integrity_check / restored server status page',
      `${String(integrity)} / ${page.status}`,
    );

    if (!onPostgres) expect(integrity).toBe('ok');
    expect(journalMode).toBe('delete');
    expect(before.every((b) => refs.has(b.reference))).toBe(true);
    expect(orphans.n).toBe(0);
    expect(copied.appeals).toBeGreaterThanOrEqual(before.length);
    expect(copied.appeals).toBeLessThanOrEqual(live.appeals);
    expect(page.status).toBe(200);
    expect(page.body).toContain(before[7]!.reference);
  });
});
