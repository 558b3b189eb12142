/**
 * Reading the staff principles forms (no client JavaScript): the draft editor's repeatable grounds
 * and the publish form. Pure functions; the pages call src/lib/principles/versions.ts with the results.
 */
import { fromDateParts, type FormValues } from '../platform/index.ts';
import type { DraftInput, DraftRow, FieldErrors } from './versions.ts';

/** One row of ground fields as shown in the editor (index = its position in the form). */
export interface GroundFormRow {
  index: number;
  code: string;
  title: string;
  description: string;
  retire: boolean;
  /** True for the blank row offered for a new ground. */
  isNew: boolean;
}

const text = (values: FormValues, name: string): string => {
  const v = values[name];
  return typeof v === 'string' ? v : '';
};

/** The editor's rows for a saved draft: its grounds, then one blank row for a new ground. */
export function groundRowsOf(draft: Pick<DraftRow, 'grounds'>): GroundFormRow[] {
  const rows = draft.grounds.map((g, index) => ({
    index,
    code: g.code,
    title: g.title,
    description: g.description,
    retire: false,
    isNew: false,
  }));
  return [...rows, blankRow(rows.length)];
}

function blankRow(index: number): GroundFormRow {
  return { index, code: '', title: '', description: '', retire: false, isNew: true };
}

/** The most ground rows read from one form (the draft limit is 50; a forged form cannot ask for more work). */
const MAX_ROWS = 60;

/**
 * Reads a submitted editor form: `bodyMarkdown`, `changeSummary`, and rows `grounds.<i>.code|title|
 * description` with an optional `grounds.<i>.retire` checkbox and `grounds.<i>.new` marker.
 * Retired rows and a new row left blank are left out of the draft. Returns the draft input, the
 * rows to show again (everything typed kept, plus a fresh blank row when the blank one was used),
 * and where each ground of the input came from, to put its errors next to the right fields.
 */
export function readDraftForm(values: FormValues): { input: DraftInput; rows: GroundFormRow[]; sourceIndex: number[] } {
  const indices = new Set<number>();
  for (const key of Object.keys(values)) {
    const m = /^grounds\.(\d{1,3})\.(code|title|description|retire|new)$/.exec(key);
    if (m && Number(m[1]) < MAX_ROWS) indices.add(Number(m[1]));
  }
  const rows: GroundFormRow[] = [...indices]
    .sort((a, b) => a - b)
    .map((index) => ({
      index,
      code: text(values, `grounds.${index}.code`),
      title: text(values, `grounds.${index}.title`),
      description: text(values, `grounds.${index}.description`),
      retire: text(values, `grounds.${index}.retire`) === 'yes',
      isNew: text(values, `grounds.${index}.new`) === 'yes',
    }));
  const isBlank = (row: GroundFormRow) => !row.code.trim() && !row.title.trim() && !row.description.trim();
  const grounds: DraftInput['grounds'] = [];
  const sourceIndex: number[] = [];
  for (const row of rows) {
    if (row.retire || (row.isNew && isBlank(row))) continue;
    grounds.push({ code: row.code, title: row.title, description: row.description });
    sourceIndex.push(row.index);
  }
  const last = rows[rows.length - 1];
  const shown = last?.isNew && isBlank(last) ? rows : [...rows, blankRow((last?.index ?? -1) + 1)];
  return {
    input: { bodyMarkdown: text(values, 'bodyMarkdown'), changeSummary: text(values, 'changeSummary'), grounds },
    rows: shown,
    sourceIndex,
  };
}

/** Moves `grounds.<k>.<field>` errors (k = position in the draft input) to the form rows they came from. */
export function errorsForForm(errors: FieldErrors, sourceIndex: readonly number[]): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    const m = /^grounds\.(\d+)\.(\w+)$/.exec(key);
    out[m ? `grounds.${sourceIndex[Number(m[1])] ?? m[1]}.${m[2]}` : key] = message;
  }
  return out;
}

/** The order of the editor's fields, for the error summary. */
export function editorFieldOrder(rows: readonly GroundFormRow[]): string[] {
  return [
    'changeSummary',
    'bodyMarkdown',
    'grounds',
    ...rows.flatMap((r) => ['code', 'title', 'description'].map((f) => `grounds.${r.index}.${f}`)),
  ];
}

export type PublishForm =
  { ok: true; kind: 'minor' | 'major'; effectiveAt: Date | 'now' } | { ok: false; errors: FieldErrors };

/** Reads the publish form: `kind` (minor|major), `when` (now|later) and, for later, `effective-day|month|year|time`. */
export function readPublishForm(values: FormValues): PublishForm {
  const errors: FieldErrors = {};
  const kind = text(values, 'kind');
  const when = text(values, 'when');
  if (kind !== 'minor' && kind !== 'major') errors.kind = 'Select whether this is a minor or a major change';
  if (when !== 'now' && when !== 'later') errors.when = 'Select when the new version takes effect';
  let effectiveAt: Date | 'now' = 'now';
  if (when === 'later') {
    const parts = ['day', 'month', 'year', 'time'].map((p) => text(values, `effective-${p}`).trim());
    if (parts.some((p) => !p))
      errors.effective = 'Enter the date and time the new version takes effect, like 1 3 2027 and 09:00';
    else {
      const date = fromDateParts(parts[0]!, parts[1]!, parts[2]!, parts[3]!);
      if (!date) errors.effective = 'Enter a real date and a time in 24-hour form, like 1 3 2027 and 09:00';
      else effectiveAt = date;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, kind: kind as 'minor' | 'major', effectiveAt };
}
