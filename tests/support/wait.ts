/** Polls `check` until it returns a truthy value, or throws after `timeoutMs`. */
export async function waitUntil<R>(
  check: () => R,
  what: string,
  timeoutMs = 15_000,
): Promise<Exclude<Awaited<R>, undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<Awaited<R>, undefined | false>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
