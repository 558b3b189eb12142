/**
 * The versioned principles: reading them for the public pages, and the publishing rules
 * (drafts, numbering, scheduling, stable ground codes).
 *
 * Rules:
 * - A published version never changes; only drafts are edited, and drafts are never public.
 * - Numbers: the admin chooses minor (1.0 → 1.1) or major (1.x → 2.0); the next number follows the
 *   highest published one, so numbers and effective dates rise together.
 * - A version may be published to take effect now or later. The version in force at any moment is
 *   the published one with the latest effective time not after it, worked out on every request, so
 *   a scheduled version takes effect at its time without a restart.
 * - Ground codes are stable: a ground may be added, reworded or retired. A retired code (one that
 *   was published before but is not in the latest published version) can never come back, so a
 *   code always means what it meant.
 */
import {
  deleteDraft,
  findDraft,
  findPublishedVersion,
  findVersionInForce,
  insertDraft,
  listDrafts,
  listPublishedGroundCodes,
  listPublishedVersions,
  markDraftPublished,
  replaceDraft,
  type DraftContent,
  type DraftRow,
  type VersionRow,
} from '../../../db/principles.ts';
import { recordAudit } from '../../../db/audit.ts';
import { queueChangeAlerts } from './change-alerts.ts';
import { diffGrounds, escapeHtml, type GroundChanges } from './diff.ts';
import { diffRendered, type DiffSection } from './rendered-diff.ts';
import { anchorGroundsInText, renderMarkdown } from './markdown.ts';
import { inTransaction, type Scope, cleanText, isOneLine, oneLineMessage, type Actor } from '../platform/index.ts';

export type { DraftRow, VersionRow } from '../../../db/principles.ts';

export interface PrinciplesView extends VersionRow {
  bodyHtml: string;
  /** True when the text itself lists every ground (anchors placed there), so the page need not list them again. */
  groundsInText: boolean;
  /** True when this is the version in force now. */
  isCurrent: boolean;
  currentVersion: string | undefined;
  /** The version in effect before this one, for "see what changed". */
  previousVersion: string | undefined;
}

/** True when `v` is in effect at `at`; a version whose date is not known (1.0) always is. */
export function hasTakenEffect(v: { effectiveAt: Date | null }, at: Date): boolean {
  return v.effectiveAt === null || v.effectiveAt.getTime() <= at.getTime();
}

/** Version numbers are "major.minor", each up to three digits. */
export const VERSION_PATTERN = /^(\d{1,3})\.(\d{1,3})$/;

async function view(rt: Scope, row: VersionRow, current: VersionRow | undefined): Promise<PrinciplesView> {
  return {
    ...row,
    ...renderPrinciplesBody(row),
    isCurrent: current?.id === row.id,
    currentVersion: current?.version,
    previousVersion: (await listVersions(rt)).find((v) => v.id === row.id)?.previousVersion,
  };
}

/** The text of a version as HTML, with the grounds' anchors placed in it when it lists them. */
export function renderPrinciplesBody(v: Pick<VersionRow, 'bodyMarkdown' | 'grounds'>): {
  bodyHtml: string;
  groundsInText: boolean;
} {
  const { html, groundsInText } = anchorGroundsInText(renderMarkdown(v.bodyMarkdown), v.grounds);
  return { bodyHtml: html, groundsInText };
}

/** The version in force now, or undefined if none has taken effect yet. */
export async function getCurrentPrinciples(rt: Scope): Promise<PrinciplesView | undefined> {
  const current = await findVersionInForce(rt.db, rt.now());
  return current && view(rt, current, current);
}

/** A published version by number; undefined for a malformed or unknown number, a draft or a version not yet in effect. */
export async function getPrinciplesVersion(rt: Scope, version: string): Promise<PrinciplesView | undefined> {
  const row = await findPublicVersion(rt, version);
  return row && view(rt, row, await findVersionInForce(rt.db, rt.now()));
}

async function findPublicVersion(rt: Scope, version: string): Promise<VersionRow | undefined> {
  if (!VERSION_PATTERN.test(version)) return undefined;
  const row = await findPublishedVersion(rt.db, version);
  if (!row || !hasTakenEffect(row, rt.now())) return undefined;
  return row;
}

// ---------------------------------------------------------------------------------------------
// Public lists

export interface ListedVersion extends VersionRow {
  isCurrent: boolean;
  /** The version published just before this one, for "compare with previous". */
  previousVersion: string | undefined;
}

/** Every published version that has taken effect, newest first. Scheduled versions are left out until their time. */
export async function listVersions(rt: Scope): Promise<ListedVersion[]> {
  const now = rt.now();
  const effective = (await listPublishedVersions(rt.db)).filter((v) => hasTakenEffect(v, now));
  const current = effective[0];
  return effective.map((v, i) => ({
    ...v,
    isCurrent: v.id === current?.id,
    previousVersion: effective[i + 1]?.version,
  }));
}

/**
 * The moment the public principles pages last changed: the latest publication or effective time
 * among versions in effect now. Used for `Last-Modified`; a scheduled version moves it forward
 * when it takes effect.
 */
export async function principlesLastModified(rt: Scope): Promise<Date> {
  let latest = 0;
  for (const v of await listVersions(rt))
    latest = Math.max(latest, v.effectiveAt?.getTime() ?? 0, v.publishedAt?.getTime() ?? 0);
  return new Date(latest);
}

// ---------------------------------------------------------------------------------------------
// Comparing

export interface TextChanges {
  /** The page text in sections (split at each h2), changes marked, each saying whether it changed. */
  sections: DiffSection[];
  /** Every section in full, changes marked, as one piece of HTML. */
  bodyDiffHtml: string;
  /** True when the text as it reads on the page differs. */
  bodyChanged: boolean;
  grounds: GroundChanges;
}

export type CompareResult =
  | ({ ok: true; from: VersionRow; to: VersionRow } & TextChanges)
  | { ok: false; error: 'not-found' }
  | { ok: false; error: 'same-version'; version: VersionRow };

/**
 * What changed from version `a` to version `b`: a word-level diff of the text as the page shows
 * it, in sections, and the grounds added, reworded and retired. Comparing a version with itself
 * is refused (`same-version`): there is nothing to show.
 */
export async function compareVersions(rt: Scope, a: string, b: string): Promise<CompareResult> {
  const from = await findPublicVersion(rt, a);
  const to = await findPublicVersion(rt, b);
  if (!from || !to) return { ok: false, error: 'not-found' };
  if (from.id === to.id) return { ok: false, error: 'same-version', version: from };
  return {
    ok: true,
    from,
    to,
    ...changesBetween(from, to),
  };
}

/**
 * The text of a version as its page reads: the rendered Markdown, then the list of grounds when
 * the text does not list them itself (as PrinciplesVersion.astro shows them).
 */
export function pageTextHtml(v: Pick<VersionRow, 'bodyMarkdown' | 'grounds'>): string {
  const { bodyHtml, groundsInText } = renderPrinciplesBody(v);
  if (groundsInText) return bodyHtml;
  const items = v.grounds
    .map((g) => `<li><strong>${escapeHtml(g.title)}.</strong> ${escapeHtml(g.description)}</li>`)
    .join('');
  return `${bodyHtml}<h2>Grounds for action</h2><p>We may take action on a post or comment that:</p><ol>${items}</ol>`;
}

/** The word-level diff of the page text and the ground changes from one version (or draft) to another. */
function changesBetween(
  from: Pick<VersionRow, 'bodyMarkdown' | 'grounds'>,
  to: Pick<VersionRow, 'bodyMarkdown' | 'grounds'>,
  demote = 0,
): TextChanges {
  const { sections, changed } = diffRendered(pageTextHtml(from), pageTextHtml(to), demote);
  return {
    sections,
    bodyDiffHtml: sections.map((s) => (s.headingHtml ? `<h2>${s.headingHtml}</h2>` : '') + s.bodyHtml).join(''),
    bodyChanged: changed,
    grounds: diffGrounds(from.grounds, to.grounds),
  };
}

/** Reads "1.0...1.1" from a compare address; undefined when malformed. */
export function parseCompareRange(range: string): { from: string; to: string } | undefined {
  const match = /^(\d{1,3}\.\d{1,3})\.\.\.(\d{1,3}\.\d{1,3})$/.exec(range);
  return match ? { from: match[1]!, to: match[2]! } : undefined;
}

/** The address of the compare page for two versions. */
export function comparePath(from: string, to: string): string {
  return `/principles/compare/${from}...${to}`;
}

// ---------------------------------------------------------------------------------------------
// Drafting and publishing

/**
 * Runs a step and, when it succeeded and an actor is given, appends its audit entry in the same
 * transaction (inner transactions are savepoints: db/transactions.ts), so both happen or neither.
 */
async function audited<T extends { ok: boolean }>(
  rt: Scope,
  actor: Actor<number | null> | undefined,
  step: (scope: Scope) => Promise<T> | T,
  entry: (result: T) => { action: string; entityId: string; details?: Record<string, unknown> },
): Promise<T> {
  return inTransaction(rt, async (scope) => {
    const result = await step(scope);
    if (result.ok && actor)
      await recordAudit(scope.db, { actorId: actor.id, ip: actor.ip, entityType: 'principles', ...entry(result) });
    return result;
  });
}

/** What a draft looks like against the version in force: for the staff preview. */
export async function compareDraft(
  rt: Scope,
  draftId: number,
): Promise<({ ok: true; draft: DraftRow; current: VersionRow } & TextChanges) | { ok: false; error: 'not-found' }> {
  const draft = await findDraft(rt.db, draftId);
  const current = await findVersionInForce(rt.db, rt.now());
  if (!draft || !current) return { ok: false, error: 'not-found' };
  return {
    ok: true,
    draft,
    current,
    // The preview's sections sit under h3 headings, one level down from the public page.
    ...changesBetween(current, draft, 1),
  };
}

/** A draft rendered as it would appear on /principles, for the staff preview (never public). */
export async function previewDraft(rt: Scope, draftId: number): Promise<PrinciplesView | undefined> {
  const draft = await findDraft(rt.db, draftId);
  if (!draft) return undefined;
  const current = await findVersionInForce(rt.db, rt.now());
  return {
    id: draft.id,
    version: 'draft',
    bodyMarkdown: draft.bodyMarkdown,
    changeSummary: draft.changeSummary,
    effectiveAt: rt.now(),
    publishedAt: null,
    grounds: draft.grounds,
    ...renderPrinciplesBody(draft),
    isCurrent: false,
    currentVersion: current?.version,
    previousVersion: undefined,
  };
}

/** Every draft, newest first (staff only). */
export async function listDraftsForStaff(rt: Scope): Promise<DraftRow[]> {
  return listDrafts(rt.db);
}

/** Every published version, scheduled ones included, newest number first (staff only). */
export async function listAllVersionsForStaff(
  rt: Scope,
): Promise<(VersionRow & { state: 'in-force' | 'scheduled' | 'superseded' })[]> {
  const now = rt.now().getTime();
  const current = await findVersionInForce(rt.db, rt.now());
  return (await listPublishedVersions(rt.db)).map((v) => ({
    ...v,
    state:
      v.id === current?.id ? 'in-force' : (v.effectiveAt?.getTime() ?? -Infinity) > now ? 'scheduled' : 'superseded',
  }));
}

/** Ground codes: lower-case words joined by single hyphens ("irrelevant-advertising"). */
export const GROUND_CODE_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const DRAFT_LIMITS = {
  /** The 1.0 text is about 3,500 characters; 50,000 leaves room without inviting a pasted book. */
  body: 50_000,
  /** A change summary is a sentence or two; it is shown in the changelog and the feed. */
  changeSummary: 1_000,
  /** Codes appear in addresses (#ground-<code>) and in the figures. */
  code: 60,
  title: 200,
  description: 1_000,
  grounds: 50,
} as const;

export interface DraftInput {
  bodyMarkdown: string;
  changeSummary: string;
  grounds: { code: string; title: string; description: string }[];
}

/** Field errors keyed by field name: `bodyMarkdown`, `changeSummary`, `grounds`, `grounds.<i>.code|title|description`. */
export type FieldErrors = Record<string, string>;

function isRetired(code: string, latest: VersionRow | undefined, everPublished: Set<string>): boolean {
  return everPublished.has(code) && !latest?.grounds.some((g) => g.code === code);
}

/** Cleans and checks a draft's content against the rules; returns the clean content or field errors. */
export async function validateDraft(
  rt: Scope,
  input: DraftInput,
): Promise<{ ok: true; content: DraftContent } | { ok: false; error: 'invalid'; fieldErrors: FieldErrors }> {
  const errors: FieldErrors = {};
  const bodyMarkdown = cleanText(input.bodyMarkdown);
  const changeSummary = cleanText(input.changeSummary);
  if (!bodyMarkdown) errors.bodyMarkdown = 'Enter the text of the principles';
  else if ([...bodyMarkdown].length > DRAFT_LIMITS.body)
    errors.bodyMarkdown = `The text must be ${DRAFT_LIMITS.body.toLocaleString('en-GB')} characters or fewer`;
  if (!changeSummary) errors.changeSummary = 'Enter a summary of what has changed';
  else if ([...changeSummary].length > DRAFT_LIMITS.changeSummary)
    errors.changeSummary = `The summary must be ${DRAFT_LIMITS.changeSummary.toLocaleString('en-GB')} characters or fewer`;

  const latest = (await listPublishedVersions(rt.db))[0];
  const everPublished = await listPublishedGroundCodes(rt.db);
  const seen = new Set<string>();
  const grounds = input.grounds.map((g, i) => {
    const code = cleanText(g.code).toLowerCase();
    const title = cleanText(g.title);
    const description = cleanText(g.description);
    const key = `grounds.${i}`;
    if (!code) errors[`${key}.code`] = 'Enter a code for the ground';
    else if (code.length > DRAFT_LIMITS.code || !GROUND_CODE_PATTERN.test(code)) {
      errors[`${key}.code`] =
        `Code must be lower-case letters and numbers joined by hyphens, like irrelevant-advertising, and ${DRAFT_LIMITS.code} characters or fewer`;
    } else if (seen.has(code)) errors[`${key}.code`] = `The code ${code} is used twice`;
    else if (isRetired(code, latest, everPublished))
      errors[`${key}.code`] = `The code ${code} was retired and cannot be used again: choose a new code`;
    seen.add(code);
    if (!title) errors[`${key}.title`] = 'Enter a title for the ground';
    else if ([...title].length > DRAFT_LIMITS.title)
      errors[`${key}.title`] = `Title must be ${DRAFT_LIMITS.title} characters or fewer`;
    else if (!isOneLine(title)) errors[`${key}.title`] = oneLineMessage('Title');
    if (!description) errors[`${key}.description`] = 'Enter a description of the ground';
    else if ([...description].length > DRAFT_LIMITS.description)
      errors[`${key}.description`] =
        `Description must be ${DRAFT_LIMITS.description.toLocaleString('en-GB')} characters or fewer`;
    return { code, title, description };
  });
  if (grounds.length === 0) errors.grounds = 'Add at least one ground for action';
  if (grounds.length > DRAFT_LIMITS.grounds)
    errors.grounds = `There can be at most ${DRAFT_LIMITS.grounds} grounds for action`;
  if (Object.keys(errors).length > 0) return { ok: false, error: 'invalid', fieldErrors: errors };
  return { ok: true, content: { bodyMarkdown, changeSummary, grounds } };
}

/**
 * Starts a draft as a copy of a published version: `fromVersionId`, or by default the version in
 * force now. The change summary starts empty.
 */
export async function createDraft(
  rt: Scope,
  options: { fromVersionId?: number; actor?: Actor<number | null> } = {},
): Promise<{ ok: true; draftId: number } | { ok: false; error: 'not-found' }> {
  return audited(
    rt,
    options.actor,
    (scope) => createDraftStep(scope, options),
    (r) => ({ action: 'principles.draft-created', entityId: String(r.ok && r.draftId) }),
  );
}

async function createDraftStep(
  rt: Scope,
  options: { fromVersionId?: number },
): Promise<{ ok: true; draftId: number } | { ok: false; error: 'not-found' }> {
  const base =
    options.fromVersionId === undefined
      ? await findVersionInForce(rt.db, rt.now())
      : (await listPublishedVersions(rt.db)).find((v) => v.id === options.fromVersionId);
  if (!base) return { ok: false, error: 'not-found' };
  const draftId = await insertDraft(rt.db, {
    bodyMarkdown: base.bodyMarkdown,
    changeSummary: '',
    grounds: base.grounds.map(({ code, title, description }) => ({ code, title, description })),
  });
  return { ok: true, draftId };
}

/** A draft by id (for the staff editor only). */
export async function getDraft(rt: Scope, draftId: number): Promise<DraftRow | undefined> {
  return findDraft(rt.db, draftId);
}

/** Saves a draft's text, summary and grounds after checking them. */
export async function updateDraft(
  rt: Scope,
  draftId: number,
  input: DraftInput,
  actor?: Actor<number | null>,
): Promise<
  { ok: true } | { ok: false; error: 'not-found' } | { ok: false; error: 'invalid'; fieldErrors: FieldErrors }
> {
  return audited(
    rt,
    actor,
    (scope) => updateDraftStep(scope, draftId, input),
    () => ({
      action: 'principles.draft-saved',
      entityId: String(draftId),
      details: { grounds: input.grounds.length },
    }),
  );
}

async function updateDraftStep(
  rt: Scope,
  draftId: number,
  input: DraftInput,
): Promise<
  { ok: true } | { ok: false; error: 'not-found' } | { ok: false; error: 'invalid'; fieldErrors: FieldErrors }
> {
  if (!(await findDraft(rt.db, draftId))) return { ok: false, error: 'not-found' };
  const checked = await validateDraft(rt, input);
  if (!checked.ok) return checked;
  return (await replaceDraft(rt.db, draftId, checked.content)) ? { ok: true } : { ok: false, error: 'not-found' };
}

/** Deletes a draft. Published versions cannot be discarded. */
export async function discardDraft(
  rt: Scope,
  draftId: number,
  actor?: Actor<number | null>,
): Promise<{ ok: true } | { ok: false; error: 'not-found' }> {
  return audited(
    rt,
    actor,
    async (scope): Promise<{ ok: true } | { ok: false; error: 'not-found' }> =>
      (await deleteDraft(scope.db, draftId)) ? { ok: true } : { ok: false, error: 'not-found' },
    () => ({ action: 'principles.draft-discarded', entityId: String(draftId) }),
  );
}

/** The number after `latest` ("1.3") for a minor or major change. */
export function nextVersionNumber(
  latest: { major: number; minor: number } | undefined,
  kind: 'minor' | 'major',
): { version: string; major: number; minor: number } {
  if (!latest) return { version: '1.0', major: 1, minor: 0 };
  const major = kind === 'major' ? latest.major + 1 : latest.major;
  const minor = kind === 'major' ? 0 : latest.minor + 1;
  return { version: `${major}.${minor}`, major, minor };
}

/** The numbers a draft would get as a minor or a major change (for the publish form). */
export async function upcomingVersionNumbers(
  rt: Scope,
): Promise<{ minor: string; major: string; latest: VersionRow | undefined }> {
  const latest = (await listPublishedVersions(rt.db))[0];
  const n = latest && { major: Number(latest.version.split('.')[0]), minor: Number(latest.version.split('.')[1]) };
  return { minor: nextVersionNumber(n, 'minor').version, major: nextVersionNumber(n, 'major').version, latest };
}

export type PublishResult =
  | { ok: true; version: string; effectiveAt: Date; scheduled: boolean }
  | { ok: false; error: 'not-found' }
  | { ok: false; error: 'invalid'; fieldErrors: FieldErrors }
  | { ok: false; error: 'effective-in-past' | 'effective-before-latest' };

/**
 * Publishes a draft as the next minor or major version, effective at `effectiveAt`: `'now'` (the
 * runtime's clock at the moment of publishing) or a later time (scheduled). It is then immutable. The draft is re-checked first (another version may
 * have retired a code meanwhile). `effectiveAt` must not be in the past and must be after the
 * latest published version's effective time, so versions take effect in number order.
 */
export async function publishDraft(
  rt: Scope,
  draftId: number,
  options: { kind: 'minor' | 'major'; effectiveAt: Date | 'now'; actor?: Actor<number | null> },
): Promise<PublishResult> {
  return audited(
    rt,
    options.actor,
    async (scope) => {
      const result = await publishDraftStep(scope, draftId, options);
      // Taking effect now: the change alert is queued in the same transaction (change-alerts.ts);
      // a scheduled version's alert is queued by the periodic check when its time comes.
      if (result.ok && !result.scheduled) await queueChangeAlerts(scope);
      return result;
    },
    (r) => ({
      action: 'principles.published',
      entityId: String(draftId),
      details: r.ok
        ? { version: r.version, kind: options.kind, effectiveAt: r.effectiveAt.toISOString(), scheduled: r.scheduled }
        : {},
    }),
  );
}

async function publishDraftStep(
  rt: Scope,
  draftId: number,
  options: { kind: 'minor' | 'major'; effectiveAt: Date | 'now' },
): Promise<PublishResult> {
  // Inside publishDraft's transaction (audited): from check to write, nothing else writes in between.
  const draft = await findDraft(rt.db, draftId);
  if (!draft) return { ok: false, error: 'not-found' };
  const checked = await validateDraft(rt, draft);
  if (!checked.ok) return checked;
  const now = rt.now();
  const effectiveAt = options.effectiveAt === 'now' ? now : options.effectiveAt;
  if (effectiveAt.getTime() < now.getTime()) return { ok: false, error: 'effective-in-past' };
  const versions = await listPublishedVersions(rt.db);
  const latest = versions[0];
  if (latest?.effectiveAt && effectiveAt.getTime() <= latest.effectiveAt.getTime())
    return { ok: false, error: 'effective-before-latest' };
  const latestNumber = latest && {
    major: Number(latest.version.split('.')[0]),
    minor: Number(latest.version.split('.')[1]),
  };
  const next = nextVersionNumber(latestNumber, options.kind);
  if (!(await markDraftPublished(rt.db, draftId, { ...next, effectiveAt, publishedAt: now })))
    return { ok: false, error: 'not-found' };
  return { ok: true, version: next.version, effectiveAt, scheduled: effectiveAt.getTime() > now.getTime() };
}
