import * as asn1js from 'asn1js';
import { MalformedSignatureError } from '../errors.js';

/**
 * Thin, bounded helpers over asn1js/pkijs. Every decode of file-controlled bytes goes through
 * here so that resource limits and error translation live in one place: whatever asn1js or
 * pkijs throws (including RangeError from runaway recursion) becomes MalformedSignatureError.
 */

/** Largest signature blob we decode. Real ones are a few KiB; 256 certificates fit easily. */
export const MAX_SIGNATURE_BYTES = 16 * 1024 * 1024;

const BER_LIMITS = {
  // Authenticode nests ~40 levels deep with a timestamp inside a nested signature.
  maxDepth: 128,
  // A certificate is ~150 nodes: 256 of them plus 64 small nested signatures fit easily, and
  // the pkijs schema matching that follows stays within seconds even for hostile input.
  maxNodes: 200_000,
  maxContentLength: MAX_SIGNATURE_BYTES,
  // We decode OCTET STRING contents ourselves where they matter (TSTInfo); parsing every
  // OCTET STRING speculatively only costs time and nodes.
  parseEmbedded: false,
} as const;

export type Block = asn1js.BaseBlock;

/** Runs a decoding step; any exception becomes MalformedSignatureError naming `what`. */
export function decoding<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof MalformedSignatureError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MalformedSignatureError(`cannot decode ${what}: ${reason}`);
  }
}

/**
 * Decodes one BER element at the start of `bytes`. Returns the element and its encoded length;
 * what follows it is the caller's business.
 */
export function decodeBer(bytes: Uint8Array, what: string): { block: Block; length: number } {
  if (bytes.length === 0) throw new MalformedSignatureError(`${what} is empty`);
  if (bytes.length > MAX_SIGNATURE_BYTES) {
    throw new MalformedSignatureError(`${what} is larger than ${MAX_SIGNATURE_BYTES} bytes`);
  }
  const decoded = decoding(what, () => asn1js.fromBER(bytes, BER_LIMITS));
  if (decoded.offset === -1) {
    throw new MalformedSignatureError(`cannot decode ${what}: ${decoded.result.error}`);
  }
  checkEncoding(decoded.result as Block, what);
  return { block: decoded.result as Block, length: decoded.offset };
}

/**
 * asn1js is more lenient than BER (found by the fuzz harness, issue 10): a constructed element
 * whose contents run past its declared length is silently stretched to cover them, and a
 * SEQUENCE or SET with the primitive bit is read as if constructed. OpenSSL (osslsigncode) and
 * Windows refuse both; so do we, or a signature Windows rejects would verify here. Iterative:
 * nesting is file-controlled (bounded by BER_LIMITS.maxNodes).
 */
function checkEncoding(root: Block, what: string): void {
  const stack: Block[] = [root];
  while (stack.length > 0) {
    const block = stack.pop()!;
    const { idBlock, lenBlock } = block;
    if (idBlock.tagClass === 1 && (idBlock.tagNumber === 16 || idBlock.tagNumber === 17)) {
      if (!idBlock.isConstructed) {
        throw new MalformedSignatureError(
          `cannot decode ${what}: a ${idBlock.tagNumber === 16 ? 'SEQUENCE' : 'SET'} has the primitive form`,
        );
      }
    }
    if (!lenBlock.isIndefiniteForm) {
      const declared = idBlock.blockLength + lenBlock.blockLength + lenBlock.length;
      if (block.valueBeforeDecodeView.byteLength !== declared) {
        throw new MalformedSignatureError(
          `cannot decode ${what}: an element declares ${lenBlock.length} content bytes but its contents take ${block.valueBeforeDecodeView.byteLength - idBlock.blockLength - lenBlock.blockLength}`,
        );
      }
    }
    // Only constructed elements hold elements (an OID's value array holds its arcs).
    if (idBlock.isConstructed) {
      for (const child of children(block)) if (child instanceof asn1js.BaseBlock) stack.push(child);
    }
  }
}

/** Decodes bytes that must hold exactly one BER element. */
export function decodeExact(bytes: Uint8Array, what: string): Block {
  const { block, length } = decodeBer(bytes, what);
  if (length !== bytes.length) {
    throw new MalformedSignatureError(`${what} has ${bytes.length - length} bytes after its end`);
  }
  return block;
}

/**
 * decodeExact for small elements that repeat from file to file (attribute values: the content
 * type, the publisher's program name and URL, the statement type): each distinct encoding is
 * decoded once per run and the element shared, keyed by its exact bytes. Refusals are not kept
 * (they throw as decodeExact does, naming `what`). Callers only read the element.
 */
export function decodeExactShared(bytes: Uint8Array, what: string): Block {
  if (bytes.length > SHARED_MAX_BYTES) return decodeExact(bytes, what);
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const known = SHARED_ELEMENTS.get(key);
  if (known) return known;
  const block = decodeExact(bytes, what);
  if (SHARED_ELEMENTS.size >= SHARED_CACHE_LIMIT) {
    SHARED_ELEMENTS.delete(SHARED_ELEMENTS.keys().next().value!);
  }
  SHARED_ELEMENTS.set(key, block);
  return block;
}

const SHARED_MAX_BYTES = 1024;
const SHARED_CACHE_LIMIT = 1024;
const SHARED_ELEMENTS = new Map<string, Block>();

/** The exact bytes a decoded element was read from (tag, length and contents). */
export function encodedBytes(block: Block): Buffer {
  return Buffer.from(block.valueBeforeDecodeView);
}

/**
 * The contents octets of an element as stored: its encoding without the identifier and length
 * octets (and without the end-of-contents octets of the indefinite form). This is what PKCS#7
 * v1.5 digests for the content (RFC 2315 §9.3, docs/formats.md §7.2 step 3).
 */
export function contentOctets(block: Block): Buffer {
  const whole = block.valueBeforeDecodeView;
  const header = block.idBlock.blockLength + block.lenBlock.blockLength;
  const end = block.lenBlock.isIndefiniteForm ? whole.length - 2 : whole.length;
  if (header > end) throw new MalformedSignatureError('element shorter than its header');
  return Buffer.from(whole.subarray(header, end));
}

function isUniversal(block: Block, tagNumber: number): boolean {
  return block.idBlock.tagClass === 1 && block.idBlock.tagNumber === tagNumber;
}

export function isContext(block: Block, tagNumber: number): boolean {
  return block.idBlock.tagClass === 3 && block.idBlock.tagNumber === tagNumber;
}

/** Children of a constructed element, or [] for a primitive one. */
export function children(block: Block): Block[] {
  const value = (block.valueBlock as { value?: unknown }).value;
  return Array.isArray(value) ? (value as Block[]) : [];
}

/** The value of an OCTET STRING, concatenating the segments of the BER constructed form. */
export function octetStringValue(block: Block, what: string): Buffer {
  if (!(block instanceof asn1js.OctetString)) {
    throw new MalformedSignatureError(`${what} is not an OCTET STRING`);
  }
  return decoding(what, () => Buffer.from(block.getValue()));
}

export function objectIdentifier(block: Block, what: string): string {
  if (!(block instanceof asn1js.ObjectIdentifier)) {
    throw new MalformedSignatureError(`${what} is not an OBJECT IDENTIFIER`);
  }
  return block.valueBlock.toString();
}

/**
 * The dotted text of one encoded OBJECT IDENTIFIER element (tag, length and contents), decoded
 * with the strict decoder. Every signature of a release names the same few dozen OIDs, and
 * decoding each through asn1js was a visible part of a small file's cost (issue 19), so each
 * distinct encoding is decoded once per run: the text is a function of the exact bytes, failures
 * are not kept (they throw as before, naming `what`), and at most OID_CACHE_LIMIT are kept.
 */
export function objectIdentifierOf(der: Uint8Array, what: string): string {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
  const known = OID_TEXT.get(key);
  if (known !== undefined) return known;
  const text = objectIdentifier(decodeExact(der, what), what);
  if (OID_TEXT.size < OID_CACHE_LIMIT) OID_TEXT.set(key, text);
  return text;
}

const OID_CACHE_LIMIT = 1024;
const OID_TEXT = new Map<string, string>();

/** Value bytes of a primitive element (e.g. an IMPLICIT-tagged string). */
export function primitiveValue(block: Block): Buffer | null {
  if (block.idBlock.isConstructed) return null;
  const hex = (block.valueBlock as { valueHexView?: Uint8Array }).valueHexView;
  return hex ? Buffer.from(hex) : null;
}

/** Small non-negative INTEGER as a number; null when absent, negative or too large. */
export function smallInteger(block: Block): number | null {
  if (!(block instanceof asn1js.Integer)) return null;
  const bytes = block.valueBlock.valueHexView;
  if (bytes.length === 0 || bytes.length > 6 || (bytes[0]! & 0x80) !== 0) return null;
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

/** UTCTime or GeneralizedTime as a Date; null for anything else or an invalid time. */
export function timeValue(block: Block): Date | null {
  if (!(block instanceof asn1js.UTCTime)) return null; // GeneralizedTime extends UTCTime
  try {
    const date = block.toDate();
    return Number.isNaN(date.getTime()) ? null : date;
  } catch {
    return null;
  }
}

/** Integer magnitude bytes without leading zero octets, for value comparison of serials. */
export function integerMagnitude(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return Buffer.from(bytes.subarray(start));
}

export const isSequence = (block: Block): boolean => isUniversal(block, 16);
export const isSet = (block: Block): boolean => isUniversal(block, 17);
