/**
 * A word-level diff of two versions of the principles as they read on the page: headings, lists
 * and links as rendered, not the Markdown behind them.
 *
 * Both inputs are our own sanitised HTML (src/lib/principles/markdown.ts), so a small scanner is enough to
 * cut them into blocks (headings, paragraphs, list items, quotes). Blocks are matched first; a
 * changed block is then compared word by word, with its tags kept as whole tokens: the later
 * version's tags are kept (so its links and emphasis stay as they are), removed words are marked
 * `<del>`, added ones `<ins>`, each with visually hidden "removed:" / "added:" text so nothing
 * relies on colour. The blocks are grouped into sections at each `<h2>`, and each section says
 * whether anything in it changed, so the page can fold away the sections that did not.
 */
import { diffArrays } from 'diff';
import { textOf } from './markdown.ts';

const INS = '<ins class="app-diff__ins"><span class="nhsuk-u-visually-hidden">added: </span>';
const DEL = '<del class="app-diff__del"><span class="nhsuk-u-visually-hidden">removed: </span>';

type Kind = 'h2' | 'h3' | 'h4' | 'p' | 'li' | 'blockquote' | 'hr';

interface Block {
  kind: Kind;
  /** For list items: the list they belong to. */
  list?: 'ul' | 'ol';
  inner: string;
  text: string;
}

const BLOCKS = new Set(['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'blockquote', 'hr']);

/** Cuts sanitised HTML into its top-level blocks; list items become blocks of their own. */
export function toBlocks(html: string): Block[] {
  const blocks: Block[] = [];
  const tag = /<(\/?)([a-z0-9]+)\b[^>]*>/g;
  let depth = 0;
  let open: { name: string; start: number } | undefined;
  let list: { name: 'ul' | 'ol'; itemStart: number; itemDepth: number } | undefined;
  // Text outside any block (raw HTML the sanitiser took apart can leave some) is still on the page.
  let outside = 0;
  const loose = (until: number) => {
    const inner = html.slice(outside, until).trim();
    if (inner) blocks.push({ kind: 'p', inner, text: textOf(inner) });
  };
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    const [whole, closing, name] = m as unknown as [string, string, string];
    const end = m.index + whole.length;
    // An inline tag (link, emphasis, code) outside any block is part of the loose text around it.
    if (depth === 0 && !BLOCKS.has(name) && name !== 'li') continue;
    if (depth === 0 && !closing) loose(m.index);
    if (depth === 0) outside = end;
    if (name === 'br' || name === 'hr') {
      if (name === 'hr' && depth === 0) blocks.push({ kind: 'hr', inner: '', text: '---' });
      continue;
    }
    if (!closing) {
      // A list item outside any list (the sanitiser keeps one) is a block of its own.
      if (depth === 0 && (BLOCKS.has(name) || name === 'li')) open = { name, start: end };
      if (depth === 0 && (name === 'ul' || name === 'ol')) list = { name, itemStart: -1, itemDepth: 1 };
      depth += 1;
      if (list && name === 'li' && depth === 2) list.itemStart = end;
    } else {
      depth -= 1;
      if (list && name === 'li' && depth === 1 && list.itemStart >= 0) {
        const inner = html.slice(list.itemStart, m.index).trim();
        blocks.push({ kind: 'li', list: list.name, inner, text: textOf(inner) });
        list.itemStart = -1;
      }
      if (depth === 0 && open && open.name === name) {
        if (name !== 'ul' && name !== 'ol') {
          const inner = html.slice(open.start, m.index).trim();
          blocks.push(
            name === 'li'
              ? { kind: 'li', list: 'ul', inner, text: textOf(inner) }
              : { kind: name as Kind, inner, text: textOf(inner) },
          );
        }
        open = undefined;
        list = undefined;
        outside = end;
      }
    }
  }
  if (depth === 0) loose(html.length);
  return blocks;
}

/** Tags, words and runs of spaces, in order. */
function tokens(html: string): string[] {
  return html.match(/<[^>]+>|[^<\s]+|\s+/g) ?? [];
}

function mark(run: string, wrap: string): string {
  return run.trim() === '' ? run : `${wrap}${run}${wrap === INS ? '</ins>' : '</del>'}`;
}

interface Part {
  value: string[];
  added?: boolean;
  removed?: boolean;
}

/**
 * Joins changes that are only a space or a short word apart ("then please email" → "will look
 * at"), so a reworded phrase reads as one removal and one addition rather than a word-by-word
 * zigzag. Equal runs holding a tag are never absorbed (the tags must stay as they are).
 */
function joinNearbyChanges(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const part of parts) out.push({ ...part, value: [...part.value] });
  const isChange = (p: Part | undefined) => !!p && (!!p.added || !!p.removed);
  const absorbable = (p: Part) =>
    !p.added &&
    !p.removed &&
    !p.value.some((t) => t.startsWith('<')) &&
    p.value.filter((t) => t.trim() !== '').length <= 1;
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < out.length; i++) {
      const p = out[i]!;
      if (!isChange(p)) continue;
      // The change group starting at i: a removal and/or an addition.
      let j = i;
      while (isChange(out[j + 1])) j += 1;
      const gap = out[j + 1];
      if (!gap || !absorbable(gap) || !isChange(out[j + 2])) continue;
      let k = j + 2;
      while (isChange(out[k + 1])) k += 1;
      const removed = [...out.slice(i, j + 1), gap, ...out.slice(j + 2, k + 1)].flatMap((q) =>
        q === gap || q.removed ? q.value : [],
      );
      const added = [...out.slice(i, j + 1), gap, ...out.slice(j + 2, k + 1)].flatMap((q) =>
        q === gap || q.added ? q.value : [],
      );
      out.splice(i, k - i + 1, { value: removed, removed: true }, { value: added, added: true });
      changed = true;
      break;
    }
  }
  return out.filter((p) => p.value.length > 0);
}

/** The later block's HTML with the words removed from and added to the earlier one marked. */
export function diffInline(before: string, after: string): string {
  let out = '';
  for (const part of joinNearbyChanges(diffArrays(tokens(before), tokens(after)))) {
    if (!part.added && !part.removed) {
      out += part.value.join('');
      continue;
    }
    let run = '';
    const wrap = part.added ? INS : DEL;
    for (const token of part.value) {
      if (token.startsWith('<')) {
        out += mark(run, wrap);
        run = '';
        if (part.added) out += token; // removed tags are dropped: the later version's tags stay balanced
      } else run += token;
    }
    out += mark(run, wrap);
  }
  return out;
}

type Status = 'same' | 'changed' | 'added' | 'removed';

interface MergedBlock {
  kind: Kind;
  list?: 'ul' | 'ol';
  status: Status;
  html: string;
  /** Plain text of the block (the later wording when there is one). */
  text: string;
}

const sameKind = (a: Block, b: Block) => a.kind === b.kind && a.list === b.list;

function merge(before: Block[], after: Block[]): MergedBlock[] {
  const out: MergedBlock[] = [];
  const key = (b: Block) => `${b.kind}|${b.list ?? ''}|${b.text}`;
  const parts = diffArrays(before, after, { comparator: (a, b) => key(a) === key(b) });
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part.added && !part.removed) {
      // Same text; keep the later HTML (a link's address may have changed with its words the same).
      const later = part.value;
      for (const b of later) out.push({ kind: b.kind, list: b.list, status: 'same', html: b.inner, text: b.text });
      continue;
    }
    const next = parts[i + 1];
    const removed = part.removed ? part.value : [];
    const added = part.removed && next?.added ? next.value : part.added ? part.value : [];
    if (part.removed && next?.added) i += 1;
    // Pair removed and added blocks of the same kind in order: a reworded paragraph, not one
    // paragraph deleted and another inserted.
    let r = 0;
    let a = 0;
    while (r < removed.length || a < added.length) {
      const rb = removed[r];
      const ab = added[a];
      if (rb && ab && sameKind(rb, ab)) {
        out.push({
          kind: ab.kind,
          list: ab.list,
          status: 'changed',
          html: diffInline(rb.inner, ab.inner),
          text: ab.text,
        });
        r += 1;
        a += 1;
      } else if (rb && (!ab || removed.length - r >= added.length - a)) {
        out.push({ kind: rb.kind, list: rb.list, status: 'removed', html: diffInline(rb.inner, ''), text: rb.text });
        r += 1;
      } else if (ab) {
        out.push({ kind: ab.kind, list: ab.list, status: 'added', html: diffInline('', ab.inner), text: ab.text });
        a += 1;
      }
    }
  }
  return out;
}

export interface DiffSection {
  /** Anchor for the section (`section-…`), unique on the page. */
  id: string;
  /** The section's heading as plain text; undefined for the text before the first heading. */
  heading: string | undefined;
  /** The heading with its changes marked (HTML), when there is a heading. */
  headingHtml: string | undefined;
  changed: boolean;
  /** The section's blocks after its heading, changes marked, as HTML. */
  bodyHtml: string;
}

const LIST_CLASS = { ul: 'nhsuk-list nhsuk-list--bullet', ol: 'nhsuk-list nhsuk-list--number' } as const;

function blocksHtml(blocks: MergedBlock[], demote: number): string {
  let html = '';
  let openList: 'ul' | 'ol' | undefined;
  for (const b of blocks) {
    if (openList && (b.kind !== 'li' || b.list !== openList)) {
      html += `</${openList}>`;
      openList = undefined;
    }
    if (b.kind === 'li') {
      if (!openList) {
        openList = b.list ?? 'ul';
        html += `<${openList} class="${LIST_CLASS[openList]}">`;
      }
      html += `<li>${b.html}</li>`;
    } else if (b.kind === 'hr') html += '<hr>';
    else if (b.kind === 'h3' || b.kind === 'h4') {
      const level = Math.min(6, Number(b.kind[1]) + demote);
      html += `<h${level}>${b.html}</h${level}>`;
    } else html += `<${b.kind}>${b.html}</${b.kind}>`;
  }
  if (openList) html += `</${openList}>`;
  return html;
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'section'
  );
}

/**
 * The sections of the later text (and any removed from the earlier one), in order, each with its
 * changes marked. `demote` lowers the headings inside a section (h3 → h4) for pages where the
 * section headings are not h2.
 */
export function diffRendered(
  beforeHtml: string,
  afterHtml: string,
  demote = 0,
): { sections: DiffSection[]; changed: boolean } {
  const merged = merge(toBlocks(beforeHtml), toBlocks(afterHtml));
  const groups: { heading?: MergedBlock; blocks: MergedBlock[] }[] = [{ blocks: [] }];
  for (const b of merged) {
    if (b.kind === 'h2') groups.push({ heading: b, blocks: [] });
    else groups.at(-1)!.blocks.push(b);
  }
  const used = new Set<string>();
  const sections = groups
    .filter((g) => g.heading || g.blocks.length > 0)
    .map((g) => {
      let id = `section-${g.heading ? slug(g.heading.text) : 'opening'}`;
      for (let n = 2; used.has(id); n++) id = `section-${g.heading ? slug(g.heading.text) : 'opening'}-${n}`;
      used.add(id);
      const changed = [g.heading, ...g.blocks].some((b) => b && b.status !== 'same');
      return {
        id,
        heading: g.heading?.text,
        headingHtml: g.heading?.html,
        changed,
        bodyHtml: blocksHtml(g.blocks, demote),
      };
    });
  return { sections, changed: sections.some((s) => s.changed) };
}
