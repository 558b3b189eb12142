/**
 * Secrets at rest: AES-256-GCM sealing (tamper and wrong key refused), TOTP seeds encrypted in the
 * staff table, plain seeds from an earlier version encrypted at start, SECRET_KEY_FILE checked at
 * start-up (missing, bad, wrong key: one line naming it), and key rotation with the CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findStaffById } from '../../db/staff.ts';
import { ConfigError, parseConfig, type Config } from '../../src/lib/platform/config.ts';
import { createRuntime, type Runtime } from '../../src/lib/runtime.ts';
import { closeDatabase } from '../../db/open.ts';
import {
  isSealed,
  keyId,
  newKeyText,
  open,
  parseKey,
  seal,
  SecretBoxError,
  SecretKeyRing,
} from '../../db/secret-box.ts';
import { rotateSecretKey } from '../../src/lib/platform/secret-key.ts';
import { createStaffAccount } from '../../src/lib/staff/accounts.ts';

const root = mkdtempSync(join(tmpdir(), 'fair-hearing-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const runtimes: Runtime[] = [];
afterAll(() => Promise.all(runtimes.filter((rt) => rt.db.$client.open).map((rt) => closeDatabase(rt.db))));

function config(env: Record<string, string> = {}, dataDir = join(root, `data-${++dirs}`)): Config {
  const parsed = parseConfig({ DATA_DIR: dataDir, ...env });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.config;
}
async function runtime(c: Config): Promise<Runtime> {
  const rt = await createRuntime(c);
  runtimes.push(rt);
  return rt;
}
const key = () => parseKey(newKeyText())!;
const storedSeed = (rt: Runtime, id: number) =>
  (rt.db.$client.prepare('select totp_secret as s from staff where id = ?').get(id) as { s: string | null }).s;

async function addStaff(rt: Runtime): Promise<{ id: number; seed: string }> {
  const made = await createStaffAccount(
    rt,
    {
      email: `s${Math.random().toString(36).slice(2)}@example.org`,
      name: 'Sam',
      password: 'a long enough passphrase',
      roles: ['admin'],
    },
    { id: null, ip: 'test' },
  );
  if (!made.ok) throw new Error(JSON.stringify(made.errors));
  return { id: made.id, seed: made.totpSecret };
}

describe('seal and open (AES-256-GCM)', () => {
  const k = key();
  it('round-trips, with a fresh IV each time', () => {
    const a = seal(k, 'JBSWY3DPEHPK3PXP', 'ctx');
    const b = seal(k, 'JBSWY3DPEHPK3PXP', 'ctx');
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(isSealed(a)).toBe(true);
    expect(open(k, a, 'ctx')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses a changed value: any part tampered with', () => {
    const sealed = seal(k, 'JBSWY3DPEHPK3PXP', 'ctx');
    const parts = sealed.split(':');
    for (const i of [2, 3, 4]) {
      const p = [...parts];
      const bytes = Buffer.from(p[i]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      p[i] = bytes.toString('base64url');
      expect(() => open(k, p.join(':'), 'ctx'), `part ${i}`).toThrow(SecretBoxError);
    }
    expect(() => open(k, sealed, 'another column')).toThrow(/changed or is damaged/);
    expect(() => open(k, 'JBSWY3DPEHPK3PXP', 'ctx')).toThrow(/Not an encrypted value/);
  });

  it('refuses a value sealed with another key, saying so', () => {
    const other = key();
    const sealed = seal(other, 'JBSWY3DPEHPK3PXP', 'ctx');
    expect(() => open(k, sealed, 'ctx')).toThrow(new RegExp(`another key \\(key id ${keyId(other)}`));
    // Even with the key id forged to this key's, the tag check refuses it.
    const forged = sealed.replace(keyId(other), keyId(k));
    expect(() => open(k, forged, 'ctx')).toThrow(/authentication failed/);
  });

  it('reads only 64 hexadecimal characters as a key', () => {
    expect(parseKey(`${'ab'.repeat(32)}\n`)).toHaveLength(32);
    for (const bad of ['', 'ab'.repeat(31), 'zz'.repeat(32), `${'ab'.repeat(32)}00`])
      expect(parseKey(bad)).toBeUndefined();
  });
});

describe('a key ring (one per database handle)', () => {
  it('seals with the key installed last and opens with any key installed in it, by key id', () => {
    const ring = new SecretKeyRing();
    expect(() => ring.seal('JBSWY3DPEHPK3PXP', 'ctx')).toThrow('No secret key is installed');
    const [first, second, stranger] = [key(), key(), key()];
    ring.install(first);
    const old = ring.seal('JBSWY3DPEHPK3PXP', 'ctx');
    ring.install(second);
    const fresh = ring.seal('KRUGS4ZANFZSAYJA', 'ctx');
    expect([old, fresh].map((v) => v.split(':')[1])).toEqual([keyId(first), keyId(second)]);
    expect(ring.open(old, 'ctx')).toBe('JBSWY3DPEHPK3PXP');
    expect(ring.open(fresh, 'ctx')).toBe('KRUGS4ZANFZSAYJA');
    expect(() => ring.open(seal(stranger, 'x', 'ctx'), 'ctx')).toThrow(
      `Encrypted with another key (key id ${keyId(stranger)}, this key is ${keyId(second)})`,
    );
    // Another ring knows none of these keys.
    expect(() => new SecretKeyRing().open(old, 'ctx')).toThrow(SecretBoxError);
  });
});

describe('TOTP seeds at rest', () => {
  it('stores the seed encrypted, reads it back plain; makes the default key file 0600', async () => {
    const c = config();
    const rt = await runtime(c);
    const { id, seed } = await addStaff(rt);
    const stored = storedSeed(rt, id)!;
    expect(stored.startsWith('enc1:')).toBe(true);
    expect(stored).not.toContain(seed);
    expect((await findStaffById(rt.db, id))!.totpSecret).toBe(seed);
    expect(statSync(c.secretKeyFile).mode & 0o777).toBe(0o600);
    expect(c.secretKeyFile).toBe(join(c.dataDir, 'secret.key'));
  });

  it('encrypts plain seeds left by an earlier version at start', async () => {
    const c = config();
    const rt = await runtime(c);
    const { id } = await addStaff(rt);
    rt.db.$client.prepare('update staff set totp_secret = ? where id = ?').run('JBSWY3DPEHPK3PXP', id);
    await closeDatabase(rt.db);
    const again = await runtime(c);
    expect(storedSeed(again, id)!.startsWith('enc1:')).toBe(true);
    expect((await findStaffById(again.db, id))!.totpSecret).toBe('JBSWY3DPEHPK3PXP');
  });
});

describe('SECRET_KEY_FILE at start-up', () => {
  it('a missing or bad file stops start-up with one line naming the variable', async () => {
    const missing = parseConfig({ DATA_DIR: join(root, 'x'), SECRET_KEY_FILE: join(root, 'nope.key') });
    expect(missing).toEqual({
      ok: false,
      error: `Configuration error: SECRET_KEY_FILE cannot be read (${join(root, 'nope.key')}: no such file).`,
    });
    const badFile = join(root, 'bad.key');
    writeFileSync(badFile, 'not a key\n');
    const bad = parseConfig({ DATA_DIR: join(root, 'x'), SECRET_KEY_FILE: badFile });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(
      /^Configuration error: SECRET_KEY_FILE must name a file holding 64 hexadecimal characters/,
    );
    expect(!bad.ok && bad.error).not.toContain('\n');
    // The default file, damaged, is refused too (and named).
    const dataDir = join(root, 'damaged');
    await closeDatabase((await runtime(config({}, dataDir))).db);
    writeFileSync(join(dataDir, 'secret.key'), 'oops');
    const damaged = parseConfig({ DATA_DIR: dataDir });
    expect(!damaged.ok && damaged.error).toMatch(
      /^Configuration error: SECRET_KEY_FILE is not set and .*secret\.key is not a valid key/,
    );
  });

  it('uses the key in SECRET_KEY_FILE, and a wrong key stops start-up', async () => {
    const keyFile = join(root, 'ops.key');
    writeFileSync(keyFile, newKeyText(), { mode: 0o600 });
    const dataDir = join(root, 'with-env-key');
    const c = config({ SECRET_KEY_FILE: keyFile }, dataDir);
    expect(c.secretKeyFile).toBe(keyFile);
    const rt = await runtime(c);
    const { id, seed } = await addStaff(rt);
    expect(storedSeed(rt, id)!.split(':')[1]).toBe(keyId(parseKey(readFileSync(keyFile, 'utf8'))!));
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(false);
    await closeDatabase(rt.db);

    const wrongFile = join(root, 'wrong.key');
    writeFileSync(wrongFile, newKeyText(), { mode: 0o600 });
    await expect(createRuntime(config({ SECRET_KEY_FILE: wrongFile }, dataDir))).rejects.toThrow(ConfigError);
    await expect(createRuntime(config({ SECRET_KEY_FILE: wrongFile }, dataDir))).rejects.toThrow(
      /^Configuration error: SECRET_KEY_FILE: the key in .* is not the key the stored TOTP secrets were encrypted with/,
    );
    // The right key still works.
    expect((await findStaffById((await runtime(c)).db, id))!.totpSecret).toBe(seed);
  });
});

describe('key rotation', () => {
  it('npm run staff -- rotate-key re-encrypts every seed with a new default key file', async () => {
    const c = config();
    const rt = await runtime(c);
    const a = await addStaff(rt);
    const b = await addStaff(rt);
    const oldKey = readFileSync(c.secretKeyFile, 'utf8');
    await closeDatabase(rt.db);
    const cli = spawnSync('node_modules/.bin/tsx', ['scripts/staff.ts', 'rotate-key'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, DATA_DIR: c.dataDir },
    });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/^Re-encrypted 2 TOTP secret\(s\): key [0-9a-f]{8} replaced by key [0-9a-f]{8}\./);
    const newKey = readFileSync(c.secretKeyFile, 'utf8');
    expect(parseKey(newKey)).toBeDefined();
    expect(newKey).not.toBe(oldKey);
    expect(statSync(c.secretKeyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(`${c.secretKeyFile}.new`)).toBe(false);
    // A fresh start with the new key file reads both seeds (and would refuse them if any were left under the old key).
    const after = await runtime(c);
    expect((await findStaffById(after.db, a.id))!.totpSecret).toBe(a.seed);
    expect((await findStaffById(after.db, b.id))!.totpSecret).toBe(b.seed);
    expect(storedSeed(after, a.id)!.split(':')[1]).toBe(keyId(parseKey(newKey)!));
    // The old key no longer opens them.
    expect(() => open(parseKey(oldKey)!, storedSeed(after, a.id)!, 'staff.totp_secret')).toThrow(/another key/);
  });

  it('with SECRET_KEY_FILE set, needs --new-key-file and then works from that file', async () => {
    const oldFile = join(root, 'rot-old.key');
    const newFile = join(root, 'rot-new.key');
    writeFileSync(oldFile, newKeyText(), { mode: 0o600 });
    writeFileSync(newFile, newKeyText(), { mode: 0o600 });
    const dataDir = join(root, 'rot-env');
    const c = config({ SECRET_KEY_FILE: oldFile }, dataDir);
    const rt = await runtime(c);
    const a = await addStaff(rt);
    expect(await rotateSecretKey(rt.db, c)).toEqual({
      ok: false,
      error: expect.stringMatching(/^SECRET_KEY_FILE is set: make a new key file/),
    });
    expect(await rotateSecretKey(rt.db, c, oldFile)).toEqual({
      ok: false,
      error: 'The new key is the key in use now: give a new one.',
    });
    const done = await rotateSecretKey(rt.db, c, newFile);
    expect(done).toMatchObject({ ok: true, secrets: 1, setVariable: true, keyFile: newFile });
    await closeDatabase(rt.db);
    await expect(createRuntime(config({ SECRET_KEY_FILE: oldFile }, dataDir))).rejects.toThrow(
      /SECRET_KEY_FILE: the key in/,
    );
    expect(
      (await findStaffById((await runtime(config({ SECRET_KEY_FILE: newFile }, dataDir))).db, a.id))!.totpSecret,
    ).toBe(a.seed);
  });
});
