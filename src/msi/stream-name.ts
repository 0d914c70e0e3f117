/**
 * MSI stream-name mangling (docs/formats.md §2). Windows Installer packs table and binary-stream
 * names into CFB names: two characters of a 64-symbol alphabet share one UTF-16 code unit, so
 * names of up to ~62 characters fit the 31-code-unit CFB limit.
 */

/** Prefix code unit of every stream that holds table data (§2.2). */
export const TABLE_STREAM_PREFIX = 0x4840;

/** A CFB directory name holds at most 31 code units (§2.5). */
export const MAX_STREAM_NAME_LENGTH = 31;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._';

const PAIR_BASE = 0x3800;
const SINGLE_BASE = 0x4800;

/** Alphabet value of a UTF-16 code unit, or -1 when the unit is not in the alphabet. */
function alphabetValue(unit: number): number {
  if (unit >= 0x30 && unit <= 0x39) return unit - 0x30;
  if (unit >= 0x41 && unit <= 0x5a) return unit - 0x41 + 10;
  if (unit >= 0x61 && unit <= 0x7a) return unit - 0x61 + 36;
  if (unit === 0x2e) return 62;
  if (unit === 0x5f) return 63;
  return -1;
}

/**
 * Mangles a logical name into the raw CFB name. `isTable` adds the 0x4840 prefix used by
 * table streams (including `_StringPool`, `_StringData`, `_Tables`, `_Columns`).
 *
 * Names of OLE streams such as `\x05SummaryInformation` are stored raw and must not be passed
 * through here (§2.2).
 */
export function encodeStreamName(name: string, isTable: boolean): string {
  let out = isTable ? String.fromCharCode(TABLE_STREAM_PREFIX) : '';
  for (let i = 0; i < name.length; i++) {
    const first = alphabetValue(name.charCodeAt(i));
    if (first < 0) {
      out += name[i]!;
      continue;
    }
    const second = i + 1 < name.length ? alphabetValue(name.charCodeAt(i + 1)) : -1;
    if (second >= 0) {
      // The second character occupies the high six bits (§2.2 "pair order").
      out += String.fromCharCode(PAIR_BASE + (second << 6) + first);
      i++;
    } else {
      out += String.fromCharCode(SINGLE_BASE + first);
    }
  }
  return out;
}

export interface DecodedStreamName {
  /** Logical name, e.g. `Property` or `Binary.CustomActionDll`. */
  readonly name: string;
  /** True when the raw name starts with the table prefix 0x4840. */
  readonly isTable: boolean;
}

/** Reverses {@link encodeStreamName}. Code units outside the mangling ranges pass through. */
export function decodeStreamName(raw: string): DecodedStreamName {
  const isTable = raw.length > 0 && raw.charCodeAt(0) === TABLE_STREAM_PREFIX;
  let name = '';
  for (let i = isTable ? 1 : 0; i < raw.length; i++) {
    const unit = raw.charCodeAt(i);
    if (unit >= PAIR_BASE && unit < SINGLE_BASE) {
      const packed = unit - PAIR_BASE;
      name += ALPHABET[packed & 0x3f]! + ALPHABET[(packed >> 6) & 0x3f]!;
    } else if (unit >= SINGLE_BASE && unit < TABLE_STREAM_PREFIX) {
      name += ALPHABET[unit - SINGLE_BASE]!;
    } else {
      name += raw[i]!;
    }
  }
  return { name, isTable };
}

/** Number of CFB code units the mangled name occupies (without a terminator). */
export function encodedStreamNameLength(name: string, isTable: boolean): number {
  return encodeStreamName(name, isTable).length;
}

/** True when the mangled name fits a CFB directory entry (§2.5). */
export function isValidStreamName(name: string, isTable: boolean): boolean {
  return name.length > 0 && encodedStreamNameLength(name, isTable) <= MAX_STREAM_NAME_LENGTH;
}
