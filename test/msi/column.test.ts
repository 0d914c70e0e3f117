import { describe, expect, it } from 'vitest';
import {
  cellWidth,
  columnKind,
  decodeInt16Cell,
  decodeInt32Cell,
  encodeInt16Cell,
  encodeInt32Cell,
  formatIdtType,
  isBinaryType,
  parseIdtType,
} from '../../src/msi/column.js';

describe('column type bit field (docs/formats.md §3.4)', () => {
  // docs/formats.md §3.4 mapping table, §3.9, §3.10
  it.each([
    ['s72', false, 0x0d48],
    ['S72', false, 0x1d48],
    ['s255', false, 0x0dff],
    ['S255', false, 0x1dff],
    ['s0', false, 0x0d00],
    ['S0', false, 0x1d00],
    ['l255', false, 0x0fff],
    ['L64', false, 0x1f40],
    ['l0', false, 0x0f00],
    ['L0', false, 0x1f00],
    ['i2', false, 0x0502],
    ['I2', false, 0x1502],
    ['i4', false, 0x0104],
    ['I4', false, 0x1104],
    ['v0', false, 0x0900],
    ['V0', false, 0x1900],
    ['s72', true, 0x2d48],
    ['i2', true, 0x2502],
    ['i4', true, 0x2104],
    ['S20', true, 0x3d14],
    ['s32', true, 0x2d20],
  ] as const)('%s (key: %s) is 0x%s', (idt, key, type) => {
    expect(parseIdtType(idt, key)).toBe(type);
    expect(formatIdtType(type)).toBe(idt);
  });

  it('classifies cells and their widths', () => {
    expect(columnKind(0x0900)).toBe('binary');
    expect(columnKind(0x1900)).toBe('binary');
    expect(isBinaryType(0x0d00)).toBe(false);
    expect(columnKind(0x0d48)).toBe('string');
    expect(columnKind(0x0502)).toBe('int16');
    expect(columnKind(0x0501)).toBe('int16'); // size 1 is still a 2-byte cell (§8.2 item 22)
    expect(columnKind(0x0104)).toBe('int32');
    expect(cellWidth(0x0d48, 2)).toBe(2);
    expect(cellWidth(0x0d48, 3)).toBe(3);
    expect(cellWidth(0x0900, 3)).toBe(2);
    expect(cellWidth(0x0502, 3)).toBe(2);
    expect(cellWidth(0x0104, 3)).toBe(4);
  });

  it('formats the catalog built-in types like msitools', () => {
    expect(formatIdtType(0x2940)).toBe('s64');
    expect(formatIdtType(0x2102)).toBe('i2');
  });

  it('rejects notations it would not write', () => {
    for (const bad of ['x72', 's256', 'i3', 'v1', '', 's'])
      expect(() => parseIdtType(bad)).toThrow(RangeError);
  });
});

describe('integer cells (docs/formats.md §3.5)', () => {
  it('biases 2-byte integers by 0x8000 with raw 0 as NULL', () => {
    expect(encodeInt16Cell(20)).toBe(0x8014);
    expect(encodeInt16Cell(-1)).toBe(0x7fff);
    expect(encodeInt16Cell(32767)).toBe(0xffff);
    expect(encodeInt16Cell(null)).toBe(0);
    expect(decodeInt16Cell(0x8014)).toBe(20);
    expect(decodeInt16Cell(0x0001)).toBe(-32767);
    expect(decodeInt16Cell(0)).toBeNull();
    expect(() => encodeInt16Cell(-32768)).toThrow(RangeError);
    expect(() => encodeInt16Cell(32768)).toThrow(RangeError);
  });

  it('flips bit 31 of 4-byte integers with raw 0 as NULL', () => {
    expect(encodeInt32Cell(10)).toBe(0x8000000a);
    expect(encodeInt32Cell(0)).toBe(0x80000000);
    expect(encodeInt32Cell(-1)).toBe(0x7fffffff);
    expect(encodeInt32Cell(null)).toBe(0);
    expect(decodeInt32Cell(0x8000000a)).toBe(10);
    expect(decodeInt32Cell(0x7fffffff)).toBe(-1);
    expect(decodeInt32Cell(0xffffffff)).toBe(0x7fffffff);
    expect(decodeInt32Cell(1)).toBe(-0x7fffffff);
    expect(decodeInt32Cell(0)).toBeNull();
    expect(() => encodeInt32Cell(-0x80000000)).toThrow(RangeError);
    expect(() => encodeInt32Cell(1.5)).toThrow(RangeError);
  });
});
