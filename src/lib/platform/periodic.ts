/**
 * A job the server runs now and then every `everyMs` (the retention purge, staff notifications,
 * the wait for appellants): a failure is logged and the next run tries again; the timer never
 * keeps the process alive. `work` may be asynchronous: its promise is awaited, and its rejection
 * logged, like a throw.
 */
export function startPeriodicJob(
  name: string,
  everyMs: number,
  work: () => void | Promise<void>,
): { stop: () => void } {
  const run = async () => {
    try {
      await work();
    } catch (error) {
      console.error(`${name} failed:`, error instanceof Error ? error.message : error);
    }
  };
  void run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
