/**
 * The outbox worker: claims due messages one at a time (each claim atomic, with its own token),
 * sends each with its fixed Message-ID and records the outcome. Sends run concurrently over a
 * pooled SMTP transport, with a slow start: one send at a time until one succeeds, then one more
 * lane a success up to `concurrency`, back to one after any failure. So a hanging or failing
 * server never has more than one message of this worker in flight. Runs inside the server process (scripts/start.ts) or alone
 * (`npm run worker`); any number of workers may share the database. See docs/decisions/004-outbox.md.
 */
import { randomUUID } from 'node:crypto';
import {
  claimNextEmail,
  markEmailFailed,
  markEmailSent,
  onEmailEnqueued,
  rescheduleEmail,
} from '../../../db/outbox.ts';
import type { OutboxRow } from '../../../db/schema.ts';
import type { Runtime } from '../platform/index.ts';
import { createMailTransport, SMTP_POOL_CONNECTIONS, type MailTransport } from './transport.ts';

/** Temporary failures are retried for this long after the message was queued, then it fails. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;
/** No single wait between attempts is longer than this. */
export const MAX_RETRY_DELAY_MS = 2 * 60 * 60 * 1000;

/**
 * Exponential backoff with jitter: base·2^(attempts−1), capped, then scaled by a random factor in
 * [0.5, 1) so that messages that failed together do not all retry in the same instant.
 */
export function retryDelayMs(attempts: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential * (0.5 + random() * 0.5));
}

export interface OutboxWorker {
  /** Looks for due messages now instead of at the next poll. */
  nudge(): void;
  /** Stops polling, waits for the messages being sent (if any), closes the transport. */
  stop(): Promise<void>;
}

export interface OutboxWorkerOptions {
  /** Defaults to SMTP (SMTP_URL) or .eml files (no SMTP_URL). */
  transport?: MailTransport;
  random?: () => number;
  /** Most messages in flight at once (default SMTP_POOL_CONNECTIONS; 1 sends strictly one at a time). */
  concurrency?: number;
}

export function startOutboxWorker(rt: Runtime, options: OutboxWorkerOptions = {}): OutboxWorker {
  const transport = options.transport ?? createMailTransport(rt.config);
  const random = options.random ?? Math.random;
  const maxConcurrency = Math.max(1, options.concurrency ?? SMTP_POOL_CONNECTIONS);
  const { pollMs, leaseMs, retryBaseMs } = rt.config.outbox;
  let stopped = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  /** True when the message was accepted. */
  async function deliver(row: OutboxRow, token: string): Promise<boolean> {
    const result = await transport.send({
      messageId: row.messageId,
      to: row.to,
      subject: row.subject,
      text: row.text,
      html: row.html,
      headers: row.headers,
    });
    const now = rt.now();
    if (result.ok) {
      await markEmailSent(rt.db, row.id, token, now);
      return true;
    }
    if (result.permanent) {
      await markEmailFailed(rt.db, row.id, token, result.error);
      console.warn(`Outbox: message ${row.id} refused permanently: ${withoutAddresses(result.error)}`);
    } else if (now.getTime() - row.queuedAt.getTime() >= GIVE_UP_AFTER_MS) {
      await markEmailFailed(
        rt.db,
        row.id,
        token,
        `Gave up after ${row.attempts} attempts over 24 hours: ${result.error}`,
      );
      console.warn(
        `Outbox: message ${row.id} failed after ${row.attempts} attempts: ${withoutAddresses(result.error)}`,
      );
    } else {
      const next = new Date(now.getTime() + retryDelayMs(row.attempts, retryBaseMs, random));
      await rescheduleEmail(rt.db, row.id, token, next, result.error);
    }
    return false;
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      const inFlight = new Set<Promise<void>>();
      let lanes = 1;
      let empty = false;
      try {
        while (!stopped) {
          while (!empty && inFlight.size < lanes && !stopped) {
            // A fresh token a claim: a message taken over after its lease cannot be marked by the
            // worker that lost it.
            const token = randomUUID();
            const row = await claimNextEmail(rt.db, token, rt.now(), leaseMs);
            if (!row) {
              empty = true;
              break;
            }
            const sending: Promise<void> = deliver(row, token)
              .then(
                (ok) => {
                  lanes = ok ? Math.min(maxConcurrency, lanes + 1) : 1;
                },
                (error: unknown) => {
                  // A bug (e.g. the database failing): log it; the message stays claimed until its lease ends.
                  lanes = 1;
                  console.error('Outbox worker:', error);
                },
              )
              .finally(() => inFlight.delete(sending));
            inFlight.add(sending);
          }
          if (inFlight.size === 0) break;
          await Promise.race(inFlight);
        }
      } finally {
        await Promise.allSettled(inFlight);
      }
    } while (again && !stopped);
  }

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = drain()
      .catch((error: unknown) => console.error('Outbox worker:', error))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(run, pollMs);
      });
  }

  const unsubscribe = onEmailEnqueued(rt.db, run);
  run();

  return {
    nudge: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      await running;
      transport.close();
    },
  };
}

/** SMTP errors often quote the recipient: no personal data reaches the logs. */
export function withoutAddresses(text: string): string {
  // Word by word (linear time; the one-pattern form backtracked quadratically on a long word
  // without an @): in a word, from the first run of non-@ characters followed by @ and more.
  return text.replace(/[^\s<>"']+/g, (word) => {
    let start = 0;
    while (start < word.length && word[start] === '@') start++;
    const at = word.indexOf('@', start);
    return at !== -1 && at < word.length - 1 && start < word.length ? `${word.slice(0, start)}[address]` : word;
  });
}
