/**
 * Words for the request body limits (the limits themselves are applied by the HTTP host,
 * src/server/body-limit.ts).
 */

/** "256 kB", "1 MB" for a size in bytes (binary units, as the limits are set). */
export function sizeInWords(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  return `${Math.round(bytes / 1024).toLocaleString('en-GB')} kB`;
}

/** The error shown at the top of a form page whose last submission was refused as too large. */
export function bodyTooLargeMessage(limitBytes: number): string {
  return `What you sent was larger than ${sizeInWords(limitBytes)}, so it was not read and nothing in it was saved. Check the answers below, make them shorter and send the form again.`;
}
