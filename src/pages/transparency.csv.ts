import type { APIRoute } from 'astro';
import { reportFigures, toCsv } from '../lib/transparency-export.ts';
import { choiceSlug, reportForRequest } from '../lib/transparency.ts';

export const GET: APIRoute = ({ locals, url }) => {
  const result = reportForRequest(locals.runtime, url.searchParams);
  if (!result.ok) return new Response(`${Object.values(result.errors).join('.\n')}.\n`, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return new Response(toCsv(reportFigures(result.report)), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="transparency-${choiceSlug(result.choice)}.csv"`,
      'Cache-Control': 'public, max-age=300',
    },
  });
};
