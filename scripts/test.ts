/**
 * `npm test`: every suite (lint, types and unit tests side by side, the unit tests again on PostgreSQL,
 * then the browser suite on each engine, then resilience on each engine), then
 * a check that nothing was left behind. Lint, types and unit tests together keep two cores busy where
 * each alone keeps about one; their output is printed whole as each ends, so it does not interleave.
 * The browser and resilience suites run alone: they measure memory and timing, and start servers.
 *
 * Each run gets its own temporary root (TMPDIR), so what the suites create — data
 * folders, SMTP sinks' files, Chromium profiles — lands there, and what is still there afterwards,
 * or any process still carrying that TMPDIR, was left by a test: the run fails and names it.
 * (Scoping by TMPDIR keeps the check exact when other runs share the machine.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Steps in a group run at the same time; groups run one after another. `step@postgres` runs the
 * npm script `step` with TEST_DATABASE=postgres: the suite against a real PostgreSQL server
 * (TEST_DATABASE_URL; tests/support/postgres.ts), the second engine (issue 21).
 */
const groups =
  process.argv.slice(2).length > 0
    ? process.argv.slice(2).map((step) => [step])
    : [
        ['lint', 'typecheck', 'test:unit'],
        ['test:unit@postgres'],
        ['test:e2e'],
        ['test:e2e@postgres'],
        ['test:resilience'],
        ['test:resilience@postgres'],
      ];
const root = mkdtempSync(join(tmpdir(), 'fair-hearing-npm-test-'));
// eslint-disable-next-line no-restricted-properties -- hands the environment on to each suite
const env = { ...process.env, TMPDIR: root };

/** Processes (other than this one) whose environment carries this run's TMPDIR. */
function survivors(): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!environ.includes(`TMPDIR=${root}`)) continue;
      const command =
        readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim() || readlinkSync(`/proc/${pid}/exe`);
      found.push({ pid, command: command.slice(0, 200) });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

let status = 0;
const started = Date.now();
/** Runs one step; alone, its output goes straight through, beside others it is printed when it ends. */
function run(step: string, alone: boolean): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const [script, engine] = step.split('@') as [string, string | undefined];
    const child = spawn('npm', ['run', '-s', script], {
      stdio: alone ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      env: engine ? { ...env, TEST_DATABASE: engine } : env,
    });
    const output: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => output.push(c));
    child.stderr?.on('data', (c: Buffer) => output.push(c));
    child.on('close', (code) => {
      if (!alone) process.stdout.write(Buffer.concat(output));
      console.log(
        `\n[npm test] ${step}: ${code === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - t0) / 1000)} s\n`,
      );
      resolve(code ?? 1);
    });
  });
}

for (const group of groups) {
  const codes = await Promise.all(group.map((step) => run(step, group.length === 1)));
  const failed = codes.find((code) => code !== 0);
  if (failed !== undefined) {
    status = failed;
    break;
  }
}

// Give processes that are already exiting a moment, then look.
await new Promise((r) => setTimeout(r, 1000));
const left = survivors();
// Caches the tools keep in TMPDIR (tsx's and Playwright's compile caches, Node's) are not test
// leftovers, nor the scratch folders Debian's Chromium makes beside its profile and does not always
// remove (.org.chromium.Chromium.*, seen after both browser runs on a fresh machine); the whole
// root is removed below either way.
const TOOL_CACHES = /^(tsx-\d+|node-compile-cache|playwright-transform-cache-\d+|\.org\.chromium\.Chromium\.\w+)$/;
const files = readdirSync(root).filter((f) => !TOOL_CACHES.test(f));
if (left.length > 0 || files.length > 0) {
  console.error('[npm test] left behind by the tests (this fails the run):');
  for (const p of left) console.error(`  process ${p.pid}: ${p.command}`);
  for (const f of files) console.error(`  temporary entry: ${f}`);
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (status === 0) status = 1;
}
rmSync(root, { recursive: true, force: true });
console.log(
  `[npm test] ${status === 0 ? 'all suites passed' : 'failed'}; ${Math.round((Date.now() - started) / 1000)} s in all`,
);
process.exit(status);
