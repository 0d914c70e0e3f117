import { describe, expect, it } from 'vitest';
import { MalformedPackageError } from '../../src/errors.js';
import type { ColumnDefinition } from '../../src/msi/column.js';
import { StringPool } from '../../src/msi/string-pool.js';
import {
  BinaryRef,
  binaryStreamName,
  decodeRows,
  decodeTableStream,
  encodeRow,
  encodeTableStream,
  rowSize,
} from '../../src/msi/table.js';
import { encodeStreamName } from '../../src/msi/stream-name.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/[\s|]/g, ''), 'hex');
const columns = (...types: [string, number][]): ColumnDefinition[] =>
  types.map(([name, type], i) => ({ number: i + 1, name, type }));

describe('table streams (docs/formats.md §3.5–§3.7)', () => {
  // rust-msi test insert_row_order: (binary, i2 key, i4)
  const example = columns(['Data', 0x0900], ['Id', 0x2502], ['Value', 0x0104]);
  const exampleBytes = hex(
    '01 00 01 00 01 00 | 14 80 1E 80 FF FF | 0A 00 00 80 14 00 00 80 00 00 00 80',
  );

  it('writes the §3.5 example column-major, sorted by key', () => {
    const pool = StringPool.create();
    const rows = [
      encodeRow(example, [new Uint8Array(1), 32767, 0], pool),
      encodeRow(example, [new Uint8Array(1), 20, 10], pool),
      encodeRow(example, [new Uint8Array(1), 30, 20], pool),
    ];
    expect(encodeTableStream(example, rows, 2)).toEqual(exampleBytes);
  });

  it('reads the §3.5 example back', () => {
    const raw = decodeTableStream('T', exampleBytes, example, 2);
    expect(raw).toEqual([
      [1, 0x8014, 0x8000000a],
      [1, 0x801e, 0x80000014],
      [1, 0xffff, 0x80000000],
    ]);
    const rows = decodeRows('T', example, raw, StringPool.create());
    expect(rows.map((row) => [String(row.Data), row.Id, row.Value])).toEqual([
      ['T.20', 20, 10],
      ['T.30', 30, 20],
      ['T.32767', 32767, 0],
    ]);
    expect(rows[0]!.Data).toBeInstanceOf(BinaryRef);
  });

  it('sorts string keys by string ID, not by text', () => {
    const pool = StringPool.create();
    const cols = columns(['Key', 0x2d48], ['Value', 0x1d48]);
    const zebra = encodeRow(cols, ['zebra', 'z'], pool); // ID 1
    const apple = encodeRow(cols, ['apple', null], pool); // ID 3
    const stream = encodeTableStream(cols, [apple, zebra], 2);
    expect(stream).toEqual(hex('0100 0300 | 0200 0000'));
  });

  it('sorts by the key columns in column order, comparing raw values unsigned', () => {
    const cols = columns(['A', 0x2502], ['B', 0x2104], ['C', 0x0502]);
    const rows = [
      [0x8001, 0x80000002, 0x8003],
      [0x8001, 0x7fffffff, 0x8004], // B = −1 sorts before B = 2
      [0x7fff, 0x80000005, 0x8005], // A = −1 first
    ];
    const sorted = decodeTableStream('T', encodeTableStream(cols, rows, 2), cols, 2);
    expect(sorted).toEqual([rows[2], rows[1], rows[0]]);
  });

  it('uses 3-byte string references with the long-reference flag', () => {
    const cols = columns(['Key', 0x2d48], ['Number', 0x0502]);
    const rows = [[0x012345, 0x8001]];
    const stream = encodeTableStream(cols, rows, 3);
    expect(stream).toEqual(hex('452301 0180'));
    expect(decodeTableStream('T', stream, cols, 3)).toEqual(rows);
    expect(rowSize(cols, 3)).toBe(5);
    expect(() => encodeTableStream(cols, rows, 2)).toThrow(RangeError);
  });

  it('names binary streams after every key column in order, integers in decimal', () => {
    const pool = StringPool.create();
    const cols = columns(
      ['Table', 0x2d20],
      ['SignObject', 0x2d48],
      ['Cert', 0x0d48],
      ['Hash', 0x1900],
    );
    const row = encodeRow(cols, ['Media', '1', 'Cert1', new Uint8Array(1)], pool);
    expect(binaryStreamName('MsiDigitalSignature', cols, row, pool)).toBe(
      'MsiDigitalSignature.Media.1',
    );
    const ints = columns(['A', 0x2502], ['B', 0x2104], ['Data', 0x0900]);
    const intRow = encodeRow(ints, [-5, 100000, new Uint8Array(0)], pool);
    expect(binaryStreamName('Icons', ints, intRow, pool)).toBe('Icons.-5.100000');
    const ref = decodeRows('Icons', ints, [intRow], pool)[0]!.Data as BinaryRef;
    expect(ref.streamName).toBe('Icons.-5.100000');
    expect(ref.rawStreamName).toBe(encodeStreamName('Icons.-5.100000', false));
  });

  it('reads NULL cells of every kind as null', () => {
    const pool = StringPool.create();
    const cols = columns(['K', 0x2d48], ['S', 0x1d48], ['I', 0x1502], ['L', 0x1104], ['B', 0x1900]);
    const row = encodeRow(cols, ['k', null, null, null, null], pool);
    expect(row).toEqual([1, 0, 0, 0, 0]);
    expect({ ...decodeRows('T', cols, [row], pool)[0] }).toEqual({
      K: 'k',
      S: null,
      I: null,
      L: null,
      B: null,
    });
  });

  it('keeps a column named __proto__ as data', () => {
    const pool = StringPool.create();
    const cols = columns(['__proto__', 0x2d48]);
    const row = decodeRows('T', cols, [encodeRow(cols, ['x'], pool)], pool)[0]!;
    expect(Object.keys(row)).toEqual(['__proto__']);
    expect(row['__proto__']).toBe('x');
  });

  it('refuses values of the wrong kind', () => {
    const pool = StringPool.create();
    const cols = columns(['K', 0x2d48], ['N', 0x0502]);
    expect(() => encodeRow(cols, [1, 1], pool)).toThrow(TypeError);
    expect(() => encodeRow(cols, ['a', 'b'], pool)).toThrow(TypeError);
    expect(() => encodeRow(cols, ['a'], pool)).toThrow(RangeError);
  });

  describe('damaged streams', () => {
    it('rejects a stream that is not a whole number of rows', () => {
      expect(() => decodeTableStream('T', exampleBytes.subarray(0, 23), example, 2)).toThrow(
        MalformedPackageError,
      );
    });

    it('reads an absent (empty) stream as zero rows', () => {
      expect(decodeTableStream('T', new Uint8Array(0), example, 2)).toEqual([]);
    });

    it('rejects more rows than the limit without building them', () => {
      expect(() =>
        decodeTableStream('T', new Uint8Array(2 * 1000), columns(['A', 0x2502]), 2, {
          maxRows: 999,
        }),
      ).toThrow(MalformedPackageError);
    });

    it('rejects string references outside the pool when decoding', () => {
      const pool = StringPool.parse(hex('E4040000 03000100'), Buffer.from('Foo'));
      const cols = columns(['K', 0x2d48]);
      expect(() => decodeRows('T', cols, [[2]], pool)).toThrow(MalformedPackageError);
    });
  });
});
