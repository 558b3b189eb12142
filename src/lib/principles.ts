/**
 * Reading the versioned principles for the public pages.
 */
import { findPublishedVersion, findVersionInForce, type VersionRow } from '../../db/principles.ts';
import { renderMarkdown } from './markdown.ts';
import type { Runtime } from './runtime.ts';

export interface PrinciplesView extends VersionRow {
  bodyHtml: string;
  /** True when this is the version in force now. */
  isCurrent: boolean;
  currentVersion: string | undefined;
}

/** Version numbers are "major.minor", each up to three digits. */
export const VERSION_PATTERN = /^(\d{1,3})\.(\d{1,3})$/;

function view(row: VersionRow, current: VersionRow | undefined): PrinciplesView {
  return {
    ...row,
    bodyHtml: renderMarkdown(row.bodyMarkdown),
    isCurrent: current?.id === row.id,
    currentVersion: current?.version,
  };
}

/** The version in force now, or undefined if none has taken effect yet. */
export function getCurrentPrinciples(rt: Runtime): PrinciplesView | undefined {
  const current = findVersionInForce(rt.db, rt.now());
  return current && view(current, current);
}

/** A published version by number; undefined for a malformed or unknown number or a draft. */
export function getPrinciplesVersion(rt: Runtime, version: string): PrinciplesView | undefined {
  if (!VERSION_PATTERN.test(version)) return undefined;
  const row = findPublishedVersion(rt.db, version);
  if (!row || row.effectiveAt > rt.now()) return undefined;
  return view(row, findVersionInForce(rt.db, rt.now()));
}
