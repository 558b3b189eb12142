/**
 * Emails about a staff account's own sign-in: a password reset link and a link to set up a new
 * authenticator app. Each carries a one-time link; callers pass it as `secrets` to the outbox.
 */
import { type EmailContent, notificationEmail } from '../../email/index.ts';

export function passwordResetEmail(data: {
  orgName: string;
  name: string;
  link: string;
  hours: number;
  byCommandLine?: boolean;
}): EmailContent {
  return notificationEmail({
    orgName: data.orgName,
    subject: 'Reset your password for the social media appeals staff area',
    heading: `Hello ${data.name}`,
    paragraphs: [
      `An admin has sent you a link to choose a new password for your staff account with ${data.orgName}. You have been signed out everywhere.`,
      `Use the link below within ${data.hours} hours. It works once. After choosing a password you sign in with it and a code from your authenticator app as usual.`,
      'If you did not ask for this, tell an admin: your current password still works until the link is used.',
    ],
    link: { text: 'Choose a new password', url: data.link },
  });
}

export function authenticatorEnrolEmail(data: {
  orgName: string;
  name: string;
  link: string;
  hours: number;
}): EmailContent {
  return notificationEmail({
    orgName: data.orgName,
    subject: 'Set up a new authenticator app for the social media appeals staff area',
    heading: `Hello ${data.name}`,
    paragraphs: [
      `An admin has reset the authenticator app for your staff account with ${data.orgName}, so your old app's codes no longer work. You have been signed out everywhere.`,
      `Use the link below within ${data.hours} hours to set up a new authenticator app. You will need your password. The link works once.`,
      'If you did not ask for this, tell an admin.',
    ],
    link: { text: 'Set up a new authenticator app', url: data.link },
  });
}

/** Sent after a password change or reset (ASVS 6.3.7), so a change nobody asked for is noticed. */
export function passwordChangedEmail(data: { orgName: string; name: string; how: 'changed' | 'reset' }): EmailContent {
  return notificationEmail({
    orgName: data.orgName,
    subject: 'Your password for the social media appeals staff area has been changed',
    heading: `Hello ${data.name}`,
    paragraphs: [
      data.how === 'changed'
        ? `The password for your staff account with ${data.orgName} was changed by you, while signed in. Your other sessions were signed out.`
        : `The password for your staff account with ${data.orgName} was changed with a password reset link.`,
      'If you did not do this, tell an admin straight away: they can send you a password reset and sign you out everywhere.',
    ],
  });
}
