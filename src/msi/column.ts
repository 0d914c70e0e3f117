/**
 * The `_Columns.Type` bit field (docs/formats.md §3.4) and the encoding of single cells (§3.5).
 */

/** Bits of `_Columns.Type`; names follow msitools `msipriv.h` where it has them. */
export const ColumnTypeBits = {
  /** Strings: maximum length in characters (0 = unlimited). Integers: 2 or 4 bytes. */
  SIZE_MASK: 0x00ff,
  VALID: 0x0100,
  LOCALIZABLE: 0x0200,
  /** Set on string and i2 columns, clear on i4 and binary ones; official name unknown. */
  NON_BINARY: 0x0400,
  STRING: 0x0800,
  NULLABLE: 0x1000,
  KEY: 0x2000,
  TEMPORARY: 0x4000,
  UNKNOWN: 0x8000,
} as const;

const { SIZE_MASK, VALID, LOCALIZABLE, NON_BINARY, STRING, NULLABLE, KEY, TEMPORARY, UNKNOWN } =
  ColumnTypeBits;

/** How a column's cells are stored. */
export type ColumnKind = 'int16' | 'int32' | 'string' | 'binary';

/** One `_Columns` row, validated. */
export interface ColumnDefinition {
  /** 1-based position in the table. */
  readonly number: number;
  readonly name: string;
  /** The raw `_Columns.Type` bit field. */
  readonly type: number;
}

/** msitools `MSITYPE_IS_BINARY`: string bit with only VALID (and optionally NULLABLE). */
export function isBinaryType(type: number): boolean {
  return (type & ~NULLABLE) === (STRING | VALID);
}

export function columnKind(type: number): ColumnKind {
  if (isBinaryType(type)) return 'binary';
  if (type & STRING) return 'string';
  // Integer columns declared with size 1 are still 2-byte cells (rust-msi #8/#50); msitools
  // stores every other size as 4 bytes.
  return (type & SIZE_MASK) <= 2 ? 'int16' : 'int32';
}

export const isKeyType = (type: number): boolean => (type & KEY) !== 0;
export const isNullableType = (type: number): boolean => (type & NULLABLE) !== 0;
export const isLocalizableType = (type: number): boolean => (type & LOCALIZABLE) !== 0;

/** Bytes one cell of this column takes in a table stream (msitools `bytes_per_column`). */
export function cellWidth(type: number, referenceWidth: 2 | 3): 2 | 3 | 4 {
  switch (columnKind(type)) {
    case 'binary':
    case 'int16':
      return 2;
    case 'string':
      return referenceWidth;
    case 'int32':
      return 4;
  }
}

/**
 * The IDT/Orca notation of a type (`s72`, `L0`, `i2`, `I4`, `v0`), as the second header line
 * of an `.idt` file and `msiinfo export` show it.
 */
export function formatIdtType(type: number): string {
  let letter: string;
  let size = String(type & SIZE_MASK);
  if (isBinaryType(type)) {
    letter = 'v';
    size = '0';
  } else if (type & LOCALIZABLE) letter = 'l';
  else if (type & UNKNOWN) letter = 'f';
  else if (type & STRING) letter = type & TEMPORARY ? 'g' : 's';
  else letter = type & TEMPORARY ? 'j' : 'i';
  return (type & NULLABLE ? letter.toUpperCase() : letter) + size;
}

/**
 * The type bit field for an IDT notation; `key` adds the KEY bit. Throws RangeError for
 * notations this library does not write (only s/S, l/L, i/I, v/V are accepted).
 */
export function parseIdtType(notation: string, key = false): number {
  const match = /^([sSlLiIvV])(\d{1,3})$/.exec(notation);
  if (!match) throw new RangeError(`unsupported IDT column type ${JSON.stringify(notation)}`);
  const letter = match[1]!;
  const size = Number(match[2]);
  let type: number;
  switch (letter.toLowerCase()) {
    case 's':
    case 'l':
      if (size > SIZE_MASK) throw new RangeError(`string size ${size} exceeds 255`);
      type = VALID | NON_BINARY | STRING | size | (letter.toLowerCase() === 'l' ? LOCALIZABLE : 0);
      break;
    case 'i':
      if (size !== 1 && size !== 2 && size !== 4) {
        throw new RangeError(`integer size ${size} is not 1, 2 or 4`);
      }
      // EMPIRICAL: i2 columns carry 0x0400, i4 columns do not (§3.4).
      type = VALID | size | (size <= 2 ? NON_BINARY : 0);
      break;
    default:
      if (size !== 0) throw new RangeError(`binary columns are written v0/V0, not ${notation}`);
      type = VALID | STRING;
  }
  if (letter !== letter.toLowerCase()) type |= NULLABLE;
  if (key) type |= KEY;
  return type;
}

/** A 2-byte integer cell: stored `value + 0x8000`; raw 0 is NULL (§3.5). */
export function decodeInt16Cell(raw: number): number | null {
  return raw === 0 ? null : raw - 0x8000;
}

export function encodeInt16Cell(value: number | null): number {
  if (value === null) return 0;
  if (!Number.isInteger(value) || value < -0x7fff || value > 0x7fff) {
    throw new RangeError(`${value} does not fit a 2-byte MSI integer (−32767..32767)`);
  }
  return value + 0x8000;
}

/** A 4-byte integer cell: stored `value XOR 0x80000000`; raw 0 is NULL (§3.5). */
export function decodeInt32Cell(raw: number): number | null {
  return raw === 0 ? null : (raw ^ 0x80000000) | 0;
}

export function encodeInt32Cell(value: number | null): number {
  if (value === null) return 0;
  if (!Number.isInteger(value) || value < -0x7fffffff || value > 0x7fffffff) {
    throw new RangeError(`${value} does not fit a 4-byte MSI integer`);
  }
  return (value ^ 0x80000000) >>> 0;
}
