/**
 * HTML escaping, once for the whole service: pages' own HTML strings (the compare view, the
 * feed), every email (src/lib/email/layout.ts) and the outbox's redaction of private links
 * (db/outbox.ts), which must find a link exactly as the email escaped it.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for use in HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
