import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/lib/principles/markdown.ts';
import { diffInline, diffRendered, toBlocks } from '../../src/lib/principles/rendered-diff.ts';

describe('toBlocks', () => {
  it('cuts headings, paragraphs and list items into blocks, with their text', () => {
    const blocks = toBlocks(renderMarkdown('## Our rules\n\nWe **hide** comments.\n\n- one\n- two\n\n1. first\n'));
    expect(blocks.map((b) => [b.kind, b.list ?? '', b.text])).toEqual([
      ['h2', '', 'Our rules'],
      ['p', '', 'We hide comments.'],
      ['li', 'ul', 'one'],
      ['li', 'ul', 'two'],
      ['li', 'ol', 'first'],
    ]);
  });

  it('keeps inline tags outside any block whole, in the loose text around them', () => {
    const blocks = toBlocks(
      'Use <code>--force</code> and <a href="https://example.org">this link</a> only.<p>After.</p>',
    );
    expect(blocks).toEqual([
      {
        kind: 'p',
        inner: 'Use <code>--force</code> and <a href="https://example.org">this link</a> only.',
        text: 'Use --force and this link only.',
      },
      { kind: 'p', inner: 'After.', text: 'After.' },
    ]);
  });

  it('starts with inline code and ends with it', () => {
    const blocks = toBlocks('<code>a</code> b <code>c</code>');
    expect(blocks).toEqual([{ kind: 'p', inner: '<code>a</code> b <code>c</code>', text: 'a b c' }]);
  });

  it('makes a list item outside any list a block of its own', () => {
    expect(toBlocks('<li>stray</li><p>next</p>').map((b) => [b.kind, b.list, b.inner])).toEqual([
      ['li', 'ul', 'stray'],
      ['p', undefined, 'next'],
    ]);
  });
});

describe('diffInline', () => {
  it('marks removed and added words, with hidden text for screen readers, and keeps the later tags', () => {
    const html = diffInline('Email <a href="/a">us</a> today', 'Write to <a href="/b">us</a> today');
    expect(html).toContain(
      '<del class="app-diff__del"><span class="nhsuk-u-visually-hidden">removed: </span>Email </del>',
    );
    expect(html).toContain(
      '<ins class="app-diff__ins"><span class="nhsuk-u-visually-hidden">added: </span>Write to </ins>',
    );
    expect(html).toContain('<a href="/b">us</a> today');
    expect(html).not.toContain('/a"');
  });
});

describe('diffRendered', () => {
  const before = renderMarkdown('Intro.\n\n## Hiding\n\nWe hide abuse.\n\n## Appeals\n\nEmail us.\n');

  it('says nothing changed for identical versions', () => {
    const { changed, sections } = diffRendered(before, before);
    expect(changed).toBe(false);
    expect(sections.map((s) => [s.id, s.changed])).toEqual([
      ['section-opening', false],
      ['section-hiding', false],
      ['section-appeals', false],
    ]);
  });

  it('marks only the section whose words changed, word by word, in rendered text', () => {
    const after = renderMarkdown(
      'Intro.\n\n## Hiding\n\nWe hide abuse.\n\n## Appeals\n\nUse the [appeal form](/appeal).\n',
    );
    const { changed, sections } = diffRendered(before, after);
    expect(changed).toBe(true);
    expect(sections.map((s) => s.changed)).toEqual([false, false, true]);
    const appeals = sections[2]!.bodyHtml;
    expect(appeals).toContain('<a href="/appeal">');
    expect(appeals).toContain('removed: </span>Email us.</del>');
    expect(appeals).not.toContain('[appeal form]');
  });

  it('shows a paragraph with inline code at the top level as it reads', () => {
    const { sections } = diffRendered('Run <code>a</code> now.', 'Run <code>b</code> now.');
    expect(sections).toHaveLength(1);
    expect(sections[0]!.bodyHtml).toMatch(/^<p>Run <code>.*<\/code> now\.<\/p>$/);
    expect(sections[0]!.bodyHtml).toContain('added: </span>b</ins>');
  });
});
