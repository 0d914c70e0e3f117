import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MalformedSignatureError } from '../errors.js';
import type { Certificate } from '../x509/certificate.js';
import { digestRef, signatureAlgorithmRef } from './algorithms.js';
import {
  children,
  decodeExact,
  decoding,
  encodedBytes,
  integerMagnitude,
  isContext,
  objectIdentifier,
  octetStringValue,
  primitiveValue,
  type Block,
} from './asn1.js';
import { LIMITS } from './limits.js';
import type {
  DigestAlgorithmRef,
  RawAttribute,
  RawAuthenticatedAttributes,
  SignatureAlgorithmRef,
  SignerIdentifier,
} from './types.js';

/** A CMS SignerInfo with the bytes that get hashed and verified kept exactly as stored. */
export interface DecodedSignerInfo {
  version: number;
  identifier: SignerIdentifier;
  digestAlgorithm: DigestAlgorithmRef;
  signatureAlgorithm: SignatureAlgorithmRef;
  /** Contents of the encryptedDigest OCTET STRING. */
  encryptedDigest: Buffer;
  signedAttributes: RawAuthenticatedAttributes | null;
  unsignedAttributes: RawAttribute[];
}

export function decodeSignerInfo(block: Block, what: string): DecodedSignerInfo {
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

/**
 * The certificate a SignerInfo names: issuer Name compared as DER, serial compared as an
 * integer value (CertCompareIntegerBlob ignores leading zero octets); or, for SignerInfo v3,
 * the subjectKeyIdentifier — falling back to SHA-1 of the public key (RFC 5280 §4.2.1.2 method 1)
 * for certificates without the extension.
 */
export function findSignerCertificate(
  certificates: readonly Certificate[],
  identifier: SignerIdentifier,
): Certificate | null {
  if (identifier.kind === 'issuerAndSerialNumber') {
    const serial = integerMagnitude(Buffer.from(identifier.serialNumber, 'hex'));
    return (
      certificates.find(
        (c) =>
          c.issuerDer.equals(identifier.issuer) &&
          integerMagnitude(Buffer.from(c.serialNumber, 'hex')).equals(serial),
      ) ?? null
    );
  }
  return (
    certificates.find((c) => {
      const ski = c.subjectKeyIdentifier ?? publicKeySha1(c);
      return ski.equals(identifier.keyIdentifier);
    }) ?? null
  );
}

function publicKeySha1(certificate: Certificate): Buffer {
  const bits = certificate.pki.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return createHash('sha1').update(bits).digest();
}

/** Outcome of looking up an attribute that CMS requires to occur once with one value. */
export type SingleValue =
  | { ok: true; value: Block }
  | { ok: false; why: 'missing' | 'repeated' | 'multi-valued' | 'undecodable' };

export function singleValue(attributes: readonly RawAttribute[], type: string): SingleValue {
  const matches = attributes.filter((a) => a.type === type);
  if (matches.length === 0) return { ok: false, why: 'missing' };
  if (matches.length > 1) return { ok: false, why: 'repeated' };
  const values = matches[0]!.values;
  if (values.length !== 1) return { ok: false, why: values.length ? 'multi-valued' : 'missing' };
  try {
    return { ok: true, value: decodeExact(values[0]!, 'attribute value') };
  } catch {
    return { ok: false, why: 'undecodable' };
  }
}
