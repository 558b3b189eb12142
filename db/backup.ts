/**
 * A consistent copy of the live database. SQLite: its online backup API (better-sqlite3
 * `db.backup()`): pages are copied in steps and the copy restarts by itself if a write lands in
 * between, so it is one moment's state, never a half-written one. The copy is then checked
 * (`PRAGMA integrity_check`) and made a single self-contained file (rollback journal, not WAL).
 * PostgreSQL: `pg_dump` in its custom format (one snapshot, so also one moment's state), read back
 * with `pg_restore --list`; restore with `pg_restore`.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

export interface PostgresBackupResult {
  ms: number;
  /** The pg_dump program that wrote it. */
  tool: string;
  /** Tables whose rows the dump holds (from `pg_restore --list`). */
  tables: number;
}

const run = promisify(execFile);

/** Where Debian installs each major version's client programs. */
const DEBIAN_POSTGRES = '/usr/lib/postgresql';

/**
 * `name` (pg_dump, pg_restore) of the newest PostgreSQL installed the Debian way (a pg_dump must
 * not be older than the server), else the one on PATH.
 */
export function postgresProgram(name: string): string {
  const versions = existsSync(DEBIAN_POSTGRES)
    ? readdirSync(DEBIAN_POSTGRES)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(DEBIAN_POSTGRES, v, 'bin', name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions[0] ? join(DEBIAN_POSTGRES, versions[0], 'bin', name) : name;
}

/**
 * libpq's environment variables for a postgres:// URL: the password reaches pg_dump this way,
 * never on its command line (where `ps` would show it). The PG* variables of our own
 * environment are left out, so only the URL decides where the dump comes from.
 */
export function libpqEnvironment(url: string): NodeJS.ProcessEnv {
  const u = new URL(url);
  // eslint-disable-next-line no-restricted-properties -- hands the environment on to pg_dump
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  const set = (name: string, value: string | null) => {
    if (value) env[name] = value;
  };
  // A socket folder may come as ?host=/var/run/postgresql, as libpq itself reads it.
  set('PGHOST', u.searchParams.get('host') ?? decodeURIComponent(u.hostname).replace(/^\[(.*)\]$/, '$1'));
  set('PGPORT', u.port);
  set('PGUSER', decodeURIComponent(u.username));
  set('PGPASSWORD', decodeURIComponent(u.password));
  set('PGDATABASE', decodeURIComponent(u.pathname.replace(/^\//, '')));
  set('PGSSLMODE', u.searchParams.get('sslmode'));
  return env;
}

/** Dumps the PostgreSQL database of `url` to `targetFile` (written as `<target>.partial`, renamed once read back). */
export async function backupPostgres(url: string, targetFile: string): Promise<PostgresBackupResult> {
  const partial = `${targetFile}.partial`;
  rmSync(partial, { force: true });
  makePrivate(partial);
  const env = libpqEnvironment(url);
  const tool = postgresProgram('pg_dump');
  const started = Date.now();
  try {
    await run(tool, ['--format=custom', '--no-password', `--file=${partial}`], { env });
    // The archive must be readable; its table of contents says which tables' rows it holds.
    const { stdout } = await run(postgresProgram('pg_restore'), ['--list', partial], { env, maxBuffer: 16 << 20 });
    const tables = stdout.split('\n').filter((line) => / TABLE DATA /.test(line)).length;
    chmodSync(partial, PRIVATE_FILE_MODE);
    renameSync(partial, targetFile);
    return { ms: Date.now() - started, tool, tables };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
