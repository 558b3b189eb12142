/**
 * Word-level differences between two principles versions, as accessible HTML.
 *
 * We diff the Markdown source, not the rendered HTML: the Markdown is the published text (it is
 * what /principles.json archives), it reads as plain prose, and diffing HTML would split tags.
 * The result is shown with `white-space: pre-wrap`, so paragraphs and list items keep their lines.
 * Every piece of text is HTML-escaped; insertions and deletions carry visually hidden
 * "added: " / "removed: " text so they do not rely on colour or strike-through alone.
 */
import { diffWords } from 'diff';
import { escapeHtml } from '../platform/index.ts';

export { escapeHtml };

const INS = '<ins class="app-diff__ins"><span class="nhsuk-u-visually-hidden">added: </span>';
const DEL = '<del class="app-diff__del"><span class="nhsuk-u-visually-hidden">removed: </span>';

/** HTML of `after` compared with `before`, word by word: unchanged text plain, changes marked. */
export function diffWordsHtml(before: string, after: string): string {
  return diffWords(before, after)
    .map((part) => {
      const text = escapeHtml(part.value);
      if (part.added) return `${INS}${text}</ins>`;
      if (part.removed) return `${DEL}${text}</del>`;
      return text;
    })
    .join('');
}

export interface GroundText {
  code: string;
  title: string;
  description: string;
}

export interface GroundChanges {
  /** In the later version only. */
  added: GroundText[];
  /** In both, with a different title or description (diffs as HTML). */
  changed: (GroundText & { titleDiffHtml: string; descriptionDiffHtml: string })[];
  /** In the earlier version only: the code is retired and can never return. */
  retired: GroundText[];
}

/** Grounds added, reworded and retired between two versions, matched by their stable codes. */
export function diffGrounds(before: readonly GroundText[], after: readonly GroundText[]): GroundChanges {
  const old = new Map(before.map((g) => [g.code, g]));
  const now = new Set(after.map((g) => g.code));
  const pick = ({ code, title, description }: GroundText): GroundText => ({ code, title, description });
  const changes: GroundChanges = { added: [], changed: [], retired: [] };
  for (const g of after) {
    const was = old.get(g.code);
    if (!was) changes.added.push(pick(g));
    else if (was.title !== g.title || was.description !== g.description) {
      changes.changed.push({
        ...pick(g),
        titleDiffHtml: diffWordsHtml(was.title, g.title),
        descriptionDiffHtml: diffWordsHtml(was.description, g.description),
      });
    }
  }
  changes.retired = before.filter((g) => !now.has(g.code)).map(pick);
  return changes;
}
