import { describe, expect, it } from 'vitest';
import {
  APPEAL_ACTIONS,
  APPEAL_STATUSES,
  isOpen,
  transition,
  type AppealAction,
  type AppealStatus,
} from '../../src/lib/appeals/state.ts';

// The full table, written out by hand: every (status, action) pair and its expected result.
const EXPECTED: Record<AppealStatus, Record<AppealAction, AppealStatus | null>> = {
  new: {
    'start-review': 'in-review',
    'request-info': 'waiting',
    'receive-info': 'new',
    resume: null,
    decide: 'decided',
    withdraw: 'withdrawn',
  },
  'in-review': {
    'start-review': null,
    'request-info': 'waiting',
    'receive-info': 'in-review',
    resume: null,
    decide: 'decided',
    withdraw: 'withdrawn',
  },
  waiting: {
    'start-review': null,
    'request-info': null,
    'receive-info': 'in-review',
    resume: 'in-review',
    decide: 'decided',
    withdraw: 'withdrawn',
  },
  decided: {
    'start-review': null,
    'request-info': null,
    'receive-info': null,
    resume: null,
    decide: null,
    withdraw: null,
  },
  withdrawn: {
    'start-review': null,
    'request-info': null,
    'receive-info': null,
    resume: null,
    decide: null,
    withdraw: null,
  },
};

describe('appeal state machine', () => {
  for (const status of APPEAL_STATUSES) {
    for (const action of APPEAL_ACTIONS) {
      const expected = EXPECTED[status][action];
      it(`${status} + ${action} → ${expected ?? 'refused'}`, () => {
        expect(transition(status, action)).toEqual(
          expected ? { ok: true, status: expected } : { ok: false, error: 'not-allowed' },
        );
      });
    }
  }

  it('treats only decided and withdrawn appeals as closed', () => {
    expect(APPEAL_STATUSES.filter((s) => !isOpen(s))).toEqual(['decided', 'withdrawn']);
  });
});
