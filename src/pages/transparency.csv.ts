import type { APIRoute } from 'astro';
import {
  reportFigures,
  tableFigures,
  toCsv,
  choiceSlug,
  reportForRequest,
  monthToDate,
  monthToDateRows,
  parseInclude,
} from '../lib/transparency/index.ts';
import { satisfactionTable } from '../lib/feedback/index.ts';

export const GET: APIRoute = async ({ locals, url }) => {
  const result = await reportForRequest(locals.runtime, url.searchParams);
  const include = parseInclude(url.searchParams);
  const errors = [...(result.ok ? [] : Object.values(result.errors)), ...(include.ok ? [] : [include.error])];
  if (!result.ok || !include.ok)
    return new Response(`${errors.join('.\n')}.\n`, {
      status: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  // The month under way only when asked for, as its own table after the complete periods.
  // Satisfaction is always the last four complete quarters, as on the page.
  const rows = [
    ...reportFigures(result.report),
    ...tableFigures(await satisfactionTable(locals.runtime)),
    ...(include.provisional ? monthToDateRows(await monthToDate(locals.runtime)) : []),
  ];
  return new Response(toCsv(rows), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="transparency-${choiceSlug(result.choice)}${include.provisional ? '-with-provisional' : ''}.csv"`,
      'Cache-Control': 'public, max-age=300',
    },
  });
};
