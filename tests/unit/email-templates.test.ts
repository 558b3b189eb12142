import { describe, expect, it } from 'vitest';
import { EMAIL_FONT_STACK, emailLayout, escapeHtml, html, raw } from '../../src/lib/email/layout.ts';
import { appealDecisionEmail } from '../../src/lib/review/emails/decision.ts';
import { notificationEmail } from '../../src/lib/email/notification.ts';

describe('escapeHtml and html``', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('escapes interpolated text, keeps nested html`` and raw(), joins arrays, drops empty values', () => {
    const items = ['<b>', 'ok'].map((t) => html`<li>${t}</li>`);
    const out = html`<ul>${items}</ul>${null}${undefined}${false}${raw('<hr>')}${42}<p>${'<script>alert(1)</script>'}</p>`;
    expect(out.value).toBe('<ul><li>&lt;b&gt;</li><li>ok</li></ul><hr>42<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('builds a whole document with a language, a title and the organisation', () => {
    const doc = emailLayout({ title: 'Hello & welcome', orgName: 'Trust <NHS>', body: html`<h1>Hi</h1>` });
    expect(doc).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(doc).toContain('<title>Hello &amp; welcome</title>');
    expect(doc).toContain('<p>Trust &lt;NHS&gt;</p>');
    expect(doc).toContain('<h1>Hi</h1>');
  });
});

describe('the email layout', () => {
  const doc = emailLayout({ title: 'Our decision', orgName: 'Trust', body: html`<h1>Hi</h1><p>Text</p>` });
  const families = [...doc.matchAll(/font-family:\s*([^;"]+)/g)].map((m) => m[1]!.trim());

  it('uses the NHS font stack (Frutiger, then Arial), never the mail program’s serif default', () => {
    expect(EMAIL_FONT_STACK).toBe("'Frutiger W01', Arial, sans-serif");
    // In the head for the elements, and inline on the body and the column for programs that drop <style>.
    expect(doc).toMatch(/<style>[\s\S]*body \{[^}]*font-family: 'Frutiger W01', Arial, sans-serif;/);
    expect(doc).toMatch(/<body style="[^"]*font-family: 'Frutiger W01', Arial, sans-serif;/);
    expect(doc).toMatch(/<div class="email" style="[^"]*font-family: 'Frutiger W01', Arial, sans-serif;/);
    expect(families.length).toBeGreaterThanOrEqual(3);
    for (const family of families) expect(family.split(',').at(-1)!.trim()).toBe('sans-serif');
    expect(doc).not.toMatch(/font-family:[^;"]*(Times|Georgia|[^-]serif)/);
  });

  it('sets the text in one readable column, 16 px with room between lines', () => {
    expect(doc).toMatch(/<div class="email" style="[^"]*max-width: 600px;[^"]*margin: 0 auto;/);
    expect(doc).toMatch(/<body style="[^"]*font-size: 16px; line-height: 1\.5;/);
    // The whole body and footer sit inside the column.
    expect(doc.indexOf('<div class="email"')).toBeLessThan(doc.indexOf('<main>'));
    expect(doc.indexOf('</footer>')).toBeLessThan(doc.lastIndexOf('</div>'));
  });

  it('is what a real template sends', () => {
    const decision = appealDecisionEmail({
      orgName: 'Trust',
      name: null,
      appealReference: 'AAAA-BBBB-CCC',
      caseReference: null,
      outcome: 'upheld',
      explanation: 'Because.',
      version: '1.0',
      publicUrl: 'https://example.org',
      followUps: [],
      followUpBy: null,
      complaintsUrl: 'https://example.org/complaints',
    });
    expect(decision.html).toContain(`<body style="`);
    expect(decision.html).toContain(EMAIL_FONT_STACK);
    expect(decision.html).toContain('max-width: 600px');
  });
});

describe('notificationEmail', () => {
  const email = notificationEmail({
    orgName: 'Norfolk and Suffolk NHS Foundation Trust',
    subject: 'Your appeal <FH-123>',
    heading: 'We have "news" for you',
    paragraphs: ['First <img src=x onerror=alert(1)> paragraph.', 'Second & last.'],
    link: { text: 'See your appeal', url: 'https://example.org/a?x=1&y="2"' },
  });

  it('keeps the subject as given (headers are encoded by the transport, not HTML-escaped)', () => {
    expect(email.subject).toBe('Your appeal <FH-123>');
  });

  it('escapes every piece of user text in the HTML part', () => {
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('<h1>We have &quot;news&quot; for you</h1>');
    expect(email.html).toContain('<p>First &lt;img src=x onerror=alert(1)&gt; paragraph.</p>');
    expect(email.html).toContain('<p>Second &amp; last.</p>');
    expect(email.html).toContain('<a href="https://example.org/a?x=1&amp;y=&quot;2&quot;">See your appeal</a>');
    expect(email.html).toContain('<title>Your appeal &lt;FH-123&gt;</title>');
  });

  it('always has a plain-text part with the same content, unescaped', () => {
    expect(email.text).toBe(
      [
        'We have "news" for you',
        'First <img src=x onerror=alert(1)> paragraph.',
        'Second & last.',
        'See your appeal: https://example.org/a?x=1&y="2"',
        '--',
        'Norfolk and Suffolk NHS Foundation Trust',
      ].join('\n\n') + '\n',
    );
  });

  it('works without a link', () => {
    const e = notificationEmail({ orgName: 'Org', subject: 'S', heading: 'H', paragraphs: ['P'] });
    expect(e.html).not.toContain('<a ');
    expect(e.text).toBe('H\n\nP\n\n--\n\nOrg\n');
  });
});

describe('worker logs', () => {
  it('never print an email address from an SMTP error', async () => {
    const { withoutAddresses } = await import('../../src/lib/email/worker.ts');
    expect(withoutAddresses('550 5.1.1 <jane.doe@example.org>: Recipient address rejected')).toBe(
      '550 5.1.1 <[address]>: Recipient address rejected',
    );
  });
});
