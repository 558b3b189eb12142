import type { APIRoute } from 'astro';
import { principlesAtomFeed } from '../lib/principles/index.ts';

export const GET: APIRoute = ({ locals }) =>
  new Response(principlesAtomFeed(locals.runtime), {
    headers: { 'Content-Type': 'application/atom+xml; charset=utf-8' },
  });
