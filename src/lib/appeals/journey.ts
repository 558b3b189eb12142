/**
 * The public appeal journey, one question a page: which step comes next, what each step accepts,
 * and what it says when something is wrong. Pages call these and render; answers are kept
 * server-side between steps (src/lib/appeals/journeys.ts).
 */
import { z } from 'zod';
import { findCaseByReference, type CaseRecord, type Platform } from '../../../db/cases.ts';
import { CLAIMED_ACTIONS, PLATFORMS, ASKING_FOR, CONTACT_NEEDS, RELATIONSHIPS } from '../../../db/schema.ts';
import {
  checkCaseEligibility,
  checkClaimedDate,
  createAppeal,
  type AppealSubject,
  type ClaimedAction,
  type ContactNeed,
  type ContactNeeds,
  type WhoIsAsking,
} from './appeals.ts';
import {
  fromDateParts,
  readDateInput,
  type DatePart,
  type DateInputProblem,
  joinWithAnd,
  validateForm,
  type FormValues,
  caseLookupLimit,
  hitRateLimit,
  tooManyMessage,
  characterLength,
  cleanText,
  emailAddress,
  isWebLink,
  withWebScheme,
  LIMITS,
  oneLineMessage,
  optionalLine,
  requiredLine,
  requiredText,
  type Runtime,
} from '../platform/index.ts';
import { DATA_LENGTH, parseReference } from '../cases/index.ts';
import { suggestEmail } from './email-suggestion.ts';

export const STEPS = {
  start: '/appeal',
  caseReference: '/appeal/case-reference',
  whatWeDid: '/appeal/what-we-did',
  platform: '/appeal/platform',
  whatHappened: '/appeal/what-happened',
  account: '/appeal/account',
  postDate: '/appeal/post-date',
  postLink: '/appeal/post-link',
  reason: '/appeal/reason',
  contact: '/appeal/contact',
  checkEmail: '/appeal/check-email',
  whoIsAsking: '/appeal/who-is-asking',
  contactNeeds: '/appeal/contact-needs',
  checkAnswers: '/appeal/check-answers',
  confirmation: '/appeal/confirmation',
  tooLate: '/appeal/too-late',
  alreadyOpen: '/appeal/already-open',
} as const;
export type StepPath = (typeof STEPS)[keyof typeof STEPS];

export interface PostDetails {
  platform: Platform;
  /** What they say we did (hidden, deleted, blocked, or not sure). */
  action: ClaimedAction;
  handle: string;
  day: string;
  month: string;
  year: string;
  /** ISO date (YYYY-MM-DD) in UK time. */
  date: string;
  postUrl: string | null;
}

/** Everything the journey remembers between pages. */
export interface AppealAnswers {
  route: 'case' | 'post';
  /** Canonical case reference, once found and open to appeal. */
  caseReference: string;
  /** Set when the case reference was found but cannot be appealed now. */
  blocked: { reason: 'outside-window'; windowClosedAt: number } | { reason: 'already-open' };
  /** No-reference path: filled in one question a page; `postUrl: null` means "no link". */
  post: Partial<PostDetails>;
  reason: string;
  email: string;
  name: string | null;
  /** A likely correction of `email` (email-suggestion.ts), waiting for them to take it or not. */
  emailSuggestion: string;
  /** An address they chose to keep over a suggestion: not questioned again. */
  emailKept: string;
  /** "Who is asking?": themselves, or someone else with the person's permission. */
  asking: WhoIsAsking;
  /** "Do you need us to contact you in a different way?" ([] for no). */
  contactNeeds: ContactNeeds;
  /** After sending: what the confirmation page shows. */
  sent: { reference: string; dueAt: number; email: string; contactNeeds?: ContactNeed[] };
}
export type Answers = Partial<AppealAnswers>;

export type StepResult =
  | { ok: true; answers: Answers; next: string }
  | {
      ok: false;
      status: 400 | 429;
      errors: Record<string, string>;
      values: FormValues;
      retryAfterSeconds?: number;
      /** For a date: the fields of it to mark as wrong (all of them when not given). */
      dateParts?: DatePart[];
    };

/** `?change=1` on a step means "then go back to check your answers". */
export function withChange(path: string, changing: boolean): string {
  return changing ? `${path}?change=1` : path;
}

export function subjectOf(a: Answers): AppealSubject | undefined {
  // A case that cannot be appealed (too late, or already open) is not something to appeal about.
  if (a.route === 'case' && a.caseReference && !a.blocked) return { kind: 'case', caseReference: a.caseReference };
  if (a.route === 'post' && a.post) {
    const { platform, action, handle, date, postUrl } = a.post;
    if (platform && action && handle && date && postUrl !== undefined)
      return { kind: 'post', platform, action, handle, date, postUrl };
  }
  return undefined;
}

/** The first unanswered question about the post (no-reference path). */
function firstMissingPostStep(a: Answers): StepPath {
  const post = a.post ?? {};
  if (a.route !== 'post' || !post.platform) return STEPS.platform;
  if (!post.action) return STEPS.whatHappened;
  if (!post.handle) return STEPS.account;
  if (!post.date) return STEPS.postDate;
  return STEPS.postLink;
}

/** Whether a no-reference question may be shown: the ones before it are answered. */
export function postStepReady(step: StepPath, a: Answers): boolean {
  const order: StepPath[] = [STEPS.platform, STEPS.whatHappened, STEPS.account, STEPS.postDate, STEPS.postLink];
  const missing = subjectOf(a) ? undefined : firstMissingPostStep(a);
  return missing === undefined || order.indexOf(step) <= order.indexOf(missing);
}

/** The first step still to answer, or undefined when the appeal can be checked and sent. */
export function firstMissingStep(a: Answers): StepPath | undefined {
  if (!subjectOf(a)) return a.route === 'post' ? firstMissingPostStep(a) : STEPS.caseReference;
  if (!a.reason) return STEPS.reason;
  if (!a.email) return STEPS.contact;
  if (a.emailSuggestion) return STEPS.checkEmail;
  if (!a.asking) return STEPS.whoIsAsking;
  if (!a.contactNeeds) return STEPS.contactNeeds;
  return undefined;
}

/** The questions after the subject, in order (for whether one of them may be shown yet). */
const LATER_STEPS: StepPath[] = [STEPS.reason, STEPS.contact, STEPS.checkEmail, STEPS.whoIsAsking, STEPS.contactNeeds];

/** Where to send someone who cannot answer `step` yet (an earlier question is unanswered), or undefined. */
export function laterStepRedirect(step: StepPath, a: Answers): StepPath | undefined {
  const missing = firstMissingStep(a);
  if (missing === undefined || missing === step) return undefined;
  return LATER_STEPS.indexOf(missing) < LATER_STEPS.indexOf(step) ? missing : undefined;
}

/** Where "Back" goes from each step. */
export function backLink(step: StepPath, a: Answers, changing: boolean): string {
  // Check answers would send them straight back here while the question is open.
  if (step === STEPS.checkEmail) return withChange(STEPS.contact, changing);
  if (changing) return STEPS.checkAnswers;
  switch (step) {
    case STEPS.caseReference:
      return STEPS.start;
    case STEPS.tooLate:
      return a.route === 'post' ? STEPS.postDate : STEPS.caseReference;
    case STEPS.whatWeDid:
    case STEPS.platform:
    case STEPS.alreadyOpen:
      return STEPS.caseReference;
    case STEPS.whatHappened:
      return STEPS.platform;
    case STEPS.account:
      return STEPS.whatHappened;
    case STEPS.postDate:
      return STEPS.account;
    case STEPS.postLink:
      return STEPS.postDate;
    case STEPS.reason:
      return a.route === 'post' ? STEPS.postLink : STEPS.whatWeDid;
    case STEPS.contact:
      return STEPS.reason;
    case STEPS.whoIsAsking:
      return STEPS.contact;
    case STEPS.contactNeeds:
      return STEPS.whoIsAsking;
    case STEPS.checkAnswers:
      return STEPS.contactNeeds;
    default:
      return STEPS.start;
  }
}

/** After a step is answered: the next step, or check your answers when changing an answer. */
function nextStep(after: StepPath, a: Answers, changing: boolean): string {
  if (changing && !firstMissingStep(a)) return STEPS.checkAnswers;
  switch (after) {
    case STEPS.platform:
      return STEPS.whatHappened;
    case STEPS.whatHappened:
      return STEPS.account;
    case STEPS.account:
      return STEPS.postDate;
    case STEPS.postDate:
      return STEPS.postLink;
    case STEPS.whatWeDid:
    case STEPS.postLink:
      return STEPS.reason;
    case STEPS.reason:
      return STEPS.contact;
    case STEPS.contact:
    case STEPS.checkEmail:
      return STEPS.whoIsAsking;
    case STEPS.whoIsAsking:
      return STEPS.contactNeeds;
    default:
      return STEPS.checkAnswers;
  }
}

/** What a reference looks like, for hints and messages. */
export const REFERENCE_EXAMPLE = '7K3M-Q9TX-2MC';

export const REFERENCE_MESSAGES = {
  empty: 'Enter your case reference',
  'invalid-character': 'Case reference must only include letters, numbers, spaces and hyphens',
  'wrong-length': `Case reference must be ${DATA_LENGTH + 1} letters and numbers, like ${REFERENCE_EXAMPLE}`,
  'check-failed':
    'Check your case reference. One of the characters looks mistyped: compare it with the message we sent you',
  // The same words whether the case never existed or its details have been deleted: no enumeration.
  'not-found':
    'We could not find a case with that reference. Check it matches our message, or continue without a case reference',
  'too-many': 'You have tried too many case references',
} as const;

/** The case-reference step's 429 message, with what is left of the 10-minute window. */
export function tooManyReferencesMessage(retryAfterSeconds: number): string {
  return tooManyMessage(REFERENCE_MESSAGES['too-many'], retryAfterSeconds);
}

/**
 * Case reference step. Typos are caught by the check character before any lookup; lookups are
 * rate-limited per client.
 */
export async function submitCaseReference(
  rt: Runtime,
  a: Answers,
  values: FormValues,
  client: string,
  changing: boolean,
): Promise<StepResult> {
  const typed = typeof values['case-reference'] === 'string' ? values['case-reference'] : '';
  const fail = (error: keyof typeof REFERENCE_MESSAGES, retryAfterSeconds?: number): StepResult => ({
    ok: false,
    status: retryAfterSeconds === undefined ? 400 : 429,
    errors: {
      'case-reference':
        retryAfterSeconds === undefined ? REFERENCE_MESSAGES[error] : tooManyReferencesMessage(retryAfterSeconds),
    },
    values,
    retryAfterSeconds,
  });
  if ([...typed].length > 100) return fail('wrong-length');
  const parsed = parseReference(typed);
  if (!parsed.ok) return fail(parsed.error);
  const limit = await hitRateLimit(rt, caseLookupLimit(rt.config), client);
  if (!limit.ok) return fail('too-many', limit.retryAfterSeconds);
  const found = await findCaseByReference(rt.db, parsed.reference);
  if (!found || found.purgedAt) return fail('not-found');
  const { blocked: _blocked, caseReference: _previous, post: _post, ...rest } = a;
  const answers: Answers = { ...rest, route: 'case', caseReference: found.reference };
  const eligible = await checkCaseEligibility(rt, found);
  if (!eligible.ok) {
    const blocked: AppealAnswers['blocked'] =
      eligible.error === 'outside-window'
        ? { reason: 'outside-window', windowClosedAt: eligible.windowClosedAt.getTime() }
        : { reason: 'already-open' };
    return {
      ok: true,
      answers: { ...answers, blocked },
      next: eligible.error === 'outside-window' ? STEPS.tooLate : STEPS.alreadyOpen,
    };
  }
  return { ok: true, answers, next: withChange(STEPS.whatWeDid, changing) };
}

/** The case the journey is about, if one was found and is open to appeal. */
export async function journeyCase(rt: Runtime, a: Answers): Promise<CaseRecord | undefined> {
  if (a.route !== 'case' || !a.caseReference || a.blocked) return undefined;
  const found = await findCaseByReference(rt.db, a.caseReference);
  return found && !found.purgedAt ? found : undefined;
}

export function continueFromWhatWeDid(a: Answers, changing: boolean): string {
  return nextStep(STEPS.whatWeDid, a, changing);
}

/** Saves one answer about the post, switching the journey to the no-reference path. */
function withPostAnswer(a: Answers, answer: Partial<PostDetails>): Answers {
  const { blocked: _blocked, caseReference: _case, ...rest } = a;
  return { ...rest, route: 'post', post: { ...(a.route === 'post' ? a.post : {}), ...answer } };
}

/**
 * A question answered through one schema: check the answer, save it, go to the next step (or
 * where `route` says, when it names a page other than the usual next one).
 */
function schemaStep<S extends z.ZodType>(
  schema: S,
  step: StepPath,
  save: (a: Answers, data: z.infer<S>) => Answers,
  route?: (a: Answers, changing: boolean) => string | undefined,
) {
  return (a: Answers, values: FormValues, changing: boolean): StepResult => {
    const form = validateForm(schema, values);
    if (!form.ok) return { ok: false, status: 400, errors: form.errors, values };
    const answers = save(a, form.data);
    return { ok: true, answers, next: route?.(answers, changing) ?? nextStep(step, answers, changing) };
  };
}

const PlatformSchema = z.object({ platform: z.enum(PLATFORMS, { error: 'Select where you posted' }) });

/** No-reference path, question 1: the platform. */
export const submitPlatform = schemaStep(PlatformSchema, STEPS.platform, (a, d) =>
  withPostAnswer(a, { platform: d.platform }),
);

const WhatHappenedSchema = z.object({
  action: z.enum(CLAIMED_ACTIONS, { error: 'Select what we did, or I’m not sure' }),
});

/** Question 2: what we did (hidden, deleted, blocked, or not sure), for staff finding the case. */
export const submitWhatHappened = schemaStep(WhatHappenedSchema, STEPS.whatHappened, (a, d) =>
  withPostAnswer(a, { action: d.action }),
);

const AccountSchema = z.object({
  handle: requiredLine(
    LIMITS.handle,
    'Enter your account name or handle',
    `Account name must be ${LIMITS.handle} characters or fewer`,
    oneLineMessage('Account name'),
  ),
});

/** Question 3: the account name or handle. */
export const submitAccount = schemaStep(AccountSchema, STEPS.account, (a, d) =>
  withPostAnswer(a, { handle: d.handle }),
);

export const POST_DATE_MESSAGES = {
  empty: 'Enter roughly when it happened',
  invalid: 'Date must be a real date',
  yearDigits: 'Year must include 4 numbers',
  future: 'The date must be today or in the past',
} as const;

/** The GOV.UK date input's messages: "Date must include a month", "Year must include 4 numbers"… */
export function postDateMessage(problem: DateInputProblem, fields: readonly DatePart[]): string {
  switch (problem) {
    case 'empty':
      return POST_DATE_MESSAGES.empty;
    case 'missing':
      return `Date must include a ${joinWithAnd([...fields])}`;
    case 'year-digits':
      return POST_DATE_MESSAGES.yearDigits;
    case 'not-real':
      return POST_DATE_MESSAGES.invalid;
  }
}

/**
 * Question 4: roughly when (a real date, not in the future). The month may be a number or a
 * name ("3 Nov 2026"); a mistake is named (a missing month, a 2-number year) and the summary
 * links to the first field with it. A date outside the appeal window goes to the too-late page,
 * like an expired case; the typed date is kept to show again, but not as an answer, so the later
 * steps cannot be reached with it.
 */
export function submitPostDate(rt: Runtime, a: Answers, values: FormValues, changing: boolean): StepResult {
  const part = (name: string) => (typeof values[name] === 'string' ? (values[name] as string).trim().slice(0, 20) : '');
  const read = readDateInput(part('post-date-day'), part('post-date-month'), part('post-date-year'));
  const fail = (message: string, fields: DatePart[]): StepResult => ({
    ok: false,
    status: 400,
    errors: { [`post-date-${fields[0] ?? 'day'}`]: message },
    values,
    dateParts: fields,
  });
  if (!read.ok) return fail(postDateMessage(read.problem, read.fields), read.fields);
  // Kept as numbers, so "Nov" and "11" are the same answer.
  const [day, month, year] = [String(read.day), String(read.month), String(read.year)];
  // Compared by UK calendar day: any time today is fine, tomorrow is not.
  if (fromDateParts(day, month, year, '00:00')!.getTime() > rt.now().getTime())
    return fail(POST_DATE_MESSAGES.future, ['day', 'month', 'year']);
  const eligible = checkClaimedDate(rt, read.date);
  if (!eligible.ok) {
    const kept = withPostAnswer(a, { day, month, year, date: undefined });
    return {
      ok: true,
      answers: { ...kept, blocked: { reason: 'outside-window', windowClosedAt: eligible.windowClosedAt.getTime() } },
      next: STEPS.tooLate,
    };
  }
  const iso = `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const answers = withPostAnswer(a, { day, month, year, date: iso });
  return { ok: true, answers, next: nextStep(STEPS.postDate, answers, changing) };
}

const LINK_TOO_LONG = `Link must be ${LIMITS.url.toLocaleString('en-GB')} characters or fewer`;
const PostLinkSchema = z.object({
  // Counted again once https:// is added, so a stored link is never over the limit.
  'post-url': optionalLine(LIMITS.url, LINK_TOO_LONG, oneLineMessage('Link'))
    .transform((v) => (v === null ? null : withWebScheme(v)))
    .refine((v) => v === null || characterLength(v) <= LIMITS.url, LINK_TOO_LONG)
    .refine((v) => v === null || isWebLink(v), 'Enter a link to the post that starts with https://, or leave it blank'),
});

/** Question 5 (optional): a link to the post; blank means they do not have one. */
export const submitPostLink = schemaStep(PostLinkSchema, STEPS.postLink, (a, d) =>
  withPostAnswer(a, { postUrl: d['post-url'] }),
);

export function submitReason(a: Answers, values: FormValues, changing: boolean): StepResult {
  const typed = typeof values['reason'] === 'string' ? values['reason'] : '';
  const reason = cleanText(typed);
  const max = LIMITS.appealReason;
  if (reason === '')
    return { ok: false, status: 400, errors: { reason: 'Enter why you disagree with our decision' }, values };
  const count = characterLength(reason);
  if (count > max) {
    const over = (count - max).toLocaleString('en-GB');
    return {
      ok: false,
      status: 400,
      errors: {
        reason: `Why you disagree must be ${max.toLocaleString('en-GB')} characters or fewer. You have ${over} ${count - max === 1 ? 'character' : 'characters'} too many`,
      },
      values,
    };
  }
  const answers: Answers = { ...a, reason };
  return { ok: true, answers, next: nextStep(STEPS.reason, answers, changing) };
}

const ContactSchema = z.object({
  email: emailAddress,
  name: optionalLine(LIMITS.name, `Name must be ${LIMITS.name} characters or fewer`, oneLineMessage('Name')),
});

/**
 * Contact details: a required email address and an optional name. An address whose domain looks
 * mistyped (gmial.con) is asked about next, unless it is one they already chose to keep.
 */
export const submitContact = schemaStep(
  ContactSchema,
  STEPS.contact,
  (a, d) => {
    const { emailSuggestion: _previous, ...rest } = a;
    const suggestion = d.email === a.emailKept ? undefined : suggestEmail(d.email);
    return { ...rest, email: d.email, name: d.name, ...(suggestion ? { emailSuggestion: suggestion } : {}) };
  },
  (a, changing) => (a.emailSuggestion ? withChange(STEPS.checkEmail, changing) : undefined),
);

/** The "Did you mean …?" question's error, naming both addresses. */
export function checkEmailMessage(suggestion: string): string {
  return `Select whether to use ${suggestion} or keep the email address you typed`;
}

/**
 * "Did you mean …?": take the suggested address, or keep the typed one (then never asked again
 * about it). Either way the question is closed and the journey goes on.
 */
export function submitCheckEmail(a: Answers, values: FormValues, changing: boolean): StepResult {
  const suggestion = a.emailSuggestion ?? '';
  const schema = z.object({ 'email-choice': z.enum(['suggested', 'typed'], { error: checkEmailMessage(suggestion) }) });
  return schemaStep(schema, STEPS.checkEmail, (answers, d) => {
    const { emailSuggestion: _s, emailKept: _k, ...rest } = answers;
    return d['email-choice'] === 'suggested'
      ? { ...rest, email: suggestion }
      : { ...rest, emailKept: answers.email ?? '' };
  })(a, values, changing);
}

export const WHO_IS_ASKING_MESSAGES = {
  choice: 'Select whether you are asking for yourself or for someone else',
  relationship: 'Select how you know the person you are asking for',
  consent: 'Confirm you have the person’s permission to ask for this on their behalf',
  nameTooLong: `Their name must be ${LIMITS.name} characters or fewer`,
} as const;

/** A refused answer: the errors next to their fields, and everything that was typed. */
function invalid(errors: Record<string, string>, values: FormValues): StepResult {
  return { ok: false, status: 400, errors, values };
}

const oneOf = <T extends string>(list: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (list as readonly string[]).includes(value);

const PersonNameSchema = z.object({
  'person-name': optionalLine(LIMITS.name, WHO_IS_ASKING_MESSAGES.nameTooLong, oneLineMessage('Their name')),
});

/**
 * "Are you asking for yourself or for someone else?" Someone else (a carer, an advocate, family)
 * needs how they know the person and a tick for the person's permission; the person's name is
 * optional, like the appellant's own. Answers for someone else are forgotten when "For myself"
 * is chosen.
 */
export function submitWhoIsAsking(a: Answers, values: FormValues, changing: boolean): StepResult {
  const choice = values['asking-for'];
  if (!oneOf(ASKING_FOR, choice)) return invalid({ 'asking-for': WHO_IS_ASKING_MESSAGES.choice }, values);
  let asking: WhoIsAsking = { askingFor: 'self' };
  if (choice === 'someone-else') {
    const relationship = values['relationship'];
    const consented = values['consent'] === 'yes';
    const name = validateForm(PersonNameSchema, values);
    if (!name.ok || !oneOf(RELATIONSHIPS, relationship) || !consented) {
      return invalid(
        {
          ...(oneOf(RELATIONSHIPS, relationship) ? {} : { relationship: WHO_IS_ASKING_MESSAGES.relationship }),
          ...(name.ok ? {} : name.errors),
          ...(consented ? {} : { consent: WHO_IS_ASKING_MESSAGES.consent }),
        },
        values,
      );
    }
    asking = { askingFor: 'someone-else', relationship, name: name.data['person-name'], consent: true };
  }
  const answers: Answers = { ...a, asking };
  return { ok: true, answers, next: nextStep(STEPS.whoIsAsking, answers, changing) };
}

export const CONTACT_NEEDS_MESSAGES = {
  choice: 'Select yes if you need us to contact you in a different way',
  needs: 'Select how you need us to contact you',
  address: 'Enter your postal address',
  addressTooLong: `Postal address must be ${LIMITS.postalAddress} characters or fewer`,
  phone: 'Enter your phone number',
  phoneFormat: 'Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192',
  other: 'Enter how you need us to contact you',
  otherTooLong: `How you need us to contact you must be ${LIMITS.contactOther} characters or fewer`,
} as const;

/** A phone number, loosely: digits with spaces, dashes, dots or brackets, an optional leading +. */
export function isPhoneNumber(typed: string): boolean {
  return /^\+?[0-9]{7,15}$/.test(typed.replace(/[\s().-]/g, ''));
}

const ContactDetailSchema = z.object({
  address: requiredText(LIMITS.postalAddress, CONTACT_NEEDS_MESSAGES.address, CONTACT_NEEDS_MESSAGES.addressTooLong),
  phone: requiredLine(
    30,
    CONTACT_NEEDS_MESSAGES.phone,
    CONTACT_NEEDS_MESSAGES.phoneFormat,
    CONTACT_NEEDS_MESSAGES.phoneFormat,
  ).refine(isPhoneNumber, CONTACT_NEEDS_MESSAGES.phoneFormat),
  'other-need': requiredLine(
    LIMITS.contactOther,
    CONTACT_NEEDS_MESSAGES.other,
    CONTACT_NEEDS_MESSAGES.otherTooLong,
    oneLineMessage('How you need us to contact you'),
  ),
});

/** The detail each need asks for (by post: an address…), checked only when that need is ticked. */
const NEED_DETAIL = { post: 'address', phone: 'phone', other: 'other-need' } as const satisfies Partial<
  Record<ContactNeed, keyof z.infer<typeof ContactDetailSchema>>
>;

/**
 * "Do you need us to contact you in a different way?" No, or yes and which ways (large print, easy
 * read, BSL, by post, by phone, something else); by post needs an address, by phone a number,
 * something else a few words. Every missing detail is named at once; details of unticked ways are
 * not kept.
 */
export function submitContactNeeds(a: Answers, values: FormValues, changing: boolean): StepResult {
  const choice = values['needs-any'];
  if (choice !== 'yes' && choice !== 'no') return invalid({ 'needs-any': CONTACT_NEEDS_MESSAGES.choice }, values);
  let contactNeeds: ContactNeeds = { needs: [], address: null, phone: null, other: null };
  if (choice === 'yes') {
    const ticked = CONTACT_NEEDS.filter((n) =>
      (Array.isArray(values['needs']) ? values['needs'] : [values['needs']]).includes(n),
    );
    if (ticked.length === 0) return invalid({ needs: CONTACT_NEEDS_MESSAGES.needs }, values);
    const asked = ticked.flatMap((n) => (n in NEED_DETAIL ? [NEED_DETAIL[n as keyof typeof NEED_DETAIL]] : []));
    const fields = Object.fromEntries(asked.map((f) => [f, true])) as { [K in (typeof asked)[number]]?: true };
    const form = validateForm(ContactDetailSchema.pick(fields), values);
    if (!form.ok) return invalid(form.errors, values);
    const detail = form.data as Partial<Record<(typeof asked)[number], string>>;
    contactNeeds = {
      needs: ticked,
      address: detail.address ?? null,
      phone: detail.phone ?? null,
      other: detail['other-need'] ?? null,
    };
  }
  const answers: Answers = { ...a, contactNeeds };
  return { ok: true, answers, next: nextStep(STEPS.contactNeeds, answers, changing) };
}

/** Sends the appeal from check your answers. On success only the confirmation is remembered. */
export async function sendAppeal(rt: Runtime, a: Answers): Promise<{ answers: Answers; next: string }> {
  const missing = firstMissingStep(a);
  const subject = subjectOf(a);
  if (missing || !subject || !a.reason || !a.email) return { answers: a, next: missing ?? STEPS.start };
  const result = await createAppeal(rt, {
    subject,
    reason: a.reason,
    email: a.email,
    name: a.name ?? null,
    asking: a.asking,
    contactNeeds: a.contactNeeds,
  });
  if (result.ok) {
    const sent = {
      reference: result.appeal.reference,
      dueAt: result.appeal.dueAt.getTime(),
      email: a.email,
      contactNeeds: a.contactNeeds?.needs ?? [],
    };
    return { answers: { sent }, next: STEPS.confirmation };
  }
  if (result.error === 'case-not-found') {
    const { caseReference: _c, ...rest } = a;
    return { answers: rest, next: STEPS.caseReference };
  }
  // Someone else's appeal on the same case, or the window closed while they typed.
  const blocked: AppealAnswers['blocked'] =
    result.error === 'outside-window'
      ? { reason: 'outside-window', windowClosedAt: result.windowClosedAt.getTime() }
      : { reason: 'already-open' };
  if (a.route === 'post') {
    // The date they gave is no longer inside the window: it must be given again to go on.
    return { answers: { ...a, blocked, post: { ...a.post, date: undefined } }, next: STEPS.tooLate };
  }
  return { answers: { ...a, blocked }, next: result.error === 'already-open' ? STEPS.alreadyOpen : STEPS.tooLate };
}

export const FURTHER_INFORMATION_MESSAGES = {
  empty: 'Enter the information you want to add',
  tooLong: `Further information must be ${LIMITS.appealReason.toLocaleString('en-GB')} characters or fewer`,
};

export const FurtherInformationSchema = z.object({
  information: requiredText(
    LIMITS.appealReason,
    FURTHER_INFORMATION_MESSAGES.empty,
    FURTHER_INFORMATION_MESSAGES.tooLong,
  ),
});
