import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tablesOf } from '../../db/dialect/index.ts';
import { seedPrinciples } from '../../db/principles.ts';
import { getCurrentPrinciples, getPrinciplesVersion } from '../../src/lib/principles/versions.ts';
import { testRuntime } from '../support/db.ts';

describe('database', async () => {
  const rt = await testRuntime();

  it('runs SQLite in WAL mode with foreign keys and a busy timeout', async () => {
    // Pragmas are SQLite's own; PostgreSQL has no journal mode or busy timeout to check.
    const sqlite = (await testRuntime({ engine: 'sqlite' })).db.$client;
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('refuses a ground that points at no version (foreign key enforced)', async () => {
    const { grounds } = tablesOf(rt.db);
    const error: unknown = await rt.db
      .insert(grounds)
      .values({ versionId: 9999, code: 'x', title: 'x', description: 'x', position: 0 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    // drizzle wraps PostgreSQL's error (DrizzleQueryError) and keeps the driver's as the cause.
    // SQLite says "FOREIGN KEY constraint failed"; PostgreSQL "violates foreign key constraint".
    const driverError = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    expect(driverError).toBeInstanceOf(Error);
    expect((driverError as Error).message).toMatch(/foreign key constraint/i);
  });

  it('seeds versions 1.0 and 1.1 once, with the ten grounds for action from the seed page', async () => {
    const links = {
      crisisUrl: 'https://x.example/crisis',
      complaintsUrl: 'https://x.example/complaints',
      contactEmail: 'c@x.example',
      reviewWorkingDays: 10,
    };
    await seedPrinciples(rt.db, rt.now(), links); // a second run must not add another copy
    expect(await rt.db.select().from(tablesOf(rt.db).principleVersions)).toHaveLength(2);
    const current = await getCurrentPrinciples(rt);
    expect(current?.version).toBe('1.1');
    expect(current?.previousVersion).toBe('1.0');
    expect(current?.changeSummary).toMatch(/^You can now ask us online to look again at a decision/);
    const v1 = (await getPrinciplesVersion(rt, '1.0'))!;
    expect(v1.effectiveAt).toBeNull();
    expect(v1.grounds).toEqual(current?.grounds);
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
    // Worded exactly as the trust's page lists them (no full stop added).
    expect(current?.grounds[2]?.description).toBe(
      'Is abusive towards people who use services, members of staff or the public',
    );
  });

  it('keeps version 1.0 word for word as the trust published it', async () => {
    const published = readFileSync(new URL('../../db/seed/social-media-principles.txt', import.meta.url), 'utf8');
    const words = (text: string) => text.replace(/\s+/g, ' ').trim();
    const v1 = (await getPrinciplesVersion(rt, '1.0'))!;
    const v1Text = words(
      v1.bodyHtml
        .replace(/<\/?(?:a|strong|em)\b[^>]*>/g, '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/&#39;|&#x27;/g, "'")
        .replace(/&amp;/g, '&'),
    );
    // Every paragraph and list item of the page, from its first words to "by emailing", in order.
    const body = published.slice(published.indexOf('Kind and respectful'), published.indexOf('Page Feedback'));
    const pieces = body
      .split(/\n\s*\n|•/)
      .map(words)
      .filter(Boolean);
    expect(pieces.length).toBeGreaterThan(25);
    let from = 0;
    for (const piece of pieces) {
      const at = v1Text.indexOf(piece, from);
      expect(at, piece).toBeGreaterThanOrEqual(0);
      from = at + piece.length;
    }
    // The two sentences an earlier seed rewrote or dropped, and no invented date.
    expect(v1Text).toContain(
      'If you do not agree with our decision then please email and we will explain why the decision was made.',
    );
    expect(v1Text).toContain('If you have any question please get in touch by emailing');
    expect(v1Text).not.toContain('look at it again');
    expect(v1.effectiveAt).toBeNull();
  });

  it('seeds 1.1 as the change that introduces this service, in force from the first start', async () => {
    const v11 = (await getPrinciplesVersion(rt, '1.1'))!;
    expect(v11.effectiveAt).toEqual(v11.publishedAt);
    expect(v11.bodyHtml).toContain('<a href="/appeal">ask us to look at it again</a>');
    expect(v11.bodyHtml).toContain('within 10 working days');
    expect(v11.bodyHtml).toContain('<a href="/subscribe">get an email when they change</a>');
    expect(v11.changeSummary).toContain('within 10 working days');
  });
});

describe('reading principles', async () => {
  const rt = await testRuntime();

  it('renders the body as HTML with the sections of the seed page', async () => {
    const current = (await getCurrentPrinciples(rt))!;
    expect(current.isCurrent).toBe(true);
    expect(current.bodyHtml).toContain('<h2>Social media principles</h2>');
    expect(current.bodyHtml).toContain('<h2>Taking action</h2>');
    expect(current.bodyHtml).toContain("we won't remove a post simply because it's negative");
  });

  it('finds 1.0 by its permalink number', async () => {
    expect((await getPrinciplesVersion(rt, '1.0'))?.version).toBe('1.0');
  });

  it.each(['9.9', '1', 'abc', '1.0.0', '../1.0', '1.0; drop table grounds', ''])('finds nothing for %j', async (v) => {
    expect(await getPrinciplesVersion(rt, v)).toBeUndefined();
  });

  it('has 1.0 in force at any time before 1.1 took effect, its own date not being known', async () => {
    let now = new Date('2026-06-01T00:00:00Z');
    const clocked = await testRuntime({ now: () => now });
    now = new Date('2024-06-01T00:00:00Z');
    expect((await getCurrentPrinciples(clocked))?.version).toBe('1.0');
    now = new Date('2026-06-01T00:00:00Z');
    expect((await getCurrentPrinciples(clocked))?.version).toBe('1.1');
  });

  it('places the ground anchors on the list in the text, and lists grounds itself when the text does not', async () => {
    const current = (await getCurrentPrinciples(rt))!;
    expect(current.groundsInText).toBe(true);
    expect(current.bodyHtml).toContain('<li id="ground-irrelevant-advertising">Contains irrelevant advertising</li>');
    expect(current.bodyHtml.match(/id="ground-/g)).toHaveLength(10);
  });
});
