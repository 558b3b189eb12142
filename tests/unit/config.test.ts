import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/platform/config.ts';

describe('parseConfig', () => {
  it('uses the Contract defaults when nothing is set', () => {
    const result = parseConfig({}, '/srv/app');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.host).toBe('localhost');
    expect(result.config.port).toBe(4321);
    expect(result.config.dataDir).toBe('/srv/app/data');
    expect(result.config.databaseFile).toBe('/srv/app/data/fair-hearing.sqlite');
    expect(result.config.mailDir).toBe('/srv/app/data/mail');
    expect(result.config.publicUrl).toBe('http://localhost:4321');
    expect(result.config.smtpUrl).toBeUndefined();
    expect(result.config.mailFrom).toBe('Fair Hearing <no-reply@localhost>');
    expect(result.config.trustedProxy).toBe(false);
    expect(result.config.pageCache).toBe(true);
    // Appeals sent: per journey and per email address, under a per-address flood guard (decision 026).
    expect([
      result.config.appealsPerJourneyPerHour,
      result.config.appealsPerEmailPerHour,
      result.config.appealsPerHour,
    ]).toEqual([5, 5, 100]);
  });

  it('turns the page cache off with PAGE_CACHE=false', () => {
    const result = parseConfig({ PAGE_CACHE: 'false' });
    expect(result.ok && result.config.pageCache).toBe(false);
  });

  it('derives PUBLIC_URL from PORT and strips a trailing slash from a given one', () => {
    const a = parseConfig({ PORT: '8080' });
    expect(a.ok && a.config.publicUrl).toBe('http://localhost:8080');
    const b = parseConfig({ PUBLIC_URL: 'https://appeals.example.nhs.uk/' });
    expect(b.ok && b.config.publicUrl).toBe('https://appeals.example.nhs.uk');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '0' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://example.org' }, 'PUBLIC_URL'],
    [{ SMTP_URL: 'http://mail.example.org' }, 'SMTP_URL'],
    [{ TRUSTED_PROXY: 'maybe' }, 'TRUSTED_PROXY'],
    [{ PAGE_CACHE: 'sometimes' }, 'PAGE_CACHE'],
    [{ CONTACT_EMAIL: 'nobody' }, 'CONTACT_EMAIL'],
    [{ OUTBOX_POLL_MS: 'soon' }, 'OUTBOX_POLL_MS'],
    [{ OUTBOX_POLL_MS: '10' }, 'OUTBOX_POLL_MS'],
    [{ OUTBOX_LEASE_MS: '500' }, 'OUTBOX_LEASE_MS'],
    [{ OUTBOX_RETRY_BASE_MS: '-1' }, 'OUTBOX_RETRY_BASE_MS'],
    [{ APPEALS_PER_HOUR: '0' }, 'APPEALS_PER_HOUR'],
    [{ APPEALS_PER_JOURNEY_PER_HOUR: 'lots' }, 'APPEALS_PER_JOURNEY_PER_HOUR'],
    [{ APPEALS_PER_EMAIL_PER_HOUR: '2.5' }, 'APPEALS_PER_EMAIL_PER_HOUR'],
  ])('refuses %o with a one-line message naming %s', (env, name) => {
    const result = parseConfig(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(new RegExp(`^Configuration error: ${name} `));
    expect(result.error).not.toContain('\n');
  });

  it('takes a postgres:// DATABASE_URL and a pool size; SQLite when it is unset or empty', () => {
    const pg = parseConfig({
      DATABASE_URL: 'postgres://fair:secret@db.example.org:5432/fair',
      DATABASE_POOL_SIZE: '4',
    });
    expect(pg.ok && pg.config.databaseUrl).toBe('postgres://fair:secret@db.example.org:5432/fair');
    expect(pg.ok && pg.config.databasePoolSize).toBe(4);
    const unset = parseConfig({ DATABASE_URL: '' });
    expect(unset.ok && unset.config.databaseUrl).toBeUndefined();
    expect(unset.ok && unset.config.databasePoolSize).toBe(10);
  });

  it.each([['mysql://fair:secret@db.example.org/fair'], ['not a url secret'], ['https://secret@db.example.org']])(
    'refuses DATABASE_URL %s without echoing it',
    (url) => {
      const result = parseConfig({ DATABASE_URL: url });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toBe('Configuration error: DATABASE_URL must be a postgres:// or postgresql:// URL.');
      expect(result.error).not.toContain('secret');
    },
  );

  it.each([['0'], ['101'], ['ten']])('refuses DATABASE_POOL_SIZE %s', (size) => {
    const result = parseConfig({ DATABASE_POOL_SIZE: size });
    expect(!result.ok && result.error).toMatch(/^Configuration error: DATABASE_POOL_SIZE /);
  });

  it('never echoes SMTP_URL, which may hold a password', () => {
    const result = parseConfig({ SMTP_URL: 'http://user:secret@mail.example.org' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).not.toContain('secret');
  });

  it('has outbox timings with defaults, and takes valid ones', () => {
    const defaults = parseConfig({});
    expect(defaults.ok && defaults.config.outbox).toEqual({ pollMs: 1_500, leaseMs: 300_000, retryBaseMs: 30_000 });
    const set = parseConfig({ OUTBOX_POLL_MS: '200', OUTBOX_LEASE_MS: '2000', OUTBOX_RETRY_BASE_MS: '100' });
    expect(set.ok && set.config.outbox).toEqual({ pollMs: 200, leaseMs: 2_000, retryBaseMs: 100 });
  });

  it('treats empty values as unset', () => {
    const result = parseConfig({ PORT: '', SMTP_URL: '  ' });
    expect(result.ok && result.config.port).toBe(4321);
    expect(result.ok && result.config.smtpUrl).toBeUndefined();
  });

  it('accepts a real SMTP URL and a trusted proxy', () => {
    const result = parseConfig({ SMTP_URL: 'smtp://user:pass@mail.example.org:587', TRUSTED_PROXY: 'true' });
    expect(result.ok && result.config.smtpUrl).toBe('smtp://user:pass@mail.example.org:587');
    expect(result.ok && result.config.trustedProxy).toBe(true);
  });
});
