import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/platform/config.ts';

describe('staff notification settings', () => {
  it('default to every reviewer, no safeguarding flags, digest at 08:00', () => {
    const r = parseConfig({});
    expect(r.ok && r.config.staffNotifications).toEqual({
      reviewTeamEmail: undefined,
      safeguardingEmail: undefined,
      digestMinute: 480,
    });
  });

  it('take a team mailbox, a safeguarding address (lower-cased) and another digest time or off', () => {
    const r = parseConfig({
      REVIEW_TEAM_EMAIL: 'Appeals@Example.nhs.uk',
      SAFEGUARDING_EMAIL: 'safeguarding@example.nhs.uk',
      DIGEST_TIME: '07:30',
    });
    expect(r.ok && r.config.staffNotifications).toEqual({
      reviewTeamEmail: 'appeals@example.nhs.uk',
      safeguardingEmail: 'safeguarding@example.nhs.uk',
      digestMinute: 450,
    });
    const off = parseConfig({ DIGEST_TIME: 'off', REVIEW_TEAM_EMAIL: ' ' });
    expect(off.ok && off.config.staffNotifications).toEqual({
      reviewTeamEmail: undefined,
      safeguardingEmail: undefined,
      digestMinute: null,
    });
  });

  it('stop start-up with a message naming the bad variable', () => {
    expect(parseConfig({ REVIEW_TEAM_EMAIL: 'the team' })).toEqual({
      ok: false,
      error: 'Configuration error: REVIEW_TEAM_EMAIL must be an email address (got "the team").',
    });
    expect(parseConfig({ SAFEGUARDING_EMAIL: 'nobody' })).toEqual({
      ok: false,
      error: 'Configuration error: SAFEGUARDING_EMAIL must be an email address (got "nobody").',
    });
    expect(parseConfig({ DIGEST_TIME: '8am' })).toEqual({
      ok: false,
      error: 'Configuration error: DIGEST_TIME must be a time like 08:00, or off (got "8am").',
    });
    expect(parseConfig({ DIGEST_TIME: '24:00' }).ok).toBe(false);
  });
});
