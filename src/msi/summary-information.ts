/**
 * The `\x05SummaryInformation` OLE property set (docs/formats.md §4): package code, target
 * products of a patch, platform/language template, and friends.
 */
import { MalformedPackageError } from '../errors.js';
import { codecForCodePage } from './code-page.js';

/** Raw CFB name of the summary stream (stored unmangled, §2.2). */
export const SUMMARY_INFORMATION_STREAM = '\u0005SummaryInformation';

/** FMTID_SummaryInformation {F29F85E0-4FF9-1068-AB91-08002B27B3D9} in on-disk byte order. */
export const FMTID_SUMMARY_INFORMATION = Uint8Array.of(
  0xe0,
  0x85,
  0x9f,
  0xf2,
  0xf9,
  0x4f,
  0x68,
  0x10,
  0xab,
  0x91,
  0x08,
  0x00,
  0x2b,
  0x27,
  0xb3,
  0xd9,
);

/** Property IDs Windows Installer uses (§4.2). */
export const SummaryPropertyId = {
  CODEPAGE: 1,
  TITLE: 2,
  SUBJECT: 3,
  AUTHOR: 4,
  KEYWORDS: 5,
  COMMENTS: 6,
  TEMPLATE: 7,
  LAST_SAVED_BY: 8,
  REVISION_NUMBER: 9,
  LAST_PRINTED: 11,
  CREATE_TIME: 12,
  LAST_SAVE_TIME: 13,
  PAGE_COUNT: 14,
  WORD_COUNT: 15,
  CHARACTER_COUNT: 16,
  CREATING_APPLICATION: 18,
  SECURITY: 19,
} as const;

const VT_EMPTY = 0;
const VT_NULL = 1;
const VT_I2 = 2;
const VT_I4 = 3;
const VT_LPSTR = 30;
const VT_LPWSTR = 31;
const VT_FILETIME = 64;

/** A property value. Types Windows Installer does not use are kept as `unknown` with no data. */
export type SummaryValue =
  | { readonly type: 'empty' }
  | { readonly type: 'int16'; readonly value: number }
  | { readonly type: 'int32'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  /** 100-ns intervals since 1601-01-01 UTC. */
  | { readonly type: 'filetime'; readonly value: bigint }
  | { readonly type: 'unknown'; readonly vt: number };

export interface SummaryInformation {
  /** PID 1, the code page of the string properties (unsigned). */
  readonly codePage?: number;
  readonly title?: string;
  readonly subject?: string;
  readonly author?: string;
  readonly keywords?: string;
  readonly comments?: string;
  /** MSI: `Platform;LangID`; MSP: `;`-separated target ProductCodes. */
  readonly template?: string;
  /** MSP: `;`-separated transform sub-storage names. */
  readonly lastSavedBy?: string;
  /** MSI: the package code; MSP: patch code followed by obsoleted patch codes. */
  readonly revisionNumber?: string;
  readonly lastPrinted?: Date;
  readonly createTime?: Date;
  readonly lastSaveTime?: Date;
  /** Minimum installer version × 100. */
  readonly pageCount?: number;
  /** MSI: source-type flags. */
  readonly wordCount?: number;
  readonly characterCount?: number;
  readonly creatingApplication?: string;
  /** 0 none, 2 read-only recommended, 4 read-only enforced. */
  readonly security?: number;
  /** Every property by PID, as stored. */
  readonly properties: ReadonlyMap<number, SummaryValue>;
  /** Header fields kept so the stream can be rewritten as it was. */
  readonly osVersion: number;
  readonly osKind: number;
}

const FILETIME_UNIX_EPOCH = 116444736000000000n;

export function filetimeToDate(filetime: bigint): Date {
  return new Date(Number((filetime - FILETIME_UNIX_EPOCH) / 10000n));
}

export function dateToFiletime(date: Date): bigint {
  return BigInt(date.getTime()) * 10000n + FILETIME_UNIX_EPOCH;
}

function malformed(message: string): MalformedPackageError {
  return new MalformedPackageError(`summary information: ${message}`);
}

/** Parses the property set; structural damage throws MalformedPackageError. */
export function parseSummaryInformation(bytes: Uint8Array): SummaryInformation {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 48) throw malformed(`stream is ${bytes.length} bytes, shorter than a header`);
  if (view.getUint16(0, true) !== 0xfffe) throw malformed('byte-order mark is not 0xFFFE');
  const osVersion = view.getUint16(4, true);
  const osKind = view.getUint16(6, true);
  const sectionCount = view.getUint32(24, true);
  if (sectionCount === 0 || sectionCount > (bytes.length - 28) / 20) {
    throw malformed(`${sectionCount} sections do not fit the ${bytes.length}-byte stream`);
  }
  let sectionStart = -1;
  for (let i = 0; i < sectionCount; i++) {
    const at = 28 + i * 20;
    if (equalBytes(bytes.subarray(at, at + 16), FMTID_SUMMARY_INFORMATION)) {
      sectionStart = view.getUint32(at + 16, true);
      break;
    }
  }
  if (sectionStart < 0) throw malformed('no FMTID_SummaryInformation section');
  if (sectionStart + 8 > bytes.length) throw malformed('section offset is outside the stream');
  const sectionSize = view.getUint32(sectionStart, true);
  if (sectionSize < 8 || sectionSize > bytes.length - sectionStart) {
    throw malformed(`section size ${sectionSize} does not fit the stream`);
  }
  const propertyCount = view.getUint32(sectionStart + 4, true);
  if (propertyCount > (sectionSize - 8) / 8) {
    throw malformed(`${propertyCount} properties do not fit a ${sectionSize}-byte section`);
  }
  const section = bytes.subarray(sectionStart, sectionStart + sectionSize);
  const sectionView = new DataView(section.buffer, section.byteOffset, section.byteLength);

  const locations: { pid: number; offset: number }[] = [];
  for (let i = 0; i < propertyCount; i++) {
    const pid = sectionView.getUint32(8 + i * 8, true);
    const offset = sectionView.getUint32(12 + i * 8, true);
    if (offset < 8 || offset + 4 > sectionSize) {
      throw malformed(`property ${pid} offset ${offset} is outside the section`);
    }
    locations.push({ pid, offset });
  }

  // Strings are in the code page of PID 1, so read that first (§4.1).
  const codePageLocation = locations.find(
    (location) => location.pid === SummaryPropertyId.CODEPAGE,
  );
  let codePage: number | undefined;
  if (codePageLocation) {
    const value = readValue(section, sectionView, codePageLocation.offset, 0);
    if (value.type === 'int16' || value.type === 'int32') codePage = value.value & 0xffff;
  }
  const properties = new Map<number, SummaryValue>();
  for (const { pid, offset } of locations) {
    if (!properties.has(pid))
      properties.set(pid, readValue(section, sectionView, offset, codePage ?? 0));
  }

  const text = (pid: number): string | undefined => {
    const value = properties.get(pid);
    return value?.type === 'string' ? value.value : undefined;
  };
  const integer = (pid: number): number | undefined => {
    const value = properties.get(pid);
    return value?.type === 'int16' || value?.type === 'int32' ? value.value : undefined;
  };
  const time = (pid: number): Date | undefined => {
    const value = properties.get(pid);
    return value?.type === 'filetime' ? filetimeToDate(value.value) : undefined;
  };
  const P = SummaryPropertyId;
  return withoutUndefined({
    codePage,
    title: text(P.TITLE),
    subject: text(P.SUBJECT),
    author: text(P.AUTHOR),
    keywords: text(P.KEYWORDS),
    comments: text(P.COMMENTS),
    template: text(P.TEMPLATE),
    lastSavedBy: text(P.LAST_SAVED_BY),
    revisionNumber: text(P.REVISION_NUMBER),
    lastPrinted: time(P.LAST_PRINTED),
    createTime: time(P.CREATE_TIME),
    lastSaveTime: time(P.LAST_SAVE_TIME),
    pageCount: integer(P.PAGE_COUNT),
    wordCount: integer(P.WORD_COUNT),
    characterCount: integer(P.CHARACTER_COUNT),
    creatingApplication: text(P.CREATING_APPLICATION),
    security: integer(P.SECURITY),
    properties,
    osVersion,
    osKind,
  });
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

function readValue(
  section: Uint8Array,
  view: DataView,
  offset: number,
  codePage: number,
): SummaryValue {
  const vt = view.getUint32(offset, true);
  const dataAt = offset + 4;
  const need = (length: number, what: string): void => {
    if (dataAt + length > section.length)
      throw malformed(`${what} value at ${offset} overruns the section`);
  };
  switch (vt) {
    case VT_EMPTY:
    case VT_NULL:
      return { type: 'empty' };
    case VT_I2:
      need(2, 'VT_I2');
      return { type: 'int16', value: view.getInt16(dataAt, true) };
    case VT_I4:
      need(4, 'VT_I4');
      return { type: 'int32', value: view.getInt32(dataAt, true) };
    case VT_FILETIME:
      need(8, 'VT_FILETIME');
      return { type: 'filetime', value: view.getBigUint64(dataAt, true) };
    case VT_LPSTR: {
      need(4, 'VT_LPSTR');
      const length = view.getUint32(dataAt, true);
      need(4 + length, 'VT_LPSTR');
      const raw = section.subarray(dataAt + 4, dataAt + 4 + length);
      const end = raw.indexOf(0);
      return {
        type: 'string',
        value: codecForCodePage(codePage).decode(end < 0 ? raw : raw.subarray(0, end)),
      };
    }
    case VT_LPWSTR: {
      need(4, 'VT_LPWSTR');
      const units = view.getUint32(dataAt, true);
      if (units > (section.length - dataAt - 4) / 2)
        throw malformed(`VT_LPWSTR value at ${offset} overruns the section`);
      let value = '';
      for (let i = 0; i < units; i++) {
        const unit = view.getUint16(dataAt + 4 + 2 * i, true);
        if (unit === 0) break;
        value += String.fromCharCode(unit);
      }
      return { type: 'string', value };
    }
    default:
      // Each property has its own offset, so an unknown type can be skipped without knowing its size.
      return { type: 'unknown', vt };
  }
}

export interface EncodeSummaryOptions {
  /** Header OS version; msitools writes 5, signtool-era files 0x0206. */
  readonly osVersion?: number;
  /** 2 = Win32. */
  readonly osKind?: number;
}

/**
 * Serializes properties as a one-section property set, PIDs ascending, every value padded to
 * 4 bytes. Strings are encoded in the code page of PID 1 (when present). `unknown` values
 * cannot be written (their data was not kept) and throw RangeError.
 */
export function encodeSummaryInformation(
  properties: ReadonlyMap<number, SummaryValue>,
  options: EncodeSummaryOptions = {},
): Buffer {
  const codePageValue = properties.get(SummaryPropertyId.CODEPAGE);
  const codePage =
    codePageValue?.type === 'int16' || codePageValue?.type === 'int32'
      ? codePageValue.value & 0xffff
      : 0;
  const codec = codecForCodePage(codePage);
  const pids = [...properties.keys()].sort((a, b) => a - b);
  const values = pids.map((pid) =>
    encodeValue(pid, properties.get(pid)!, codec.encode.bind(codec)),
  );

  const sectionSize = 8 + 8 * pids.length + values.reduce((sum, value) => sum + value.length, 0);
  const out = Buffer.alloc(48 + sectionSize);
  out.writeUInt16LE(0xfffe, 0);
  out.writeUInt16LE(0, 2);
  out.writeUInt16LE(options.osVersion ?? 0x0206, 4);
  out.writeUInt16LE(options.osKind ?? 2, 6);
  out.writeUInt32LE(1, 24);
  out.set(FMTID_SUMMARY_INFORMATION, 28);
  out.writeUInt32LE(48, 44);
  out.writeUInt32LE(sectionSize, 48);
  out.writeUInt32LE(pids.length, 52);
  let valueOffset = 8 + 8 * pids.length;
  pids.forEach((pid, i) => {
    out.writeUInt32LE(pid, 56 + 8 * i);
    out.writeUInt32LE(valueOffset, 60 + 8 * i);
    out.set(values[i]!, 48 + valueOffset);
    valueOffset += values[i]!.length;
  });
  return out;
}

function encodeValue(pid: number, value: SummaryValue, encode: (text: string) => Buffer): Buffer {
  switch (value.type) {
    case 'empty':
      return Buffer.alloc(4);
    case 'int16': {
      const out = Buffer.alloc(8);
      out.writeUInt32LE(VT_I2, 0);
      out.writeInt16LE(value.value, 4);
      return out;
    }
    case 'int32': {
      const out = Buffer.alloc(8);
      out.writeUInt32LE(VT_I4, 0);
      out.writeInt32LE(value.value, 4);
      return out;
    }
    case 'filetime': {
      const out = Buffer.alloc(12);
      out.writeUInt32LE(VT_FILETIME, 0);
      out.writeBigUInt64LE(value.value, 4);
      return out;
    }
    case 'string': {
      const bytes = encode(value.value);
      const length = bytes.length + 1; // the count includes the NUL
      const out = Buffer.alloc(8 + Math.ceil(length / 4) * 4);
      out.writeUInt32LE(VT_LPSTR, 0);
      out.writeUInt32LE(length, 4);
      out.set(bytes, 8);
      return out;
    }
    case 'unknown':
      throw new RangeError(`property ${pid} has type ${value.vt}, which cannot be written`);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
