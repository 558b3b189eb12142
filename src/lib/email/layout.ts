/**
 * The shared HTML shell of every email, and safe HTML building: `html` is a tagged template that
 * escapes every interpolated value unless it is already `SafeHtml` (from `html` itself or `raw`).
 * Emails are simple, accessible HTML (lang, title, headings, real links, no images) and always
 * come with a plain-text part.
 */
import { escapeHtml } from '../platform/index.ts';

export { escapeHtml };

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/**
 * A value that must stay on one line in an email (a person's name in the greeting): any line
 * break becomes a space. Names are refused with a line break when typed (src/lib/platform/validation.ts);
 * this keeps an older stored value, or a new path that forgot the check, from printing a forged
 * header-like line ("Bcc: …") into the body.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/[\r\n\u000B\u000C\u0085\u2028\u2029]+/g, ' ');
}

type Interpolation = SafeHtml | string | number | null | undefined | false | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: Interpolation) => render(v)).join('');
  return escapeHtml(String(value));
}

/** Tagged template: html`<p>${userText}</p>` escapes userText; nested html`` stays as it is. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Marks trusted markup as safe (never call it with user text). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** The shape every template returns. */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export interface LayoutOptions {
  /** The document title, usually the subject. */
  title: string;
  /** Who the email is from, shown in the footer (e.g. the organisation's name). */
  orgName: string;
  body: SafeHtml;
}

/**
 * The NHS font stack: Frutiger where the reader has it installed (we never load it: the trust's
 * licence does not cover that), otherwise Arial, as the NHS design system falls back to, and
 * never the mail program's default serif.
 */
export const EMAIL_FONT_STACK = "'Frutiger W01', Arial, sans-serif";

/**
 * Readable on any screen: one column of at most 600 px (about 70 characters a line at 16 px,
 * the usual width mail programs are built for), NHS colours. Set in the head for the elements
 * and inline on the body and the column, since some mail programs drop one or the other.
 */
const EMAIL_STYLE =
  raw(`body { margin: 0; padding: 0; background: #ffffff; color: #212b32; font-family: ${EMAIL_FONT_STACK}; font-size: 16px; line-height: 1.5; }
.email { max-width: 600px; margin: 0 auto; padding: 16px; font-family: ${EMAIL_FONT_STACK}; }
h1 { font-size: 28px; line-height: 1.2; margin: 0 0 16px; }
h2 { font-size: 22px; line-height: 1.3; margin: 24px 0 8px; }
p, li { font-size: 16px; margin: 0 0 16px; }
a { color: #005eb8; }
footer { border-top: 1px solid #d8dde0; margin-top: 24px; padding-top: 8px; color: #4c6272; }`);
const BODY_STYLE = raw(
  `margin: 0; padding: 0; background: #ffffff; color: #212b32; font-family: ${EMAIL_FONT_STACK}; font-size: 16px; line-height: 1.5;`,
);
const COLUMN_STYLE = raw(`max-width: 600px; margin: 0 auto; padding: 16px; font-family: ${EMAIL_FONT_STACK};`);

/** A complete, simple HTML document around an email's body. */
export function emailLayout({ title, orgName, body }: LayoutOptions): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
${EMAIL_STYLE}
</style>
</head>
<body style="${BODY_STYLE}">
<div class="email" style="${COLUMN_STYLE}">
<main>
${body}
</main>
<footer>
<p>${orgName}</p>
</footer>
</div>
</body>
</html>
`.value;
}

/** Plain text: paragraphs separated by blank lines, with the organisation's name at the end. */
export function textLayout(paragraphs: readonly string[], orgName: string): string {
  return [...paragraphs, '--', orgName].join('\n\n') + '\n';
}
