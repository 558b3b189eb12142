import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  backLink,
  firstMissingStep,
  REFERENCE_MESSAGES,
  tooManyReferencesMessage,
  sendAppeal,
  STEPS,
  postStepReady,
  submitAccount,
  submitPlatform,
  submitPostDate,
  submitPostLink,
  submitCaseReference,
  submitCheckEmail,
  submitContact,
  submitReason,
  submitWhatHappened,
  submitWhoIsAsking,
  submitContactNeeds,
  isPhoneNumber,
  laterStepRedirect,
  CONTACT_NEEDS_MESSAGES,
  WHO_IS_ASKING_MESSAGES,
  subjectOf,
  type Answers,
} from '../../src/lib/appeals/journey.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { findAppealByReference } from '../../db/appeals.ts';
import { execute, firstRow } from '../../db/dialect/index.ts';
import { formatDate } from '../../src/lib/platform/dates.ts';
import { characterLength } from '../../src/lib/platform/validation.ts';
import {
  checkJourneyCookie,
  clearJourney,
  JOURNEY_COOKIE,
  JOURNEY_TTL_MS,
  journeyCookieName,
  readJourney,
  writeJourney,
} from '../../src/lib/appeals/journeys.ts';
import { TestCookieJar } from '../support/cookie-jar.ts';
import { caseLookupLimit, hitRateLimit } from '../../src/lib/platform/rate-limit.ts';

const CASE_LOOKUP_LIMIT = caseLookupLimit({ caseLookupsPer10Minutes: 20 });
import { parseReference } from '../../src/lib/cases/references.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';

const DAY = 24 * 60 * 60_000;
const NO_NEEDS = { needs: [], address: null, phone: null, other: null };
/** The two questions after the contact details, answered the simplest way. */
const ABOUT_THEM: Answers = { asking: { askingFor: 'self' }, contactNeeds: NO_NEEDS };
let clock = Date.UTC(2026, 10, 25, 10, 0, 0);
const rt = await testRuntime({ now: () => new Date(clock) });
let ip = 0;
const nextClient = () => `192.0.2.${++ip}`;

/** Swaps one character for another valid one, so only the check character can catch it. */
function typo(reference: string): string {
  const i = reference.search(/[0-9A-Z]/);
  const swapped = reference[i] === '2' ? '3' : '2';
  return reference.slice(0, i) + swapped + reference.slice(i + 1);
}

describe('case reference step', () => {
  it('finds the case, whatever the case, spacing or O/0 and I/1 mix-ups', async () => {
    const c = await insertTestCase(rt.db);
    const messy = ` ${c.reference.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l')} `;
    const result = await submitCaseReference(rt, {}, { 'case-reference': messy }, nextClient(), false);
    expect(result).toMatchObject({
      ok: true,
      next: STEPS.whatWeDid,
      answers: { route: 'case', caseReference: c.reference },
    });
  });

  it('explains each kind of mistake; a typo is caught by the check character before any lookup', async () => {
    const c = await insertTestCase(rt.db);
    const client = nextClient();
    const cases: [string, keyof typeof REFERENCE_MESSAGES][] = [
      ['', 'empty'],
      ['   ', 'empty'],
      ['ABC', 'wrong-length'],
      ['ABCD-EFGH-2*K', 'invalid-character'],
      [typo(c.reference), 'check-failed'],
    ];
    for (const [typed, error] of cases) {
      expect(parseReference(typed).ok).toBe(false);
      expect(await submitCaseReference(rt, {}, { 'case-reference': typed }, client, false)).toMatchObject({
        ok: false,
        status: 400,
        errors: { 'case-reference': REFERENCE_MESSAGES[error] },
        values: { 'case-reference': typed },
      });
    }
    // None of those reached the lookup, so none counted against the limit.
    expect(await hitRateLimit(rt, CASE_LOOKUP_LIMIT, client)).toEqual({
      ok: true,
      remaining: CASE_LOOKUP_LIMIT.max - 1,
    });
  });

  it('gives the same message for an unknown reference and a purged case', async () => {
    // A well-formed reference with a valid check character that no case has (any more).
    const gone = await insertTestCase(rt.db);
    for (const table of ['case_actions', 'case_grounds'])
      await execute(rt.db, sql`delete from ${sql.identifier(table)} where case_id = ${gone.id}`);
    await execute(rt.db, sql`delete from cases where id = ${gone.id}`);
    const unknown = gone.reference;
    const purged = await insertTestCase(rt.db);
    await execute(rt.db, sql`update cases set purged_at = ${clock} where id = ${purged.id}`);
    const a = await submitCaseReference(rt, {}, { 'case-reference': unknown }, nextClient(), false);
    const b = await submitCaseReference(rt, {}, { 'case-reference': purged.reference }, nextClient(), false);
    expect(a).toMatchObject({ ok: false, errors: { 'case-reference': REFERENCE_MESSAGES['not-found'] } });
    expect(b).toMatchObject({ ok: false, errors: { 'case-reference': REFERENCE_MESSAGES['not-found'] } });
  });

  it('rate-limits lookups per client: 20 in 10 minutes, then 429 until the window ends', async () => {
    const c = await insertTestCase(rt.db);
    const client = nextClient();
    for (let i = 0; i < CASE_LOOKUP_LIMIT.max; i++) {
      expect((await submitCaseReference(rt, {}, { 'case-reference': c.reference }, client, false)).ok).toBe(true);
    }
    const refused = await submitCaseReference(rt, {}, { 'case-reference': c.reference }, client, false);
    // The window started at the first lookup (same clock here): all 10 minutes are left.
    expect(refused).toMatchObject({
      ok: false,
      status: 429,
      retryAfterSeconds: 600,
      errors: { 'case-reference': tooManyReferencesMessage(600) },
    });
    expect(tooManyReferencesMessage(600)).toBe(
      'You have tried too many case references. Wait 10 minutes, then try again',
    );
    // Another client is not affected.
    expect((await submitCaseReference(rt, {}, { 'case-reference': c.reference }, nextClient(), false)).ok).toBe(true);
    clock += CASE_LOOKUP_LIMIT.windowMs;
    expect((await submitCaseReference(rt, {}, { 'case-reference': c.reference }, client, false)).ok).toBe(true);
  });

  it('sends an expired case to the too-late page and a case with an open appeal to the already-open page', async () => {
    const old = await insertTestCase(rt.db, { actionAt: new Date(clock - 214 * DAY) });
    expect(await submitCaseReference(rt, {}, { 'case-reference': old.reference }, nextClient(), false)).toMatchObject({
      ok: true,
      next: STEPS.tooLate,
      answers: { blocked: { reason: 'outside-window' } },
    });
    const taken = await insertTestCase(rt.db);
    expect(
      (
        await createAppeal(rt, {
          subject: { kind: 'case', caseReference: taken.reference },
          reason: 'x',
          email: 'a@example.org',
          name: null,
        })
      ).ok,
    ).toBe(true);
    expect(await submitCaseReference(rt, {}, { 'case-reference': taken.reference }, nextClient(), false)).toMatchObject(
      {
        ok: true,
        next: STEPS.alreadyOpen,
        answers: { blocked: { reason: 'already-open' } },
      },
    );
  });
});

describe('reason step', () => {
  it('requires a reason and allows up to 5,000 characters counted as people see them', () => {
    expect(submitReason({}, { reason: '  \n ' }, false)).toMatchObject({
      ok: false,
      errors: { reason: 'Enter why you disagree with our decision' },
    });
    expect(submitReason({}, {}, false)).toMatchObject({ ok: false, status: 400 });
    const emoji = '😀'.repeat(5000);
    expect(characterLength(emoji)).toBe(5000);
    expect(submitReason({}, { reason: emoji }, false)).toMatchObject({ ok: true, next: STEPS.contact });
    expect(submitReason({}, { reason: 'a'.repeat(5001) }, false)).toMatchObject({
      ok: false,
      errors: { reason: 'Why you disagree must be 5,000 characters or fewer. You have 1 character too many' },
      values: { reason: 'a'.repeat(5001) },
    });
  });
});

describe('no case reference: one question a page about the post', () => {
  it('asks where, who, roughly when and (optionally) the link, in that order', () => {
    expect(submitPlatform({}, {}, false)).toMatchObject({
      ok: false,
      status: 400,
      errors: { platform: 'Select where you posted' },
    });
    expect(submitPlatform({}, { platform: 'myspace' }, false)).toMatchObject({
      ok: false,
      errors: { platform: 'Select where you posted' },
    });
    // Choosing this path forgets a case reference typed before.
    const p0 = submitPlatform({ route: 'case', caseReference: 'X', reason: 'kept' }, { platform: 'instagram' }, false);
    expect(p0).toMatchObject({
      ok: true,
      next: STEPS.whatHappened,
      answers: { route: 'post', post: { platform: 'instagram' }, reason: 'kept' },
    });
    if (!p0.ok) return;
    expect(p0.answers.caseReference).toBeUndefined();
    expect(postStepReady(STEPS.whatHappened, p0.answers)).toBe(true);
    expect(postStepReady(STEPS.account, p0.answers)).toBe(false);
    expect(firstMissingStep(p0.answers)).toBe(STEPS.whatHappened);
    expect(backLink(STEPS.whatHappened, p0.answers, false)).toBe(STEPS.platform);

    // What we did: hidden, deleted, blocked or not sure.
    expect(submitWhatHappened(p0.answers, {}, false)).toMatchObject({
      ok: false,
      status: 400,
      errors: { action: 'Select what we did, or I’m not sure' },
    });
    expect(submitWhatHappened(p0.answers, { action: 'police' }, false)).toMatchObject({
      ok: false,
      errors: { action: 'Select what we did, or I’m not sure' },
    });
    const p1 = submitWhatHappened(p0.answers, { action: 'not-sure' }, false);
    expect(p1).toMatchObject({
      ok: true,
      next: STEPS.account,
      answers: { route: 'post', post: { platform: 'instagram', action: 'not-sure' }, reason: 'kept' },
    });
    if (!p1.ok) return;
    expect(p1.answers.caseReference).toBeUndefined();
    expect(postStepReady(STEPS.account, p1.answers)).toBe(true);
    expect(postStepReady(STEPS.postDate, p1.answers)).toBe(false);
    expect(firstMissingStep(p1.answers)).toBe(STEPS.account);
    expect(backLink(STEPS.account, p1.answers, false)).toBe(STEPS.whatHappened);

    expect(submitAccount(p1.answers, { handle: '   ' }, false)).toMatchObject({
      ok: false,
      errors: { handle: 'Enter your account name or handle' },
    });
    const p2 = submitAccount(p1.answers, { handle: ' @me ' }, false);
    expect(p2).toMatchObject({
      ok: true,
      next: STEPS.postDate,
      answers: { post: { platform: 'instagram', handle: '@me' } },
    });
    if (!p2.ok) return;

    expect(submitPostDate(rt, p2.answers, {}, false)).toMatchObject({
      ok: false,
      errors: { 'post-date-day': 'Enter roughly when it happened' },
    });
    expect(
      submitPostDate(
        rt,
        p2.answers,
        { 'post-date-day': '31', 'post-date-month': '2', 'post-date-year': '2026' },
        false,
      ),
    ).toMatchObject({
      ok: false,
      errors: { 'post-date-day': expect.stringMatching(/^Date must be a real date/) },
      values: { 'post-date-day': '31' },
    });
    expect(
      submitPostDate(rt, p2.answers, { 'post-date-day': '1', 'post-date-month': '1', 'post-date-year': '2030' }, false),
    ).toMatchObject({
      ok: false,
      errors: { 'post-date-day': 'The date must be today or in the past' },
    });
    const p3 = submitPostDate(
      rt,
      p2.answers,
      { 'post-date-day': '3', 'post-date-month': '11', 'post-date-year': '2026' },
      false,
    );
    expect(p3).toMatchObject({ ok: true, next: STEPS.postLink, answers: { post: { date: '2026-11-03' } } });
    if (!p3.ok) return;

    expect(submitPostLink(p3.answers, { 'post-url': 'javascript:alert(1)' }, false)).toMatchObject({
      ok: false,
      errors: { 'post-url': 'Enter a link to the post that starts with https://, or leave it blank' },
    });
    const p4 = submitPostLink(p3.answers, { 'post-url': '' }, false);
    expect(p4).toMatchObject({ ok: true, next: STEPS.reason, answers: { post: { postUrl: null } } });
    if (!p4.ok) return;
    expect(firstMissingStep(p4.answers)).toBe(STEPS.contact);
    expect(backLink(STEPS.reason, p4.answers, false)).toBe(STEPS.postLink);
    expect(backLink(STEPS.postLink, p4.answers, false)).toBe(STEPS.postDate);
    // Changing one answer goes back to check your answers once everything is answered.
    const done: Answers = {
      ...p4.answers,
      email: 'a@example.org',
      asking: { askingFor: 'self' },
      contactNeeds: NO_NEEDS,
    };
    expect(submitAccount(done, { handle: '@other' }, true)).toMatchObject({
      ok: true,
      next: STEPS.checkAnswers,
      answers: { post: { handle: '@other', postUrl: null } },
    });
  });
});

describe('no case reference: the date, the GOV.UK way', () => {
  const post: Answers = { route: 'post', post: { platform: 'x', action: 'hidden', handle: '@me' } };
  const typed = (day: string, month: string, year: string) => ({
    'post-date-day': day,
    'post-date-month': month,
    'post-date-year': year,
  });

  it('takes a month as a number, a name or an abbreviation, and keeps it as a number', () => {
    for (const month of ['11', 'Nov', 'nov.', 'November', ' NOVEMBER ']) {
      expect(submitPostDate(rt, post, typed('3', month, '2026'), false), month).toMatchObject({
        ok: true,
        next: STEPS.postLink,
        answers: { post: { day: '3', month: '11', year: '2026', date: '2026-11-03' } },
      });
    }
  });

  it('names the problem and links to the first field with it, marking only the fields concerned', () => {
    const cases: [ReturnType<typeof typed>, string, string, string[]][] = [
      [typed('3', '', '2026'), 'post-date-month', 'Date must include a month', ['month']],
      [typed('', '', '2026'), 'post-date-day', 'Date must include a day and month', ['day', 'month']],
      [typed('3', '', ''), 'post-date-month', 'Date must include a month and year', ['month', 'year']],
      [typed('3', '11', '26'), 'post-date-year', 'Year must include 4 numbers', ['year']],
      [typed('3', 'Novem', '20266'), 'post-date-year', 'Year must include 4 numbers', ['year']],
      [typed('3', 'Nox', '2026'), 'post-date-month', 'Date must be a real date', ['month']],
      [typed('32', '11', '2026'), 'post-date-day', 'Date must be a real date', ['day']],
      [typed('31', 'Feb', '2026'), 'post-date-day', 'Date must be a real date', ['day', 'month']],
      [typed('3', '11', '2027'), 'post-date-day', 'The date must be today or in the past', ['day', 'month', 'year']],
    ];
    for (const [values, field, message, parts] of cases) {
      const result = submitPostDate(rt, post, values, false);
      expect(result, JSON.stringify(values)).toMatchObject({
        ok: false,
        status: 400,
        errors: { [field]: message },
        values,
        dateParts: parts,
      });
      if (!result.ok) expect(Object.keys(result.errors)).toEqual([field]);
    }
  });
});

describe('no case reference: the link to the post', () => {
  const post: Answers = { route: 'post', post: { platform: 'x', action: 'hidden', handle: '@me', date: '2026-11-03' } };
  it('adds https:// to a link typed without its scheme, and still refuses other schemes', () => {
    const link = (typed: string) => submitPostLink(post, { 'post-url': typed }, false);
    expect(link('www.facebook.com/nsft/posts/1')).toMatchObject({
      ok: true,
      answers: { post: { postUrl: 'https://www.facebook.com/nsft/posts/1' } },
    });
    expect(link(' x.com/nsft/status/1?s=20 ')).toMatchObject({
      ok: true,
      answers: { post: { postUrl: 'https://x.com/nsft/status/1?s=20' } },
    });
    expect(link('facebook.com:443/p/1')).toMatchObject({
      ok: true,
      answers: { post: { postUrl: 'https://facebook.com:443/p/1' } },
    });
    expect(link('http://example.org/a')).toMatchObject({
      ok: true,
      answers: { post: { postUrl: 'http://example.org/a' } },
    });
    const refused = 'Enter a link to the post that starts with https://, or leave it blank';
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,x',
      'my post on facebook',
      'localhost/x',
      '//evil.example/x',
    ]) {
      expect(link(bad), bad).toMatchObject({ ok: false, errors: { 'post-url': refused } });
    }
    // The limit counts the added https:// too.
    const long = `example.org/${'a'.repeat(1983)}`;
    expect(long.length).toBe(1995);
    expect(link(long)).toMatchObject({ ok: false, errors: { 'post-url': 'Link must be 2,000 characters or fewer' } });
  });
});

describe('no case reference: the appeal window', () => {
  const post: Answers = { route: 'post', post: { platform: 'x', action: 'hidden', handle: '@me' } };
  const date = (d: number, m: number, y: number) => ({
    'post-date-day': String(d),
    'post-date-month': String(m),
    'post-date-year': String(y),
  });

  it('sends a date outside the window to the too-late page, keeping the date typed but not as an answer', () => {
    // 25 November 2026, 6 months: a day on or after 25 May 2026 is inside, 23 May is not.
    const late = submitPostDate(rt, post, date(23, 5, 2026), false);
    expect(late).toMatchObject({
      ok: true,
      next: STEPS.tooLate,
      answers: { route: 'post', post: { day: '23', month: '5', year: '2026' }, blocked: { reason: 'outside-window' } },
    });
    if (!late.ok) return;
    expect(late.answers.post!.date).toBeUndefined();
    // The last day they could have asked: 23 November (today is the 25th).
    expect(formatDate(new Date((late.answers.blocked as { windowClosedAt: number }).windowClosedAt))).toBe(
      '23 November 2026',
    );
    // The later steps cannot be reached with it, and Back goes to the date.
    expect(subjectOf(late.answers)).toBeUndefined();
    expect(firstMissingStep(late.answers)).toBe(STEPS.postDate);
    expect(postStepReady(STEPS.postLink, late.answers)).toBe(false);
    expect(backLink(STEPS.tooLate, late.answers, false)).toBe(STEPS.postDate);
    // Giving a date inside the window carries on and forgets the block.
    const fixed = submitPostDate(rt, late.answers, date(25, 5, 2026), false);
    expect(fixed).toMatchObject({ ok: true, next: STEPS.postLink, answers: { post: { date: '2026-05-25' } } });
    if (fixed.ok) expect(fixed.answers.blocked).toBeUndefined();
  });

  it('honours a configured window and refuses tomorrow next to the field', async () => {
    const short = await testRuntime({ now: () => new Date(clock), env: { APPEAL_WINDOW_MONTHS: '1' } });
    expect(submitPostDate(short, post, date(1, 10, 2026), false)).toMatchObject({ ok: true, next: STEPS.tooLate });
    expect(submitPostDate(short, post, date(1, 11, 2026), false)).toMatchObject({ ok: true, next: STEPS.postLink });
    expect(submitPostDate(rt, post, date(26, 11, 2026), false)).toMatchObject({
      ok: false,
      status: 400,
      errors: { 'post-date-day': 'The date must be today or in the past' },
    });
    expect(submitPostDate(rt, post, date(25, 11, 2026), false)).toMatchObject({ ok: true, next: STEPS.postLink });
  });

  it('createAppeal itself refuses a no-reference appeal outside the window', async () => {
    const subject = { kind: 'post' as const, platform: 'x' as const, handle: '@me', postUrl: null };
    const late = await createAppeal(rt, {
      subject: { ...subject, date: '2026-05-01' },
      reason: 'x',
      email: 'a@example.org',
      name: null,
    });
    expect(late).toMatchObject({ ok: false, error: 'outside-window' });
    // The last day they could have asked, not the day they tried.
    if (!late.ok && late.error === 'outside-window') expect(formatDate(late.windowClosedAt)).toBe('1 November 2026');
    expect(
      (
        await createAppeal(rt, {
          subject: { ...subject, date: '2026-11-01' },
          reason: 'x',
          email: 'a@example.org',
          name: null,
        })
      ).ok,
    ).toBe(true);
  });
});

describe('contact step, order of steps and sending', () => {
  it('requires a valid email, the name is optional', () => {
    expect(submitContact({}, { email: 'not an email', name: '' }, false)).toMatchObject({
      ok: false,
      errors: { email: 'Enter an email address in the correct format, like name@example.com' },
    });
    expect(submitContact({}, { email: ' Jo@Example.ORG ', name: '' }, false)).toMatchObject({
      ok: true,
      answers: { email: 'jo@example.org', name: null },
      next: STEPS.whoIsAsking,
    });
  });

  it('asks "Did you mean …?" about a likely typo, and keeps what was typed unless they take the suggestion', () => {
    const before: Answers = {
      route: 'case',
      caseReference: 'A',
      reason: 'r',
      asking: { askingFor: 'self' },
      contactNeeds: NO_NEEDS,
    };
    const typo = submitContact(before, { email: 'Jo@Gmial.con', name: 'Jo' }, false);
    expect(typo).toMatchObject({
      ok: true,
      next: STEPS.checkEmail,
      answers: { email: 'jo@gmial.con', emailSuggestion: 'jo@gmail.com', name: 'Jo' },
    });
    if (!typo.ok) return;
    // Check your answers cannot be reached while the question is open; Back goes to the address.
    expect(firstMissingStep(typo.answers)).toBe(STEPS.checkEmail);
    expect(backLink(STEPS.checkEmail, typo.answers, false)).toBe(STEPS.contact);
    expect(backLink(STEPS.checkEmail, typo.answers, true)).toBe(`${STEPS.contact}?change=1`);

    expect(submitCheckEmail(typo.answers, {}, false)).toMatchObject({
      ok: false,
      status: 400,
      errors: { 'email-choice': 'Select whether to use jo@gmail.com or keep the email address you typed' },
    });
    const taken = submitCheckEmail(typo.answers, { 'email-choice': 'suggested' }, false);
    expect(taken).toMatchObject({ ok: true, next: STEPS.whoIsAsking, answers: { email: 'jo@gmail.com' } });
    if (taken.ok) expect(Object.keys(taken.answers)).not.toContain('emailSuggestion');

    const kept = submitCheckEmail(typo.answers, { 'email-choice': 'typed' }, false);
    expect(kept).toMatchObject({
      ok: true,
      next: STEPS.whoIsAsking,
      answers: { email: 'jo@gmial.con', emailKept: 'jo@gmial.con' },
    });
    if (!kept.ok) return;
    expect(kept.answers.emailSuggestion).toBeUndefined();
    expect(firstMissingStep(kept.answers)).toBeUndefined();
    // Typing the kept address again is not questioned again; a new typo is.
    expect(submitContact(kept.answers, { email: 'jo@gmial.con', name: '' }, true)).toMatchObject({
      ok: true,
      next: STEPS.checkAnswers,
    });
    expect(submitContact(kept.answers, { email: 'jo@hotmial.com', name: '' }, true)).toMatchObject({
      ok: true,
      next: `${STEPS.checkEmail}?change=1`,
      answers: { emailSuggestion: 'jo@hotmail.com' },
    });
    // A later correct address drops a suggestion left unanswered.
    const fixed = submitContact(typo.answers, { email: 'jo@gmail.com', name: '' }, false);
    expect(fixed).toMatchObject({ ok: true, next: STEPS.whoIsAsking });
    if (fixed.ok) expect(fixed.answers.emailSuggestion).toBeUndefined();
  });

  it('returns to check your answers after a change, and knows what is missing', () => {
    const complete: Answers = {
      route: 'case',
      caseReference: 'A',
      reason: 'r',
      email: 'e@example.org',
      name: null,
      asking: { askingFor: 'self' },
      contactNeeds: NO_NEEDS,
    };
    expect(firstMissingStep(complete)).toBeUndefined();
    expect(firstMissingStep({ route: 'post' })).toBe(STEPS.platform);
    expect(firstMissingStep({ ...complete, blocked: { reason: 'already-open' } })).toBe(STEPS.caseReference);
    expect(firstMissingStep({ ...complete, reason: undefined })).toBe(STEPS.reason);
    expect(submitReason(complete, { reason: 'changed' }, true)).toMatchObject({ ok: true, next: STEPS.checkAnswers });
    expect(submitReason({ route: 'case', caseReference: 'A' }, { reason: 'changed' }, true)).toMatchObject({
      ok: true,
      next: STEPS.contact,
    });
    expect(backLink(STEPS.reason, { route: 'post' }, false)).toBe(STEPS.postLink);
    expect(backLink(STEPS.reason, { route: 'case' }, false)).toBe(STEPS.whatWeDid);
    expect(backLink(STEPS.reason, complete, true)).toBe(STEPS.checkAnswers);
  });

  it('sends a complete journey and then remembers only the confirmation', async () => {
    const c = await insertTestCase(rt.db);
    const sent = await sendAppeal(rt, {
      route: 'case',
      caseReference: c.reference,
      reason: 'Because.',
      email: 'send@example.org',
      name: 'Sam',
      ...ABOUT_THEM,
    });
    expect(sent.next).toBe(STEPS.confirmation);
    expect(Object.keys(sent.answers)).toEqual(['sent']);
    expect(sent.answers.sent).toMatchObject({ email: 'send@example.org' });
    // Sending the same answers again (Back, then Send) does not make a second appeal.
    const again = await sendAppeal(rt, {
      route: 'case',
      caseReference: c.reference,
      reason: 'Because.',
      email: 'send@example.org',
      name: 'Sam',
      ...ABOUT_THEM,
    });
    expect(again).toMatchObject({ next: STEPS.alreadyOpen });
  });

  it('stores what they say we did with a no-reference appeal, for staff', async () => {
    const date = new Date(clock - 3 * DAY).toISOString().slice(0, 10);
    const post = { platform: 'facebook' as const, action: 'blocked' as const, handle: '@stored', date, postUrl: null };
    const sent = await sendAppeal(rt, {
      route: 'post',
      post,
      reason: 'Because.',
      email: 'stored@example.org',
      name: null,
      ...ABOUT_THEM,
    });
    expect(sent.next).toBe(STEPS.confirmation);
    const row = (await findAppealByReference(rt.db, sent.answers.sent!.reference))!;
    expect(row).toMatchObject({ claimedPlatform: 'facebook', claimedHandle: '@stored', claimedAction: 'blocked' });
  });

  it('names the last day of the window when it closed while they typed', async () => {
    const actionAt = new Date(Date.UTC(2026, 4, 25, 9)); // 25 May 2026: the window ends 25 November, 10 am UK
    const c = await insertTestCase(rt.db, { actionAt });
    const sent = await sendAppeal(
      { ...rt, now: () => new Date(Date.UTC(2026, 10, 25, 11)) },
      {
        route: 'case',
        caseReference: c.reference,
        reason: 'Because.',
        email: 'late@example.org',
        name: null,
        ...ABOUT_THEM,
      },
    );
    expect(sent.next).toBe(STEPS.tooLate);
    // 10 am UK time both days: 09:00 UTC in summer time, 10:00 UTC in November.
    expect(sent.answers.blocked).toEqual({ reason: 'outside-window', windowClosedAt: Date.UTC(2026, 10, 25, 10) });
  });
});

describe('who is asking, and other ways to contact them', () => {
  const contacted: Answers = { route: 'case', caseReference: 'A', reason: 'r', email: 'carer@example.org', name: null };

  it('come after the contact details, in order, before check your answers', () => {
    expect(firstMissingStep(contacted)).toBe(STEPS.whoIsAsking);
    expect(firstMissingStep({ ...contacted, asking: { askingFor: 'self' } })).toBe(STEPS.contactNeeds);
    expect(firstMissingStep({ ...contacted, ...ABOUT_THEM })).toBeUndefined();
    // Neither can be answered before the email address; the second not before the first.
    expect(laterStepRedirect(STEPS.whoIsAsking, { ...contacted, email: undefined })).toBe(STEPS.contact);
    expect(laterStepRedirect(STEPS.contactNeeds, contacted)).toBe(STEPS.whoIsAsking);
    expect(laterStepRedirect(STEPS.contactNeeds, { route: 'post' })).toBe(STEPS.platform);
    expect(laterStepRedirect(STEPS.whoIsAsking, contacted)).toBeUndefined();
    expect(laterStepRedirect(STEPS.contactNeeds, { ...contacted, ...ABOUT_THEM })).toBeUndefined();
    expect(backLink(STEPS.whoIsAsking, contacted, false)).toBe(STEPS.contact);
    expect(backLink(STEPS.contactNeeds, contacted, false)).toBe(STEPS.whoIsAsking);
    expect(backLink(STEPS.checkAnswers, contacted, false)).toBe(STEPS.contactNeeds);
    expect(submitWhoIsAsking(contacted, { 'asking-for': 'self' }, false)).toMatchObject({
      ok: true,
      next: STEPS.contactNeeds,
      answers: { asking: { askingFor: 'self' } },
    });
    expect(
      submitContactNeeds({ ...contacted, asking: { askingFor: 'self' } }, { 'needs-any': 'no', needs: [] }, false),
    ).toMatchObject({
      ok: true,
      next: STEPS.checkAnswers,
      answers: { contactNeeds: NO_NEEDS },
    });
    // A change goes straight back to check your answers.
    expect(submitWhoIsAsking({ ...contacted, ...ABOUT_THEM }, { 'asking-for': 'self' }, true)).toMatchObject({
      ok: true,
      next: STEPS.checkAnswers,
    });
  });

  it('asks for someone else only with how they know the person and the person’s permission, naming every problem at once', () => {
    expect(submitWhoIsAsking(contacted, {}, false)).toMatchObject({
      ok: false,
      status: 400,
      errors: { 'asking-for': WHO_IS_ASKING_MESSAGES.choice },
    });
    expect(submitWhoIsAsking(contacted, { 'asking-for': 'nobody' }, false)).toMatchObject({
      ok: false,
      errors: { 'asking-for': WHO_IS_ASKING_MESSAGES.choice },
    });
    const typed = { 'asking-for': 'someone-else', relationship: '', 'person-name': 'Sam\nBcc: x@example.org' };
    const missing = submitWhoIsAsking(contacted, typed, false);
    expect(missing).toMatchObject({
      ok: false,
      status: 400,
      errors: {
        relationship: WHO_IS_ASKING_MESSAGES.relationship,
        consent: 'Confirm you have the person’s permission to ask for this on their behalf',
        'person-name': 'Their name must be on one line',
      },
      values: typed,
    });
    expect(submitWhoIsAsking(contacted, { 'asking-for': 'someone-else', relationship: 'carer' }, false)).toMatchObject({
      ok: false,
      errors: { consent: WHO_IS_ASKING_MESSAGES.consent },
    });
    const ok = submitWhoIsAsking(
      contacted,
      { 'asking-for': 'someone-else', relationship: 'carer', 'person-name': '  ', consent: 'yes' },
      false,
    );
    expect(ok).toMatchObject({
      ok: true,
      next: STEPS.contactNeeds,
      answers: { asking: { askingFor: 'someone-else', relationship: 'carer', name: null, consent: true } },
    });
    const named = submitWhoIsAsking(
      contacted,
      { 'asking-for': 'someone-else', relationship: 'family', 'person-name': ' Sam Jones ', consent: 'yes' },
      false,
    );
    expect(named).toMatchObject({ ok: true, answers: { asking: { relationship: 'family', name: 'Sam Jones' } } });
    // Choosing "For myself" afterwards forgets the other person.
    if (!named.ok) return;
    const self = submitWhoIsAsking(
      named.answers,
      { 'asking-for': 'self', relationship: 'family', 'person-name': 'Sam', consent: 'yes' },
      false,
    );
    expect(self.ok && self.answers.asking).toEqual({ askingFor: 'self' });
  });

  it('takes other ways to contact them, with the detail each needs, and forgets details of ways not ticked', () => {
    const asked: Answers = { ...contacted, asking: { askingFor: 'self' } };
    expect(submitContactNeeds(asked, { needs: [] }, false)).toMatchObject({
      ok: false,
      status: 400,
      errors: { 'needs-any': CONTACT_NEEDS_MESSAGES.choice },
    });
    expect(submitContactNeeds(asked, { 'needs-any': 'yes', needs: [] }, false)).toMatchObject({
      ok: false,
      errors: { needs: 'Select how you need us to contact you' },
    });
    expect(submitContactNeeds(asked, { 'needs-any': 'yes', needs: ['telepathy'] }, false)).toMatchObject({
      ok: false,
      errors: { needs: CONTACT_NEEDS_MESSAGES.needs },
    });
    const typed = { 'needs-any': 'yes', needs: ['post', 'phone', 'other'], address: ' ', phone: '', 'other-need': '' };
    expect(submitContactNeeds(asked, typed, false)).toMatchObject({
      ok: false,
      errors: {
        address: 'Enter your postal address',
        phone: 'Enter your phone number',
        'other-need': 'Enter how you need us to contact you',
      },
      values: typed,
    });
    expect(submitContactNeeds(asked, { 'needs-any': 'yes', needs: ['phone'], phone: 'call me' }, false)).toMatchObject({
      ok: false,
      errors: { phone: CONTACT_NEEDS_MESSAGES.phoneFormat },
    });
    const ok = submitContactNeeds(
      asked,
      {
        'needs-any': 'yes',
        needs: ['bsl', 'phone', 'large-print'],
        phone: ' 07700 900 982 ',
        address: '1 High Street',
        'other-need': 'ignored',
      },
      false,
    );
    expect(ok).toMatchObject({
      ok: true,
      next: STEPS.checkAnswers,
      answers: {
        contactNeeds: { needs: ['large-print', 'bsl', 'phone'], phone: '07700 900 982', address: null, other: null },
      },
    });
    const post = submitContactNeeds(
      asked,
      { 'needs-any': 'yes', needs: 'post', address: '1 High Street\r\nLeeds\r\nLS1 1AA' },
      false,
    );
    expect(post).toMatchObject({
      ok: true,
      answers: { contactNeeds: { needs: ['post'], address: '1 High Street\nLeeds\nLS1 1AA' } },
    });
    // "No" clears whatever was ticked before.
    expect(
      submitContactNeeds(asked, { 'needs-any': 'no', needs: ['bsl'], phone: '07700 900982' }, false),
    ).toMatchObject({ ok: true, answers: { contactNeeds: NO_NEEDS } });
    expect(
      submitContactNeeds(asked, { 'needs-any': 'yes', needs: ['post'], address: 'x'.repeat(501) }, false),
    ).toMatchObject({ ok: false, errors: { address: 'Postal address must be 500 characters or fewer' } });
  });

  it('accepts phone numbers loosely: UK and international, spaced, dashed or bracketed', () => {
    for (const ok of ['07700 900982', '(01632) 960 001', '+44 808 157 0192', '0161-496-0000', '+1 202.555.0123'])
      expect(isPhoneNumber(ok)).toBe(true);
    for (const bad of ['12345', 'call me', '0800 FLOWERS', '+44 +44 808 157 0192', '1'.repeat(16)])
      expect(isPhoneNumber(bad)).toBe(false);
  });

  it('stores both answers with the appeal', async () => {
    const c = await insertTestCase(rt.db);
    const sent = await sendAppeal(rt, {
      route: 'case',
      caseReference: c.reference,
      reason: 'Because.',
      email: 'carer@example.org',
      name: 'Pat',
      asking: { askingFor: 'someone-else', relationship: 'advocate', name: 'Sam', consent: true },
      contactNeeds: { needs: ['bsl', 'phone'], address: null, phone: '07700 900982', other: null },
    });
    const row = (await findAppealByReference(rt.db, sent.answers.sent!.reference))!;
    expect(row).toMatchObject({
      askingFor: 'someone-else',
      askingRelationship: 'advocate',
      askingForName: 'Sam',
      askingConsent: true,
      contactNeeds: ['bsl', 'phone'],
      contactPhone: '07700 900982',
      contactAddress: null,
    });
  });
});

describe('journey state', () => {
  const Jar = TestCookieJar;

  it('keeps answers server-side behind a random HttpOnly cookie, for 24 hours', async () => {
    // Over https the cookie is __Host-fh_journey (Secure, Path=/, no Domain).
    const name = journeyCookieName(true);
    expect(name).toBe(`__Host-${JOURNEY_COOKIE}`);
    const jar = new Jar();
    expect(await readJourney(rt, jar, true)).toEqual({});
    await writeJourney(rt, jar, { reason: 'kept' }, true);
    const id = jar.values.get(name)!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(jar.options).toEqual({
      httpOnly: true,
      sameSite: 'lax',
      secure: true,
      path: '/',
      maxAge: JOURNEY_TTL_MS / 1000,
    });
    expect(await readJourney(rt, jar, true)).toEqual({ reason: 'kept' });
    await writeJourney(rt, jar, { reason: 'changed' }, true);
    expect(jar.values.get(name)).toBe(id);
    expect(await readJourney(rt, jar, true)).toEqual({ reason: 'changed' });
    // Another browser, or a forged cookie, sees nothing.
    const other = new Jar();
    other.values.set(name, `${id.slice(0, -1)}x`);
    expect(await readJourney(rt, other, true)).toEqual({});
    other.values.set(name, '../../etc/passwd');
    expect(await readJourney(rt, other, true)).toEqual({});
    const saved = clock;
    clock += JOURNEY_TTL_MS + 1;
    expect(await readJourney(rt, jar, true)).toEqual({});
    // Starting a new journey clears expired ones from the table.
    await writeJourney(rt, new Jar(), {}, false);
    expect(await firstRow(rt.db, sql`select count(*) as n from journeys where expires_at < ${clock}`)).toEqual({
      n: 0,
    });
    clock = saved;
    await clearJourney(rt, jar, true);
    expect(await readJourney(rt, jar, true)).toEqual({});
  });

  it('never adopts a cookie value it did not issue: a planted value starts a new journey', async () => {
    for (const secure of [false, true]) {
      const name = journeyCookieName(secure);
      // Someone plants a well-formed value of their own choosing in the victim's browser…
      const planted = 'A'.repeat(43);
      const victim = new Jar();
      victim.values.set(name, planted);
      expect(await readJourney(rt, victim, secure)).toEqual({});
      // …the victim answers: the answers go under a new, server-issued id, not the planted one.
      expect(await writeJourney(rt, victim, { reason: 'private words' }, secure)).toBe(true);
      const issued = victim.values.get(name)!;
      expect(issued).not.toBe(planted);
      expect(issued).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(await readJourney(rt, victim, secure)).toEqual({ reason: 'private words' });
      // The planter, holding the value they chose, sees nothing, and writing under it adopts nothing.
      const planter = new Jar();
      planter.values.set(name, planted);
      expect(await readJourney(rt, planter, secure)).toEqual({});
      await writeJourney(rt, planter, { reason: 'mine' }, secure);
      expect(planter.values.get(name)).not.toBe(planted);
      expect(await readJourney(rt, victim, secure)).toEqual({ reason: 'private words' });
      // An expired journey's id is not brought back to life either.
      const saved = clock;
      clock += JOURNEY_TTL_MS + 1;
      expect(await writeJourney(rt, victim, { reason: 'later' }, secure)).toBe(true);
      expect(victim.values.get(name)).not.toBe(issued);
      clock = saved;
    }
  });

  it('over https reads only the __Host- cookie, over plain http only the plain one', async () => {
    const jar = new Jar();
    await writeJourney(rt, jar, { reason: 'over http' }, false);
    const plain = jar.values.get(JOURNEY_COOKIE)!;
    expect(plain).toBeDefined();
    expect(jar.values.has(journeyCookieName(true))).toBe(false);
    expect(jar.options).toMatchObject({ secure: false, path: '/' });
    // A plain-named cookie (which a sibling subdomain or plain-http page could have set) is ignored over https.
    expect(await readJourney(rt, jar, true)).toEqual({});
    expect(await readJourney(rt, jar, false)).toEqual({ reason: 'over http' });
    expect(checkJourneyCookie(new URL('https://x/appeal/reason?journey=new'), jar, true)).toEqual({
      result: 'refused',
    });
    expect(checkJourneyCookie(new URL('http://x/appeal/reason?journey=new'), jar, false)).toEqual({
      result: 'kept',
      clean: '/appeal/reason',
    });
  });
});
