/**
 * Feedback on the service, in the GOV.UK feedback pattern: "Overall, how did you feel about the
 * service you received today?" on a 5-point scale and an optional comment. Nothing personal is
 * asked for, no cookie is set, and sending is limited per client like the other public forms
 * (FEEDBACK_PER_HOUR). The transparency report publishes the ratings per quarter with the same
 * small-number rules as every other figure; comments are never published.
 */
import { countFeedbackRatings, insertFeedback } from '../../../db/feedback.ts';
import { FEEDBACK_FROM, FEEDBACK_RATINGS } from '../../../db/schema.ts';
import { type Runtime, hitRateLimit, type RateLimit, cleanText } from '../platform/index.ts';
import { suppress, monthIndexOf, quarterPeriod, type FigureTable } from '../transparency/index.ts';

export type Rating = (typeof FEEDBACK_RATINGS)[number];

/** The five answers, best first, worded as GOV.UK's feedback page words them. */
export const RATING_LABELS: Record<Rating, string> = {
  'very-satisfied': 'Very satisfied',
  satisfied: 'Satisfied',
  neither: 'Neither satisfied nor dissatisfied',
  dissatisfied: 'Dissatisfied',
  'very-dissatisfied': 'Very dissatisfied',
};

/** A comment is a few sentences; 1,200 characters is GOV.UK's feedback limit. */
export const FEEDBACK_COMMENT_MAX = 1200;

export const FEEDBACK_MESSAGES = {
  rating: 'Select how you feel about the service',
  commentTooLong: `Your comments must be ${FEEDBACK_COMMENT_MAX.toLocaleString('en-GB')} characters or fewer`,
} as const;

export function feedbackLimit(config: { feedbackPerHour: number }): RateLimit {
  return { name: 'feedback', max: config.feedbackPerHour, windowMs: 60 * 60_000 };
}

/** Which page sent the person here (?from=), when it is one we link from. */
export function feedbackFrom(value: string | null | undefined): (typeof FEEDBACK_FROM)[number] | null {
  return (FEEDBACK_FROM as readonly string[]).includes(value ?? '') ? (value as (typeof FEEDBACK_FROM)[number]) : null;
}

export type FeedbackResult =
  | { ok: true }
  | { ok: false; error: 'invalid'; fieldErrors: Record<string, string> }
  | { ok: false; error: 'rate-limited'; retryAfterSeconds: number };

/** Checks and stores one piece of feedback; the client's address is used only for the limit. */
export async function giveFeedback(
  rt: Runtime,
  input: {
    rating?: string | undefined;
    comment?: string | undefined;
    from?: string | null | undefined;
    client: string;
  },
): Promise<FeedbackResult> {
  const fieldErrors: Record<string, string> = {};
  const rating = input.rating ?? '';
  const comment = cleanText(input.comment ?? '');
  if (!(FEEDBACK_RATINGS as readonly string[]).includes(rating)) fieldErrors.rating = FEEDBACK_MESSAGES.rating;
  if ([...comment].length > FEEDBACK_COMMENT_MAX) fieldErrors.comment = FEEDBACK_MESSAGES.commentTooLong;
  if (Object.keys(fieldErrors).length > 0) return { ok: false, error: 'invalid', fieldErrors };
  const limited = await hitRateLimit(rt, feedbackLimit(rt.config), input.client);
  if (!limited.ok) return { ok: false, error: 'rate-limited', retryAfterSeconds: limited.retryAfterSeconds };
  await insertFeedback(rt.db, {
    rating: rating as Rating,
    comment: comment || null,
    fromPage: feedbackFrom(input.from),
    givenAt: rt.now(),
  });
  return { ok: true };
}

/**
 * Satisfaction per quarter for the last four complete quarters, as a figure table: each rating a
 * category adding up to the quarter's total, suppressed like every other breakdown (1 to 4 as
 * "<5", and a second figure withheld where a small one could be worked out).
 */
export async function satisfactionTable(rt: Runtime): Promise<FigureTable> {
  const currentQuarter = Math.floor(monthIndexOf(rt.now()) / 3);
  const periods = [4, 3, 2, 1].map((back) => quarterPeriod(currentQuarter - back));
  const counted = [];
  for (const period of periods)
    counted.push({ period, counts: await countFeedbackRatings(rt.db, new Date(period.start), new Date(period.end)) });
  return {
    id: 'satisfaction',
    title: 'How people felt about this service',
    unit: 'feedback answers',
    categories: FEEDBACK_RATINGS.map((code) => ({ code, label: RATING_LABELS[code] })),
    totalLabel: 'All answers',
    rows: counted.map(({ period, counts }) => {
      const values = new Map<string, number>(FEEDBACK_RATINGS.map((r) => [r, counts.get(r) ?? 0]));
      values.set(
        'total',
        [...values.values()].reduce((a, b) => a + b, 0),
      );
      const shown = suppress(values, [{ parts: [...FEEDBACK_RATINGS], total: 'total' }]);
      return { period, cells: FEEDBACK_RATINGS.map((r) => shown.get(r)!), total: shown.get('total')! };
    }),
  };
}
