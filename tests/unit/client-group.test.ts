import { describe, expect, it } from 'vitest';
import { subscribe } from '../../src/lib/principles/change-alerts.ts';
import { limitGroup } from '../../src/lib/platform/client-group.ts';
import { caseLookupLimit, hitRateLimit } from '../../src/lib/platform/rate-limit.ts';
import { ipKey } from '../../src/lib/staff/throttle.ts';
import { testRuntime } from '../support/db.ts';

describe('limitGroup: the key per-IP limits count under', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::ffff', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['[2001:db8:1:2::1]', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:198.51.100.7', '198.51.100.7'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['unknown', 'unknown'],
    ['', 'unknown'],
  ])('%s → %s', (ip, group) => {
    expect(limitGroup(ip)).toBe(group);
  });

  it('keeps different /64s and different IPv4 addresses apart', () => {
    expect(limitGroup('2001:db8:1:2::1')).not.toBe(limitGroup('2001:db8:1:3::1'));
    expect(limitGroup('192.0.2.1')).not.toBe(limitGroup('192.0.2.2'));
    expect(limitGroup(null)).toBe('unknown');
  });

  it('makes every limiter count a /64 as one client', async () => {
    const rt = await testRuntime({ env: { CASE_LOOKUPS_PER_10_MINUTES: '3', SUBSCRIBES_PER_HOUR: '2' } });
    const limit = caseLookupLimit(rt.config);
    // Four addresses in one /64 share the 3 lookups; the 4th is refused, whatever its address.
    const results: boolean[] = [];
    for (const ip of ['2001:db8:7:7::1', '2001:db8:7:7::2', '2001:db8:7:7:ffff::3', '2001:db8:7:7:1:2:3:4'])
      results.push((await hitRateLimit(rt, limit, ip)).ok);
    expect(results).toEqual([true, true, true, false]);
    // …while the next /64 and an IPv4 client are unaffected, and an IPv4-mapped address is its IPv4 client.
    expect((await hitRateLimit(rt, limit, '2001:db8:7:8::1')).ok).toBe(true);
    expect((await hitRateLimit(rt, limit, '192.0.2.9')).ok).toBe(true);
    expect((await hitRateLimit(rt, limit, '::ffff:192.0.2.9')).ok).toBe(true);
    expect((await hitRateLimit(rt, limit, '192.0.2.9')).ok).toBe(true);
    expect((await hitRateLimit(rt, limit, '::ffff:192.0.2.9')).ok).toBe(false);
    // Sign-in throttling and sign-ups use the same grouping.
    expect(ipKey('2001:db8:7:7::1')).toBe(ipKey('2001:db8:7:7::abcd'));
    expect(ipKey('::ffff:192.0.2.9')).toBe(ipKey('192.0.2.9'));
    expect((await subscribe(rt, { email: 'a@example.org', ip: '2001:db8:9:9::1' })).ok).toBe(true);
    expect((await subscribe(rt, { email: 'b@example.org', ip: '2001:db8:9:9::2' })).ok).toBe(true);
    const third = await subscribe(rt, { email: 'c@example.org', ip: '2001:db8:9:9:ffff::3' });
    expect(third.ok ? 'ok' : third.error).toBe('rate-limited');
  });
});
