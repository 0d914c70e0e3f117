import { createHash } from 'node:crypto';
import { MalformedSignatureError } from '../errors.js';
import type { Certificate } from '../x509/certificate.js';
import { digestRef, signatureAlgorithmRef } from './algorithms.js';
import { decodeExactShared, integerMagnitude, objectIdentifierOf, type Block } from './asn1.js';
import { LIMITS } from './limits.js';
import { isContextTlv, isUniversalTlv, readTlv, tlvBytes, tlvChildren, type Tlv } from './tlv.js';
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

/**
 * Decodes a SignerInfo (RFC 5652 §5.3) whose encoding the strict decoder's rules have already
 * accepted (asn1.ts decodeExact, or ber-validation.ts validateExact), by walking its bytes
 * as tag-length-values (tlv.ts) instead of matching pkijs' SignerInfo schema:
 * the schema walk built hundreds of objects per signature and was a large part of a small file's
 * cost (issue 19). It accepts and refuses exactly what pkijs' schema did, field by field, which
 * test/authenticode/signer-info.test.ts checks against pkijs on generated and hostile input:
 *
 *   SignerInfo ::= SEQUENCE { version INTEGER, sid, digestAlgorithm, [0] IMPLICIT signedAttrs
 *     OPTIONAL, signatureAlgorithm, signature OCTET STRING, [1] IMPLICIT unsignedAttrs OPTIONAL }
 *
 * with asn1js' rules for matching: fields in order, an optional field that does not match is
 * skipped, and an element's form (primitive or constructed) must be the schema's. One difference,
 * stricter: pkijs ignored elements after the last field, and the attribute sets were then looked
 * up among all elements, so a stray [0] or [1] after the signature was read as attributes; here
 * such a SignerInfo is malformed, as it is for OpenSSL and Windows (a DER SEQUENCE has no room
 * for more).
 */
export function decodeSignerInfo(bytes: Uint8Array, what: string): DecodedSignerInfo {
  const fail = (reason: string): never => {
    throw new MalformedSignatureError(`cannot decode ${what}: ${reason}`);
  };
  const root = readTlv(bytes, 0, bytes.length, what);
  if (!isUniversalTlv(root, SEQUENCE) || !root.constructed) fail('not a SEQUENCE');
  const [version, sid, digestAlgorithm, signedSet, signatureAlgorithm, signature, unsignedSet] =
    matchFields(bytes, allChildren(bytes, root, what), SIGNER_INFO_FIELDS, true) ??
    fail('its fields are not those of a SignerInfo');
  // pkijs refused an empty [0] too ("Wrong structure of SignedUnsignedAttributes").
  if (signedSet && signedSet.contentStart === signedSet.contentEnd) {
    fail('its authenticated attributes are an empty set');
  }
  return {
    version: integerValue(bytes, version!),
    identifier: signerIdentifier(bytes, sid!, what),
    digestAlgorithm: digestRef(algorithmOid(bytes, digestAlgorithm!, `${what} digestAlgorithm`)),
    signatureAlgorithm: signatureAlgorithmRef(
      algorithmOid(bytes, signatureAlgorithm!, `${what} signatureAlgorithm`),
      algorithmParameters(bytes, signatureAlgorithm!, what),
    ),
    encryptedDigest: Buffer.from(bytes.subarray(signature!.contentStart, signature!.contentEnd)),
    signedAttributes: signedSet
      ? {
          der: Buffer.from(tlvBytes(bytes, signedSet)),
          attributes: attributesOf(bytes, signedSet, `${what} authenticated attributes`),
        }
      : null,
    unsignedAttributes: unsignedSet
      ? attributesOf(bytes, unsignedSet, `${what} unauthenticated attributes`)
      : [],
  };
}

/**
 * An INTEGER's value as asn1js gave it (Integer valueBlock.valueDec), which the report shows:
 * two's complement for one to three octets; 0 when empty or longer.
 */
function integerValue(bytes: Uint8Array, integer: Tlv): number {
  const length = integer.contentEnd - integer.contentStart;
  if (length === 0 || length >= 4) return 0;
  let n = 0;
  for (let i = integer.contentStart; i < integer.contentEnd; i++) n = n * 256 + bytes[i]!;
  return bytes[integer.contentStart]! & 0x80 ? n - 2 ** (8 * length) : n;
}

const INTEGER = 2;
const OCTET_STRING = 4;
const OBJECT_IDENTIFIER = 6;
const SEQUENCE = 16;
const SET = 17;

/** One field of a schema: whether it may be absent, and whether an element is that field. */
interface Field {
  optional: boolean;
  matches(bytes: Uint8Array, element: Tlv): boolean;
}

/**
 * asn1js' compareSchema for a SEQUENCE of fields: each field is tried against the next unused
 * element; an optional field that does not match is skipped (the element is tried against the
 * next field), a required one fails the match; a required field with no element left fails it;
 * elements left after the last field are ignored unless `exact`. Returns the element each field
 * took.
 */
function matchFields(
  bytes: Uint8Array,
  elements: readonly Tlv[],
  fields: readonly Field[],
  exact = false,
): (Tlv | undefined)[] | null {
  const taken: (Tlv | undefined)[] = [];
  let next = 0;
  for (const field of fields) {
    const element = elements[next];
    if (element && field.matches(bytes, element)) {
      taken.push(element);
      next++;
    } else if (field.optional) {
      taken.push(undefined);
    } else {
      return null;
    }
  }
  return exact && next < elements.length ? null : taken;
}

/** Every element inside a constructed one (their number is bounded by the strict decoder). */
function allChildren(bytes: Uint8Array, parent: Tlv, what: string): Tlv[] {
  return tlvChildren(bytes, parent, what, bytes.length);
}

const primitive =
  (tagNumber: number): Field['matches'] =>
  (_bytes, element) =>
    isUniversalTlv(element, tagNumber) && !element.constructed;

const isInteger = primitive(INTEGER);
const isOid = primitive(OBJECT_IDENTIFIER);
const isOctetString = primitive(OCTET_STRING);

/** A constructed universal element whose children all match `child` (asn1js' Repeated). */
const repeated =
  (tagNumber: number, child: Field['matches']): Field['matches'] =>
  (bytes, element) =>
    isUniversalTlv(element, tagNumber) &&
    element.constructed &&
    allChildren(bytes, element, 'SignerInfo').every((c) => child(bytes, c));

/** A constructed universal element whose first children are `fields` (the rest ignored). */
const sequenceOf =
  (...fields: Field[]): Field['matches'] =>
  (bytes, element) =>
    isUniversalTlv(element, SEQUENCE) &&
    element.constructed &&
    matchFields(bytes, allChildren(bytes, element, 'SignerInfo'), fields) !== null;

const required = (matches: Field['matches']): Field => ({ optional: false, matches });
const anything: Field = { optional: false, matches: () => true };

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL } */
const isAlgorithmIdentifier = sequenceOf(required(isOid), { optional: true, matches: () => true });

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OBJECT IDENTIFIER, value ANY } */
const isName = repeated(SEQUENCE, repeated(SET, sequenceOf(required(isOid), anything)));

/**
 * SignerIdentifier ::= CHOICE { IssuerAndSerialNumber, [0] SubjectKeyIdentifier }: pkijs takes
 * the [0] both IMPLICIT (primitive) and, wrongly, EXPLICIT (constructed, an OCTET STRING first).
 */
const isSignerIdentifier: Field['matches'] = (bytes, element) => {
  if (isContextTlv(element, 0)) {
    if (!element.constructed) return true;
    const [first] = allChildren(bytes, element, 'SignerInfo');
    return first !== undefined && isOctetString(bytes, first);
  }
  return sequenceOf(required(isName), required(isInteger))(bytes, element);
};

/** Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF ANY } */
const isAttribute = sequenceOf(required(isOid), required(repeated(SET, () => true)));

const attributeSet =
  (tagNumber: number): Field['matches'] =>
  (bytes, element) =>
    isContextTlv(element, tagNumber) &&
    element.constructed &&
    allChildren(bytes, element, 'SignerInfo').every((c) => isAttribute(bytes, c));

const SIGNER_INFO_FIELDS: readonly Field[] = [
  required(isInteger),
  required(isSignerIdentifier),
  required(isAlgorithmIdentifier),
  { optional: true, matches: attributeSet(0) },
  required(isAlgorithmIdentifier),
  required(isOctetString),
  { optional: true, matches: attributeSet(1) },
];

function algorithmOid(bytes: Uint8Array, algorithm: Tlv, what: string): string {
  const [oid] = allChildren(bytes, algorithm, what);
  return objectIdentifierOf(tlvBytes(bytes, oid!), what);
}

/** The parameters element as stored, or null when there is none. */
function algorithmParameters(bytes: Uint8Array, algorithm: Tlv, what: string): Buffer | null {
  const params = allChildren(bytes, algorithm, what)[1];
  return params ? Buffer.from(tlvBytes(bytes, params)) : null;
}

function signerIdentifier(bytes: Uint8Array, sid: Tlv, what: string): SignerIdentifier {
  if (isContextTlv(sid, 0)) {
    // [0] IMPLICIT SubjectKeyIdentifier, or the explicit form pkijs also accepts.
    const inner = sid.constructed ? allChildren(bytes, sid, what)[0]! : sid;
    return {
      kind: 'subjectKeyIdentifier',
      keyIdentifier: Buffer.from(bytes.subarray(inner.contentStart, inner.contentEnd)),
    };
  }
  const [issuer, serial] = allChildren(bytes, sid, what);
  return {
    kind: 'issuerAndSerialNumber',
    issuer: Buffer.from(tlvBytes(bytes, issuer!)),
    serialNumber: Buffer.from(bytes.subarray(serial!.contentStart, serial!.contentEnd)).toString(
      'hex',
    ),
  };
}

function attributesOf(bytes: Uint8Array, set: Tlv, what: string): RawAttribute[] {
  const elements = tlvChildren(
    bytes,
    set,
    what,
    LIMITS.attributes,
    (count) => `${what} hold ${count} attributes (limit ${LIMITS.attributes})`,
  );
  return elements.map((element) => {
    const parts = allChildren(bytes, element, what);
    const [type, values] = parts;
    if (parts.length !== 2 || !type || !values) {
      throw new MalformedSignatureError(`${what} contain an attribute that is not {type, values}`);
    }
    const valueElements = tlvChildren(
      bytes,
      values,
      what,
      LIMITS.attributeValues,
      (count) =>
        `${what} contain an attribute with ${count} values (limit ${LIMITS.attributeValues})`,
    );
    return {
      type: objectIdentifierOf(tlvBytes(bytes, type), `${what} type`),
      values: valueElements.map((value) => Buffer.from(tlvBytes(bytes, value))),
    };
  });
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
  return createHash('sha1').update(certificate.publicKeyBits).digest();
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
    return { ok: true, value: decodeExactShared(values[0]!, 'attribute value') };
  } catch {
    return { ok: false, why: 'undecodable' };
  }
}
