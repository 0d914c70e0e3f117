import { MalformedSignatureError } from '../errors.js';

/**
 * A minimal BER tag-length-value reader over a byte array: offsets only, nothing decoded. The
 * signature envelope (ContentInfo, SignedData, its sets) is walked with it, and only the parts we
 * read are handed to asn1js, so that the certificates every file of a release repeats are not
 * decoded again for each file (issue 19). Its checks match those decodeBer applies
 * (asn1.ts): lengths inside their parent, SEQUENCE and SET constructed, bounded depth and count.
 */
export interface Tlv {
  /** 0 universal, 1 application, 2 context-specific, 3 private (the identifier's top two bits). */
  readonly tagClass: number;
  readonly tagNumber: number;
  readonly constructed: boolean;
  /** Offset of the identifier octet. */
  readonly start: number;
  readonly contentStart: number;
  /** End of the contents (before the end-of-contents octets of the indefinite form). */
  readonly contentEnd: number;
  /** Offset just past the element. */
  readonly end: number;
}

export const TAG_CLASS = { universal: 0, context: 2 } as const;

/** Deepest BER nesting walked (asn1.ts allows 128 for whole signatures). */
const MAX_DEPTH = 128;
/** Element lengths are JavaScript numbers: refuse lengths of more than four octets. */
const MAX_LENGTH_OCTETS = 4;

/** Reads the element starting at `offset`, which must end by `limit`. */
export function readTlv(bytes: Uint8Array, offset: number, limit: number, what: string): Tlv {
  return read(bytes, offset, limit, what, 0);
}

function read(bytes: Uint8Array, offset: number, limit: number, what: string, depth: number): Tlv {
  const fail = (reason: string): never => {
    throw new MalformedSignatureError(`cannot decode ${what}: ${reason}`);
  };
  if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
  let at = offset;
  if (at >= limit) fail('an element is missing or truncated');
  const identifier = bytes[at++]!;
  const tagClass = identifier >> 6;
  const constructed = (identifier & 0x20) !== 0;
  let tagNumber = identifier & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let octets = 0; ; octets++) {
      if (at >= limit || octets >= 4) fail('bad tag number');
      const b = bytes[at++]!;
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
  }
  if (tagClass === TAG_CLASS.universal && (tagNumber === 16 || tagNumber === 17) && !constructed) {
    fail(`a ${tagNumber === 16 ? 'SEQUENCE' : 'SET'} has the primitive form`);
  }
  if (at >= limit) fail('truncated length');
  const first = bytes[at++]!;
  if (first === 0x80) {
    if (!constructed) fail('a primitive element has the indefinite length form');
    const contentStart = at;
    // Children until the end-of-contents octets 00 00.
    for (;;) {
      if (at + 2 > limit) fail('an indefinite-length element has no end-of-contents octets');
      if (bytes[at] === 0 && bytes[at + 1] === 0) {
        return {
          tagClass,
          tagNumber,
          constructed,
          start: offset,
          contentStart,
          contentEnd: at,
          end: at + 2,
        };
      }
      at = read(bytes, at, limit, what, depth + 1).end;
    }
  }
  let length = first;
  if (first & 0x80) {
    const octets = first & 0x7f;
    if (octets > MAX_LENGTH_OCTETS || octets === 0x7f) fail('length too large');
    if (at + octets > limit) fail('truncated length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[at++]!;
  }
  if (length > limit - at) {
    fail(`an element declares ${length} content bytes but only ${limit - at} remain`);
  }
  return {
    tagClass,
    tagNumber,
    constructed,
    start: offset,
    contentStart: at,
    contentEnd: at + length,
    end: at + length,
  };
}

/**
 * The elements inside a constructed element, each ending within it. More than `maxCount` is an
 * error naming the full count (`tooMany`); counting the rest stores nothing, so a set of millions
 * of tiny elements costs one pass and no memory.
 */
export function tlvChildren(
  bytes: Uint8Array,
  parent: Tlv,
  what: string,
  maxCount: number,
  tooMany: (count: number) => string = (count) =>
    `cannot decode ${what}: ${count} elements (limit ${maxCount})`,
): Tlv[] {
  if (!parent.constructed) {
    throw new MalformedSignatureError(`cannot decode ${what}: not a constructed element`);
  }
  const found: Tlv[] = [];
  let count = 0;
  for (let at = parent.contentStart; at < parent.contentEnd; count++) {
    const child = read(bytes, at, parent.contentEnd, what, 1);
    if (count < maxCount) found.push(child);
    at = child.end;
  }
  if (count > maxCount) throw new MalformedSignatureError(tooMany(count));
  return found;
}

/**
 * The one element an EXPLICIT tag wraps. It must fill the wrapper exactly: an element that
 * declares fewer bytes than the wrapper holds is the "stretched" encoding asn1js would accept.
 */
export function onlyChild(bytes: Uint8Array, parent: Tlv, what: string): Tlv {
  if (!parent.constructed || parent.contentStart >= parent.contentEnd) {
    throw new MalformedSignatureError(`cannot decode ${what}: missing`);
  }
  const child = read(bytes, parent.contentStart, parent.contentEnd, what, 1);
  if (child.end !== parent.contentEnd) {
    throw new MalformedSignatureError(
      `cannot decode ${what}: an element declares ${child.contentEnd - child.contentStart} content bytes but its contents take ${parent.contentEnd - child.contentStart}`,
    );
  }
  return child;
}

export function isUniversalTlv(tlv: Tlv, tagNumber: number): boolean {
  return tlv.tagClass === TAG_CLASS.universal && tlv.tagNumber === tagNumber;
}

export function isContextTlv(tlv: Tlv, tagNumber: number): boolean {
  return tlv.tagClass === TAG_CLASS.context && tlv.tagNumber === tagNumber;
}

/** A universal element of this tag number in the primitive form. */
export function isPrimitiveTlv(tlv: Tlv, tagNumber: number): boolean {
  return isUniversalTlv(tlv, tagNumber) && !tlv.constructed;
}

/**
 * The elements of a SEQUENCE, or null when `tlv` is anything else. For readers of bytes the
 * one-pass walk (ber-validation.ts isSurelyValid) has already accepted, so every element is
 * listed; `what` names the structure should an element not fit after all.
 */
export function sequenceElements(bytes: Uint8Array, tlv: Tlv, what: string): Tlv[] | null {
  if (!isUniversalTlv(tlv, 16) || !tlv.constructed) return null;
  return tlvChildren(bytes, tlv, what, bytes.length);
}

/** The element's whole encoding (identifier, length, contents). A view, not a copy. */
export function tlvBytes(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.start, tlv.end);
}

/**
 * A small non-negative INTEGER's value from its contents, as asn1.ts smallInteger reads a decoded
 * one: null when constructed, empty, negative or longer than six octets.
 */
export function tlvSmallInteger(bytes: Uint8Array, tlv: Tlv): number | null {
  const length = tlv.contentEnd - tlv.contentStart;
  if (tlv.constructed || length === 0 || length > 6 || (bytes[tlv.contentStart]! & 0x80) !== 0) {
    return null;
  }
  let n = 0;
  for (let i = tlv.contentStart; i < tlv.contentEnd; i++) n = n * 256 + bytes[i]!;
  return n;
}
