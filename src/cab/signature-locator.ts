/**
 * Where a cabinet keeps its Authenticode signature. docs/formats.md §6.2, §6.6 steps 1–3.
 *
 * The per-cabinet reserve holds two length-prefixed structures: `u16 cbJunk, u16 cbSig`, then
 * cbJunk bytes ("structure 1", covered by the signature) and cbSig bytes ("structure 2", not
 * covered). With cbSig = 16, structure 2 is a locator for a PKCS#7 blob appended at cbCabinet;
 * any other non-zero cbSig is a legacy signature stored in the reserve itself.
 */
import { MalformedPackageError, MalformedSignatureError } from '../errors.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import type { CabHeader } from './header.js';

/** Size of the locator: u32 offset, u32 length, 8 bytes of filler. */
export const CAB_LOCATOR_SIZE = 16;
/** abReserve size written by osslsigncode, jsign and signtool for a fresh signature. */
export const CAB_STANDARD_RESERVE_SIZE = 4 + CAB_LOCATOR_SIZE;
/** Largest signature blob read into memory; a real Authenticode blob is kilobytes. */
export const MAX_CAB_SIGNATURE_BYTES = 32 * 1024 * 1024;

/** The two length-prefixed structures at the start of abReserve. */
export interface CabReserveStructures {
  /** Length of structure 1 (hashed). */
  readonly cbJunk: number;
  /** Length of structure 2 (the locator or a legacy signature; not hashed). */
  readonly cbSig: number;
  /** File offset of structure 1. */
  readonly junkOffset: number;
  /** File offset of structure 2. */
  readonly sigOffset: number;
  /** Reserve bytes after structure 2 (a pre-allocated reserve, e.g. makecab's 6144). */
  readonly unusedBytes: number;
}

/** Why a cabinet is treated as unsigned (Windows: TRUST_E_NOSIGNATURE). */
export type CabUnsignedReason =
  /** RESERVE_PRESENT is clear. */
  | 'no-reserve'
  /** cbCFHeader cannot hold the two length prefixes. */
  | 'reserve-too-small'
  /** The two structures' lengths overrun the reserve: the reserve is used for something else. */
  | 'reserve-not-signature-area'
  /** cbSig is 0: no locator and no legacy signature. */
  | 'no-signature-structure'
  /** The 16-byte locator declares a zero-length signature (a reserve pre-allocated for signing). */
  | 'empty-locator';

export interface CabSignatureLocation {
  /**
   * `appended`: PKCS#7 at `offset` (normally cbCabinet) found through the 16-byte locator.
   * `in-reserve`: legacy layout, the PKCS#7 is structure 2 of the reserve.
   */
  readonly kind: 'appended' | 'in-reserve';
  /** File offset of the PKCS#7 blob. */
  readonly offset: number;
  /**
   * Declared length of the blob. osslsigncode pads the DER to a multiple of 8 bytes and
   * records the padded length; the DER's own length is authoritative (docs/formats.md §8.3).
   */
  readonly length: number;
  /** File offset of the 16-byte locator (`appended` only). */
  readonly locatorOffset: number | null;
  /** Whether the appended blob starts exactly at cbCabinet. Always true for `in-reserve`. */
  readonly offsetMatchesCabinet: boolean;
  /** Whether the locator's 8 filler bytes are zero (true for `in-reserve`). */
  readonly fillerIsZero: boolean;
  /** Reserve bytes after the locator: > 0 for a pre-allocated reserve (makecab 6144). */
  readonly unusedReserveBytes: number;
}

export interface CabSignatureInfo {
  /** `null` when the cabinet carries no signature. */
  readonly location: CabSignatureLocation | null;
  readonly unsignedReason: CabUnsignedReason | null;
  /** The reserve's two structures, when the reserve has that shape. */
  readonly structures: CabReserveStructures | null;
  /**
   * Where the bytes the signature accounts for end: the end of the appended blob, or
   * cbCabinet for unsigned cabinets and legacy in-reserve signatures.
   */
  readonly trailingOffset: number;
  /** Bytes from `trailingOffset` to the end of the file: neither hashed nor signature. */
  readonly trailingBytes: number;
  /**
   * Bytes between cbCabinet and an appended blob that starts later than cbCabinet:
   * neither hashed nor signature (0 when the blob starts at cbCabinet).
   */
  readonly gapBytes: number;
}

function malformed(message: string): MalformedPackageError {
  return new MalformedPackageError(`cabinet: ${message}`);
}

/**
 * The reserve's two structures, or `null` when the reserve cannot hold them (absent, shorter
 * than the prefixes, or lengths that overrun it). Pure.
 */
export function parseCabReserve(
  header: Pick<CabHeader, 'hasReserve' | 'reserve' | 'reserveOffset'>,
): CabReserveStructures | null {
  const { reserve, reserveOffset } = header;
  if (!header.hasReserve || reserve.length < 4) return null;
  const cbJunk = reserve.readUInt16LE(0);
  const cbSig = reserve.readUInt16LE(2);
  const used = 4 + cbJunk + cbSig;
  if (used > reserve.length) return null;
  return {
    cbJunk,
    cbSig,
    junkOffset: reserveOffset + 4,
    sigOffset: reserveOffset + 4 + cbJunk,
    unusedBytes: reserve.length - used,
  };
}

/**
 * Finds the signature through the reserve (pure: uses only the parsed header and its file
 * size). Conditions a verifier should report but that leave the file readable — a blob that
 * does not start at cbCabinet, data after the blob — are returned as data. Throws
 * {@link MalformedPackageError} when the locator points outside the file.
 */
export function locateCabSignature(header: CabHeader): CabSignatureInfo {
  const { cbCabinet, fileSize } = header;
  const unsigned = (
    reason: CabUnsignedReason,
    structures: CabReserveStructures | null,
  ): CabSignatureInfo => ({
    location: null,
    unsignedReason: reason,
    structures,
    trailingOffset: cbCabinet,
    trailingBytes: fileSize - cbCabinet,
    gapBytes: 0,
  });

  if (!header.hasReserve) return unsigned('no-reserve', null);
  if (header.reserve.length < 4) return unsigned('reserve-too-small', null);
  const structures = parseCabReserve(header);
  if (!structures) return unsigned('reserve-not-signature-area', null);
  if (structures.cbSig === 0) return unsigned('no-signature-structure', structures);

  const sigStart = structures.sigOffset - header.reserveOffset;
  if (structures.cbSig !== CAB_LOCATOR_SIZE) {
    // Legacy layout: the PKCS#7 itself is structure 2 (docs/formats.md §6.2 "Variants").
    return {
      location: {
        kind: 'in-reserve',
        offset: structures.sigOffset,
        length: structures.cbSig,
        locatorOffset: null,
        offsetMatchesCabinet: true,
        fillerIsZero: true,
        unusedReserveBytes: structures.unusedBytes,
      },
      unsignedReason: null,
      structures,
      trailingOffset: cbCabinet,
      trailingBytes: fileSize - cbCabinet,
      gapBytes: 0,
    };
  }

  const locator = header.reserve.subarray(sigStart, sigStart + CAB_LOCATOR_SIZE);
  const offset = locator.readUInt32LE(0);
  const length = locator.readUInt32LE(4);
  if (length === 0) return unsigned('empty-locator', structures);
  if (offset === 0) {
    throw malformed(`the signature locator points at offset 0 (length ${length})`);
  }
  if (offset === cbCabinet && offset < fileSize && length > fileSize - offset) {
    // The cabinet itself is whole; only the signature after it is cut short: that is damage
    // to the signature, not to the package (the blob cannot be read, so it cannot verify).
    throw new MalformedSignatureError(
      `the signature is truncated: the locator declares ${length} bytes at offset ${offset}, but the file ends ${fileSize - offset} bytes after it`,
    );
  }
  if (offset >= fileSize || length > fileSize - offset) {
    throw malformed(
      `the signature locator (offset ${offset}, length ${length}) points outside the ${fileSize}-byte file`,
    );
  }
  if (length > MAX_CAB_SIGNATURE_BYTES) {
    throw malformed(
      `the signature locator declares a ${length}-byte signature (limit ${MAX_CAB_SIGNATURE_BYTES})`,
    );
  }
  const end = offset + length;
  return {
    location: {
      kind: 'appended',
      offset,
      length,
      locatorOffset: structures.sigOffset,
      offsetMatchesCabinet: offset === cbCabinet,
      fillerIsZero: locator.subarray(8).every((b) => b === 0),
      unusedReserveBytes: structures.unusedBytes,
    },
    unsignedReason: null,
    structures,
    trailingOffset: end,
    trailingBytes: fileSize - end,
    gapBytes: offset > cbCabinet ? offset - cbCabinet : 0,
  };
}

/**
 * The stored signature blob as declared (including osslsigncode's zero padding), or `null`
 * when the cabinet is unsigned. The Authenticode parser uses the DER's own length.
 */
export async function readCabSignature(
  source: RandomAccessSource,
  cabinet: CabHeader | { readonly header: CabHeader },
): Promise<Buffer | null> {
  const header = 'header' in cabinet ? cabinet.header : cabinet;
  const { location } = locateCabSignature(header);
  if (!location) return null;
  if (location.kind === 'in-reserve') {
    const start = location.offset - header.reserveOffset;
    return Buffer.from(header.reserve.subarray(start, start + location.length));
  }
  return source.read(location.offset, location.length);
}
