/**
 * Access control: every /staff/ route × {anonymous, moderator, reviewer, admin, disabled account};
 * one appeal's status link never shows another; cross-origin form posts refused (and change
 * nothing); cookie flags (HttpOnly, SameSite, Path, Secure over https through a trusted proxy).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstRow } from '../../db/dialect/index.ts';
import { insertSession } from '../../db/staff.ts';
import { createAppeal } from '../../src/lib/appeals/appeals.ts';
import { createDraft } from '../../src/lib/principles/versions.ts';
import type { Runtime } from '../../src/lib/runtime.ts';
import { createStaffAccount, newToken, setDisabled, type Role } from '../../src/lib/staff/accounts.ts';
import { insertTestCase } from '../support/cases.ts';
import { HttpClient } from './support/client.ts';
import { recordFigure } from './support/figures.ts';
import { AppServer, sharedRuntime, tempDataDir } from './support/server.ts';
import { createTemplate } from '../../src/lib/review/reply-templates.ts';

/**
 * Who may open each staff page, written down here independently of src/lib/staff/access.ts.
 * 'any': every signed-in account. A page added under src/pages/staff without a line here fails.
 */
type Rule = Role | 'any' | 'sign-in' | 'redirect' | 'missing' | { read: Role[]; write: Role[] };
const EXPECTED: Record<string, Rule> = {
  '/staff': 'any',
  '/staff/account': 'any',
  '/staff/admin': 'admin',
  '/staff/admin/[id]': 'admin',
  '/staff/admin/invite': 'admin',
  '/staff/appeals': 'reviewer',
  '/staff/appeals/[id]': 'reviewer',
  '/staff/audit': 'admin',
  '/staff/audit/export.csv': 'admin',
  // Reviewers read cases (to find the one a no-reference appeal is about); only moderators post.
  '/staff/cases': { read: ['moderator', 'reviewer'], write: ['moderator'] },
  '/staff/cases/[id]': { read: ['moderator', 'reviewer'], write: ['moderator'] },
  '/staff/cases/new': 'moderator',
  '/staff/follow-ups': 'reviewer',
  '/staff/outbox': 'admin',
  '/staff/principles': 'admin',
  '/staff/principles/drafts/[id]': 'admin',
  '/staff/principles/drafts/[id]/discard': 'admin',
  '/staff/principles/drafts/[id]/preview': 'admin',
  '/staff/principles/drafts/[id]/publish': 'admin',
  '/staff/templates': 'admin',
  '/staff/templates/[id]': 'admin',
  '/staff/templates/new': 'admin',
  // Signing in is open to everyone; the later steps send you back to the start without a pending sign-in.
  '/staff/login': 'sign-in',
  '/staff/login/code': 'redirect',
  '/staff/login/enrol': 'redirect',
  // Sign-out is POST only; GET sends you on.
  '/staff/sign-out': 'redirect',
  // Not a page: the same 404 for everyone (it says nothing about who may see what).
  '/staff/no-such-page': 'missing',
};

/** Whether this visitor's roles are the ones a rule needs, to read (GET) or to post. */
function allows(rule: Rule, who: string, to: 'read' | 'write'): boolean {
  if (rule === 'any') return true;
  if (typeof rule === 'object') return (rule[to] as string[]).includes(who);
  return rule === who;
}

function staffRouteFiles(): string[] {
  const root = 'src/pages';
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(astro|ts)$/.test(entry)) {
        const route =
          '/' +
          relative(root, path)
            .replace(/\.(astro|ts)$/, '')
            .replace(/\/index$/, '');
        out.push(route);
      }
    }
  };
  walk(join(root, 'staff'));
  return out.sort();
}

type Who = 'anonymous' | 'moderator' | 'reviewer' | 'admin' | 'disabled';
const WHO: Who[] = ['anonymous', 'moderator', 'reviewer', 'admin', 'disabled'];

async function account(
  rt: Runtime,
  roles: Role[],
  password = `resilience ${Math.random().toString(36).slice(2)} words`,
) {
  const email = `access-${roles.join('-')}-${Math.random().toString(36).slice(2, 8)}@example.org`;
  const result = await createStaffAccount(
    rt,
    { email, name: `Access ${roles.join(' ')}`, password, roles },
    { id: null, ip: 'test' },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return { id: result.id, email, password };
}

async function signedInSession(rt: Runtime, staffId: number): Promise<string> {
  const { token, hash } = newToken();
  await insertSession(rt.db, { idHash: hash, staffId, stage: 'signed-in', now: new Date(), ip: null });
  return token;
}

describe('access control', () => {
  let rt: Runtime;
  let server: AppServer;
  const sessions = new Map<Who, string>();
  const ids = { admin: 0, appeal: 0, case: 0, draft: 0, template: 0 };
  let appealA: { reference: string; token: string; email: string; reason: string };
  let appealB: { reference: string; token: string; email: string; reason: string };

  beforeAll(async () => {
    const dataDir = tempDataDir('access');
    rt = await sharedRuntime(dataDir);
    const moderator = await account(rt, ['moderator']);
    const reviewer = await account(rt, ['reviewer']);
    const admin = await account(rt, ['admin']);
    const disabled = await account(rt, ['moderator', 'reviewer', 'admin']);
    for (const [who, a] of [
      ['moderator', moderator],
      ['reviewer', reviewer],
      ['admin', admin],
      ['disabled', disabled],
    ] as const) {
      sessions.set(who, await signedInSession(rt, a.id));
    }
    // Disabled after the session was made: the session must stop working.
    expect(await setDisabled(rt, { id: admin.id, ip: 'test' }, disabled.id, true)).toMatchObject({ ok: true });
    ids.admin = admin.id;
    const made: (typeof appealA)[] = [];
    for (const name of ['A', 'B']) {
      const c = await insertTestCase(rt.db, {
        recordedBy: moderator.id,
        statementOfReasons: `Statement for case ${name}`,
      });
      const reason = `Reason only appellant ${name} wrote ${Math.random()}`;
      const email = `appellant-${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@example.org`;
      const created = await createAppeal(rt, {
        subject: { kind: 'case', caseReference: c.reference },
        reason,
        email,
        name: `Person ${name}`,
      });
      if (!created.ok) throw new Error(created.error);
      made.push({ reference: created.appeal.reference, token: created.statusToken, email, reason });
      ids.appeal = created.appeal.id;
      ids.case = c.id;
    }
    [appealA, appealB] = made as [typeof appealA, typeof appealB];
    const draft = await createDraft(rt, { actor: { id: admin.id, ip: 'test' } });
    if (!draft.ok) throw new Error('no draft');
    ids.draft = draft.draftId;
    const template = await createTemplate(
      rt,
      { name: 'Access check', outcome: 'upheld', ground: '', body: 'We looked again at {{appeal_reference}}.' },
      [],
      { id: admin.id, ip: 'test' },
    );
    if (!template.ok) throw new Error('no template');
    ids.template = template.template.id;
    server = (await AppServer.start({ dataDir, env: { TRUSTED_PROXY: 'true' } })).stopAfterAll();
  });

  /** A route file's address with this test's ids in place of [id]. */
  const concretePath = (route: string) =>
    route
      .replace('/admin/[id]', `/admin/${ids.admin}`)
      .replace('/appeals/[id]', `/appeals/${ids.appeal}`)
      .replace('/cases/[id]', `/cases/${ids.case}`)
      .replace('/drafts/[id]', `/drafts/${ids.draft}`)
      .replace('/templates/[id]', `/templates/${ids.template}`);

  /** A fresh client carrying this kind of visitor's session cookie, if any. */
  const clientAs = (who: (typeof WHO)[number]) => {
    const web = new HttpClient(server.baseUrl);
    const session = sessions.get(who);
    if (session) web.cookies.set('fh_staff_session', session);
    return web;
  };

  it('every staff route gives the expected status to each kind of visitor', async () => {
    const files = staffRouteFiles();
    const unlisted = files.filter((f) => !(f in EXPECTED));
    expect(unlisted, 'staff pages without an expected access rule in this test').toEqual([]);
    let checked = 0;
    const wrong: string[] = [];
    for (const [route, rule] of Object.entries(EXPECTED)) {
      const path = concretePath(route);
      for (const who of WHO) {
        const web = clientAs(who);
        const res = await web.get(path);
        const signedIn = who !== 'anonymous' && who !== 'disabled';
        let expected: string;
        if (rule === 'missing') expected = '404';
        else if (rule === 'sign-in') expected = signedIn ? '303 /staff' : '200';
        else if (rule === 'redirect') expected = '303';
        else if (!signedIn) expected = '303 /staff/login';
        else if (allows(rule, who, 'read')) expected = '200';
        else expected = '403';
        const [status, location] = expected.split(' ');
        const ok =
          res.status === Number(status) && (location === undefined || (res.location ?? '').split('?')[0] === location);
        if (!ok) wrong.push(`${who} GET ${path}: expected ${expected}, got ${res.status} ${res.location ?? ''}`);
        // A refused page shows nothing of the staff area.
        if (res.status !== 200) expect(res.body).not.toContain(appealA.reason);
        checked++;
      }
    }
    recordFigure(
      'Access control',
      'staff route × visitor checks',
      `${checked} (${files.length} route files + 1 unknown path, × ${WHO.length} visitors), ${wrong.length} wrong`,
    );
    expect(wrong).toEqual([]);
  });

  it('every staff form refuses a POST from a visitor without the role (same-origin, so only the role decides)', async () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const [route, rule] of Object.entries(EXPECTED)) {
      // Sign-in and sign-out are open to all; an unknown path is a 404.
      if (rule === 'sign-in' || rule === 'redirect' || rule === 'missing') continue;
      const path = concretePath(route);
      for (const who of WHO) {
        const web = clientAs(who);
        const signedIn = who !== 'anonymous' && who !== 'disabled';
        const allowed = signedIn && allows(rule, who, 'write');
        // Refused visitors post what would do harm if it got through; allowed ones post nothing useful.
        const res = await web.post(
          path,
          allowed ? { nothing: '1' } : { intent: 'start', action: 'disable', confirm: 'yes' },
        );
        const ok = !signedIn
          ? res.status === 303 && (res.location ?? '').startsWith('/staff/login')
          : allowed
            ? res.status < 500 && res.status !== 403
            : res.status === 403;
        if (!ok) wrong.push(`${who} POST ${path}: got ${res.status} ${res.location ?? ''}`);
        checked++;
      }
    }
    recordFigure('Access control', 'staff form POST × visitor checks', `${checked}, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
    // Nothing a refused visitor posted took effect: the admin account is still enabled, the appeal still new.
    const admin = (await firstRow<{ disabledAt: number | null }>(
      rt.db,
      sql`select disabled_at as "disabledAt" from staff where id = ${ids.admin}`,
    ))!;
    expect(admin.disabledAt).toBeNull();
    const appeal = (await firstRow<{ status: string }>(
      rt.db,
      sql`select status from appeals where id = ${ids.appeal}`,
    ))!;
    expect(appeal.status).toBe('new');
  });

  it("one appeal's status link never shows another appeal", async () => {
    const web = new HttpClient(server.baseUrl);
    const a = await web.get(`/appeal/status/${appealA.token}`);
    expect(a.status).toBe(200);
    expect(a.body).toContain(appealA.reference);
    for (const other of [appealB.reference, appealB.email, appealB.reason, appealB.token])
      expect(a.body).not.toContain(other);
    const b = await web.get(`/appeal/status/${appealB.token}`);
    expect(b.body).toContain(appealB.reference);
    expect(b.body).not.toContain(appealA.reference);
    // Near misses of a real token show nothing.
    const flip = (t: string) => t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A');
    for (const near of [
      flip(appealA.token),
      appealA.token.toUpperCase() === appealA.token ? appealA.token.toLowerCase() : appealA.token.toUpperCase(),
      appealA.token.slice(0, -2),
      appealA.token + 'x',
      appealA.reference,
    ]) {
      const res = await web.get(`/appeal/status/${encodeURIComponent(near)}`);
      expect(res.status, near).toBe(404);
      expect(res.body).not.toContain(appealA.reason);
    }
    // Adding information through A's link lands on A only.
    const add = await web.post(`/appeal/status/${appealA.token}/add-information`, {
      information: 'Extra words for A only',
    });
    expect(add.status).toBe(303);
    expect((await web.get(`/appeal/status/${appealA.token}`)).body).toContain('Extra words for A only');
    expect((await web.get(`/appeal/status/${appealB.token}`)).body).not.toContain('Extra words for A only');
  });

  it('refuses cross-origin and origin-less form posts, which change nothing', async () => {
    const moderatorSession = sessions.get('moderator')!;
    const counts = () =>
      firstRow(
        rt.db,
        sql`select (select count(*) from cases) as cases, (select count(*) from subscriptions) as subs, (select count(*) from appeal_events) as events, (select status from appeals where reference = ${appealA.reference}) as "statusA"`,
      );
    const before = await counts();
    const targets: [string, Record<string, string>, boolean][] = [
      ['/subscribe', { email: 'csrf@example.org' }, false],
      ['/appeal/case-reference', { 'case-reference': appealA.reference }, false],
      [`/appeal/status/${appealA.token}/withdraw`, {}, false],
      [`/appeal/status/${appealA.token}/add-information`, { information: 'forged' }, false],
      ['/staff/login', { email: 'x@example.org', password: 'y' }, false],
      ['/staff/sign-out', {}, true],
      [
        '/staff/cases/new',
        { platform: 'facebook', handle: '@csrf', 'post-url': 'https://www.facebook.com/x', statement: 'forged' },
        true,
      ],
    ];
    let refused = 0;
    for (const [path, form, withSession] of targets) {
      for (const origin of ['http://evil.example', 'null', null, `http://127.0.0.1:${server.port + 1}`]) {
        const web = new HttpClient(server.baseUrl);
        if (withSession) web.cookies.set('fh_staff_session', moderatorSession);
        const res = await web.post(path, form, { origin });
        expect(res.status, `${path} with Origin ${origin}`).toBe(403);
        expect(res.body).toContain('You cannot do that');
        refused++;
      }
    }
    expect(await counts()).toEqual(before);
    // The moderator's session survived the forged sign-out.
    const still = new HttpClient(server.baseUrl);
    still.cookies.set('fh_staff_session', moderatorSession);
    expect((await still.get('/staff/cases')).status).toBe(200);
    recordFigure('Access control', 'cross-origin / origin-less posts refused', `${refused} of ${targets.length * 4}`);
  });

  it('sets cookies HttpOnly, SameSite=Lax, Path=/, and Secure with the __Host- prefix (no Domain) over https via the trusted proxy', async () => {
    const caseRef = (await insertTestCase(rt.db)).reference;
    const flags = (setCookies: string[], name: string) => {
      const cookie = setCookies.find((c) => c.startsWith(`${name}=`));
      expect(cookie, `${name} cookie`).toBeDefined();
      const parts = cookie!.split(';').map((p) => p.trim().toLowerCase());
      // A __Host- cookie must never carry a Domain attribute (browsers would refuse it).
      expect(parts.some((p) => p.startsWith('domain='))).toBe(false);
      return {
        httpOnly: parts.includes('httponly'),
        sameSite: parts.find((p) => p.startsWith('samesite='))?.split('=')[1],
        path: parts.find((p) => p.startsWith('path='))?.split('=')[1],
        secure: parts.includes('secure'),
      };
    };
    const staff = await account(rt, ['reviewer'], 'a long enough passphrase for cookies');
    for (const https of [false, true]) {
      const headers: Record<string, string> = https ? { 'x-forwarded-proto': 'https' } : {};
      const web = new HttpClient(server.baseUrl);
      const journey = await web.post('/appeal/case-reference', { 'case-reference': caseRef }, { headers });
      expect(journey.status).toBe(303);
      // Over https: __Host-fh_journey; over plain http (local trials): the plain name.
      const prefix = https ? '__Host-' : '';
      expect(flags(journey.setCookies, `${prefix}fh_journey`)).toEqual({
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: https,
      });
      expect(journey.setCookies.some((c) => c.startsWith(`${https ? '' : '__Host-'}fh_journey=`))).toBe(false);
      const login = await new HttpClient(server.baseUrl).post(
        '/staff/login',
        { email: staff.email, password: staff.password },
        { headers },
      );
      expect(login.status).toBe(303);
      expect(flags(login.setCookies, `${prefix}fh_staff_session`)).toEqual({
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: https,
      });
      expect(login.setCookies.some((c) => c.startsWith(`${https ? '' : '__Host-'}fh_staff_session=`))).toBe(false);
      // The session works under its name: the next step of sign-in is shown, not the password page.
      const jar = new HttpClient(server.baseUrl);
      const signIn = await jar.post('/staff/login', { email: staff.email, password: staff.password }, { headers });
      expect(signIn.location).toMatch(/^\/staff\/login\/(code|enrol)$/);
      expect((await jar.get(signIn.location!, { headers })).status).toBe(200);
      // Over https a session cookie under the plain name (one a sibling subdomain could plant) is not read.
      if (https) {
        const planted = new HttpClient(server.baseUrl);
        planted.cookies.set('fh_staff_session', jar.cookies.get('__Host-fh_staff_session')!);
        expect((await planted.get(signIn.location!, { headers })).status).toBe(303);
      }
      // HSTS only over https (here: as the trusted proxy reports it).
      expect(login.headers.get('strict-transport-security') !== null).toBe(https);
    }
    recordFigure(
      'Access control',
      'cookie flags checked',
      'fh_journey and fh_staff_session over http, __Host-fh_journey and __Host-fh_staff_session over https (trusted proxy)',
    );
  });
});
