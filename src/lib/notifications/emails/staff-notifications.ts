/**
 * Emails to staff: a new appeal, an appellant's reply, the working-day digest, an overdue
 * escalation and a safeguarding concern. Pure functions of their data.
 *
 * Appeal emails carry only what staff need to find the appeal (its reference, dates, status and a
 * link to the staff page), never the appellant's name, email, handle or words: team mailboxes
 * are forwarded and kept, and the staff page is behind sign-in. The safeguarding email carries
 * the staff member's note, because the safeguarding team may have no account here.
 */
import { workingDaysBetween, formatDate, formatDateTime } from '../../platform/index.ts';
import {
  emailLayout,
  html,
  textLayout,
  type EmailContent,
  type SafeHtml,
  notificationEmail,
} from '../../email/index.ts';

/** "Due soon" in the digest: due within this many working days. */
export const DUE_SOON_WORKING_DAYS = 2;

export interface StaffAppealEmailData {
  orgName: string;
  appealReference: string;
  dueAt: Date;
  /** The staff page of the appeal (/staff/appeals/<id>). */
  staffUrl: string;
}

/** To the review team: an appeal has arrived. */
export function staffAppealReceivedEmail(d: StaffAppealEmailData & { hasCaseReference: boolean }): EmailContent {
  return notificationEmail({
    orgName: d.orgName,
    subject: `New appeal ${d.appealReference}, decision due ${formatDate(d.dueAt)}`,
    heading: 'A new appeal has arrived',
    paragraphs: [
      `Appeal ${d.appealReference} was received. The decision is due by ${formatDate(d.dueAt)}.`,
      d.hasCaseReference
        ? 'The appellant gave a case reference, so the appeal is linked to its case.'
        : 'The appellant did not give a case reference: find the case and link it before deciding.',
      'Sign in to read the appeal and pick it up. This email does not include any details of the person who appealed.',
    ],
    link: { text: `Open appeal ${d.appealReference}`, url: d.staffUrl },
  });
}

/** To the assigned reviewer (or the team): the appellant added information or answered a request. */
export function staffAppellantRepliedEmail(d: StaffAppealEmailData & { answeredRequest: boolean }): EmailContent {
  const what = d.answeredRequest ? 'answered your request for information' : 'added information';
  return notificationEmail({
    orgName: d.orgName,
    subject: `Appeal ${d.appealReference}: the appellant ${what}`,
    heading: `The appellant ${what}`,
    paragraphs: [
      d.answeredRequest
        ? `The appellant of appeal ${d.appealReference} has answered. The clock has restarted: the decision is now due by ${formatDate(d.dueAt)}.`
        : `The appellant of appeal ${d.appealReference} has added information. The decision is due by ${formatDate(d.dueAt)}.`,
      'Sign in to read what they wrote.',
    ],
    link: { text: `Open appeal ${d.appealReference}`, url: d.staffUrl },
  });
}

/** To every admin, once per appeal: the decision date has passed. */
export function overdueEscalationEmail(d: StaffAppealEmailData & { assigneeName: string | null }): EmailContent {
  return notificationEmail({
    orgName: d.orgName,
    subject: `Overdue: appeal ${d.appealReference} was due ${formatDate(d.dueAt)}`,
    heading: 'An appeal is overdue',
    paragraphs: [
      `Appeal ${d.appealReference} was due for a decision by ${formatDate(d.dueAt)} and has not been decided.`,
      d.assigneeName ? `It is assigned to ${d.assigneeName}.` : 'Nobody is assigned to it.',
      'You are told once about each overdue appeal. It is also listed in the daily digest until it is decided.',
    ],
    link: { text: `Open appeal ${d.appealReference}`, url: d.staffUrl },
  });
}

export interface DigestAppealItem {
  reference: string;
  dueAt: Date;
  receivedAt: Date;
  url: string;
}

export interface DigestFollowUpItem {
  appealReference: string;
  /** What to do, in words ("Restore the comment"). */
  label: string;
  dueAt: Date;
  url: string;
}

export interface StaffDigestData {
  orgName: string;
  /** Any moment of the digest's UK day. */
  day: Date;
  queueUrl: string;
  newUnassigned: DigestAppealItem[];
  dueSoon: DigestAppealItem[];
  overdue: DigestAppealItem[];
  followUpsOverdue: DigestFollowUpItem[];
  /** How many more there were than listed, per section (lists are cut at a limit). */
  more?: Partial<Record<'newUnassigned' | 'dueSoon' | 'overdue' | 'followUpsOverdue', number>>;
}

/** True when the digest would list nothing at all (then it is not sent). */
export function isDigestEmpty(
  d: Pick<StaffDigestData, 'newUnassigned' | 'dueSoon' | 'overdue' | 'followUpsOverdue'>,
): boolean {
  return d.newUnassigned.length + d.dueSoon.length + d.overdue.length + d.followUpsOverdue.length === 0;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The working-day digest: four lists, each said in words when empty. */
export function staffDigestEmail(d: StaffDigestData): EmailContent {
  const n = (list: readonly unknown[], more: number | undefined) => list.length + (more ?? 0);
  const followUps = n(d.followUpsOverdue, d.more?.followUpsOverdue);
  const subject = `Appeals today, ${formatDate(d.day)}: ${n(d.overdue, d.more?.overdue)} overdue, ${n(d.dueSoon, d.more?.dueSoon)} due soon, ${n(d.newUnassigned, d.more?.newUnassigned)} new and unassigned${followUps ? `, ${plural(followUps, 'follow-up', 'follow-ups')} overdue` : ''}`;
  const ago = (due: Date) => {
    const days = workingDaysBetween(due, d.day);
    return days === 0 ? 'today' : `${plural(days, 'working day', 'working days')} ago`;
  };
  const sections: {
    heading: string;
    empty: string;
    lines: { ref: string; rest: string; url: string }[];
    more: number;
  }[] = [
    {
      heading: 'Overdue',
      empty: 'No appeal is overdue.',
      lines: d.overdue.map((a) => ({
        ref: a.reference,
        rest: `was due ${formatDate(a.dueAt)} (${ago(a.dueAt)}), received ${formatDate(a.receivedAt)}`,
        url: a.url,
      })),
      more: d.more?.overdue ?? 0,
    },
    {
      heading: `Due within ${DUE_SOON_WORKING_DAYS} working days`,
      empty: `No appeal is due within ${DUE_SOON_WORKING_DAYS} working days.`,
      lines: d.dueSoon.map((a) => ({
        ref: a.reference,
        rest: `due ${formatDate(a.dueAt)}, received ${formatDate(a.receivedAt)}`,
        url: a.url,
      })),
      more: d.more?.dueSoon ?? 0,
    },
    {
      heading: 'New and not assigned to anyone',
      empty: 'No new appeal is waiting for someone to take it.',
      lines: d.newUnassigned.map((a) => ({
        ref: a.reference,
        rest: `received ${formatDate(a.receivedAt)}, due ${formatDate(a.dueAt)}`,
        url: a.url,
      })),
      more: d.more?.newUnassigned ?? 0,
    },
    {
      heading: 'Follow-ups overdue',
      empty: 'No follow-up is overdue.',
      lines: d.followUpsOverdue.map((f) => ({
        ref: f.appealReference,
        rest: `${f.label}, was due ${formatDate(f.dueAt)} (${ago(f.dueAt)})`,
        url: f.url,
      })),
      more: d.more?.followUpsOverdue ?? 0,
    },
  ];
  const moreText = (n: number) => (n > 0 ? `And ${n} more: see the queue.` : '');
  const sectionHtml = (s: (typeof sections)[number]): SafeHtml =>
    html`<h2>${s.heading} (${s.lines.length + s.more})</h2>
${
  s.lines.length === 0
    ? html`<p>${s.empty}</p>`
    : html`<ul>
${s.lines.map((l) => html`<li><a href="${l.url}">${l.ref}</a>: ${l.rest}</li>\n`)}</ul>`
}
${s.more > 0 ? html`<p>${moreText(s.more)}</p>\n` : ''}`;
  const body = html`<h1>Appeals today</h1>
<p>The working-day digest for ${formatDate(d.day)}: what needs the review team today.</p>
${sections.map(sectionHtml)}<p><a href="${d.queueUrl}">Open the appeals queue</a></p>
`;
  const text = textLayout(
    [
      `Appeals today\n\nThe working-day digest for ${formatDate(d.day)}: what needs the review team today.`,
      ...sections.map((s) =>
        [
          `${s.heading} (${s.lines.length + s.more})`,
          ...(s.lines.length === 0 ? [s.empty] : s.lines.map((l) => `- ${l.ref}: ${l.rest}\n  ${l.url}`)),
          ...(s.more > 0 ? [moreText(s.more)] : []),
        ].join('\n'),
      ),
      `Open the appeals queue:\n${d.queueUrl}`,
    ],
    d.orgName,
  );
  return { subject, text, html: emailLayout({ title: subject, orgName: d.orgName, body }) };
}

export interface SafeguardingConcernData {
  orgName: string;
  /** What was flagged. */
  subject: { kind: 'appeal' | 'case'; reference: string };
  note: string;
  raisedBy: string;
  raisedAt: Date;
  staffUrl: string;
}

/** To SAFEGUARDING_EMAIL: a staff member flagged a case or an appeal. */
export function safeguardingConcernEmail(d: SafeguardingConcernData): EmailContent {
  const what = `${d.subject.kind === 'appeal' ? 'appeal' : 'moderation case'} ${d.subject.reference}`;
  const subject = `Safeguarding concern: ${what}`;
  const intro = `${d.raisedBy} flagged ${what} as a safeguarding concern on ${formatDateTime(d.raisedAt)}.`;
  const act = 'Please follow the trust’s safeguarding procedure. Staff can read the full record by signing in.';
  const body = html`<h1>Safeguarding concern</h1>
<p>${intro}</p>
<h2>Their note</h2>
<p style="white-space: pre-wrap">${d.note}</p>
<p>${act}</p>
<p><a href="${d.staffUrl}">Open the ${what}</a></p>
`;
  const text = textLayout(
    ['Safeguarding concern', intro, `Their note:\n${d.note}`, act, `Open the ${what}:\n${d.staffUrl}`],
    d.orgName,
  );
  return { subject, text, html: emailLayout({ title: subject, orgName: d.orgName, body }) };
}
