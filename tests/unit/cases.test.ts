import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertAppeal } from '../../db/appeals.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { caseNotice, getCase, listCases, lookUpCase, recordCase } from '../../src/lib/cases/cases.ts';
import type { FormValues } from '../../src/lib/platform/forms.ts';
import { testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';

const NOW = new Date('2026-11-25T12:00:00Z');

function validForm(overrides: FormValues = {}): FormValues {
  return {
    platform: 'facebook',
    handle: '@someone',
    'post-url': 'https://www.facebook.com/nsft/posts/123',
    excerpt: 'The words that were hidden',
    actions: ['hidden', 'blocked'],
    grounds: ['abusive'],
    reasons: 'The comment called a member of staff names.',
    'action-day': '24',
    'action-month': '11',
    'action-year': '2026',
    'action-time': '09:15',
    'detected-by': 'own-monitoring',
    automated: 'no',
    ...overrides,
  };
}

describe('recording a case', async () => {
  const rt = await testRuntime({ now: () => NOW });
  const { auditLog, principleVersions } = tablesOf(rt.db);
  const actor = { id: 0, ip: '127.0.0.1' };
  /** Sets when version 1.0 took effect (null: not known). */
  const setFirstEffectiveAt = (effectiveAt: Date | null) =>
    rt.db.update(principleVersions).set({ effectiveAt }).where(eq(principleVersions.version, '1.0'));
  beforeAll(async () => {
    actor.id = await testStaff(rt, ['moderator']);
  });

  it('records a valid case with a checkable reference, its grounds from version 1.0 and an audit entry', async () => {
    const result = await recordCase(rt, validForm(), actor);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const c = (await getCase(rt, result.caseId))!;
    expect(c.reference).toBe(result.reference);
    expect(c.version).toBe('1.0');
    expect(c.actions.sort()).toEqual(['blocked', 'hidden']);
    expect(c.grounds.map((g) => g.code)).toEqual(['abusive']);
    expect(c.actionAt.toISOString()).toBe('2026-11-24T09:15:00.000Z');
    expect(c.recordedBy).toBe(actor.id);
    const lookedUp = await lookUpCase(rt, result.reference.toLowerCase().replace(/-/g, ' '));
    expect(lookedUp.ok && lookedUp.case.id).toBe(result.caseId);
    const audit = await rt.db.select().from(auditLog);
    expect(audit.some((a) => a.action === 'case.recorded' && a.entityId === result.reference)).toBe(true);
  });

  it.each<[string, FormValues, string]>([
    ['a missing platform', { platform: '' }, 'platform'],
    ['a made-up platform', { platform: 'myspace' }, 'platform'],
    ['a missing handle', { handle: '   ' }, 'handle'],
    ['a handle with a line break', { handle: '@someone\nBcc: someone@example.org' }, 'handle'],
    ['a link with a line break', { 'post-url': 'https://www.facebook.com/nsft\nBcc: x@example.org' }, 'post-url'],
    ['a javascript: link', { 'post-url': 'javascript:alert(1)' }, 'post-url'],
    ['a data: link', { 'post-url': 'data:text/html,hi' }, 'post-url'],
    ['a 100 kB excerpt', { excerpt: 'x'.repeat(100_000) }, 'excerpt'],
    ['no actions', { actions: [] }, 'actions'],
    ['an unknown action', { actions: ['vanished'] }, 'actions'],
    ['no grounds', { grounds: [] }, 'grounds'],
    ['a ground that does not exist', { grounds: ['made-up'] }, 'grounds'],
    ['no reasons', { reasons: '' }, 'reasons'],
    ['a future date', { 'action-day': '26' }, 'action-day'],
    ['an impossible date', { 'action-day': '31', 'action-month': '2' }, 'action-day'],
    ['no detection route', { 'detected-by': '' }, 'detected-by'],
    ['no automated answer', { automated: '' }, 'automated'],
  ])('refuses %s with an error on that field and keeps what was typed', async (_name, change, field) => {
    const values = validForm(change);
    const result = await recordCase(rt, values, actor);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[field]).toBeTruthy();
    expect(result.values).toEqual(values);
  });

  it('records an action from long ago under version 1.0, whose start date is not known', async () => {
    const result = await recordCase(rt, validForm({ 'action-year': '2020' }), actor);
    expect(result.ok).toBe(true);
    if (result.ok) expect((await getCase(rt, result.caseId))!.version).toBe('1.0');
  });

  it('refuses a date before any principles (where the first version has a known date) with an error on that field and keeps what was typed', async () => {
    // An organisation that knows when its first version took effect.
    await setFirstEffectiveAt(new Date('2025-01-01T00:00:00Z'));
    try {
      const values = validForm({ 'action-year': '2020' });
      const result = await recordCase(rt, values, actor);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors['action-day']).toBeTruthy();
      expect(result.values).toEqual(values);
    } finally {
      await setFirstEffectiveAt(null);
    }
  });

  it('lists and searches cases by handle, platform and action', async () => {
    await recordCase(rt, validForm({ handle: '@findme', platform: 'x', actions: ['deleted'] }), actor);
    expect((await listCases(rt, { text: 'findme', limit: 10, offset: 0 })).items.map((c) => c.accountHandle)).toEqual([
      '@findme',
    ]);
    expect((await listCases(rt, { platform: 'x', limit: 10, offset: 0 })).total).toBe(1);
    expect((await listCases(rt, { action: 'deleted', limit: 10, offset: 0 })).total).toBe(1);
    expect((await listCases(rt, { text: '%', limit: 10, offset: 0 })).total).toBe(0);
  });

  it('counts the open appeals of each listed case, and only its own', async () => {
    const first = await recordCase(rt, validForm({ handle: '@counted' }), actor);
    const second = await recordCase(rt, validForm({ handle: '@counted' }), actor);
    if (!first.ok || !second.ok) throw new Error('expected cases');
    const appeal = { caseId: second.caseId, receivedAt: NOW, dueAt: NOW };
    await insertAppeal(rt.db, { ...appeal, reference: 'COUNT-A1', status: 'decided' });
    await insertAppeal(rt.db, { ...appeal, reference: 'COUNT-A2' });
    const listed = (await listCases(rt, { text: '@counted', limit: 10, offset: 0 })).items;
    expect(listed.map((c) => [c.id, c.openAppeals])).toEqual([
      [second.caseId, 1],
      [first.caseId, 0],
    ]);
  });

  it('refuses a reference with a typo before looking it up', async () => {
    const result = await recordCase(rt, validForm(), actor);
    if (!result.ok) throw new Error('expected a case');
    const chars = result.reference.split('');
    const i = chars.findIndex((ch) => /[0-9A-Z]/.test(ch));
    chars[i] = chars[i] === '7' ? '8' : '7';
    expect(await lookUpCase(rt, chars.join(''))).toEqual({ ok: false, error: 'check-failed' });
  });
});

describe('the notice for the person', async () => {
  const rt = await testRuntime({ now: () => NOW });
  const actor = { id: 0, ip: null };
  beforeAll(async () => {
    actor.id = await testStaff(rt, ['moderator']);
  });

  it('says what we did, why, the reference and the appeal link, in under 500 characters', async () => {
    const result = await recordCase(rt, validForm({ actions: ['hidden'] }), actor);
    if (!result.ok) throw new Error('expected a case');
    const notice = caseNotice(
      (await getCase(rt, result.caseId))!,
      'https://appeals.example.org',
      { name: 'Test Trust' },
      6,
    );
    expect(notice.short.length).toBeLessThan(500);
    expect(notice.short).toContain('We hid your comment');
    expect(notice.short).toContain('abuse towards people');
    expect(notice.short).toContain(`https://appeals.example.org/appeal?ref=${result.reference}`);
    expect(notice.long).toContain('The comment called a member of staff names.');
    expect(notice.long).toContain('https://appeals.example.org/principles/1.0');
    expect(notice.long).toContain('within 6 months');
  });

  it('stays under 500 characters with every ground selected', async () => {
    const all = [
      'hateful-or-discriminatory',
      'profane-offensive-or-violent',
      'abusive',
      'upsetting-links',
      'illegal-activity',
      'confidential-or-personal-information',
      'irrelevant-advertising',
      'pornography-weapons-or-terrorism',
      'personal-financial-gain',
      'promotes-unlawful-acts',
    ];
    const result = await recordCase(
      rt,
      validForm({ grounds: all, actions: ['hidden', 'deleted', 'blocked', 'reported', 'police', 'legal'] }),
      actor,
    );
    if (!result.ok) throw new Error('expected a case');
    const notice = caseNotice(
      (await getCase(rt, result.caseId))!,
      'https://appeals.example.org',
      { name: 'Test Trust' },
      6,
    );
    expect(notice.short.length).toBeLessThan(500);
    expect(notice.short).toContain(result.reference);
  });
});
