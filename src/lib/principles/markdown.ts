/**
 * Markdown to safe HTML: marked (CommonMark/GFM) renders, sanitize-html keeps only a small
 * allow-list, so no raw HTML or script from a principles body reaches a page.
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: false, async: false });

const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: ['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'blockquote', 'br', 'hr', 'code'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['https', 'http', 'mailto', 'tel'],
  allowProtocolRelative: false,
  // Headings are demoted: a page has exactly one h1, its own.
  transformTags: { h1: 'h2' },
};

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
};

/** The text of a fragment of our sanitised HTML: tags dropped, the few entities it uses decoded, spaces collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (e) => ENTITIES[e]!)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Gives the list items of rendered principles that read exactly as the grounds for action the
 * anchors those grounds are linked by (`id="ground-<code>"`). Version 1.0, as the trust published
 * it, lists its reasons for action in its text; rendering that list a second time would say
 * everything twice. Only when every ground is found, in order, are the anchors placed (and
 * `groundsInText` is true); otherwise the page lists the grounds itself.
 */
export function anchorGroundsInText(
  html: string,
  grounds: readonly { code: string; description: string }[],
): { html: string; groundsInText: boolean } {
  if (grounds.length === 0) return { html, groundsInText: false };
  const items = [...html.matchAll(/<li>((?:(?!<li>)[\s\S])*?)<\/li>/g)];
  let next = 0;
  const hits: { index: number; code: string }[] = [];
  for (const item of items) {
    const ground = grounds[next];
    if (ground && textOf(item[1]!) === ground.description.replace(/\s+/g, ' ').trim()) {
      hits.push({ index: item.index!, code: ground.code });
      next += 1;
    }
  }
  if (next !== grounds.length) return { html, groundsInText: false };
  let out = html;
  for (const hit of hits.reverse())
    out = `${out.slice(0, hit.index)}<li id="ground-${hit.code}">${out.slice(hit.index + 4)}`;
  return { html: out, groundsInText: true };
}

/** Renders trusted-or-not Markdown to sanitised HTML. */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown) as string;
  return sanitizeHtml(html, ALLOWED);
}
