/**
 * `npm run totp -- <secret or otpauth:// URI>`: prints the current 6-digit security code for a
 * secret, for trying the portal locally without a phone. The secret is the one shown as text on
 * the "Set up your authenticator app" page (or the URI that `npm run staff -- add` prints).
 * It computes a code from what you give it and reads nothing else: it is no way around the
 * second factor for someone who does not already hold the secret.
 */
import { totpCodeFromInput } from '../src/lib/staff/index.ts';

const input = process.argv.slice(2).join(' ');
const result = totpCodeFromInput(input, new Date());
if (!result.ok) {
  console.error(result.error);
  process.exitCode = 1;
} else {
  console.log(`${result.code}  (valid for ${result.secondsLeft} more seconds)`);
}
