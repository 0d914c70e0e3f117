import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  children,
  contentOctets,
  decodeExact,
  decoding,
  isSequence,
  objectIdentifier,
  octetStringValue,
  timeValue,
  type Block,
} from '../authenticode/asn1.js';
import { isDigestAlgorithm } from '../authenticode/algorithms.js';
import { OID } from '../authenticode/oids.js';
import { verifySignedAttributes } from '../authenticode/signature.js';
import { decodeSignedData } from '../authenticode/signed-data.js';
import {
  decodeSignerInfo,
  findSignerCertificate,
  singleValue,
} from '../authenticode/signer-info.js';
import { MalformedSignatureError } from '../errors.js';
import type { Certificate } from '../x509/certificate.js';
import { buildChain } from './chain.js';

/**
 * Microsoft's Certificate Trust List (CTL), the signed list behind the Trusted Root Program
 * that Windows' automatic root update downloads as authroot.stl (docs/windows-roots.md).
 *
 * The file is PKCS#7 v1.5 SignedData whose content type is szOID_CTL (1.3.6.1.4.1.311.10.1);
 * like Authenticode's SpcIndirectDataContent, the CTL SEQUENCE sits directly inside
 * `[0] EXPLICIT`, and messageDigest covers its contents octets. Structure ([MS-CAESO] and
 * wincrypt.h CTL_INFO):
 *
 *   CertificateTrustList ::= SEQUENCE {
 *     version INTEGER DEFAULT 0, subjectUsage SEQUENCE OF OID, listIdentifier OCTET STRING OPTIONAL,
 *     sequenceNumber INTEGER OPTIONAL, thisUpdate Time, nextUpdate Time OPTIONAL,
 *     subjectAlgorithm AlgorithmIdentifier, trustedSubjects SEQUENCE OF TrustedSubject OPTIONAL,
 *     ctlExtensions [0] EXPLICIT Extensions OPTIONAL }
 *   TrustedSubject ::= SEQUENCE { subjectIdentifier OCTET STRING, attributes SET OF Attribute }
 *
 * Each attribute type is 1.3.6.1.4.1.311.10.11.<CERT_*_PROP_ID> and its single value is an
 * OCTET STRING holding the raw property blob (wincrypt.h,
 * CertCreateCTLEntryFromCertificateContextProperties).
 */

const PROPERTY_PREFIX = '1.3.6.1.4.1.311.10.11.';

/** The CERT_*_PROP_ID numbers this reader interprets (wincrypt.h). */
export const CTL_PROPERTY = {
  /** CERT_ENHKEY_USAGE_PROP_ID: the purposes the root is trusted for. */
  purposes: `${PROPERTY_PREFIX}9`,
  /** CERT_FRIENDLY_NAME_PROP_ID: UTF-16LE display name. */
  friendlyName: `${PROPERTY_PREFIX}11`,
  /** CERT_SUBJECT_NAME_MD5_HASH_PROP_ID: MD5 of the subject Name's DER. */
  subjectNameMd5: `${PROPERTY_PREFIX}29`,
  /** CERT_AUTH_ROOT_SHA256_HASH_PROP_ID: SHA-256 of the certificate. */
  sha256: `${PROPERTY_PREFIX}98`,
  /** CERT_DISALLOWED_FILETIME_PROP_ID: the "Disable" date. */
  disabledFrom: `${PROPERTY_PREFIX}104`,
  /** CERT_DISALLOWED_ENHKEY_USAGE_PROP_ID: purposes taken away from the root. */
  disallowedPurposes: `${PROPERTY_PREFIX}122`,
  /** CERT_NOT_BEFORE_FILETIME_PROP_ID: the "NotBefore" date. */
  notBefore: `${PROPERTY_PREFIX}126`,
  /** CERT_NOT_BEFORE_ENHKEY_USAGE_PROP_ID: the purposes the NotBefore date applies to. */
  notBeforePurposes: `${PROPERTY_PREFIX}127`,
} as const;

/** szOID_ROOT_LIST_SIGNER: the subject usage of the root list and the EKU of its signer. */
export const ROOT_LIST_SIGNER = '1.3.6.1.4.1.311.10.3.9';

/** One root of the list, with the properties that decide what it is trusted for. */
export interface TrustListEntry {
  /** SHA-1 of the root certificate's DER, lower-case hex (the CTL's subject identifier). */
  sha1: string;
  friendlyName: string | null;
  /** EKU OIDs the root is trusted for; null when the property is absent (every purpose). */
  purposes: string[] | null;
  /** EKU OIDs the root may no longer be used for (empty when the property is absent). */
  disallowedPurposes: string[];
  /** From this time on the root is not trusted; null when absent or cleared (0 bytes). */
  disabledFrom: Date | null;
  /** Certificates issued on or after this time are not trusted; null when absent or cleared. */
  notBefore: Date | null;
  /** The purposes notBefore applies to; null when the property is absent (every purpose). */
  notBeforePurposes: string[] | null;
  /** SHA-256 of the certificate, lower-case hex, when the list carries it. */
  sha256: string | null;
  /** MD5 of the certificate's subject Name DER, lower-case hex, when the list carries it. */
  subjectNameMd5: string | null;
  /** Property IDs present on this entry (for the record; most carry no trust decision). */
  propertyIds: number[];
}

export interface CertificateTrustList {
  subjectUsage: string[];
  /** Hex of the sequence number's value bytes, or null when absent. */
  sequenceNumber: string | null;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** Algorithm OID of the subject identifiers (sha1 for authroot.stl). */
  subjectAlgorithm: string;
  entries: TrustListEntry[];
  /** The whole signed file: needed to verify it (verifyTrustList). */
  readonly signed: SignedTrustList;
}

interface SignedTrustList {
  ctl: Block;
  certificates: Certificate[];
  signerInfos: Uint8Array[];
}

/** Longest friendly name decoded (characters); real ones are under 100. */
const MAX_NAME_CHARS = 1024;
/** Most EKU OIDs in one property; real ones carry at most a dozen. */
const MAX_PURPOSES = 64;

/**
 * Decodes a Certificate Trust List (authroot.stl). Throws MalformedSignatureError when the
 * file is not one. Nothing is verified here: see verifyTrustList.
 */
export function readTrustList(der: Uint8Array): CertificateTrustList {
  try {
    return decodeTrustList(Buffer.from(der));
  } catch (error) {
    if (error instanceof MalformedSignatureError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MalformedSignatureError(`cannot decode the certificate trust list: ${reason}`);
  }
}

function decodeTrustList(bytes: Buffer): CertificateTrustList {
  const signedData = decodeSignedData(bytes, 'certificate trust list');
  if (bytes.subarray(signedData.length).some((b) => b !== 0)) {
    throw new MalformedSignatureError('the certificate trust list is followed by other data');
  }
  if (signedData.contentType !== OID.ctl) {
    throw new MalformedSignatureError(
      `the signed content is ${signedData.contentType}, not a certificate trust list (${OID.ctl})`,
    );
  }
  const ctl = signedData.contentDer && decodeExact(signedData.contentDer, 'trust list content');
  if (!ctl || !isSequence(ctl)) {
    throw new MalformedSignatureError('the certificate trust list content is not a SEQUENCE');
  }

  const parts = children(ctl);
  let at = 0;
  const next = () => parts[at];
  if (next() instanceof asn1js.Integer && parts[at + 1] && isSequence(parts[at + 1]!)) at++; // version
  const usage = parts[at++];
  if (!usage || !isSequence(usage)) {
    throw new MalformedSignatureError('the certificate trust list has no subject usage');
  }
  const subjectUsage = children(usage).map((oid) => objectIdentifier(oid, 'subject usage'));
  if (next() instanceof asn1js.OctetString) at++; // listIdentifier
  let sequenceNumber: string | null = null;
  const sequence = next();
  if (sequence instanceof asn1js.Integer) {
    sequenceNumber = Buffer.from(sequence.valueBlock.valueHexView).toString('hex').toUpperCase();
    at++;
  }
  const thisUpdate = parts[at] ? timeValue(parts[at]!) : null;
  if (!thisUpdate)
    throw new MalformedSignatureError('the certificate trust list has no thisUpdate');
  at++;
  const nextCandidate = next();
  const nextUpdate = nextCandidate ? timeValue(nextCandidate) : null;
  if (nextUpdate) at++;
  const algorithm = parts[at++];
  const algorithmOid = algorithm && isSequence(algorithm) ? children(algorithm)[0] : undefined;
  if (!algorithmOid) {
    throw new MalformedSignatureError('the certificate trust list has no subject algorithm');
  }
  const subjectAlgorithm = objectIdentifier(algorithmOid, 'subject algorithm');
  const subjects = next();
  const entries = subjects && isSequence(subjects) ? children(subjects).map(decodeEntry) : [];

  return {
    subjectUsage,
    sequenceNumber,
    thisUpdate,
    nextUpdate,
    subjectAlgorithm,
    entries,
    signed: { ctl, certificates: signedData.certificates, signerInfos: signedData.signerInfos },
  };
}

function decodeEntry(subject: Block, index: number): TrustListEntry {
  const what = `trusted subject ${index + 1}`;
  const [identifier, attributes] = children(subject);
  if (!identifier) throw new MalformedSignatureError(`${what} has no identifier`);
  const entry: TrustListEntry = {
    sha1: octetStringValue(identifier, `${what} identifier`).toString('hex'),
    friendlyName: null,
    purposes: null,
    disallowedPurposes: [],
    disabledFrom: null,
    notBefore: null,
    notBeforePurposes: null,
    sha256: null,
    subjectNameMd5: null,
    propertyIds: [],
  };
  for (const attribute of attributes ? children(attributes) : []) {
    const [typeBlock, values] = children(attribute);
    if (!typeBlock || !values) throw new MalformedSignatureError(`${what} has a broken attribute`);
    const type = objectIdentifier(typeBlock, `${what} attribute type`);
    if (!type.startsWith(PROPERTY_PREFIX)) continue;
    entry.propertyIds.push(Number(type.slice(PROPERTY_PREFIX.length)));
    const valueBlocks = children(values);
    if (valueBlocks.length !== 1) {
      throw new MalformedSignatureError(
        `${what} property ${type} has ${valueBlocks.length} values`,
      );
    }
    const value = octetStringValue(valueBlocks[0]!, `${what} property ${type}`);
    const property = `${what} property ${type}`;
    switch (type) {
      case CTL_PROPERTY.purposes:
        entry.purposes = oidList(value, property);
        break;
      case CTL_PROPERTY.friendlyName:
        entry.friendlyName = utf16Name(value);
        break;
      case CTL_PROPERTY.sha256:
        entry.sha256 = value.toString('hex');
        break;
      case CTL_PROPERTY.subjectNameMd5:
        entry.subjectNameMd5 = value.toString('hex');
        break;
      case CTL_PROPERTY.disabledFrom:
        entry.disabledFrom = fileTime(value, property);
        break;
      case CTL_PROPERTY.disallowedPurposes:
        entry.disallowedPurposes = value.length === 0 ? [] : oidList(value, property);
        break;
      case CTL_PROPERTY.notBefore:
        entry.notBefore = fileTime(value, property);
        break;
      case CTL_PROPERTY.notBeforePurposes:
        entry.notBeforePurposes = value.length === 0 ? null : oidList(value, property);
        break;
    }
  }
  entry.propertyIds.sort((a, b) => a - b);
  // A cleared NotBefore date also clears its purposes: they only qualify the date.
  if (!entry.notBefore) entry.notBeforePurposes = null;
  return entry;
}

/** A DER SEQUENCE OF OBJECT IDENTIFIER (CERT_ENHKEY_USAGE) inside a property value. */
function oidList(value: Buffer, what: string): string[] {
  const block = decodeExact(value, what);
  if (!isSequence(block)) throw new MalformedSignatureError(`${what} is not a SEQUENCE OF OID`);
  const oids = children(block);
  if (oids.length > MAX_PURPOSES) {
    throw new MalformedSignatureError(
      `${what} lists ${oids.length} purposes (limit ${MAX_PURPOSES})`,
    );
  }
  return oids.map((oid) => objectIdentifier(oid, what));
}

/**
 * A FILETIME: little-endian count of 100 ns ticks since 1601-01-01T00:00:00Z. An empty value
 * clears the property (Microsoft empties it to withdraw a date), so it reads as "no date".
 */
export function fileTime(value: Buffer, what: string): Date | null {
  if (value.length === 0) return null;
  if (value.length !== 8) {
    throw new MalformedSignatureError(`${what} is ${value.length} bytes, not an 8-byte FILETIME`);
  }
  const ticks = value.readBigUInt64LE(0);
  const ms = Number(ticks / 10_000n) - 11_644_473_600_000;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new MalformedSignatureError(`${what} is out of range`);
  return date;
}

function utf16Name(value: Buffer): string {
  const text = value
    .subarray(0, Math.min(value.length, MAX_NAME_CHARS * 2) & ~1)
    .toString('utf16le');
  const nul = text.indexOf('\0');
  return nul === -1 ? text : text.slice(0, nul);
}

export type TrustListVerification =
  { ok: true; signer: Certificate; chain: Certificate[] } | { ok: false; problem: string };

/**
 * Verifies the list's own signature with the same CMS code as Authenticode signatures: exactly
 * one SignerInfo; contentType = szOID_CTL; messageDigest over the CTL's contents octets; the
 * signature over the authenticated attributes; and the signer's chain, at the list's thisUpdate
 * (when Microsoft signed it), to one of `roots` for the root-list-signer purpose.
 */
export function verifyTrustList(
  list: CertificateTrustList,
  roots: readonly Certificate[],
): TrustListVerification {
  const fail = (problem: string): TrustListVerification => ({ ok: false, problem });
  const { signerInfos, certificates, ctl } = list.signed;
  if (signerInfos.length !== 1) return fail(`it has ${signerInfos.length} signers, not one`);
  let signerInfo;
  try {
    signerInfo = decodeSignerInfo(signerInfos[0]!, 'trust list SignerInfo');
  } catch (error) {
    return fail((error as Error).message);
  }
  const attributes = signerInfo.signedAttributes;
  if (!attributes) return fail('its signer has no authenticated attributes');
  const contentType = singleValue(attributes.attributes, OID.contentType);
  const messageDigest = singleValue(attributes.attributes, OID.messageDigest);
  if (!contentType.ok || !messageDigest.ok) {
    return fail('its signer lacks a single contentType or messageDigest attribute');
  }
  const type = decoding('contentType', () => objectIdentifier(contentType.value, 'contentType'));
  if (type !== OID.ctl) return fail(`its contentType attribute is ${type}, not szOID_CTL`);
  const hash = signerInfo.digestAlgorithm.algorithm;
  if (!isDigestAlgorithm(hash)) return fail(`digest algorithm ${signerInfo.digestAlgorithm.oid}`);
  const expected = octetStringValue(messageDigest.value, 'messageDigest');
  const actual = createHash(hash).update(contentOctets(ctl)).digest();
  if (!actual.equals(expected)) {
    return fail('its messageDigest does not match the list: the list was changed after signing');
  }
  const signer = findSignerCertificate(certificates, signerInfo.identifier);
  if (!signer) return fail('its signer certificate is not in the file');
  const outcome = verifySignedAttributes(signerInfo, attributes.der, signer);
  if (!outcome.ok) return fail(`its signature: ${outcome.message}`);
  const chain = buildChain(signer, {
    intermediates: certificates,
    anchors: roots,
    time: list.thisUpdate,
    usage: 'rootListSigner',
  });
  if (chain.status !== 'trusted') {
    return fail(
      chain.problems[0]?.message ?? `the signer's chain does not end at the expected root`,
    );
  }
  if (chain.problems.length > 0) return fail(`the signer's chain: ${chain.problems[0]!.message}`);
  return { ok: true, signer, chain: chain.chain };
}
