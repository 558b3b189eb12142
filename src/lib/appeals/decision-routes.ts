/**
 * What someone can do after our decision on their appeal, in the same words in the decision
 * email and on the status page (and so in the printed letter).
 */
export const OMBUDSMAN_URL = 'https://www.ombudsman.org.uk/';

export const DECISION_ROUTES = {
  /** After it, our complaints process and PALS (the organisation's complaints link). */
  complaints:
    'This decision ends our appeal process. If you are unhappy with how we handled it, you can use our complaints process or contact our Patient Advice and Liaison Service (PALS).',
  complaintsLink: 'Complaints and PALS',
  ombudsman:
    'If you are still unhappy after that, you can ask the Parliamentary and Health Service Ombudsman to look at it.',
  ombudsmanLink: 'Parliamentary and Health Service Ombudsman',
  platform: 'You can also use the reporting and appeal tools of the social media platform itself.',
} as const;
