/**
 * Queries for change-alert subscriptions, their unsubscribe tokens, the subscribe rate limit and
 * the record of queued alerts. Only this file touches those tables.
 */
import { and, count, eq, gt, isNotNull, isNull, lt, lte } from 'drizzle-orm';
import type { DbOrTx } from './client.ts';
import { changeAlerts, subscribeAttempts, subscriptions, unsubscribeTokens } from './schema.ts';

export type SubscriptionRow = typeof subscriptions.$inferSelect;

export function findSubscriptionByEmail(db: DbOrTx, email: string): SubscriptionRow | undefined {
  return db.select().from(subscriptions).where(eq(subscriptions.email, email)).get();
}

export function findSubscriptionByConfirmHash(db: DbOrTx, confirmTokenHash: string): SubscriptionRow | undefined {
  return db.select().from(subscriptions).where(eq(subscriptions.confirmTokenHash, confirmTokenHash)).get();
}

/** The subscription an unsubscribe token belongs to. */
export function findSubscriptionByUnsubscribeHash(db: DbOrTx, tokenHash: string): SubscriptionRow | undefined {
  const row = db
    .select({ subscription: subscriptions })
    .from(unsubscribeTokens)
    .innerJoin(subscriptions, eq(subscriptions.id, unsubscribeTokens.subscriptionId))
    .where(eq(unsubscribeTokens.tokenHash, tokenHash))
    .get();
  return row?.subscription;
}

/** Inserts an unconfirmed address; returns its id. */
export function insertSubscription(db: DbOrTx, values: { email: string; confirmTokenHash: string; now: Date }): number {
  return db
    .insert(subscriptions)
    .values({ email: values.email, confirmTokenHash: values.confirmTokenHash, createdAt: values.now })
    .returning({ id: subscriptions.id })
    .get().id;
}

/** A fresh confirmation token for an unconfirmed address; its 7 days start again. */
export function renewConfirmToken(db: DbOrTx, id: number, confirmTokenHash: string, now: Date): void {
  db.update(subscriptions)
    .set({ confirmTokenHash, createdAt: now })
    .where(and(eq(subscriptions.id, id), isNull(subscriptions.confirmedAt)))
    .run();
}

/** Marks an address confirmed and spends its confirmation token. False if it was not waiting. */
export function markConfirmed(db: DbOrTx, id: number, now: Date): boolean {
  const done = db
    .update(subscriptions)
    .set({ confirmedAt: now, confirmTokenHash: null })
    .where(and(eq(subscriptions.id, id), isNull(subscriptions.confirmedAt)))
    .run();
  return done.changes === 1;
}

export function insertUnsubscribeToken(db: DbOrTx, subscriptionId: number, tokenHash: string, now: Date): void {
  db.insert(unsubscribeTokens).values({ tokenHash, subscriptionId, createdAt: now }).run();
}

/** Deletes an address and its tokens. */
export function deleteSubscription(db: DbOrTx, id: number): void {
  db.delete(unsubscribeTokens).where(eq(unsubscribeTokens.subscriptionId, id)).run();
  db.delete(subscriptions).where(eq(subscriptions.id, id)).run();
}

/** Deletes addresses never confirmed and created before `before`; returns how many. */
export function deleteUnconfirmedBefore(db: DbOrTx, before: Date): number {
  const stale = db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(isNull(subscriptions.confirmedAt), lt(subscriptions.createdAt, before)))
    .all();
  for (const { id } of stale) deleteSubscription(db, id);
  return stale.length;
}

/** Confirmed addresses, confirmed at or before `at` (so nobody is told of a change from before they joined). */
export function listConfirmedSubscriptions(db: DbOrTx, at: Date): { id: number; email: string }[] {
  return db
    .select({ id: subscriptions.id, email: subscriptions.email })
    .from(subscriptions)
    .where(and(isNotNull(subscriptions.confirmedAt), lte(subscriptions.confirmedAt, at)))
    .orderBy(subscriptions.id)
    .all();
}

export function insertSubscribeAttempt(db: DbOrTx, clientHash: string, at: Date): void {
  db.insert(subscribeAttempts).values({ clientHash, at, createdAt: at }).run();
}

export function countSubscribeAttempts(db: DbOrTx, clientHash: string, since: Date): number {
  return (
    db
      .select({ n: count() })
      .from(subscribeAttempts)
      .where(and(eq(subscribeAttempts.clientHash, clientHash), gt(subscribeAttempts.at, since)))
      .get()?.n ?? 0
  );
}

export function deleteSubscribeAttemptsBefore(db: DbOrTx, before: Date): void {
  db.delete(subscribeAttempts).where(lt(subscribeAttempts.at, before)).run();
}

/** Records that a version's alert was queued. False if it already was (so callers queue nothing). */
export function claimChangeAlert(db: DbOrTx, versionId: number, now: Date): boolean {
  const inserted = db
    .insert(changeAlerts)
    .values({ versionId, queuedAt: now, recipients: 0, createdAt: now })
    .onConflictDoNothing()
    .run();
  return inserted.changes === 1;
}

export function setChangeAlertRecipients(db: DbOrTx, versionId: number, recipients: number): void {
  db.update(changeAlerts).set({ recipients }).where(eq(changeAlerts.versionId, versionId)).run();
}

/** Ids of versions whose alert has been queued (or skipped). */
export function listAlertedVersionIds(db: DbOrTx): Set<number> {
  return new Set(
    db
      .select({ id: changeAlerts.versionId })
      .from(changeAlerts)
      .all()
      .map((r) => r.id),
  );
}
