/**
 * Reply templates: placeholders filled from the appeal, the `###` must-edit marker refusing
 * preview and send (in the domain, not only the page), "Use template" never overwriting typed
 * reasons, the admin list/create/edit/retire with audit entries, and the history naming the
 * template a decision started from.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { findAppealById, listAppealEvents } from '../../db/appeals.ts';
import { listAudit } from '../../db/audit.ts';
import { findCaseById } from '../../db/cases.ts';
import { listEmails } from '../../db/outbox.ts';
import { handleAppealForm, REVIEW_ERROR_MESSAGES, TEMPLATE_MESSAGES } from '../../src/lib/review/form.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import {
  allTemplates,
  createTemplate,
  editTemplate,
  fillTemplate,
  MUST_EDIT_MARKER,
  parseTemplateForm,
  placeholderValues,
  retire,
  templateGrounds,
  templatesForAppeal,
  unknownPlaceholders,
} from '../../src/lib/review/reply-templates.ts';
import { appealForStaff, decideAppeal, previewDecision, type Actor } from '../../src/lib/review/review.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';

const DAY = 24 * 60 * 60_000;
const clock = Date.UTC(2026, 10, 25, 10, 0, 0);
const rt = await testRuntime({ now: () => new Date(clock), env: { PUBLIC_URL: 'https://appeals.example.nhs.uk' } });
let moderator: Actor;
let reviewer: Actor;
let admin: Actor;

beforeAll(async () => {
  moderator = { id: await testStaff(rt, ['moderator'], 'Mo Derator'), ip: '127.0.0.1' };
  reviewer = { id: await testStaff(rt, ['reviewer'], 'Rita Reviewer'), ip: '127.0.0.1' };
  admin = { id: await testStaff(rt, ['admin'], 'Ada Admin'), ip: '127.0.0.1' };
});

async function newAppeal(groundCodes = ['abusive']) {
  const c = await insertTestCase(rt.db, {
    actionAt: new Date(clock - 2 * DAY),
    recordedBy: moderator.id,
    actions: ['hidden', 'blocked'],
    groundCodes,
  });
  const r = await createAppeal(rt, {
    subject: { kind: 'case', caseReference: c.reference },
    reason: 'Fair question.',
    email: `p${Math.random().toString(36).slice(2)}@example.org`,
    name: null,
  });
  if (!r.ok) throw new Error(r.error);
  return { id: r.appeal.id, reference: r.appeal.reference, caseReference: c.reference, caseId: c.id };
}

const BODY =
  'We looked again at appeal {{appeal_reference}} about case {{case_reference}}. On {{platform}} we {{action}} because of {{ground}} (principles version {{principles_version}}, {{principles_link}}). ###';

describe('placeholders', () => {
  it('are filled from the appeal and its case', async () => {
    const a = await newAppeal();
    const view = (await appealForStaff(rt, a.id))!;
    const filled = fillTemplate(BODY, placeholderValues(rt, view.appeal, view.caseRecord, '1.0'));
    const ground = (await findCaseById(rt.db, a.caseId))!.grounds[0]!.title;
    expect(filled).toBe(
      `We looked again at appeal ${a.reference} about case ${a.caseReference}. On Facebook we hid your comment and blocked your account because of ${ground} (principles version 1.0, https://appeals.example.nhs.uk/principles/1.0). ###`,
    );
  });

  it('one the appeal does not have yet becomes the must-edit marker; unknown ones are refused when saved', () => {
    expect(
      fillTemplate('Case {{case_reference}} on {{ platform }}.', { case_reference: null, platform: 'X (Twitter)' }),
    ).toBe(`Case ${MUST_EDIT_MARKER} on X (Twitter).`);
    expect(unknownPlaceholders('{{appeal_reference}} {{name}} {{ nope }}')).toEqual(['name', 'nope']);
    expect(parseTemplateForm({ name: 'Kept', outcome: 'upheld', body: 'Hello {{name}}' }, [])).toEqual({
      ok: false,
      errors: { body: '{{name}} is not a placeholder. Use only the placeholders listed' },
    });
  });
});

describe('the admin pages’ domain', () => {
  it('creates, changes and retires templates, each audited; a ground must be one of the principles', async () => {
    const codes = (await templateGrounds(rt)).map((g) => g.code);
    expect(codes).toContain('abusive');
    expect(
      await createTemplate(rt, { name: '', outcome: 'sideways', ground: 'made-up', body: '' }, codes, admin),
    ).toMatchObject({
      ok: false,
      errors: { name: expect.any(String), outcome: expect.any(String), body: expect.any(String) },
    });
    expect(
      await createTemplate(rt, { name: 'Kept', outcome: 'upheld', ground: 'made-up', body: 'x' }, codes, admin),
    ).toEqual({ ok: false, errors: { ground: 'Select a ground from the list, or any ground' } });
    const made = await createTemplate(rt, { name: 'Draft', outcome: 'upheld', ground: '', body: 'Text' }, codes, admin);
    if (!made.ok) throw new Error('not created');
    const changed = await editTemplate(
      rt,
      made.template.id,
      { name: 'Reversed for abuse', outcome: 'overturned', ground: 'abusive', body: 'Changed ###' },
      codes,
      admin,
    );
    expect(changed).toMatchObject({
      ok: true,
      template: { name: 'Reversed for abuse', outcome: 'overturned', groundCode: 'abusive', body: 'Changed ###' },
    });
    expect(await retire(rt, made.template.id, admin)).toMatchObject({ ok: true });
    expect(await retire(rt, made.template.id, admin)).toEqual({ ok: false, error: 'not-found' });
    expect(
      await editTemplate(rt, made.template.id, { name: 'Again', outcome: 'upheld', body: 'x' }, codes, admin),
    ).toEqual({
      ok: false,
      error: 'not-found',
    });
    const actions = (await listAudit(rt.db, { entityType: 'reply_template', entityId: String(made.template.id) })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(['reply-template.retired', 'reply-template.updated', 'reply-template.created']);
    expect((await allTemplates(rt)).find((t) => t.id === made.template.id)?.retiredAt).toEqual(new Date(clock));
  });
});

describe('choosing a template on an appeal', () => {
  let anyGround: number;
  let forIllegal: number;
  beforeAll(async () => {
    const codes = (await templateGrounds(rt)).map((g) => g.code);
    const a = await createTemplate(
      rt,
      { name: 'Kept: against the principles', outcome: 'upheld', ground: '', body: BODY },
      codes,
      admin,
    );
    const b = await createTemplate(
      rt,
      { name: 'Kept: illegal activity', outcome: 'upheld', ground: 'illegal-activity', body: 'Illegal. ###' },
      codes,
      admin,
    );
    if (!a.ok || !b.ok) throw new Error('not created');
    anyGround = a.template.id;
    forIllegal = b.template.id;
  });

  it('offers any-ground templates and those for a ground the case cites, not retired ones', async () => {
    expect((await templatesForAppeal(rt, ['abusive'])).map((t) => t.id)).toEqual([anyGround]);
    expect((await templatesForAppeal(rt, ['abusive', 'illegal-activity'])).map((t) => t.id).sort()).toEqual(
      [anyGround, forIllegal].sort(),
    );
  });

  it('fills empty reasons (and the outcome); never overwrites typed reasons', async () => {
    const a = await newAppeal();
    const used = await handleAppealForm(
      rt,
      a.id,
      { intent: 'use-template', template: String(anyGround), explanation: '', version: '1.0' },
      reviewer,
    );
    if (used.kind !== 'page' || !used.values) throw new Error('not filled');
    expect(used.errors).toEqual({});
    expect(used.values).toMatchObject({ outcome: 'upheld', 'template-used': String(anyGround) });
    expect(used.values['explanation']).toContain(`appeal ${a.reference}`);
    expect(used.notice).toContain('Replace every ###');

    const typed = 'My own careful reasons.';
    const kept = await handleAppealForm(
      rt,
      a.id,
      { intent: 'use-template', template: String(anyGround), explanation: typed },
      reviewer,
    );
    expect(kept).toEqual({
      kind: 'page',
      errors: { template: TEMPLATE_MESSAGES['reasons-not-empty'] },
      preview: undefined,
    });
    const wrongGround = await handleAppealForm(
      rt,
      a.id,
      { intent: 'use-template', template: String(forIllegal), explanation: '' },
      reviewer,
    );
    expect(wrongGround).toMatchObject({ errors: { template: TEMPLATE_MESSAGES['not-for-this-appeal'] } });
    expect(
      await handleAppealForm(rt, a.id, { intent: 'use-template', template: '99999', explanation: '' }, reviewer),
    ).toMatchObject({ errors: { template: TEMPLATE_MESSAGES['not-found'] } });
  });

  it('### refuses the preview and the send, in the domain as well as the form; nothing is sent', async () => {
    const a = await newAppeal();
    const used = await handleAppealForm(
      rt,
      a.id,
      { intent: 'use-template', template: String(anyGround), explanation: '', version: '1.0' },
      reviewer,
    );
    if (used.kind !== 'page' || !used.values) throw new Error('not filled');
    const filled = String(used.values['explanation']);
    expect(filled).toContain('###');
    const emails = (await listEmails(rt.db)).length;
    const input = { outcome: 'upheld' as const, explanation: filled, version: '1.0' };

    expect(await handleAppealForm(rt, a.id, { ...used.values, intent: 'preview' }, reviewer)).toEqual({
      kind: 'page',
      errors: { explanation: REVIEW_ERROR_MESSAGES['must-edit-marker'] },
      preview: undefined,
    });
    expect(
      await handleAppealForm(rt, a.id, { ...used.values, intent: 'send', previewed: 'anything' }, reviewer),
    ).toMatchObject({ kind: 'page', errors: { explanation: REVIEW_ERROR_MESSAGES['must-edit-marker'] } });
    expect(await previewDecision(rt, a.id, input, reviewer)).toEqual({ ok: false, error: 'must-edit-marker' });
    expect(await decideAppeal(rt, a.id, { ...input, previewed: 'x' }, reviewer)).toEqual({
      ok: false,
      error: 'must-edit-marker',
    });
    expect((await findAppealById(rt.db, a.id))?.status).toBe('new');
    expect((await listEmails(rt.db)).length).toBe(emails);

    // Replaced: previewed, sent, and the history names the template.
    const edited = { ...used.values, explanation: filled.replace('###', 'Your comment named a member of staff.') };
    const shown = await handleAppealForm(rt, a.id, { ...edited, intent: 'preview' }, reviewer);
    if (shown.kind !== 'page' || !shown.preview) throw new Error('no preview');
    expect(
      await handleAppealForm(rt, a.id, { ...edited, intent: 'send', previewed: shown.preview.digest }, reviewer),
    ).toEqual({ kind: 'redirect', to: `/staff/appeals/${a.id}` });
    const decided = (await listAppealEvents(rt.db, a.id)).find((e) => e.kind === 'decided')!;
    expect(decided.details).toMatchObject({ templateId: anyGround, templateName: 'Kept: against the principles' });
    const history = (await appealForStaff(rt, a.id))!.history.find((h) => h.kind === 'decided')!;
    expect(history.detail).toBe(
      'We have kept our decision; reasons started from the reply template “Kept: against the principles”',
    );
    expect((await listAudit(rt.db, { action: 'appeal.decided', entityId: String(a.id) }))[0]?.details).toMatchObject({
      template: 'Kept: against the principles',
    });
  });

  it('a forged template-used is refused with a message, not recorded; what was typed is kept', async () => {
    const a = await newAppeal();
    const typed = { outcome: 'upheld', explanation: 'My own reasons, typed with care.', version: '1.0' };
    // Not a number, a number with letters after it, no such template, one for a ground this case does not cite.
    for (const forged of ['abc', `${anyGround}abc`, '99999', String(forIllegal)]) {
      for (const intent of ['preview', 'send']) {
        const out = await handleAppealForm(
          rt,
          a.id,
          { ...typed, intent, previewed: 'x', 'template-used': forged },
          reviewer,
        );
        expect(out).toEqual({
          kind: 'page',
          errors: { decision: TEMPLATE_MESSAGES['used-not-found'] },
          preview: undefined,
          values: { ...typed, intent, previewed: 'x', 'template-used': '' },
        });
      }
    }
    expect((await findAppealById(rt.db, a.id))?.status).toBe('new');
    // A real template for this appeal is still recorded, and so is one retired since it was used.
    expect(
      await handleAppealForm(rt, a.id, { ...typed, intent: 'preview', 'template-used': String(anyGround) }, reviewer),
    ).toMatchObject({ errors: {}, preview: expect.anything() });
    const later = await createTemplate(
      rt,
      { name: 'Kept: retired since', outcome: 'upheld', ground: '', body: 'Old words.' },
      (await templateGrounds(rt)).map((g) => g.code),
      admin,
    );
    if (!later.ok) throw new Error('not created');
    expect((await retire(rt, later.template.id, admin)).ok).toBe(true);
    const shown = await handleAppealForm(
      rt,
      a.id,
      { ...typed, intent: 'preview', 'template-used': String(later.template.id) },
      reviewer,
    );
    if (shown.kind !== 'page' || !shown.preview) throw new Error('no preview');
    expect(
      (
        await handleAppealForm(
          rt,
          a.id,
          { ...typed, intent: 'send', previewed: shown.preview.digest, 'template-used': String(later.template.id) },
          reviewer,
        )
      ).kind,
    ).toBe('redirect');
    expect((await listAppealEvents(rt.db, a.id)).find((e) => e.kind === 'decided')!.details).toMatchObject({
      templateName: 'Kept: retired since',
    });
  });
});
