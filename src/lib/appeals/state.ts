/**
 * The appeal state machine. Statuses: new → in-review ⇄ waiting (for the appellant) → decided,
 * or withdrawn by the appellant at any point before a decision. Decided and withdrawn are final.
 */
import { APPEAL_STATUSES } from '../../../db/schema.ts';

export { APPEAL_STATUSES };
export type AppealStatus = (typeof APPEAL_STATUSES)[number];

export const APPEAL_ACTIONS = ['start-review', 'request-info', 'receive-info', 'resume', 'decide', 'withdraw'] as const;
export type AppealAction = (typeof APPEAL_ACTIONS)[number];

/** For each action, the statuses it may start from and where it leads. */
const TRANSITIONS: Record<AppealAction, Partial<Record<AppealStatus, AppealStatus>>> = {
  /** A reviewer picks the appeal up. */
  'start-review': { new: 'in-review' },
  /** Staff ask the appellant for more information; the decision clock pauses. */
  'request-info': { new: 'waiting', 'in-review': 'waiting' },
  /** The appellant adds information; if we were waiting for it, review resumes. */
  'receive-info': { new: 'new', 'in-review': 'in-review', waiting: 'in-review' },
  /** Staff stop waiting without an answer. */
  resume: { waiting: 'in-review' },
  /** A decision can be made even if the appellant never answered a request. */
  decide: { new: 'decided', 'in-review': 'decided', waiting: 'decided' },
  withdraw: { new: 'withdrawn', 'in-review': 'withdrawn', waiting: 'withdrawn' },
};

export type TransitionResult = { ok: true; status: AppealStatus } | { ok: false; error: 'not-allowed' };

/** Where `action` takes an appeal in `status`, or not-allowed. */
export function transition(status: AppealStatus, action: AppealAction): TransitionResult {
  const next = TRANSITIONS[action][status];
  return next ? { ok: true, status: next } : { ok: false, error: 'not-allowed' };
}

/** Open appeals block a second appeal on the same case. */
export function isOpen(status: AppealStatus): boolean {
  return status !== 'decided' && status !== 'withdrawn';
}

/** The colour of each status's tag on the appellant's status page (nhsuk-tag modifiers). */
export const APPEAL_STATUS_TAGS: Record<AppealStatus, string> = {
  new: 'nhsuk-tag--blue',
  'in-review': 'nhsuk-tag--purple',
  waiting: 'nhsuk-tag--orange',
  decided: 'nhsuk-tag--green',
  withdrawn: 'nhsuk-tag--grey',
};

/** What the appellant sees on the status page. */
export function publicStatusLabel(status: AppealStatus): string {
  switch (status) {
    case 'new':
      return 'Received';
    case 'in-review':
      return 'Being reviewed';
    case 'waiting':
      return 'Waiting for information from you';
    case 'decided':
      return 'Decided';
    case 'withdrawn':
      return 'Withdrawn';
  }
}
