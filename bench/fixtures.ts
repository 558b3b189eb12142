/**
 * Data the scenarios need, written straight into a data folder's database: a signed-in reviewer
 * (a staff session, as src/lib/staff/sessions.ts makes after password and security code) and prepared
 * appeal journeys (as the journey's pages leave them, src/lib/appeals/journeys.ts), so a benchmark can
 * request a staff page or the final step of the appeal journey without going through the forms.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { saveJourneyData } from '../db/journeys.ts';
import { insertSession, insertStaff } from '../db/staff.ts';
import { transaction } from '../db/transactions.ts';
import type { Answers } from '../src/lib/appeals/journey.ts';
import { toDateParts } from '../src/lib/platform/dates.ts';
import { JOURNEY_COOKIE, JOURNEY_TTL_MS } from '../src/lib/appeals/journeys.ts';
import { SESSION_COOKIE } from '../src/lib/staff/sessions.ts';
import { newToken } from '../src/lib/staff/accounts.ts';
import { generateToken } from '../src/lib/platform/tokens.ts';
import { insertTestCase } from '../tests/support/cases.ts';

/** A reviewer with a signed-in session; returns the Cookie header value. */
export async function reviewerSessionCookie(
  db: Db,
  email = `bench-reviewer-${Date.now()}@example.org`,
): Promise<string> {
  const { token, hash } = newToken();
  await transaction(db, async (tx) => {
    const id = await insertStaff(tx, {
      email,
      name: 'Bench Reviewer',
      passwordHash: null,
      totpSecret: null,
      totpConfirmedAt: new Date(),
      roles: ['reviewer'],
    });
    await insertSession(tx, { idHash: hash, staffId: id, stage: 'signed-in', now: new Date(), ip: null });
  });
  return `${SESSION_COOKIE}=${token}`;
}

/** A day a week ago, as the no-reference journey stores it (inside the appeal window whenever the bench runs). */
export const RECENT_POST_DAY = (() => {
  const { day, month, year } = toDateParts(new Date(Date.now() - 7 * 24 * 60 * 60_000));
  return { day, month, year, date: `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` };
})();

/** A complete no-reference appeal journey, ready for "Check your answers". */
export function completeAnswers(i: number): Answers {
  return {
    route: 'post',
    post: { platform: 'facebook', action: 'hidden', handle: `@bench${i}`, ...RECENT_POST_DAY, postUrl: null },
    reason: 'I think my comment was within the rules: it asked a question about waiting times.',
    email: `bench${i}@example.org`,
    name: null,
    asking: { askingFor: 'self' },
    contactNeeds: { needs: [], address: null, phone: null, other: null },
  };
}

/** `count` journeys with the given answers; returns their Cookie header values. */
export async function prepareJourneys(
  db: Db,
  count: number,
  answers: (i: number) => Answers = completeAnswers,
): Promise<string[]> {
  const now = new Date();
  const expires = new Date(now.getTime() + JOURNEY_TTL_MS);
  const cookies: string[] = [];
  await transaction(db, async (tx) => {
    for (let i = 0; i < count; i++) {
      const id = generateToken();
      await saveJourneyData(
        tx,
        createHash('sha256').update(id, 'utf8').digest('hex'),
        answers(i) as Record<string, unknown>,
        now,
        expires,
      );
      cookies.push(`${JOURNEY_COOKIE}=${id}`);
    }
  });
  return cookies;
}

/** Each step of the appeal journey with the Cookie header giving it the state it needs (undefined: none). */
export async function appealStepJourneys(db: Db): Promise<[string, string | undefined][]> {
  // A case recorded yesterday (within the appeal window, no appeal yet) for the case route.
  const { reference } = await insertTestCase(db, { actionAt: new Date(Date.now() - 86_400_000) });
  const [complete] = await prepareJourneys(db, 1);
  const [viaCase] = await prepareJourneys(db, 1, () => ({ route: 'case', caseReference: reference }));
  const [sent] = await prepareJourneys(db, 1, () => ({
    sent: { reference: 'AP-BENCH-1', dueAt: Date.now() + 14 * 86_400_000, email: 'bench@example.org' },
  }));
  return [
    ['/appeal', undefined],
    ['/appeal/case-reference', undefined],
    ['/appeal/what-we-did', viaCase],
    ['/appeal/platform', complete],
    ['/appeal/account', complete],
    ['/appeal/post-date', complete],
    ['/appeal/post-link', complete],
    ['/appeal/reason', complete],
    ['/appeal/contact', complete],
    ['/appeal/who-is-asking', complete],
    ['/appeal/contact-needs', complete],
    ['/appeal/check-answers', complete],
    ['/appeal/confirmation', sent],
  ];
}
