/**
 * Change alerts: double opt-in email subscriptions, and one email per confirmed subscriber when a
 * new version of the principles takes effect (docs/decisions/009-principles-admin-and-change-alerts.md).
 *
 * Rules:
 * - Signing up sends only a confirmation email; an address gets alerts once its owner confirms.
 *   The page says the same whether or not the address was already signed up.
 * - Unconfirmed addresses are deleted after 7 days (purgeUnconfirmed, run periodically and on
 *   every sign-up).
 * - At most SUBSCRIBES_PER_HOUR (default 10) sign-ups an hour from one client (by IP address, stored hashed).
 * - Each version's alert is queued exactly once (a row in change_alerts claimed in the same
 *   transaction as the emails), to people confirmed by the time it took effect. Only the version
 *   in force gets an alert: one superseded before its alert went out (server down) is skipped.
 * - Every alert carries a fresh unsubscribe token (stored hashed), in a link and in
 *   List-Unsubscribe headers (RFC 8058). Unsubscribing deletes the address.
 */
import { enqueueEmail } from '../../../db/outbox.ts';
import { transaction } from '../../../db/transactions.ts';
import {
  limitGroup,
  formatDateTime,
  generateToken,
  emailAddress,
  inTransaction,
  type Runtime,
  type Scope,
  hashToken,
} from '../platform/index.ts';
import { listPublishedVersions } from '../../../db/principles.ts';
import {
  claimChangeAlert,
  countSubscribeAttempts,
  deleteSubscribeAttemptsBefore,
  deleteSubscription,
  deleteUnconfirmedBefore,
  findSubscriptionByConfirmHash,
  findSubscriptionByEmail,
  findSubscriptionByUnsubscribeHash,
  insertSubscribeAttempt,
  insertSubscription,
  insertUnsubscribeToken,
  listAlertedVersionIds,
  listConfirmedSubscriptions,
  markConfirmed,
  renewConfirmToken,
  setChangeAlertRecipients,
} from '../../../db/subscriptions.ts';
import type { DbOrTx } from '../../../db/client.ts';
import {
  alreadySubscribedEmail,
  changeAlertEmail,
  confirmSubscriptionEmail,
  unsubscribeHeaders,
} from './emails/change-alerts.ts';

export const ALERT_RULES = {
  /** Unconfirmed addresses (and their confirmation links) last this long. */
  confirmDays: 7,
  /** Default sign-ups per client per hour (SUBSCRIBES_PER_HOUR): plenty for a person, little use to someone flooding inboxes. */
  attemptsPerHour: 10,
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** Tokens from links are base64url; anything else is rejected before a lookup. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

export const confirmUrl = (rt: Scope, token: string) => `${rt.config.publicUrl}/subscribe/confirm/${token}`;
export const unsubscribeUrl = (rt: Scope, token: string) => `${rt.config.publicUrl}/unsubscribe/${token}`;

/** A new unsubscribe token for a subscription (stored hashed); returns the raw token. */
async function issueUnsubscribeToken(db: DbOrTx, subscriptionId: number, now: Date): Promise<string> {
  const token = generateToken();
  await insertUnsubscribeToken(db, subscriptionId, hashToken(token), now);
  return token;
}

export type SubscribeResult =
  | { ok: true }
  | { ok: false; error: 'invalid'; fieldErrors: { email: string } }
  | { ok: false; error: 'rate-limited'; retryAt: Date };

/**
 * Signs an address up for change alerts (unconfirmed) and queues the confirmation email; a
 * confirmed address is sent a short "already signed up" email instead. The result does not say
 * which happened, so the page cannot reveal who is signed up.
 */
export async function subscribe(rt: Runtime, input: { email: unknown; ip: string | null }): Promise<SubscribeResult> {
  const now = rt.now();
  const client = hashToken(`subscribe:${limitGroup(input.ip)}`);
  return inTransaction(rt, async (tx) => {
    const since = new Date(now.getTime() - HOUR_MS);
    if ((await countSubscribeAttempts(tx.db, client, since)) >= rt.config.subscribesPerHour) {
      return { ok: false, error: 'rate-limited', retryAt: new Date(now.getTime() + HOUR_MS) } as const;
    }
    await insertSubscribeAttempt(tx.db, client, now);
    const parsed = emailAddress.safeParse(typeof input.email === 'string' ? input.email : '');
    if (!parsed.success)
      return { ok: false, error: 'invalid', fieldErrors: { email: parsed.error.issues[0]!.message } } as const;
    const email = parsed.data;
    await purgeUnconfirmed(tx);
    const existing = await findSubscriptionByEmail(tx.db, email);
    const org = rt.config.org.name;
    if (existing?.confirmedAt) {
      const link = unsubscribeUrl(rt, await issueUnsubscribeToken(tx.db, existing.id, now));
      await enqueueEmail(
        tx.db,
        {
          to: email,
          kind: 'subscription-exists',
          ...alreadySubscribedEmail({ orgName: org, unsubscribeUrl: link }),
          secrets: [link],
        },
        now,
      );
      return { ok: true } as const;
    }
    const token = generateToken();
    if (existing) await renewConfirmToken(tx.db, existing.id, hashToken(token), now);
    else await insertSubscription(tx.db, { email, confirmTokenHash: hashToken(token), now });
    const link = confirmUrl(rt, token);
    const message = confirmSubscriptionEmail({ orgName: org, confirmUrl: link, validDays: ALERT_RULES.confirmDays });
    await enqueueEmail(tx.db, { to: email, kind: 'subscription-confirm', ...message, secrets: [link] }, now);
    return { ok: true } as const;
  });
}

async function waitingFor(rt: Scope, token: string) {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const row = await findSubscriptionByConfirmHash(rt.db, hashToken(token));
  if (!row || row.confirmedAt) return undefined;
  if (row.createdAt.getTime() <= rt.now().getTime() - ALERT_RULES.confirmDays * DAY_MS) return undefined;
  return row;
}

/** Whether a confirmation link is still good (for the page that shows the Confirm button). */
export async function isConfirmTokenValid(rt: Runtime, token: string): Promise<boolean> {
  return (await waitingFor(rt, token)) !== undefined;
}

/** Confirms an address from its emailed link (the link works once, within 7 days). */
export async function confirmSubscription(
  rt: Runtime,
  token: string,
): Promise<{ ok: true } | { ok: false; error: 'not-found' }> {
  return inTransaction(rt, async (tx) => {
    const row = await waitingFor(tx, token);
    if (!row || !(await markConfirmed(tx.db, row.id, rt.now()))) return { ok: false, error: 'not-found' } as const;
    return { ok: true } as const;
  });
}

/** Whether an unsubscribe link still belongs to an address. */
export async function isUnsubscribeTokenValid(rt: Runtime, token: string): Promise<boolean> {
  return TOKEN_SHAPE.test(token) && (await findSubscriptionByUnsubscribeHash(rt.db, hashToken(token))) !== undefined;
}

/** Deletes the address an unsubscribe link belongs to. 'not-found' when already gone. */
export async function unsubscribe(
  rt: Runtime,
  token: string,
): Promise<{ ok: true } | { ok: false; error: 'not-found' }> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, error: 'not-found' };
  return transaction(rt.db, async (tx) => {
    const row = await findSubscriptionByUnsubscribeHash(tx, hashToken(token));
    if (!row) return { ok: false, error: 'not-found' } as const;
    await deleteSubscription(tx, row.id);
    return { ok: true } as const;
  });
}

/** Deletes addresses left unconfirmed for 7 days, and old rate-limit entries. Returns how many addresses. */
export async function purgeUnconfirmed(rt: Scope): Promise<number> {
  const now = rt.now().getTime();
  return transaction(rt.db, async (tx) => {
    await deleteSubscribeAttemptsBefore(tx, new Date(now - HOUR_MS));
    return deleteUnconfirmedBefore(tx, new Date(now - ALERT_RULES.confirmDays * DAY_MS));
  });
}

/**
 * Queues the change alert of the version in force, once: for every published version that has
 * taken effect and has no alert yet, claims its row in change_alerts and (for the version in force
 * only, and only if it has a predecessor) queues one email per confirmed subscriber, all in one
 * transaction. Safe to call often and from several processes. Returns the versions alerted now.
 */
export async function queueChangeAlerts(rt: Scope): Promise<{ version: string; recipients: number }[]> {
  const now = rt.now();
  return transaction(rt.db, async (tx) => {
    const alerted = await listAlertedVersionIds(tx);
    // Highest number first; numbers and effective times rise together.
    const effective = (await listPublishedVersions(tx)).filter(
      (v) => (v.effectiveAt?.getTime() ?? -Infinity) <= now.getTime(),
    );
    const done: { version: string; recipients: number }[] = [];
    for (const [i, version] of effective.entries()) {
      if (alerted.has(version.id) || !(await claimChangeAlert(tx, version.id, now))) continue;
      const previous = effective[i + 1];
      if (i !== 0 || !previous) continue; // superseded before its alert, or the very first version
      // Only version 1.0 has no known date, and it has no predecessor: `now` is never used in practice.
      const effectiveAt = version.effectiveAt ?? now;
      const subscribers = await listConfirmedSubscriptions(tx, effectiveAt);
      for (const subscriber of subscribers) {
        const link = unsubscribeUrl(rt, await issueUnsubscribeToken(tx, subscriber.id, now));
        const message = changeAlertEmail({
          orgName: rt.config.org.name,
          version: version.version,
          previousVersion: previous.version,
          changeSummary: version.changeSummary,
          effectiveOn: formatDateTime(effectiveAt),
          versionUrl: `${rt.config.publicUrl}/principles/${version.version}`,
          compareUrl: `${rt.config.publicUrl}/principles/compare/${previous.version}...${version.version}`,
          unsubscribeUrl: link,
        });
        await enqueueEmail(
          tx,
          {
            to: subscriber.email,
            kind: 'principles-changed',
            headers: unsubscribeHeaders(link),
            ...message,
            secrets: [link],
          },
          now,
        );
      }
      await setChangeAlertRecipients(tx, version.id, subscribers.length);
      done.push({ version: version.version, recipients: subscribers.length });
    }
    return done;
  });
}

/** How often the server checks for versions that have taken effect (and purges stale sign-ups). */
export const ALERT_CHECK_MS = 30_000;

/**
 * The periodic job started by scripts/start.ts. Errors are logged, never thrown into the timer.
 * `firstRun` settles when the check made at start has finished (it never rejects).
 */
export function startChangeAlertJob(
  rt: Runtime,
  everyMs = ALERT_CHECK_MS,
): { stop: () => void; firstRun: Promise<void> } {
  const run = async () => {
    try {
      await purgeUnconfirmed(rt);
      await queueChangeAlerts(rt);
    } catch (error) {
      console.error('Change alerts check failed:', error instanceof Error ? error.message : error);
    }
  };
  const firstRun = run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), firstRun };
}
