/**
 * Configuration: the only module that reads process.env. Every variable is optional, has a
 * default fitting the first organisation (Norfolk and Suffolk NHS Foundation Trust) and is
 * validated here, so a bad value stops start-up with a one-line message naming the variable.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseKey } from '../../../db/secret-box.ts';

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const optionalString = (fallback: string) => z.preprocess(emptyToUndefined, z.string().trim().min(1).default(fallback));

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const wholeNumber = (min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
      .transform(Number)
      .pipe(z.number().int().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`))
      .default(fallback),
  );

const yesNo = z.preprocess(
  emptyToUndefined,
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: 'must be true or false' })
    .transform((v) => v === '1' || v === 'true' || v === 'yes')
    .default(false),
);

export const EnvSchema = z.object({
  HOST: optionalString('localhost'),
  PORT: wholeNumber(1, 65535, 4321),
  DATA_DIR: optionalString('./data'),
  /**
   * PostgreSQL, the second engine (issue 21, docs/decisions/031): unset, the data lives in the
   * embedded SQLite database under DATA_DIR.
   */
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  ),
  /** Clients in the PostgreSQL pool (ignored on SQLite). */
  DATABASE_POOL_SIZE: wholeNumber(1, 100, 10),
  PUBLIC_URL: z.preprocess(emptyToUndefined, httpUrl.optional()),
  SMTP_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  ),
  MAIL_FROM: optionalString('Fair Hearing <no-reply@localhost>'),
  TRUSTED_PROXY: yesNo,
  /** Serve public pages from an in-process cache ahead of the render (src/server/page-cache.ts). */
  PAGE_CACHE: z.preprocess(
    emptyToUndefined,
    z
      .enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: 'must be true or false' })
      .transform((v) => v === '1' || v === 'true' || v === 'yes')
      .default(true),
  ),
  /** Benchmark-only endpoints (bench/run.ts); off in production, where they answer 404. */
  BENCH_ENDPOINTS: yesNo,
  OUTBOX_POLL_MS: wholeNumber(50, 60_000, 1_500),
  OUTBOX_LEASE_MS: wholeNumber(1_000, 3_600_000, 300_000),
  OUTBOX_RETRY_BASE_MS: wholeNumber(100, 3_600_000, 30_000),
  ORG_NAME: optionalString('Norfolk and Suffolk NHS Foundation Trust'),
  ORG_SHORT_NAME: optionalString('NSFT'),
  ORG_WEBSITE: z.preprocess(emptyToUndefined, httpUrl.default('https://www.nsft.nhs.uk/')),
  CRISIS_URL: z.preprocess(emptyToUndefined, httpUrl.default('https://www.nsft.nhs.uk/help-in-a-crisis/')),
  COMPLAINTS_URL: z.preprocess(
    emptyToUndefined,
    httpUrl.default('https://www.nsft.nhs.uk/contact-us/customer-services-and-pals/'),
  ),
  CONTACT_EMAIL: z.preprocess(
    emptyToUndefined,
    z.email({ error: 'must be an email address' }).default('communications@nsft.nhs.uk'),
  ),
  DPO_CONTACT: optionalString(
    'Data Protection Officer, Norfolk and Suffolk NHS Foundation Trust, Hellesdon Hospital, Drayton High Road, Norwich NR6 5BE',
  ),
  /** How long after the moderation action a person may appeal. */
  APPEAL_WINDOW_MONTHS: wholeNumber(1, 60, 6),
  /** Target for a decision, in working days from receipt. */
  REVIEW_WORKING_DAYS: wholeNumber(1, 100, 10),
  /** Working days to wait for an appellant's answer before one reminder; after twice that, the review resumes. */
  INFO_WAIT_WORKING_DAYS: wholeNumber(1, 50, 10),
  /** Personal data is purged this long after an appeal is decided or a case closed. */
  RETENTION_MONTHS: wholeNumber(1, 120, 12),
  /** Case-reference lookups allowed per IP address in 10 minutes (guessing protection). */
  CASE_LOOKUPS_PER_10_MINUTES: wholeNumber(1, 100_000, 20),
  /** Sign-ups for change alerts per client IP per hour (src/lib/principles/change-alerts.ts). */
  SUBSCRIBES_PER_HOUR: wholeNumber(1, 10_000, 10),
  /** Wrong private status links per IP in 10 minutes before every status link is refused (guessing protection). */
  STATUS_LINK_MISSES_PER_10_MINUTES: wholeNumber(1, 100_000, 20),
  /**
   * Appeals sent per client IP address per hour: the flood guard, high enough for a shared
   * connection (a hospital, a library) where many people send from one address (decision 026).
   */
  APPEALS_PER_HOUR: wholeNumber(1, 100_000, 100),
  /** Appeals sent per appeal journey (one browser's answers, src/lib/appeals/journeys.ts) per hour. */
  APPEALS_PER_JOURNEY_PER_HOUR: wholeNumber(1, 100_000, 5),
  /** Appeals sent per appellant email address per hour. */
  APPEALS_PER_EMAIL_PER_HOUR: wholeNumber(1, 100_000, 5),
  /** File holding the key that encrypts TOTP secrets at rest; default $DATA_DIR/secret.key, made on first start. */
  SECRET_KEY_FILE: z.preprocess(emptyToUndefined, z.string().trim().min(1).optional()),
  /** The review team's mailbox for staff notifications; unset: every active reviewer (else admin) is emailed. */
  REVIEW_TEAM_EMAIL: z.preprocess(emptyToUndefined, z.email({ error: 'must be an email address' }).optional()),
  /** Where safeguarding concerns are emailed; unset: staff cannot flag a concern (the feature is off). */
  SAFEGUARDING_EMAIL: z.preprocess(emptyToUndefined, z.email({ error: 'must be an email address' }).optional()),
  /** UK time of the working-day digest (HH:MM, 24-hour), or `off` to send it only with `npm run digest`. */
  DIGEST_TIME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .regex(/^(?:off|(?:[01]\d|2[0-3]):[0-5]\d)$/, 'must be a time like 08:00, or off')
      .default('08:00'),
  ),
  /** Feedback forms sent per client IP per hour (src/lib/feedback/feedback.ts). */
  FEEDBACK_PER_HOUR: wholeNumber(1, 10_000, 10),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** The SQLite file, used when `databaseUrl` is not set. */
  databaseFile: string;
  /** PostgreSQL (DATABASE_URL), or undefined for embedded SQLite. */
  databaseUrl: string | undefined;
  /** Clients in the PostgreSQL pool (DATABASE_POOL_SIZE, default 10). */
  databasePoolSize: number;
  mailDir: string;
  publicUrl: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  trustedProxy: boolean;
  /** Public pages served from the in-process page cache (PAGE_CACHE, default true). */
  pageCache: boolean;
  /** Benchmark-only endpoints such as the do-nothing action (BENCH_ENDPOINTS, default false). */
  benchEndpoints: boolean;
  outbox: {
    /** How often the worker looks for due messages (it is also woken by an enqueue in-process). */
    pollMs: number;
    /** How long a claimed message may stay `sending` before another worker takes it over. */
    leaseMs: number;
    /** First retry delay after a temporary failure; it doubles each attempt (with jitter). */
    retryBaseMs: number;
  };
  org: {
    name: string;
    shortName: string;
    website: string;
    crisisUrl: string;
    complaintsUrl: string;
    contactEmail: string;
    dpoContact: string;
  };
  appealWindowMonths: number;
  reviewWorkingDays: number;
  /** INFO_WAIT_WORKING_DAYS: the reminder after this many working days waiting, the review resumes after twice that. */
  infoWaitWorkingDays: number;
  retentionMonths: number;
  caseLookupsPer10Minutes: number;
  subscribesPerHour: number;
  statusLinkMissesPer10Minutes: number;
  /** APPEALS_PER_HOUR: appeals sent per client IP address per hour (the flood guard). */
  appealsPerHour: number;
  /** APPEALS_PER_JOURNEY_PER_HOUR and APPEALS_PER_EMAIL_PER_HOUR (src/lib/appeals/limits.ts). */
  appealsPerJourneyPerHour: number;
  appealsPerEmailPerHour: number;
  /** The key file (SECRET_KEY_FILE, or $DATA_DIR/secret.key) for secrets encrypted at rest. */
  secretKeyFile: string;
  /** True when SECRET_KEY_FILE named it (then it must exist; the default one is made when missing). */
  secretKeyFromEnv: boolean;
  staffNotifications: {
    /** The team mailbox (REVIEW_TEAM_EMAIL); undefined: every active reviewer (else admin). */
    reviewTeamEmail: string | undefined;
    /** SAFEGUARDING_EMAIL; undefined: safeguarding flags are off. */
    safeguardingEmail: string | undefined;
    /** UK time of the daily digest as minutes after midnight (DIGEST_TIME), or null when off. */
    digestMinute: number | null;
  };
  feedbackPerHour: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; error: string };

/** Variables whose values must never be echoed (they may hold credentials). */
const SECRET_VARIABLES = new Set(['SMTP_URL', 'DATABASE_URL']);

/**
 * Parses the environment. Returns a one-line message naming the first bad variable
 * instead of throwing, so start-up can print it and exit non-zero.
 */
export function parseConfig(env: Record<string, string | undefined>, cwd = process.cwd()): ConfigResult {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const raw = env[name];
    const shown = SECRET_VARIABLES.has(name) || raw === undefined ? '' : ` (got ${JSON.stringify(raw)})`;
    return { ok: false, error: `Configuration error: ${name} ${issue.message}${shown}.` };
  }
  const e = parsed.data;
  const dataDir = resolve(cwd, e.DATA_DIR);
  const secretKeyFile = e.SECRET_KEY_FILE ? resolve(cwd, e.SECRET_KEY_FILE) : resolve(dataDir, 'secret.key');
  const keyProblem = secretKeyFileProblem(secretKeyFile, e.SECRET_KEY_FILE !== undefined);
  if (keyProblem) return { ok: false, error: keyProblem };
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    ok: true,
    config: {
      host: e.HOST,
      port: e.PORT,
      dataDir,
      databaseFile: resolve(dataDir, 'fair-hearing.sqlite'),
      databaseUrl: e.DATABASE_URL,
      databasePoolSize: e.DATABASE_POOL_SIZE,
      mailDir: resolve(dataDir, 'mail'),
      publicUrl,
      smtpUrl: e.SMTP_URL,
      mailFrom: e.MAIL_FROM,
      trustedProxy: e.TRUSTED_PROXY,
      pageCache: e.PAGE_CACHE,
      benchEndpoints: e.BENCH_ENDPOINTS,
      outbox: { pollMs: e.OUTBOX_POLL_MS, leaseMs: e.OUTBOX_LEASE_MS, retryBaseMs: e.OUTBOX_RETRY_BASE_MS },
      org: {
        name: e.ORG_NAME,
        shortName: e.ORG_SHORT_NAME,
        website: e.ORG_WEBSITE,
        crisisUrl: e.CRISIS_URL,
        complaintsUrl: e.COMPLAINTS_URL,
        contactEmail: e.CONTACT_EMAIL,
        dpoContact: e.DPO_CONTACT,
      },
      appealWindowMonths: e.APPEAL_WINDOW_MONTHS,
      reviewWorkingDays: e.REVIEW_WORKING_DAYS,
      infoWaitWorkingDays: e.INFO_WAIT_WORKING_DAYS,
      retentionMonths: e.RETENTION_MONTHS,
      caseLookupsPer10Minutes: e.CASE_LOOKUPS_PER_10_MINUTES,
      subscribesPerHour: e.SUBSCRIBES_PER_HOUR,
      statusLinkMissesPer10Minutes: e.STATUS_LINK_MISSES_PER_10_MINUTES,
      appealsPerHour: e.APPEALS_PER_HOUR,
      appealsPerJourneyPerHour: e.APPEALS_PER_JOURNEY_PER_HOUR,
      appealsPerEmailPerHour: e.APPEALS_PER_EMAIL_PER_HOUR,
      secretKeyFile,
      secretKeyFromEnv: e.SECRET_KEY_FILE !== undefined,
      staffNotifications: {
        reviewTeamEmail: e.REVIEW_TEAM_EMAIL?.toLowerCase(),
        safeguardingEmail: e.SAFEGUARDING_EMAIL?.toLowerCase(),
        digestMinute:
          e.DIGEST_TIME === 'off' ? null : Number(e.DIGEST_TIME.slice(0, 2)) * 60 + Number(e.DIGEST_TIME.slice(3)),
      },
      feedbackPerHour: e.FEEDBACK_PER_HOUR,
    },
  };
}

/**
 * Why the key file cannot be used, as a one-line message naming SECRET_KEY_FILE, or undefined
 * when it holds a key (or is the default file, not made yet: the first start makes it).
 */
export function secretKeyFileProblem(file: string, fromEnv: boolean): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!fromEnv && code === 'ENOENT') return undefined;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (code ?? 'unreadable');
    return `Configuration error: SECRET_KEY_FILE cannot be read (${file}: ${why}).`;
  }
  if (parseKey(text)) return undefined;
  return fromEnv
    ? `Configuration error: SECRET_KEY_FILE must name a file holding 64 hexadecimal characters (make one with: openssl rand -hex 32), and ${file} does not.`
    : `Configuration error: SECRET_KEY_FILE is not set and ${file} is not a valid key (64 hexadecimal characters): restore it from your copy, or set SECRET_KEY_FILE to the key file.`;
}

/** Parses process.env once; throws a ConfigError carrying the one-line message. */
export function loadConfig(): Config {
  // eslint-disable-next-line no-restricted-properties -- the one place that reads process.env
  const result = parseConfig(process.env);
  if (!result.ok) throw new ConfigError(result.error);
  return result.config;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * For command-line entry points (server, worker, purge, staff, backup): the configuration, or
 * the message naming the bad variable on stderr and exit code 1 — never a stack trace.
 */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
