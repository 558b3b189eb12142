/**
 * Files at rest: the database (and its -wal/-shm), the .eml files of the file transport and
 * backups are owner-only (0600) in owner-only folders we create (0700), and .eml files fall under
 * the retention purge. Runs with a permissive umask so the modes come from the code, not the shell.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase } from '../../db/backup.ts';
import { closeDatabase } from '../../db/open.ts';
import { enqueueEmail } from '../../db/outbox.ts';
import { parseConfig } from '../../src/lib/platform/config.ts';
import { startOutboxWorker } from '../../src/lib/email/worker.ts';
import { runMailFilePurge } from '../../src/lib/retention/retention.ts';
import { createRuntime, type Runtime } from '../../src/lib/runtime.ts';
import { waitUntil } from '../support/wait.ts';

const mode = (file: string) => statSync(file).mode & 0o777;
const root = mkdtempSync(join(tmpdir(), 'fair-hearing-perms-'));
let previousUmask = 0;
let rt: Runtime;
let clock = new Date('2026-01-01T12:00:00Z');
const dataDir = join(root, 'data');

beforeAll(async () => {
  previousUmask = process.umask(0o022);
  const parsed = parseConfig({ DATA_DIR: dataDir, OUTBOX_POLL_MS: '50', RETENTION_MONTHS: '12' });
  if (!parsed.ok) throw new Error(parsed.error);
  rt = await createRuntime(parsed.config, () => clock);
});
afterAll(async () => {
  await closeDatabase(rt.db);
  process.umask(previousUmask);
  rmSync(root, { recursive: true, force: true });
});

describe('file modes', () => {
  it('creates DATA_DIR 0700 and the database, -wal and -shm 0600', () => {
    rt.db.$client.prepare("insert into login_failures (key, at) values ('x', 1)").run();
    expect(mode(dataDir)).toBe(0o700);
    for (const f of ['fair-hearing.sqlite', 'fair-hearing.sqlite-wal', 'fair-hearing.sqlite-shm']) {
      expect(existsSync(join(dataDir, f)), f).toBe(true);
      expect(mode(join(dataDir, f)), f).toBe(0o600);
    }
  });

  it('tightens a database file an older version left 0644', async () => {
    const other = join(root, 'old', 'db.sqlite');
    await closeDatabase((await createRuntime({ ...rt.config, databaseFile: other })).db);
    chmodSync(other, 0o644);
    await closeDatabase((await createRuntime({ ...rt.config, databaseFile: other })).db);
    expect(mode(other)).toBe(0o600);
  });

  it('writes .eml files 0600 in a 0700 mail folder', async () => {
    clock = new Date();
    const { messageId } = await enqueueEmail(
      rt.db,
      { to: 'a@example.org', subject: 'S', text: 'T', html: '<p>H</p>', kind: 'notification' },
      clock,
    );
    const worker = startOutboxWorker(rt);
    try {
      await waitUntil(
        () =>
          existsSync(rt.config.mailDir) &&
          readdirSync(rt.config.mailDir).some((f) => f.startsWith(messageId.slice(1, 9))),
        'the .eml file',
      );
    } finally {
      await worker.stop();
    }
    expect(mode(rt.config.mailDir)).toBe(0o700);
    for (const f of readdirSync(rt.config.mailDir)) expect(mode(join(rt.config.mailDir, f)), f).toBe(0o600);
  });

  it('writes backups 0600', async () => {
    const target = join(root, 'backup.sqlite');
    await backupDatabase(rt.config.databaseFile, target);
    expect(mode(target)).toBe(0o600);
  });
});

describe('.eml files and the retention purge', () => {
  it('deletes files last written before the retention cut-off, keeps newer ones (tightened to 0600)', () => {
    const dir = rt.config.mailDir;
    const oldFile = join(dir, 'old@host.eml');
    const newFile = join(dir, 'new@host.eml');
    writeFileSync(oldFile, 'old', { mode: 0o644 });
    writeFileSync(newFile, 'new', { mode: 0o644 });
    clock = new Date('2026-06-01T12:00:00Z');
    const thirteenMonthsAgo = new Date('2025-05-01T12:00:00Z');
    utimesSync(oldFile, thirteenMonthsAgo, thirteenMonthsAgo);
    utimesSync(newFile, clock, clock);
    expect(runMailFilePurge(rt, { dryRun: true })).toBe(1);
    expect(existsSync(oldFile)).toBe(true);
    expect(runMailFilePurge(rt, { dryRun: false })).toBe(1);
    expect(existsSync(oldFile)).toBe(false);
    expect(existsSync(newFile)).toBe(true);
    expect(mode(newFile)).toBe(0o600);
  });
});
