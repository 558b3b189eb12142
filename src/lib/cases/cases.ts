/**
 * Recording moderation cases: validation, the case reference, the notice for the person.
 */
import { invalidateTransparencyCache } from '../transparency/index.ts';
import {
  fromDateParts,
  validateForm,
  type FormValues,
  ACTION_PHRASES,
  joinWithAnd,
  LIMITS,
  oneLineMessage,
  optionalText,
  requiredLine,
  requiredText,
  webLink,
  type Actor,
  type Runtime,
} from '../platform/index.ts';
import { z } from 'zod';
import { listAudit, type AuditListRow } from '../../../db/audit.ts';
import {
  appealsForCase,
  findCaseById,
  findCaseByReference,
  insertCase,
  searchCases,
  type CaseAction,
  type CaseAppeal,
  type CaseListItem,
  type CaseRecord,
  type CaseSearch,
} from '../../../db/cases.ts';
import { recordAudit } from '../../../db/audit.ts';
import { isUniqueViolation } from '../../../db/errors.ts';
import { transaction } from '../../../db/transactions.ts';
import { findVersionInForce, type VersionRow } from '../../../db/principles.ts';
import { CASE_ACTIONS, DETECTION, PLATFORMS } from '../../../db/schema.ts';
import { generateReference, parseReference } from './references.ts';

export type { CaseRecord, CaseListItem };

/** Field names of the case form (also its element ids). */
export const CASE_FIELDS = [
  'platform',
  'handle',
  'post-url',
  'excerpt',
  'actions',
  'grounds',
  'reasons',
  'action-day',
  'action-month',
  'action-year',
  'action-time',
  'detected-by',
  'automated',
] as const;

export const CASE_MULTI_FIELDS = ['actions', 'grounds'] as const;

const CaseFormSchema = z.object({
  platform: z.enum(PLATFORMS, { error: 'Select the platform' }),
  handle: requiredLine(
    LIMITS.handle,
    'Enter the account handle',
    `Account handle must be ${LIMITS.handle} characters or fewer`,
    oneLineMessage('Account handle'),
  ),
  'post-url': webLink('Enter the link to the post', 'Enter a link to the post that starts with https://'),
  excerpt: optionalText(
    LIMITS.excerpt,
    `Excerpt must be ${LIMITS.excerpt.toLocaleString('en-GB')} characters or fewer`,
  ),
  actions: z.array(z.enum(CASE_ACTIONS, { error: 'Select the actions taken' })).min(1, 'Select the actions taken'),
  grounds: z.array(z.string().max(100)).min(1, 'Select the grounds for the action'),
  reasons: requiredText(
    LIMITS.statementOfReasons,
    'Enter the statement of reasons',
    `Statement of reasons must be ${LIMITS.statementOfReasons.toLocaleString('en-GB')} characters or fewer`,
  ),
  'action-day': z.string({ error: 'Enter when the action was taken' }),
  'action-month': z.string({ error: 'Enter when the action was taken' }),
  'action-year': z.string({ error: 'Enter when the action was taken' }),
  'action-time': z.string({ error: 'Enter the time the action was taken' }),
  'detected-by': z.enum(DETECTION, { error: 'Select how it came to our attention' }),
  automated: z.enum(['yes', 'no'], { error: 'Select whether automated means took the action' }),
});

export type RecordCaseResult =
  | { ok: true; caseId: number; reference: string }
  | { ok: false; errors: Record<string, string>; values: FormValues; version: VersionRow | undefined };

/** When the action happened, from the form's date and time fields. */
export function actionTimeFromValues(
  rt: Runtime,
  values: FormValues,
): { ok: true; at: Date } | { ok: false; error: string } {
  const part = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : '');
  const at = fromDateParts(part('action-day'), part('action-month'), part('action-year'), part('action-time'));
  if (!at) return { ok: false, error: 'Enter a real date and time, for example 25 11 2026 and 14:30' };
  const now = rt.now();
  // The fields hold minutes: the current minute means "now", to the millisecond, so an action
  // recorded just after a new version took effect gets that version's grounds.
  if (now.getTime() >= at.getTime() && now.getTime() - at.getTime() < 60_000) return { ok: true, at: now };
  if (at.getTime() > now.getTime()) return { ok: false, error: 'The date and time of the action must be in the past' };
  return { ok: true, at };
}

/** The principles version whose grounds apply to an action at this moment. */
export async function versionForAction(rt: Runtime, at: Date): Promise<VersionRow | undefined> {
  return findVersionInForce(rt.db, at);
}

const MAX_REFERENCE_ATTEMPTS = 5;

/**
 * Validates the case form and records the case with a new reference, in one transaction with
 * its audit entry. Grounds must come from the version in force when the action was taken.
 */
export async function recordCase(rt: Runtime, values: FormValues, actor: Actor): Promise<RecordCaseResult> {
  const form = validateForm(CaseFormSchema, values);
  const errors: Record<string, string> = form.ok ? {} : { ...form.errors };
  const when = actionTimeFromValues(rt, values);
  let version: VersionRow | undefined;
  if (!when.ok) {
    errors['action-day'] = when.error;
  } else {
    version = await versionForAction(rt, when.at);
    if (!version) errors['action-day'] = 'No principles were in force at that date and time';
  }
  delete errors['action-month'];
  delete errors['action-year'];
  delete errors['action-time'];
  if (form.ok && version) {
    const allowed = new Set(version.grounds.map((g) => g.code));
    if (!form.data.grounds.every((code) => allowed.has(code))) {
      errors['grounds'] =
        `Select grounds from version ${version.version} of the principles, which was in force at that time`;
    }
  }
  if (!form.ok || !when.ok || !version || Object.keys(errors).length > 0) {
    return { ok: false, errors, values, version };
  }
  const data = form.data;
  for (let attempt = 1; ; attempt++) {
    const reference = generateReference();
    try {
      const caseId = await transaction(rt.db, async (tx) => {
        const id = await insertCase(tx, {
          reference,
          platform: data.platform,
          accountHandle: data.handle,
          postUrl: data['post-url'],
          excerpt: data.excerpt,
          statementOfReasons: data.reasons,
          principleVersionId: version.id,
          actionAt: when.at,
          detectedBy: data['detected-by'],
          automated: data.automated === 'yes',
          recordedBy: actor.id,
          actions: data.actions as CaseAction[],
          groundCodes: [...new Set(data.grounds)],
        });
        await recordAudit(tx, {
          actorId: actor.id,
          action: 'case.recorded',
          entityType: 'case',
          entityId: reference,
          ip: actor.ip,
        });
        return id;
      });
      invalidateTransparencyCache(rt, [when.at]);
      return { ok: true, caseId, reference };
    } catch (error) {
      // A reference collision (vanishingly rare at ≥ 40 bits) is retried with a new one.
      const collision = isUniqueViolation(error, 'cases.reference');
      if (!collision || attempt >= MAX_REFERENCE_ATTEMPTS) throw error;
    }
  }
}

export async function getCase(rt: Runtime, id: number): Promise<CaseRecord | undefined> {
  return await findCaseById(rt.db, id);
}

/** A case with the appeals made on it and its history (audit entries), for the staff case page. */
export async function getCaseDetails(
  rt: Runtime,
  id: number,
): Promise<{ case: CaseRecord; appeals: CaseAppeal[]; history: AuditListRow[] } | undefined> {
  const found = await findCaseById(rt.db, id);
  if (!found) return undefined;
  return {
    case: found,
    appeals: await appealsForCase(rt.db, id),
    history: await listAudit(rt.db, { entityType: 'case', entityId: found.reference, limit: 200 }),
  };
}

/** Looks a case up by what someone typed; the check character is verified before any query. */
export async function lookUpCase(
  rt: Runtime,
  typed: string,
): Promise<
  | { ok: true; case: CaseRecord }
  | { ok: false; error: 'empty' | 'wrong-length' | 'invalid-character' | 'check-failed' | 'not-found' }
> {
  const parsed = parseReference(typed);
  if (!parsed.ok) return parsed;
  const found = await findCaseByReference(rt.db, parsed.reference);
  return found ? { ok: true, case: found } : { ok: false, error: 'not-found' };
}

export async function listCases(rt: Runtime, q: CaseSearch): Promise<{ items: CaseListItem[]; total: number }> {
  return await searchCases(rt.db, q);
}

export interface Notice {
  short: string;
  long: string;
}

/** The ready-to-paste message for the person (a short form under 500 characters, and a long form). */
export function caseNotice(
  c: CaseRecord,
  publicUrl: string,
  org: { name: string },
  appealWindowMonths: number,
): Notice {
  const link = `${publicUrl}/appeal?ref=${encodeURIComponent(c.reference)}`;
  const did = joinWithAnd(c.actions.map((a) => ACTION_PHRASES[a]));
  const groundTitles = c.grounds.map((g) => g.title.toLowerCase());
  const because = groundTitles.length ? joinWithAnd(groundTitles) : 'a breach of our social media principles';
  const tail = `If you disagree, you can ask us to look again at ${link} using reference ${c.reference}.`;
  const detailed = `We ${did} because it went against our social media principles (${because}). ${tail}`;
  // Platforms limit replies: the short form stays under 500 characters by dropping the detail.
  const short =
    detailed.length < 500 ? detailed : `We ${did} because it went against our social media principles. ${tail}`;
  const long = [
    `Hello,`,
    ``,
    `We ${did} on our social media account because it went against our social media principles (version ${c.version}).`,
    ``,
    `The principles we applied:`,
    ...c.grounds.map((g) => `- ${g.title}: ${g.description}`),
    ``,
    `Why: ${c.statementOfReasons ?? ''}`,
    ``,
    `You can read our principles at ${publicUrl}/principles/${c.version}`,
    ``,
    `If you think we got this wrong, you can ask us to look at it again within ${appealWindowMonths} months. Go to ${link} and use your case reference ${c.reference}.`,
    ``,
    `${org.name} social media team`,
  ].join('\n');
  return { short, long };
}
