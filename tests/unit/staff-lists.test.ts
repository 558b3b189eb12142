/**
 * The outbox and audit log as admins browse them: filters (state, kind, dates; action, actor,
 * dates), pages, bad dates refused, and the audit CSV download (in words, audited, every page).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { listAudit, recordAudit } from '../../db/audit.ts';
import { queryPlan, type Explainable } from '../../db/dialect/plans.ts';
import { emailListQuery, enqueueEmail, markEmailFailed, claimNextEmail } from '../../db/outbox.ts';
import { browseAudit, csvCell, exportAudit, parseAuditQuery, AUDIT_PAGE_SIZE } from '../../src/lib/audit/audit.ts';
import { browseOutbox, parseOutboxQuery, OUTBOX_PAGE_SIZE } from '../../src/lib/email/outbox.ts';
import { parseDayRange } from '../../src/lib/platform/list-filters.ts';
import { testRuntime } from '../support/db.ts';
import { testStaff } from '../support/staff.ts';

let clock = Date.UTC(2026, 5, 10, 9, 0, 0); // Wednesday 10 June 2026 (BST)
const rt = await testRuntime({ now: () => new Date(clock) });
let admin: number;

const q = (s: string) => new URLSearchParams(s);

beforeAll(async () => {
  admin = await testStaff(rt, ['admin'], 'Ada Admin');
  // 60 acknowledgements on 1 June, 3 decisions on 5 June, one failed invitation on 8 June.
  for (let i = 0; i < 60; i++)
    await enqueueEmail(
      rt.db,
      { to: `a${i}@example.org`, subject: 'Ack', text: 't', html: '<p>t</p>', kind: 'appeal-ack' },
      new Date(Date.UTC(2026, 5, 1, 10, i)),
    );
  for (let i = 0; i < 3; i++)
    await enqueueEmail(
      rt.db,
      { to: `d${i}@example.org`, subject: 'Decision', text: 't', html: '<p>t</p>', kind: 'appeal-decision' },
      new Date(Date.UTC(2026, 5, 5, 10, i)),
    );
  const failed = await enqueueEmail(
    rt.db,
    { to: 'x@example.org', subject: 'Invite', text: 't', html: '<p>t</p>', kind: 'staff-invite' },
    new Date(Date.UTC(2026, 5, 8, 10)),
  );
  // Claim everything due before the invitation's time, then fail the invitation only.
  let claimed;
  while ((claimed = await claimNextEmail(rt.db, 'tok', new Date(Date.UTC(2026, 5, 9)), 60_000))) {
    if (claimed.id === failed.id) await markEmailFailed(rt.db, claimed.id, 'tok', '550 no such user');
  }
  // Audit: 70 sign-ins by the admin on 2 June, 2 purges by the system on 3 June (UK days).
  for (let i = 0; i < 70; i++) {
    clock = Date.UTC(2026, 5, 2, 8, i);
    await recordAudit(rt.db, {
      actorId: admin,
      action: 'staff.signed-in',
      entityType: 'staff',
      entityId: String(admin),
      ip: '127.0.0.1',
    });
  }
  for (let i = 0; i < 2; i++) {
    clock = Date.UTC(2026, 5, 2, 23, 30 + i); // 00:30 on 3 June in UK time
    await recordAudit(rt.db, {
      actorId: null,
      action: 'retention.purged',
      entityType: 'retention',
      entityId: null,
      ip: 'cli',
      details: { cases: 3, retentionMonths: 24 },
    });
  }
  clock = Date.UTC(2026, 5, 10, 9, 0, 0);
});

describe('day ranges', () => {
  it('reads whole UK days and refuses dates that are not real, or a range backwards', () => {
    const r = parseDayRange(q('from=2026-06-03&to=2026-06-03'));
    expect(r).toEqual({
      ok: true,
      range: { from: new Date('2026-06-02T23:00:00Z'), to: new Date('2026-06-03T23:00:00Z') },
    });
    expect(parseDayRange(q('from=2026-02-31'))).toEqual({
      ok: false,
      errors: { from: 'From date must be a real date, like 2026-03-31' },
    });
    expect(parseDayRange(q('to=yesterday'))).toMatchObject({
      ok: false,
      errors: { to: expect.stringContaining('real date') },
    });
    expect(parseDayRange(q('from=2026-06-05&to=2026-06-04'))).toMatchObject({
      ok: false,
      errors: { to: expect.stringContaining('after') },
    });
  });
});

describe('the outbox list', () => {
  it('pages through every email, newest first, 50 at a time', async () => {
    const first = parseOutboxQuery(q(''));
    if (!first.ok) throw new Error('bad query');
    const page1 = await browseOutbox(rt, first.query);
    expect(page1.messages).toHaveLength(OUTBOX_PAGE_SIZE);
    expect(page1.hasMore).toBe(true);
    expect(page1.messages[0]!.kind).toBe('staff-invite');
    const second = parseOutboxQuery(q('page=2'));
    if (!second.ok) throw new Error('bad query');
    const page2 = await browseOutbox(rt, second.query);
    expect(page2.messages).toHaveLength(64 - OUTBOX_PAGE_SIZE);
    expect(page2.hasMore).toBe(false);
    expect(new Set([...page1.messages, ...page2.messages].map((m) => m.id)).size).toBe(64);
  });

  it('filters by state, kind and the day created, with labels in words', async () => {
    const failed = parseOutboxQuery(q('state=failed'));
    if (!failed.ok) throw new Error('bad query');
    const f = (await browseOutbox(rt, failed.query)).messages;
    expect(f.map((m) => [m.to, m.stateLabel, m.kindLabel])).toEqual([
      ['x@example.org', 'Failed', 'Staff invitation email'],
    ]);
    const decisions = parseOutboxQuery(q('kind=appeal-decision&from=2026-06-05&to=2026-06-05'));
    if (!decisions.ok) throw new Error('bad query');
    expect((await browseOutbox(rt, decisions.query)).messages.map((m) => m.kindLabel)).toEqual([
      'Decision email',
      'Decision email',
      'Decision email',
    ]);
    const none = parseOutboxQuery(q('kind=appeal-ack&from=2026-06-02'));
    if (!none.ok) throw new Error('bad query');
    expect((await browseOutbox(rt, none.query)).messages).toEqual([]);
    expect((await browseOutbox(rt, none.query)).kinds.find((k) => k.code === 'appeal-ack')?.label).toBe(
      'Acknowledgement email',
    );
  });

  it('refuses a state, kind or date that is not one of the choices', () => {
    expect(parseOutboxQuery(q('state=lost&kind=<script>&from=31/02/2026'))).toMatchObject({
      ok: false,
      errors: {
        state: 'Select a state from the list',
        kind: 'Select a kind of email from the list',
        from: expect.stringContaining('real date'),
      },
    });
  });
});

describe('the audit log list and download', () => {
  it('filters by action, actor and UK day, a page at a time, in words', async () => {
    const all = parseAuditQuery(q('action=staff.signed-in'));
    if (!all.ok) throw new Error('bad query');
    const page1 = await browseAudit(rt, all.query);
    expect(page1.entries).toHaveLength(AUDIT_PAGE_SIZE);
    expect(page1.hasMore).toBe(true);
    expect(page1.entries[0]).toMatchObject({
      action: 'Signed in',
      who: 'Ada Admin (' + page1.entries[0]!.who.split('(')[1],
      details: 'No further details',
    });
    const system = parseAuditQuery(q('actor=none&from=2026-06-03&to=2026-06-03'));
    if (!system.ok) throw new Error('bad query');
    const purges = await browseAudit(rt, system.query);
    expect(purges.entries.map((e) => [e.who, e.action, e.details])).toEqual([
      [
        'Command line or system',
        'Personal data removed after the retention period',
        'Cases: 3. Retention period (months): 24.',
      ],
      [
        'Command line or system',
        'Personal data removed after the retention period',
        'Cases: 3. Retention period (months): 24.',
      ],
    ]);
    expect(purges.hasMore).toBe(false);
    const mine = parseAuditQuery(q(`actor=${admin}&from=2026-06-03`));
    if (!mine.ok) throw new Error('bad query');
    expect((await browseAudit(rt, mine.query)).entries).toEqual([]);
    expect((await browseAudit(rt, mine.query)).actions.map((a) => a.label)).toContain('Signed in');
  });

  it('a bad date is an error for the field, not a silently wider list', () => {
    expect(parseAuditQuery(q('from=2026-13-01'))).toMatchObject({
      ok: false,
      errors: { from: expect.stringContaining('real date') },
    });
  });

  it('downloads every matching entry as CSV, in words, and records the download', async () => {
    const query = parseAuditQuery(q('action=staff.signed-in&to=2026-06-02'));
    if (!query.ok) throw new Error('bad query');
    const before = (await listAudit(rt.db, { action: 'audit.exported' })).length;
    const out = await exportAudit(rt, query.query, { id: admin, ip: '127.0.0.1' });
    if (!out.ok) throw new Error(out.error);
    const lines = out.csv.trim().split('\r\n');
    expect(lines[0]).toBe('When (UK time),When (ISO 8601),Who,What happened,Record,From,Details,Action code');
    expect(lines).toHaveLength(71);
    expect(lines[1]).toContain(',Signed in,staff ');
    expect(lines[1]).toMatch(/,staff\.signed-in$/);
    const logged = await listAudit(rt.db, { action: 'audit.exported' });
    expect(logged).toHaveLength(before + 1);
    expect(logged[0]).toMatchObject({
      actorId: admin,
      details: { rows: 70, filters: { action: 'staff.signed-in', to: '2026-06-02' } },
    });
  });

  it('makes spreadsheet formulas inert and quotes what needs quoting', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell('plain')).toBe('plain');
  });
});

describe('query plans of the outbox filters', () => {
  const plan = (query: Explainable) => queryPlan(rt.db, query);
  const outboxIndex = (index: string) => expect.objectContaining({ table: 'outbox', access: 'index', index });
  it('one kind reads the kind index newest first; a day range reads the created index; neither scans the table', async () => {
    const byKind = await plan(emailListQuery(rt.db, { kind: 'appeal-ack', limit: 51 }));
    expect(byKind.reads).toContainEqual(outboxIndex('outbox_kind'));
    expect(byKind.sorted).toBe(false);
    const byDay = await plan(
      emailListQuery(rt.db, { from: new Date(Date.UTC(2026, 5, 5)), to: new Date(Date.UTC(2026, 5, 6)), limit: 51 }),
    );
    expect(byDay.reads).toContainEqual(outboxIndex('outbox_created'));
    for (const p of [byKind, byDay]) expect(p.reads.filter((r) => r.access === 'scan')).toEqual([]);
    expect((await plan(emailListQuery(rt.db, { limit: 51 }))).sorted).toBe(false);
  });
});
