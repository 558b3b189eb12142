/**
 * Clean-ups that run after each test file, newest first (a server stops, then its database closes,
 * then its folder goes). A vitest `afterAll` called inside a test or a `beforeAll` is not a
 * top-level hook and may never run — that left temporary folders and servers behind — so helpers
 * register here and tests/support/cleanup-hooks.ts (a setup file of both vitest configs) holds
 * the one top-level hook that runs them.
 */
const cleanups: (() => unknown)[] = [];

/** Runs `fn` after the current test file, whatever happened. */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** Runs every registered clean-up, newest first; one failing does not stop the others. */
export async function runCleanups(): Promise<void> {
  const errors: unknown[] = [];
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'a test clean-up failed');
}
