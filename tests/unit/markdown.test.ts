import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/lib/principles/markdown.ts';

describe('renderMarkdown', () => {
  it('renders headings, lists and links', () => {
    const html = renderMarkdown('## Title\n\n- one\n- two\n\n[link](https://example.org)');
    expect(html).toContain('<h2>Title</h2>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<a href="https://example.org">link</a>');
  });

  it('demotes a level-one heading so the page keeps a single h1', () => {
    expect(renderMarkdown('# Big').trim()).toBe('<h2>Big</h2>');
  });

  it.each([
    ['<script>alert(1)</script>', '<script'],
    ['<img src=x onerror=alert(1)>', 'onerror'],
    ['[x](javascript:alert(1))', 'javascript:'],
    ['<a href="https://e.org" onclick="x()">a</a>', 'onclick'],
    ['<iframe src="https://e.org"></iframe>', '<iframe'],
    ['<p style="color:red">x</p>', 'style='],
  ])('removes raw HTML: %s', (md, banned) => {
    expect(renderMarkdown(md)).not.toContain(banned);
  });
});
