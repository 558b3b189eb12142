/**
 * `npm start` builds the site when the build is missing or older than its sources
 * (dist/.build-stamp records when the last build finished).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SOURCES = [
  'src',
  'db',
  'public',
  'scripts',
  'astro.config.mjs',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds into `root`/dist unless the build is newer than every source; exits 1 if the build fails. */
export function buildIfStale(root: string): void {
  const stamp = resolve(root, 'dist/.build-stamp');
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((s) => newestMtime(resolve(root, s))));
  if (built > 0 && built >= sources && existsSync(resolve(root, 'dist/server/entry.mjs'))) return;
  console.log(built ? 'The build is out of date: building…' : 'No build yet: building (about a minute)…');
  const result = spawnSync(resolve(root, 'node_modules/.bin/astro'), ['build'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // eslint-disable-next-line no-restricted-properties -- hands the environment on to the build
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) {
    console.error('The build failed; see the messages above.');
    process.exit(1);
  }
  writeFileSync(stamp, new Date().toISOString());
}
