/**
 * Every code staff can meet has a label in words (src/lib/platform/labels.ts). The lists are walked, and
 * the source is read for the codes it writes (outbox kinds, audit actions, appeal history kinds),
 * so a new code added without a label fails here rather than showing `appeal-ack` to staff.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTBOX_STATES, ROLES } from '../../db/schema.ts';
import { APPEAL_ACTIONS, APPEAL_STATUSES } from '../../src/lib/appeals/state.ts';
import { SAFEGUARDING_EMAIL_KIND } from '../../src/lib/notifications/safeguarding.ts';
import { STAFF_EMAIL_KINDS } from '../../src/lib/notifications/notifications.ts';
import {
  APPEAL_EVENT_KINDS,
  APPEAL_EVENT_LABELS,
  APPEAL_STATUS_LABELS,
  AUDIT_ACTION_LABELS,
  AUDIT_ACTIONS,
  auditDetailsInWords,
  EMAIL_KIND_LABELS,
  EMAIL_KINDS,
  emailQueuedLabel,
  humanise,
  NOTICE_METHOD_LABELS,
  NOTICE_METHODS,
  OUTBOX_STATE_LABELS,
  ROLE_LABELS,
  statusChangeLabel,
  askingForLabel,
  contactNeedLines,
  contactNeedsAnswer,
  contactNeedsConfirmation,
  queueTags,
  whoIsAskingAnswer,
} from '../../src/lib/platform/labels.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|astro)$/.test(name) ? [path] : [];
  });
}
const source = ['src', 'db', 'scripts']
  .flatMap(sourceFiles)
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

const matches = (re: RegExp) => [...new Set([...source.matchAll(re)].map((m) => m[1]!))].sort();

const labelled = (labels: Record<string, string>, codes: readonly string[]) => {
  for (const code of codes) {
    expect(labels[code], `label for ${code}`).toBeTruthy();
    expect(labels[code]).not.toBe(code);
    expect(labels[code]).not.toMatch(/→|None|[{}_]|^[a-z0-9]+([.-][a-z0-9]+)+$/);
  }
  expect(Object.keys(labels).sort()).toEqual([...codes].sort());
};

describe('labels', () => {
  it('every enum value has a label in words', () => {
    labelled(APPEAL_STATUS_LABELS, APPEAL_STATUSES);
    labelled(OUTBOX_STATE_LABELS, OUTBOX_STATES);
    labelled(EMAIL_KIND_LABELS, EMAIL_KINDS);
    labelled(AUDIT_ACTION_LABELS, AUDIT_ACTIONS);
    labelled(APPEAL_EVENT_LABELS, APPEAL_EVENT_KINDS);
    labelled(ROLE_LABELS, ROLES);
    labelled(NOTICE_METHOD_LABELS, NOTICE_METHODS);
  });

  it('every outbox kind the code writes is listed (and so labelled)', () => {
    // enqueueEmail(…, { …, kind: 'appeal-ack' }, now) (`now` maybe on the next line) and the history's
    // { email: 'appeal-ack' }.
    const written = matches(
      /kind: '([a-z]+(?:-[a-z]+)+|notification)'(?=[^\n]*\},\s*(?:now|receivedAt|at|rt\.now\(\)|new Date\(\)))/g,
    );
    const historyEmail = matches(/email: '([a-z-]+)'/g);
    expect(written.length).toBeGreaterThan(4);
    // Kinds kept in constants (staff notifications, safeguarding) are not written as literals.
    const constants = [...Object.values(STAFF_EMAIL_KINDS), SAFEGUARDING_EMAIL_KIND];
    for (const kind of [...written, ...historyEmail, ...constants])
      expect(EMAIL_KINDS, `outbox kind ${kind}`).toContain(kind);
  });

  it('every audit action the code writes is listed (and so labelled)', () => {
    const written = matches(
      /'((?:appeal|audit|case|outbox|principles|reply-template|retention|safeguarding|setup|staff)\.[a-z-]+)'/g,
    );
    expect(written.length).toBeGreaterThan(20);
    for (const action of written) expect(AUDIT_ACTIONS, `audit action ${action}`).toContain(action);
    // `appeal.${action}` from stateChange in src/lib/review/review.ts
    for (const action of APPEAL_ACTIONS.filter((a) => source.includes(`stateChange(rt, appealId, actor, '${a}'`)))
      expect(AUDIT_ACTIONS).toContain(`appeal.${action}`);
  });

  it('every appeal history kind the code writes is listed (and so labelled)', () => {
    const written = matches(/insertAppealEvent\([^;]*?kind: '([a-z-]+)'/g);
    const viaStateChange = matches(/stateChange\(rt, appealId, actor, '[a-z-]+', '([a-z-]+)'/g);
    expect(written.length).toBeGreaterThan(5);
    for (const kind of [...written, ...viaStateChange])
      expect(APPEAL_EVENT_KINDS, `history kind ${kind}`).toContain(kind);
  });

  it('reads changes in words, never codes, arrows, JSON or None', () => {
    expect(emailQueuedLabel('appeal-ack')).toBe('Acknowledgement email queued');
    expect(statusChangeLabel('new', 'in-review')).toBe('Status changed from New to In review');
    expect(auditDetailsInWords('appeal.start-review', { from: 'new', to: 'in-review' })).toBe(
      'Changed from New to In review.',
    );
    expect(auditDetailsInWords('appeal.decided', { outcome: 'upheld', version: '1.0', followUps: [] })).toBe(
      'Outcome: We have kept our decision. Principles version: 1.0. Follow-ups: none.',
    );
    expect(auditDetailsInWords('outbox.retried', { kind: 'appeal-decision' })).toBe('Kind: Decision email.');
    expect(auditDetailsInWords('staff.roles-changed', { from: ['reviewer'], to: ['reviewer', 'admin'] })).toBe(
      'Changed from reviewer to reviewer, admin.',
    );
    expect(auditDetailsInWords('appeal.assigned', { from: null, to: 4 })).toBe(
      'Changed from nobody to staff member 4.',
    );
    expect(auditDetailsInWords('staff.signed-in', null)).toBe('');
    expect(humanise('staff-appeal-received')).toBe('Staff appeal received');
  });
});

describe('who is asking and contact needs, for staff and check your answers', () => {
  const none = {
    askingFor: null,
    askingRelationship: null,
    askingConsent: null,
    contactNeeds: null,
    contactAddress: null,
    contactPhone: null,
    contactOther: null,
  };

  it('says when someone asks for another person, how they know them and that they gave permission', () => {
    expect(
      askingForLabel({ ...none, askingFor: 'someone-else', askingRelationship: 'carer', askingConsent: true }),
    ).toBe('Asking for someone else (carer, consent given)');
    expect(askingForLabel({ ...none, askingFor: 'self' })).toBeUndefined();
    expect(askingForLabel(none)).toBeUndefined();
    expect(whoIsAskingAnswer({ askingFor: 'someone-else', relationship: 'family', name: 'Sam', consent: true })).toBe(
      'For someone else (family member): Sam, with their permission',
    );
    expect(whoIsAskingAnswer({ askingFor: 'self' })).toBe('For myself');
  });

  it('lists each contact need with its detail, and tags a queue row briefly', () => {
    const needs = {
      ...none,
      askingFor: 'someone-else' as const,
      contactNeeds: ['bsl' as const, 'post' as const, 'phone' as const],
      contactAddress: '1 High St\nLeeds',
      contactPhone: '07700 900982',
    };
    expect(contactNeedLines(needs)).toEqual([
      'British Sign Language (BSL)',
      'By post: 1 High St\nLeeds',
      'By phone: 07700 900982',
    ]);
    expect(queueTags(needs)).toEqual(['For someone else', 'BSL', 'Post', 'Phone']);
    expect(queueTags(none)).toEqual([]);
    expect(contactNeedLines(none)).toEqual([]);
    expect(contactNeedsAnswer({ needs: [], address: null, phone: null, other: null })).toBe('No');
    expect(
      contactNeedsAnswer({ needs: ['large-print', 'other'], address: null, phone: null, other: 'Call my daughter' }),
    ).toBe('Large print\nSomething else: Call my daughter');
    expect(contactNeedsConfirmation(['bsl', 'phone'])).toBe(
      'You told us you need us to contact you in a different way (British Sign Language and by phone). We have noted this on your appeal, and we will still email you.',
    );
    expect(contactNeedsConfirmation([])).toBeUndefined();
  });
});
