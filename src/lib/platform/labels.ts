/**
 * Plain-English labels for the codes stored in the database.
 */
import {
  NOTICE_METHODS,
  type CASE_ACTIONS,
  type CLAIMED_ACTIONS,
  type DETECTION,
  type OUTCOMES,
  type PLATFORMS,
  type APPEAL_STATUSES,
  type CONTACT_NEEDS,
  type RELATIONSHIPS,
  type ContactNeeds,
  type WhoIsAsking,
  type OUTBOX_STATES,
  type ROLES,
} from '../../../db/schema.ts';
import { formatDateTime } from './dates.ts';

/** "What did we do?" on the no-reference path, as the appellant answers it. */
export const CLAIMED_ACTION_CHOICES: Record<(typeof CLAIMED_ACTIONS)[number], string> = {
  hidden: 'You hid my post or comment',
  deleted: 'You deleted my post or comment',
  blocked: 'You blocked my account',
  'not-sure': 'I’m not sure',
};

/** The same answer as staff read it on the appeal. */
export const CLAIMED_ACTION_LABELS: Record<(typeof CLAIMED_ACTIONS)[number], string> = {
  hidden: 'Hid their post or comment',
  deleted: 'Deleted their post or comment',
  blocked: 'Blocked their account',
  'not-sure': 'They are not sure',
};

/** "Who is asking?": how they know the person they ask for, as they choose it and as staff read it. */
export const RELATIONSHIP_LABELS: Record<(typeof RELATIONSHIPS)[number], string> = {
  carer: 'Carer',
  advocate: 'Advocate',
  family: 'Family member',
  friend: 'Friend',
  other: 'Other',
};

/** "Do you need us to contact you in a different way?", as the checkboxes say it. */
export const CONTACT_NEED_CHOICES: Record<(typeof CONTACT_NEEDS)[number], string> = {
  'large-print': 'Large print',
  'easy-read': 'Easy read',
  bsl: 'British Sign Language (BSL)',
  post: 'By post',
  phone: 'By phone',
  other: 'Something else',
};

/** The same, short, for a tag in the queue. */
export const CONTACT_NEED_TAGS: Record<(typeof CONTACT_NEEDS)[number], string> = {
  'large-print': 'Large print',
  'easy-read': 'Easy read',
  bsl: 'BSL',
  post: 'Post',
  phone: 'Phone',
  other: 'Other need',
};

type ContactNeedCode = (typeof CONTACT_NEEDS)[number];

/** The parts of an appeal that say who is asking and how to contact them (all null once purged). */
export interface AskingAndNeeds {
  askingFor: 'self' | 'someone-else' | null;
  askingRelationship: (typeof RELATIONSHIPS)[number] | null;
  askingForName: string | null;
  askingConsent: boolean | null;
  contactNeeds: ContactNeedCode[] | null;
  contactAddress: string | null;
  contactPhone: string | null;
  contactOther: string | null;
}

/** "Asking for someone else (carer, consent given)", or undefined when they ask for themselves. */
export function askingForLabel(
  a: Pick<AskingAndNeeds, 'askingFor' | 'askingRelationship' | 'askingConsent'>,
): string | undefined {
  if (a.askingFor !== 'someone-else') return undefined;
  const how = a.askingRelationship ? RELATIONSHIP_LABELS[a.askingRelationship].toLowerCase() : 'relationship not given';
  return `Asking for someone else (${how}, ${a.askingConsent ? 'consent given' : 'consent not recorded'})`;
}

/** Each contact need as staff read it, with the detail that goes with it ("By phone: 07700 900982"). */
export function contactNeedLines(
  a: Pick<AskingAndNeeds, 'contactNeeds' | 'contactAddress' | 'contactPhone' | 'contactOther'>,
): string[] {
  const detail: Partial<Record<ContactNeedCode, string | null>> = {
    post: a.contactAddress,
    phone: a.contactPhone,
    other: a.contactOther,
  };
  return (a.contactNeeds ?? []).map((n) =>
    detail[n] ? `${CONTACT_NEED_CHOICES[n]}: ${detail[n]}` : CONTACT_NEED_CHOICES[n],
  );
}

/** Short tags for a queue row: "For someone else", then one a contact need ("BSL", "Phone"). */
export function queueTags(a: Pick<AskingAndNeeds, 'askingFor' | 'contactNeeds'>): string[] {
  return [
    ...(a.askingFor === 'someone-else' ? ['For someone else'] : []),
    ...(a.contactNeeds ?? []).map((n) => CONTACT_NEED_TAGS[n]),
  ];
}

/** Check your answers: "For myself", or "For someone else (carer): Sam Jones". */
export function whoIsAskingAnswer(asking: WhoIsAsking): string {
  if (asking.askingFor === 'self') return 'For myself';
  return `For someone else (${RELATIONSHIP_LABELS[asking.relationship].toLowerCase()})${asking.name ? `: ${asking.name}` : ''}, with their permission`;
}

/** Check your answers: "No", or each way with its detail on a line of its own. */
export function contactNeedsAnswer(n: ContactNeeds): string {
  if (n.needs.length === 0) return 'No';
  return contactNeedLines({
    contactNeeds: n.needs,
    contactAddress: n.address,
    contactPhone: n.phone,
    contactOther: n.other,
  }).join('\n');
}

/** The confirmation page: "We will also contact you by large print and by phone, as you asked." */
export function contactNeedsConfirmation(needs: readonly ContactNeedCode[]): string | undefined {
  if (needs.length === 0) return undefined;
  const ways = needs.map((n) =>
    n === 'bsl'
      ? 'British Sign Language'
      : n === 'other'
        ? 'the other way you told us'
        : CONTACT_NEED_CHOICES[n].toLowerCase(),
  );
  return `You told us you need us to contact you in a different way (${joinWithAnd(ways)}). We have noted this on your appeal, and we will still email you.`;
}

export const PLATFORM_LABELS: Record<(typeof PLATFORMS)[number], string> = {
  facebook: 'Facebook',
  x: 'X (Twitter)',
  instagram: 'Instagram',
  linkedin: 'LinkedIn',
  youtube: 'YouTube',
  tiktok: 'TikTok',
  other: 'Another platform',
};

/** As a moderator ticks them: "Comment hidden". */
export const ACTION_LABELS: Record<(typeof CASE_ACTIONS)[number], string> = {
  hidden: 'Comment hidden',
  deleted: 'Comment deleted',
  blocked: 'Account blocked',
  reported: 'Reported to the platform',
  police: 'Referred to the police',
  legal: 'Legal advice sought',
};

/** As told to the person: "we hid your comment". */
export const ACTION_PHRASES: Record<(typeof CASE_ACTIONS)[number], string> = {
  hidden: 'hid your comment',
  deleted: 'deleted your comment',
  blocked: 'blocked your account',
  reported: 'reported your post to the platform',
  police: 'referred your post to the police',
  legal: 'asked for legal advice about your post',
};

export const DETECTION_LABELS: Record<(typeof DETECTION)[number], string> = {
  'own-monitoring': 'Our own monitoring',
  'public-report': 'A report from a member of the public',
  'platform-filter': "The platform's automated filter",
};

export const OUTCOME_LABELS: Record<(typeof OUTCOMES)[number], string> = {
  upheld: 'We have kept our decision',
  overturned: 'We have reversed our decision',
  'partly-overturned': 'We have partly reversed our decision',
};

/** "a, b and c" */
export function joinWithAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

// ---------------------------------------------------------------------------------------------
// Staff-facing labels: what staff read on the outbox, audit log and appeal history pages, in
// plain words, never the codes stored (`appeal-ack`, `new → in-review`, raw JSON).
// tests/unit/labels.test.ts walks these lists and the source so a new code without a label fails.
// ---------------------------------------------------------------------------------------------

/** Appeal statuses as staff read them. */
export const APPEAL_STATUS_LABELS: Record<(typeof APPEAL_STATUSES)[number], string> = {
  new: 'New',
  'in-review': 'In review',
  waiting: 'Waiting for the appellant',
  decided: 'Decided',
  withdrawn: 'Withdrawn',
};

/** Every outbox `kind` the code writes (kebab-case, see README "Email kinds"). */
export const EMAIL_KINDS = [
  'appeal-ack',
  'appeal-decision',
  'appeal-info-request',
  'appeal-withdrawn',
  'appeal-status-link',
  'appeal-info-reminder',
  'staff-info-wait-ended',
  'principles-changed',
  'staff-invite',
  'subscription-confirm',
  'subscription-exists',
  'notification',
  'appeal-follow-up-done',
  'staff-authenticator-reset',
  'staff-password-changed',
  'staff-password-reset',
  'staff-appeal-received',
  'staff-appellant-replied',
  'staff-digest',
  'staff-overdue-escalation',
  'safeguarding-concern',
] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

/** What each email is, as a noun phrase: "Acknowledgement email". */
export const EMAIL_KIND_LABELS: Record<EmailKind, string> = {
  'appeal-ack': 'Acknowledgement email',
  'appeal-decision': 'Decision email',
  'appeal-info-request': 'Request for more information',
  'appeal-withdrawn': 'Withdrawal confirmation email',
  'appeal-status-link': 'New status link email',
  'appeal-info-reminder': 'Reminder of our request for more information',
  'staff-info-wait-ended': 'No answer from the appellant email to staff',
  'principles-changed': 'Principles changed alert',
  'staff-invite': 'Staff invitation email',
  'subscription-confirm': 'Alert subscription confirmation email',
  'subscription-exists': 'Alert subscription reminder email',
  notification: 'Notification email',
  'appeal-follow-up-done': 'Follow-up done email',
  'staff-authenticator-reset': 'New authenticator link email',
  'staff-password-changed': 'Password changed email',
  'staff-password-reset': 'Password reset link email',
  'staff-appeal-received': 'New appeal email to the team',
  'staff-appellant-replied': 'Appellant replied email to staff',
  'staff-digest': 'Daily digest email',
  'staff-overdue-escalation': 'Overdue appeal email to admins',
  'safeguarding-concern': 'Safeguarding concern email',
};

export const OUTBOX_STATE_LABELS: Record<(typeof OUTBOX_STATES)[number], string> = {
  queued: 'Waiting to be sent',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
};

/** Every audit `action` the code writes. */
export const AUDIT_ACTIONS = [
  'appeal.assigned',
  'appeal.case-linked',
  'appeal.decided',
  'appeal.follow-up-done',
  'appeal.note-added',
  'appeal.request-info',
  'appeal.info-wait-ended',
  'appeal.start-review',
  'appeal.resume',
  'audit.exported',
  'case.recorded',
  'case.notice-recorded',
  'outbox.retried',
  'principles.draft-created',
  'principles.draft-discarded',
  'principles.draft-saved',
  'principles.published',
  'reply-template.created',
  'reply-template.updated',
  'reply-template.retired',
  'retention.purged',
  'setup.link-issued',
  'staff.created',
  'staff.disabled',
  'staff.enabled',
  'staff.first-admin-created',
  'staff.invitation-accepted',
  'staff.invited',
  'staff.mfa-enrolled',
  'staff.mfa-reset',
  'staff.roles-changed',
  'staff.security-code-reused',
  'staff.security-code-wrong',
  'staff.sign-in-failed',
  'staff.sign-in-refused-disabled',
  'staff.signed-in',
  'staff.signed-out',
  'appeal.no-matching-case',
  'appeal.overdue-escalated',
  'safeguarding.flagged',
  'setup.link-expired',
  'staff.enrol-link-password-wrong',
  'staff.enrol-link-used',
  'staff.invitation-resent',
  'staff.password-change-failed',
  'staff.password-changed',
  'staff.password-reset-completed',
  'staff.password-reset-sent',
  'staff.sessions-ended',
  'staff.sign-in-refused-enrol-link-needed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  'appeal.assigned': 'Appeal assigned',
  'appeal.case-linked': 'Appeal linked to a case',
  'appeal.decided': 'Appeal decided',
  'appeal.follow-up-done': 'Follow-up marked as done',
  'appeal.note-added': 'Internal note added to an appeal',
  'appeal.request-info': 'More information requested from the appellant',
  'appeal.info-wait-ended': 'Review resumed: no answer from the appellant',
  'appeal.start-review': 'Review of an appeal started',
  'appeal.resume': 'Review resumed after waiting for the appellant',
  'audit.exported': 'Audit log downloaded',
  'case.recorded': 'Moderation case recorded',
  'case.notice-recorded': 'Whether the person was told recorded',
  'outbox.retried': 'Failed email queued to be sent again',
  'principles.draft-created': 'Principles draft started',
  'principles.draft-discarded': 'Principles draft discarded',
  'principles.draft-saved': 'Principles draft saved',
  'principles.published': 'Principles published',
  'reply-template.created': 'Reply template created',
  'reply-template.updated': 'Reply template changed',
  'reply-template.retired': 'Reply template retired',
  'retention.purged': 'Personal data removed after the retention period',
  'setup.link-issued': 'First-run setup link issued',
  'staff.created': 'Staff account created',
  'staff.disabled': 'Staff account disabled',
  'staff.enabled': 'Staff account enabled again',
  'staff.first-admin-created': 'First admin account created',
  'staff.invitation-accepted': 'Invitation accepted',
  'staff.invited': 'Staff member invited',
  'staff.mfa-enrolled': 'Authenticator app set up',
  'staff.mfa-reset': 'Authenticator app reset',
  'staff.roles-changed': 'Roles changed',
  'staff.security-code-reused': 'Security code refused: already used',
  'staff.security-code-wrong': 'Security code refused: wrong code',
  'staff.sign-in-failed': 'Sign-in failed',
  'staff.sign-in-refused-disabled': 'Sign-in refused: account disabled',
  'staff.signed-in': 'Signed in',
  'staff.signed-out': 'Signed out',
  'appeal.no-matching-case': 'Recorded that no matching case was found',
  'appeal.overdue-escalated': 'Overdue appeal escalated to admins',
  'safeguarding.flagged': 'Flagged as a safeguarding concern',
  'setup.link-expired': 'First-run setup link expired (an admin exists)',
  'staff.enrol-link-password-wrong': 'New authenticator link: wrong password',
  'staff.enrol-link-used': 'New authenticator link used',
  'staff.invitation-resent': 'Invitation sent again',
  'staff.password-change-failed': 'Password change refused',
  'staff.password-changed': 'Password changed',
  'staff.password-reset-completed': 'New password chosen from a reset link',
  'staff.password-reset-sent': 'Password reset link sent',
  'staff.sessions-ended': 'Other sessions signed out',
  'staff.sign-in-refused-enrol-link-needed': 'Sign-in refused: new authenticator link needed',
};

/** Every appeal history `kind` the code writes. */
export const APPEAL_EVENT_KINDS = [
  'received',
  'review-started',
  'info-requested',
  'info-added',
  'decided',
  'withdrawn',
  'status-changed',
  'note',
  'assigned',
  'email-queued',
  'follow-up-created',
  'follow-up-done',
  'case-linked',
  'no-matching-case',
  'info-reminder-sent',
  'info-wait-ended',
] as const;
export type AppealEventKind = (typeof APPEAL_EVENT_KINDS)[number];

export const APPEAL_EVENT_LABELS: Record<AppealEventKind, string> = {
  received: 'Appeal received',
  'review-started': 'Review started',
  'info-requested': 'More information requested',
  'info-added': 'Appellant added information',
  decided: 'Decided',
  withdrawn: 'Withdrawn by the appellant',
  'status-changed': 'Status changed',
  note: 'Internal note',
  assigned: 'Assigned',
  'email-queued': 'Email queued',
  'follow-up-created': 'Follow-up created',
  'follow-up-done': 'Follow-up done',
  'case-linked': 'Linked to a case',
  'no-matching-case': 'No matching case found',
  'info-reminder-sent': 'Reminder sent: no answer yet',
  'info-wait-ended': 'Review resumed: no answer from the appellant',
};

export const ROLE_LABELS: Record<(typeof ROLES)[number], string> = {
  moderator: 'Moderator',
  reviewer: 'Reviewer',
  admin: 'Admin',
};

export const FOLLOW_UP_KIND_LABELS: Record<'restore-comment' | 'unblock-account', string> = {
  'restore-comment': 'Restore the comment',
  'unblock-account': 'Unblock the account',
};

/** "staff-appeal-received" → "Staff appeal received": for a code nobody has labelled yet. */
export function humanise(code: string): string {
  const words = code.replace(/[._-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'Unknown';
}

function lookUp<K extends string>(labels: Record<K, string>, code: string): string {
  return Object.hasOwn(labels, code) ? labels[code as K] : humanise(code);
}

export const emailKindLabel = (kind: string) => lookUp(EMAIL_KIND_LABELS, kind);
export const outboxStateLabel = (state: string) => lookUp(OUTBOX_STATE_LABELS, state);
export const auditActionLabel = (action: string) => lookUp(AUDIT_ACTION_LABELS, action);
export const appealStatusLabel = (status: string) => lookUp(APPEAL_STATUS_LABELS, status);

/** "Acknowledgement email queued". */
export function emailQueuedLabel(kind: string): string {
  return `${emailKindLabel(kind)} queued`;
}

/** "Status changed from New to In review". */
export function statusChangeLabel(from: string, to: string): string {
  return `Status changed from ${appealStatusLabel(from)} to ${appealStatusLabel(to)}`;
}

const DETAIL_KEY_LABELS: Record<string, string> = {
  outcome: 'Outcome',
  version: 'Principles version',
  followUps: 'Follow-ups',
  kind: 'Kind',
  caseId: 'Case number',
  caseReference: 'Case',
  appealId: 'Appeal number',
  email: 'Email address',
  roles: 'Roles',
  purpose: 'Purpose',
  grounds: 'Grounds',
  effectiveAt: 'In force from',
  scheduled: 'Scheduled',
  retentionMonths: 'Retention period (months)',
  feedbackComments: 'Feedback comments removed',
  rows: 'Entries',
  filters: 'Filters',
  template: 'Template',
  templateId: 'Template number',
  told: 'Person told',
  method: 'How',
  at: 'When',
};

function valueInWords(key: string, value: unknown, context: string): string {
  if (value === null || value === undefined || value === '')
    return key === 'to' && context === 'appeal.assigned' ? 'nobody' : 'not given';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length ? value.map((v) => valueInWords(key, v, context)).join(', ') : 'none';
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${detailKey(k)} ${valueInWords(k, v, context)}`)
      .join('; ');
  const s = String(value);
  if ((key === 'at' || key === 'effectiveAt') && /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)))
    return formatDateTime(new Date(s));
  if (key === 'outcome') return lookUp(OUTCOME_LABELS, s);
  if (key === 'followUps') return lookUp(FOLLOW_UP_KIND_LABELS, s);
  if (key === 'roles' || (context === 'staff.roles-changed' && (key === 'from' || key === 'to')))
    return lookUp(ROLE_LABELS, s).toLowerCase();
  if (key === 'kind') return context.startsWith('outbox.') ? emailKindLabel(s) : lookUp(FOLLOW_UP_KIND_LABELS, s);
  if ((key === 'from' || key === 'to') && Object.hasOwn(APPEAL_STATUS_LABELS, s)) return appealStatusLabel(s);
  if (key === 'method') return lookUp(NOTICE_METHOD_LABELS, s).toLowerCase();
  return s;
}

const detailKey = (key: string) =>
  DETAIL_KEY_LABELS[key] ?? humanise(key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());

/**
 * An audit entry's details in words: "Outcome: We have kept our decision. Principles version: 1.0."
 * `from`/`to` pairs read "Changed from New to In review". Empty details: the empty string.
 */
export function auditDetailsInWords(action: string, details: Record<string, unknown> | null | undefined): string {
  if (!details) return '';
  const parts: string[] = [];
  const rest = { ...details };
  if ('from' in rest || 'to' in rest) {
    const who = action === 'appeal.assigned';
    const from = who
      ? rest['from'] == null
        ? 'nobody'
        : `staff member ${String(rest['from'])}`
      : valueInWords('from', rest['from'], action);
    const to = who
      ? rest['to'] == null
        ? 'nobody'
        : `staff member ${String(rest['to'])}`
      : valueInWords('to', rest['to'], action);
    parts.push(`Changed from ${from} to ${to}`);
    delete rest['from'];
    delete rest['to'];
  }
  for (const [key, value] of Object.entries(rest)) parts.push(`${detailKey(key)}: ${valueInWords(key, value, action)}`);
  return parts.map((p) => `${p}.`).join(' ');
}

/** How the person was told about a moderation action (the case page's notice form). */
export { NOTICE_METHODS };
export type NoticeMethod = (typeof NOTICE_METHODS)[number];
export const NOTICE_METHOD_LABELS: Record<NoticeMethod, string> = {
  reply: 'A reply on the platform',
  'private-message': 'A private message on the platform',
  email: 'An email',
  other: 'Another way',
};
