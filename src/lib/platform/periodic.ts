/**
 * A job the server runs now and then every `everyMs` (the retention purge, staff notifications,
 * the wait for appellants): a failure is logged and the next run tries again; the timer never
 * keeps the process alive.
 */
export function startPeriodicJob(name: string, everyMs: number, work: () => void): { stop: () => void } {
  const run = () => {
    try {
      work();
    } catch (error) {
      console.error(`${name} failed:`, error instanceof Error ? error.message : error);
    }
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
