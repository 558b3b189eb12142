import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { createDraft, getDraft, publishDraft, updateDraft } from '../../src/lib/principles/versions.ts';
import { principlesArchive, principlesAtomFeed } from '../../src/lib/principles/feed.ts';
import { testRuntime } from '../support/db.ts';

const BASE = 'https://appeals.example.nhs.uk';
// The service first starts at 09:00 (the seeded 1.1 takes effect then); the test publishes at 10:00.
let now = new Date('2026-03-01T09:00:00Z');
const rt = await testRuntime({ now: () => now, env: { PUBLIC_URL: `${BASE}/` } });
now = new Date('2026-03-01T10:00:00Z');

async function publish(summary: string, effectiveAt: Date): Promise<void> {
  const { draftId } = (await createDraft(rt)) as { ok: true; draftId: number };
  const d = (await getDraft(rt, draftId))!;
  const saved = await updateDraft(rt, draftId, {
    bodyMarkdown: `${d.bodyMarkdown}\n\nMore.`,
    changeSummary: summary,
    grounds: d.grounds,
  });
  expect(saved).toEqual({ ok: true });
  expect(await publishDraft(rt, draftId, { kind: 'minor', effectiveAt })).toMatchObject({ ok: true });
}

await publish('Adds <script>alert("x")</script> & clarifies wording', new Date('2026-03-01T10:00:00Z'));
await publish('Scheduled for later', new Date('2026-06-01T00:00:00Z'));

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (name) => ['entry', 'link'].includes(name),
});
const titleOf = (e: Record<string, unknown>) => (e.title as Record<string, string>)['#text'];
const parse = async () => {
  const xml = await principlesAtomFeed(rt);
  expect(XMLValidator.validate(xml)).toBe(true);
  return {
    xml,
    doc: parser.parse(xml) as {
      feed: Record<string, unknown> & { entry: Record<string, unknown>[]; link: Record<string, string>[] };
    },
  };
};

describe('the Atom feed', () => {
  it('is well-formed Atom 1.0 with the required feed elements and absolute links', async () => {
    const { xml, doc } = await parse();
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const feed = doc.feed;
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe(`${BASE}/changelog`);
    expect(String(feed.title)).toContain('social media principles');
    expect(new Date(String(feed.updated)).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(feed.link).toContainEqual({ '@rel': 'self', '@href': `${BASE}/changelog.xml` });
    expect(feed.link).toContainEqual({ '@rel': 'alternate', '@href': `${BASE}/changelog` });
    expect((feed.author as { name: string }).name).toBe('Norfolk and Suffolk NHS Foundation Trust');
  });

  it('has one entry a version in effect, newest first, with id, title, updated, link and summary', async () => {
    const entries = (await parse()).doc.feed.entry;
    expect(entries.map(titleOf)).toEqual(['Version 1.2', 'Version 1.1', 'Version 1.0']);
    const [latest] = entries;
    expect(latest!.id).toBe(`${BASE}/principles/1.2`);
    expect(latest!.updated).toBe('2026-03-01T10:00:00.000Z');
    expect(latest!.link).toEqual([{ '@href': `${BASE}/principles/1.2` }]);
    // Summary is type="html", so the text is escaped once: a reader shows it, never runs it.
    expect(latest!.summary).toMatchObject({
      '@type': 'html',
      '#text': 'Adds &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; clarifies wording',
    });
    expect(String((latest!.content as Record<string, string>)['#text'])).toContain(
      `href="${BASE}/principles/compare/1.1...1.2"`,
    );
    // Version 1.0's date is not known: the entry says so, and is dated when it was put on this site.
    const first = entries.at(-1)!;
    expect(String((first.content as Record<string, string>)['#text'])).toContain('In force from a date not known.');
    expect(first.updated).toBe('2026-03-01T09:00:00.000Z');
    for (const e of entries)
      for (const link of e.link as Record<string, string>[]) expect(link['@href']).toMatch(/^https:\/\//);
  });

  it('adds a scheduled version only when it takes effect', async () => {
    expect((await parse()).doc.feed.entry).toHaveLength(3);
    now = new Date('2026-06-01T00:00:00Z');
    try {
      const entries = (await parse()).doc.feed.entry;
      expect(entries.map(titleOf)).toEqual(['Version 1.3', 'Version 1.2', 'Version 1.1', 'Version 1.0']);
      expect((await parse()).doc.feed.updated).toBe('2026-06-01T00:00:00.000Z');
    } finally {
      now = new Date('2026-03-01T10:00:00Z');
    }
  });
});

describe('the JSON archive', () => {
  it('lists every version in effect with its grounds and Markdown, and no drafts', async () => {
    await createDraft(rt); // a draft must not appear
    const archive = await principlesArchive(rt);
    expect(archive.versions.map((v) => [v.version, v.inForce])).toEqual([
      ['1.2', true],
      ['1.1', false],
      ['1.0', false],
    ]);
    // 1.0's date is not known: null, not an invented one.
    expect(archive.versions[2]).toMatchObject({
      url: `${BASE}/principles/1.0`,
      effectiveAt: null,
      changeSummary: expect.stringContaining('not known'),
    });
    expect(archive.versions[1]).toMatchObject({
      url: `${BASE}/principles/1.1`,
      effectiveAt: '2026-03-01T09:00:00.000Z',
    });
    expect(archive.versions[2]!.grounds).toHaveLength(10);
    expect(archive.versions[2]!.grounds[0]).toEqual({
      code: 'hateful-or-discriminatory',
      title: expect.any(String),
      description: expect.any(String),
    });
    expect(archive.versions[0]!.bodyMarkdown.endsWith('More.')).toBe(true);
    expect(JSON.stringify(archive)).toBe(JSON.stringify(await principlesArchive(rt))); // stable for the ETag
  });
});
