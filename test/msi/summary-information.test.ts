import { describe, expect, it } from 'vitest';
import { MalformedPackageError } from '../../src/errors.js';
import {
  dateToFiletime,
  encodeSummaryInformation,
  filetimeToDate,
  parseSummaryInformation,
  SummaryPropertyId as P,
  type SummaryValue,
} from '../../src/msi/summary-information.js';

const created = new Date('2024-05-06T07:08:09.000Z');

function sample(): Map<number, SummaryValue> {
  return new Map<number, SummaryValue>([
    [P.CODEPAGE, { type: 'int16', value: 1252 }],
    [P.TITLE, { type: 'string', value: 'Installation Database' }],
    [P.SUBJECT, { type: 'string', value: 'Café Product' }],
    [P.AUTHOR, { type: 'string', value: 'Acme' }],
    [P.KEYWORDS, { type: 'string', value: 'Installer' }],
    [P.COMMENTS, { type: 'string', value: 'c' }],
    [P.TEMPLATE, { type: 'string', value: 'x64;1033' }],
    [P.LAST_SAVED_BY, { type: 'string', value: 'me' }],
    [P.REVISION_NUMBER, { type: 'string', value: '{01234567-89AB-CDEF-0123-456789ABCDEF}' }],
    [P.CREATE_TIME, { type: 'filetime', value: dateToFiletime(created) }],
    [P.LAST_SAVE_TIME, { type: 'filetime', value: dateToFiletime(created) }],
    [P.PAGE_COUNT, { type: 'int32', value: 500 }],
    [P.WORD_COUNT, { type: 'int32', value: 2 }],
    [P.CREATING_APPLICATION, { type: 'string', value: 'verify-authenticode' }],
    [P.SECURITY, { type: 'int32', value: 2 }],
  ]);
}

describe('summary information (docs/formats.md §4)', () => {
  it('round-trips every property Windows Installer uses', () => {
    const bytes = encodeSummaryInformation(sample());
    const summary = parseSummaryInformation(bytes);
    expect(summary).toMatchObject({
      codePage: 1252,
      title: 'Installation Database',
      subject: 'Café Product',
      author: 'Acme',
      keywords: 'Installer',
      comments: 'c',
      template: 'x64;1033',
      lastSavedBy: 'me',
      revisionNumber: '{01234567-89AB-CDEF-0123-456789ABCDEF}',
      createTime: created,
      lastSaveTime: created,
      pageCount: 500,
      wordCount: 2,
      creatingApplication: 'verify-authenticode',
      security: 2,
      osKind: 2,
    });
    expect(summary.properties).toEqual(sample());
    expect(encodeSummaryInformation(summary.properties, summary)).toEqual(bytes);
  });

  it('lays the stream out as §4.1 describes', () => {
    const bytes = encodeSummaryInformation(
      new Map([[P.TITLE, { type: 'string', value: 'Patch' }]]),
    );
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from('feff000006020200', 'hex'));
    expect(bytes.readUInt32LE(24)).toBe(1);
    expect(bytes.subarray(28, 44)).toEqual(Buffer.from('e0859ff2f94f6810ab9108002b27b3d9', 'hex'));
    expect(bytes.readUInt32LE(44)).toBe(48);
    // section: size, count, (pid 2, offset 16), VT_LPSTR, 6 bytes with NUL, "Patch\0" + 2 pad
    expect(bytes.subarray(48)).toEqual(
      Buffer.from(
        '20000000 01000000 02000000 10000000 1e000000 06000000 5061746368000000'.replace(/ /g, ''),
        'hex',
      ),
    );
  });

  it('decodes strings with the PID 1 code page', () => {
    const props = new Map<number, SummaryValue>([
      [P.CODEPAGE, { type: 'int16', value: 1251 }],
      [P.AUTHOR, { type: 'string', value: 'Жук' }],
    ]);
    const bytes = encodeSummaryInformation(props);
    expect(bytes.includes(Buffer.from([0xc6, 0xf3, 0xea]))).toBe(true);
    expect(parseSummaryInformation(bytes).author).toBe('Жук');
  });

  it('reads code page 65001 stored as a negative VT_I2', () => {
    const props = new Map<number, SummaryValue>([
      [P.CODEPAGE, { type: 'int16', value: -535 }],
      [P.AUTHOR, { type: 'string', value: 'Ωmega' }],
    ]);
    const summary = parseSummaryInformation(encodeSummaryInformation(props));
    expect(summary.codePage).toBe(65001);
    expect(summary.author).toBe('Ωmega');
  });

  it('converts FILETIME values', () => {
    expect(filetimeToDate(116444736000000000n).getTime()).toBe(0);
    expect(dateToFiletime(new Date(0))).toBe(116444736000000000n);
  });

  it('keeps unknown value types without reading them', () => {
    const bytes = encodeSummaryInformation(new Map([[P.TITLE, { type: 'string', value: 'T' }]]));
    bytes.writeUInt32LE(0x1041, 48 + 16); // VT_VECTOR | VT_BLOB at the title
    const summary = parseSummaryInformation(bytes);
    expect(summary.properties.get(P.TITLE)).toEqual({ type: 'unknown', vt: 0x1041 });
    expect(summary.title).toBeUndefined();
  });

  it('ignores a title stored with an unexpected type', () => {
    const bytes = encodeSummaryInformation(new Map([[P.TITLE, { type: 'int32', value: 7 }]]));
    expect(parseSummaryInformation(bytes).title).toBeUndefined();
  });

  describe('damaged streams', () => {
    const good = (): Buffer => encodeSummaryInformation(sample());

    it.each([
      ['a truncated header', (b: Buffer) => b.subarray(0, 40)],
      ['a wrong byte-order mark', (b: Buffer) => (b.writeUInt16LE(0xfeff, 0), b)],
      ['no sections', (b: Buffer) => (b.writeUInt32LE(0, 24), b)],
      ['an absurd section count', (b: Buffer) => (b.writeUInt32LE(0xffffffff, 24), b)],
      ['no summary FMTID', (b: Buffer) => (b.fill(0, 28, 44), b)],
      ['a section offset past the end', (b: Buffer) => (b.writeUInt32LE(0x7fffffff, 44), b)],
      ['a section size past the end', (b: Buffer) => (b.writeUInt32LE(0x7fffffff, 48), b)],
      ['an absurd property count', (b: Buffer) => (b.writeUInt32LE(0x10000000, 52), b)],
      ['a property offset past the section', (b: Buffer) => (b.writeUInt32LE(0xfffffff0, 60), b)],
      ['a truncated stream', (b: Buffer) => b.subarray(0, b.length - 8)],
    ])('rejects %s', (_, damage) => {
      expect(() => parseSummaryInformation(damage(good()))).toThrow(MalformedPackageError);
    });

    it('rejects a string whose length overruns the section', () => {
      const bytes = encodeSummaryInformation(new Map([[P.TITLE, { type: 'string', value: 'T' }]]));
      bytes.writeUInt32LE(0xfffffff0, 48 + 20);
      expect(() => parseSummaryInformation(bytes)).toThrow(MalformedPackageError);
    });
  });
});
