/**
 * A job the server runs now and then every `everyMs` (the retention purge, staff notifications,
 * the wait for appellants): a failure (thrown, or the work's promise rejected) is logged and the
 * next run tries again; the timer never keeps the process alive. A run still going when the next is
 * due is not joined by a second one: that turn is skipped.
 */
export function startPeriodicJob(
  name: string,
  everyMs: number,
  work: () => void | Promise<void>,
): { stop: () => void } {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await work();
    } catch (error) {
      console.error(`${name} failed:`, error instanceof Error ? error.message : error);
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
