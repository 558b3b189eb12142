/**
 * The email sent when an appeal is received: its reference, when we expect to decide, and the
 * private link to follow it (the only place the status token ever appears).
 */
import { formatDate } from '../../platform/index.ts';
import { emailLayout, html, oneLine, textLayout, type EmailContent } from '../../email/index.ts';

export interface AppealAcknowledgementData {
  orgName: string;
  name: string | null;
  appealReference: string;
  /** Null when the person had no case reference. */
  caseReference: string | null;
  receivedAt: Date;
  dueAt: Date;
  statusUrl: string;
  /** Where a lost status link can be asked for again (/appeal/find). */
  findUrl: string;
  complaintsUrl: string;
  crisisUrl: string;
}

export function appealAcknowledgementEmail(d: AppealAcknowledgementData): EmailContent {
  const subject = `We have received your appeal ${d.appealReference}`;
  const greeting = d.name ? `Dear ${oneLine(d.name)},` : 'Hello,';
  const about = d.caseReference
    ? `We have received your request to look again at our decision on case ${d.caseReference}.`
    : 'We have received your request to look again at a decision we made about your post.';
  const when = `We aim to tell you our decision by ${formatDate(d.dueAt)}. Someone who was not involved in the original decision will review it.`;
  const follow =
    'You can check the progress of your appeal, add further information or withdraw it using this private link. Do not share it: anyone with the link can see and change your appeal.';
  const lost = 'If you lose this email, you can get a new link using your appeal reference and this email address:';
  const other =
    'This is not a complaints process. If you want to make a complaint about our services, contact our complaints team.';
  const crisis =
    'If you need help in a crisis, do not wait for our reply: call NHS 111 and select the option for mental health, call Samaritans on 116 123, or call 999 if a life is at risk.';

  const body = html`<h1>We have received your appeal</h1>
<p>${greeting}</p>
<p>${about}</p>
<p>Your appeal reference is <strong>${d.appealReference}</strong>.</p>
<p>${when}</p>
<h2>Follow your appeal</h2>
<p>${follow}</p>
<p><a href="${d.statusUrl}">Check the progress of your appeal</a></p>
<p>${lost} <a href="${d.findUrl}">Get my status link again</a></p>
<h2>Other help</h2>
<p>${other} <a href="${d.complaintsUrl}">Make a complaint</a></p>
<p>${crisis} <a href="${d.crisisUrl}">Help in a crisis</a></p>
`;
  const text = textLayout(
    [
      greeting,
      about,
      `Your appeal reference is ${d.appealReference}.`,
      when,
      `${follow}\n${d.statusUrl}`,
      `${lost}\n${d.findUrl}`,
      `${other}\n${d.complaintsUrl}`,
      `${crisis}\n${d.crisisUrl}`,
    ],
    d.orgName,
  );
  return { subject, text, html: emailLayout({ title: subject, orgName: d.orgName, body }) };
}
