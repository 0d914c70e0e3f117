import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * Re-encodes a SignedData after a test edits it with pkijs. pkijs re-encodes from its objects,
 * so tests that rely on untouched parts staying byte-identical (the authenticated attributes)
 * assert that explicitly.
 */
export function rewriteSignedData(
  der: Uint8Array,
  edit: (signedData: pkijs.SignedData) => void,
): Buffer {
  const contentInfo = new pkijs.ContentInfo({ schema: asn1js.fromBER(Buffer.from(der)).result });
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  edit(signedData);
  return encodeSignedData(signedData);
}

export function decodeSignedData(der: Uint8Array): pkijs.SignedData {
  const contentInfo = new pkijs.ContentInfo({ schema: asn1js.fromBER(Buffer.from(der)).result });
  return new pkijs.SignedData({ schema: contentInfo.content });
}

export function encodeSignedData(signedData: pkijs.SignedData): Buffer {
  const contentInfo = new pkijs.ContentInfo({
    contentType: '1.2.840.113549.1.7.2',
    content: signedData.toSchema(),
  });
  return Buffer.from(contentInfo.toSchema().toBER(false));
}

/** Flips the bits of one byte inside the first occurrence of `needle` in `haystack`. */
export function flipInside(haystack: Uint8Array, needle: Uint8Array, at = 0): Buffer {
  const copy = Buffer.from(haystack);
  const position = copy.indexOf(Buffer.from(needle));
  if (position < 0) throw new Error('needle not found');
  if (copy.indexOf(Buffer.from(needle), position + 1) >= 0) throw new Error('needle is not unique');
  copy[position + at] ^= 0xff;
  return copy;
}

/** Parses one DER element with asn1js (test-side construction helper). */
export function asn1(der: Uint8Array): asn1js.AsnType {
  const decoded = asn1js.fromBER(Buffer.from(der));
  if (decoded.offset === -1) throw new Error(decoded.result.error);
  return decoded.result;
}

/**
 * Edits the authenticated attributes of the (single) SignerInfo and signs them again with
 * `sign`, which receives the exact bytes to sign (stored encoding, first byte 0x31). Optional
 * `signerInfo` edits (algorithms) happen before signing.
 */
export function resignSignerInfo(
  der: Uint8Array,
  options: {
    attributes?: (attributes: pkijs.Attribute[]) => pkijs.Attribute[];
    signerInfo?: (signerInfo: pkijs.SignerInfo) => void;
    sign: (signedInput: Buffer) => Buffer;
  },
): Buffer {
  const signedData = decodeSignedData(der);
  const signerInfo = signedData.signerInfos[0]!;
  if (options.attributes) {
    signerInfo.signedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 0,
      attributes: options.attributes(signerInfo.signedAttrs!.attributes),
    });
  }
  options.signerInfo?.(signerInfo);
  const signedInput = Buffer.from(signerInfo.signedAttrs!.toSchema().toBER(false));
  signedInput[0] = 0x31;
  signerInfo.signature = new asn1js.OctetString({ valueHex: options.sign(signedInput) });
  return encodeSignedData(signedData);
}
