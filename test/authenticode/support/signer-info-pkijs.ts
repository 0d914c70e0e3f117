import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MalformedSignatureError } from '../../../src/errors.js';
import { digestRef, signatureAlgorithmRef } from '../../../src/authenticode/algorithms.js';
import {
  children,
  decoding,
  encodedBytes,
  isContext,
  objectIdentifier,
  octetStringValue,
  primitiveValue,
  type Block,
} from '../../../src/authenticode/asn1.js';
import { LIMITS } from '../../../src/authenticode/limits.js';
import type { DecodedSignerInfo } from '../../../src/authenticode/signer-info.js';
import type { RawAttribute, SignerIdentifier } from '../../../src/authenticode/types.js';

// The SignerInfo decoder as it was before src/authenticode/signer-info.ts walked tag-length-values
// itself: pkijs' SignerInfo schema, then the attribute sets found among the elements. Kept only as
// the reference test/authenticode/signer-info.test.ts compares the new decoder with.

export function decodeSignerInfoWithPkijs(block: Block, what: string): DecodedSignerInfo {
  const info = decoding(what, () => new pkijs.SignerInfo({ schema: block }));
  // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm,
  // signature, [1] unsignedAttrs? }: the sid of a v3 SignerInfo is also [0], so look past it.
  const parts = children(block);
  const signedSet = parts.find((p, i) => i >= 3 && isContext(p, 0) && p.idBlock.isConstructed);
  const unsignedSet = parts.find((p, i) => i >= 5 && isContext(p, 1) && p.idBlock.isConstructed);
  const params = info.signatureAlgorithm.algorithmParams as Block | undefined;
  return {
    version: info.version,
    identifier: signerIdentifier(info.sid, what),
    digestAlgorithm: digestRef(info.digestAlgorithm.algorithmId),
    signatureAlgorithm: signatureAlgorithmRef(
      info.signatureAlgorithm.algorithmId,
      params instanceof asn1js.BaseBlock && params.valueBeforeDecodeView.length > 0
        ? encodedBytes(params)
        : null,
    ),
    encryptedDigest: octetStringValue(info.signature as Block, `${what} encryptedDigest`),
    signedAttributes: signedSet
      ? {
          der: encodedBytes(signedSet),
          attributes: attributesOf(signedSet, `${what} authenticated attributes`),
        }
      : null,
    unsignedAttributes: unsignedSet
      ? attributesOf(unsignedSet, `${what} unauthenticated attributes`)
      : [],
  };
}

function attributesOf(set: Block, what: string): RawAttribute[] {
  const elements = children(set);
  if (elements.length > LIMITS.attributes) {
    throw new MalformedSignatureError(
      `${what} hold ${elements.length} attributes (limit ${LIMITS.attributes})`,
    );
  }
  return elements.map((element) => {
    const parts = children(element);
    const [type, values] = parts;
    if (parts.length !== 2 || !type || !values) {
      throw new MalformedSignatureError(`${what} contain an attribute that is not {type, values}`);
    }
    const valueElements = children(values);
    if (valueElements.length > LIMITS.attributeValues) {
      throw new MalformedSignatureError(
        `${what} contain an attribute with ${valueElements.length} values (limit ${LIMITS.attributeValues})`,
      );
    }
    return {
      type: objectIdentifier(type, `${what} type`),
      values: valueElements.map(encodedBytes),
    };
  });
}

function signerIdentifier(sid: unknown, what: string): SignerIdentifier {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    const issuer = sid.issuer;
    return {
      kind: 'issuerAndSerialNumber',
      issuer:
        issuer.valueBeforeDecode.byteLength > 0
          ? Buffer.from(issuer.valueBeforeDecode)
          : Buffer.from(issuer.toSchema().toBER(false)),
      serialNumber: Buffer.from(sid.serialNumber.valueBlock.valueHexView).toString('hex'),
    };
  }
  // [0] IMPLICIT SubjectKeyIdentifier; pkijs also accepts the (wrong) explicit form.
  const block = sid as Block;
  const inner = children(block)[0];
  const keyIdentifier = inner
    ? octetStringValue(inner, `${what} subjectKeyIdentifier`)
    : primitiveValue(block);
  if (!keyIdentifier)
    throw new MalformedSignatureError(`${what} has an unreadable signer identifier`);
  return { kind: 'subjectKeyIdentifier', keyIdentifier };
}
