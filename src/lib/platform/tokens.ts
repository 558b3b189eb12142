/**
 * Unguessable secrets for links sent by email (e.g. an appeal's private status link).
 */
import { createHash, randomBytes } from 'node:crypto';

/** Fewest random bytes a token may have: 128 bits. */
export const MIN_TOKEN_BYTES = 16;

/**
 * A URL-safe random token (base64url, no padding) from the CSPRNG. `bytes` defaults to 32
 * (256 bits, 43 characters); fewer than 16 is a programming error and throws.
 */
export function generateToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < MIN_TOKEN_BYTES)
    throw new RangeError(`A token needs at least ${MIN_TOKEN_BYTES} random bytes`);
  return randomBytes(bytes).toString('base64url');
}

/**
 * What is stored instead of a token (or any secret a lookup key is made from): SHA-256 of its
 * UTF-8 bytes, in hexadecimal. A token has 128 bits or more from the CSPRNG, so no salt or slow
 * hash is needed; a stolen database holds no usable link.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
