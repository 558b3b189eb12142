/**
 * Field rules and limits, in one place, with the messages people see. Each limit says why.
 */
import { z } from 'zod';

/** Removes control characters (except newlines and tabs) and normalises Unicode (NFC). */
export function cleanText(value: string): string {
  return (
    value
      .normalize('NFC')
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g, '')
      .trim()
  );
}

/**
 * Required text: `emptyMessage` when missing or blank, `tooLongMessage` past `max` characters
 * (counted as people see them, in code points).
 */
export function requiredText(max: number, emptyMessage: string, tooLongMessage: string) {
  return z
    .string({ error: emptyMessage })
    .transform(cleanText)
    .refine((v) => v.length > 0, emptyMessage)
    .refine((v) => [...v].length <= max, tooLongMessage);
}

/**
 * Line breaks of every kind a mail program or screen might honour (LF, CR, next line, line and
 * paragraph separators; cleanText already turns CR LF into LF and removes vertical tab and form
 * feed). A single-line field (a name, a handle, a link, a title) must contain none: a name such as
 * "Sam\nBcc: someone@example.com" would otherwise print a forged header-like line in our emails.
 */
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;

/** True when `value` has no line break (see LINE_BREAK). */
export function isOneLine(value: string): boolean {
  return !LINE_BREAK.test(value);
}

/** "Name must be on one line", the same words everywhere. */
export function oneLineMessage(what: string): string {
  return `${what} must be on one line`;
}

/** Tidies one-line text: cleanText, then tabs become spaces. Line breaks are left for isOneLine to refuse. */
export function cleanLine(value: string): string {
  return cleanText(value).replace(/\t/g, ' ');
}

/** Required one-line text (a name, a handle): also refused, with `breakMessage`, when it has a line break. */
export function requiredLine(max: number, emptyMessage: string, tooLongMessage: string, breakMessage: string) {
  return z
    .string({ error: emptyMessage })
    .transform(cleanLine)
    .refine((v) => v.length > 0, emptyMessage)
    .refine(isOneLine, breakMessage)
    .refine((v) => [...v].length <= max, tooLongMessage);
}

/** Optional one-line text: blank becomes null; a line break is refused with `breakMessage`. */
export function optionalLine(max: number, tooLongMessage: string, breakMessage: string) {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined ? '' : cleanLine(v)))
    .refine(isOneLine, breakMessage)
    .refine((v) => [...v].length <= max, tooLongMessage)
    .transform((v) => (v === '' ? null : v));
}

/** Optional text: blank becomes null. */
export function optionalText(max: number, tooLongMessage: string) {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined ? '' : cleanText(v)))
    .refine((v) => [...v].length <= max, tooLongMessage)
    .transform((v) => (v === '' ? null : v));
}

/**
 * A plain shape check for an email address (something@label.label), for staff addresses. Linear
 * time: the domain's labels cannot contain the dot that separates them, so a failing match never
 * tries the input more than once (the pattern it replaces, `[^\s@]+\.[^\s@]+`, took seconds on
 * 50,000 dots).
 */
export const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/**
 * A record id typed into a form (a hidden field, a select): digits only, no leading zero, at most
 * 9 digits (well inside SQLite's integers), else null. Not `parseInt`, which reads "12abc" as 12.
 */
export function recordId(typed: string): number | null {
  return /^[1-9][0-9]{0,8}$/.test(typed) ? Number(typed) : null;
}

/** Only http(s) links: a `javascript:` or `data:` link must never be stored or rendered. */
export function isWebLink(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.includes('.');
  } catch {
    return false;
  }
}

/**
 * A link typed without its scheme ("www.facebook.com/…", "x.com/…") gets `https://`, as
 * people copy links from an address bar that hides it. Anything with a scheme is left as it is
 * (so `javascript:` is still refused by isWebLink); "host:443/…" is a port, not a scheme.
 */
export function withWebScheme(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:(?!\d)/i.test(value) || value.startsWith('//')) return value;
  return /^[^\s/?#.]+\.[^\s/?#]/.test(value) ? `https://${value}` : value;
}

export const LIMITS = {
  /** Handles on the big platforms are at most 30–100 characters; 200 leaves room for display names. */
  handle: 200,
  /** Longer than any real post link, short enough to show. */
  url: 2000,
  /** Enough for a long comment; a 100 kB paste is refused rather than silently cut. */
  excerpt: 5000,
  /** A statement of reasons is a few sentences. */
  statementOfReasons: 2000,
  /** Why someone disagrees (the issue asks for up to 5,000 characters). */
  appealReason: 5000,
  /** RFC 5321 limits an address to 254 characters. */
  email: 254,
  name: 100,
  /** A UK postal address is a few lines; room for a care home or a c/o line. */
  postalAddress: 500,
  /** "Something else": a few words on how to contact them. */
  contactOther: 500,
  /** An internal note is a working jotting; a longer paste is refused rather than cut short. */
  internalNote: 5000,
  /** A request for information is emailed: a few questions, not an essay. */
  informationRequest: 5000,
  /** The decision email's reasons: room for a careful explanation, still readable in an email. */
  decisionExplanation: 10000,
} as const;

/** "Note must be 5,000 characters or fewer", the same words everywhere. */
export function tooLongMessage(what: string, max: number): string {
  return `${what} must be ${max.toLocaleString('en-GB')} characters or fewer`;
}

/** Characters as people count them (code points, so an emoji is one). */
export function characterLength(text: string): number {
  return [...text].length;
}

export function webLink(emptyMessage: string, invalidMessage: string) {
  // The URL parser silently drops line breaks inside a link, so they are refused first.
  return requiredLine(
    LIMITS.url,
    emptyMessage,
    `Link must be ${LIMITS.url.toLocaleString('en-GB')} characters or fewer`,
    oneLineMessage('Link'),
  ).refine(isWebLink, invalidMessage);
}

export const emailAddress = z
  .string({ error: 'Enter your email address' })
  .transform((v) => cleanText(v).toLowerCase())
  .refine((v) => v.length > 0, 'Enter your email address')
  .refine((v) => v.length <= LIMITS.email, 'Email address must be 254 characters or fewer')
  .refine((v) => z.email().safeParse(v).success, 'Enter an email address in the correct format, like name@example.com');
