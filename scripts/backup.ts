/**
 * `npm run backup -- <file>`: a consistent copy of the database while the server keeps running,
 * made with SQLite's online backup API (better-sqlite3 `db.backup()`): pages are copied in steps and
 * the copy restarts by itself if a write lands in between, so it is one moment's state, never a
 * half-written one. The copy is then checked (`PRAGMA integrity_check`) and made a single
 * self-contained file (rollback journal, not WAL). Prints counts only, never personal data.
 * Restore: stop the server, put the copy at $DATA_DIR/fair-hearing.sqlite (delete any -wal/-shm
 * files beside it), start the server.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from '../src/lib/config.ts';

async function main(): Promise<number> {
  const target = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!target) {
    console.error('Usage: npm run backup -- <file>   (for example: npm run backup -- backups/fair-hearing-2026-11-25.sqlite)');
    return 2;
  }
  const file = resolve(process.cwd(), target);
  if (existsSync(file)) {
    console.error(`${target} already exists: choose a new file name (a backup never overwrites).`);
    return 1;
  }
  const config = loadConfig();
  if (!existsSync(config.databaseFile)) {
    console.error(`No database at ${config.databaseFile}: check DATA_DIR.`);
    return 1;
  }
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const source = new Database(config.databaseFile, { fileMustExist: true });
  source.pragma('busy_timeout = 5000');
  const started = Date.now();
  try {
    await source.backup(partial);
  } finally {
    source.close();
  }
  const copy = new Database(partial);
  try {
    copy.pragma('journal_mode = DELETE');
    const integrity = copy.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`The copy failed its integrity check: ${String(integrity)}`);
    const tables = copy
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '\\_\\_%' escape '\\' order by name")
      .all() as { name: string }[];
    const counts = tables.map(({ name }) => `${name} ${(copy.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n}`);
    console.log(`Backup written to ${file} in ${Date.now() - started} ms; integrity check ok.`);
    console.log(`Rows: ${counts.join(', ')}`);
  } finally {
    copy.close();
  }
  renameSync(partial, file);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
