import { MalformedSignatureError } from '../errors.js';
import { internCertificate, type Certificate } from '../x509/certificate.js';
import { digestRef } from './algorithms.js';
import { decodeExact, decoding, objectIdentifierOf } from './asn1.js';
import { validateExact } from './ber-validation.js';
import { LIMITS } from './limits.js';
import { OID, oidName } from './oids.js';
import {
  isContextTlv,
  isUniversalTlv,
  onlyChild,
  readTlv,
  tlvBytes,
  tlvChildren,
  tlvSmallInteger,
  type Tlv,
} from './tlv.js';
import type { DigestAlgorithmRef } from './types.js';

/** A CMS/PKCS#7 SignedData inside a ContentInfo, with the parts we read kept as stored. */
export interface DecodedSignedData {
  /** Encoded length of the ContentInfo: what follows it in the input is the caller's business. */
  length: number;
  /** encapContentInfo.eContentType */
  contentType: string;
  /**
   * The encoding of encapContentInfo.eContent (the element inside `[0] EXPLICIT`), checked by
   * the strict decoder's rules (ber-validation.ts); undefined when detached. Readers decode it
   * as they need: Authenticode's SpcIndirectDataContent is read from its bytes.
   */
  contentDer: Uint8Array | undefined;
  digestAlgorithms: DigestAlgorithmRef[];
  certificates: Certificate[];
  crls: Buffer[];
  /** Each SignerInfo's encoding, checked by the strict decoder's rules (ber-validation.ts). */
  signerInfos: Uint8Array[];
}

const SEQUENCE = 16;
const SET = 17;
const INTEGER = 2;
const OBJECT_IDENTIFIER = 6;
const RELATIVE_OID = 13;
/** Elements of a ContentInfo, SignedData or EncapsulatedContentInfo: a few; never thousands. */
const MAX_FIELDS = 8;

/**
 * Decodes `ContentInfo { signedData, [0] EXPLICIT SignedData }` (RFC 5652 §3, §5.1) at the start
 * of `bytes`. The envelope is walked as tag-length-values (tlv.ts) and only the parts we read are
 * decoded, each with the strict decoder: every file of a release carries the same certificates,
 * so each distinct certificate is decoded once per run (internCertificate, keyed by its exact
 * bytes). Decoding the whole blob and matching pkijs' SignedData schema cost most of the time
 * of a small file (issue 19).
 */
export function decodeSignedData(bytes: Uint8Array, what: string): DecodedSignedData {
  if (bytes.length === 0) throw new MalformedSignatureError(`${what} is empty`);
  const contentInfo = readTlv(bytes, 0, bytes.length, what);
  const [contentType, explicitContent, ...extraInfo] = sequence(
    bytes,
    contentInfo,
    `${what} ContentInfo`,
  );
  const type = oid(bytes, contentType, `${what} ContentInfo type`);
  if (type !== OID.signedData) {
    throw new MalformedSignatureError(`${what} holds ${oidName(type)}, not signedData`);
  }
  if (!explicitContent || !isContextTlv(explicitContent, 0) || extraInfo.length > 0) {
    throw new MalformedSignatureError(`${what} has no SignedData`);
  }
  const signedData = onlyChild(bytes, explicitContent, `${what} SignedData`);

  // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
  //   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
  const parts = sequence(bytes, signedData, `${what} SignedData`);
  const [version, digestSet, encapsulated, ...rest] = parts;
  if (!version || !isUniversalTlv(version, INTEGER)) {
    throw new MalformedSignatureError(`cannot decode ${what} SignedData: no version`);
  }
  validateExact(tlvBytes(bytes, version), `${what} SignedData version`);
  if (tlvSmallInteger(bytes, version) === null) {
    throw new MalformedSignatureError(`cannot decode ${what} SignedData: bad version`);
  }
  if (!digestSet || !isUniversalTlv(digestSet, SET)) {
    throw new MalformedSignatureError(`cannot decode ${what} SignedData: no digestAlgorithms SET`);
  }
  if (!encapsulated || !isUniversalTlv(encapsulated, SEQUENCE)) {
    throw new MalformedSignatureError(`cannot decode ${what} SignedData: no encapContentInfo`);
  }
  let next = 0;
  const certificateSet = rest[next] && isContextTlv(rest[next]!, 0) ? rest[next++] : undefined;
  const crlSet = rest[next] && isContextTlv(rest[next]!, 1) ? rest[next++] : undefined;
  const signerInfoSet = rest[next++];
  if (!signerInfoSet || !isUniversalTlv(signerInfoSet, SET)) {
    throw new MalformedSignatureError(`${what} SignedData has no SignerInfo set`);
  }
  if (next !== rest.length) {
    throw new MalformedSignatureError(
      `cannot decode ${what} SignedData: elements after the SignerInfo set`,
    );
  }
  // Counted before anything inside is decoded: a hostile blob is turned away before paying.
  const certificateElements = certificateSet
    ? counted(bytes, certificateSet, `${what} carries`, 'certificates', LIMITS.certificates)
    : [];
  const crlElements = crlSet ? counted(bytes, crlSet, `${what} carries`, 'CRLs', LIMITS.crls) : [];
  const signerInfoElements = counted(
    bytes,
    signerInfoSet,
    `${what} has`,
    'SignerInfos',
    LIMITS.signerInfos,
  );

  const digestAlgorithms = tlvChildren(
    bytes,
    digestSet,
    `${what} digestAlgorithms`,
    LIMITS.certificates,
  ).map((algorithm, i) => {
    const label = `${what} digest algorithm ${i + 1}`;
    validateExact(tlvBytes(bytes, algorithm), label);
    // The first element inside (an AlgorithmIdentifier's algorithm). As asn1.ts `children` read
    // it: a primitive has none, except that an OBJECT IDENTIFIER's arcs counted as elements.
    if (!algorithm.constructed) {
      const hasArcs =
        isUniversalTlv(algorithm, OBJECT_IDENTIFIER) || isUniversalTlv(algorithm, RELATIVE_OID);
      throw new MalformedSignatureError(
        hasArcs && algorithm.contentEnd > algorithm.contentStart
          ? `${label} is not an OBJECT IDENTIFIER`
          : `cannot decode ${label}`,
      );
    }
    const algorithmOid =
      algorithm.contentStart < algorithm.contentEnd
        ? readTlv(bytes, algorithm.contentStart, algorithm.contentEnd, label)
        : undefined;
    if (!algorithmOid) throw new MalformedSignatureError(`cannot decode ${label}`);
    if (!isUniversalTlv(algorithmOid, OBJECT_IDENTIFIER)) {
      throw new MalformedSignatureError(`${label} is not an OBJECT IDENTIFIER`);
    }
    return digestRef(objectIdentifierOf(tlvBytes(bytes, algorithmOid), label));
  });

  // EncapsulatedContentInfo ::= SEQUENCE { eContentType, eContent [0] EXPLICIT OPTIONAL }
  const [eContentType, eContentWrapper, ...extraContent] = sequence(
    bytes,
    encapsulated,
    `${what} encapContentInfo`,
  );
  const contentTypeOid = oid(bytes, eContentType, `${what} eContentType`);
  if (extraContent.length > 0 || (eContentWrapper && !isContextTlv(eContentWrapper, 0))) {
    throw new MalformedSignatureError(`cannot decode ${what} encapContentInfo`);
  }
  let contentDer: Uint8Array | undefined;
  if (eContentWrapper) {
    const inner = onlyChild(bytes, eContentWrapper, `${what} eContent`);
    contentDer = tlvBytes(bytes, inner);
    validateExact(contentDer, `${what} eContent`);
  }

  const certificates: Certificate[] = [];
  certificateElements.forEach((element, i) => {
    const label = `${what} certificate ${i + 1}`;
    const der = tlvBytes(bytes, element);
    // Attribute certificates and other formats ([0]..[3]) carry no keys we can use: checked as
    // BER like everything else, then skipped.
    if (!isUniversalTlv(element, SEQUENCE)) {
      validateExact(der, label);
      return;
    }
    certificates.push(
      decoding(label, () => internCertificate(der, (copy) => decodeExact(copy, label))),
    );
  });
  const crls = crlElements.flatMap((element, i) => {
    const der = tlvBytes(bytes, element);
    validateExact(der, `${what} CRL ${i + 1}`);
    return isUniversalTlv(element, SEQUENCE) ? [Buffer.from(der)] : [];
  });

  return {
    length: contentInfo.end,
    contentType: contentTypeOid,
    contentDer,
    digestAlgorithms,
    certificates,
    crls,
    signerInfos: signerInfoElements.map((element, i) => {
      const der = tlvBytes(bytes, element);
      validateExact(der, `${what} SignerInfo ${i + 1}`);
      return der;
    }),
  };
}

function sequence(bytes: Uint8Array, tlv: Tlv, what: string): Tlv[] {
  if (!isUniversalTlv(tlv, SEQUENCE)) {
    throw new MalformedSignatureError(`cannot decode ${what}: not a SEQUENCE`);
  }
  return tlvChildren(bytes, tlv, what, MAX_FIELDS);
}

function oid(bytes: Uint8Array, tlv: Tlv | undefined, what: string): string {
  if (!tlv) throw new MalformedSignatureError(`cannot decode ${what}: missing`);
  return objectIdentifierOf(tlvBytes(bytes, tlv), what);
}

function counted(bytes: Uint8Array, set: Tlv, prefix: string, things: string, max: number): Tlv[] {
  return tlvChildren(
    bytes,
    set,
    `${prefix} ${things}`,
    max,
    (count) => `${prefix} ${count} ${things} (limit ${max})`,
  );
}
