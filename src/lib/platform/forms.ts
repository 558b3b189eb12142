/**
 * Form handling shared by every page: read a submitted form into plain values, validate with a
 * zod schema, and return either the data or per-field messages plus everything that was typed,
 * so a page can show errors next to the fields and keep every value.
 */
import { z } from 'zod';

/** What was typed: one string per field, or every value for repeated fields (checkboxes). */
export type FormValues = Record<string, string | string[]>;

export type FormResult<T> =
  { ok: true; data: T; values: FormValues } | { ok: false; errors: Record<string, string>; values: FormValues };

/** Reads a FormData into plain values. Files are ignored; repeated names become arrays. */
export function formValues(form: FormData, multi: readonly string[] = []): FormValues {
  const values: FormValues = {};
  for (const [key, value] of form.entries()) {
    if (typeof value !== 'string') continue;
    if (multi.includes(key)) {
      const list = (values[key] as string[] | undefined) ?? [];
      list.push(value);
      values[key] = list;
    } else if (!(key in values)) {
      // A forged duplicate field never overrides the first value.
      values[key] = value;
    }
  }
  for (const key of multi) values[key] ??= [];
  return values;
}

/** Validates values with a schema whose keys are the form's field names. */
export function validateForm<S extends z.ZodType>(schema: S, values: FormValues): FormResult<z.infer<S>> {
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data, values };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, values };
}

/** A string value of a field, for re-filling an input. */
export function valueOf(values: FormValues | undefined, name: string): string {
  const v = values?.[name];
  return typeof v === 'string' ? v : '';
}

/** The values of a repeated field, for re-ticking checkboxes. */
export function valuesOf(values: FormValues | undefined, name: string): string[] {
  const v = values?.[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
