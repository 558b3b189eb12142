/**
 * A consistent copy of the live database with SQLite's online backup API (better-sqlite3
 * `db.backup()`): pages are copied in steps and the copy restarts by itself if a write lands in
 * between, so it is one moment's state, never a half-written one. The copy is then checked
 * (`PRAGMA integrity_check`) and made a single self-contained file (rollback journal, not WAL).
 */
import { chmodSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { makePrivate, PRIVATE_FILE_MODE } from './client.ts';

export interface BackupResult {
  ms: number;
  /** Rows per table in the copy (counts only, never data). */
  rows: { table: string; n: number }[];
}

/** Copies `sourceFile` to `targetFile` (written as `<target>.partial`, renamed once checked). */
export async function backupDatabase(sourceFile: string, targetFile: string): Promise<BackupResult> {
  const partial = `${targetFile}.partial`;
  rmSync(partial, { force: true });
  // Owner-only from the start (SQLite gives the copy's journal the same mode): a backup holds everything.
  makePrivate(partial);
  const source = new Database(sourceFile, { fileMustExist: true });
  source.pragma('busy_timeout = 5000');
  const started = Date.now();
  try {
    await source.backup(partial);
  } finally {
    source.close();
  }
  const copy = new Database(partial);
  let rows: BackupResult['rows'];
  try {
    copy.pragma('journal_mode = DELETE');
    const integrity = copy.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`The copy failed its integrity check: ${String(integrity)}`);
    const tables = copy
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '\\_\\_%' escape '\\' order by name",
      )
      .all() as { name: string }[];
    rows = tables.map(({ name }) => ({
      table: name,
      n: (copy.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n,
    }));
  } finally {
    copy.close();
  }
  chmodSync(partial, PRIVATE_FILE_MODE);
  renameSync(partial, targetFile);
  return { ms: Date.now() - started, rows };
}
