import type { APIRoute } from 'astro';
import { principlesArchive } from '../lib/principles/index.ts';

export const GET: APIRoute = ({ locals }) => Response.json(principlesArchive(locals.runtime));
