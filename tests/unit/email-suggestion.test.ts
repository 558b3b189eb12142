import { describe, expect, it } from 'vitest';
import { COMMON_DOMAINS, editDistance, suggestEmail } from '../../src/lib/appeals/email-suggestion.ts';

describe('editDistance (Damerau–Levenshtein, optimal string alignment)', () => {
  it('counts insertions, deletions, substitutions and a swap of neighbours as one each', () => {
    expect(editDistance('gmail.com', 'gmail.com')).toBe(0);
    expect(editDistance('gmai.com', 'gmail.com')).toBe(1); // missing letter
    expect(editDistance('gmaill.com', 'gmail.com')).toBe(1); // extra letter
    expect(editDistance('gmail.con', 'gmail.com')).toBe(1); // wrong letter
    expect(editDistance('gmial.com', 'gmail.com')).toBe(1); // swapped neighbours
    expect(editDistance('gmial.con', 'gmail.com')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('ca', 'abc')).toBe(3); // the restricted form: no edit of a swapped pair
  });
});

describe('suggestEmail', () => {
  it('suggests the common domain for a likely typo, keeping the part before the @', () => {
    expect(suggestEmail('jo.bloggs@gmial.con')).toBe('jo.bloggs@gmail.com');
    expect(suggestEmail('jo@gmail.co')).toBe('jo@gmail.com');
    expect(suggestEmail('jo@hotmial.co.uk')).toBe('jo@hotmail.co.uk');
    expect(suggestEmail('jo@hotmail.co')).toBe('jo@hotmail.com');
    expect(suggestEmail('jo@outlok.com')).toBe('jo@outlook.com');
    expect(suggestEmail('jo@yahooo.co.uk')).toBe('jo@yahoo.co.uk');
    expect(suggestEmail('jo@btinternet.co')).toBe('jo@btinternet.com');
    expect(suggestEmail('jo@icloud.con')).toBe('jo@icloud.com');
    expect(suggestEmail('jo@nhs.ner')).toBe('jo@nhs.net');
    expect(suggestEmail('jo@aol.con')).toBe('jo@aol.com');
    expect(suggestEmail('jo@googlemail.co')).toBe('jo@googlemail.com');
    // The last @ splits: a quoted local part with an @ in it keeps it.
    expect(suggestEmail('"a@b"@gmial.com')).toBe('"a@b"@gmail.com');
  });

  it('leaves common domains, real near-misses and other domains alone', () => {
    for (const domain of COMMON_DOMAINS) expect(suggestEmail(`jo@${domain}`)).toBeUndefined();
    for (const real of [
      'mail.com',
      'email.com',
      'live.com',
      'ymail.com',
      'gmx.com',
      'me.com',
      'outlook.co.uk',
      'hotmail.fr',
      'nhs.uk',
    ]) {
      expect(suggestEmail(`jo@${real}`), real).toBeUndefined();
    }
    for (const other of ['example.org', 'nhs.scot', 'sheffield.ac.uk', 'gov.uk', 'virginmedia.com', 'nots.com']) {
      expect(suggestEmail(`jo@${other}`), other).toBeUndefined();
    }
    // Short domains allow one slip, not two: "aoo.co" is not taken for aol.com.
    expect(suggestEmail('jo@aoo.co')).toBeUndefined();
    expect(suggestEmail('no-at-sign')).toBeUndefined();
  });
});
