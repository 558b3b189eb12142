/**
 * The forms on a staff appeal page (/staff/appeals/<id>): each post names its `intent`; this
 * runs the matching review action and says what the page does next — go back to the appeal
 * (POST-redirect-GET) or show it again with errors next to the fields and, for a decision, the
 * preview of the email exactly as it will be sent.
 */
import { type FormValues, validateForm, valueOf, recordId, type Runtime } from '../platform/index.ts';
import {
  addNote,
  assignAppeal,
  completeFollowUp,
  decideAppeal,
  decisionBlocker,
  DecisionFormSchema,
  InformationRequestFormSchema,
  linkAppealToCase,
  NoteFormSchema,
  previewDecision,
  recordNoMatchingCase,
  requestInformation,
  resumeReview,
  REVIEW_FIELD_MESSAGES,
  startReview,
  appealForStaff,
  type Actor,
  type DecisionFacts,
  type DecisionInput,
  type ReviewError,
  type ReviewResult,
} from './review.ts';
import { checkTemplateUsed, hasMustEditMarker, useTemplate } from './reply-templates.ts';

export const REVIEW_ERROR_MESSAGES: Record<ReviewError, string> = {
  'not-found': 'This appeal could not be found',
  'not-allowed': 'That cannot be done to this appeal in its current state',
  'recorded-by-you': 'You recorded this case, so you cannot decide the appeal. Ask another reviewer to decide it.',
  'case-not-settled': 'Link this appeal to its case, or record that no matching case was found, before you decide it',
  'version-not-found': REVIEW_FIELD_MESSAGES.version,
  'explanation-required': REVIEW_FIELD_MESSAGES.explanationEmpty,
  'explanation-too-long': REVIEW_FIELD_MESSAGES.explanationTooLong,
  'not-a-reviewer': 'Select a reviewer from the list',
  'preview-changed': 'The decision email has changed since you previewed it. Read the new preview, then send it.',
  'text-required': 'Enter some text',
  'text-too-long': 'That text is too long',
  'must-edit-marker': 'Replace every ### in the reasons with your own words, then preview the decision',
};

export const TEMPLATE_MESSAGES = {
  'not-found': 'Select a reply template from the list',
  'not-for-this-appeal': 'That template is for a ground this case does not cite. Select another',
  'reasons-not-empty':
    'The reasons box already has text in it, so the template was not used (your text is kept). To use the template instead, clear the reasons box, then select Use template again',
  /** The hidden `template-used` names no template that fits this appeal (the form was altered). */
  'used-not-found':
    'The reply template these reasons are said to start from could not be found, so it has been removed. Your reasons are kept: preview the decision again',
} as const;

/** A follow-up id that is not a number, or names no follow-up of this appeal. */
export const FOLLOW_UP_NOT_FOUND = 'That follow-up could not be found. Reload the page and try again';

/** Which field a domain error is shown next to; the rest go at the top of the page (`decision`). */
const ERROR_FIELD: Partial<Record<ReviewError, string>> = {
  'explanation-required': 'explanation',
  'explanation-too-long': 'explanation',
  'must-edit-marker': 'explanation',
  'version-not-found': 'version',
  'not-a-reviewer': 'assignee',
};

/**
 * What the top of the appeal page tells the person looking at it about who may decide, before
 * they write anything: shown only to the person the rule binds (they recorded the case), or, on a
 * no-reference appeal not yet settled, to everyone (it must be linked or marked first).
 */
export function decisionNotice(
  facts: DecisionFacts,
  staffId: number,
  caseReference: string | undefined,
): string | null {
  const blocker = decisionBlocker(facts, staffId);
  if (blocker === 'recorded-by-you') {
    const which = caseReference ? `case ${caseReference}` : 'this case';
    return `You recorded ${which}, so you cannot decide this appeal. Ask another reviewer to decide it. You can still add notes, ask the appellant for more information and assign it.`;
  }
  if (blocker === 'case-not-settled') {
    return 'Before this appeal can be decided, link it to its case or record that no matching case was found. Whoever recorded the case cannot decide the appeal.';
  }
  return null;
}

export interface DecisionPreview {
  subject: string;
  text: string;
  html: string;
  /** What the "Send decision" form carries back, so only this email can be sent. */
  digest: string;
}

export type AppealFormOutcome =
  | { kind: 'redirect'; to: string }
  | {
      kind: 'page';
      errors: Record<string, string>;
      preview: DecisionPreview | undefined;
      values?: FormValues;
      notice?: string;
    };

/** Runs one posted form of the staff appeal page for `actor` (the signed-in reviewer). */
export async function handleAppealForm(
  rt: Runtime,
  appealId: number,
  values: FormValues,
  actor: Actor,
): Promise<AppealFormOutcome> {
  let errors: Record<string, string> = {};
  let preview: DecisionPreview | undefined;
  const fail = (error: ReviewError) => void (errors[ERROR_FIELD[error] ?? 'decision'] = REVIEW_ERROR_MESSAGES[error]);
  const back: AppealFormOutcome = { kind: 'redirect', to: `/staff/appeals/${appealId}` };
  const showPreview = async (input: DecisionInput) => {
    const p = await previewDecision(rt, appealId, input, actor);
    if (p.ok) preview = { ...p.plan.email, digest: p.plan.digest };
    else fail(p.error);
  };

  let result: ReviewResult | undefined;
  const intent = valueOf(values, 'intent');
  if (intent === 'start') result = await startReview(rt, appealId, actor);
  else if (intent === 'assign-me') result = await assignAppeal(rt, appealId, actor.id, actor);
  else if (intent === 'assign') {
    const typed = valueOf(values, 'assignee');
    const who = recordId(typed);
    if (typed !== '' && who === null) fail('not-a-reviewer');
    else result = await assignAppeal(rt, appealId, who, actor);
  } else if (intent === 'note') {
    const form = validateForm(NoteFormSchema, values);
    if (!form.ok) errors = form.errors;
    else result = await addNote(rt, appealId, form.data.note, actor);
  } else if (intent === 'request-info') {
    const form = validateForm(InformationRequestFormSchema, values);
    if (!form.ok) errors = form.errors;
    else result = await requestInformation(rt, appealId, form.data.message, actor);
  } else if (intent === 'link-case') {
    const linked = await linkAppealToCase(rt, appealId, valueOf(values, 'case-reference'), actor);
    if (linked.ok) return back;
    errors[linked.error === 'not-found' || linked.error === 'not-allowed' ? 'decision' : 'case-reference'] =
      linked.message;
  } else if (intent === 'no-matching-case') result = await recordNoMatchingCase(rt, appealId, actor);
  else if (intent === 'use-template') {
    // Fills the reasons from a reply template, only when the box is empty (nothing typed is lost).
    const view = await appealForStaff(rt, appealId);
    if (!view) fail('not-found');
    else {
      const typedId = valueOf(values, 'template');
      const used = await useTemplate(
        rt,
        recordId(typedId) ?? 0,
        valueOf(values, 'explanation'),
        view.appeal,
        view.caseRecord,
        view.versions[0],
      );
      if (!used.ok) errors.template = TEMPLATE_MESSAGES[used.error];
      else {
        return {
          kind: 'page',
          errors,
          preview: undefined,
          values: {
            ...values,
            explanation: used.explanation,
            outcome: valueOf(values, 'outcome') || used.outcome,
            'template-used': String(used.template.id),
          },
          notice: `The reasons now start from the template “${used.template.name}”. ${hasMustEditMarker(used.explanation) ? 'Replace every ### with your own words, then preview the decision.' : 'Check and change them, then preview the decision.'}`,
        };
      }
    }
  } else if (intent === 'resume') result = await resumeReview(rt, appealId, actor);
  else if (intent === 'follow-up') {
    const followUpId = recordId(valueOf(values, 'followUp'));
    const done = followUpId === null ? undefined : await completeFollowUp(rt, appealId, followUpId, actor);
    if (done?.ok) return back;
    errors.decision = !done || done.error === 'not-found' ? FOLLOW_UP_NOT_FOUND : REVIEW_ERROR_MESSAGES[done.error];
  } else if (intent === 'preview' || intent === 'send') {
    const form = validateForm(DecisionFormSchema, values);
    const typedTemplate = valueOf(values, 'template-used');
    const checked =
      typedTemplate === ''
        ? { ok: true as const, templateId: null }
        : await checkTemplateUsed(
            rt,
            typedTemplate,
            (await appealForStaff(rt, appealId))?.caseRecord?.grounds.map((g) => g.code) ?? [],
          );
    const templateId = checked.ok ? checked.templateId : null;
    if (!checked.ok) {
      // Refused, not recorded as if it were a template; what was typed stays, without the bad id.
      errors.decision = TEMPLATE_MESSAGES['used-not-found'];
      return {
        kind: 'page',
        errors: form.ok ? errors : { ...errors, ...form.errors },
        preview: undefined,
        values: { ...values, 'template-used': '' },
      };
    }
    if (!form.ok) errors = form.errors;
    else if (intent === 'preview') await showPreview({ ...form.data, templateId });
    else {
      // What is sent must be exactly what was previewed: the form carries the preview's digest.
      const sent = await decideAppeal(
        rt,
        appealId,
        { ...form.data, templateId, previewed: valueOf(values, 'previewed') },
        actor,
      );
      if (sent.ok) return back;
      fail(sent.error);
      if (sent.error === 'preview-changed') await showPreview({ ...form.data, templateId });
    }
  } else errors.decision = 'Choose an action';

  if (result?.ok) return back;
  if (result) fail(result.error);
  return { kind: 'page', errors, preview };
}
