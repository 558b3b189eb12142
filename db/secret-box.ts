/**
 * Encryption of secrets stored in the database (today the staff TOTP seeds): AES-256-GCM from
 * node:crypto, a fresh 96-bit IV each time, the column's name as associated data (a sealed value
 * copied into another column is refused). A sealed value reads
 * `enc1:<key id>:<iv>:<ciphertext>:<tag>` (base64url parts); the key id (8 hex characters of a
 * hash of the key) tells which key sealed it, so a wrong key is named as such, not taken for
 * tampering. See docs/decisions/015-secrets-at-rest.md.
 *
 * Nothing here is process-wide: the keys belong to a database handle (a SecretKeyRing in its
 * DbContext, db/client.ts), filled by createRuntime from SECRET_KEY_FILE or $DATA_DIR/secret.key
 * (src/lib/platform/secret-key.ts), and db/staff.ts seals on write and opens on read with them.
 * Two runtimes in one process (tests, the rotate-key command) each use their own keys.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
const PREFIX = 'enc1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A sealed value's type: a column holding one (db/schema/staff.ts `totpSecret`) accepts only what
 * seal returns, so plain text cannot be written to it by mistake.
 */
declare const SEALED: unique symbol;
export type Sealed = string & { readonly [SEALED]: true };

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

export function seal(key: Buffer, plaintext: string, context: string): Sealed {
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
  ].join(':') as Sealed;
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

/**
 * The keys one database handle seals and opens with: the current key for new values, and every
 * key installed in it before, by id (so rotate-key's handle still reads what the old key sealed).
 */
export class SecretKeyRing {
  #current: Buffer | undefined;
  readonly #byId = new Map<string, Buffer>();

  /** Makes `key` the one new values are sealed with; keys installed before stay readable. */
  install(key: Buffer): void {
    checkKey(key);
    const copy = Buffer.from(key);
    this.#current = copy;
    this.#byId.set(keyId(copy), copy);
  }

  current(): Buffer {
    if (!this.#current) throw new SecretBoxError('No secret key is installed (createRuntime installs it)');
    return this.#current;
  }

  /** Seals with the current key. */
  seal(plaintext: string, context: string): Sealed {
    return seal(this.current(), plaintext, context);
  }

  /** Opens with the installed key that sealed it (by key id); another key's value is refused, naming both ids. */
  open(sealed: string, context: string): string {
    const id = sealedKeyId(sealed);
    return open((id && this.#byId.get(id)) || this.current(), sealed, context);
  }
}
