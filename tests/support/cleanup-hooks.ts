/** Setup file of the unit and resilience suites: the top-level hook that runs onCleanup's list. */
import { afterAll } from 'vitest';
import { runCleanups } from './cleanup.ts';

afterAll(runCleanups, 60_000);
