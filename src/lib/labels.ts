/**
 * Plain-English labels for the codes stored in the database.
 */
import type { CASE_ACTIONS, DETECTION, OUTCOMES, PLATFORMS } from '../../db/schema.ts';

export const PLATFORM_LABELS: Record<(typeof PLATFORMS)[number], string> = {
  facebook: 'Facebook',
  x: 'X (Twitter)',
  instagram: 'Instagram',
  linkedin: 'LinkedIn',
  youtube: 'YouTube',
  tiktok: 'TikTok',
  other: 'Another platform',
};

/** As a moderator ticks them: "Comment hidden". */
export const ACTION_LABELS: Record<(typeof CASE_ACTIONS)[number], string> = {
  hidden: 'Comment hidden',
  deleted: 'Comment deleted',
  blocked: 'Account blocked',
  reported: 'Reported to the platform',
  police: 'Referred to the police',
  legal: 'Legal advice sought',
};

/** As told to the person: "we hid your comment". */
export const ACTION_PHRASES: Record<(typeof CASE_ACTIONS)[number], string> = {
  hidden: 'hid your comment',
  deleted: 'deleted your comment',
  blocked: 'blocked your account',
  reported: 'reported your post to the platform',
  police: 'referred your post to the police',
  legal: 'asked for legal advice about your post',
};

export const DETECTION_LABELS: Record<(typeof DETECTION)[number], string> = {
  'own-monitoring': 'Our own monitoring',
  'public-report': 'A report from a member of the public',
  'platform-filter': "The platform's automated filter",
};

export const OUTCOME_LABELS: Record<(typeof OUTCOMES)[number], string> = {
  upheld: 'We have kept our decision',
  overturned: 'We have reversed our decision',
  'partly-overturned': 'We have partly reversed our decision',
};

/** "a, b and c" */
export function joinWithAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
