/**
 * The mail transport: nodemailer over SMTP when SMTP_URL is set, otherwise one RFC 822 `.eml`
 * file a message under $DATA_DIR/mail/ (named after the Message-ID, so sending the same message
 * again rewrites the same file instead of adding a second one).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../platform/index.ts';

export interface OutgoingEmail {
  /** `<id@host>`, the same on every attempt. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export type SendResult = { ok: true } | { ok: false; permanent: boolean; error: string };

export interface MailTransport {
  send(message: OutgoingEmail): Promise<SendResult>;
  close(): void;
}

/** Bounds on one SMTP conversation, well inside the outbox lease (OUTBOX_LEASE_MS). */
const SMTP_TIMEOUTS = { connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 60_000, dnsTimeout: 20_000 };

export function createMailTransport(config: Config): MailTransport {
  return config.smtpUrl
    ? createSmtpTransport(config.smtpUrl, config.mailFrom)
    : createFileTransport(config.mailDir, config.mailFrom);
}

/**
 * Every header we build (From, To, Subject, Message-ID and the extra headers such as
 * List-Unsubscribe) must be one line: a CR or LF in a value could start a header of its own
 * ("Bcc: …"). Nodemailer folds most values, but we do not rely on it: a message with such a value
 * is refused as a permanent failure and never reaches the transport. Returns the header at fault.
 */
export function headerWithLineBreak(message: OutgoingEmail, from: string): string | null {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const bad = (value: string) => /[\r\n\u0000\u0085\u2028\u2029]/.test(value);
  const fixed: [string, string][] = [
    ['From', from],
    ['To', message.to],
    ['Subject', message.subject],
    ['Message-ID', message.messageId],
  ];
  for (const [name, value] of [...fixed, ...Object.entries(message.headers)]) {
    if (bad(name) || bad(value)) return name.replace(/[^A-Za-z0-9-]/g, '?');
  }
  return null;
}

function refusedHeader(message: OutgoingEmail, from: string): SendResult | null {
  const header = headerWithLineBreak(message, from);
  return header
    ? { ok: false, permanent: true, error: `Refused before sending: the ${header} header has a line break` }
    : null;
}

function mailOptions(message: OutgoingEmail, from: string) {
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    headers: message.headers,
  };
}

/** SMTP connections kept open and shared by concurrent sends (the worker sends a batch at once). */
export const SMTP_POOL_CONNECTIONS = 5;

/** `pool: false` opens a connection a message (the worker's behaviour before batching; kept for the benchmark). */
export function createSmtpTransport(url: string, from: string, options: { pool?: boolean } = {}): MailTransport {
  const pool = options.pool ?? true;
  const transporter = nodemailer.createTransport(
    pool
      ? { url, pool: true, maxConnections: SMTP_POOL_CONNECTIONS, maxMessages: 1000, ...SMTP_TIMEOUTS }
      : { url, ...SMTP_TIMEOUTS },
  );
  // A pooled transport emits 'error' when an idle connection fails (e.g. the SMTP server stops);
  // unheard, that would crash the process. Sends report their own errors to sendMail, and the
  // pool opens new connections for the next sends, so there is nothing else to do here.
  transporter.on('error', () => {});
  return {
    async send(message) {
      const refused = refusedHeader(message, from);
      if (refused) return refused;
      try {
        await transporter.sendMail(mailOptions(message, from));
        return { ok: true };
      } catch (error) {
        return classifySendError(error);
      }
    },
    close: () => transporter.close(),
  };
}

/**
 * SMTP 5xx replies are permanent (the server will never take this message); anything else —
 * 4xx replies, refused or dropped connections, timeouts — is temporary and worth retrying.
 */
export function classifySendError(error: unknown): { ok: false; permanent: boolean; error: string } {
  const e = error as { responseCode?: unknown; code?: unknown; message?: unknown };
  const responseCode = typeof e?.responseCode === 'number' ? e.responseCode : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const permanent = responseCode !== undefined && responseCode >= 500 && responseCode < 600;
  const detail = [code, responseCode, message].filter((p) => p !== undefined).join(' ');
  return { ok: false, permanent, error: detail.slice(0, 1000) };
}

/** `<abc@host>` → `abc@host.eml`, keeping only characters safe in a file name. */
export function emlFileName(messageId: string): string {
  return `${messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9@._-]/g, '_')}.eml`;
}

export function createFileTransport(dir: string, from: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    async send(message) {
      const refused = refusedHeader(message, from);
      if (refused) return refused;
      try {
        const info = await composer.sendMail(mailOptions(message, from));
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const file = join(dir, emlFileName(message.messageId));
        // Write then rename, so a reader never sees half a file and a re-send replaces it whole.
        const partial = `${file}.${process.pid}.partial`;
        // Owner-only: the file is the delivered email, private link included.
        writeFileSync(partial, info.message as Buffer, { mode: 0o600 });
        renameSync(partial, file);
        return { ok: true };
      } catch (error) {
        return classifySendError(error);
      }
    },
    close: () => composer.close(),
  };
}
