import { beforeAll, describe, expect, it } from 'vitest';
import {
  compareVersions,
  createDraft,
  discardDraft,
  getCurrentPrinciples,
  getDraft,
  getPrinciplesVersion,
  listVersions,
  nextVersionNumber,
  parseCompareRange,
  principlesLastModified,
  publishDraft,
  updateDraft,
  type DraftInput,
} from '../../src/lib/principles/versions.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import { testRuntime } from '../support/db.ts';

/** A runtime whose clock the test moves. */
async function clockedRuntime(start: string): Promise<{ rt: Runtime; setNow: (iso: string) => void }> {
  let now = new Date(start);
  const rt = await testRuntime({ now: () => now });
  return { rt, setNow: (iso) => (now = new Date(iso)) };
}

async function draftFrom(rt: Runtime, change: (input: DraftInput) => void = () => {}): Promise<number> {
  const created = await createDraft(rt);
  if (!created.ok) throw new Error('no draft');
  const draft = (await getDraft(rt, created.draftId))!;
  const input: DraftInput = {
    bodyMarkdown: draft.bodyMarkdown,
    changeSummary: 'A change',
    grounds: draft.grounds.map(({ code, title, description }) => ({ code, title, description })),
  };
  change(input);
  const saved = await updateDraft(rt, created.draftId, input);
  if (!saved.ok) throw new Error(JSON.stringify(saved));
  return created.draftId;
}

describe('version numbers', () => {
  it('go 1.0 → 1.1 for a minor change and 1.x → 2.0 for a major one', () => {
    expect(nextVersionNumber(undefined, 'minor').version).toBe('1.0');
    expect(nextVersionNumber({ major: 1, minor: 0 }, 'minor').version).toBe('1.1');
    expect(nextVersionNumber({ major: 1, minor: 9 }, 'minor').version).toBe('1.10');
    expect(nextVersionNumber({ major: 1, minor: 3 }, 'major')).toEqual({ version: '2.0', major: 2, minor: 0 });
  });

  it('parse from compare addresses', () => {
    expect(parseCompareRange('1.0...1.1')).toEqual({ from: '1.0', to: '1.1' });
    for (const bad of ['1.0..1.1', '1.0...', 'a...b', '1.0...1.1...1.2', '1.0....1.1', ''])
      expect(parseCompareRange(bad), bad).toBeUndefined();
  });
});

describe('drafts', async () => {
  const { rt } = await clockedRuntime('2026-03-01T10:00:00Z');

  it('start from the version in force and are never public', async () => {
    const created = await createDraft(rt);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const draft = (await getDraft(rt, created.draftId))!;
    expect(draft.bodyMarkdown).toBe((await getCurrentPrinciples(rt))!.bodyMarkdown);
    expect(draft.grounds.map((g) => g.code)).toEqual((await getCurrentPrinciples(rt))!.grounds.map((g) => g.code));
    expect((await listVersions(rt)).map((v) => v.version)).toEqual(['1.1', '1.0']);
    expect((await getCurrentPrinciples(rt))!.version).toBe('1.1');
    expect(await discardDraft(rt, created.draftId)).toEqual({ ok: true });
    expect(await getDraft(rt, created.draftId)).toBeUndefined();
    expect(await discardDraft(rt, created.draftId)).toEqual({ ok: false, error: 'not-found' });
  });

  it('refuses to start from an unknown version', async () => {
    expect(await createDraft(rt, { fromVersionId: 9999 })).toEqual({ ok: false, error: 'not-found' });
  });

  it('check every field and keep nothing bad', async () => {
    const { draftId } = (await createDraft(rt)) as { ok: true; draftId: number };
    const result = await updateDraft(rt, draftId, {
      bodyMarkdown: '  ',
      changeSummary: '',
      grounds: [
        { code: 'Not Kebab', title: 'x', description: 'y' },
        { code: 'abusive', title: '', description: 'y' },
        { code: 'abusive', title: 'x', description: '' },
        { code: '', title: 'x', description: 'y' },
        { code: 'double--hyphen', title: 'x', description: 'y' },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok || result.error !== 'invalid') throw new Error('expected invalid');
    expect(Object.keys(result.fieldErrors).sort()).toEqual(
      [
        'bodyMarkdown',
        'changeSummary',
        'grounds.0.code',
        'grounds.1.title',
        'grounds.2.code',
        'grounds.2.description',
        'grounds.3.code',
        'grounds.4.code',
      ].sort(),
    );
    expect(result.fieldErrors['grounds.2.code']).toBe('The code abusive is used twice');
    expect(await updateDraft(rt, draftId, { bodyMarkdown: 'x', changeSummary: 'x', grounds: [] })).toMatchObject({
      ok: false,
      fieldErrors: { grounds: 'Add at least one ground for action' },
    });
    expect(await updateDraft(rt, 424242, { bodyMarkdown: 'x', changeSummary: 'x', grounds: [] })).toEqual({
      ok: false,
      error: 'not-found',
    });
    await discardDraft(rt, draftId);
  });
});

describe('publishing', async () => {
  const { rt, setNow } = await clockedRuntime('2026-03-01T10:00:00Z');

  it('publishes a minor version now: it is in force at once and 1.1 keeps its permalink unchanged', async () => {
    // The seeded 1.1 took effect when the runtime started; a new version must come after it.
    setNow('2026-03-01T10:01:00Z');
    const before = (await getPrinciplesVersion(rt, '1.1'))!;
    const draftId = await draftFrom(rt, (d) => {
      d.bodyMarkdown = d.bodyMarkdown.replace('Kind and respectful communication', 'Kind, respectful communication');
      d.grounds.push({ code: 'spam', title: 'Spam', description: 'Posts the same message again and again.' });
      d.changeSummary = 'Adds a ground for spam';
    });
    const published = await publishDraft(rt, draftId, { kind: 'minor', effectiveAt: rt.now() });
    expect(published).toEqual({ ok: true, version: '1.2', effectiveAt: rt.now(), scheduled: false });
    expect((await getCurrentPrinciples(rt))!.version).toBe('1.2');
    expect((await getCurrentPrinciples(rt))!.grounds.at(-1)!.code).toBe('spam');
    const after = (await getPrinciplesVersion(rt, '1.1'))!;
    expect(after.bodyMarkdown).toBe(before.bodyMarkdown);
    expect(after.grounds).toEqual(before.grounds);
    expect(after.isCurrent).toBe(false);
    expect(after.currentVersion).toBe('1.2');
    expect(after.previousVersion).toBe('1.0');
    expect((await getPrinciplesVersion(rt, '1.0'))!.previousVersion).toBeUndefined();
    expect((await getCurrentPrinciples(rt))!.previousVersion).toBe('1.1');
    expect(await getDraft(rt, draftId)).toBeUndefined(); // no longer a draft: immutable
    expect(
      await updateDraft(rt, draftId, {
        bodyMarkdown: 'x',
        changeSummary: 'x',
        grounds: [{ code: 'a', title: 'a', description: 'a' }],
      }),
    ).toEqual({ ok: false, error: 'not-found' });
    expect(await discardDraft(rt, draftId)).toEqual({ ok: false, error: 'not-found' });
    expect(await publishDraft(rt, draftId, { kind: 'minor', effectiveAt: rt.now() })).toEqual({
      ok: false,
      error: 'not-found',
    });
  });

  it('refuses an effective time in the past or before the latest version', async () => {
    setNow('2026-03-02T10:00:00Z');
    const draftId = await draftFrom(rt);
    expect(await publishDraft(rt, draftId, { kind: 'minor', effectiveAt: new Date('2026-03-02T09:59:59Z') })).toEqual({
      ok: false,
      error: 'effective-in-past',
    });
    await discardDraft(rt, draftId);
  });

  it("publishes at the runtime's clock with effectiveAt 'now'", async () => {
    setNow('2026-03-02T11:00:00Z');
    const draftId = await draftFrom(rt);
    expect(await publishDraft(rt, draftId, { kind: 'minor', effectiveAt: 'now' })).toEqual({
      ok: true,
      version: '1.3',
      effectiveAt: new Date('2026-03-02T11:00:00Z'),
      scheduled: false,
    });
  });

  it('schedules a major version: invisible until its time, then in force without anything else happening', async () => {
    const draftId = await draftFrom(rt, (d) => {
      d.grounds = d.grounds.filter((g) => g.code !== 'personal-financial-gain');
      d.changeSummary = 'Retires personal financial gain';
    });
    const at = new Date('2026-04-01T00:00:00Z');
    expect(await publishDraft(rt, draftId, { kind: 'major', effectiveAt: at })).toEqual({
      ok: true,
      version: '2.0',
      effectiveAt: at,
      scheduled: true,
    });
    expect((await getCurrentPrinciples(rt))!.version).toBe('1.3');
    expect(await getPrinciplesVersion(rt, '2.0')).toBeUndefined();
    expect((await listVersions(rt)).map((v) => v.version)).toEqual(['1.3', '1.2', '1.1', '1.0']);
    expect(await compareVersions(rt, '1.3', '2.0')).toEqual({ ok: false, error: 'not-found' });
    const lastModifiedBefore = await principlesLastModified(rt);

    // Another version cannot take effect before the scheduled one.
    const early = await draftFrom(
      rt,
      (d) => (d.grounds = d.grounds.filter((g) => g.code !== 'personal-financial-gain')),
    );
    expect(await publishDraft(rt, early, { kind: 'minor', effectiveAt: new Date('2026-03-15T00:00:00Z') })).toEqual({
      ok: false,
      error: 'effective-before-latest',
    });
    await discardDraft(rt, early);

    setNow('2026-03-31T23:59:59.999Z');
    expect((await getCurrentPrinciples(rt))!.version).toBe('1.3');
    setNow('2026-04-01T00:00:00Z');
    expect((await getCurrentPrinciples(rt))!.version).toBe('2.0');
    expect((await listVersions(rt)).map((v) => [v.version, v.isCurrent, v.previousVersion])).toEqual([
      ['2.0', true, '1.3'],
      ['1.3', false, '1.2'],
      ['1.2', false, '1.1'],
      ['1.1', false, '1.0'],
      ['1.0', false, undefined],
    ]);
    expect((await principlesLastModified(rt)).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect((await principlesLastModified(rt)) > lastModifiedBefore).toBe(true);
  });

  it('never lets a retired ground code come back, but lets a kept one be reworded', async () => {
    const created = (await createDraft(rt)) as { ok: true; draftId: number };
    const draft = (await getDraft(rt, created.draftId))!;
    const grounds = draft.grounds.map(({ code, title, description }) => ({ code, title, description }));
    const back = await updateDraft(rt, created.draftId, {
      bodyMarkdown: draft.bodyMarkdown,
      changeSummary: 'Bring it back',
      grounds: [
        ...grounds,
        { code: 'personal-financial-gain', title: 'Selling things', description: 'Something else entirely.' },
      ],
    });
    expect(back).toMatchObject({
      ok: false,
      error: 'invalid',
      fieldErrors: { [`grounds.${grounds.length}.code`]: expect.stringContaining('was retired') },
    });
    grounds[0]!.description = 'Reworded description.';
    expect(
      await updateDraft(rt, created.draftId, { bodyMarkdown: draft.bodyMarkdown, changeSummary: 'Reword', grounds }),
    ).toEqual({ ok: true });
    setNow('2026-04-02T00:00:00Z');
    expect(await publishDraft(rt, created.draftId, { kind: 'minor', effectiveAt: rt.now() })).toMatchObject({
      ok: true,
      version: '2.1',
    });
  });

  it('re-checks a draft on publishing: a code retired meanwhile stops it', async () => {
    const stale = await draftFrom(rt); // still has "spam"
    const retiring = await draftFrom(rt, (d) => (d.grounds = d.grounds.filter((g) => g.code !== 'spam')));
    setNow('2026-04-03T00:00:00Z');
    expect(await publishDraft(rt, retiring, { kind: 'minor', effectiveAt: rt.now() })).toMatchObject({
      ok: true,
      version: '2.2',
    });
    setNow('2026-04-04T00:00:00Z');
    expect(await publishDraft(rt, stale, { kind: 'minor', effectiveAt: rt.now() })).toMatchObject({
      ok: false,
      error: 'invalid',
    });
  });
});

describe('comparing versions', async () => {
  const { rt, setNow } = await clockedRuntime('2026-03-01T10:00:00Z');
  beforeAll(async () => {
    setNow('2026-03-01T10:01:00Z'); // after the seeded 1.1
    const draftId = await draftFrom(rt, (d) => {
      d.bodyMarkdown =
        d.bodyMarkdown.replace('Kind and respectful communication', 'Kind and courteous communication') +
        '\n\n<script>alert(1)</script> & more\n';
      d.grounds = d.grounds.filter((g) => g.code !== 'illegal-activity');
      d.grounds[0]!.title = 'Hateful or discriminatory posts';
      d.grounds.push({ code: 'spam', title: 'Spam', description: 'Repeats <b>the same</b> message.' });
    });
    await publishDraft(rt, draftId, { kind: 'minor', effectiveAt: rt.now() });
  });

  it('marks words added and removed with ins/del and hidden words, escaping the text', async () => {
    const result = await compareVersions(rt, '1.1', '1.2');
    if (!result.ok) throw new Error('not found');
    expect(result.bodyChanged).toBe(true);
    expect(result.bodyDiffHtml).toContain(
      '<del class="app-diff__del"><span class="nhsuk-u-visually-hidden">removed: </span>respectful</del>',
    );
    expect(result.bodyDiffHtml).toContain(
      '<ins class="app-diff__ins"><span class="nhsuk-u-visually-hidden">added: </span>courteous</ins>',
    );
    // The diff is of the page as rendered: the sanitiser removes the script there, so it is not shown at all.
    expect(result.bodyDiffHtml).not.toContain('alert(1)');
    expect(result.bodyDiffHtml).toContain('&amp; more');
    expect(result.bodyDiffHtml).not.toContain('<script>');
    // The text as the page renders it, not its Markdown.
    expect(result.bodyDiffHtml.startsWith('<p>Kind and ')).toBe(true);
  });

  it('lists grounds added, reworded and retired', async () => {
    const result = await compareVersions(rt, '1.1', '1.2');
    if (!result.ok) throw new Error('not found');
    expect(result.grounds.added).toEqual([
      { code: 'spam', title: 'Spam', description: 'Repeats <b>the same</b> message.' },
    ]);
    expect(result.grounds.retired.map((g) => g.code)).toEqual(['illegal-activity']);
    expect(result.grounds.changed.map((g) => g.code)).toEqual(['hateful-or-discriminatory']);
    expect(result.grounds.changed[0]!.titleDiffHtml).toContain(
      '<ins class="app-diff__ins"><span class="nhsuk-u-visually-hidden">added: </span>posts</ins>',
    );
  });

  it('compares backwards, refuses a version compared with itself, and finds nothing for unknown versions', async () => {
    const back = await compareVersions(rt, '1.2', '1.1');
    expect(back.ok && back.grounds.added.map((g) => g.code)).toEqual(['illegal-activity']);
    const same = await compareVersions(rt, '1.0', '1.0');
    expect(same).toMatchObject({ ok: false, error: 'same-version', version: { version: '1.0' } });
    expect(await compareVersions(rt, '1.0', '9.9')).toEqual({ ok: false, error: 'not-found' });
    expect(await compareVersions(rt, 'x', '1.0')).toEqual({ ok: false, error: 'not-found' });
  });
});
