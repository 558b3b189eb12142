/**
 * Reading the case list's search and filter parameters from the query string.
 */
import { CASE_ACTIONS, PLATFORMS } from '../../../db/schema.ts';
import type { CaseSearch } from '../../../db/cases.ts';
import { cleanText } from '../platform/index.ts';

const PAGE_SIZE = 50;
const DAY = 24 * 60 * 60 * 1000;

function isoDay(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? undefined : date;
}

export function parseCaseFilters(params: URLSearchParams) {
  const get = (name: string) => cleanText(params.get(name) ?? '').slice(0, 200);
  const values = { q: get('q'), platform: get('platform'), action: get('action'), from: get('from'), to: get('to') };
  const errors: { from?: string; to?: string } = {};
  const from = values.from ? isoDay(values.from) : undefined;
  const to = values.to ? isoDay(values.to) : undefined;
  if (values.from && !from) errors.from = 'Enter a real date, like 2026-11-01';
  if (values.to && !to) errors.to = 'Enter a real date, like 2026-11-30';
  const page = Math.max(1, Math.min(1_000_000, Number.parseInt(params.get('page') ?? '1', 10) || 1));
  const query: CaseSearch = {
    text: values.q || undefined,
    platform: (PLATFORMS as readonly string[]).includes(values.platform)
      ? (values.platform as CaseSearch['platform'])
      : undefined,
    action: (CASE_ACTIONS as readonly string[]).includes(values.action)
      ? (values.action as CaseSearch['action'])
      : undefined,
    from,
    to: to ? new Date(to.getTime() + DAY) : undefined,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  return { values, errors, query, page, pageSize: PAGE_SIZE };
}
