import { beforeAll, describe, expect, it } from 'vitest';
import { findAppealById, listAppealEvents, updateAppeal } from '../../db/appeals.ts';
import { listAudit } from '../../db/audit.ts';
import { listEmails } from '../../db/outbox.ts';
import { listFollowUpsForAppeal } from '../../db/review.ts';
import { addFurtherInformation, createAppeal } from '../../src/lib/appeals/appeals.ts';
import { addWorkingDays } from '../../src/lib/platform/calendar.ts';
import { appealDecisionEmail } from '../../src/lib/review/emails/decision.ts';
import {
  addNote,
  assignAppeal,
  completeFollowUp,
  previewDecision,
  requestInformation,
  resumeReview,
  startReview,
  workingDaysToDecision,
  type Actor,
} from '../../src/lib/review/review.ts';
import type { CaseAction } from '../../db/cases.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';
import { causeMessages, failInserts } from '../support/fail-inserts.ts';
import { testStaff } from '../support/staff.ts';
import { decideAfterPreview } from '../support/review.ts';

const DAY = 24 * 60 * 60_000;
let clock = Date.UTC(2026, 10, 25, 10, 0, 0); // Wednesday 25 November 2026
const rt = await testRuntime({ now: () => new Date(clock), env: { PUBLIC_URL: 'https://appeals.example.nhs.uk' } });

let moderator: Actor;
let reviewer: Actor;

beforeAll(async () => {
  moderator = { id: await testStaff(rt, ['moderator', 'reviewer'], 'Mo Derator'), ip: '127.0.0.1' };
  reviewer = { id: await testStaff(rt, ['reviewer'], 'Rita Reviewer'), ip: '127.0.0.1' };
});

async function newAppeal(
  actions: CaseAction[] = ['hidden'],
  email = `p${Math.random().toString(36).slice(2)}@example.org`,
) {
  const c = await insertTestCase(rt.db, { actionAt: new Date(clock - 2 * DAY), actions, recordedBy: moderator.id });
  const r = await createAppeal(rt, {
    subject: { kind: 'case', caseReference: c.reference },
    reason: 'It was a fair question.',
    email,
    name: 'Sam',
  });
  if (!r.ok) throw new Error(r.error);
  return { caseRef: c.reference, id: r.appeal.id, email, token: r.statusToken };
}

const decision = {
  outcome: 'overturned' as const,
  explanation: 'The comment criticised the service, which our principles allow.',
  version: '1.0',
};

describe('decideAppeal', () => {
  it('refuses a reviewer who recorded the case, changing nothing', async () => {
    const a = await newAppeal();
    const emails = (await listEmails(rt.db)).length;
    expect(await decideAfterPreview(rt, a.id, decision, moderator)).toEqual({ ok: false, error: 'recorded-by-you' });
    expect(await previewDecision(rt, a.id, decision, moderator)).toEqual({ ok: false, error: 'recorded-by-you' });
    expect((await findAppealById(rt.db, a.id))!.status).toBe('new');
    expect((await listEmails(rt.db)).length).toBe(emails);
  });

  it('decides in one go: appeal, history, audit, email and a follow-up for an overturn', async () => {
    const a = await newAppeal(['hidden', 'blocked']);
    expect(await startReview(rt, a.id, reviewer)).toEqual({ ok: true });
    const preview = await previewDecision(rt, a.id, decision, reviewer);
    if (!preview.ok) throw new Error(preview.error);
    expect(await decideAfterPreview(rt, a.id, decision, reviewer)).toEqual({ ok: true });
    const row = (await findAppealById(rt.db, a.id))!;
    expect(row).toMatchObject({
      status: 'decided',
      outcome: 'overturned',
      explanation: decision.explanation,
      decidedBy: reviewer.id,
      workingDaysToDecision: 0,
    });
    expect(row.decisionVersionId).toBe(preview.plan.versionId);
    const kinds = (await listAppealEvents(rt.db, a.id)).map((e) => e.kind);
    expect(kinds).toContain('decided');
    expect(
      (await listAudit(rt.db)).some(
        (e) => e.action === 'appeal.decided' && e.entityId === String(a.id) && e.actorId === reviewer.id,
      ),
    ).toBe(true);
    const email = (await listEmails(rt.db)).find((m) => m.kind === 'appeal-decision' && m.to === a.email)!;
    // The preview is exactly what is sent.
    expect(email.text).toBe(preview.plan.email.text);
    expect(email.html).toBe(preview.plan.email.html);
    expect(email.text).toContain(decision.explanation);
    expect(email.text).toContain('https://appeals.example.nhs.uk/principles/1.0');
    expect(email.text).not.toContain('Rita');
    const followUps = await listFollowUpsForAppeal(rt.db, a.id);
    expect(followUps.map((f) => f.kind).sort()).toEqual(['restore-comment', 'unblock-account']);
    expect(followUps[0]!.dueAt.getTime()).toBe(addWorkingDays(new Date(clock), 2).getTime());
  });

  it('creates follow-ups only for an overturn or partial overturn', async () => {
    const upheld = await newAppeal();
    expect(await decideAfterPreview(rt, upheld.id, { ...decision, outcome: 'upheld' }, reviewer)).toEqual({ ok: true });
    expect(await listFollowUpsForAppeal(rt.db, upheld.id)).toEqual([]);
    const partly = await newAppeal(['deleted']);
    expect(await decideAfterPreview(rt, partly.id, { ...decision, outcome: 'partly-overturned' }, reviewer)).toEqual({
      ok: true,
    });
    expect((await listFollowUpsForAppeal(rt.db, partly.id)).map((f) => f.kind)).toEqual(['restore-comment']);
  });

  it('follows the state machine: no second decision, none after withdrawal', async () => {
    const a = await newAppeal();
    expect(await decideAfterPreview(rt, a.id, decision, reviewer)).toEqual({ ok: true });
    expect(await decideAfterPreview(rt, a.id, decision, reviewer)).toEqual({ ok: false, error: 'not-allowed' });
    expect(await startReview(rt, a.id, reviewer)).toEqual({ ok: false, error: 'not-allowed' });
    expect(await requestInformation(rt, a.id, 'More?', reviewer)).toEqual({ ok: false, error: 'not-allowed' });
    const b = await newAppeal();
    await updateAppeal(rt.db, b.id, { status: 'withdrawn' });
    expect(await decideAfterPreview(rt, b.id, decision, reviewer)).toEqual({ ok: false, error: 'not-allowed' });
    expect(await resumeReview(rt, b.id, reviewer)).toEqual({ ok: false, error: 'not-allowed' });
  });

  it('refuses an empty explanation or an unknown version', async () => {
    const a = await newAppeal();
    expect(await decideAfterPreview(rt, a.id, { ...decision, explanation: '  ' }, reviewer)).toEqual({
      ok: false,
      error: 'explanation-required',
    });
    expect(await decideAfterPreview(rt, a.id, { ...decision, version: '9.9' }, reviewer)).toEqual({
      ok: false,
      error: 'version-not-found',
    });
  });

  it('keeps nothing when any part fails: the email is queued in the same transaction', async () => {
    const a = await newAppeal();
    const emails = (await listEmails(rt.db)).length;
    const restore = await failInserts(rt.db, 'follow_ups', 'boom');
    try {
      await expect(decideAfterPreview(rt, a.id, decision, reviewer).catch(causeMessages)).resolves.toMatch(/boom/);
    } finally {
      await restore();
    }
    expect((await findAppealById(rt.db, a.id))!.status).toBe('new');
    expect((await listEmails(rt.db)).length).toBe(emails);
    expect((await listAppealEvents(rt.db, a.id)).map((e) => e.kind)).not.toContain('decided');
  });
});

describe('working days and the paused clock', () => {
  it('counts working days to decision without the paused time', async () => {
    const start = clock;
    try {
      const a = await newAppeal();
      const originalDue = (await findAppealById(rt.db, a.id))!.dueAt;
      clock = Date.UTC(2026, 10, 27, 10); // Fri: 2 working days in
      expect(await requestInformation(rt, a.id, 'Which post did you mean?', reviewer)).toEqual({ ok: true });
      expect(await findAppealById(rt.db, a.id)).toMatchObject({ status: 'waiting' });
      expect((await listEmails(rt.db)).some((m) => m.kind === 'appeal-info-request' && m.to === a.email)).toBe(true);
      clock = Date.UTC(2026, 11, 2, 10); // Wed: paused 3 working days (Mon, Tue, Wed)
      expect(await resumeReview(rt, a.id, reviewer)).toEqual({ ok: true });
      const resumed = (await findAppealById(rt.db, a.id))!;
      expect(resumed).toMatchObject({ status: 'in-review', pausedAt: null });
      expect(resumed.dueAt.getTime()).toBe(addWorkingDays(originalDue, 3).getTime());
      clock = Date.UTC(2026, 11, 4, 10); // Fri: 7 working days since receipt, 3 paused
      expect(await decideAfterPreview(rt, a.id, decision, reviewer)).toEqual({ ok: true });
      expect((await findAppealById(rt.db, a.id))!.workingDaysToDecision).toBe(4);
    } finally {
      clock = start;
    }
  });

  it('does not count a pause still running at decision, nor one ended by the appellant', async () => {
    const received = new Date(Date.UTC(2026, 10, 25, 10));
    const due = addWorkingDays(received, 10);
    expect(
      workingDaysToDecision(
        { receivedAt: received, dueAt: due, pausedAt: new Date(Date.UTC(2026, 10, 27, 10)) },
        new Date(Date.UTC(2026, 11, 4, 10)),
        10,
      ),
    ).toBe(2);
    const start = clock;
    try {
      const a = await newAppeal();
      clock = Date.UTC(2026, 10, 26, 10);
      await requestInformation(rt, a.id, 'Tell us more', reviewer);
      clock = Date.UTC(2026, 10, 30, 10); // Mon: paused Fri + Mon = 2
      expect(await addFurtherInformation(rt, a.token, 'Here it is')).toEqual({ ok: true });
      clock = Date.UTC(2026, 11, 1, 10); // Tue: 4 working days since receipt
      expect(await decideAfterPreview(rt, a.id, decision, reviewer)).toEqual({ ok: true });
      expect((await findAppealById(rt.db, a.id))!.workingDaysToDecision).toBe(2);
    } finally {
      clock = start;
    }
  });
});

describe('notes, assignment and follow-ups', () => {
  it('records notes and assignments in the history and the audit log', async () => {
    const a = await newAppeal();
    expect(await addNote(rt, a.id, 'Checked the thread', reviewer)).toEqual({ ok: true });
    expect(await assignAppeal(rt, a.id, moderator.id, reviewer)).toEqual({ ok: true });
    expect((await findAppealById(rt.db, a.id))!.assignedTo).toBe(moderator.id);
    const events = await listAppealEvents(rt.db, a.id);
    expect(events.find((e) => e.kind === 'note')).toMatchObject({ body: 'Checked the thread', actorId: reviewer.id });
    expect(events.find((e) => e.kind === 'assigned')).toMatchObject({ details: { from: null, to: moderator.id } });
    expect((await listAudit(rt.db)).filter((e) => e.entityId === String(a.id)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['appeal.note-added', 'appeal.assigned']),
    );
  });

  it('ticks off a follow-up once, recording who and when', async () => {
    const a = await newAppeal();
    await decideAfterPreview(rt, a.id, decision, reviewer);
    const [f] = await listFollowUpsForAppeal(rt.db, a.id);
    // Sent from another appeal's page (a forged form), it is not found and stays open.
    const other = await newAppeal();
    expect(await completeFollowUp(rt, other.id, f!.id, reviewer)).toEqual({ ok: false, error: 'not-found' });
    expect((await listFollowUpsForAppeal(rt.db, a.id))[0]).toMatchObject({ doneBy: null, doneAt: null });
    expect(await completeFollowUp(rt, a.id, f!.id, reviewer)).toEqual({ ok: true });
    expect((await listFollowUpsForAppeal(rt.db, a.id))[0]).toMatchObject({
      doneBy: reviewer.id,
      doneAt: new Date(clock),
    });
    expect(await completeFollowUp(rt, a.id, f!.id, reviewer)).toEqual({ ok: false, error: 'not-allowed' });
    expect(await completeFollowUp(rt, a.id, 999999, reviewer)).toEqual({ ok: false, error: 'not-found' });
  });
});

describe('follow-up done email', () => {
  it('marking a restore or unblock follow-up done emails the appellant through the outbox, in the same transaction', async () => {
    const a = await newAppeal(['hidden', 'blocked']);
    await decideAfterPreview(rt, a.id, decision, reviewer);
    const follow = await listFollowUpsForAppeal(rt.db, a.id);
    expect(follow.map((f) => f.kind).sort()).toEqual(['restore-comment', 'unblock-account']);
    const before = (await listEmails(rt.db)).filter((e) => e.to === a.email).length;
    const restore = follow.find((f) => f.kind === 'restore-comment')!;
    expect(await completeFollowUp(rt, a.id, restore.id, reviewer)).toEqual({ ok: true });
    const mine = (await listEmails(rt.db)).filter((e) => e.to === a.email);
    expect(mine).toHaveLength(before + 1);
    const sent = mine.find((e) => e.kind === 'appeal-follow-up-done')!;
    expect(sent.subject).toBe(
      `Your comment is visible again: appeal ${(await findAppealById(rt.db, a.id))!.reference}`,
    );
    expect(sent.text).toContain('we have made your comment visible again');
    expect(sent.text).toContain('Dear Sam,');
    expect(sent.text).not.toContain('Riley');
    const unblock = follow.find((f) => f.kind === 'unblock-account')!;
    expect(await completeFollowUp(rt, a.id, unblock.id, reviewer)).toEqual({ ok: true });
    const after = (await listEmails(rt.db)).filter((e) => e.to === a.email && e.kind === 'appeal-follow-up-done');
    expect(after.map((e) => e.subject.split(':')[0]).sort()).toEqual([
      'Your account is unblocked',
      'Your comment is visible again',
    ]);
    // The history records the email; a second "done" sends nothing more.
    expect(
      (await listAppealEvents(rt.db, a.id)).filter(
        (e) => e.kind === 'email-queued' && e.details?.['email'] === 'appeal-follow-up-done',
      ),
    ).toHaveLength(2);
    expect(await completeFollowUp(rt, a.id, unblock.id, reviewer)).toEqual({ ok: false, error: 'not-allowed' });
    expect(
      (await listEmails(rt.db)).filter((e) => e.to === a.email && e.kind === 'appeal-follow-up-done'),
    ).toHaveLength(2);
    expect(
      (await listAudit(rt.db))
        .filter(
          (e) => e.action === 'appeal.follow-up-done' && (e.details as { appealId?: number } | null)?.appealId === a.id,
        )
        .map((e) => (e.details as { emailed: boolean }).emailed),
    ).toEqual([true, true]);
  });
});

describe('appealDecisionEmail', () => {
  const base = {
    orgName: 'Test Trust',
    name: 'Jo <b>',
    appealReference: 'A1',
    caseReference: 'C1',
    outcome: 'overturned' as const,
    explanation: 'Fair <script>alert(1)</script> comment',
    version: '1.0',
    publicUrl: 'https://x.example',
    followUps: ['restore-comment' as const],
    followUpBy: new Date(Date.UTC(2026, 10, 27, 10)),
    complaintsUrl: 'https://trust.example/complaints',
  };
  it('escapes, links the version and names the other routes', () => {
    const e = appealDecisionEmail(base);
    expect(e.html).not.toContain('<script>');
    expect(e.html).toContain('&lt;script&gt;');
    expect(e.html).toContain('href="https://x.example/principles/1.0"');
    expect(e.text).toContain('make your comment visible again by 27 November 2026');
    for (const part of [e.text, e.html]) {
      expect(part).toContain('https://www.ombudsman.org.uk/');
      expect(part).toContain('https://trust.example/complaints');
      expect(part).toContain('PALS');
      expect(part).toContain('social media team');
    }
  });
  it('promises nothing for an upheld decision', () => {
    const e = appealDecisionEmail({ ...base, outcome: 'upheld', followUps: [], followUpBy: null });
    expect(e.text).toContain('Our original decision stays in place');
    expect(e.text).not.toContain('visible again');
  });
});
