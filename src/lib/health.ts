/**
 * The health report behind /healthz.
 */
import { isDatabaseHealthy } from '../../db/client.ts';
import type { Runtime } from './runtime.ts';

export interface Health {
  status: 'ok' | 'unavailable';
}

export function checkHealth(rt: Runtime): Health {
  return { status: isDatabaseHealthy(rt.db) ? 'ok' : 'unavailable' };
}
