/**
 * STAND-IN until the `principles` branch lands its working-day calendar (same API).
 * Counts Monday to Friday only (no bank holidays yet).
 */
export function addWorkingDays(from: Date, n: number): Date {
  const d = new Date(from.getTime());
  let left = n;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6) left--;
  }
  return d;
}
