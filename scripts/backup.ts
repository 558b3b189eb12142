/**
 * `npm run backup -- <file>`: a consistent copy of the database while the server keeps running
 * (db/backup.ts: SQLite's online backup API, then an integrity check; with DATABASE_URL,
 * PostgreSQL's pg_dump in its custom format, read back with pg_restore --list). Prints counts
 * only, never personal data.
 * Restore (SQLite): stop the server, put the copy at $DATA_DIR/fair-hearing.sqlite (delete any
 * -wal/-shm files beside it), start the server. Restore (PostgreSQL): stop the server, run
 * `pg_restore --clean --if-exists --dbname=<database> <file>`, start the server.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { backupDatabase, backupPostgres } from '../db/backup.ts';
import { loadConfigOrExit } from '../src/lib/platform/index.ts';

async function main(): Promise<number> {
  const target = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!target) {
    console.error(
      'Usage: npm run backup -- <file>   (for example: npm run backup -- backups/fair-hearing-2026-11-25.sqlite)',
    );
    return 2;
  }
  const file = resolve(process.cwd(), target);
  if (existsSync(file)) {
    console.error(`${target} already exists: choose a new file name (a backup never overwrites).`);
    return 1;
  }
  const config = loadConfigOrExit();
  if (config.databaseUrl) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const { ms, tool, tables } = await backupPostgres(config.databaseUrl, file);
    console.log(
      `Backup written to ${file} in ${ms} ms with pg_dump (${tool}, custom format); pg_restore --list reads it.`,
    );
    console.log(`Tables with their rows in it: ${tables}.`);
    return 0;
  }
  if (!existsSync(config.databaseFile)) {
    console.error(`No database at ${config.databaseFile}: check DATA_DIR.`);
    return 1;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const { ms, rows } = await backupDatabase(config.databaseFile, file);
  console.log(`Backup written to ${file} in ${ms} ms; integrity check ok.`);
  console.log(`Rows: ${rows.map((r) => `${r.table} ${r.n}`).join(', ')}`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
