/**
 * Once before the suite: builds the app if the build is missing or stale (by starting it once the
 * way `npm start` does, then stopping it with SIGTERM). After the suite: prints every figure.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.ts';

export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-resilience-setup-'));
  process.env.RESILIENCE_FIGURES_FILE = join(dir, 'figures.jsonl');
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: join(dir, 'data'),
      ASTRO_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The build or start failed:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200) break;
    } catch {
      // building or starting
    }
    if (Date.now() > deadline) throw new Error(`No healthy server after 5 minutes:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

  return () => {
    const file = process.env.RESILIENCE_FIGURES_FILE!;
    const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
    const rows = lines.map((l) => JSON.parse(l) as { section: string; name: string; value: string | number });
    const sections = [...new Set(rows.map((r) => r.section))];
    const engine = process.env.TEST_DATABASE === 'postgres' ? 'PostgreSQL' : 'SQLite';
    const out = ['', `=== Resilience suite figures (${engine}) ===`];
    for (const section of sections) {
      out.push(`${section}:`);
      for (const r of rows.filter((x) => x.section === section)) out.push(`  ${r.name}: ${r.value}`);
    }
    out.push('================================', '');
    console.log(out.join('\n'));
    rmSync(dir, { recursive: true, force: true });
  };
}
