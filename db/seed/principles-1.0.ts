/**
 * Version 1.0 of the principles: the trust's published social media principles page
 * (shared/seed/social-media-principles.txt), structured. The ten reasons under "Taking action"
 * become grounds for action with stable codes; their wording is kept as published.
 * Crisis signposting is shown by the page itself (from configuration), so it is not repeated here.
 */
export const principlesV1 = {
  version: '1.0',
  major: 1,
  minor: 0,
  changeSummary: 'First published version',
  effectiveAt: new Date('2025-01-01T00:00:00Z'),
  bodyMarkdown: `Kind and respectful communication is not just important to our staff, but also the wider communities in which we serve. Social media platforms should be a welcoming space where people feel comfortable to talk to us and each other.

We have produced some key principles to help everyone engaging with our social media, and those of our partners across Norfolk and Suffolk, feel as comfortable, safe and confident as possible.

These principles might change given the fast pace of online environments, so if they're important to you, please keep checking back.

We welcome your feedback on our posts and how we can use our accounts more effectively. Just send us a message on the account you are offering feedback on.

## Social media principles

- Our communications team updates and monitors our main Trust accounts Monday to Friday, 9am to 5pm. We also schedule posts to appear outside of these hours.
- We read all mentions, @replies, posts and direct messages sent to us. However we can't always reply to every individual message we receive. We will let you know if we pass on your messages to particular teams, such as Patient Advice and Liaison Service.
- We may ask you to send a private message to us with your contact details, particularly when it's not appropriate for us to respond on social media. This means the right person can follow up with you about your personal question or concern.
- A person's care is private to them. So, we will not talk about an individual's care through social media.
- We do not deal with complaints through social media. To make a complaint please contact Customer Services.
- Clinical or medical questions are not something those monitoring social media can help with. We can do our best to signpost where to get information, advice or support.
- We want to know when something has not worked for people using services, their loved ones or family carers. People are encouraged to share their views and we won't remove a post simply because it's negative.

There are a number of other social media accounts that relate to more specific parts of our work. These are checked less regularly and response times will therefore be longer.

## Taking action

Sometimes a contribution might go against these principles. If that happens, we may hide or delete the comment, block the account that it's come from and/or report it to the social media platform. In certain cases, the police may ask for copies of the posts. If posts are threatening, libellous or defamatory we might ask for a legal opinion.

We'll always try to message users who we've taken any action against because of a post or comment and explain our reasons. If you do not agree with our decision, you can ask us to look at it again.

We will take action when a post contains, in any format including text, picture, video, audio or hyperlinks, any of the grounds for action listed below.
`,
  grounds: [
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
      description: 'Is abusive towards people who use services, members of staff or the public.',
    },
    {
      code: 'upsetting-links',
      title: 'Links to upsetting material',
      description: 'Contains links to material that would be upsetting to people who use services.',
    },
    { code: 'illegal-activity', title: 'Illegal activity', description: 'Discusses illegal activity.' },
    {
      code: 'confidential-or-personal-information',
      title: 'Confidential or personal information',
      description: 'Relates to confidential or personal information.',
    },
    { code: 'irrelevant-advertising', title: 'Irrelevant advertising', description: 'Contains irrelevant advertising.' },
    {
      code: 'pornography-weapons-or-terrorism',
      title: 'Pornography, weapons or terrorism',
      description: 'Contains reference of pornography, weapons, terrorism.',
    },
    { code: 'personal-financial-gain', title: 'Personal financial gain', description: 'Personal financial gain.' },
    {
      code: 'promotes-unlawful-acts',
      title: 'Promoting anything against the law',
      description: 'Promotes anything that is against the law.',
    },
  ],
} as const;
