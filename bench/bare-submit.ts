/**
 * Baseline for appeal submissions: a bare node:http server that reads the same form, records the
 * appeal with the same domain function as the app's last step (createAppeal in src/lib/appeals/appeals.ts:
 * ONE transaction with the appeal, its history and the acknowledgement email in the
 * outbox) and answers 303 — no Astro, no journey, no middleware. Data folder from BENCH_DATA_DIR,
 * PostgreSQL (when set) from BENCH_DATABASE_URL, port from BENCH_PORT. Started by bench/run.ts on loopback.
 */
import { createServer } from 'node:http';
import { createAppeal } from '../src/lib/appeals/appeals.ts';
import { parseConfig } from '../src/lib/platform/config.ts';
import { createRuntime } from '../src/lib/runtime.ts';
import { RECENT_POST_DAY } from './fixtures.ts';

const parsed = parseConfig({
  DATA_DIR: process.env.BENCH_DATA_DIR!,
  ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
});
if (!parsed.ok) throw new Error(parsed.error);
const rt = await createRuntime(parsed.config);

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    void createAppeal(rt, {
      subject: {
        kind: 'post',
        platform: 'facebook',
        handle: form.get('handle') ?? '@someone',
        date: RECENT_POST_DAY.date,
        postUrl: null,
      },
      reason: form.get('reason') ?? '',
      email: form.get('email') ?? '',
      name: null,
    }).then((result) => {
      res.writeHead(result.ok ? 303 : 400, { location: '/appeal/confirmation', 'content-length': 0 });
      res.end();
    });
  });
});
server.listen(Number(process.env.BENCH_PORT), '127.0.0.1', () => console.log('bare submit server ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
