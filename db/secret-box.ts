/**
 * Encryption of secrets stored in the database (today the staff TOTP seeds): AES-256-GCM from
 * node:crypto, a fresh 96-bit IV each time, the column's name as associated data (a sealed value
 * copied into another column is refused). A sealed value reads
 * `enc1:<key id>:<iv>:<ciphertext>:<tag>` (base64url parts); the key id (8 hex characters of a
 * hash of the key) tells which key sealed it, so a wrong key is named as such, not taken for
 * tampering. See docs/decisions/015-secrets-at-rest.md.
 *
 * The keys in use are process-wide (shared through globalThis, because the start script and the
 * Astro bundle each hold their own copy of this module, and drizzle's column mappers in
 * db/schema/columns.ts are given only the value, so the key cannot come with the runtime as
 * everything else does; docs/decisions/002-server-entry.md): createRuntime
 * installs the key from SECRET_KEY_FILE or $DATA_DIR/secret.key (src/lib/platform/secret-key.ts).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
const PREFIX = 'enc1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

/** A key file holds 64 hexadecimal characters (what `openssl rand -hex 32` prints); spaces around are ignored. */
export function parseKey(text: string): Buffer | undefined {
  const hex = text.trim();
  return /^[0-9a-fA-F]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

/** A new random key, as the text of a key file. */
export function newKeyText(): string {
  return `${randomBytes(KEY_BYTES).toString('hex')}\n`;
}

/** Names a key without revealing it: 8 hex characters of SHA-256 over a label and the key. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('fair-hearing secret key id\0').update(key).digest('hex').slice(0, 8);
}

export function isSealed(value: string): boolean {
  return value.startsWith(`${PREFIX}:`);
}

/** The id of the key that sealed `value` (undefined when it is not a sealed value). */
export function sealedKeyId(value: string): string | undefined {
  return isSealed(value) ? value.split(':')[1] : undefined;
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new SecretBoxError(`A secret key has ${KEY_BYTES} bytes`);
}

export function seal(key: Buffer, plaintext: string, context: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    PREFIX,
    keyId(key),
    iv.toString('base64url'),
    body.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join(':');
}

/** The plaintext; throws SecretBoxError for another key's value, a changed value or not a sealed value. */
export function open(key: Buffer, sealed: string, context: string): string {
  checkKey(key);
  const parts = sealed.split(':');
  if (parts.length !== 5 || parts[0] !== PREFIX) throw new SecretBoxError('Not an encrypted value');
  const [, id, iv, body, tag] = parts as [string, string, string, string, string];
  if (id !== keyId(key))
    throw new SecretBoxError(`Encrypted with another key (key id ${id}, this key is ${keyId(key)})`);
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES)
    throw new SecretBoxError('The encrypted value is damaged');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('The encrypted value was changed or is damaged (authentication failed)');
  }
}

// The process's keys.

const SHARED = Symbol.for('fair-hearing.secret-keys');
type Ring = { current: Buffer | undefined; byId: Map<string, Buffer> };
function ring(): Ring {
  const holder = globalThis as { [SHARED]?: Ring };
  return (holder[SHARED] ??= { current: undefined, byId: new Map() });
}

/**
 * Makes `key` the one new values are sealed with. Keys installed before stay readable, so a
 * process holding two runtimes (tests, the rotate-key command) reads what either sealed.
 */
export function installSecretKey(key: Buffer): void {
  checkKey(key);
  const copy = Buffer.from(key);
  ring().current = copy;
  ring().byId.set(keyId(copy), copy);
}

export function currentSecretKey(): Buffer {
  const key = ring().current;
  if (!key) throw new SecretBoxError('No secret key is installed (createRuntime installs it)');
  return key;
}

/** Seals with the process's current key. */
export function sealSecret(plaintext: string, context: string): string {
  return seal(currentSecretKey(), plaintext, context);
}

/** Opens with the installed key that sealed it (by key id). */
export function openSecret(sealed: string, context: string): string {
  const id = sealedKeyId(sealed);
  return open((id && ring().byId.get(id)) || currentSecretKey(), sealed, context);
}
