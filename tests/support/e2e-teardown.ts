import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { libpqEnvironment } from './postgres.ts';

/** Removes the run's data folder and, on PostgreSQL, its database (made by playwright.config.ts). */
export default function teardown(): void {
  const dir = process.env.E2E_DATA_DIR;
  if (dir && dir.includes('fair-hearing-e2e-')) rmSync(dir, { recursive: true, force: true });
  const database = process.env.E2E_DATABASE_URL;
  const server = process.env.TEST_DATABASE_URL;
  if (database && server) {
    const name = new URL(database).pathname.slice(1);
    if (!/^fair_hearing_e2e_\w+$/.test(name)) return;
    execFileSync(
      'psql',
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `drop database if exists "${name}" with (force)`],
      {
        env: { ...process.env, ...libpqEnvironment(server) },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
}
