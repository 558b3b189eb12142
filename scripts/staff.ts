/**
 * Staff accounts from the command line (DESIGN.md Contract), using the same configuration
 * (DATA_DIR) as the server:
 *
 *   npm run staff -- add --email E --name N --role moderator|reviewer|admin   (password on stdin)
 *   npm run staff -- list
 *   npm run staff -- disable --email E
 *   npm run staff -- rotate-key [--new-key-file FILE]   (server stopped; re-encrypts TOTP secrets)
 *   npm run staff -- reset --email E [--authenticator]
 *
 * `--role` may be repeated or comma-separated. `add` prints the account's otpauth:// URI. `reset`
 * prints a one-time link (24 hours) for the operator to pass on: a password reset (which signs the
 * account out everywhere; with --authenticator the authenticator is reset too and the link leads
 * on to setting up a new one), or for someone who never set up their account, a new invitation.
 * Every change is written to the audit log with no actor and IP "cli".
 */
import { closeDatabase } from '../db/open.ts';
import { parseArgs } from 'node:util';
import { loadConfigOrExit, rotateSecretKey } from '../src/lib/platform/index.ts';
import {
  createStaffAccount,
  disableByEmail,
  INVITE_LINK_DAYS,
  listStaff,
  parseRoles,
  resetByEmail,
  RESET_LINK_HOURS,
} from '../src/lib/staff/index.ts';
import { createRuntimeOrExit } from '../src/lib/runtime.ts';

const USAGE = `Usage:
  npm run staff -- add --email EMAIL --name NAME --role moderator|reviewer|admin [--role …]
      (reads the password from standard input; prints the otpauth:// URI for the authenticator app)
  npm run staff -- list
  npm run staff -- disable --email EMAIL
  npm run staff -- rotate-key [--new-key-file FILE]
      (stop the server first; re-encrypts the stored TOTP secrets with a new key)
  npm run staff -- reset --email EMAIL [--authenticator]
      (prints a one-time link to choose a new password; --authenticator also resets the
      authenticator app, and the link then leads on to setting up a new one)`;

const CLI = { id: null, ip: 'cli' } as const;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (at least 12 characters), then Enter: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (process.stdin.isTTY && chunk.includes(10)) break;
  }
  // The first line only, without its line ending.
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string', multiple: true },
        'new-key-file': { type: 'string' },
        authenticator: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  const { email, name, role, authenticator } = parsed.values;
  const rt = await createRuntimeOrExit(loadConfigOrExit());
  try {
    if (command === 'add') {
      if (!email || !name || !role?.length) fail(`add needs --email, --name and --role.\n${USAGE}`);
      const { roles, unknown } = parseRoles(role);
      if (unknown.length) fail(`Unknown role: ${unknown.join(', ')}. Roles are moderator, reviewer and admin.`);
      const password = await readStdin();
      const result = await createStaffAccount(rt, { email, name, password, roles }, CLI);
      if (!result.ok) fail(Object.values(result.errors).join('\n'));
      console.log(result.otpauthUri);
    } else if (command === 'list') {
      const rows = await listStaff(rt);
      if (rows.length === 0) console.log('No staff accounts.');
      for (const s of rows) {
        const state = s.disabledAt
          ? 'disabled'
          : !s.passwordHash
            ? 'invited'
            : !s.totpConfirmedAt
              ? 'no authenticator'
              : 'active';
        console.log([s.id, s.email, s.name, s.roles.join(',') || '-', state].join('\t'));
      }
    } else if (command === 'disable') {
      if (!email) fail(`disable needs --email.\n${USAGE}`);
      const result = await disableByEmail(rt, CLI, email);
      if (!result.ok) fail(result.error);
      console.log(`Disabled ${email.trim().toLowerCase()} and ended its sessions.`);
    } else if (command === 'rotate-key') {
      const result = await rotateSecretKey(rt.db, rt.config, parsed.values['new-key-file']);
      if (!result.ok) fail(result.error);
      console.log(
        `Re-encrypted ${result.secrets} TOTP secret(s): key ${result.oldId} replaced by key ${result.newId}.`,
      );
      console.log(
        result.setVariable
          ? `Now set SECRET_KEY_FILE=${result.keyFile} and start the server. Keep the old key only as long as backups made with it.`
          : `The new key is in ${result.keyFile} (the old one is gone). Start the server.`,
      );
    } else if (command === 'reset') {
      if (!email) fail(`reset needs --email.\n${USAGE}`);
      const result = await resetByEmail(rt, CLI, email, { authenticator: Boolean(authenticator) });
      if (!result.ok) fail(result.error);
      const who = email.trim().toLowerCase();
      if (result.kind === 'invite') {
        console.error(
          `${who} has not set up their account yet: this is a new invitation link (${INVITE_LINK_DAYS} days, works once). The earlier one no longer works.`,
        );
      } else {
        console.error(
          `${who} has been signed out everywhere${authenticator ? ' and their authenticator app reset' : ''}. Give them this one-time link (${RESET_LINK_HOURS} hours) a safe way:`,
        );
      }
      console.log(result.link);
    } else {
      fail(USAGE);
    }
  } finally {
    await closeDatabase(rt.db);
  }
}

await main();
