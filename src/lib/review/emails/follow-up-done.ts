/**
 * After an overturn, staff restore the comment or unblock the account and mark it done: this
 * tells the appellant it has been done. Plain words, no staff names, no internal notes.
 */
import { type EmailContent, notificationEmail } from '../../email/index.ts';

export type FollowUpDoneKind = 'restore-comment' | 'unblock-account';

const DONE: Record<FollowUpDoneKind, { heading: string; sentence: string }> = {
  'restore-comment': { heading: 'Your comment is visible again', sentence: 'we have made your comment visible again' },
  'unblock-account': { heading: 'Your account is unblocked', sentence: 'we have unblocked your account' },
};

export interface FollowUpDoneData {
  orgName: string;
  /** The appellant's name if they gave one. */
  name: string | null;
  appealReference: string;
  kind: FollowUpDoneKind;
  /** This email's own private status link, and the sentence saying what it is. */
  statusUrl: string;
  statusLinkParagraph: string;
}

export function followUpDoneEmail(d: FollowUpDoneData): EmailContent {
  const done = DONE[d.kind];
  return notificationEmail({
    orgName: d.orgName,
    subject: `${done.heading}: appeal ${d.appealReference}`,
    heading: done.heading,
    paragraphs: [
      d.name ? `Dear ${d.name},` : 'Hello,',
      `As we told you in our decision on your appeal ${d.appealReference}, ${done.sentence}.`,
      'You do not need to do anything. If something still looks wrong, reply to this email.',
      d.statusLinkParagraph,
      `The ${d.orgName} social media team`,
    ],
    link: { text: 'See your appeal', url: d.statusUrl },
  });
}
