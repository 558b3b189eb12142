/**
 * Reply templates: a starting text for the reasons of a decision, kept by admins per outcome
 * (and optionally per ground). A template may hold placeholders, filled in from the appeal when a
 * reviewer chooses it, and the must-edit marker `###`, which the reviewer must replace with their
 * own words: a decision whose reasons still contain `###` cannot be previewed or sent
 * (src/lib/review/review.ts planDecision). The appeal history records which template was used.
 */
import { z } from 'zod';
import { recordAudit } from '../../../db/audit.ts';
import {
  findTemplate,
  insertTemplate,
  listTemplates,
  retireTemplate,
  updateTemplate,
  type ReplyTemplateRow,
  type TemplateFields,
} from '../../../db/reply-templates.ts';
import { findVersionInForce } from '../../../db/principles.ts';
import { transaction } from '../../../db/transactions.ts';
import { CASE_ACTIONS, OUTCOMES } from '../../../db/schema.ts';
import {
  ACTION_PHRASES,
  joinWithAnd,
  OUTCOME_LABELS,
  PLATFORM_LABELS,
  type FormValues,
  validateForm,
  LIMITS,
  recordId,
  requiredText,
  tooLongMessage,
  type Actor,
  type Runtime,
} from '../platform/index.ts';

export type { ReplyTemplateRow };

/** The must-edit marker: text the reviewer has to replace before the decision can be sent. */
export const MUST_EDIT_MARKER = '###';

/** Whether reasons still hold the must-edit marker. */
export function hasMustEditMarker(text: string): boolean {
  return text.includes(MUST_EDIT_MARKER);
}

/** Every placeholder a template may use, with what it becomes (shown on the admin pages). */
export const PLACEHOLDERS = {
  appeal_reference: 'The appeal reference, like 7K3M-Q9TX-2MC',
  case_reference: 'The reference of the moderation case',
  ground: 'The grounds of the case, from the principles, like "Abusive or threatening language"',
  action: 'What we did, like "hid your comment and blocked your account"',
  platform: 'Where it happened, like "Facebook"',
  principles_version: 'The version of the principles the case was decided under, like 1.0',
  principles_link: 'The web address of that version of the principles',
  org_name: 'The name of our organisation',
} as const;
export type Placeholder = keyof typeof PLACEHOLDERS;

const PLACEHOLDER_PATTERN = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

/** Placeholders in a text that are not in the list. */
export function unknownPlaceholders(body: string): string[] {
  return [
    ...new Set(
      [...body.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1]!).filter((name) => !Object.hasOwn(PLACEHOLDERS, name)),
    ),
  ];
}

/**
 * Fills the placeholders. A value not known for this appeal (no case linked yet, say) becomes
 * the must-edit marker, so the reviewer has to write it in before sending.
 */
export function fillTemplate(body: string, values: Partial<Record<Placeholder, string | null>>): string {
  return body.replace(PLACEHOLDER_PATTERN, (whole, name: string) => {
    if (!Object.hasOwn(PLACEHOLDERS, name)) return whole;
    const v = values[name as Placeholder];
    return v ? v : MUST_EDIT_MARKER;
  });
}

// ---- The admin form ----

export const TEMPLATE_FIELDS = ['name', 'outcome', 'ground', 'body'] as const;
export const TEMPLATE_NAME_MAX = 100;

export const TemplateFormSchema = z.object({
  name: requiredText(TEMPLATE_NAME_MAX, 'Enter a name for the template', tooLongMessage('Name', TEMPLATE_NAME_MAX)),
  outcome: z.enum(OUTCOMES, { error: 'Select the outcome the template is for' }),
  ground: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim()),
  body: requiredText(
    LIMITS.decisionExplanation,
    'Enter the text of the template',
    tooLongMessage('Text of the template', LIMITS.decisionExplanation),
  ),
});

export type TemplateFormResult = { ok: true; fields: TemplateFields } | { ok: false; errors: Record<string, string> };

/** Checks the admin form; `groundCodes` are the grounds a template may be for. */
export function parseTemplateForm(values: FormValues, groundCodes: readonly string[]): TemplateFormResult {
  const form = validateForm(TemplateFormSchema, values);
  if (!form.ok) return { ok: false, errors: form.errors };
  const errors: Record<string, string> = {};
  const { name, outcome, ground, body } = form.data;
  if (ground !== '' && !groundCodes.includes(ground)) errors.ground = 'Select a ground from the list, or any ground';
  const unknown = unknownPlaceholders(body);
  if (unknown.length)
    errors.body = `${unknown.map((u) => `{{${u}}}`).join(', ')} ${unknown.length === 1 ? 'is not a placeholder' : 'are not placeholders'}. Use only the placeholders listed`;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, fields: { name, outcome, groundCode: ground || null, body } };
}

export type TemplateResult =
  | { ok: true; template: ReplyTemplateRow }
  | { ok: false; errors: Record<string, string> }
  | { ok: false; error: 'not-found' };

export async function createTemplate(
  rt: Runtime,
  values: FormValues,
  groundCodes: readonly string[],
  actor: Actor,
): Promise<TemplateResult> {
  const parsed = parseTemplateForm(values, groundCodes);
  if (!parsed.ok) return parsed;
  return transaction(rt.db, async (tx): Promise<TemplateResult> => {
    const template = await insertTemplate(tx, parsed.fields, actor.id, rt.now());
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'reply-template.created',
      entityType: 'reply_template',
      entityId: String(template.id),
      ip: actor.ip,
      details: { template: template.name, outcome: template.outcome },
    });
    return { ok: true, template };
  });
}

export async function editTemplate(
  rt: Runtime,
  id: number,
  values: FormValues,
  groundCodes: readonly string[],
  actor: Actor,
): Promise<TemplateResult> {
  const parsed = parseTemplateForm(values, groundCodes);
  if (!parsed.ok) return parsed;
  return transaction(rt.db, async (tx): Promise<TemplateResult> => {
    const template = await updateTemplate(tx, id, parsed.fields, actor.id, rt.now());
    if (!template) return { ok: false, error: 'not-found' };
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'reply-template.updated',
      entityType: 'reply_template',
      entityId: String(id),
      ip: actor.ip,
      details: { template: template.name, outcome: template.outcome },
    });
    return { ok: true, template };
  });
}

export async function retire(
  rt: Runtime,
  id: number,
  actor: Actor,
): Promise<{ ok: true; template: ReplyTemplateRow } | { ok: false; error: 'not-found' }> {
  return transaction(rt.db, async (tx) => {
    const template = await retireTemplate(tx, id, actor.id, rt.now());
    if (!template) return { ok: false as const, error: 'not-found' as const };
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'reply-template.retired',
      entityType: 'reply_template',
      entityId: String(id),
      ip: actor.ip,
      details: { template: template.name },
    });
    return { ok: true as const, template };
  });
}

export async function allTemplates(rt: Runtime): Promise<ReplyTemplateRow[]> {
  return await listTemplates(rt.db);
}

export async function getTemplate(rt: Runtime, id: number): Promise<ReplyTemplateRow | undefined> {
  return await findTemplate(rt.db, id);
}

// ---- Choosing a template on an appeal ----

/** The active templates a reviewer may choose for an appeal: any-ground ones, and those for one of the case's grounds. */
export async function templatesForAppeal(
  rt: Runtime,
  caseGroundCodes: readonly string[],
): Promise<{ id: number; name: string; outcome: ReplyTemplateRow['outcome']; groupLabel: string }[]> {
  return (await listTemplates(rt.db, { activeOnly: true }))
    .filter((t) => t.groundCode === null || caseGroundCodes.includes(t.groundCode))
    .map((t) => ({ id: t.id, name: t.name, outcome: t.outcome, groupLabel: OUTCOME_LABELS[t.outcome] }));
}

export interface AppealForTemplate {
  reference: string;
  claimedPlatform: keyof typeof PLATFORM_LABELS | null;
}
export interface CaseForTemplate {
  reference: string;
  platform: keyof typeof PLATFORM_LABELS;
  version: string;
  actions: (keyof typeof ACTION_PHRASES)[];
  grounds: { code: string; title: string }[];
}

/** What each placeholder becomes for this appeal (null: not known, so it becomes `###`). */
export function placeholderValues(
  rt: Runtime,
  appeal: AppealForTemplate,
  caseRecord: CaseForTemplate | undefined,
  fallbackVersion: string | undefined,
): Record<Placeholder, string | null> {
  const version = caseRecord?.version ?? fallbackVersion ?? null;
  const platform = caseRecord?.platform ?? appeal.claimedPlatform;
  return {
    appeal_reference: appeal.reference,
    case_reference: caseRecord?.reference ?? null,
    ground: caseRecord && caseRecord.grounds.length ? joinWithAnd(caseRecord.grounds.map((g) => g.title)) : null,
    action: caseRecord
      ? joinWithAnd(CASE_ACTIONS.filter((a) => caseRecord.actions.includes(a)).map((a) => ACTION_PHRASES[a]))
      : null,
    platform: platform ? PLATFORM_LABELS[platform] : null,
    principles_version: version,
    principles_link: version ? `${rt.config.publicUrl}/principles/${version}` : null,
    org_name: rt.config.org.name,
  };
}

export type UseTemplateResult =
  | { ok: true; explanation: string; outcome: ReplyTemplateRow['outcome']; template: ReplyTemplateRow }
  | { ok: false; error: 'not-found' | 'not-for-this-appeal' | 'reasons-not-empty' };

/**
 * Fills a template for an appeal. Refused when the reasons box already holds text: choosing a
 * template never overwrites what the reviewer typed (they clear the box first, on purpose).
 */
export async function useTemplate(
  rt: Runtime,
  templateId: number,
  typedReasons: string,
  appeal: AppealForTemplate,
  caseRecord: CaseForTemplate | undefined,
  fallbackVersion: string | undefined,
): Promise<UseTemplateResult> {
  const template = await findTemplate(rt.db, templateId);
  if (!template || template.retiredAt) return { ok: false, error: 'not-found' };
  if (template.groundCode !== null && !(caseRecord?.grounds ?? []).some((g) => g.code === template.groundCode))
    return { ok: false, error: 'not-for-this-appeal' };
  if (typedReasons.trim() !== '') return { ok: false, error: 'reasons-not-empty' };
  return {
    ok: true,
    explanation: fillTemplate(template.body, placeholderValues(rt, appeal, caseRecord, fallbackVersion)),
    outcome: template.outcome,
    template,
  };
}

export type TemplateUsedResult = { ok: true; templateId: number | null } | { ok: false };

/**
 * Checks the template a decision says its reasons started from (the form's hidden
 * `template-used`): empty is none; otherwise it must be a template that exists (it may have been
 * retired since it was used) and fits the case's grounds, as "Use template" required. Anything
 * else is refused rather than recorded in the history as if it were a template.
 */
export async function checkTemplateUsed(
  rt: Runtime,
  typed: string,
  caseGroundCodes: readonly string[],
): Promise<TemplateUsedResult> {
  if (typed === '') return { ok: true, templateId: null };
  const id = recordId(typed);
  const template = id === null ? undefined : await findTemplate(rt.db, id);
  if (!template || (template.groundCode !== null && !caseGroundCodes.includes(template.groundCode)))
    return { ok: false };
  return { ok: true, templateId: template.id };
}

/** The grounds a template may be for: those of the principles in force now (code and title). */
export async function templateGrounds(rt: Runtime): Promise<{ code: string; title: string }[]> {
  return ((await findVersionInForce(rt.db, rt.now()))?.grounds ?? []).map((g) => ({ code: g.code, title: g.title }));
}
