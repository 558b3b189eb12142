import type { APIRoute } from 'astro';
import { checkHealth } from '../lib/health.ts';

export const GET: APIRoute = async ({ locals }) => {
  const health = await checkHealth(locals.runtime);
  return Response.json(health, {
    status: health.status === 'ok' ? 200 : 503,
    headers: { 'Cache-Control': 'no-store' },
  });
};
