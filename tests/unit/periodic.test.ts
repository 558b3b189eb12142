/**
 * startPeriodicJob (src/lib/platform/periodic.ts): runs at once and then every interval, never two
 * runs of one job at the same time, and a failed run is logged while the next one still runs.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPeriodicJob } from '../../src/lib/platform/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => vi.restoreAllMocks());

describe('startPeriodicJob', () => {
  it('skips a turn while the previous run is still going, so runs never overlap', async () => {
    let active = 0;
    let most = 0;
    let started = 0;
    const job = startPeriodicJob('Slow job', 10, async () => {
      started += 1;
      active += 1;
      most = Math.max(most, active);
      await sleep(45);
      active -= 1;
    });
    await sleep(120);
    job.stop();
    await sleep(50);
    expect(most).toBe(1);
    // About 12 turns came due; a run lasts about 5 of them.
    expect(started).toBeGreaterThanOrEqual(2);
    expect(started).toBeLessThanOrEqual(4);
  });

  it('logs a rejected run and runs again at the next turn', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let runs = 0;
    const job = startPeriodicJob('Failing job', 10, async () => {
      runs += 1;
      await sleep(1);
      if (runs === 1) throw new Error('database table is locked');
    });
    await sleep(60);
    job.stop();
    expect(logged).toHaveBeenCalledWith('Failing job failed:', 'database table is locked');
    expect(runs).toBeGreaterThanOrEqual(2);
  });
});
