/**
 * `npm run bench [-- pages weight outbox submissions scale] [--engines=sqlite,postgres --rounds=5
 * --seconds=3 --warmup=4 --connections=10 --emails=10000 --scale=1000000]`: speed and scale as ratios
 * against baselines measured in the same run (see bench/README.md), on each engine: pages,
 * submissions and scale run on SQLite and, when TEST_DATABASE_URL names a PostgreSQL server (as for
 * the tests), on PostgreSQL too, each in fresh databases dropped afterwards. Everything runs on
 * 127.0.0.1, bounded in time and count. Prints a table and writes bench/results.json.
 */
import { sql } from 'drizzle-orm';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCaseByReference } from '../db/cases.ts';
import { createDraft, getDraft, publishDraft, updateDraft } from '../src/lib/principles/versions.ts';
import { parseConfig } from '../src/lib/platform/config.ts';
import { firstRow } from '../db/dialect/index.ts';
import { closeDatabase } from '../db/open.ts';
import { createRuntime } from '../src/lib/runtime.ts';
import { createTestDatabase, dropTestDatabase, testDatabaseName } from '../tests/support/postgres.ts';
import {
  freePort,
  httpGet,
  load,
  loadPost,
  median,
  percentile,
  ROOT,
  sequentialLatencies,
  startTsx,
  type Child,
} from './lib.ts';
import { countsFromRows, countsFromTallies, periodsFor } from '../src/lib/transparency/report.ts';
import { benchMessages, nodemailerDirect, workerDelivery } from './outbox.ts';
import { seededCaseReference, seedScale } from './seed.ts';
import { appealStepJourneys, prepareJourneys, reviewerSessionCookie } from './fixtures.ts';

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

type Engine = 'sqlite' | 'postgres';
/** --engines=sqlite,postgres; by default both when TEST_DATABASE_URL is set, else SQLite alone. */
const ENGINES: Engine[] = (() => {
  const given = args.find((a) => a.startsWith('--engines='));
  if (!given) return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
  const list = given.slice('--engines='.length).split(',');
  for (const e of list) if (e !== 'sqlite' && e !== 'postgres') throw new Error('--engines: sqlite and/or postgres');
  if (list.includes('postgres') && !process.env.TEST_DATABASE_URL)
    throw new Error('--engines=postgres needs TEST_DATABASE_URL (a role that may create databases; README, "Testing")');
  return list as Engine[];
})();

interface Row {
  section: string;
  /** The engine the figure was measured on; '' where it does not depend on one. */
  engine?: Engine | '';
  measure: string;
  /** The ratio (or count) against the baseline; null when not measurable. */
  value: number | null;
  unit: 'x' | 'share' | 'count' | 'bytes' | 's';
  target: string;
  met: boolean | null;
  detail: string;
  /** The candidate's own figure (req/s, appeals/s, ms, µs), for the PostgreSQL ÷ SQLite column. */
  raw?: { value: number; unit: string; better: 'higher' | 'lower' };
}
const rows: Row[] = [];
/** The PostgreSQL databases made for this run, dropped at the end. */
const databases: string[] = [];

/** Where one app keeps its data: a folder, and on PostgreSQL a fresh database of its own. */
interface Store {
  engine: Engine;
  dir: string;
  /** DATA_DIR, and DATABASE_URL on PostgreSQL: the environment the app and the runtimes get. */
  env: Record<string, string>;
}

async function newStore(engine: Engine, prefix: string): Promise<Store> {
  const dir = tempDir(prefix);
  if (engine === 'sqlite') return { engine, dir, env: { DATA_DIR: dir } };
  const name = testDatabaseName('bench');
  const url = await createTestDatabase(name);
  databases.push(name);
  return { engine, dir, env: { DATA_DIR: dir, DATABASE_URL: url } };
}

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

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The real server (`tsx scripts/start.ts`) on a free loopback port, on `store` (e.g. a seeded one). */
async function startApp(
  pageCache: boolean,
  build: boolean,
  store: Store,
  env: Record<string, string> = {},
): Promise<{ url: string; child: Child }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startTsx(
    'scripts/start.ts',
    build ? [] : ['--no-build'],
    { HOST: '127.0.0.1', PORT: String(port), ...store.env, PAGE_CACHE: String(pageCache), ...env },
    `${url}/healthz`,
    300_000,
  );
  children.push(child);
  return { url, child };
}

// ---------------------------------------------------------------------------------------------

/** Runs `f` with a runtime over a store (the app may be running on it: SQLite in WAL mode). */
async function withRuntime<T>(
  store: Store,
  f: (rt: Awaited<ReturnType<typeof createRuntime>>) => T | Promise<T>,
): Promise<T> {
  const parsed = parseConfig(store.env);
  if (!parsed.ok) throw new Error(parsed.error);
  const rt = await createRuntime(parsed.config);
  try {
    return await f(rt);
  } finally {
    await closeDatabase(rt.db);
  }
}

/** A store with versions 1.0 and 1.1 published (so the compare page has two versions). */
async function storeWithTwoVersions(engine: Engine): Promise<Store> {
  const store = await newStore(engine, 'app');
  await withRuntime(store, async (rt) => {
    const draft = await createDraft(rt);
    if (!draft.ok) throw new Error('no version in force to copy');
    const d = (await getDraft(rt, draft.draftId))!;
    const input = {
      bodyMarkdown: `${d.bodyMarkdown}\n\nWe review these principles every year.`,
      changeSummary: 'Says how often we review the principles.',
      grounds: d.grounds.map(({ code, title, description }) => ({ code, title, description })),
    };
    const updated = await updateDraft(rt, draft.draftId, input);
    if (!updated.ok) throw new Error(`draft refused: ${JSON.stringify(updated)}`);
    const published = await publishDraft(rt, draft.draftId, { kind: 'minor', effectiveAt: 'now' });
    if (!published.ok) throw new Error(`publish refused: ${JSON.stringify(published)}`);
  });
  return store;
}

/** Pages on `engine`; the weight of pages (which does not depend on the engine) with the first. */
async function pagesAndWeight(engine: Engine, weight: boolean): Promise<void> {
  console.log(`Pages on ${engine}: starting the app (builds if stale), with and without the page cache…`);
  const afterStore = await storeWithTwoVersions(engine);
  const after = await startApp(true, true, afterStore);
  const before = await startApp(false, false, await storeWithTwoVersions(engine));

  const compare = '/principles/compare/1.0...1.1';
  const compareStatus = (await httpGet(after.url + compare)).status;
  const paths = ['/principles', '/principles/1.0', ...(compareStatus === 200 ? [compare] : [])];

  if (wanted('pages')) {
    // The bare server answers with the exact bytes and headers the app sent.
    const pages: Record<string, { status: number; headers: Record<string, string | string[]>; body: string }> = {};
    for (const path of paths) {
      const r = await httpGet(after.url + path);
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(r.headers))
        if (value !== undefined && !['date', 'connection', 'keep-alive'].includes(name)) headers[name] = value;
      pages[path] = { status: r.status, headers, body: r.body.toString('base64') };
    }
    const pagesFile = join(tempDir('bare'), 'pages.json');
    writeFileSync(pagesFile, JSON.stringify(pages));
    const barePort = await freePort();
    const bareUrl = `http://127.0.0.1:${barePort}`;
    const bare = await startTsx(
      'bench/bare-server.ts',
      [],
      { BENCH_PAGES: pagesFile, BENCH_PORT: String(barePort) },
      `${bareUrl}/principles`,
      30_000,
    );
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
        console.log(
          `  ${path} round ${round + 1}: bare ${fmt(got.bare!)} req/s, cached ${fmt(got.after!)}, uncached ${fmt(got.before!)}`,
        );
      }
      const target = path === '/principles' ? '≥ 0.8×' : 'report';
      const ok = path === '/principles' ? median(ratiosAfter) >= 0.8 : null;
      rows.push({
        section: 'pages',
        measure: `${path} req/s, page cache (after)`,
        value: median(ratiosAfter),
        unit: 'x',
        target,
        met: ok,
        detail: `median of ${ROUNDS}: ${fmt(median(rps.after))} vs bare ${fmt(median(rps.bare))} req/s`,
        raw: { value: median(rps.after), unit: 'req/s', better: 'higher' },
      });
      if (cpuRatiosAfter.length > 0) {
        rows.push({
          section: 'pages',
          measure: `${path} server CPU a request, bare ÷ page cache`,
          value: median(cpuRatiosAfter),
          unit: 'x',
          target: 'report',
          met: null,
          detail: `median of ${ROUNDS}: ${fmt(median(cpuUs.after), 1)} µs vs bare ${fmt(median(cpuUs.bare), 1)} µs CPU a request (less sensitive to a busy machine than req/s)`,
          raw: { value: median(cpuUs.after), unit: 'µs', better: 'lower' },
        });
      }
      rows.push({
        section: 'pages',
        measure: `${path} req/s, Astro render (before)`,
        value: median(ratiosBefore),
        unit: 'x',
        target: 'report',
        met: null,
        detail: `median of ${ROUNDS}: ${fmt(median(rps.before))} vs bare ${fmt(median(rps.bare))} req/s`,
        raw: { value: median(rps.before), unit: 'req/s', better: 'higher' },
      });
    }
    if (compareStatus !== 200)
      notYet('pages', `${compare} req/s`, '≥ 0.8×', `the compare page answered ${compareStatus}`);

    // Repeat visits: a browser sends back the ETag it got.
    const first = await httpGet(after.url + '/principles');
    const etag = String(first.headers.etag ?? '');
    const conditional = await load(
      after.url + '/principles',
      SECONDS,
      CONNECTIONS,
      etag ? { 'if-none-match': etag } : {},
    );
    rows.push({
      section: 'pages',
      measure: '/principles repeat requests answered 304 (after)',
      value: conditional.share3xx,
      unit: 'share',
      target: 'report',
      met: null,
      detail: `${fmt(conditional.total)} conditional requests, ${fmt(conditional.rps)} req/s`,
    });
    const firstBefore = await httpGet(before.url + '/principles');
    const etagBefore = firstBefore.headers.etag ? String(firstBefore.headers.etag) : undefined;
    const conditionalBefore = await load(
      before.url + '/principles',
      1,
      CONNECTIONS,
      etagBefore ? { 'if-none-match': etagBefore } : {},
    );
    rows.push({
      section: 'pages',
      measure: '/principles repeat requests answered 304 (before)',
      value: conditionalBefore.share3xx,
      unit: 'share',
      target: 'report',
      met: null,
      detail: etagBefore ? 'ETag sent' : 'no ETag sent by the render',
    });
  }

  if (weight) {
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
    // Every step of the appeal journey, each with the journey state it needs (bench/fixtures.ts).
    const journeys = await withRuntime(afterStore, async (rt) => appealStepJourneys(rt.db));
    let scripts = 0;
    const scriptPages: string[] = [];
    for (const [path, cookie] of journeys) {
      const plain = await httpGet(after.url + path, { 'accept-encoding': 'identity', ...(cookie ? { cookie } : {}) });
      const br = await httpGet(after.url + path, { 'accept-encoding': 'br, gzip', ...(cookie ? { cookie } : {}) });
      if (br.status !== 200) throw new Error(`${path} answered ${br.status} (${String(br.headers.location ?? '')})`);
      scripts += (plain.body.toString().match(/<script\b/gi) ?? []).length;
      scriptPages.push(path);
      rows.push({
        section: 'weight',
        measure: `${path} bytes transferred (${br.headers['content-encoding'] ?? 'uncompressed'})`,
        value: br.body.length + br.headerBytes,
        unit: 'bytes',
        target: 'report',
        met: null,
        detail: `${fmt(br.body.length)} B body + ${fmt(br.headerBytes)} B headers; uncompressed ${fmt(plain.body.length + plain.headerBytes)} B`,
      });
    }
    const publicPages = ['/', '/principles', '/principles/1.0', '/accessibility', '/privacy', '/transparency'];
    for (const path of publicPages)
      scripts += ((await httpGet(after.url + path)).body.toString().match(/<script\b/gi) ?? []).length;
    rows.push({
      section: 'weight',
      measure: 'client scripts on public pages and appeal steps',
      value: scripts,
      unit: 'count',
      target: '0',
      met: scripts === 0,
      detail: `${publicPages.length + scriptPages.length} pages: ${publicPages.join(' ')} and the ${scriptPages.length} appeal steps above`,
    });
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
        which === 'direct'
          ? nodemailerDirect(url, messages)
          : workerDelivery(url, messages, { concurrency: 5, pool: true }),
      );
    }
    times.direct.push(got.direct!);
    times.worker.push(got.worker!);
    ratios.push(got.direct! / got.worker!);
    console.log(
      `  ${EMAILS} emails round ${round + 1}: nodemailer direct ${fmt(got.direct! / 1000, 1)} s, worker ${fmt(got.worker! / 1000, 1)} s`,
    );
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
  console.log(
    `  ${BEFORE_EMAILS} emails, worker as before: ${fmt(worker / 1000, 1)} s vs nodemailer ${fmt(direct / 1000, 1)} s`,
  );
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

type Server = { setup: ScaleSetup; warm: string; cold: string };

interface ScaleSetup {
  size: number;
  store: Store;
  cookie: string;
  appealIds: number[];
  lookupP50Ms: number;
  /** The 12-month figures counted from the rows (the definition, before) and from the running aggregates (after). */
  figuresMs: { rows: number; tallies: number };
}

/** Seeds `size` cases and appeals into a fresh data folder, with a signed-in reviewer; measures the in-process figures. */
async function scaleSetup(engine: Engine, size: number): Promise<ScaleSetup> {
  const store = await newStore(engine, 'scale');
  return withRuntime(store, async (rt) => {
    const { ms } = await seedScale(rt.db, size);
    console.log(`Scale on ${engine}: seeded ${fmt(size)} cases and ${fmt(size)} appeals in ${fmt(ms / 1000, 1)} s`);
    if (size === SCALE) {
      rows.push({
        section: 'scale',
        measure: `seed ${fmt(size)} cases + ${fmt(size)} appeals`,
        value: ms / 1000,
        unit: 's',
        target: '< 60 s',
        met: ms < 60_000,
        detail:
          engine === 'sqlite'
            ? 'bench/seed.ts: prepared statements, one transaction, indexes and running aggregates built after'
            : 'bench/seed.ts: INSERT … SELECT over generate_series, one transaction, indexes and aggregates built after, ANALYZE',
        raw: { value: ms / 1000, unit: 's', better: 'lower' },
      });
    }
    const cookie = await reviewerSessionCookie(rt.db);
    // Appeal pages: 50 appeals spread over the table, open and decided.
    const appealIds = Array.from({ length: 50 }, (_, i) => 1 + Math.floor(((i + 0.5) * size) / 50));
    const samples: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const reference = seededCaseReference(1 + Math.floor(Math.random() * size));
      const t = performance.now();
      const found = await findCaseByReference(rt.db, reference);
      samples.push(performance.now() - t);
      if (!found) throw new Error(`case ${reference} not found`);
    }
    const months = periodsFor('month', 'last-12-months', new Date());
    const time = async (f: () => Promise<unknown>) => {
      const xs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await f();
        xs.push(performance.now() - t);
      }
      return median(xs);
    };
    const figuresMs = {
      rows: await time(() => countsFromRows(rt, months)),
      tallies: await time(() => countsFromTallies(rt, months)),
    };
    return { size, store, cookie, appealIds, lookupP50Ms: percentile(samples.slice(2_000), 50), figuresMs };
  });
}

async function scale(engine: Engine): Promise<void> {
  const setups = [await scaleSetup(engine, 1_000), await scaleSetup(engine, SCALE)];
  // Two servers a size: page cache on (warm /transparency) and off (PAGE_CACHE=false: the
  // transparency figures computed on every request, i.e. cold). Started one after another: the
  // first start on a seeded folder also runs the retention purge over it.
  const servers: Server[] = [];
  for (const setup of setups) {
    console.log(`Scale on ${engine}: starting the app on ${fmt(setup.size)} rows (warm and cold)…`);
    const warm = await startApp(true, false, setup.store);
    const cold = await startApp(false, false, setup.store);
    servers.push({ setup, warm: warm.url, cold: cold.url });
  }
  const scenarios = [
    {
      name: 'queue page p50 (overdue, by due date, reviewer signed in)',
      urls: (s: Server) => [`${s.warm}/staff/appeals?due=overdue`],
      cookie: true,
    },
    {
      name: 'staff appeal page p50 (50 appeals across the table)',
      urls: (s: Server) => s.setup.appealIds.map((id) => `${s.warm}/staff/appeals/${id}`),
      cookie: true,
    },
    {
      name: '/transparency p50, cold (figures computed each request)',
      urls: (s: Server) => [`${s.cold}/transparency`],
      cookie: false,
    },
    { name: '/transparency p50, warm (report cache)', urls: (s: Server) => [`${s.warm}/transparency`], cookie: false },
  ];
  const REQUESTS = 60;
  for (const scenario of scenarios) {
    // Warm up each server, then interleave the sizes round by round; the ratio is taken within a round.
    for (const s of servers)
      await sequentialLatencies(scenario.urls(s), 30, scenario.cookie ? { cookie: s.setup.cookie } : {});
    const ratios: number[] = [];
    const p50s: number[][] = servers.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      const got: number[] = [];
      for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const s = servers[i]!;
        got[i] = median(
          await sequentialLatencies(scenario.urls(s), REQUESTS, scenario.cookie ? { cookie: s.setup.cookie } : {}),
        );
        p50s[i]!.push(got[i]!);
      }
      ratios.push(got[1]! / got[0]!);
      console.log(
        `  ${scenario.name} round ${round + 1}: ${fmt(got[0]!, 2)} ms at ${fmt(setups[0]!.size)}, ${fmt(got[1]!, 2)} ms at ${fmt(SCALE)}`,
      );
    }
    const ratio = median(ratios);
    rows.push({
      section: 'scale',
      measure: `${scenario.name}, ${fmt(SCALE)} ÷ 1,000 rows`,
      value: ratio,
      unit: 'x',
      target: '≤ 3×',
      met: ratio <= 3,
      detail: `median of ${ROUNDS} rounds of ${REQUESTS} sequential requests: ${fmt(median(p50s[1]!), 2)} ms vs ${fmt(median(p50s[0]!), 2)} ms`,
      raw: { value: median(p50s[1]!), unit: 'ms', better: 'lower' },
    });
  }
  const [small, big] = setups;
  const lookupRatio = big!.lookupP50Ms / small!.lookupP50Ms;
  rows.push({
    section: 'scale',
    measure: `case lookup by reference p50, ${fmt(SCALE)} ÷ 1,000 rows`,
    value: lookupRatio,
    unit: 'x',
    target: '≤ 3×',
    met: lookupRatio <= 3,
    detail: `${fmt(big!.lookupP50Ms * 1000, 1)} µs vs ${fmt(small!.lookupP50Ms * 1000, 1)} µs (db/cases.ts findCaseByReference: case, actions, grounds, version; in process)`,
    raw: { value: big!.lookupP50Ms * 1000, unit: 'µs', better: 'lower' },
  });
  rows.push({
    section: 'scale',
    measure: `transparency figures, 12 months at ${fmt(SCALE)} rows: counted from rows (before) ÷ running aggregates (after)`,
    value: big!.figuresMs.rows / big!.figuresMs.tallies,
    unit: 'x',
    target: 'report',
    met: null,
    detail: `${fmt(big!.figuresMs.rows, 1)} ms from the rows vs ${fmt(big!.figuresMs.tallies, 2)} ms from transparency_tallies (in process; at 1,000 rows: ${fmt(small!.figuresMs.rows, 2)} vs ${fmt(small!.figuresMs.tallies, 2)} ms)`,
    raw: { value: big!.figuresMs.tallies, unit: 'ms', better: 'lower' },
  });
}

// ---------------------------------------------------------------------------------------------

/**
 * Appeal submissions: completed final steps a second (the "Check your answers" POST that creates
 * the appeal; each request carries its own prepared journey), against (a) the do-nothing Astro
 * action on the same server (BENCH_ENDPOINTS) and (b) a bare node:http server recording the
 * appeal with the same domain function (bench/bare-submit.ts).
 */
async function submissions(engine: Engine): Promise<void> {
  console.log(
    `Submissions on ${engine}: preparing journeys, starting the app with BENCH_ENDPOINTS and the bare server…`,
  );
  const store = await newStore(engine, 'submit');
  const cookies = await withRuntime(store, async (rt) => prepareJourneys(rt.db, 60_000));
  // One client address sends every appeal, each from its own journey and email address: lift the
  // per-IP ceiling (its counting still runs, as do the per-journey and per-email limits).
  const app = await startApp(true, false, store, { BENCH_ENDPOINTS: 'true', APPEALS_PER_HOUR: '100000' });
  const bareStore = await newStore(engine, 'bare-submit');
  await withRuntime(bareStore, () => undefined);
  const barePort = await freePort();
  const bareUrl = `http://127.0.0.1:${barePort}`;
  const bare = await startTsx(
    'bench/bare-submit.ts',
    [],
    {
      BENCH_DATA_DIR: bareStore.dir,
      BENCH_PORT: String(barePort),
      ...(bareStore.env.DATABASE_URL ? { BENCH_DATABASE_URL: bareStore.env.DATABASE_URL } : {}),
    },
    bareUrl,
    60_000,
  );
  children.push(bare);

  const form = new URLSearchParams({
    reason: 'I think my comment was within the rules: it asked a question about waiting times.',
    email: 'bench@example.org',
  }).toString();
  const formHeaders = (origin: string) => ({ 'content-type': 'application/x-www-form-urlencoded', origin });
  let next = 0;
  const nextJourney = () => ({ cookie: cookies[next++ % cookies.length]! });
  const appealsIn = async (s: Store) =>
    withRuntime(s, async (rt) =>
      Number((await firstRow<{ n: number }>(rt.db, sql`select count(*) as n from appeals`))!.n),
    );

  const floorCheck = await fetch(`${app.url}/_actions/benchFloor`, {
    method: 'POST',
    headers: formHeaders(app.url),
    body: form,
  });
  if (floorCheck.status !== 200)
    throw new Error(`the bench action answered ${floorCheck.status}: ${await floorCheck.text()}`);

  const run = {
    floor: () => loadPost(`${app.url}/_actions/benchFloor`, SECONDS, CONNECTIONS, form, formHeaders(app.url)),
    app: async () => {
      const before = await appealsIn(store);
      const r = await loadPost(
        `${app.url}/appeal/check-answers`,
        SECONDS,
        CONNECTIONS,
        '',
        formHeaders(app.url),
        nextJourney,
      );
      const created = (await appealsIn(store)) - before;
      if (r.status['5xx']! > 0 || r.status['4xx']! > 0 || r.errors > 0)
        console.warn(`  app: ${r.status['4xx']} 4xx, ${r.status['5xx']} 5xx, ${r.errors} errors`);
      return { ...r, rps: created / SECONDS };
    },
    bare: async () => {
      const before = await appealsIn(bareStore);
      const r = await loadPost(bareUrl, SECONDS, CONNECTIONS, form, formHeaders(bareUrl));
      return { ...r, rps: ((await appealsIn(bareStore)) - before) / SECONDS };
    },
  };
  for (const which of ['floor', 'app', 'bare'] as const) await run[which]();
  const ratios = { floor: [] as number[], bare: [] as number[] };
  const rps = { floor: [] as number[], app: [] as number[], bare: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = (['floor', 'app', 'bare'] as const).map((_, i, all) => all[(i + round) % all.length]!);
    const got: Record<string, number> = {};
    for (const which of order) {
      got[which] = (await run[which]()).rps;
      rps[which].push(got[which]!);
    }
    ratios.floor.push(got.app! / got.floor!);
    ratios.bare.push(got.app! / got.bare!);
    console.log(
      `  round ${round + 1}: appeals sent ${fmt(got.app!)}/s, do-nothing action ${fmt(got.floor!)}/s, bare node:http + createAppeal ${fmt(got.bare!)}/s`,
    );
  }
  if (next > cookies.length) console.warn(`  ran out of prepared journeys (${next} requests for ${cookies.length})`);
  rows.push({
    section: 'submissions',
    measure: 'appeals sent (final step) ÷ do-nothing Astro action, a second',
    value: median(ratios.floor),
    unit: 'x',
    target: '≥ 0.7×',
    met: median(ratios.floor) >= 0.7,
    detail: `median of ${ROUNDS}: ${fmt(median(rps.app))} appeals/s (counted in the database) vs ${fmt(median(rps.floor))} action calls/s; same server, ${CONNECTIONS} connections`,
    raw: { value: median(rps.app), unit: 'appeals/s', better: 'higher' },
  });
  rows.push({
    section: 'submissions',
    measure: 'appeals sent (final step) ÷ bare node:http recording the same appeal',
    value: median(ratios.bare),
    unit: 'x',
    target: 'report',
    met: null,
    detail: `median of ${ROUNDS}: ${fmt(median(rps.app))} vs ${fmt(median(rps.bare))} appeals/s (bench/bare-submit.ts: createAppeal in one transaction, no journey, no outbox worker)`,
    raw: { value: median(rps.bare), unit: 'appeals/s (bare)', better: 'higher' },
  });
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
  const table = rows.map((r) => [
    r.section,
    r.engine ?? '',
    r.measure,
    show(r),
    r.target,
    status(r),
    versusSqlite(r),
    r.detail,
  ]);
  const head = ['section', 'engine', 'measure', 'value', 'target', '', 'PG ÷ SQLite', 'detail'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log();
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const t of table) console.log(line(t));
}

/**
 * For a PostgreSQL row, its own figure ÷ the same measure's on SQLite, worded so the reader need
 * not know which way is better: "0.52× (2,900 vs 5,600 req/s)".
 */
function versusSqlite(r: Row): string {
  if (r.engine !== 'postgres' || !r.raw) return '';
  const twin = rows.find((t) => t.engine === 'sqlite' && t.section === r.section && t.measure === r.measure);
  if (!twin?.raw) return '';
  const ratio = r.raw.value / twin.raw.value;
  const digits = r.raw.value < 10 ? 2 : 0;
  return `${ratio.toFixed(2)}× ${r.raw.better === 'higher' ? '' : '(lower is better) '}(${fmt(r.raw.value, digits)} vs ${fmt(twin.raw.value, digits)} ${r.raw.unit})`;
}

/** Runs a section, marking the rows it adds with the engine they were measured on. */
async function on(engine: Engine | '', section: () => Promise<void>): Promise<void> {
  const first = rows.length;
  await section();
  for (const row of rows.slice(first)) row.engine = row.section === 'weight' ? '' : engine;
}

async function main(): Promise<void> {
  const started = Date.now();
  try {
    for (const [i, engine] of ENGINES.entries()) {
      if (wanted('pages') || (i === 0 && wanted('weight')))
        await on(engine, () => pagesAndWeight(engine, i === 0 && wanted('weight')));
    }
    // The outbox figure is the worker against nodemailer on SQLite (bench/outbox.ts); not per engine.
    if (wanted('outbox')) await on('', outbox);
    for (const engine of ENGINES) if (wanted('submissions')) await on(engine, () => submissions(engine));
    for (const engine of ENGINES) if (wanted('scale')) await on(engine, () => scale(engine));
    if (!ENGINES.includes('postgres'))
      notYet('engines', 'PostgreSQL figures', 'report', 'TEST_DATABASE_URL is not set (README, "Testing")');
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    for (const name of databases) await dropTestDatabase(name);
  }
  printTable();
  const results = {
    at: new Date(started).toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    settings: {
      engines: ENGINES,
      rounds: ROUNDS,
      secondsPerLoad: SECONDS,
      connections: CONNECTIONS,
      emails: EMAILS,
      scale: SCALE,
    },
    rows,
  };
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWrote bench/results.json (${results.seconds} s).`);
}

await main();
