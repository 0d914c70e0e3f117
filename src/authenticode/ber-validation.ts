import * as asn1js from 'asn1js';
import { decodeExact, MAX_SIGNATURE_BYTES } from './asn1.js';

/**
 * Checks that bytes hold exactly one element the strict decoder (asn1.ts decodeExact: asn1js with
 * our limits and encoding checks) accepts, without building its tree. Throws what decodeExact
 * throws, and nothing when it would accept.
 *
 * Why: most of the signature is only checked, never read through asn1js (a SignerInfo is read by
 * signer-info.ts from its bytes, certificates by src/x509/der-fields.ts), yet decoding it with
 * asn1js to check it was the largest single cost of a small file (issue 19: about 1 ms a file, in
 * asn1js' per-element buffer-type checks). Signatures are DER in practice, and for DER the checks
 * asn1js makes come down to a short list, walked here in one pass over the bytes.
 *
 * The walk answers "valid" only when it is sure; anything it does not model — a high tag number,
 * the indefinite form, a long length form of more than four octets, an unusual universal type, a
 * constructed string, a long string, a tree near the decoder's limits — sends the whole element to
 * decodeExact, so odd and hostile input gets the very verdict and message it got before.
 * test/authenticode/ber-validation.test.ts holds the one rule this needs: whatever the walk calls
 * valid, decodeExact accepts (on every fixture signature and on generated and damaged elements).
 */
export function validateExact(bytes: Uint8Array, what: string): void {
  if (!isSurelyValid(bytes)) decodeExact(bytes, what);
}

/**
 * Below the decoder's own limits (asn1.ts BER_LIMITS: depth 128, 200,000 elements), so that a
 * tree the walk calls valid is never near a limit the decoder would enforce.
 */
const MAX_DEPTH = 100;
const MAX_ELEMENTS = 100_000;
/**
 * asn1js reads a string's characters with String.fromCharCode.apply, which throws for very long
 * arguments lists; short strings (every name in a certificate) are safe.
 */
const MAX_STRING = 4096;

const UNIVERSAL = 0;
const SEQUENCE = 16;
const SET = 17;

/**
 * One pass over the bytes: true only when every element is one the strict decoder accepts.
 * Elements are visited in order; `ends` holds the end of each open constructed element, and each
 * element must end within its parent (constructed contents must be filled exactly, the
 * "stretched" encoding asn1.ts checkEncoding refuses).
 */
export function isSurelyValid(bytes: Uint8Array): boolean {
  const total = bytes.length;
  if (total === 0 || total > MAX_SIGNATURE_BYTES) return false;
  const ends: number[] = [];
  let at = 0;
  let elements = 0;
  for (;;) {
    while (ends.length > 0 && at === ends[ends.length - 1]) ends.pop();
    if (ends.length === 0 && elements > 0) return at === total;
    const limit = ends.length > 0 ? ends[ends.length - 1]! : total;
    if (++elements > MAX_ELEMENTS || ends.length > MAX_DEPTH) return false;

    // Identifier: low tag numbers only (0..30).
    if (at + 2 > limit) return false;
    const identifier = bytes[at]!;
    const tagNumber = identifier & 0x1f;
    if (tagNumber === 0x1f) return false;
    const tagClass = identifier >> 6;
    const constructed = (identifier & 0x20) !== 0;

    // Length: definite, at most four length octets.
    const first = bytes[at + 1]!;
    let length = first;
    let contentStart = at + 2;
    if (first & 0x80) {
      const octets = first & 0x7f;
      if (octets === 0 || octets > 4) return false; // indefinite, or 0xFF, or huge
      if (contentStart + octets > limit) return false;
      length = 0;
      for (let i = 0; i < octets; i++) length = length * 256 + bytes[contentStart + i]!;
      contentStart += octets;
    }
    const end = contentStart + length;
    if (end > limit) return false;

    if (constructed) {
      // Universal constructed: SEQUENCE and SET only (a constructed string, or a constructed
      // INTEGER, which asn1js refuses, is left to the decoder).
      if (tagClass === UNIVERSAL && tagNumber !== SEQUENCE && tagNumber !== SET) return false;
      if (length > 0) {
        ends.push(end);
        at = contentStart;
      } else {
        at = end;
      }
      continue;
    }
    if (tagClass === UNIVERSAL && !primitiveAccepted(bytes, at, tagNumber, contentStart, end)) {
      return false;
    }
    at = end;
  }
}

/** Whether asn1js accepts this primitive universal element (false: not sure, ask the decoder). */
function primitiveAccepted(
  bytes: Uint8Array,
  at: number,
  tagNumber: number,
  contentStart: number,
  end: number,
): boolean {
  const length = end - contentStart;
  switch (tagNumber) {
    case 1: // BOOLEAN
    case 2: // INTEGER
    case 10: // ENUMERATED
      return length > 0;
    case 3: // BIT STRING: the unused-bits octet is 0..7
      return length > 0 && bytes[contentStart]! <= 7;
    case 4: // OCTET STRING (primitive; not parsed for embedded elements)
      return true;
    case 5: // NULL
      return length === 0;
    case 6: // OBJECT IDENTIFIER: the last sub-identifier is terminated
      return length > 0 && bytes[end - 1]! < 0x80;
    case 12: // UTF8String (asn1js decodes it leniently)
    case 19: // PrintableString
    case 20: // TeletexString
    case 22: // IA5String
    case 26: // VisibleString
      return length <= MAX_STRING;
    case 30: // BMPString: whole UTF-16 code units
      return length <= MAX_STRING && length % 2 === 0;
    case 23: // UTCTime
    case 24: // GeneralizedTime: asn1js parses the text and throws on some malformed ones
      return timeAccepted(bytes.subarray(at, end));
    default:
      return false;
  }
}

/**
 * Times are checked by asn1js itself, one element at a time (a primitive element's verdict does
 * not depend on where it sits). A release repeats the same validity times in every certificate,
 * so verdicts are kept by exact bytes, bounded.
 */
function timeAccepted(element: Uint8Array): boolean {
  const key = Buffer.from(element.buffer, element.byteOffset, element.byteLength).toString(
    'latin1',
  );
  const known = TIME_VERDICTS.get(key);
  if (known !== undefined) return known;
  let accepted: boolean;
  try {
    const decoded = asn1js.fromBER(element);
    accepted = decoded.offset === element.length && !decoded.result.error;
  } catch {
    accepted = false;
  }
  if (TIME_VERDICTS.size < TIME_CACHE_LIMIT) TIME_VERDICTS.set(key, accepted);
  return accepted;
}

const TIME_CACHE_LIMIT = 1024;
const TIME_VERDICTS = new Map<string, boolean>();
