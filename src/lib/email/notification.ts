/**
 * A generic notification: a heading, some paragraphs and an optional link. Used where no more
 * specific template exists yet, and by the outbox tests.
 */
import { emailLayout, html, textLayout, type EmailContent } from './layout.ts';

export interface NotificationData {
  orgName: string;
  subject: string;
  heading: string;
  paragraphs: readonly string[];
  link?: { text: string; url: string };
}

export function notificationEmail(data: NotificationData): EmailContent {
  const body = html`<h1>${data.heading}</h1>
${data.paragraphs.map((p) => html`<p>${p}</p>\n`)}${data.link ? html`<p><a href="${data.link.url}">${data.link.text}</a></p>\n` : ''}`;
  const text = textLayout(
    [data.heading, ...data.paragraphs, ...(data.link ? [`${data.link.text}: ${data.link.url}`] : [])],
    data.orgName,
  );
  return { subject: data.subject, text, html: emailLayout({ title: data.subject, orgName: data.orgName, body }) };
}
