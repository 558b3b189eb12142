/**
 * Emails for change alerts: the double opt-in confirmation, the "already signed up" reply, and the
 * alert sent when a new version of the principles takes effect (with RFC 8058 one-click
 * unsubscribe headers).
 */
import { emailLayout, html, textLayout, type EmailContent } from '../../email/index.ts';

export interface ConfirmSubscriptionData {
  orgName: string;
  confirmUrl: string;
  /** How long the link works, in days. */
  validDays: number;
}

/** Sent after someone enters an address at /subscribe: nothing else is sent until they confirm. */
export function confirmSubscriptionEmail(data: ConfirmSubscriptionData): EmailContent {
  const subject = 'Confirm that you want emails when our social media principles change';
  const intro = `Someone, probably you, asked to be emailed when ${data.orgName} changes its social media principles.`;
  const action = `To confirm, open this link within ${data.validDays} days and select "Confirm":`;
  const ignore =
    'If this was not you, ignore this email. We will not email you again and we will delete your address after 7 days.';
  const body = html`<h1>Confirm your email address</h1>
<p>${intro}</p>
<p>${action}</p>
<p><a href="${data.confirmUrl}">Confirm that you want these emails</a></p>
<p>${ignore}</p>
`;
  return {
    subject,
    text: textLayout(['Confirm your email address', intro, `${action}\n${data.confirmUrl}`, ignore], data.orgName),
    html: emailLayout({ title: subject, orgName: data.orgName, body }),
  };
}

export interface AlreadySubscribedData {
  orgName: string;
  unsubscribeUrl: string;
}

/** Sent when a confirmed address signs up again: the page said the same either way. */
export function alreadySubscribedEmail(data: AlreadySubscribedData): EmailContent {
  const subject = 'You already get emails when our social media principles change';
  const intro = `Someone, probably you, asked to be emailed when ${data.orgName} changes its social media principles. This address already gets these emails, so nothing has changed.`;
  const stop = 'If you no longer want them, you can stop them at any time:';
  const body = html`<h1>You are already signed up</h1>
<p>${intro}</p>
<p>${stop}</p>
<p><a href="${data.unsubscribeUrl}">Stop emails about changes to our principles</a></p>
`;
  return {
    subject,
    text: textLayout(['You are already signed up', intro, `${stop}\n${data.unsubscribeUrl}`], data.orgName),
    html: emailLayout({ title: subject, orgName: data.orgName, body }),
  };
}

export interface ChangeAlertData {
  orgName: string;
  version: string;
  previousVersion: string;
  changeSummary: string;
  /** When it took effect, formatted for people (UK time). */
  effectiveOn: string;
  versionUrl: string;
  compareUrl: string;
  unsubscribeUrl: string;
}

/** Sent to every confirmed subscriber once when a new version takes effect. */
export function changeAlertEmail(data: ChangeAlertData): EmailContent {
  const subject = `Our social media principles have changed: version ${data.version}`;
  const intro = `Version ${data.version} of the social media principles of ${data.orgName} took effect on ${data.effectiveOn}. It replaces version ${data.previousVersion}.`;
  const summaryLead = 'What has changed, in summary:';
  const stop = 'You get this email because you asked to be told when our principles change.';
  const body = html`<h1>Our social media principles have changed</h1>
<p>${intro}</p>
<p>${summaryLead}</p>
<blockquote><p>${data.changeSummary}</p></blockquote>
<p><a href="${data.compareUrl}">See every change from version ${data.previousVersion} to version ${data.version}</a></p>
<p><a href="${data.versionUrl}">Read version ${data.version}</a></p>
<p>${stop} <a href="${data.unsubscribeUrl}">Stop these emails</a></p>
`;
  const text = textLayout(
    [
      'Our social media principles have changed',
      intro,
      `${summaryLead}\n${data.changeSummary}`,
      `See every change from version ${data.previousVersion} to version ${data.version}:\n${data.compareUrl}`,
      `Read version ${data.version}:\n${data.versionUrl}`,
      `${stop} To stop these emails:\n${data.unsubscribeUrl}`,
    ],
    data.orgName,
  );
  return { subject, text, html: emailLayout({ title: subject, orgName: data.orgName, body }) };
}

/** The RFC 2369 / RFC 8058 headers that let mail apps offer a one-click unsubscribe. */
export function unsubscribeHeaders(unsubscribeUrl: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
