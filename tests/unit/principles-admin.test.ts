import { describe, expect, it } from 'vitest';
import {
  editorFieldOrder,
  errorsForForm,
  groundRowsOf,
  readDraftForm,
  readPublishForm,
} from '../../src/lib/principles/admin.ts';

const g = (code: string) => ({ code, title: `${code} title`, description: `${code} description`, position: 0 });

describe('the draft editor form', () => {
  it('shows a draft as its grounds plus one blank row for a new ground', () => {
    const rows = groundRowsOf({ grounds: [g('a'), g('b')] });
    expect(rows.map((r) => [r.index, r.code, r.isNew])).toEqual([
      [0, 'a', false],
      [1, 'b', false],
      [2, '', true],
    ]);
  });

  it('leaves out retired rows and an unused blank row, and keeps where each ground came from', () => {
    const form = readDraftForm({
      bodyMarkdown: 'Text',
      changeSummary: 'Summary',
      'grounds.0.code': 'a',
      'grounds.0.title': 'A',
      'grounds.0.description': 'Ad',
      'grounds.1.code': 'b',
      'grounds.1.title': 'B',
      'grounds.1.description': 'Bd',
      'grounds.1.retire': 'yes',
      'grounds.2.code': 'c',
      'grounds.2.title': 'C',
      'grounds.2.description': 'Cd',
      'grounds.3.code': '',
      'grounds.3.title': ' ',
      'grounds.3.description': '',
      'grounds.3.new': 'yes',
    });
    expect(form.input).toEqual({
      bodyMarkdown: 'Text',
      changeSummary: 'Summary',
      grounds: [
        { code: 'a', title: 'A', description: 'Ad' },
        { code: 'c', title: 'C', description: 'Cd' },
      ],
    });
    expect(form.sourceIndex).toEqual([0, 2]);
    // Everything is shown again, the retired box still ticked; the unused blank row stays the blank row.
    expect(form.rows.map((r) => [r.index, r.retire, r.isNew])).toEqual([
      [0, false, false],
      [1, true, false],
      [2, false, false],
      [3, false, true],
    ]);
  });

  it('adds the new ground when the blank row is filled in, and offers another blank row', () => {
    const form = readDraftForm({
      'grounds.0.code': 'a',
      'grounds.0.title': 'A',
      'grounds.0.description': 'Ad',
      'grounds.1.code': 'new-one',
      'grounds.1.title': 'New',
      'grounds.1.description': 'Nd',
      'grounds.1.new': 'yes',
    });
    expect(form.input.grounds.map((x) => x.code)).toEqual(['a', 'new-one']);
    expect(form.rows.map((r) => [r.index, r.code, r.isNew])).toEqual([
      [0, 'a', false],
      [1, 'new-one', true],
      [2, '', true],
    ]);
  });

  it('puts errors next to the fields they came from', () => {
    expect(errorsForForm({ changeSummary: 'x', 'grounds.1.code': 'bad code', grounds: 'too many' }, [0, 2])).toEqual({
      changeSummary: 'x',
      'grounds.2.code': 'bad code',
      grounds: 'too many',
    });
    expect(editorFieldOrder(groundRowsOf({ grounds: [g('a')] })).slice(0, 5)).toEqual([
      'changeSummary',
      'bodyMarkdown',
      'grounds',
      'grounds.0.code',
      'grounds.0.title',
    ]);
  });

  it('ignores forged fields and absurd row numbers', () => {
    const form = readDraftForm({
      'grounds.999.code': 'x',
      'grounds.0.code;drop': 'y',
      'grounds.__proto__.code': 'z',
      bodyMarkdown: ['a', 'b'],
    });
    expect(form.input.grounds).toEqual([]);
    expect(form.input.bodyMarkdown).toBe('');
  });
});

describe('the publish form', () => {
  it('reads minor or major, now or a UK date and time', () => {
    expect(readPublishForm({ kind: 'minor', when: 'now' })).toEqual({ ok: true, kind: 'minor', effectiveAt: 'now' });
    expect(
      readPublishForm({
        kind: 'major',
        when: 'later',
        'effective-day': '1',
        'effective-month': '7',
        'effective-year': '2027',
        'effective-time': '09:30',
      }),
    ).toEqual({
      ok: true,
      kind: 'major',
      effectiveAt: new Date('2027-07-01T08:30:00Z'),
    });
  });

  it('says what is missing or wrong', () => {
    expect(readPublishForm({})).toEqual({
      ok: false,
      errors: { kind: expect.stringMatching(/^Select/), when: expect.stringMatching(/^Select/) },
    });
    expect(readPublishForm({ kind: 'minor', when: 'later' })).toEqual({
      ok: false,
      errors: { effective: expect.stringMatching(/^Enter the date/) },
    });
    expect(
      readPublishForm({
        kind: 'minor',
        when: 'later',
        'effective-day': '31',
        'effective-month': '2',
        'effective-year': '2030',
        'effective-time': '09:00',
      }),
    ).toEqual({
      ok: false,
      errors: { effective: expect.stringMatching(/^Enter a real date/) },
    });
    expect(readPublishForm({ kind: 'patch', when: 'now' })).toMatchObject({
      ok: false,
      errors: { kind: expect.any(String) },
    });
  });
});
