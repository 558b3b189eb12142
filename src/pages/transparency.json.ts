import type { APIRoute } from 'astro';
import {
  tableFigures,
  toJson,
  reportForRequest,
  monthToDate,
  monthToDateRows,
  parseInclude,
} from '../lib/transparency/index.ts';
import { satisfactionTable } from '../lib/feedback/index.ts';

export const GET: APIRoute = async ({ locals, url }) => {
  const result = await reportForRequest(locals.runtime, url.searchParams);
  const include = parseInclude(url.searchParams);
  if (!result.ok || !include.ok)
    return Response.json(
      { errors: { ...(result.ok ? {} : result.errors), ...(include.ok ? {} : { include: include.error }) } },
      { status: 400 },
    );
  const json = toJson(result.report, locals.runtime.config.publicUrl) as { figures: unknown[] };
  // Satisfaction is always the last four complete quarters, as on the page.
  json.figures.push(...tableFigures(await satisfactionTable(locals.runtime)));
  // The month under way only when asked for, as its own table ("month-to-date") after the complete periods.
  if (include.provisional) json.figures.push(...monthToDateRows(await monthToDate(locals.runtime)));
  return Response.json(
    { ...json, provisionalIncluded: include.provisional },
    {
      headers: { 'Cache-Control': 'public, max-age=300' },
    },
  );
};
