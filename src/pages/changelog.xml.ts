import type { APIRoute } from 'astro';
import { principlesAtomFeed } from '../lib/principles/index.ts';

export const GET: APIRoute = async ({ locals }) =>
  new Response(await principlesAtomFeed(locals.runtime), {
    headers: { 'Content-Type': 'application/atom+xml; charset=utf-8' },
  });
