/** CSV for downloads (the transparency figures, the audit log), one way for both. */

/**
 * A CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula (starting with
 * = + - @, tab or carriage return) is prefixed with an apostrophe (OWASP "CSV injection").
 */
export function csvCell(value: number | string): string {
  if (typeof value === 'number') return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
