import type { APIRoute } from 'astro';
import { principlesArchive } from '../lib/principles/index.ts';

export const GET: APIRoute = async ({ locals }) => Response.json(await principlesArchive(locals.runtime));
