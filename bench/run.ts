/**
 * `npm run bench [-- pages weight outbox scale] [--rounds=5 --seconds=3 --warmup=4
 * --connections=10 --emails=10000 --scale=1000000]`: speed and scale as ratios against baselines measured in the
 * same run (see bench/README.md). Everything runs on 127.0.0.1, bounded in time and count.
 * Prints a table and writes bench/results.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCaseByReference } from '../db/cases.ts';
import { createDraft, getDraft, publishDraft, updateDraft } from '../src/lib/principles.ts';
import { parseConfig } from '../src/lib/config.ts';
import { createRuntime } from '../src/lib/runtime.ts';
import { freePort, httpGet, load, median, percentile, ROOT, startTsx, type Child } from './lib.ts';
import { benchMessages, nodemailerDirect, workerDelivery } from './outbox.ts';
import { seededCaseReference, seedScale } from './seed.ts';

const args = process.argv.slice(2);
function flag(name: string, fallback: number): number {
  const given = args.find((a) => a.startsWith(`--${name}=`));
  const value = given ? Number(given.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}
const ROUNDS = flag('rounds', 5);
const SECONDS = flag('seconds', 3);
const CONNECTIONS = flag('connections', 10);
const EMAILS = flag('emails', 10_000);
const SCALE = flag('scale', 1_000_000);
const WARMUP_SECONDS = flag('warmup', 4);
/** The worker as it was (one connection a message, one at a time) is ~100 ms a message: measured on fewer. */
const BEFORE_EMAILS = Math.min(EMAILS, 300);

const sections = args.filter((a) => !a.startsWith('--'));
const wanted = (name: string) => sections.length === 0 || sections.includes(name);

interface Row {
  section: string;
  measure: string;
  /** The ratio (or count) against the baseline; null when not measurable. */
  value: number | null;
  unit: 'x' | 'share' | 'count' | 'bytes' | 's';
  target: string;
  met: boolean | null;
  detail: string;
}
const rows: Row[] = [];
const children: Child[] = [];
const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fair-hearing-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

function notYet(section: string, measure: string, target: string, why: string): void {
  rows.push({ section, measure, value: null, unit: 'x', target, met: null, detail: `not measurable yet: ${why}` });
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The real server (`tsx scripts/start.ts`) on a free loopback port; `dataDir` e.g. a seeded one. */
async function startApp(pageCache: boolean, build: boolean, dataDir = tempDir('app')): Promise<{ url: string; child: Child }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startTsx(
    'scripts/start.ts',
    build ? [] : ['--no-build'],
    { HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, PAGE_CACHE: String(pageCache), },
    `${url}/healthz`,
    300_000,
  );
  children.push(child);
  return { url, child };
}

// ---------------------------------------------------------------------------------------------

/** A data folder with versions 1.0 and 1.1 published (so the compare page has two versions). */
function dataDirWithTwoVersions(): string {
  const dir = tempDir('app');
  const parsed = parseConfig({ DATA_DIR: dir });
  if (!parsed.ok) throw new Error(parsed.error);
  const rt = createRuntime(parsed.config);
  try {
    const draft = createDraft(rt);
    if (!draft.ok) throw new Error('no version in force to copy');
    const d = getDraft(rt, draft.draftId)!;
    const input = { bodyMarkdown: `${d.bodyMarkdown}\n\nWe review these principles every year.`, changeSummary: 'Says how often we review the principles.', grounds: d.grounds.map(({ code, title, description }) => ({ code, title, description })) };
    const updated = updateDraft(rt, draft.draftId, input);
    if (!updated.ok) throw new Error(`draft refused: ${JSON.stringify(updated)}`);
    const published = publishDraft(rt, draft.draftId, { kind: 'minor', effectiveAt: 'now' });
    if (!published.ok) throw new Error(`publish refused: ${JSON.stringify(published)}`);
  } finally {
    rt.db.$client.close();
  }
  return dir;
}

async function pagesAndWeight(): Promise<void> {
  console.log('Starting the app (builds if stale), with and without the page cache…');
  const after = await startApp(true, true, dataDirWithTwoVersions());
  const before = await startApp(false, false, dataDirWithTwoVersions());

  const compare = '/principles/compare/1.0...1.1';
  const compareStatus = (await httpGet(after.url + compare)).status;
  const paths = ['/principles', '/principles/1.0', ...(compareStatus === 200 ? [compare] : [])];

  if (wanted('pages')) {
    // The bare server answers with the exact bytes and headers the app sent.
    const pages: Record<string, { status: number; headers: Record<string, string | string[]>; body: string }> = {};
    for (const path of paths) {
      const r = await httpGet(after.url + path);
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(r.headers)) if (value !== undefined && !['date', 'connection', 'keep-alive'].includes(name)) headers[name] = value;
      pages[path] = { status: r.status, headers, body: r.body.toString('base64') };
    }
    const pagesFile = join(tempDir('bare'), 'pages.json');
    writeFileSync(pagesFile, JSON.stringify(pages));
    const barePort = await freePort();
    const bareUrl = `http://127.0.0.1:${barePort}`;
    const bare = await startTsx('bench/bare-server.ts', [], { BENCH_PAGES: pagesFile, BENCH_PORT: String(barePort) }, `${bareUrl}/principles`, 30_000);
    children.push(bare);
    const pids = { bare: bare.process.pid, after: after.child.process.pid, before: before.child.process.pid };

    for (const path of paths) {
      // Warm up each server, then interleave: each round measures all three back to back, in a
      // rotating order, and the ratio is taken within the round.
      // (The app needs several seconds under load before V8 has optimised the hot path.)
      for (const base of [bareUrl, after.url, before.url]) await load(base + path, WARMUP_SECONDS, CONNECTIONS);
      const ratiosAfter: number[] = [];
      const ratiosBefore: number[] = [];
      const rps = { bare: [] as number[], after: [] as number[], before: [] as number[] };
      const cpuRatiosAfter: number[] = [];
      const cpuUs = { bare: [] as number[], after: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        const order = (['bare', 'after', 'before'] as const).map((_, i, all) => all[(i + round) % all.length]!);
        const got: Record<string, number> = {};
        for (const which of order) {
          const base = which === 'bare' ? bareUrl : which === 'after' ? after.url : before.url;
          const r = await load(base + path, SECONDS, CONNECTIONS, {}, pids[which]);
          if (r.errors > 0) console.warn(`  ${which} ${path}: ${r.errors} errors`);
          got[which] = r.rps;
          rps[which].push(r.rps);
          if (r.cpuPerRequestMs !== undefined) got[`cpu-${which}`] = r.cpuPerRequestMs;
        }
        if (got['cpu-bare'] !== undefined && got['cpu-after'] !== undefined) {
          cpuRatiosAfter.push(got['cpu-bare'] / got['cpu-after']);
          cpuUs.bare.push(got['cpu-bare'] * 1000);
          cpuUs.after.push(got['cpu-after'] * 1000);
        }
        ratiosAfter.push(got.after! / got.bare!);
        ratiosBefore.push(got.before! / got.bare!);
        console.log(`  ${path} round ${round + 1}: bare ${fmt(got.bare!)} req/s, cached ${fmt(got.after!)}, uncached ${fmt(got.before!)}`);
      }
      const target = path === '/principles' ? '≥ 0.8×' : 'report';
      const ok = path === '/principles' ? median(ratiosAfter) >= 0.8 : null;
      rows.push({ section: 'pages', measure: `${path} req/s, page cache (after)`, value: median(ratiosAfter), unit: 'x', target, met: ok, detail: `median of ${ROUNDS}: ${fmt(median(rps.after))} vs bare ${fmt(median(rps.bare))} req/s` });
      if (cpuRatiosAfter.length > 0) {
        rows.push({
          section: 'pages',
          measure: `${path} server CPU a request, bare ÷ page cache`,
          value: median(cpuRatiosAfter),
          unit: 'x',
          target: 'report',
          met: null,
          detail: `median of ${ROUNDS}: ${fmt(median(cpuUs.after), 1)} µs vs bare ${fmt(median(cpuUs.bare), 1)} µs CPU a request (less sensitive to a busy machine than req/s)`,
        });
      }
      rows.push({ section: 'pages', measure: `${path} req/s, Astro render (before)`, value: median(ratiosBefore), unit: 'x', target: 'report', met: null, detail: `median of ${ROUNDS}: ${fmt(median(rps.before))} vs bare ${fmt(median(rps.bare))} req/s` });
    }
    if (compareStatus !== 200) notYet('pages', `${compare} req/s`, '≥ 0.8×', `the compare page answered ${compareStatus}`);

    // Repeat visits: a browser sends back the ETag it got.
    const first = await httpGet(after.url + '/principles');
    const etag = String(first.headers.etag ?? '');
    const conditional = await load(after.url + '/principles', SECONDS, CONNECTIONS, etag ? { 'if-none-match': etag } : {});
    rows.push({ section: 'pages', measure: '/principles repeat requests answered 304 (after)', value: conditional.share3xx, unit: 'share', target: 'report', met: null, detail: `${fmt(conditional.total)} conditional requests, ${fmt(conditional.rps)} req/s` });
    const firstBefore = await httpGet(before.url + '/principles');
    const etagBefore = firstBefore.headers.etag ? String(firstBefore.headers.etag) : undefined;
    const conditionalBefore = await load(before.url + '/principles', 1, CONNECTIONS, etagBefore ? { 'if-none-match': etagBefore } : {});
    rows.push({ section: 'pages', measure: '/principles repeat requests answered 304 (before)', value: conditionalBefore.share3xx, unit: 'share', target: 'report', met: null, detail: etagBefore ? 'ETag sent' : 'no ETag sent by the render' });
  }

  if (wanted('weight')) {
    for (const path of ['/principles', '/principles/1.0']) {
      const plain = await httpGet(after.url + path, { 'accept-encoding': 'identity' });
      const br = await httpGet(after.url + path, { 'accept-encoding': 'br, gzip' });
      const gz = await httpGet(after.url + path, { 'accept-encoding': 'gzip' });
      const plainBefore = await httpGet(before.url + path, { 'accept-encoding': 'br, gzip' });
      const total = (r: typeof plain) => r.body.length + r.headerBytes;
      rows.push({
        section: 'weight',
        measure: `${path} bytes transferred, brotli ÷ uncompressed`,
        value: total(br) / total(plain),
        unit: 'x',
        target: 'report',
        met: null,
        detail: `${fmt(total(br))} B (br, ${br.headers['content-encoding']}) / ${fmt(total(gz))} B (gzip) vs ${fmt(total(plain))} B uncompressed (body + headers); uncached render compressed: ${fmt(total(plainBefore))} B`,
      });
    }
    const appeal = await httpGet(after.url + '/appeal');
    if (appeal.status === 200) {
      const br = await httpGet(after.url + '/appeal', { 'accept-encoding': 'br, gzip' });
      rows.push({ section: 'weight', measure: '/appeal bytes transferred (first step)', value: br.body.length + br.headerBytes, unit: 'bytes', target: 'report', met: null, detail: 'brotli; later steps need a journey (not yet benchmarked)' });
    } else {
      notYet('weight', '/appeal steps bytes transferred', 'report', `appeal journey not on main (/appeal answered ${appeal.status})`);
    }
    const publicPages = ['/', '/principles', '/principles/1.0', '/accessibility', '/privacy'];
    let scripts = 0;
    for (const path of publicPages) scripts += ((await httpGet(after.url + path)).body.toString().match(/<script\b/gi) ?? []).length;
    rows.push({ section: 'weight', measure: 'client scripts on public pages', value: scripts, unit: 'count', target: '0', met: scripts === 0, detail: publicPages.join(' ') });
  }
}

// ---------------------------------------------------------------------------------------------

/** A fresh SMTP sink process (tests/support/smtp-sink-server.ts): it keeps every message, so one a measurement. */
async function startSink(): Promise<{ url: string; stop: () => Promise<void> }> {
  const smtpPort = await freePort();
  const controlPort = await freePort();
  const child = await startTsx(
    'tests/support/smtp-sink-server.ts',
    [],
    { E2E_SMTP_PORT: String(smtpPort), E2E_SMTP_CONTROL_PORT: String(controlPort) },
    `http://127.0.0.1:${controlPort}/health`,
    30_000,
  );
  children.push(child);
  return { url: `smtp://127.0.0.1:${smtpPort}`, stop: child.stop };
}

async function withSink<T>(run: (url: string) => Promise<T>): Promise<T> {
  const sink = await startSink();
  try {
    return await run(sink.url);
  } finally {
    await sink.stop();
  }
}

async function outbox(): Promise<void> {
  console.log('Outbox: the SMTP sink runs in its own process, a fresh one for each measurement…');
  const messages = benchMessages(EMAILS, 'bench');
  // Warm both paths.
  await withSink((url) => nodemailerDirect(url, messages.slice(0, 300)));
  await withSink((url) => workerDelivery(url, messages.slice(0, 300), { concurrency: 5, pool: true }));
  const ratios: number[] = [];
  const times = { direct: [] as number[], worker: [] as number[] };
  const rounds = Math.max(1, Math.min(ROUNDS, 3)); // 10,000 emails a measurement: at most 3 rounds
  for (let round = 0; round < rounds; round++) {
    const got: Record<string, number> = {};
    for (const which of round % 2 === 0 ? ['direct', 'worker'] : ['worker', 'direct']) {
      got[which] = await withSink((url) =>
        which === 'direct' ? nodemailerDirect(url, messages) : workerDelivery(url, messages, { concurrency: 5, pool: true }),
      );
    }
    times.direct.push(got.direct!);
    times.worker.push(got.worker!);
    ratios.push(got.direct! / got.worker!);
    console.log(`  ${EMAILS} emails round ${round + 1}: nodemailer direct ${fmt(got.direct! / 1000, 1)} s, worker ${fmt(got.worker! / 1000, 1)} s`);
  }
  rows.push({
    section: 'outbox',
    measure: `${fmt(EMAILS)} emails, worker speed ÷ nodemailer pooled (after)`,
    value: median(ratios),
    unit: 'x',
    target: '≥ 0.7×',
    met: median(ratios) >= 0.7,
    detail: `median of ${rounds}: worker ${fmt(median(times.worker) / 1000, 1)} s vs nodemailer ${fmt(median(times.direct) / 1000, 1)} s`,
  });
  // Before: the worker as it was (a new SMTP connection a message, one message at a time).
  const few = messages.slice(0, BEFORE_EMAILS);
  const direct = await withSink((url) => nodemailerDirect(url, few));
  const worker = await withSink((url) => workerDelivery(url, few, { concurrency: 1, pool: false }));
  console.log(`  ${BEFORE_EMAILS} emails, worker as before: ${fmt(worker / 1000, 1)} s vs nodemailer ${fmt(direct / 1000, 1)} s`);
  rows.push({
    section: 'outbox',
    measure: `${fmt(BEFORE_EMAILS)} emails, worker one at a time, unpooled (before)`,
    value: direct / worker,
    unit: 'x',
    target: 'report',
    met: null,
    detail: `worker ${fmt(worker / 1000, 1)} s vs nodemailer ${fmt(direct / 1000, 1)} s (${fmt(worker / BEFORE_EMAILS)} ms a message; fewer emails as 10,000 would take ~20 min)`,
  });
}

// ---------------------------------------------------------------------------------------------

async function scale(): Promise<void> {
  const sizes = [1_000, SCALE];
  const p50: number[] = [];
  for (const size of sizes) {
    const parsed = parseConfig({ DATA_DIR: tempDir('scale') });
    if (!parsed.ok) throw new Error(parsed.error);
    const rt = createRuntime(parsed.config);
    const { ms } = seedScale(rt.db, size);
    console.log(`Scale: seeded ${fmt(size)} cases and ${fmt(size)} appeals in ${fmt(ms / 1000, 1)} s`);
    if (size === SCALE) {
      rows.push({ section: 'scale', measure: `seed ${fmt(size)} cases + ${fmt(size)} appeals`, value: ms / 1000, unit: 's', target: '< 60 s', met: ms < 60_000, detail: 'bench/seed.ts: prepared statements, one transaction, indexes built after' });
    }
    const lookups = 20_000;
    const samples: number[] = [];
    for (let i = 0; i < lookups; i++) {
      const n = 1 + Math.floor(Math.random() * size);
      const reference = seededCaseReference(n);
      const t = performance.now();
      const found = findCaseByReference(rt.db, reference);
      samples.push(performance.now() - t);
      if (!found) throw new Error(`case ${reference} not found`);
    }
    p50.push(percentile(samples.slice(2_000), 50));
    rt.db.$client.close();
  }
  const ratio = p50[1]! / p50[0]!;
  rows.push({
    section: 'scale',
    measure: `case lookup by reference p50, ${fmt(SCALE)} ÷ 1,000 rows`,
    value: ratio,
    unit: 'x',
    target: '≤ 3×',
    met: ratio <= 3,
    detail: `${fmt(p50[1]! * 1000, 1)} µs vs ${fmt(p50[0]! * 1000, 1)} µs (db/cases.ts findCaseByReference: case, actions, grounds, version)`,
  });
  notYet('scale', 'queue page p50 (overdue, by due date)', '≤ 3×', 'review queue not on main');
  notYet('scale', 'staff appeal page p50', '≤ 3×', 'staff appeal page not on main');
  notYet('scale', '/transparency p50', '≤ 3×', 'transparency page not on main');
  notYet('submissions', 'final-step submissions/s vs a do-nothing Astro action', '≥ 0.7×', 'scenario not written yet (the journey reached main at the end of this session)');
  notYet('submissions', 'final-step submissions/s vs bare node:http + SQLite insert', 'report', 'scenario not written yet (the journey reached main at the end of this session)');
}

// ---------------------------------------------------------------------------------------------

function printTable(): void {
  const show = (r: Row) => {
    if (r.value === null) return '—';
    if (r.unit === 'x') return `${r.value.toFixed(2)}×`;
    if (r.unit === 'share') return `${(r.value * 100).toFixed(1)} %`;
    if (r.unit === 's') return `${r.value.toFixed(1)} s`;
    return fmt(r.value);
  };
  const status = (r: Row) => (r.met === null ? (r.value === null ? 'n/a' : '') : r.met ? 'met' : 'MISSED');
  const table = rows.map((r) => [r.section, r.measure, show(r), r.target, status(r), r.detail]);
  const head = ['section', 'measure', 'value', 'target', '', 'detail'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log();
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const t of table) console.log(line(t));
}

async function main(): Promise<void> {
  const started = Date.now();
  try {
    if (wanted('pages') || wanted('weight')) await pagesAndWeight();
    if (wanted('outbox')) await outbox();
    if (wanted('scale')) await scale();
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  }
  printTable();
  const results = {
    at: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    settings: { rounds: ROUNDS, secondsPerLoad: SECONDS, connections: CONNECTIONS, emails: EMAILS, scale: SCALE },
    rows,
  };
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWrote bench/results.json (${results.seconds} s).`);
}

await main();
