/**
 * Queries for change-alert subscriptions, their unsubscribe tokens, the subscribe rate limit and
 * the record of queued alerts. Only this file touches those tables.
 */
import { and, count, eq, gt, isNotNull, isNull, lt, lte } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { tablesOf } from './dialect/index.ts';
import type { subscriptions } from './schema.ts';

export type SubscriptionRow = typeof subscriptions.$inferSelect;

export async function findSubscriptionByEmail(db: DbOrTx, email: string): Promise<SubscriptionRow | undefined> {
  const { subscriptions } = tablesOf(db);
  const [row] = await db.select().from(subscriptions).where(eq(subscriptions.email, email)).limit(1);
  return row;
}

export async function findSubscriptionByConfirmHash(
  db: DbOrTx,
  confirmTokenHash: string,
): Promise<SubscriptionRow | undefined> {
  const { subscriptions } = tablesOf(db);
  const [row] = await db
    .select()
    .from(subscriptions)
    .where(eq(subscriptions.confirmTokenHash, confirmTokenHash))
    .limit(1);
  return row;
}

/** The subscription an unsubscribe token belongs to. */
export async function findSubscriptionByUnsubscribeHash(
  db: DbOrTx,
  tokenHash: string,
): Promise<SubscriptionRow | undefined> {
  const { subscriptions, unsubscribeTokens } = tablesOf(db);
  const [row] = await db
    .select({ subscription: subscriptions })
    .from(unsubscribeTokens)
    .innerJoin(subscriptions, eq(subscriptions.id, unsubscribeTokens.subscriptionId))
    .where(eq(unsubscribeTokens.tokenHash, tokenHash))
    .limit(1);
  return row?.subscription;
}

/** Inserts an unconfirmed address; returns its id. */
export async function insertSubscription(
  db: DbOrTx,
  values: { email: string; confirmTokenHash: string; now: Date },
): Promise<number> {
  const { subscriptions } = tablesOf(db);
  const [row] = await db
    .insert(subscriptions)
    .values({ email: values.email, confirmTokenHash: values.confirmTokenHash, createdAt: values.now })
    .returning({ id: subscriptions.id });
  return row!.id;
}

/** A fresh confirmation token for an unconfirmed address; its 7 days start again. */
export async function renewConfirmToken(db: DbOrTx, id: number, confirmTokenHash: string, now: Date): Promise<void> {
  const { subscriptions } = tablesOf(db);
  await db
    .update(subscriptions)
    .set({ confirmTokenHash, createdAt: now })
    .where(and(eq(subscriptions.id, id), isNull(subscriptions.confirmedAt)));
}

/** Marks an address confirmed and spends its confirmation token. False if it was not waiting. */
export async function markConfirmed(db: DbOrTx, id: number, now: Date): Promise<boolean> {
  const { subscriptions } = tablesOf(db);
  const done = await db
    .update(subscriptions)
    .set({ confirmedAt: now, confirmTokenHash: null })
    .where(and(eq(subscriptions.id, id), isNull(subscriptions.confirmedAt)))
    .returning({ id: subscriptions.id });
  return done.length === 1;
}

export async function insertUnsubscribeToken(
  db: DbOrTx,
  subscriptionId: number,
  tokenHash: string,
  now: Date,
): Promise<void> {
  const { unsubscribeTokens } = tablesOf(db);
  await db.insert(unsubscribeTokens).values({ tokenHash, subscriptionId, createdAt: now });
}

/** Deletes an address and its tokens. */
export async function deleteSubscription(db: DbOrTx, id: number): Promise<void> {
  const { subscriptions, unsubscribeTokens } = tablesOf(db);
  await db.delete(unsubscribeTokens).where(eq(unsubscribeTokens.subscriptionId, id));
  await db.delete(subscriptions).where(eq(subscriptions.id, id));
}

/** Deletes addresses never confirmed and created before `before`; returns how many. */
export async function deleteUnconfirmedBefore(db: DbOrTx, before: Date): Promise<number> {
  const { subscriptions } = tablesOf(db);
  const stale = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(isNull(subscriptions.confirmedAt), lt(subscriptions.createdAt, before)));
  for (const { id } of stale) await deleteSubscription(db, id);
  return stale.length;
}

/** Confirmed addresses, confirmed at or before `at` (so nobody is told of a change from before they joined). */
export async function listConfirmedSubscriptions(db: DbOrTx, at: Date): Promise<{ id: number; email: string }[]> {
  const { subscriptions } = tablesOf(db);
  return db
    .select({ id: subscriptions.id, email: subscriptions.email })
    .from(subscriptions)
    .where(and(isNotNull(subscriptions.confirmedAt), lte(subscriptions.confirmedAt, at)))
    .orderBy(subscriptions.id);
}

export async function insertSubscribeAttempt(db: DbOrTx, clientHash: string, at: Date): Promise<void> {
  const { subscribeAttempts } = tablesOf(db);
  await db.insert(subscribeAttempts).values({ clientHash, at, createdAt: at });
}

export async function countSubscribeAttempts(db: DbOrTx, clientHash: string, since: Date): Promise<number> {
  const { subscribeAttempts } = tablesOf(db);
  const [row] = await db
    .select({ n: count() })
    .from(subscribeAttempts)
    .where(and(eq(subscribeAttempts.clientHash, clientHash), gt(subscribeAttempts.at, since)));
  return row?.n ?? 0;
}

export async function deleteSubscribeAttemptsBefore(db: DbOrTx, before: Date): Promise<void> {
  const { subscribeAttempts } = tablesOf(db);
  await db.delete(subscribeAttempts).where(lt(subscribeAttempts.at, before));
}

/** Records that a version's alert was queued. False if it already was (so callers queue nothing). */
export async function claimChangeAlert(db: DbOrTx, versionId: number, now: Date): Promise<boolean> {
  const { changeAlerts } = tablesOf(db);
  const inserted = await db
    .insert(changeAlerts)
    .values({ versionId, queuedAt: now, recipients: 0, createdAt: now })
    .onConflictDoNothing()
    .returning({ versionId: changeAlerts.versionId });
  return inserted.length === 1;
}

export async function setChangeAlertRecipients(db: DbOrTx, versionId: number, recipients: number): Promise<void> {
  const { changeAlerts } = tablesOf(db);
  await db.update(changeAlerts).set({ recipients }).where(eq(changeAlerts.versionId, versionId));
}

/** Ids of versions whose alert has been queued (or skipped). */
export async function listAlertedVersionIds(db: DbOrTx): Promise<Set<number>> {
  const { changeAlerts } = tablesOf(db);
  const rows = await db.select({ id: changeAlerts.versionId }).from(changeAlerts);
  return new Set(rows.map((r) => r.id));
}
