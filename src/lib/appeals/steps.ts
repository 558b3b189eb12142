/**
 * The one-question pages of the appeal journey, as a table: when each may be shown, what it shows
 * before anything is posted, and how an answer is checked. `runStep` does what every such page
 * does (read the journey, guard, on POST check → save → redirect, or errors with 400/429), so
 * the pages only render their fields (src/components/QuestionPage.astro).
 */
import {
  firstMissingStep,
  postStepReady,
  STEPS,
  subjectOf,
  backLink,
  submitAccount,
  submitCaseReference,
  submitCheckEmail,
  submitContact,
  submitContactNeeds,
  submitWhoIsAsking,
  laterStepRedirect,
  submitPlatform,
  submitPostDate,
  submitPostLink,
  submitReason,
  submitWhatHappened,
  type Answers,
  type StepPath,
  type StepResult,
} from './journey.ts';
import {
  type DatePart,
  readFormValues,
  type FormValues,
  clientAddressOf,
  clientIp,
  isHttps,
  type Runtime,
} from '../platform/index.ts';
import { continueUrl, readJourney, writeJourney, type CookieJar } from './journeys.ts';

export interface StepDefinition {
  path: StepPath;
  /** Where to send someone who cannot answer this question yet (undefined: they can). */
  notReady: (a: Answers) => string | undefined;
  /** What the fields show before anything is posted: the saved answer (or `?ref=` for a reference). */
  initial: (a: Answers, url: URL) => FormValues;
  /** Checks the posted answer; `client` is the caller's address, for rate limits. */
  submit: (
    rt: Runtime,
    a: Answers,
    values: FormValues,
    changing: boolean,
    client: string,
  ) => StepResult | Promise<StepResult>;
  /** Fields that may be sent more than once (checkboxes). */
  multi?: readonly string[];
}

const postQuestion = (path: StepPath) => (a: Answers) =>
  postStepReady(path, a) ? undefined : (firstMissingStep(a) ?? STEPS.platform);
const afterSubject = (a: Answers) => (subjectOf(a) ? undefined : (firstMissingStep(a) ?? STEPS.caseReference));

export const APPEAL_STEPS = {
  caseReference: {
    path: STEPS.caseReference,
    notReady: () => undefined,
    initial: (a, url) => ({
      'case-reference': (url.searchParams.get('ref') ?? '').slice(0, 100) || a.caseReference || '',
    }),
    submit: (rt, a, values, changing, client) => submitCaseReference(rt, a, values, client, changing),
  },
  platform: {
    path: STEPS.platform,
    notReady: () => undefined,
    initial: (a) => ({ platform: (a.route === 'post' && a.post?.platform) || '' }),
    submit: (_rt, a, values, changing) => submitPlatform(a, values, changing),
  },
  whatHappened: {
    path: STEPS.whatHappened,
    notReady: postQuestion(STEPS.whatHappened),
    initial: (a) => ({ action: (a.route === 'post' && a.post?.action) || '' }),
    submit: (_rt, a, values, changing) => submitWhatHappened(a, values, changing),
  },
  account: {
    path: STEPS.account,
    notReady: postQuestion(STEPS.account),
    initial: (a) => ({ handle: a.post?.handle ?? '' }),
    submit: (_rt, a, values, changing) => submitAccount(a, values, changing),
  },
  postDate: {
    path: STEPS.postDate,
    notReady: postQuestion(STEPS.postDate),
    initial: (a) => ({
      'post-date-day': a.post?.day ?? '',
      'post-date-month': a.post?.month ?? '',
      'post-date-year': a.post?.year ?? '',
    }),
    submit: (rt, a, values, changing) => submitPostDate(rt, a, values, changing),
  },
  postLink: {
    path: STEPS.postLink,
    notReady: postQuestion(STEPS.postLink),
    initial: (a) => ({ 'post-url': a.post?.postUrl ?? '' }),
    submit: (_rt, a, values, changing) => submitPostLink(a, values, changing),
  },
  reason: {
    path: STEPS.reason,
    notReady: afterSubject,
    initial: (a) => ({ reason: a.reason ?? '' }),
    submit: (_rt, a, values, changing) => submitReason(a, values, changing),
  },
  contact: {
    path: STEPS.contact,
    notReady: afterSubject,
    initial: (a) => ({ email: a.email ?? '', name: a.name ?? '' }),
    submit: (_rt, a, values, changing) => submitContact(a, values, changing),
  },
  checkEmail: {
    path: STEPS.checkEmail,
    // Only while a suggestion waits for an answer; otherwise wherever the journey is.
    notReady: (a) => afterSubject(a) ?? (a.emailSuggestion ? undefined : (firstMissingStep(a) ?? STEPS.checkAnswers)),
    initial: () => ({}),
    submit: (_rt, a, values, changing) => submitCheckEmail(a, values, changing),
  },
  whoIsAsking: {
    path: STEPS.whoIsAsking,
    notReady: (a) => laterStepRedirect(STEPS.whoIsAsking, a),
    initial: (a): FormValues =>
      a.asking?.askingFor === 'someone-else'
        ? {
            'asking-for': 'someone-else',
            relationship: a.asking.relationship,
            'person-name': a.asking.name ?? '',
            consent: 'yes',
          }
        : { 'asking-for': a.asking?.askingFor ?? '' },
    submit: (_rt, a, values, changing) => submitWhoIsAsking(a, values, changing),
  },
  contactNeeds: {
    path: STEPS.contactNeeds,
    notReady: (a) => laterStepRedirect(STEPS.contactNeeds, a),
    initial: (a): FormValues => {
      const n = a.contactNeeds;
      if (!n) return {};
      return {
        'needs-any': n.needs.length ? 'yes' : 'no',
        needs: n.needs,
        address: n.address ?? '',
        phone: n.phone ?? '',
        'other-need': n.other ?? '',
      };
    },
    submit: (_rt, a, values, changing) => submitContactNeeds(a, values, changing),
    multi: ['needs'],
  },
} satisfies Record<string, StepDefinition>;

/** The parts of an Astro page context a step needs (structural, so no astro import here). */
export interface StepContext {
  url: URL;
  request: Request;
  cookies: CookieJar;
  clientAddress: string;
}

export type StepOutcome =
  | { kind: 'redirect'; to: string }
  | {
      kind: 'page';
      answers: Answers;
      values: FormValues;
      errors: Record<string, string> | undefined;
      status: 200 | 400 | 429;
      /** With 429: how long until the limit lets them try again (the Retry-After header). */
      retryAfterSeconds?: number;
      /** Where the Back link goes. */
      back: string;
      /** For a date question: which of its fields to mark as wrong. */
      dateParts?: DatePart[];
    };

/** Runs one question page: guard, then show it, or take its answer and move on. */
export async function runStep(rt: Runtime, context: StepContext, step: StepDefinition): Promise<StepOutcome> {
  const changing = context.url.searchParams.get('change') === '1';
  const secure = isHttps(context.request, rt.config);
  const answers = await readJourney<Answers>(rt, context.cookies, secure);
  const redirect = step.notReady(answers);
  if (redirect) return { kind: 'redirect', to: redirect };
  const back = backLink(step.path, answers, changing);
  if (context.request.method !== 'POST')
    return { kind: 'page', answers, values: step.initial(answers, context.url), errors: undefined, status: 200, back };
  const values = await readFormValues(context.request, step.multi);
  // Without a known address every such request shares one budget, which errs on the safe side.
  const client = clientIp(context.request, clientAddressOf(context), rt.config) ?? 'unknown';
  const result = await step.submit(rt, answers, values, changing, client);
  if (result.ok) {
    const started = await writeJourney(rt, context.cookies, result.answers, secure);
    return { kind: 'redirect', to: continueUrl(result.next, started) };
  }
  return {
    kind: 'page',
    answers,
    values,
    errors: result.errors,
    status: result.status,
    retryAfterSeconds: result.retryAfterSeconds,
    back,
    dateParts: result.dateParts,
  };
}
