/**
 * The health report behind /healthz.
 */
import { isDatabaseHealthy } from '../../db/open.ts';
import { outboxCounts } from './email/index.ts';
import type { Runtime } from './platform/index.ts';

export interface Health {
  status: 'ok' | 'unavailable';
  /** Messages waiting to be delivered (queued or being sent) and messages that failed. */
  outbox?: { queued: number; failed: number };
}

export async function checkHealth(rt: Runtime): Promise<Health> {
  if (!(await isDatabaseHealthy(rt.db))) return { status: 'unavailable' };
  return { status: 'ok', outbox: await outboxCounts(rt) };
}
