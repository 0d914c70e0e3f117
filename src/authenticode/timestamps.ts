import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MalformedSignatureError } from '../errors.js';
import { HRESULT } from '../findings.js';
import type { Certificate } from '../x509/certificate.js';
import { digestRef, isDigestAlgorithm } from './algorithms.js';
import {
  children,
  decodeExact,
  decoding,
  isSequence,
  objectIdentifier,
  octetStringValue,
  timeValue,
  type Block,
} from './asn1.js';
import { OID, oidName } from './oids.js';
import { decodeSignedData } from './signed-data.js';
import { validateExact } from './ber-validation.js';
import { readTlv } from './tlv.js';
import { readTstInfo } from './tst-info.js';
import { verifySignedAttributes } from './signature.js';
import {
  decodeSignerInfo,
  findSignerCertificate,
  singleValue,
  type DecodedSignerInfo,
} from './signer-info.js';
import type {
  AuthenticodeSignature,
  RawAttribute,
  TimestampCheck,
  TimestampProblemReason,
  TimestampToken,
} from './types.js';

/**
 * Verifies the timestamps on one signature's SignerInfo (docs/formats.md §7.6): RFC 3161 tokens and
 * legacy Authenticode countersignatures, in stored order. Only the cryptography is checked here
 * — the imprint binding to this signer's encryptedDigest, the token's own messageDigest and
 * signature, and the TSA certificate's identity; the TSA certificate's timeStamping EKU and its
 * chain are the trust layer's (it gets `signerCertificate` and `certificates`).
 *
 * For nested signatures call this with each nested AuthenticodeSignature: their timestamps bind
 * to their own SignerInfo. Never throws for file content; problems are in the results.
 */
export function verifyTimestamps(sig: AuthenticodeSignature): TimestampCheck[] {
  return sig.timestampTokens.map((token, index) => {
    const check = emptyCheck(token, index);
    try {
      if (token.kind === 'rfc3161') verifyRfc3161(sig, token, check);
      else verifyLegacy(sig, token, check);
    } catch (error) {
      fail(check, 'malformed', error instanceof Error ? error.message : String(error));
    }
    return check;
  });
}

class TimestampFailure extends Error {
  constructor(
    readonly reason: TimestampProblemReason,
    message: string,
  ) {
    super(message);
  }
}

function emptyCheck(token: TimestampToken, index: number): TimestampCheck {
  return {
    kind: token.kind,
    index,
    time: null,
    signerCertificate: null,
    certificates: [],
    digestAlgorithm: null,
    serialNumber: null,
    policy: null,
    ok: false,
    bareDigest: false,
  };
}

function fail(check: TimestampCheck, reason: TimestampProblemReason, message: string): void {
  check.ok = false;
  check.problem = {
    hresult: check.kind === 'rfc3161' ? HRESULT.TRUST_E_TIME_STAMP : HRESULT.TRUST_E_COUNTER_SIGNER,
    reason,
    message: `${check.kind === 'rfc3161' ? 'RFC 3161 timestamp' : 'countersignature'} ${check.index + 1}: ${message}`,
  };
}

/** RFC 3161 TimeStampToken in attribute 1.3.6.1.4.1.311.3.3.1. */
function verifyRfc3161(
  sig: AuthenticodeSignature,
  token: TimestampToken,
  check: TimestampCheck,
): void {
  const signedData = decodeSignedData(token.der, 'timestamp token');
  if (signedData.length !== token.der.length) {
    throw new MalformedSignatureError(
      `timestamp token has ${token.der.length - signedData.length} bytes after its end`,
    );
  }
  check.certificates = signedData.certificates;
  if (signedData.contentType !== OID.tstInfo) {
    throw new MalformedSignatureError(
      `token content is ${oidName(signedData.contentType)}, not id-ct-TSTInfo`,
    );
  }
  if (signedData.signerInfos.length !== 1) {
    throw new MalformedSignatureError(
      `token has ${signedData.signerInfos.length} SignerInfos, not one`,
    );
  }
  if (!signedData.contentDer) throw new MalformedSignatureError('token has no TSTInfo');
  const tstInfoBytes = eContentOctets(signedData.contentDer);
  const tstInfo = readTstInfo(tstInfoBytes);
  check.time = Number.isNaN(tstInfo.genTime.getTime()) ? null : tstInfo.genTime;
  check.policy = tstInfo.policy;
  check.serialNumber = tstInfo.serialNumber;
  const imprintAlgorithm = digestRef(tstInfo.hashAlgorithm);
  check.digestAlgorithm = imprintAlgorithm;

  const signer = decodeSignerInfo(signedData.signerInfos[0]!, 'timestamp SignerInfo');
  check.signerCertificate = findSignerCertificate(signedData.certificates, signer.identifier);

  try {
    // The imprint covers the contents of the timestamped signer's encryptedDigest. §8.4 item 38
    if (!isDigestAlgorithm(imprintAlgorithm.algorithm)) {
      throw new TimestampFailure(
        'unsupported-algorithm',
        `imprint algorithm ${imprintAlgorithm.oid} is not supported`,
      );
    }
    const imprint = createHash(imprintAlgorithm.algorithm).update(sig.encryptedDigest).digest();
    const hashedMessage = tstInfo.hashedMessage();
    if (!imprint.equals(hashedMessage)) {
      throw new TimestampFailure(
        'imprint-mismatch',
        'the timestamp is for a different signature (message imprint mismatch)',
      );
    }
    refuseMd5(imprintAlgorithm.algorithm, 'message imprint');
    check.bareDigest = verifyCounterSigner(
      signer,
      tstInfoBytes,
      OID.tstInfo,
      check.signerCertificate,
      true,
    );
    check.ok = true;
  } catch (error) {
    if (!(error instanceof TimestampFailure)) throw error;
    fail(check, error.reason, error.message);
  }
}

/**
 * The OID of an AlgorithmIdentifier (SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY
 * OPTIONAL }): read directly in that shape, by pkijs in any other (which refuses what it must).
 */
function algorithmIdentifierOid(block: Block): string {
  const parts = children(block);
  if (parts.length >= 1 && parts.length <= 2 && parts[0] instanceof asn1js.ObjectIdentifier) {
    return objectIdentifier(parts[0], 'ESSCertIDv2 hashAlgorithm');
  }
  return decoding(
    'ESSCertIDv2 hashAlgorithm',
    () => new pkijs.AlgorithmIdentifier({ schema: block }),
  ).algorithmId;
}

/**
 * The token's eContent, an OCTET STRING holding the TSTInfo: its contents read in place when it
 * is the primitive form (the walk in decodeSignedData has checked the encoding), through asn1js
 * otherwise (the constructed form of BER).
 */
function eContentOctets(contentDer: Uint8Array): Buffer {
  if (contentDer.length >= 2 && contentDer[0] === 0x04) {
    const tlv = readTlv(contentDer, 0, contentDer.length, 'token eContent');
    if (tlv.end === contentDer.length) {
      return Buffer.from(contentDer.subarray(tlv.contentStart, tlv.contentEnd));
    }
  }
  return octetStringValue(decodeExact(contentDer, 'token eContent'), 'token eContent');
}

/**
 * Legacy Authenticode countersignature in attribute 1.2.840.113549.1.9.6: a bare SignerInfo
 * whose certificates are in the outer SignedData (docs/formats.md §7.6, §8.4 item 39).
 */
function verifyLegacy(
  sig: AuthenticodeSignature,
  token: TimestampToken,
  check: TimestampCheck,
): void {
  check.certificates = sig.certificates;
  validateExact(token.der, 'countersignature');
  const signer = decodeSignerInfo(token.der, 'countersignature');
  check.digestAlgorithm = signer.digestAlgorithm;
  check.signerCertificate = findSignerCertificate(sig.certificates, signer.identifier);
  const attributes = signer.signedAttributes?.attributes ?? [];
  const signingTime = singleValue(attributes, OID.signingTime);
  check.time = signingTime.ok ? timeValue(signingTime.value) : null;
  try {
    if (!check.time)
      throw new TimestampFailure('malformed', 'the countersignature has no valid signingTime');
    check.bareDigest = verifyCounterSigner(
      signer,
      sig.encryptedDigest,
      OID.data,
      check.signerCertificate,
      false,
    );
    check.ok = true;
  } catch (error) {
    if (!(error instanceof TimestampFailure)) throw error;
    fail(check, error.reason, error.message);
  }
}

/** Windows refuses MD5 in Authenticode; a timestamp relying on it does not count. */
function refuseMd5(algorithm: string, what: string): void {
  if (algorithm === 'md5') {
    throw new TimestampFailure(
      'unsupported-algorithm',
      `the ${what} uses MD5, which Windows no longer accepts`,
    );
  }
}

/**
 * The CMS signer checks shared by both kinds: contentType attribute, messageDigest over
 * `content`, the signer certificate (and, for RFC 3161, its ESS signingCertificate hash), and
 * the signature over the signed attributes. Returns whether the signature is in the legacy
 * bare-digest RSA form (verifySignedAttributes, allowBareDigest).
 */
function verifyCounterSigner(
  signer: DecodedSignerInfo,
  content: Buffer,
  expectedContentType: string,
  certificate: Certificate | null,
  contentTypeRequired: boolean,
): boolean {
  const signed = signer.signedAttributes;
  if (!signed)
    throw new TimestampFailure('malformed', 'the timestamp signer has no signed attributes');

  const contentType = singleValue(signed.attributes, OID.contentType);
  if (contentType.ok) {
    const type = objectIdentifier(contentType.value, 'contentType');
    if (type !== expectedContentType) {
      throw new TimestampFailure(
        'malformed',
        `the contentType attribute is ${oidName(type)}, not ${oidName(expectedContentType)}`,
      );
    }
  } else if (contentTypeRequired || contentType.why !== 'missing') {
    throw new TimestampFailure('malformed', `the contentType attribute is ${contentType.why}`);
  }

  const messageDigest = singleValue(signed.attributes, OID.messageDigest);
  if (!messageDigest.ok) {
    throw new TimestampFailure('malformed', `the messageDigest attribute is ${messageDigest.why}`);
  }
  const hash = signer.digestAlgorithm.algorithm;
  if (!isDigestAlgorithm(hash)) {
    throw new TimestampFailure(
      'unsupported-algorithm',
      `digest algorithm ${signer.digestAlgorithm.oid} is not supported`,
    );
  }
  refuseMd5(hash, 'timestamp signer digest');
  const expected = octetStringValue(messageDigest.value, 'messageDigest');
  if (!createHash(hash).update(content).digest().equals(expected)) {
    throw new TimestampFailure(
      'digest-mismatch',
      'the messageDigest attribute does not match the timestamped content',
    );
  }

  if (!certificate)
    throw new TimestampFailure(
      'no-signer-cert',
      'the timestamp signer certificate is not embedded',
    );
  checkEssCertificateHash(signed.attributes, certificate);

  const outcome = verifySignedAttributes(signer, signed.der, certificate, {
    allowBareDigest: true,
  });
  if (!outcome.ok) {
    throw new TimestampFailure(
      outcome.reason === 'unsupported-algorithm'
        ? 'unsupported-algorithm'
        : outcome.reason === 'malformed'
          ? 'malformed'
          : 'bad-signature',
      `timestamp signature: ${outcome.message}`,
    );
  }
  return outcome.bareDigest === true;
}

/**
 * ESS signingCertificate (RFC 2634: SHA-1 certHash) / signingCertificateV2 (RFC 5035: hash
 * algorithm, default SHA-256): when present, the first ESSCertID must be the certificate that
 * signed, which stops a TSA key being attributed to another certificate carrying the same key.
 */
function checkEssCertificateHash(
  attributes: readonly RawAttribute[],
  certificate: Certificate,
): void {
  for (const [type, v2] of [
    [OID.signingCertificateV2, true],
    [OID.signingCertificate, false],
  ] as const) {
    if (!attributes.some((a) => a.type === type)) continue;
    const value = singleValue(attributes, type);
    if (!value.ok)
      throw new TimestampFailure('malformed', `the ${oidName(type)} attribute is ${value.why}`);
    const certs = children(value.value)[0];
    const first = certs && isSequence(certs) ? children(certs)[0] : undefined;
    if (!first || !isSequence(first)) {
      throw new TimestampFailure(
        'malformed',
        `the ${oidName(type)} attribute lists no certificate`,
      );
    }
    const fields = children(first);
    let algorithm = 'sha1';
    let hashField = fields[0];
    if (v2) {
      algorithm = 'sha256';
      if (hashField && isSequence(hashField)) {
        algorithm = digestRef(algorithmIdentifierOid(hashField)).algorithm;
        hashField = fields[1];
      }
    }
    if (!isDigestAlgorithm(algorithm)) {
      throw new TimestampFailure(
        'unsupported-algorithm',
        `${oidName(type)} hash ${algorithm} is not supported`,
      );
    }
    if (!hashField || !(hashField instanceof asn1js.OctetString)) {
      throw new TimestampFailure(
        'malformed',
        `the ${oidName(type)} attribute has no certificate hash`,
      );
    }
    const certHash = octetStringValue(hashField, 'certHash');
    if (!createHash(algorithm).update(certificate.der).digest().equals(certHash)) {
      throw new TimestampFailure(
        'signer-cert-mismatch',
        `the ${oidName(type)} attribute names a different certificate`,
      );
    }
  }
}
