/**
 * The key for secrets encrypted at rest: read from SECRET_KEY_FILE, or from $DATA_DIR/secret.key,
 * made (0600) on the first start when SECRET_KEY_FILE is not set. At start-up TOTP secrets stored
 * in plain text by an earlier version are encrypted, and a key that is not the one the stored
 * secrets were encrypted with stops start-up. `rotateSecretKey` re-encrypts with a new key
 * (`npm run staff -- rotate-key`). See docs/decisions/015-secrets-at-rest.md.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { resealTotpSecrets, sealPlainTotpSecrets, totpSecretKeyIds } from '../../../db/staff.ts';
import { contextOf, type Db } from '../../../db/client.ts';
import { ConfigError, secretKeyFileProblem, type Config } from './config.ts';
import { keyId, newKeyText, parseKey } from '../../../db/secret-box.ts';

/** Writes `text` to a new file, owner-only, fully written before it appears under its name. */
function writePrivateFile(file: string, text: string, options: { replace: boolean }): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.${process.pid}.partial`;
  const fd = openSync(partial, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (options.replace) renameSync(partial, file);
    // link() fails when the name exists: two processes starting at once keep the first key.
    else linkSync(partial, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(partial, { force: true });
  }
}

/** Reads the key (making the default file when it does not exist yet); a bad one is a ConfigError. */
export function loadSecretKey(config: Config): Buffer {
  if (!config.secretKeyFromEnv && !existsSync(config.secretKeyFile))
    writePrivateFile(config.secretKeyFile, newKeyText(), { replace: false });
  const problem = secretKeyFileProblem(config.secretKeyFile, true);
  const key = problem ? undefined : parseKey(readFileSync(config.secretKeyFile, 'utf8'));
  if (!key)
    throw new ConfigError(problem ?? `Configuration error: SECRET_KEY_FILE: ${config.secretKeyFile} holds no key.`);
  const mode = statSync(config.secretKeyFile).mode & 0o777;
  if (mode & 0o077)
    console.warn(
      `Warning: the key file ${config.secretKeyFile} (SECRET_KEY_FILE) can be read by others (mode ${mode.toString(8)}): chmod 600 it.`,
    );
  return key;
}

/**
 * Installs the key in the database handle's key ring (contextOf(db).secretKeys: this runtime's
 * only, nothing process-wide), encrypts plain TOTP secrets left by an earlier version, and
 * refuses (ConfigError) a key that did not encrypt the stored ones.
 */
export async function prepareSecrets(db: Db, config: Config): Promise<void> {
  const key = loadSecretKey(config);
  const stored = (await totpSecretKeyIds(db)).filter((id) => id !== keyId(key));
  if (stored.length > 0) {
    const pending = `${config.secretKeyFile}.new`;
    const hint = existsSync(pending) ? ` A key rotation was interrupted: ${pending} may hold the new key.` : '';
    throw new ConfigError(
      `Configuration error: SECRET_KEY_FILE: the key in ${config.secretKeyFile} (key id ${keyId(key)}) is not the key the stored TOTP secrets were encrypted with (key id ${stored.join(', ')}).${hint}`,
    );
  }
  contextOf(db).secretKeys.install(key);
  await sealPlainTotpSecrets(db);
}

export type RotateResult =
  | { ok: true; secrets: number; oldId: string; newId: string; keyFile: string; setVariable: boolean }
  | { ok: false; error: string };

/**
 * Re-encrypts every stored secret with a new key, all or none, and makes it the current key of
 * `db` (the old one stays readable there). With the default key file a new key is made (or taken
 * from `newKeyFile`) and replaces $DATA_DIR/secret.key; with SECRET_KEY_FILE set the new key must
 * be given as `newKeyFile`, and SECRET_KEY_FILE must then point at it.
 * Run it with the server stopped: a server still holding the old key cannot read the new values.
 */
export async function rotateSecretKey(db: Db, config: Config, newKeyFile?: string): Promise<RotateResult> {
  const keys = contextOf(db).secretKeys;
  const oldKey = keys.current();
  let text: string;
  if (newKeyFile) {
    const problem = secretKeyFileProblem(newKeyFile, true);
    if (problem) return { ok: false, error: problem.replace('SECRET_KEY_FILE', '--new-key-file') };
    text = readFileSync(newKeyFile, 'utf8');
  } else if (config.secretKeyFromEnv) {
    return {
      ok: false,
      error:
        'SECRET_KEY_FILE is set: make a new key file (openssl rand -hex 32 > new.key; chmod 600 new.key) and pass --new-key-file new.key.',
    };
  } else {
    text = newKeyText();
  }
  const newKey = parseKey(text)!;
  if (keyId(newKey) === keyId(oldKey))
    return { ok: false, error: 'The new key is the key in use now: give a new one.' };
  if (config.secretKeyFromEnv) {
    const secrets = await resealTotpSecrets(db, oldKey, newKey);
    keys.install(newKey);
    return { ok: true, secrets, oldId: keyId(oldKey), newId: keyId(newKey), keyFile: newKeyFile!, setVariable: true };
  }
  // The new key is on disk before any secret depends on it; then re-encrypt; then swap the files.
  const pending = `${config.secretKeyFile}.new`;
  writePrivateFile(pending, text, { replace: true });
  const secrets = await resealTotpSecrets(db, oldKey, newKey);
  renameSync(pending, config.secretKeyFile);
  keys.install(newKey);
  return {
    ok: true,
    secrets,
    oldId: keyId(oldKey),
    newId: keyId(newKey),
    keyFile: config.secretKeyFile,
    setVariable: false,
  };
}
