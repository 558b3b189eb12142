/**
 * The email telling an appellant our decision: outcome, reasons, the principles version relied on
 * (absolute link), what happens next and the other routes open to them. Signed by the team: staff
 * names never appear.
 */
import { formatDate, OUTCOME_LABELS } from '../../platform/index.ts';
import { DECISION_ROUTES, OMBUDSMAN_URL } from '../../appeals/index.ts';
import { emailLayout, html, oneLine, textLayout, type EmailContent } from '../../email/index.ts';

export type DecisionOutcome = keyof typeof OUTCOME_LABELS;
export type FollowUpPromise = 'restore-comment' | 'unblock-account';

export interface AppealDecisionData {
  orgName: string;
  name: string | null;
  appealReference: string;
  caseReference: string | null;
  outcome: DecisionOutcome;
  explanation: string;
  version: string;
  publicUrl: string;
  /** For an overturn: what we will do on the platform, and by when. */
  followUps: FollowUpPromise[];
  followUpBy: Date | null;
  complaintsUrl: string;
}

const PROMISES: Record<FollowUpPromise, string> = {
  'restore-comment': 'make your comment visible again',
  'unblock-account': 'unblock your account',
};

export function versionUrl(publicUrl: string, version: string): string {
  return `${publicUrl}/principles/${encodeURIComponent(version)}`;
}

export function appealDecisionEmail(d: AppealDecisionData): EmailContent {
  const subject = `Our decision on your appeal ${d.appealReference}`;
  const greeting = d.name ? `Dear ${oneLine(d.name)},` : 'Hello,';
  const about = d.caseReference
    ? `We have reviewed your appeal ${d.appealReference} about case ${d.caseReference}.`
    : `We have reviewed your appeal ${d.appealReference}.`;
  const outcome = `${OUTCOME_LABELS[d.outcome]}.`;
  const link = versionUrl(d.publicUrl, d.version);
  const principles = `We made this decision using version ${d.version} of our social media principles.`;
  let next: string;
  if (d.outcome === 'upheld') {
    next = 'Our original decision stays in place. We will not take any further action on this appeal.';
  } else if (d.followUps.length && d.followUpBy) {
    const what = d.followUps.map((f) => PROMISES[f]).join(' and ');
    next = `We will ${what} by ${formatDate(d.followUpBy)}.`;
  } else {
    next = 'We will correct our records. There is nothing more you need to do.';
  }
  const { complaints: routes, ombudsman, platform } = DECISION_ROUTES;
  const signOff = `The ${d.orgName} social media team`;
  // No new status link here: the reviewer previews this email and it must be sent exactly as read
  // (decision 024). The link in any earlier email still works, and a lost one can be asked for again.
  const findUrl = `${d.publicUrl}/appeal/find`;
  const keep =
    'You can still see your appeal and this decision using the private link in any email we sent you about it. If you have lost it, you can get a new one.';

  const body = html`<h1>Our decision on your appeal</h1>
<p>${greeting}</p>
<p>${about}</p>
<h2>Our decision</h2>
<p><strong>${outcome}</strong></p>
<h2>Our reasons</h2>
<p>${d.explanation}</p>
<p>${principles} <a href="${link}">Read version ${d.version} of our principles</a></p>
<h2>What happens next</h2>
<p>${next}</p>
<h2>Other routes</h2>
<p>${routes} <a href="${d.complaintsUrl}">${DECISION_ROUTES.complaintsLink}</a></p>
<p>${ombudsman} <a href="${OMBUDSMAN_URL}">${DECISION_ROUTES.ombudsmanLink}</a></p>
<p>${platform}</p>
<p>${keep} <a href="${findUrl}">Get my status link again</a></p>
<p>${signOff}</p>
`;
  const text = textLayout(
    [
      greeting,
      about,
      `Our decision: ${outcome}`,
      `Our reasons:\n${d.explanation}`,
      `${principles}\n${link}`,
      `What happens next: ${next}`,
      `${routes}\n${d.complaintsUrl}`,
      `${ombudsman}\n${OMBUDSMAN_URL}`,
      platform,
      `${keep}\n${findUrl}`,
      signOff,
    ],
    d.orgName,
  );
  return { subject, text, html: emailLayout({ title: subject, orgName: d.orgName, body }) };
}
