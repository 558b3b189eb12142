/**
 * Signing in returns to the page asked for: only same-origin staff paths are kept.
 */
import { describe, expect, it } from 'vitest';
import { safeNextPath, withNext } from '../../src/lib/platform/next-path.ts';

describe('safeNextPath', () => {
  it('keeps a staff path with its query', () => {
    expect(safeNextPath('/staff/appeals/12')).toBe('/staff/appeals/12');
    expect(safeNextPath('/staff/appeals?q=jo_bloggs&page=2')).toBe('/staff/appeals?q=jo_bloggs&page=2');
    expect(safeNextPath('/staff/cases/3')).toBe('/staff/cases/3');
  });

  it('refuses other hosts, schemes, other sites and odd paths', () => {
    for (const bad of [
      '//evil.example',
      '//evil.example/staff/appeals',
      '/\\evil.example',
      '\\\\evil.example',
      'https://evil.example/staff/appeals',
      'http://localhost/staff/appeals',
      'javascript:alert(1)',
      'staff/appeals',
      '/appeal',
      '/staffing',
      '/staff/login',
      '/staff/login/code',
      '/staff/sign-out',
      '/staff/appeals\n/evil',
      '/staff/%2F%2Fevil',
      '/%2F/evil.example',
      '/staff/' + 'x'.repeat(2000),
      '',
      null,
      undefined,
    ]) {
      const kept = safeNextPath(bad);
      if (kept !== null) expect(new URL(kept, 'http://here.example').origin, String(bad)).toBe('http://here.example');
      if (bad !== '/staff/%2F%2Fevil') expect(kept, String(bad)).toBeNull();
    }
    // Dot segments cannot climb out of /staff.
    expect(safeNextPath('/staff/../appeal')).toBeNull();
    // Staff home is where signing in lands anyway.
    expect(safeNextPath('/staff')).toBeNull();
    expect(safeNextPath('/staff/')).toBeNull();
  });

  it('adds next to an address', () => {
    expect(withNext('/staff/login', '/staff/appeals/12')).toBe('/staff/login?next=%2Fstaff%2Fappeals%2F12');
    expect(withNext('/staff/login?ended=idle', '/staff/cases')).toBe('/staff/login?ended=idle&next=%2Fstaff%2Fcases');
    expect(withNext('/staff/login', null)).toBe('/staff/login');
  });
});
