/**
 * "Get my status link again" (/appeal/find): a person who lost their private status link gives
 * their appeal reference and email address; if both match an appeal, a new link is emailed to
 * that address. The answer on screen is the same either way, and both ways do the same work, so
 * nobody can learn from the page (or its timing) whether an appeal exists (decision 024).
 */
import { findAppealByReferenceAndEmail } from '../../../db/appeals.ts';
import { enqueueAndDiscard } from '../../../db/outbox.ts';
import { queueAppellantEmail, statusLinkParagraph, statusUrl } from './appeals.ts';
import { notificationEmail } from '../email/index.ts';
import {
  type FormValues,
  caseLookupLimit,
  hitRateLimit,
  hitRateLimitKey,
  tooManyMessage,
  type RateLimit,
  characterLength,
  emailAddress,
  generateToken,
  inTransaction,
  type Runtime,
} from '../platform/index.ts';
import { DATA_LENGTH, parseReference } from '../cases/index.ts';

export const FIND_PATH = '/appeal/find';
export const FIND_SENT_PATH = '/appeal/find/sent';

export const FIND_MESSAGES = {
  empty: 'Enter your appeal reference',
  'invalid-character': 'Appeal reference must only include letters, numbers, spaces and hyphens',
  'wrong-length': `Appeal reference must be ${DATA_LENGTH + 1} letters and numbers, like 7K3M-Q9TX-2MC`,
  'check-failed':
    'Check your appeal reference. One of the characters looks mistyped: compare it with the email we sent you',
  'too-many': 'You have asked for too many status links',
} as const;

/**
 * The same budget as case-reference lookups (CASE_LOOKUPS_PER_10_MINUTES), counted apart: both
 * are lookups by reference, generous for a person with typos and useless for guessing.
 */
export function statusLinkRequestLimit(config: { caseLookupsPer10Minutes: number }): RateLimit {
  return { ...caseLookupLimit(config), name: 'status-link-request' };
}

/**
 * New links emailed for one appeal in an hour, whoever asks: enough for a person who asks twice,
 * too few to flood the appellant's inbox from many connections.
 */
export const LINKS_PER_APPEAL_PER_HOUR = 3;

export type StatusLinkRequestResult =
  { ok: true } | { ok: false; status: 400 | 429; errors: Record<string, string>; retryAfterSeconds?: number };

const EMAIL_KIND = 'appeal-status-link' as const;

function linkEmail(rt: Runtime, reference: string, link: string) {
  return notificationEmail({
    orgName: rt.config.org.name,
    subject: `Your status link for appeal ${reference}`,
    heading: 'Your status link',
    paragraphs: [
      `Someone asked for a new status link for your appeal ${reference}. Use the link below to check your appeal, add information or withdraw it.`,
      'If you did not ask for this, you can ignore this email. Nobody can see your appeal without a link, and the links in our other emails still work.',
      statusLinkParagraph(rt),
      `The ${rt.config.org.name} social media team`,
    ],
    link: { text: 'See your appeal', url: link },
  });
}

/**
 * Checks the form (field errors first, then the per-client limit) and, when the reference and
 * email address (any case) match an appeal whose details are kept, emails it a new status link.
 * `{ ok: true }` says nothing about whether an appeal was found.
 */
export async function requestStatusLink(
  rt: Runtime,
  values: FormValues,
  client: string,
): Promise<StatusLinkRequestResult> {
  const typed = typeof values['reference'] === 'string' ? values['reference'] : '';
  const errors: Record<string, string> = {};
  const parsed = characterLength(typed) > 100 ? ({ ok: false, error: 'wrong-length' } as const) : parseReference(typed);
  if (!parsed.ok) errors['reference'] = FIND_MESSAGES[parsed.error];
  const email = emailAddress.safeParse(values['email'] ?? '');
  if (!email.success) errors['email'] = email.error.issues[0]?.message ?? 'Enter your email address';
  if (!parsed.ok || !email.success) return { ok: false, status: 400, errors };

  const limit = await hitRateLimit(rt, statusLinkRequestLimit(rt.config), client);
  if (!limit.ok)
    return {
      ok: false,
      status: 429,
      errors: { reference: tooManyMessage(FIND_MESSAGES['too-many'], limit.retryAfterSeconds) },
      retryAfterSeconds: limit.retryAfterSeconds,
    };

  const now = rt.now();
  await inTransaction(rt, async (scope) => {
    const tx = scope.db;
    const found = await findAppealByReferenceAndEmail(tx, parsed.reference, email.data);
    const row = found && !found.purgedAt ? found : undefined;
    // Counted for every request (on a key no appeal has when none matched): the same work either way.
    const perAppeal = await hitRateLimitKey(
      scope,
      { name: 'status-link-sent', max: LINKS_PER_APPEAL_PER_HOUR, windowMs: 60 * 60_000 },
      `appeal-${row?.id ?? 0}`,
    );
    if (row && perAppeal.ok) {
      await queueAppellantEmail(rt, tx, row, EMAIL_KIND, (link) => linkEmail(rt, row.reference, link), now);
      return;
    }
    // No match (or this appeal's hourly share used up): the same email is built and written,
    // then rolled back, so the answer takes as long either way.
    const link = statusUrl(rt.config.publicUrl, generateToken());
    await enqueueAndDiscard(
      tx,
      { to: email.data, ...linkEmail(rt, parsed.reference, link), kind: EMAIL_KIND, secrets: [link] },
      now,
    );
  });
  return { ok: true };
}
