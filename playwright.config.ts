import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { libpqEnvironment } from './tests/support/postgres.ts';

// This file is evaluated in the runner and again in every worker: choose the port and the
// temporary data folder once and pass them on through the environment.
process.env.E2E_PORT ??= String(20_000 + Math.floor(Math.random() * 20_000));
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'fair-hearing-e2e-'));
// The SMTP sink (tests/support/smtp-sink-server.ts) and its control API, read by the `mailbox` fixture.
process.env.E2E_SMTP_PORT ??= String(40_000 + Math.floor(Math.random() * 10_000));
process.env.E2E_SMTP_CONTROL_PORT ??= String(50_000 + Math.floor(Math.random() * 10_000));
// The Nu Html Checker as a local web service, started once (tests/support/vnu.ts): each start of
// its command line costs a Java start-up, several seconds on a small machine.
process.env.E2E_VNU_PORT ??= String(60_000 + Math.floor(Math.random() * 5_000));
process.env.E2E_VNU_URL ??= `http://127.0.0.1:${process.env.E2E_VNU_PORT}/`;
// TEST_DATABASE=postgres: the server runs on a fresh PostgreSQL database on the TEST_DATABASE_URL
// server (tests/support/postgres.ts says how to set one up), made here once and dropped by the
// global teardown. DATABASE_URL is then in every worker's environment, so the CLIs the specs run
// (and the specs' own connections, tests/e2e/e2e-database.ts) use it too.
if (process.env.TEST_DATABASE === 'postgres' && !process.env.E2E_DATABASE_URL) {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('TEST_DATABASE=postgres needs TEST_DATABASE_URL (tests/support/postgres.ts)');
  const name = `fair_hearing_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  // psql, the PostgreSQL client beside the server; the URL (with its password) goes in the environment.
  execFileSync(
    'psql',
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `create database "${name}" template template0 encoding 'UTF8'`],
    {
      env: { ...process.env, ...libpqEnvironment(server) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = new URL(server);
  url.pathname = `/${name}`;
  process.env.E2E_DATABASE_URL = url.href;
}
if (process.env.E2E_DATABASE_URL) process.env.DATABASE_URL = process.env.E2E_DATABASE_URL;
else if (process.env.TEST_DATABASE && process.env.TEST_DATABASE !== 'sqlite')
  throw new Error(`TEST_DATABASE must be sqlite or postgres, not ${process.env.TEST_DATABASE}`);
// The same addresses are expected by tests/e2e/staff-notifications.spec.ts.
const E2E_REVIEW_TEAM_EMAIL = 'review-team@fair-hearing.test';
const E2E_SAFEGUARDING_EMAIL = 'safeguarding@fair-hearing.test';
const port = Number(process.env.E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  // The journeys run one at a time (they share the server, its database and the SMTP sink); the
  // crawl's four tests only read and send empty forms, so they share the two workers (projects below).
  workers: 2,
  projects: [
    // Files in name order: aa-first-run.spec.ts first, while no admin exists yet.
    { name: 'journeys', testIgnore: /zz-crawl\.spec\.ts$/, workers: 1 },
    // After every journey, so that there is data to show. Running the crawl alone runs the
    // journeys first; add --no-deps to skip them.
    { name: 'crawl', testMatch: /zz-crawl\.spec\.ts$/, dependencies: ['journeys'], fullyParallel: true },
  ],
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  // Journeys sign staff in, and a sign-in may wait up to 30 s for a fresh TOTP step.
  timeout: 120_000,
  globalTeardown: './tests/support/e2e-teardown.ts',
  use: {
    baseURL,
    // Every journey must work without client JavaScript (DESIGN.md).
    javaScriptEnabled: false,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Any stray outside request fails at once instead of waiting on DNS.
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
      ],
    },
  },
  webServer: [
    {
      command: `java -Dnu.validator.servlet.bind-address=127.0.0.1 -cp ${createRequire(import.meta.url)('vnu-jar')} nu.validator.servlet.Main ${process.env.E2E_VNU_PORT}`,
      url: process.env.E2E_VNU_URL,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // Started first: the app's outbox worker delivers to it.
      command: 'node_modules/.bin/tsx tests/support/smtp-sink-server.ts',
      url: `http://127.0.0.1:${process.env.E2E_SMTP_CONTROL_PORT}/health`,
      timeout: 30_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      env: { E2E_SMTP_PORT: process.env.E2E_SMTP_PORT, E2E_SMTP_CONTROL_PORT: process.env.E2E_SMTP_CONTROL_PORT },
    },
    {
      command: 'node_modules/.bin/tsx scripts/start.ts',
      url: `${baseURL}/healthz`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: process.env.E2E_DATA_DIR,
        ...(process.env.E2E_DATABASE_URL ? { DATABASE_URL: process.env.E2E_DATABASE_URL } : {}),
        ASTRO_TELEMETRY_DISABLED: '1',
        SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
        MAIL_FROM: 'Fair Hearing <no-reply@fair-hearing.test>',
        // Deliver promptly, and retry quickly after an outage test restores the sink.
        OUTBOX_POLL_MS: '200',
        // Every browser test comes from 127.0.0.1: a higher lookup limit keeps specs independent
        // (the limit itself is unit-tested in tests/unit/appeal-journey.test.ts).
        CASE_LOOKUPS_PER_10_MINUTES: '1000',
        // Likewise for appeals sent and wrong status links (limits proven in tests/resilience):
        // specs reuse email addresses, and a spec may send several appeals from one browser.
        APPEALS_PER_HOUR: '1000',
        APPEALS_PER_JOURNEY_PER_HOUR: '1000',
        APPEALS_PER_EMAIL_PER_HOUR: '1000',
        STATUS_LINK_MISSES_PER_10_MINUTES: '1000',
        OUTBOX_RETRY_BASE_MS: '200',
        // Staff notifications (tests/e2e/staff-notifications.spec.ts): a team mailbox and the
        // safeguarding address; the digest only through `npm run digest`, so a test run after
        // 08:00 on a working day is not raced by the scheduled one (the schedule is unit-tested).
        REVIEW_TEAM_EMAIL: E2E_REVIEW_TEAM_EMAIL,
        SAFEGUARDING_EMAIL: E2E_SAFEGUARDING_EMAIL,
        DIGEST_TIME: 'off',
      },
    },
  ],
});
