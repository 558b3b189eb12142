/**
 * Helpers for the benchmarks: free loopback ports, child processes, autocannon runs, medians.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

export const ROOT = process.cwd();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Child {
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a TypeScript file with tsx; resolves once `readyUrl` answers (any status). */
export async function startTsx(
  file: string,
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
  timeoutMs: number,
): Promise<Child> {
  const child = spawn(`${ROOT}/node_modules/.bin/tsx`, [file, ...args], {
    cwd: ROOT,
    // Node 24 from node_modules/.bin, as npm scripts use (the system node may be older).
    env: { ...process.env, PATH: `${ROOT}/node_modules/.bin:${process.env.PATH ?? ''}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${file} exited (${child.exitCode}):\n${output}`);
    try {
      await httpGet(readyUrl);
      return { process: child, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${file} did not start in ${timeoutMs} ms:\n${output}`);
      }
      await sleep(200);
    }
  }
}

/**
 * CPU time (user + system, ms) used so far by the process tree under `pid` — the tsx CLI runs the
 * script in a child process. Linux only (/proc); undefined elsewhere.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 (1-based), in clock ticks (100 a second on Linux).
    let total = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      total += cpuMs(Number(child)) ?? 0;
    }
    return total;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: Buffer;
  /** Bytes on the wire for the status line and headers (approximately: HTTP/1.1 framing). */
  headerBytes: number;
}

/** GET without decompressing, so the body is what went over the wire. */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let headerBytes = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`.length + 2;
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          headerBytes += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`.length;
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
          headerBytes,
        });
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

export interface LoadResult {
  rps: number;
  /** Server CPU ms a request (all its processes), when `serverPid` was given and /proc exists. */
  cpuPerRequestMs: number | undefined;
  p50Ms: number;
  total: number;
  share3xx: number;
  errors: number;
}

/** Loads one URL for `seconds` with `connections` keep-alive connections. */
export async function load(
  url: string,
  seconds: number,
  connections: number,
  headers: Record<string, string> = {},
  serverPid?: number,
): Promise<LoadResult> {
  const cpuBefore = cpuMs(serverPid);
  const r = await autocannon({ url, duration: seconds, connections, headers, timeout: 10 });
  const cpuAfter = cpuMs(serverPid);
  const answered = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  const cpuPerRequestMs =
    cpuBefore !== undefined && cpuAfter !== undefined && answered > 0 ? (cpuAfter - cpuBefore) / answered : undefined;
  return {
    rps: r.requests.average,
    cpuPerRequestMs,
    p50Ms: r.latency.p50,
    total: answered,
    share3xx: answered ? r['3xx'] / answered : 0,
    errors: r.errors + r.timeouts,
  };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** POST load: like `load`, with a body, and `vary` called for each request's extra headers. */
export async function loadPost(
  url: string,
  seconds: number,
  connections: number,
  body: string,
  headers: Record<string, string>,
  vary?: () => Record<string, string>,
): Promise<{ rps: number; total: number; errors: number; status: Record<string, number> }> {
  const r = await autocannon({
    url,
    duration: seconds,
    connections,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        body,
        headers,
        ...(vary ? { setupRequest: (req) => ({ ...req, headers: { ...headers, ...vary() } }) } : {}),
      },
    ],
  });
  const answered = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return {
    rps: r.requests.average,
    total: answered,
    errors: r.errors + r.timeouts,
    status: { '2xx': r['2xx'], '3xx': r['3xx'], '4xx': r['4xx'], '5xx': r['5xx'] },
  };
}

/**
 * Latencies (ms) of `n` GET requests made one after another over one keep-alive connection,
 * cycling through `urls`; each body is read to the end.
 */
export async function sequentialLatencies(
  urls: readonly string[],
  n: number,
  headers: Record<string, string> = {},
): Promise<number[]> {
  const { Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const url = urls[i % urls.length]!;
      const started = performance.now();
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(url, { headers: { 'accept-encoding': 'br, gzip', ...headers }, agent }, (res) => {
          res.on('data', () => {});
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${url}`)));
        req.on('error', reject);
        req.end();
      });
      if (status !== 200) throw new Error(`${url} answered ${status}`);
      out.push(performance.now() - started);
    }
  } finally {
    agent.destroy();
  }
  return out;
}
