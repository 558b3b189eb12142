/**
 * One composition root (issue 20): createRuntime builds everything a request needs and nothing is
 * kept on globalThis, because the start script and the Astro bundle each load their own copy of
 * the modules and share only the objects passed to them (docs/decisions/002-server-entry.md). The
 * secret keys too belong to each runtime's database (docs/decisions/015-secrets-at-rest.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { recordAudit, listAudit } from '../../db/audit.ts';
import { contextOf } from '../../db/client.ts';
import { execute, firstRow } from '../../db/dialect/index.ts';
import { closeDatabase, openConfiguredDatabase } from '../../db/open.ts';
import { enqueueEmail, onEmailEnqueued } from '../../db/outbox.ts';
import { keyId, sealedKeyId } from '../../db/secret-box.ts';
import { findStaffById, insertStaff } from '../../db/staff.ts';
import { transaction } from '../../db/transactions.ts';
import { createHttpServer } from '../../src/server/http-server.ts';
import { testRuntime } from '../support/db.ts';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sources(path);
    return /\.(ts|mjs|astro)$/.test(entry.name) ? [path] : [];
  });
}

const email = { to: 'a@example.org', subject: 'Hello', text: 'Hello', html: '<p>Hello</p>', kind: 'notification' };

describe('the composition root', () => {
  it('leaves no state on globalThis in src/ or db/', () => {
    const offenders = [...sources(join(root, 'src')), ...sources(join(root, 'db'))]
      .map((file) => relative(root, file))
      .filter((file) => /\bglobalThis\b/.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it("keeps each runtime's secret keys with its database: a runtime opens only what its own key sealed", async () => {
    const a = await testRuntime();
    const b = await testRuntime();
    const account = (seed: string) => ({
      email: `${seed.toLowerCase()}@example.org`,
      name: 'Kim',
      passwordHash: null,
      totpSecret: seed,
      totpConfirmedAt: null,
      roles: [],
    });
    const idA = await insertStaff(a.db, account('JBSWY3DPEHPK3PXP'));
    const idB = await transaction(b.db, (tx) => insertStaff(tx, account('KRUGS4ZANFZSAYJA')));
    const stored = async (db: typeof a.db, id: number) =>
      (await firstRow<{ s: string }>(db, sql`select totp_secret as s from staff where id = ${id}`))!.s;
    const [keyA, keyB] = [a, b].map((rt) => keyId(contextOf(rt.db).secretKeys.current()));
    expect(keyA).not.toBe(keyB);
    expect(sealedKeyId(await stored(a.db, idA))).toBe(keyA);
    expect(sealedKeyId(await stored(b.db, idB))).toBe(keyB);
    expect((await transaction(a.db, (tx) => findStaffById(tx, idA)))!.totpSecret).toBe('JBSWY3DPEHPK3PXP');
    expect((await findStaffById(b.db, idB))!.totpSecret).toBe('KRUGS4ZANFZSAYJA');

    // A's sealed seed copied into B's database: B holds only its own key, so it names A's key and
    // refuses (a process-wide ring holding both keys would have opened it).
    await execute(b.db, sql`update staff set totp_secret = ${await stored(a.db, idA)} where id = ${idB}`);
    await expect(findStaffById(b.db, idB)).rejects.toThrow(
      `Encrypted with another key (key id ${keyA}, this key is ${keyB})`,
    );

    // A handle opened without a runtime has no key, though two runtimes in this process have theirs.
    const bare = await openConfiguredDatabase(a.config);
    try {
      await expect(findStaffById(bare, idA)).rejects.toThrow('No secret key is installed (createRuntime installs it)');
    } finally {
      await closeDatabase(bare);
    }
    const shared = Object.getOwnPropertySymbols(globalThis).map((s) => s.description ?? '');
    expect(shared.filter((d) => d.startsWith('fair-hearing.'))).toEqual([]);
  });

  it("gives each runtime's database, and every transaction in it, its own clock and Message-ID domain", async () => {
    const a = await testRuntime({
      now: () => new Date('2026-03-01T10:00:00Z'),
      env: { PUBLIC_URL: 'https://one.example' },
    });
    const b = await testRuntime({
      now: () => new Date('2027-04-02T11:00:00Z'),
      env: { PUBLIC_URL: 'https://two.example' },
    });
    const queued = await transaction(a.db, (tx) =>
      transaction(tx, async (inner) => {
        await recordAudit(inner, {
          actorId: null,
          action: 'test.nested',
          entityType: 'test',
          entityId: null,
          ip: null,
        });
        return enqueueEmail(inner, email, a.now());
      }),
    );
    await transaction(b.db, (tx) =>
      recordAudit(tx, { actorId: null, action: 'test.other', entityType: 'test', entityId: null, ip: null }),
    );
    expect(queued.messageId).toMatch(/@one\.example>$/);
    expect((await enqueueEmail(b.db, email, b.now())).messageId).toMatch(/@two\.example>$/);
    expect((await listAudit(a.db, { action: 'test.nested' })).map((e) => e.at.toISOString())).toEqual([
      '2026-03-01T10:00:00.000Z',
    ]);
    expect((await listAudit(b.db, { action: 'test.other' })).map((e) => e.at.toISOString())).toEqual([
      '2027-04-02T11:00:00.000Z',
    ]);
  });

  it('tells only the listeners of the database an email was enqueued through', async () => {
    const a = await testRuntime();
    const b = await testRuntime();
    const heard: string[] = [];
    const stopA = onEmailEnqueued(a.db, () => heard.push('a'));
    const stopB = onEmailEnqueued(b.db, () => heard.push('b'));
    await transaction(a.db, async (tx) => enqueueEmail(tx, email, a.now()));
    await new Promise((r) => setImmediate(r));
    expect(heard).toEqual(['a']);
    stopA();
    stopB();
  });
});

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

describe('createHttpServer', () => {
  it('hands the runtime to the app as locals.runtime, and stop() ends after the request in flight', async () => {
    const port = await freePort();
    const rt = await testRuntime({ env: { HOST: '127.0.0.1', PORT: String(port), PAGE_CACHE: 'false' } });
    const seen: unknown[] = [];
    let release = () => {};
    const server = createHttpServer(rt, {
      clientDir: join(root, 'public'),
      handler: (_req, res, _next, locals) => {
        seen.push((locals as { runtime?: unknown }).runtime);
        release = () => res.end('done');
      },
    });
    await server.listen();
    const answer = fetch(`http://127.0.0.1:${port}/principles`);
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toBe(rt);
    let stopped = false;
    const stopping = server.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    release();
    const response = await answer;
    expect(await response.text()).toBe('done');
    await stopping;
    expect(stopped).toBe(true);
  });
});
