/**
 * The real server as a child process for the resilience suite: `node --import tsx scripts/start.ts
 * --no-build` (the build is made once by global-setup.ts), on 127.0.0.1 and a free port, with its own
 * DATA_DIR. The child IS the server process (no tsx wrapper), so SIGKILL and SIGTERM reach it.
 * With TEST_DATABASE=postgres each DATA_DIR also gets a fresh PostgreSQL database on the
 * TEST_DATABASE_URL server (databaseEnv), which the server, the shared runtime and the CLIs use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/lib/platform/config.ts';
import { createRuntime, type Runtime } from '../../../src/lib/runtime.ts';
import { closeDatabase } from '../../../db/open.ts';
import { onCleanup } from '../../support/cleanup.ts';
import { createTestDatabase, dropTestDatabase, testDatabaseName, testEngine } from '../../support/postgres.ts';

export { onCleanup };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A temporary data folder, removed after the file's tests. */
export function tempDataDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fair-hearing-resilience-${label}-`));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The engine the suite runs on (TEST_DATABASE, as in the unit suite). */
export const onPostgres = testEngine() === 'postgres';

const databases = new Map<string, Promise<string>>();

/**
 * What names the database of `dataDir` to a process: nothing on SQLite (the file under DATA_DIR);
 * with TEST_DATABASE=postgres, DATABASE_URL of an empty database made for `dataDir` at its first
 * use (the first process to start migrates it) and dropped after the file.
 */
export async function databaseEnv(dataDir: string): Promise<Record<string, string>> {
  if (!onPostgres) return {};
  let url = databases.get(dataDir);
  if (!url) {
    const name = testDatabaseName('resilience');
    url = createTestDatabase(name);
    databases.set(dataDir, url);
    await url;
    // Registered before whoever uses the database, so it runs after they have closed it.
    onCleanup(async () => {
      databases.delete(dataDir);
      await dropTestDatabase(name);
    });
  }
  return { DATABASE_URL: await url };
}

/** The database URL of `dataDir` on PostgreSQL (databaseEnv), or undefined on SQLite. */
export async function databaseUrlOf(dataDir: string): Promise<string | undefined> {
  return (await databaseEnv(dataDir)).DATABASE_URL;
}

/**
 * A runtime on the same database the server uses (migrated and seeded, as the server would),
 * for preparing data through the domain functions and checking what was stored.
 */
export async function sharedRuntime(dataDir: string, env: Record<string, string> = {}): Promise<Runtime> {
  const parsed = parseConfig({ DATA_DIR: dataDir, ...(await databaseEnv(dataDir)), DATABASE_POOL_SIZE: '4', ...env });
  if (!parsed.ok) throw new Error(parsed.error);
  const rt = await createRuntime(parsed.config);
  onCleanup(() => closeDatabase(rt.db));
  return rt;
}

export interface ServerOptions {
  dataDir: string;
  smtpUrl?: string;
  env?: Record<string, string>;
  port?: number;
}

export class AppServer {
  readonly port: number;
  readonly baseUrl: string;
  child: ChildProcess | undefined;
  output = '';
  readonly #options: ServerOptions;

  private constructor(options: ServerOptions, port: number) {
    this.#options = options;
    this.port = port;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  /** Starts a server and waits until /healthz answers 200. */
  static async start(options: ServerOptions): Promise<AppServer> {
    const server = new AppServer(options, options.port ?? (await freePort()));
    await server.spawn();
    return server;
  }

  async spawn(): Promise<void> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(this.port),
      DATA_DIR: this.#options.dataDir,
      ...(await databaseEnv(this.#options.dataDir)),
      ASTRO_TELEMETRY_DISABLED: '1',
      MAIL_FROM: 'Fair Hearing <no-reply@fair-hearing.test>',
      OUTBOX_POLL_MS: '200',
      OUTBOX_RETRY_BASE_MS: '200',
      ...(this.#options.smtpUrl ? { SMTP_URL: this.#options.smtpUrl } : {}),
      ...this.#options.env,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--no-build'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await this.waitHealthy(60_000);
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child?.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`The server exited during start-up:\n${this.output}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/healthz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`The server did not become healthy:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends a signal and waits for the process to end; returns its exit code (null when killed). */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = 30_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child) return { code: null, signal: null };
    const exited =
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([exited, timer])) === 'timeout') {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`The server did not stop within ${timeoutMs} ms after ${signal}:\n${this.output}`);
    }
    this.child = undefined;
    return { code: child.exitCode, signal: child.signalCode };
  }

  /** Stops the server at the end of the file whatever happened. */
  stopAfterAll(): this {
    onCleanup(async () => {
      if (this.child) await this.stop('SIGKILL').catch(() => undefined);
      // For debugging a failure: RESILIENCE_SERVER_OUTPUT=1 prints the last of what the server said.
      if (process.env.RESILIENCE_SERVER_OUTPUT) console.log(`--- server ${this.port} output ---\n${this.output}`);
    });
    return this;
  }
}
