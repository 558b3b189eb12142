/**
 * Staff accounts for unit tests, created the way the command line creates them.
 */
import { randomBytes } from 'node:crypto';
import { createStaffAccount, type Role } from '../../src/lib/staff/accounts.ts';
import type { Runtime } from '../../src/lib/runtime.ts';

export async function testStaff(rt: Runtime, roles: Role[], name = 'Test Staff'): Promise<number> {
  const email = `staff-${randomBytes(4).toString('hex')}@example.org`;
  const result = await createStaffAccount(
    rt,
    { email, name, password: `correct horse ${randomBytes(6).toString('hex')}`, roles },
    { id: null, ip: 'test' },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.id;
}
