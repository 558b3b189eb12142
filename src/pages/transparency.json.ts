import type { APIRoute } from 'astro';
import { toJson } from '../lib/transparency-export.ts';
import { reportForRequest } from '../lib/transparency.ts';

export const GET: APIRoute = ({ locals, url }) => {
  const result = reportForRequest(locals.runtime, url.searchParams);
  if (!result.ok) return Response.json({ errors: result.errors }, { status: 400 });
  return Response.json(toJson(result.report, locals.runtime.config.publicUrl), {
    headers: { 'Cache-Control': 'public, max-age=300' },
  });
};
