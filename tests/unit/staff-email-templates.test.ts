import { describe, expect, it } from 'vitest';
import {
  isDigestEmpty,
  overdueEscalationEmail,
  safeguardingConcernEmail,
  staffAppealReceivedEmail,
  staffAppellantRepliedEmail,
  staffDigestEmail,
} from '../../src/lib/notifications/emails/staff-notifications.ts';

const orgName = 'Norfolk and Suffolk NHS Foundation Trust';
const url = (id: number) => `https://appeals.example.nhs.uk/staff/appeals/${id}`;
const day = new Date('2026-12-03T08:00:00Z'); // Thursday

describe('staff appeal emails', () => {
  it('a new appeal: reference, due date and link in both parts, and says whether a case is linked', () => {
    const withCase = staffAppealReceivedEmail({
      orgName,
      appealReference: 'AB12-CD34-EF5',
      dueAt: new Date('2026-12-15T23:59:59Z'),
      staffUrl: url(7),
      hasCaseReference: true,
    });
    expect(withCase.subject).toBe('New appeal AB12-CD34-EF5, decision due 15 December 2026');
    for (const part of [withCase.text, withCase.html]) {
      expect(part).toContain('AB12-CD34-EF5');
      expect(part).toContain('15 December 2026');
      expect(part).toContain(url(7));
      expect(part).toContain('linked to its case');
    }
    expect(withCase.html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(withCase.html).toContain(`<a href="${url(7)}">Open appeal AB12-CD34-EF5</a>`);
    const without = staffAppealReceivedEmail({
      orgName,
      appealReference: 'AB12-CD34-EF5',
      dueAt: new Date('2026-12-15T23:59:59Z'),
      staffUrl: url(7),
      hasCaseReference: false,
    });
    expect(without.text).toContain('find the case and link it before deciding');
  });

  it('a reply says whether it answered a request, with the new due date', () => {
    const added = staffAppellantRepliedEmail({
      orgName,
      appealReference: 'AB12',
      dueAt: new Date('2026-12-15T23:59:59Z'),
      staffUrl: url(1),
      answeredRequest: false,
    });
    const answered = staffAppellantRepliedEmail({
      orgName,
      appealReference: 'AB12',
      dueAt: new Date('2026-12-18T23:59:59Z'),
      staffUrl: url(1),
      answeredRequest: true,
    });
    expect(added.subject).toBe('Appeal AB12: the appellant added information');
    expect(answered.subject).toBe('Appeal AB12: the appellant answered your request for information');
    expect(answered.text).toContain('the decision is now due by 18 December 2026');
    expect(answered.html).toContain('<h1>The appellant answered your request for information</h1>');
  });

  it('an escalation names the assignee, or says nobody is assigned', () => {
    const base = { orgName, appealReference: 'AB12', dueAt: new Date('2026-12-02T23:59:59Z'), staffUrl: url(3) };
    expect(overdueEscalationEmail({ ...base, assigneeName: 'Rae <Reviewer>' }).html).toContain(
      'It is assigned to Rae &lt;Reviewer&gt;.',
    );
    expect(overdueEscalationEmail({ ...base, assigneeName: null }).text).toContain('Nobody is assigned to it.');
    expect(overdueEscalationEmail({ ...base, assigneeName: null }).subject).toBe(
      'Overdue: appeal AB12 was due 2 December 2026',
    );
  });
});

describe('staffDigestEmail', () => {
  const appeal = (ref: string, due: string) => ({
    reference: ref,
    dueAt: new Date(due),
    receivedAt: new Date('2026-11-16T10:00:00Z'),
    url: url(ref.length),
  });
  const full = staffDigestEmail({
    orgName,
    day,
    queueUrl: 'https://appeals.example.nhs.uk/staff/appeals',
    overdue: [appeal('OVER-DUE-001', '2026-12-01T23:59:59.999Z')],
    dueSoon: [appeal('DUE-SOON-002', '2026-12-04T23:59:59.999Z')],
    newUnassigned: [],
    followUpsOverdue: [
      {
        appealReference: 'FOLL-OWUP-03',
        label: 'Restore the comment',
        dueAt: new Date('2026-12-02T23:59:59.999Z'),
        url: url(9),
      },
    ],
    more: { overdue: 3 },
  });

  it('counts every list in the subject, with the ones cut off', () => {
    expect(full.subject).toBe(
      'Appeals today, 3 December 2026: 4 overdue, 1 due soon, 0 new and unassigned, 1 follow-up overdue',
    );
  });

  it('lists each section in text and HTML, says so when one is empty, and how many more there are', () => {
    expect(full.text).toContain(
      'Overdue (4)\n- OVER-DUE-001: was due 1 December 2026 (2 working days ago), received 16 November 2026\n  https://appeals.example.nhs.uk/staff/appeals/12\nAnd 3 more: see the queue.',
    );
    expect(full.text).toContain(
      'Due within 2 working days (1)\n- DUE-SOON-002: due 4 December 2026, received 16 November 2026',
    );
    expect(full.text).toContain('New and not assigned to anyone (0)\nNo new appeal is waiting for someone to take it.');
    expect(full.text).toContain(
      'Follow-ups overdue (1)\n- FOLL-OWUP-03: Restore the comment, was due 2 December 2026 (1 working day ago)',
    );
    expect(full.html).toContain('<h2>Overdue (4)</h2>');
    expect(full.html).toContain(
      '<li><a href="https://appeals.example.nhs.uk/staff/appeals/12">OVER-DUE-001</a>: was due 1 December 2026 (2 working days ago), received 16 November 2026</li>',
    );
    expect(full.html).toContain('<p>And 3 more: see the queue.</p>');
    expect(full.html).toContain('<p>No new appeal is waiting for someone to take it.</p>');
    expect(full.html).toContain('<a href="https://appeals.example.nhs.uk/staff/appeals">Open the appeals queue</a>');
  });

  it('is empty only when all four lists are', () => {
    expect(isDigestEmpty({ overdue: [], dueSoon: [], newUnassigned: [], followUpsOverdue: [] })).toBe(true);
    expect(
      isDigestEmpty({
        overdue: [],
        dueSoon: [],
        newUnassigned: [appeal('X', '2026-12-20T00:00:00Z')],
        followUpsOverdue: [],
      }),
    ).toBe(false);
  });
});

describe('safeguardingConcernEmail', () => {
  const email = safeguardingConcernEmail({
    orgName,
    subject: { kind: 'appeal', reference: 'AB12-CD34-EF5' },
    note: 'Says <script>alert(1)</script> they are "not safe".\nSecond line.',
    raisedBy: 'Reza Reviewer',
    raisedAt: new Date('2026-12-01T10:05:00Z'),
    staffUrl: url(4),
  });

  it('carries who, when, the note (escaped in HTML) and the link', () => {
    expect(email.subject).toBe('Safeguarding concern: appeal AB12-CD34-EF5');
    expect(email.text).toMatch(
      /Reza Reviewer flagged appeal AB12-CD34-EF5 as a safeguarding concern on 1 December 2026, 10:05\s?am\./,
    );
    expect(email.text).toContain('Their note:\nSays <script>alert(1)</script> they are "not safe".\nSecond line.');
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Says &lt;script&gt;alert(1)&lt;/script&gt; they are &quot;not safe&quot;.');
    expect(email.html).toContain(`<a href="${url(4)}">Open the appeal AB12-CD34-EF5</a>`);
  });

  it('names a case as a moderation case', () => {
    expect(
      safeguardingConcernEmail({
        orgName,
        subject: { kind: 'case', reference: 'ZZ99' },
        note: 'n',
        raisedBy: 'M',
        raisedAt: day,
        staffUrl: 'https://x/staff/cases/1',
      }).subject,
    ).toBe('Safeguarding concern: moderation case ZZ99');
  });
});
