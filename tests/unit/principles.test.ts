import { describe, expect, it } from 'vitest';
import { grounds, principleVersions } from '../../db/schema.ts';
import { seedPrinciples } from '../../db/principles.ts';
import { getCurrentPrinciples, getPrinciplesVersion } from '../../src/lib/principles.ts';
import { testRuntime } from '../support/db.ts';

describe('database', () => {
  const rt = testRuntime();

  it('runs SQLite in WAL mode with foreign keys and a busy timeout', () => {
    const sqlite = rt.db.$client;
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('refuses a ground that points at no version (foreign key enforced)', () => {
    expect(() =>
      rt.db.insert(grounds).values({ versionId: 9999, code: 'x', title: 'x', description: 'x', position: 0 }).run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('seeds version 1.0 once, with the ten grounds for action from the seed page', () => {
    seedPrinciples(rt.db); // a second run must not add another copy
    expect(rt.db.select().from(principleVersions).all()).toHaveLength(1);
    const current = getCurrentPrinciples(rt);
    expect(current?.version).toBe('1.0');
    expect(current?.changeSummary).toBe('First published version');
    expect(current?.grounds.map((g) => g.code)).toEqual([
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
    ]);
    expect(current?.grounds[2]?.description).toBe('Is abusive towards people who use services, members of staff or the public.');
  });
});

describe('reading principles', () => {
  const rt = testRuntime();

  it('renders the body as HTML with the sections of the seed page', () => {
    const current = getCurrentPrinciples(rt)!;
    expect(current.isCurrent).toBe(true);
    expect(current.bodyHtml).toContain('<h2>Social media principles</h2>');
    expect(current.bodyHtml).toContain('<h2>Taking action</h2>');
    expect(current.bodyHtml).toContain("we won't remove a post simply because it's negative");
  });

  it('finds 1.0 by its permalink number', () => {
    expect(getPrinciplesVersion(rt, '1.0')?.version).toBe('1.0');
  });

  it.each(['9.9', '1', 'abc', '1.0.0', '../1.0', '1.0; drop table grounds', ''])('finds nothing for %j', (v) => {
    expect(getPrinciplesVersion(rt, v)).toBeUndefined();
  });

  it('has no version in force before 1.0 took effect', () => {
    const early = testRuntime({ now: () => new Date('2024-06-01T00:00:00Z') });
    expect(getCurrentPrinciples(early)).toBeUndefined();
  });
});
