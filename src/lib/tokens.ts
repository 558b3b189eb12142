/**
 * STAND-IN until the `principles` branch lands its tokens module (same API).
 */
import { randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}
