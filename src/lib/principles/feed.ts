/**
 * Machine-readable views of the published principles: the Atom 1.0 changelog feed and the JSON
 * archive. Both list only versions that have taken effect, and both are deterministic for a given
 * set of versions (no "generated at" time), so their ETag changes only when the content does.
 */
import { Feed } from 'feed';
import { comparePath, listVersions, principlesLastModified } from './versions.ts';
import { escapeHtml } from './diff.ts';
import { inForceFromText, type Runtime } from '../platform/index.ts';

/** The Atom 1.0 feed at /changelog.xml: one entry a version, newest first, absolute links from PUBLIC_URL. */
export async function principlesAtomFeed(rt: Runtime): Promise<string> {
  const base = rt.config.publicUrl;
  const versions = await listVersions(rt);
  const feed = new Feed({
    id: `${base}/changelog`,
    title: `Changes to the social media principles of ${rt.config.org.name}`,
    description: 'Every version of our social media principles, with a summary of what changed.',
    link: `${base}/changelog`,
    feedLinks: { atom: `${base}/changelog.xml` },
    language: 'en-GB',
    updated: await principlesLastModified(rt),
    author: { name: rt.config.org.name, link: rt.config.org.website },
    copyright: rt.config.org.name,
    generator: false,
  });
  for (const v of versions) {
    const url = `${base}/principles/${v.version}`;
    const compare = v.previousVersion && `${base}${comparePath(v.previousVersion, v.version)}`;
    feed.addItem({
      id: url,
      // The feed library writes title and summary as type="html": escape so text stays text.
      title: escapeHtml(`Version ${v.version}`),
      link: url,
      // Atom needs a date: a version whose start is not known (1.0) uses when it was put on this site.
      date: v.effectiveAt ?? v.publishedAt ?? new Date(0),
      description: escapeHtml(v.changeSummary),
      content:
        `<p>${escapeHtml(v.changeSummary)}</p><p>${escapeHtml(inForceFromText(v.effectiveAt))}.</p>` +
        `<p><a href="${escapeHtml(url)}">Read version ${escapeHtml(v.version)}</a>` +
        (compare
          ? ` or <a href="${escapeHtml(compare)}">see what changed from version ${escapeHtml(v.previousVersion!)}</a>`
          : '') +
        '.</p>',
    });
  }
  return feed.atom1();
}

export interface PrinciplesArchive {
  publisher: string;
  url: string;
  versions: {
    version: string;
    url: string;
    /** Null when the date it took effect is not known (version 1.0). */
    effectiveAt: string | null;
    publishedAt: string | null;
    inForce: boolean;
    changeSummary: string;
    bodyMarkdown: string;
    grounds: { code: string; title: string; description: string }[];
  }[];
}

/** /principles.json: every version in effect, newest first, with its grounds and Markdown text. */
export async function principlesArchive(rt: Runtime): Promise<PrinciplesArchive> {
  const base = rt.config.publicUrl;
  return {
    publisher: rt.config.org.name,
    url: `${base}/principles`,
    versions: (await listVersions(rt)).map((v) => ({
      version: v.version,
      url: `${base}/principles/${v.version}`,
      effectiveAt: v.effectiveAt?.toISOString() ?? null,
      publishedAt: v.publishedAt?.toISOString() ?? null,
      inForce: v.isCurrent,
      changeSummary: v.changeSummary,
      bodyMarkdown: v.bodyMarkdown,
      grounds: v.grounds.map(({ code, title, description }) => ({ code, title, description })),
    })),
  };
}
