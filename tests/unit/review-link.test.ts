/**
 * Staff linking a no-reference appeal to its case; staff text refused (never cut short) when over
 * its limit; "send" only sends what was previewed; assignment only to reviewers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { findAppealById, listAppealEvents, updateAppeal } from '../../db/appeals.ts';
import { listAudit } from '../../db/audit.ts';
import { listEmails } from '../../db/outbox.ts';
import { FURTHER_INFORMATION_MESSAGES, FurtherInformationSchema } from '../../src/lib/appeals/journey.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { validateForm } from '../../src/lib/platform/forms.ts';
import { generateReference } from '../../src/lib/cases/references.ts';
import {
  addNote,
  appealForStaff,
  assignAppeal,
  decideAppeal,
  DecisionFormSchema,
  InformationRequestFormSchema,
  linkAppealToCase,
  NoteFormSchema,
  decisionBlocker,
  previewDecision,
  recordNoMatchingCase,
  requestInformation,
  REVIEW_FIELD_MESSAGES,
  type Actor,
} from '../../src/lib/review/review.ts';
import { LIMITS } from '../../src/lib/platform/validation.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';
import { decideAfterPreview } from '../support/review.ts';

const DAY = 24 * 60 * 60_000;
const clock = Date.UTC(2026, 10, 25, 10, 0, 0);
const rt = await testRuntime({ now: () => new Date(clock) });

let moderator: Actor;
let reviewer: Actor;
let moderatorOnly: number;

beforeAll(async () => {
  moderator = { id: await testStaff(rt, ['moderator', 'reviewer'], 'Mo Derator'), ip: '127.0.0.1' };
  reviewer = { id: await testStaff(rt, ['reviewer'], 'Rita Reviewer'), ip: '127.0.0.1' };
  moderatorOnly = await testStaff(rt, ['moderator'], 'Only Moderates');
});

async function postAppeal(): Promise<number> {
  const r = await createAppeal(rt, {
    subject: { kind: 'post', platform: 'x', handle: '@no_ref', date: '2026-11-20', postUrl: null },
    reason: 'I never had a reference.',
    email: `p${Math.random().toString(36).slice(2)}@example.org`,
    name: null,
  });
  if (!r.ok) throw new Error(r.error);
  return r.appeal.id;
}

async function caseAppeal(): Promise<{ id: number; caseRef: string }> {
  const c = await insertTestCase(rt.db, { actionAt: new Date(clock - 2 * DAY), recordedBy: moderator.id });
  const r = await createAppeal(rt, {
    subject: { kind: 'case', caseReference: c.reference },
    reason: 'Fair question.',
    email: 'x@example.org',
    name: null,
  });
  if (!r.ok) throw new Error(r.error);
  return { id: r.appeal.id, caseRef: c.reference };
}

/** Changes one character of a valid reference so the check character no longer fits. */
function typo(reference: string): string {
  const first = reference[0] === '7' ? '8' : '7';
  return first + reference.slice(1);
}

describe('linkAppealToCase', () => {
  it('links in one go: the case, a history entry and an audit entry; the case then shows', async () => {
    const appealId = await postAppeal();
    const c = await insertTestCase(rt.db, {
      actionAt: new Date(clock - 3 * DAY),
      recordedBy: moderator.id,
      actions: ['hidden', 'blocked'],
    });
    // Typed as a person might: small letters, spaces instead of hyphens.
    const typed = c.reference.toLowerCase().replace(/-/g, ' ');
    expect(await linkAppealToCase(rt, appealId, typed, reviewer)).toEqual({
      ok: true,
      caseId: c.id,
      caseReference: c.reference,
    });
    expect((await findAppealById(rt.db, appealId))!.caseId).toBe(c.id);
    const event = (await listAppealEvents(rt.db, appealId)).find((e) => e.kind === 'case-linked');
    expect(event).toMatchObject({ actorType: 'staff', actorId: reviewer.id, details: { caseReference: c.reference } });
    expect(
      (await listAudit(rt.db)).some(
        (e) => e.action === 'appeal.case-linked' && e.entityId === String(appealId) && e.actorId === reviewer.id,
      ),
    ).toBe(true);
    const view = (await appealForStaff(rt, appealId))!;
    expect(view.caseRecord).toMatchObject({ reference: c.reference, version: '1.0' });
    expect(view.caseRecord!.grounds.length).toBeGreaterThan(0);
    expect(view.history.some((h) => h.label === 'Linked to a case' && h.detail === `case ${c.reference}`)).toBe(true);
  });

  it('then applies the rule that whoever recorded the case may not decide it', async () => {
    const appealId = await postAppeal();
    const c = await insertTestCase(rt.db, {
      actionAt: new Date(clock - 3 * DAY),
      recordedBy: moderator.id,
      actions: ['deleted'],
    });
    const decision = { outcome: 'overturned' as const, explanation: 'Allowed under our principles.', version: '1.0' };
    // Before linking nobody may decide it (issue 17, point 9): otherwise the moderator who recorded
    // the case could decide the appeal simply by not linking it.
    expect(await previewDecision(rt, appealId, decision, moderator)).toEqual({ ok: false, error: 'case-not-settled' });
    expect(await previewDecision(rt, appealId, decision, reviewer)).toEqual({ ok: false, error: 'case-not-settled' });
    expect((await linkAppealToCase(rt, appealId, c.reference, reviewer)).ok).toBe(true);
    expect(await previewDecision(rt, appealId, decision, moderator)).toEqual({ ok: false, error: 'recorded-by-you' });
    expect(await decideAfterPreview(rt, appealId, decision, moderator)).toEqual({
      ok: false,
      error: 'recorded-by-you',
    });
    // A linked overturn creates the follow-up from the case's actions, like any appeal on a case.
    expect(await decideAfterPreview(rt, appealId, decision, reviewer)).toEqual({ ok: true });
    expect((await appealForStaff(rt, appealId))!.followUps.map((f) => f.kind)).toEqual(['restore-comment']);
  });

  it('catches a typo by the check character, before any lookup, and an unknown or appeal reference', async () => {
    const appealId = await postAppeal();
    const c = await insertTestCase(rt.db, { recordedBy: moderator.id });
    const r = await linkAppealToCase(rt, appealId, typo(c.reference), reviewer);
    expect(r).toMatchObject({ ok: false, error: 'check-failed' });
    expect(await linkAppealToCase(rt, appealId, '', reviewer)).toMatchObject({
      ok: false,
      error: 'empty',
      message: 'Enter the case reference',
    });
    expect(await linkAppealToCase(rt, appealId, 'ABC', reviewer)).toMatchObject({ ok: false, error: 'wrong-length' });
    expect(await linkAppealToCase(rt, appealId, '7K3M-Q9TX-2M!', reviewer)).toMatchObject({
      ok: false,
      error: 'invalid-character',
    });
    expect(await linkAppealToCase(rt, appealId, 'x'.repeat(100_000), reviewer)).toMatchObject({
      ok: false,
      error: 'wrong-length',
    });
    // A well-formed reference nobody issued (50 random bits: never one of the few cases here).
    const unknown = generateReference();
    expect(await linkAppealToCase(rt, appealId, unknown, reviewer)).toMatchObject({
      ok: false,
      error: 'case-not-found',
      message: 'There is no case with that reference',
    });
    const own = (await findAppealById(rt.db, appealId))!.reference;
    expect(await linkAppealToCase(rt, appealId, own, reviewer)).toMatchObject({ ok: false, error: 'appeal-reference' });
    expect((await findAppealById(rt.db, appealId))!.caseId).toBeNull();
    expect((await listAppealEvents(rt.db, appealId)).some((e) => e.kind === 'case-linked')).toBe(false);
  });

  it('refuses a case that already has an open appeal, naming it', async () => {
    const appealId = await postAppeal();
    const other = await caseAppeal();
    const otherRef = (await findAppealById(rt.db, other.id))!.reference;
    const r = await linkAppealToCase(rt, appealId, other.caseRef, reviewer);
    expect(r).toMatchObject({ ok: false, error: 'case-has-open-appeal' });
    expect(!r.ok && r.message).toContain(otherRef);
    expect((await findAppealById(rt.db, appealId))!.caseId).toBeNull();
    // Once that appeal is decided the case is free again.
    await updateAppeal(rt.db, other.id, { status: 'decided' });
    expect((await linkAppealToCase(rt, appealId, other.caseRef, reviewer)).ok).toBe(true);
  });

  it('only links an open appeal that has no case yet', async () => {
    const linked = await caseAppeal();
    const c = await insertTestCase(rt.db, { recordedBy: moderator.id });
    expect(await linkAppealToCase(rt, linked.id, c.reference, reviewer)).toMatchObject({
      ok: false,
      error: 'not-allowed',
    });
    const withdrawn = await postAppeal();
    await updateAppeal(rt.db, withdrawn, { status: 'withdrawn' });
    expect(await linkAppealToCase(rt, withdrawn, c.reference, reviewer)).toMatchObject({
      ok: false,
      error: 'not-allowed',
    });
    expect(await linkAppealToCase(rt, 999_999, c.reference, reviewer)).toMatchObject({ ok: false, error: 'not-found' });
  });
});

describe('staff text over its limit is refused, never cut short', () => {
  const over = (max: number) => 'a'.repeat(max + 1);

  it('form schemas give a field error for each free-text field', () => {
    expect(validateForm(NoteFormSchema, { note: over(LIMITS.internalNote) })).toMatchObject({
      ok: false,
      errors: { note: REVIEW_FIELD_MESSAGES.noteTooLong },
    });
    expect(validateForm(NoteFormSchema, { note: '  ' })).toMatchObject({
      ok: false,
      errors: { note: REVIEW_FIELD_MESSAGES.noteEmpty },
    });
    expect(validateForm(NoteFormSchema, { note: 'a'.repeat(LIMITS.internalNote) }).ok).toBe(true);
    expect(validateForm(InformationRequestFormSchema, { message: over(LIMITS.informationRequest) })).toMatchObject({
      ok: false,
      errors: { message: REVIEW_FIELD_MESSAGES.messageTooLong },
    });
    const decision = validateForm(DecisionFormSchema, {
      outcome: 'upheld',
      explanation: over(LIMITS.decisionExplanation),
      version: '1.0',
    });
    expect(decision).toMatchObject({ ok: false, errors: { explanation: REVIEW_FIELD_MESSAGES.explanationTooLong } });
    // Emoji count as one character each, as people count them.
    expect(validateForm(NoteFormSchema, { note: '😀'.repeat(LIMITS.internalNote) }).ok).toBe(true);
  });

  it("the appellant's further information is refused over its limit too", () => {
    expect(validateForm(FurtherInformationSchema, { information: over(LIMITS.appealReason) })).toMatchObject({
      ok: false,
      errors: { information: FURTHER_INFORMATION_MESSAGES.tooLong },
    });
    expect(validateForm(FurtherInformationSchema, { information: 'a'.repeat(LIMITS.appealReason) }).ok).toBe(true);
  });

  it('forged outcomes and versions are field errors, not crashes', () => {
    expect(validateForm(DecisionFormSchema, { outcome: 'banished', explanation: 'x', version: '1.0' })).toMatchObject({
      ok: false,
      errors: { outcome: REVIEW_FIELD_MESSAGES.outcome },
    });
    expect(
      validateForm(DecisionFormSchema, { outcome: 'upheld', explanation: 'x', version: 'v'.repeat(5000) }),
    ).toMatchObject({ ok: false, errors: { version: REVIEW_FIELD_MESSAGES.version } });
    expect(validateForm(DecisionFormSchema, { explanation: 'x' })).toMatchObject({
      ok: false,
      errors: { outcome: REVIEW_FIELD_MESSAGES.outcome, version: REVIEW_FIELD_MESSAGES.version },
    });
  });

  it('the domain refuses too, storing and sending nothing', async () => {
    const { id } = await caseAppeal();
    const events = (await listAppealEvents(rt.db, id)).length;
    const emails = (await listEmails(rt.db)).length;
    expect(await addNote(rt, id, over(LIMITS.internalNote), reviewer)).toEqual({ ok: false, error: 'text-too-long' });
    expect(await addNote(rt, id, ' ', reviewer)).toEqual({ ok: false, error: 'text-required' });
    expect(await requestInformation(rt, id, over(LIMITS.informationRequest), reviewer)).toEqual({
      ok: false,
      error: 'text-too-long',
    });
    expect(
      await decideAfterPreview(
        rt,
        id,
        { outcome: 'upheld', explanation: over(LIMITS.decisionExplanation), version: '1.0' },
        reviewer,
      ),
    ).toEqual({ ok: false, error: 'explanation-too-long' });
    expect((await listAppealEvents(rt.db, id)).length).toBe(events);
    expect((await listEmails(rt.db)).length).toBe(emails);
    expect((await findAppealById(rt.db, id))!.status).toBe('new');
  });
});

describe('send is exactly what was previewed', () => {
  it('sends when the digest matches, refuses when anything changed since the preview', async () => {
    const { id } = await caseAppeal();
    const input = { outcome: 'upheld' as const, explanation: 'Our principles were applied correctly.', version: '1.0' };
    const preview = await previewDecision(rt, id, input, reviewer);
    if (!preview.ok) throw new Error(preview.error);
    // The reviewer edits the reasons after previewing, or a forged form changes the outcome.
    expect(
      await decideAppeal(
        rt,
        id,
        { ...input, explanation: `${input.explanation} Edited.`, previewed: preview.plan.digest },
        reviewer,
      ),
    ).toEqual({ ok: false, error: 'preview-changed' });
    expect(
      await decideAppeal(rt, id, { ...input, outcome: 'overturned', previewed: preview.plan.digest }, reviewer),
    ).toEqual({ ok: false, error: 'preview-changed' });
    expect(await decideAppeal(rt, id, { ...input, previewed: '' }, reviewer)).toEqual({
      ok: false,
      error: 'preview-changed',
    });
    expect((await findAppealById(rt.db, id))!.status).toBe('new');
    expect(await decideAppeal(rt, id, { ...input, previewed: preview.plan.digest }, reviewer)).toEqual({ ok: true });
    const sent = (await listEmails(rt.db)).find(
      (m) => m.kind === 'appeal-decision' && m.text === preview.plan.email.text,
    );
    expect(sent?.html).toBe(preview.plan.email.html);
  });
});

describe('assignAppeal', () => {
  it('assigns only to an active reviewer (or nobody)', async () => {
    const { id } = await caseAppeal();
    expect(await assignAppeal(rt, id, moderatorOnly, reviewer)).toEqual({ ok: false, error: 'not-a-reviewer' });
    expect(await assignAppeal(rt, id, 987_654, reviewer)).toEqual({ ok: false, error: 'not-a-reviewer' });
    expect((await findAppealById(rt.db, id))!.assignedTo).toBeNull();
    expect(await assignAppeal(rt, id, reviewer.id, moderator)).toEqual({ ok: true });
    expect(await assignAppeal(rt, id, null, moderator)).toEqual({ ok: true });
    expect((await findAppealById(rt.db, id))!.assignedTo).toBeNull();
  });
});

describe('deciding a no-reference appeal: linked, or an explicit, audited "no matching case found"', () => {
  const decision = {
    outcome: 'upheld' as const,
    explanation: 'Our principles were applied correctly.',
    version: '1.0',
  };

  it('decisionBlocker: the recorder of the given or linked case; an unsettled no-reference appeal for everyone', () => {
    expect(decisionBlocker({ caseId: 7, caseRecordedBy: 1, noMatchingCase: false }, 1)).toBe('recorded-by-you');
    expect(decisionBlocker({ caseId: 7, caseRecordedBy: 1, noMatchingCase: false }, 2)).toBeNull();
    expect(decisionBlocker({ caseId: 7, caseRecordedBy: undefined, noMatchingCase: false }, 2)).toBeNull();
    expect(decisionBlocker({ caseId: null, caseRecordedBy: undefined, noMatchingCase: false }, 1)).toBe(
      'case-not-settled',
    );
    expect(decisionBlocker({ caseId: null, caseRecordedBy: undefined, noMatchingCase: true }, 1)).toBeNull();
  });

  it('refuses to decide until linked or marked; the mark is one transaction with history and audit, once only', async () => {
    const appealId = await postAppeal();
    const emails = (await listEmails(rt.db)).length;
    expect(await decideAfterPreview(rt, appealId, decision, reviewer)).toEqual({
      ok: false,
      error: 'case-not-settled',
    });
    expect((await listEmails(rt.db)).length).toBe(emails);
    expect((await findAppealById(rt.db, appealId))!.status).toBe('new');

    expect(await recordNoMatchingCase(rt, appealId, reviewer)).toEqual({ ok: true });
    const event = (await listAppealEvents(rt.db, appealId)).find((e) => e.kind === 'no-matching-case');
    expect(event).toMatchObject({ actorType: 'staff', actorId: reviewer.id });
    expect(
      (await listAudit(rt.db)).some(
        (e) => e.action === 'appeal.no-matching-case' && e.entityId === String(appealId) && e.actorId === reviewer.id,
      ),
    ).toBe(true);
    const view = (await appealForStaff(rt, appealId))!;
    expect(view.decisionFacts).toEqual({ caseId: null, caseRecordedBy: undefined, noMatchingCase: true });
    expect(view.history.some((h) => h.label === 'No matching case found' && h.who === 'Rita Reviewer')).toBe(true);
    // Once only, and not on an unknown appeal.
    expect(await recordNoMatchingCase(rt, appealId, reviewer)).toEqual({ ok: false, error: 'not-allowed' });
    expect(await recordNoMatchingCase(rt, 999_999, reviewer)).toEqual({ ok: false, error: 'not-found' });

    expect(await decideAfterPreview(rt, appealId, decision, moderator)).toEqual({ ok: true });
    // Not on a decided appeal either.
    expect(await recordNoMatchingCase(rt, await postAppealDecided(), reviewer)).toEqual({
      ok: false,
      error: 'not-allowed',
    });
  });

  it('is refused on an appeal that has a case; a case found after the mark can still be linked, and then the rule binds', async () => {
    const { id: withCase } = await caseAppeal();
    expect(await recordNoMatchingCase(rt, withCase, reviewer)).toEqual({ ok: false, error: 'not-allowed' });
    expect((await listAppealEvents(rt.db, withCase)).some((e) => e.kind === 'no-matching-case')).toBe(false);

    const appealId = await postAppeal();
    expect(await recordNoMatchingCase(rt, appealId, moderator)).toEqual({ ok: true });
    const c = await insertTestCase(rt.db, { actionAt: new Date(clock - 3 * DAY), recordedBy: moderator.id });
    expect((await linkAppealToCase(rt, appealId, c.reference, reviewer)).ok).toBe(true);
    expect((await appealForStaff(rt, appealId))!.decisionFacts).toEqual({
      caseId: c.id,
      caseRecordedBy: moderator.id,
      noMatchingCase: false,
    });
    expect(await previewDecision(rt, appealId, decision, moderator)).toEqual({ ok: false, error: 'recorded-by-you' });
    expect(await decideAfterPreview(rt, appealId, decision, reviewer)).toEqual({ ok: true });
  });
});

async function postAppealDecided(): Promise<number> {
  const id = await postAppeal();
  await updateAppeal(rt.db, id, { status: 'decided' });
  return id;
}
