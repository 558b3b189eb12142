/**
 * Safeguarding concerns on a real SQLite file: the concern, the audit entry and the email to
 * SAFEGUARDING_EMAIL in one transaction; refused (nothing stored, nothing sent) when the feature is
 * off, the note is blank or too long, or the subject does not exist; never in the appellant's
 * emails; the note is blanked by the retention purge.
 */
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { updateAppeal } from '../../db/appeals.ts';
import { listAudit } from '../../db/audit.ts';
import { countSafeguardingConcerns } from '../../db/notifications.ts';
import { listEmails } from '../../db/outbox.ts';
import { tablesOf } from '../../db/dialect/index.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { runRetentionPurge } from '../../src/lib/retention/retention.ts';
import {
  concernsForAppeal,
  concernsForCase,
  flagSafeguardingConcern,
  handleSafeguardingForm,
  SAFEGUARDING_EMAIL_KIND,
  SAFEGUARDING_MESSAGES,
} from '../../src/lib/notifications/safeguarding.ts';
import { insertTestCase } from '../support/cases.ts';
import { testRuntime } from '../support/db.ts';
import { decideAfterPreview } from '../support/review.ts';
import { testStaff } from '../support/staff.ts';

const DAY = 24 * 60 * 60_000;
let clock = Date.UTC(2026, 11, 1, 10, 0, 0);
const rt = await testRuntime({
  now: () => new Date(clock),
  env: { PUBLIC_URL: 'https://appeals.example.nhs.uk', SAFEGUARDING_EMAIL: 'Safeguarding@example.nhs.uk' },
});
const off = await testRuntime({ now: () => new Date(clock) });

let moderator = 0;
let reviewer = 0;
beforeAll(async () => {
  moderator = await testStaff(rt, ['moderator'], 'Mina Moderator');
  reviewer = await testStaff(rt, ['reviewer'], 'Reza Reviewer');
});

async function appeal(email = 'person@example.org') {
  const c = await insertTestCase(rt.db, { actionAt: new Date(clock - DAY), recordedBy: moderator });
  const r = await createAppeal(rt, {
    subject: { kind: 'case', caseReference: c.reference },
    reason: 'I was upset.',
    email,
    name: 'Sam',
  });
  if (!r.ok) throw new Error(r.error);
  return { caseId: c.id, caseReference: c.reference, ...r.appeal };
}

describe('flagSafeguardingConcern', () => {
  it('stores the concern, audits it and emails SAFEGUARDING_EMAIL with the note, together', async () => {
    const a = await appeal();
    const note = 'The appellant says they have no one to talk to and mention harming themselves.';
    const result = await flagSafeguardingConcern(rt, { kind: 'appeal', id: a.id }, note, {
      id: reviewer,
      ip: '127.0.0.1',
    });
    expect(result.ok).toBe(true);
    const [m, ...others] = (await listEmails(rt.db)).filter((e) => e.kind === SAFEGUARDING_EMAIL_KIND);
    expect(others).toHaveLength(0);
    expect(m!.to).toBe('safeguarding@example.nhs.uk');
    expect(m!.subject).toBe(`Safeguarding concern: appeal ${a.reference}`);
    expect(m!.text).toContain(note);
    expect(m!.text).toContain('Reza Reviewer flagged appeal');
    expect(m!.text).toContain(`https://appeals.example.nhs.uk/staff/appeals/${a.id}`);
    expect(m!.html).toContain(note);
    const audit = await listAudit(rt.db, {
      action: 'safeguarding.flagged',
      entityType: 'appeal',
      entityId: String(a.id),
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorId).toBe(reviewer);
    expect(JSON.stringify(audit[0]!.details)).not.toContain('harming');
    // Shown on the appeal page and on its case's page.
    expect((await concernsForAppeal(rt, { id: a.id, caseId: a.caseId })).map((c) => c.note)).toEqual([note]);
    expect((await concernsForCase(rt, a.caseId, [a.id])).map((c) => c.raisedByName)).toEqual(['Reza Reviewer']);
  });

  it('flags a case, audited under the case reference, and the concern shows on its appeal too', async () => {
    const a = await appeal();
    expect(
      (
        await flagSafeguardingConcern(rt, { kind: 'case', id: a.caseId }, 'Threat in the post.', {
          id: moderator,
          ip: null,
        })
      ).ok,
    ).toBe(true);
    expect((await listEmails(rt.db)).filter((e) => e.kind === SAFEGUARDING_EMAIL_KIND)[0]!.subject).toBe(
      `Safeguarding concern: moderation case ${a.caseReference}`,
    );
    expect(
      await listAudit(rt.db, { action: 'safeguarding.flagged', entityType: 'case', entityId: a.caseReference }),
    ).toHaveLength(1);
    expect((await concernsForAppeal(rt, { id: a.id, caseId: a.caseId })).map((c) => c.note)).toEqual([
      'Threat in the post.',
    ]);
  });

  it('refuses a blank or too long note, an unknown subject, and everything when SAFEGUARDING_EMAIL is unset', async () => {
    const a = await appeal();
    const before = { concerns: await countSafeguardingConcerns(rt.db), emails: (await listEmails(rt.db)).length };
    expect(
      await handleSafeguardingForm(
        rt,
        { kind: 'appeal', id: a.id },
        { 'safeguarding-note': '   ' },
        { id: reviewer, ip: null },
      ),
    ).toEqual({ kind: 'page', errors: { 'safeguarding-note': SAFEGUARDING_MESSAGES.noteEmpty } });
    expect(
      await handleSafeguardingForm(
        rt,
        { kind: 'appeal', id: a.id },
        { 'safeguarding-note': 'x'.repeat(2001) },
        { id: reviewer, ip: null },
      ),
    ).toEqual({ kind: 'page', errors: { 'safeguarding-note': SAFEGUARDING_MESSAGES.noteTooLong } });
    expect(
      await flagSafeguardingConcern(rt, { kind: 'appeal', id: 999_999 }, 'note', { id: reviewer, ip: null }),
    ).toEqual({
      ok: false,
      error: 'not-found',
    });
    expect(
      await flagSafeguardingConcern(rt, { kind: 'case', id: 999_999 }, 'note', { id: reviewer, ip: null }),
    ).toEqual({
      ok: false,
      error: 'not-found',
    });
    expect({ concerns: await countSafeguardingConcerns(rt.db), emails: (await listEmails(rt.db)).length }).toEqual(
      before,
    );
    expect(
      await flagSafeguardingConcern(off, { kind: 'appeal', id: a.id }, 'note', { id: reviewer, ip: null }),
    ).toEqual({
      ok: false,
      error: 'off',
    });
    expect(await countSafeguardingConcerns(off.db)).toBe(0);
    expect(
      await handleSafeguardingForm(
        rt,
        { kind: 'appeal', id: a.id },
        { 'safeguarding-note': 'Worried.' },
        { id: reviewer, ip: null },
      ),
    ).toEqual({ kind: 'redirect', to: `/staff/appeals/${a.id}?flagged=safeguarding` });
  });

  it('never reaches the appellant: their emails do not mention it', async () => {
    const a = await appeal('flagged.person@example.org');
    expect(
      (
        await flagSafeguardingConcern(rt, { kind: 'appeal', id: a.id }, 'Concerned for their safety.', {
          id: reviewer,
          ip: null,
        })
      ).ok,
    ).toBe(true);
    expect(
      (
        await decideAfterPreview(
          rt,
          a.id,
          { outcome: 'upheld', explanation: 'The comment broke our rules.', version: '1.0' },
          { id: reviewer, ip: null },
        )
      ).ok,
    ).toBe(true);
    const theirs = (await listEmails(rt.db)).filter((e) => e.to === 'flagged.person@example.org');
    expect(theirs.map((e) => e.kind).sort()).toEqual(['appeal-ack', 'appeal-decision']);
    for (const e of theirs)
      expect(`${e.subject}\n${e.text}\n${e.html}`.toLowerCase()).not.toMatch(/safeguard|concerned for their safety/);
  });

  it('the retention purge blanks the note with the appeal', async () => {
    const a = await appeal();
    expect(
      (await flagSafeguardingConcern(rt, { kind: 'appeal', id: a.id }, 'A note to purge.', { id: reviewer, ip: null }))
        .ok,
    ).toBe(true);
    await updateAppeal(rt.db, a.id, { status: 'withdrawn', withdrawnAt: new Date(clock) });
    clock += 400 * DAY;
    await runRetentionPurge(rt, { dryRun: false });
    const { safeguardingConcerns } = tablesOf(rt.db);
    const rows = await rt.db.select().from(safeguardingConcerns).where(eq(safeguardingConcerns.appealId, a.id));
    expect(rows.map((r) => r.note)).toEqual([null]);
  });
});
