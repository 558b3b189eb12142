/**
 * One-line fields (issue 17, point 8): a name, a handle, a link or a title with a line break is
 * refused with an error next to the field, so nobody can make our emails print a forged
 * "Bcc: …" line; the greeting in every email keeps a name on one line whatever is stored; and the
 * transport refuses any header with a line break before anything is sent.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listEmails } from '../../db/outbox.ts';
import { submitAccount, submitContact, submitPostLink } from '../../src/lib/appeals/journey.ts';
import { appealAcknowledgementEmail } from '../../src/lib/appeals/emails/acknowledgement.ts';
import { appealDecisionEmail } from '../../src/lib/review/emails/decision.ts';
import { createFileTransport, headerWithLineBreak, type OutgoingEmail } from '../../src/lib/email/transport.ts';
import { validateDraft } from '../../src/lib/principles/versions.ts';
import { createStaffAccount, inviteStaff } from '../../src/lib/staff/accounts.ts';
import { cleanLine, isOneLine } from '../../src/lib/platform/validation.ts';
import { testRuntime } from '../support/db.ts';
import { onCleanup } from '../support/cleanup.ts';

const rt = await testRuntime();
const BREAKS = ['\n', '\r', '\r\n', '\u0085', '\u2028', '\u2029'];
const forged = (br: string) => `Sam${br}Bcc: attacker@example.org`;

describe('one-line fields', () => {
  it('isOneLine refuses every kind of line break; cleanLine turns tabs into spaces', () => {
    for (const br of BREAKS) expect(isOneLine(forged(br)), JSON.stringify(br)).toBe(false);
    expect(isOneLine('Sam O’Neill-Smith')).toBe(true);
    expect(cleanLine('  Sam\tSmith \n')).toBe('Sam Smith');
  });

  it('the appellant’s name: a line break is an error next to the field, and nothing is saved', () => {
    for (const br of BREAKS) {
      const result = submitContact({ reason: 'kept' }, { email: 'sam@example.org', name: forged(br) }, false);
      expect(result, JSON.stringify(br)).toMatchObject({
        ok: false,
        status: 400,
        errors: { name: 'Name must be on one line' },
        values: { name: forged(br) },
      });
    }
    // A line break at the very end is only trailing space: trimmed, accepted.
    expect(submitContact({}, { email: 'sam@example.org', name: 'Sam Smith\n' }, false)).toMatchObject({
      ok: true,
      answers: { name: 'Sam Smith' },
    });
    expect(submitContact({}, { email: 'sam@example.org', name: 'Sam\tSmith' }, false)).toMatchObject({
      ok: true,
      answers: { name: 'Sam Smith' },
    });
  });

  it('the account name or handle and the link to the post are one line too', () => {
    const answers = { route: 'post' as const, post: { platform: 'x' as const } };
    expect(submitAccount(answers, { handle: '@me\nBcc: a@example.org' }, false)).toMatchObject({
      ok: false,
      errors: { handle: 'Account name must be on one line' },
    });
    // The URL parser silently drops a line break inside a link: it must be refused before that.
    expect(submitPostLink(answers, { 'post-url': 'https://x.com/me\nBcc: a@example.org' }, false)).toMatchObject({
      ok: false,
      errors: { 'post-url': 'Link must be on one line' },
    });
  });

  it('staff names (invitation, command line) and ground titles are one line', async () => {
    const actor = { id: null, ip: 'test' };
    expect(await inviteStaff(rt, actor, { email: 'new@example.org', name: forged('\n'), roles: ['reviewer'] })).toEqual(
      {
        ok: false,
        errors: { name: 'Name must be on one line' },
      },
    );
    expect((await listEmails(rt.db)).filter((e) => e.to === 'new@example.org')).toHaveLength(0);
    const cli = await createStaffAccount(
      rt,
      {
        email: 'cli@example.org',
        name: forged('\r\n'),
        password: 'a long enough passphrase here',
        roles: ['reviewer'],
      },
      actor,
    );
    expect(cli).toMatchObject({ ok: false, errors: { name: 'Name must be on one line' } });
    const draft = await validateDraft(rt, {
      bodyMarkdown: 'Text',
      changeSummary: 'Summary',
      grounds: [{ code: 'rude', title: 'Rude\nBcc: a@example.org', description: 'D' }],
    });
    expect(draft).toMatchObject({ ok: false, fieldErrors: { 'grounds.0.title': 'Title must be on one line' } });
  });

  it('emails keep a stored name on one line in the greeting', () => {
    const common = {
      orgName: 'Org',
      appealReference: 'AAAA-BBBB-CCC',
      caseReference: null,
      complaintsUrl: 'https://example.org/complaints',
    };
    const ack = appealAcknowledgementEmail({
      ...common,
      name: forged('\r\n'),
      receivedAt: new Date(),
      dueAt: new Date(),
      statusUrl: 'https://example.org/s',
      findUrl: 'https://example.org/appeal/find',
      crisisUrl: 'https://example.org/c',
    });
    const decision = appealDecisionEmail({
      ...common,
      name: forged('\u2028'),
      outcome: 'upheld',
      explanation: 'Because.',
      version: '1.0',
      publicUrl: 'https://example.org',
      followUps: [],
      followUpBy: null,
    });
    for (const email of [ack, decision]) {
      expect(email.text).toContain('Dear Sam Bcc: attacker@example.org,');
      expect(email.text).not.toMatch(/^Bcc:/m);
      expect(email.html).not.toMatch(/Sam[\r\n\u2028]/);
    }
  });

  it('the transport refuses a header with a line break, as a permanent failure, writing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fair-hearing-one-line-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const transport = createFileTransport(dir, 'Fair Hearing <no-reply@localhost>');
    const base: OutgoingEmail = {
      messageId: '<one-line-test@localhost>',
      to: 'a@example.org',
      subject: 'Hello',
      text: 'Body\nBcc: is fine in a body line',
      html: '<p>Body</p>',
      headers: {},
    };
    expect(headerWithLineBreak(base, 'x@localhost')).toBeNull();
    const cases: [Partial<OutgoingEmail>, string][] = [
      [{ subject: 'Hello\r\nBcc: attacker@example.org' }, 'Subject'],
      [{ to: 'a@example.org\nBcc: attacker@example.org' }, 'To'],
      [{ headers: { 'List-Unsubscribe': '<https://example.org/u>\r\nBcc: attacker@example.org' } }, 'List-Unsubscribe'],
    ];
    for (const [change, header] of cases) {
      const result = await transport.send({ ...base, ...change });
      expect(result).toEqual({
        ok: false,
        permanent: true,
        error: `Refused before sending: the ${header} header has a line break`,
      });
    }
    expect(await createFileTransport(dir, 'Evil\nBcc: attacker@example.org <x@localhost>').send(base)).toMatchObject({
      ok: false,
      permanent: true,
    });
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    // The same message with clean headers is written.
    expect(await transport.send(base)).toEqual({ ok: true });
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
