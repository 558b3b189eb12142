/**
 * The staff appeal page's forms (src/lib/review/form.ts): each intent runs its action;
 * errors land next to the right field; a decision is previewed, and only that preview is sent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { findAppealById, listAppealEvents } from '../../db/appeals.ts';
import { listEmails } from '../../db/outbox.ts';
import {
  decisionNotice,
  FOLLOW_UP_NOT_FOUND,
  handleAppealForm,
  REVIEW_ERROR_MESSAGES,
} from '../../src/lib/review/form.ts';
import { findFollowUpById, insertFollowUp } from '../../db/review.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { appealForStaff, linkAppealToCase, REVIEW_FIELD_MESSAGES, type Actor } from '../../src/lib/review/review.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';

const DAY = 24 * 60 * 60_000;
const clock = Date.UTC(2026, 10, 25, 10, 0, 0);
const rt = await testRuntime({ now: () => new Date(clock) });

let moderator: Actor;
let reviewer: Actor;

beforeAll(async () => {
  moderator = { id: await testStaff(rt, ['moderator', 'reviewer'], 'Mo Derator'), ip: '127.0.0.1' };
  reviewer = { id: await testStaff(rt, ['reviewer'], 'Rita Reviewer'), ip: '127.0.0.1' };
});

async function newAppeal(): Promise<number> {
  const c = await insertTestCase(rt.db, { actionAt: new Date(clock - 2 * DAY), recordedBy: moderator.id });
  const r = await createAppeal(rt, {
    subject: { kind: 'case', caseReference: c.reference },
    reason: 'Fair question.',
    email: `p${Math.random().toString(36).slice(2)}@example.org`,
    name: null,
  });
  if (!r.ok) throw new Error(r.error);
  return r.appeal.id;
}

const decision = { outcome: 'overturned', explanation: 'Criticism of the service is allowed.', version: '1.0' };

describe('handleAppealForm', () => {
  it('goes back to the appeal after an action that worked', async () => {
    const id = await newAppeal();
    expect(await handleAppealForm(rt, id, { intent: 'start' }, reviewer)).toEqual({
      kind: 'redirect',
      to: `/staff/appeals/${id}`,
    });
    expect((await findAppealById(rt.db, id))?.status).toBe('in-review');
    expect(await handleAppealForm(rt, id, { intent: 'assign-me' }, reviewer)).toEqual({
      kind: 'redirect',
      to: `/staff/appeals/${id}`,
    });
    expect((await findAppealById(rt.db, id))?.assignedTo).toBe(reviewer.id);
    expect((await handleAppealForm(rt, id, { intent: 'note', note: 'Checked the thread.' }, reviewer)).kind).toBe(
      'redirect',
    );
    expect((await listAppealEvents(rt.db, id)).map((e) => e.kind)).toContain('note');
  });

  it('puts each error next to its field, or at the top when it belongs to no field', async () => {
    const id = await newAppeal();
    expect(await handleAppealForm(rt, id, { intent: 'note', note: '   ' }, reviewer)).toEqual({
      kind: 'page',
      errors: { note: REVIEW_FIELD_MESSAGES.noteEmpty },
      preview: undefined,
    });
    expect(await handleAppealForm(rt, id, { intent: 'assign', assignee: '1 or 1=1' }, reviewer)).toEqual({
      kind: 'page',
      errors: { assignee: REVIEW_ERROR_MESSAGES['not-a-reviewer'] },
      preview: undefined,
    });
    expect(
      await handleAppealForm(rt, id, { intent: 'assign', assignee: String(moderator.id + 1000) }, reviewer),
    ).toMatchObject({ errors: { assignee: REVIEW_ERROR_MESSAGES['not-a-reviewer'] } });
    expect(await handleAppealForm(rt, id, { intent: 'forged' }, reviewer)).toEqual({
      kind: 'page',
      errors: { decision: 'Choose an action' },
      preview: undefined,
    });
    expect(await handleAppealForm(rt, id, { intent: 'resume' }, reviewer)).toMatchObject({
      errors: { decision: REVIEW_ERROR_MESSAGES['not-allowed'] },
    });
    expect(await handleAppealForm(rt, id, { intent: 'preview', ...decision, explanation: '' }, reviewer)).toMatchObject(
      {
        errors: { explanation: REVIEW_FIELD_MESSAGES.explanationEmpty },
      },
    );
    expect(await handleAppealForm(rt, id, { intent: 'preview', ...decision, version: '9.9' }, reviewer)).toMatchObject({
      errors: { version: REVIEW_FIELD_MESSAGES.version },
    });
    // The reviewer who recorded the case is refused at the top of the page, preview or send.
    expect(await handleAppealForm(rt, id, { intent: 'preview', ...decision }, moderator)).toMatchObject({
      errors: { decision: REVIEW_ERROR_MESSAGES['recorded-by-you'] },
    });
    expect(await handleAppealForm(rt, id, { intent: 'send', ...decision, previewed: 'x' }, moderator)).toMatchObject({
      errors: { decision: REVIEW_ERROR_MESSAGES['recorded-by-you'] },
    });
    expect((await findAppealById(rt.db, id))?.status).toBe('new');
  });

  it('previews the decision email, and sends only what was previewed', async () => {
    const id = await newAppeal();
    const shown = await handleAppealForm(rt, id, { intent: 'preview', ...decision }, reviewer);
    if (shown.kind !== 'page' || !shown.preview) throw new Error('no preview');
    expect(shown.errors).toEqual({});
    expect(shown.preview.text).toContain(decision.explanation);
    const before = (await listEmails(rt.db)).length;

    // Edited after the preview (or no preview at all): not sent; the new preview is shown instead.
    for (const previewed of [shown.preview.digest, '']) {
      const edited = await handleAppealForm(
        rt,
        id,
        { intent: 'send', ...decision, explanation: `${decision.explanation} Edited.`, previewed },
        reviewer,
      );
      if (edited.kind !== 'page') throw new Error('sent an email nobody read');
      expect(edited.errors).toEqual({ decision: REVIEW_ERROR_MESSAGES['preview-changed'] });
      expect(edited.preview?.text).toContain('Edited.');
    }
    expect((await listEmails(rt.db)).length).toBe(before);
    expect((await findAppealById(rt.db, id))?.status).toBe('new');

    expect(
      await handleAppealForm(rt, id, { intent: 'send', ...decision, previewed: shown.preview.digest }, reviewer),
    ).toEqual({ kind: 'redirect', to: `/staff/appeals/${id}` });
    expect(await findAppealById(rt.db, id)).toMatchObject({ status: 'decided', outcome: 'overturned' });
    const sent = (await listEmails(rt.db)).filter((m) => m.kind === 'appeal-decision');
    expect(sent.at(-1)?.text).toBe(shown.preview.text);
  });
});

describe('marking a follow-up done', () => {
  it('takes only a whole number naming a follow-up of this appeal; anything else gets a clear message', async () => {
    const id = await newAppeal();
    const other = await newAppeal();
    const f = await insertFollowUp(rt.db, { appealId: id, kind: 'restore-comment', dueAt: new Date(clock + DAY) });
    const theirs = await insertFollowUp(rt.db, {
      appealId: other,
      kind: 'restore-comment',
      dueAt: new Date(clock + DAY),
    });
    // Until this change "<id>abc" was read as <id> (parseInt) and marked it done.
    for (const followUp of [`${f.id}abc`, ' ', 'x', '0', `0${f.id}`, '99999', String(theirs.id)]) {
      expect(await handleAppealForm(rt, id, { intent: 'follow-up', followUp }, reviewer)).toEqual({
        kind: 'page',
        errors: { decision: FOLLOW_UP_NOT_FOUND },
        preview: undefined,
      });
    }
    expect((await findFollowUpById(rt.db, f.id))?.doneAt).toBeNull();
    expect(await handleAppealForm(rt, id, { intent: 'follow-up', followUp: String(f.id) }, reviewer)).toEqual({
      kind: 'redirect',
      to: `/staff/appeals/${id}`,
    });
    expect((await findFollowUpById(rt.db, f.id))?.doneAt).toBeInstanceOf(Date);
    expect(await handleAppealForm(rt, id, { intent: 'follow-up', followUp: String(f.id) }, reviewer)).toMatchObject({
      errors: { decision: REVIEW_ERROR_MESSAGES['not-allowed'] },
    });
  });
});

describe('who may decide, on the page (issue 17, point 9)', () => {
  async function noReferenceAppeal(): Promise<number> {
    const r = await createAppeal(rt, {
      subject: { kind: 'post', platform: 'x', handle: '@no_ref_form', date: '2026-11-20', postUrl: null },
      reason: 'No reference.',
      email: `n${Math.random().toString(36).slice(2)}@example.org`,
      name: null,
    });
    if (!r.ok) throw new Error(r.error);
    return r.appeal.id;
  }

  it('a no-reference appeal: the preview is refused until it is linked or marked; "no matching case" then lets it be decided', async () => {
    const id = await noReferenceAppeal();
    const refused = await handleAppealForm(rt, id, { intent: 'preview', ...decision }, reviewer);
    expect(refused).toEqual({
      kind: 'page',
      errors: { decision: REVIEW_ERROR_MESSAGES['case-not-settled'] },
      preview: undefined,
    });
    expect(REVIEW_ERROR_MESSAGES['case-not-settled']).toBe(
      'Link this appeal to its case, or record that no matching case was found, before you decide it',
    );
    expect(await handleAppealForm(rt, id, { intent: 'no-matching-case' }, reviewer)).toEqual({
      kind: 'redirect',
      to: `/staff/appeals/${id}`,
    });
    expect((await listAppealEvents(rt.db, id)).filter((e) => e.kind === 'no-matching-case')).toHaveLength(1);
    // A second post (Back and submit again) changes nothing and says why.
    expect(await handleAppealForm(rt, id, { intent: 'no-matching-case' }, reviewer)).toEqual({
      kind: 'page',
      errors: { decision: REVIEW_ERROR_MESSAGES['not-allowed'] },
      preview: undefined,
    });
    const preview = await handleAppealForm(rt, id, { intent: 'preview', ...decision }, reviewer);
    if (preview.kind !== 'page' || !preview.preview) throw new Error('expected a preview');
    expect(
      await handleAppealForm(rt, id, { intent: 'send', ...decision, previewed: preview.preview.digest }, reviewer),
    ).toEqual({ kind: 'redirect', to: `/staff/appeals/${id}` });
    expect((await findAppealById(rt.db, id))?.status).toBe('decided');
  });

  it('appealForStaff says what the page shows: open or not, the claimed day, the templates in their groups', async () => {
    const noRef = await noReferenceAppeal();
    const view = (await appealForStaff(rt, noRef))!;
    expect(view.isOpen).toBe(true);
    expect(view.claimedDay?.toISOString()).toBe('2026-11-20T12:00:00.000Z');
    expect(view.templateGroups.flatMap((g) => g.templates)).toEqual(view.templates);
    for (const g of view.templateGroups) expect(g.templates.every((t) => t.groupLabel === g.label)).toBe(true);
    expect(new Set(view.templateGroups.map((g) => g.label)).size).toBe(view.templateGroups.length);
    const id = await newAppeal();
    expect((await appealForStaff(rt, id))!.claimedDay).toBeUndefined();
    expect((await handleAppealForm(rt, id, { intent: 'start' }, reviewer)).kind).toBe('redirect');
    const preview = await handleAppealForm(rt, id, { intent: 'preview', ...decision }, reviewer);
    if (preview.kind !== 'page' || !preview.preview) throw new Error('expected a preview');
    expect(
      (await handleAppealForm(rt, id, { intent: 'send', ...decision, previewed: preview.preview.digest }, reviewer))
        .kind,
    ).toBe('redirect');
    expect((await appealForStaff(rt, id))!.isOpen).toBe(false);
  });

  it('decisionNotice: shown to the person who recorded the case, before they write anything; to everyone on an unsettled no-reference appeal', async () => {
    const id = await newAppeal();
    const view = (await appealForStaff(rt, id))!;
    const reference = view.caseRecord!.reference;
    expect(decisionNotice(view.decisionFacts, moderator.id, reference)).toBe(
      `You recorded case ${reference}, so you cannot decide this appeal. Ask another reviewer to decide it. You can still add notes, ask the appellant for more information and assign it.`,
    );
    expect(decisionNotice(view.decisionFacts, reviewer.id, reference)).toBeNull();

    const noRef = await noReferenceAppeal();
    const before = (await appealForStaff(rt, noRef))!;
    for (const who of [moderator, reviewer]) {
      expect(decisionNotice(before.decisionFacts, who.id, undefined)).toBe(
        'Before this appeal can be decided, link it to its case or record that no matching case was found. Whoever recorded the case cannot decide the appeal.',
      );
    }
    // Linked to a case the moderator recorded: the rule now binds them, and only them.
    const c = await insertTestCase(rt.db, { actionAt: new Date(clock - 2 * DAY), recordedBy: moderator.id });
    expect((await linkAppealToCase(rt, noRef, c.reference, reviewer)).ok).toBe(true);
    const after = (await appealForStaff(rt, noRef))!;
    expect(decisionNotice(after.decisionFacts, moderator.id, c.reference)).toMatch(
      new RegExp(`^You recorded case ${c.reference}, so you cannot decide this appeal`),
    );
    expect(decisionNotice(after.decisionFacts, reviewer.id, c.reference)).toBeNull();
  });
});
