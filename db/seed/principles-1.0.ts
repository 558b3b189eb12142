/**
 * Version 1.0 of the principles: the trust's social media principles page as it published it
 * (a copy of the page as text: db/seed/social-media-principles.txt), word for word, structured as Markdown.
 *
 * Kept as published, including its slips ("contains,in", "This includes:" with nothing after it,
 * "please email" with no address). Left out: the page title and the photo's description (the
 * portal's own heading and layout take their place) and the "Page Feedback" widget of the old
 * website. The links the copied text lost are restored from configuration: "Help in a crisis",
 * "clicking here" (complaints) and the address after "by emailing".
 *
 * The date it took effect is not known (the trust's page carries none), so `effectiveAt` is null:
 * the pages say "date not known" and it is in force for any moment before version 1.1.
 * See docs/decisions/022-public-pages.md.
 */
export interface SeedLinks {
  crisisUrl: string;
  complaintsUrl: string;
  contactEmail: string;
  reviewWorkingDays: number;
}

/** The ten reasons under "Taking action", with stable codes; descriptions exactly as published. */
export const groundsV1 = [
  {
    code: 'hateful-or-discriminatory',
    title: 'Hateful or discriminatory comments',
    description:
      'Contains hateful or discriminatory comments including race, sexual orientation, disability, abuse, mental or physical diagnosis, social and or financial status, ethnicity.',
  },
  {
    code: 'profane-offensive-or-violent',
    title: 'Profane, defamatory, offensive or violent language',
    description: 'Contains profane, defamatory, offensive or violent language, incitement to cause violence.',
  },
  {
    code: 'abusive',
    title: 'Abuse towards people',
    description: 'Is abusive towards people who use services, members of staff or the public',
  },
  {
    code: 'upsetting-links',
    title: 'Links to upsetting material',
    description: 'Contains links to material that would be upsetting to people who use services',
  },
  { code: 'illegal-activity', title: 'Illegal activity', description: 'Discusses illegal activity' },
  {
    code: 'confidential-or-personal-information',
    title: 'Confidential or personal information',
    description: 'Relates to confidential or personal information',
  },
  { code: 'irrelevant-advertising', title: 'Irrelevant advertising', description: 'Contains irrelevant advertising' },
  {
    code: 'pornography-weapons-or-terrorism',
    title: 'Pornography, weapons or terrorism',
    description: 'Contains reference of pornography, weapons, terrorism,',
  },
  { code: 'personal-financial-gain', title: 'Personal financial gain', description: 'Personal financial gain' },
  {
    code: 'promotes-unlawful-acts',
    title: 'Promoting anything against the law',
    description: 'Promotes anything that is against the law',
  },
] as const;

const groundsList = groundsV1.map((g) => `- ${g.description}`).join('\n');

/** Paragraphs shared by 1.0 and 1.1 up to the crisis lines; `keepChecking` is the one that 1.1 changes. */
function opening(keepChecking: string, links: SeedLinks): string {
  return `Kind and respectful communication is not just important to our staff, but also the wider communities in which we serve. Social media platforms should be a welcoming space where people feel comfortable to talk to us and each other.

We have produced some key principles to help everyone engaging with our social media, and those of our partners across Norfolk and Suffolk, feel as comfortable, safe and confident as possible.

${keepChecking}

We welcome your feedback on our posts and how we can use our accounts more effectively. Just send us a message on the account you are offering feedback on.

If you need urgent support in a crisis, please do not use our social media feeds as these are not monitored continuously or outside working hours.

Please contact your Mental Health Team or see [Help in a crisis](${links.crisisUrl}).

## Social media principles

- Our communications team updates and monitors our main Trust accounts Monday to Friday, 9am to 5pm. We also schedule posts to appear outside of these hours. This includes:
- We read all mentions, @replies, posts and direct messages sent to us. However we can't always reply to every individual message we receive. We will let you know if we pass on your messages to particular teams, such as Patient Advice and Liaison Service.
- We may ask you to send a private message to us with your contact details, particularly when it's not appropriate for us to respond on social media. This means the right person can follow up with you about your personal question or concern.
- A person's care is private to them. So, we will not talk about an individual's care through social media.
- We do not deal with complaints through social media. To make a complaint please contact Customer Services by [clicking here](${links.complaintsUrl}).
- Clinical or medical questions are not something those monitoring social media can help with. We can do our best to signpost where to get information, advice or support.
- We want to know when something has not worked for people using services, their loved ones or family carers. People are encouraged to share their views and we won't remove a post simply because it's negative.

There are a number of other social media accounts that relate to more specific parts of our work. These are checked less regularly and response times will therefore be longer.

## Taking action

Sometimes a contribution might go against these principles. If that happens, we may hide or delete the comment, block the account that it's come from and/or report it to the social media platform. In certain cases, the police may ask for copies of the posts. If posts are threatening, libellous or defamatory we might ask for a legal opinion.

We will take action when a post contains,in any format including text, picture, video, audio or hyperlinks any of the following:

${groundsList}
`;
}

export const KEEP_CHECKING_V1 =
  "These principles might change given the fast pace of online environments, so if they're important to you, please keep checking back.";

/** Version 1.0, word for word as the trust published it. */
export function principlesV1(links: SeedLinks) {
  return {
    version: '1.0',
    major: 1,
    minor: 0,
    changeSummary:
      'The principles as the trust published them on its website before this service. The date they took effect is not known.',
    /** Not known: see the header comment. */
    effectiveAt: null,
    bodyMarkdown: `${opening(KEEP_CHECKING_V1, links)}
We'll always try to message users who we've taken any action against because of a post or comment and explain our reasons. If you do not agree with our decision then please email and we will explain why the decision was made.

If you have any question please get in touch by emailing [${links.contactEmail}](mailto:${links.contactEmail})
`,
    grounds: groundsV1,
  } as const;
}

/**
 * Version 1.1: the trust's first change, which introduces this service: the appeal route, the
 * target for a decision (REVIEW_WORKING_DAYS at first start, 10 by default) and email alerts when
 * the principles change. It takes effect when the service first starts.
 */
export function principlesV1_1(links: SeedLinks) {
  const days = links.reviewWorkingDays;
  return {
    version: '1.1',
    major: 1,
    minor: 1,
    changeSummary: `You can now ask us online to look again at a decision we made about your post or account, and we aim to tell you the outcome within ${days} working days. You can also get an email when these principles change.`,
    bodyMarkdown: `${opening(
      "These principles might change given the fast pace of online environments, so if they're important to you, please keep checking back or [get an email when they change](/subscribe).",
      links,
    )}
We'll always try to message users who we've taken any action against because of a post or comment and explain our reasons. If you do not agree with our decision, you can [ask us to look at it again](/appeal). Someone who did not make the decision will look at it, and we aim to tell you the outcome, with our reasons, within ${days} working days.

If you have any question please get in touch by emailing [${links.contactEmail}](mailto:${links.contactEmail})
`,
    grounds: groundsV1,
  } as const;
}
