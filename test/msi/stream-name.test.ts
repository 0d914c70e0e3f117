import { describe, expect, it } from 'vitest';
import {
  decodeStreamName,
  encodeStreamName,
  isValidStreamName,
  MAX_STREAM_NAME_LENGTH,
} from '../../src/msi/stream-name.js';

const units = (hex: string): string =>
  String.fromCharCode(...hex.split(' ').map((unit) => parseInt(unit, 16)));

// docs/formats.md §2.4
const VECTORS: [string, boolean, string][] = [
  ['_Columns', true, '4840 3B3F 43F2 4438 45B1'],
  ['_Tables', true, '4840 3F7F 4164 422F 4836'],
  ['_StringPool', true, '4840 3F3F 4577 446C 3E6A 44B2 482F'],
  ['_StringData', true, '4840 3F3F 4577 446C 3B6A 45E4 4824'],
  ['_Validation', true, '4840 3FFF 43E4 41EC 45E4 44AC 4831'],
  ['Property', true, '4840 4559 44F2 4568 4737'],
  ['Media', true, '4840 4216 4327 4824'],
  ['App.exe', false, '44CA 47B3 46E8 4828'],
  ['Sample.cab', false, '411C 44F0 422F 41BE 4164'],
  ['MsiDigitalCertificate', true, '4840 4596 3B6C 42AC 45EC 43E4 420C 45F5 426C 41AC 45E4 4828'],
  ['MsiPatchCertificate', true, '4840 4596 3E6C 45E4 42E6 420C 45F5 426C 41AC 45E4 4828'],
  ['MsiDigitalSignature', true, '4840 4596 3B6C 42AC 45EC 43E4 431C 446A 45E4 4578 4828'],
  [
    'MsiDigitalCertificate.Cert1',
    false,
    '4596 3B6C 42AC 45EC 43E4 420C 45F5 426C 41AC 45E4 47A8 420C 45F5 4801',
  ],
];

describe('MSI stream-name mangling (docs/formats.md §2)', () => {
  it.each(VECTORS)('encodes %s (table: %s) to the §2.4 code units', (name, isTable, hex) => {
    expect(encodeStreamName(name, isTable)).toBe(units(hex));
  });

  it.each(VECTORS)('decodes the §2.4 code units back to %s', (name, isTable, hex) => {
    expect(decodeStreamName(units(hex))).toEqual({ name, isTable });
  });

  it('packs the second character of a pair into the high six bits', () => {
    // 'A' = 10, 'B' = 11 → 0x3800 + (11 << 6) + 10
    expect(encodeStreamName('AB', false).charCodeAt(0)).toBe(0x3800 + (11 << 6) + 10);
  });

  it('passes characters outside the alphabet through and breaks pairs around them', () => {
    const raw = encodeStreamName('a-b c', false);
    expect([...raw].map((c) => c.charCodeAt(0))).toEqual([
      0x4800 + 36,
      0x2d,
      0x4800 + 37,
      0x20,
      0x4800 + 38,
    ]);
    expect(decodeStreamName(raw).name).toBe('a-b c');
  });

  it('leaves raw OLE names such as \\x05SummaryInformation unchanged when decoding', () => {
    expect(decodeStreamName('\u0005SummaryInformation')).toEqual({
      name: '\u0005SummaryInformation',
      isTable: false,
    });
  });

  it('round-trips every alphabet pair and non-alphabet text', () => {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._';
    for (const a of alphabet) {
      for (const b of alphabet) {
        expect(decodeStreamName(encodeStreamName(a + b, true))).toEqual({
          name: a + b,
          isTable: true,
        });
      }
    }
    for (const name of ['Binary.Icon-1', 'Ünïcode.dll', 'x', '', 'a b.c']) {
      expect(decodeStreamName(encodeStreamName(name, false))).toEqual({ name, isTable: false });
    }
  });

  it('passes a 0x4840 code unit after the first position through', () => {
    expect(decodeStreamName(units('4840 4840')).name).toBe('\u4840');
  });

  it('accepts names whose mangled form fits 31 code units and rejects longer ones', () => {
    const fits = 'A'.repeat(60); // 30 pairs + table prefix = 31 units
    expect(encodeStreamName(fits, true).length).toBe(MAX_STREAM_NAME_LENGTH);
    expect(isValidStreamName(fits, true)).toBe(true);
    expect(isValidStreamName(fits + 'A', true)).toBe(false);
    expect(isValidStreamName('A'.repeat(62), false)).toBe(true);
    expect(isValidStreamName('A'.repeat(63), false)).toBe(false);
    expect(isValidStreamName('-'.repeat(32), false)).toBe(false);
    expect(isValidStreamName('', false)).toBe(false);
  });
});
