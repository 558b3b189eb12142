/**
 * A job the server runs now and then every `everyMs` (the retention purge, staff notifications,
 * the wait for appellants): a failure (a throw, or a rejected promise from asynchronous work) is
 * logged and the next run tries again; the timer never keeps the process alive.
 */
export function startPeriodicJob(
  name: string,
  everyMs: number,
  work: () => void | Promise<void>,
): { stop: () => void } {
  const failed = (error: unknown) => console.error(`${name} failed:`, error instanceof Error ? error.message : error);
  const run = () => {
    try {
      const done = work();
      if (done instanceof Promise) done.catch(failed);
    } catch (error) {
      failed(error);
    }
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
