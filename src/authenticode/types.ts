import type { DigestAlgorithm } from '../digest.js';
import type { Certificate } from '../x509/certificate.js';

/** An OID in dotted form; used where an algorithm is not one this verifier knows. */
export type DottedOid = `${number}.${string}`;

/** A digest algorithm as named by a signature: Node's name when known, else the dotted OID. */
export interface DigestAlgorithmRef {
  algorithm: DigestAlgorithm | DottedOid;
  oid: string;
}

/** SpcIndirectDataContent.messageDigest: the digest of the file the signature vouches for. */
export interface FileDigest extends DigestAlgorithmRef {
  digest: Buffer;
}

export interface SignatureAlgorithmRef {
  oid: string;
  /** Display name, e.g. "sha256WithRSAEncryption"; the OID when unknown. */
  name: string;
  /** Exact DER of the AlgorithmIdentifier parameters; null when absent. */
  parameters: Buffer | null;
}

/** SpcSipInfo of an MSI signature (docs/formats.md §5.5). */
export interface SipInfo {
  version: number | null;
  /** The 16 uuid bytes as stored. */
  guid: Buffer | null;
  /** Whether `guid` is the MSI SIP GUID {000C10F1-0000-0000-C000-000000000046}. */
  isMsiSip: boolean;
}

/** SpcPeImageData of a PE signature (Microsoft "Windows Authenticode PE Signature Format"). */
export interface PeImageData {
  /** Which SpcLink the `file` field holds (`absent` when it has none). */
  link: 'absent' | 'url' | 'moniker' | 'file';
  /** Page hashes from an SpcSerializedObject moniker with the page-hash class ID. */
  pageHashes: PageHashes | null;
}

/**
 * SPC_PE_IMAGE_PAGE_HASHES_V1 (SHA-1) or _V2 (SHA-256): a table of entries, each a 4-byte
 * little-endian file offset and the hash of the page there; the last entry's hash is zero.
 */
export interface PageHashes {
  version: 1 | 2;
  algorithm: 'sha1' | 'sha256';
  table: Buffer;
}

export type SignerIdentifier =
  | {
      kind: 'issuerAndSerialNumber';
      /** Exact DER of the issuer Name. */
      issuer: Buffer;
      /** Lower-case hex of the INTEGER's value bytes, as Certificate.serialNumber. */
      serialNumber: string;
    }
  | { kind: 'subjectKeyIdentifier'; keyIdentifier: Buffer };

/** One attribute as stored: its type and the exact DER of each value. */
export interface RawAttribute {
  type: string;
  values: Buffer[];
}

export interface RawAuthenticatedAttributes {
  /** Exact stored bytes of the `[0] IMPLICIT SET OF Attribute` (first byte A0). */
  der: Buffer;
  attributes: RawAttribute[];
}

/** What the authenticated attributes say, for reports. None of it is trusted. */
export interface AuthenticatedAttributesSummary {
  /** Attribute types in stored order. */
  types: string[];
  hasOpusInfo: boolean;
  /** SpcSpOpusInfo.programName (signtool /d, osslsigncode -n). */
  programName: string | null;
  /** SpcSpOpusInfo.moreInfo as a URL or file name (signtool /du, osslsigncode -i). */
  moreInfoUrl: string | null;
  /** SpcStatementType purposes (OIDs): individual …2.1.21, commercial …2.1.22. */
  statementTypes: string[];
  /** signingTime: the signer's own clock; never a validation time (docs/formats.md §7.6). */
  signingTime: Date | null;
  /** osslsigncode's sequence number for ordering nested signatures (docs/formats.md §7.5). */
  sequenceNumber: number | null;
}

/** A timestamp as stored in an unauthenticated attribute, undecoded (verifyTimestamps decodes). */
export interface TimestampToken {
  /** rfc3161: attribute 1.3.6.1.4.1.311.3.3.1, a ContentInfo; legacy: 1.2.840.113549.1.9.6, a SignerInfo. */
  kind: 'rfc3161' | 'legacy';
  der: Buffer;
}

export interface NestedSignatureError {
  /** The index the nested signature would have had (1-based, stored order). */
  index: number;
  message: string;
}

/** One decoded Authenticode signature: the primary (index 0) or a nested one (1..n). */
export interface AuthenticodeSignature {
  index: number;
  /** Exact bytes of this ContentInfo, without any trailing padding. */
  der: Buffer;
  /** Zero bytes that followed the ContentInfo (CAB signatures are padded to 8 bytes). */
  paddingLength: number;
  /** SignedData.encapContentInfo.contentType; always SPC_INDIRECT_DATA_OBJID. */
  contentType: string;
  /** SpcIndirectDataContent.data.type: SPC_SIPINFO_OBJID for MSI, SPC_CAB_DATA_OBJID for CAB. */
  dataType: string;
  /** Decoded SpcSipInfo when dataType is SPC_SIPINFO_OBJID and it decodes; null otherwise. */
  sipInfo: SipInfo | null;
  /** Decoded SpcPeImageData when dataType is SPC_PE_IMAGE_DATA_OBJID; null otherwise. */
  peImageData: PeImageData | null;
  fileDigest: FileDigest;
  /** Exact stored bytes of the SpcIndirectDataContent (tag, length and contents). */
  indirectDataContent: Buffer;
  /** SignedData.digestAlgorithms. */
  digestAlgorithms: DigestAlgorithmRef[];
  /** SignerInfo.digestAlgorithm (Hs). */
  signerDigestAlgorithm: DigestAlgorithmRef;
  /** SignerInfo.digestEncryptionAlgorithm. */
  signatureAlgorithm: SignatureAlgorithmRef;
  signerInfoVersion: number;
  signerIdentifier: SignerIdentifier;
  /** X.509 certificates embedded in SignedData.certificates, in stored order, exact DER. */
  certificates: Certificate[];
  /** Exact DER of the CRLs in SignedData.crls. */
  crls: Buffer[];
  /** The certificate SignerInfo identifies, from `certificates`; null when not embedded. */
  signerCertificate: Certificate | null;
  /** SignerInfo.encryptedDigest contents: the signature value. */
  encryptedDigest: Buffer;
  authenticatedAttributes: AuthenticatedAttributesSummary;
  /** Null when the SignerInfo has no authenticated attributes (never valid Authenticode). */
  rawAuthenticatedAttributes: RawAuthenticatedAttributes | null;
  unauthenticatedAttributes: RawAttribute[];
  timestampTokens: TimestampToken[];
  /** Nested signatures (primary only; nested signatures of nested ones are not read). */
  nested: AuthenticodeSignature[];
  /** Nested signatures that did not decode; they take their index but are not in `nested`. */
  nestedErrors: NestedSignatureError[];
}

export type SignerProblemCode = 'bad-signature' | 'malformed-signature' | 'unsupported-algorithm';

export interface SignerProblem {
  code: SignerProblemCode;
  /** HRESULT as `0x80096010`; see findings.ts HRESULT. */
  hresult: string;
  message: string;
}

export interface SignerCheck {
  ok: boolean;
  /** messageDigest attribute = Hs(contents of SpcIndirectDataContent); null if not computable. */
  contentDigestMatches: boolean | null;
  /** Signature over the authenticated attributes verified; null if not attempted. */
  signatureVerified: boolean | null;
  /** The first problem found; absent when ok. */
  problem?: SignerProblem;
}

export type TimestampProblemReason =
  | 'malformed'
  | 'imprint-mismatch'
  | 'digest-mismatch'
  | 'bad-signature'
  | 'no-signer-cert'
  | 'signer-cert-mismatch'
  | 'unsupported-algorithm';

export interface TimestampProblem {
  /** TRUST_E_TIME_STAMP for RFC 3161 tokens, TRUST_E_COUNTER_SIGNER for legacy countersignatures. */
  hresult: string;
  reason: TimestampProblemReason;
  message: string;
}

export interface TimestampCheck {
  kind: 'rfc3161' | 'legacy';
  /** Position in the signature's `timestampTokens`. */
  index: number;
  /** genTime (RFC 3161) or the countersigner's signingTime (legacy); null if undecodable. */
  time: Date | null;
  /** The TSA certificate; the trust layer checks its timeStamping EKU and chain. */
  signerCertificate: Certificate | null;
  /** Pool for building the TSA chain: the token's certificates (RFC 3161) or the outer SignedData's (legacy). */
  certificates: Certificate[];
  /** Hash of the imprint (RFC 3161 messageImprint) or of the countersigner's messageDigest (legacy). */
  digestAlgorithm: DigestAlgorithmRef | null;
  /** TSTInfo.serialNumber as lower-case hex (RFC 3161 only). */
  serialNumber: string | null;
  /** TSTInfo.policy (RFC 3161 only). */
  policy: string | null;
  ok: boolean;
  /**
   * The TSA's RSA block holds the bare digest without DigestInfo (the Symantec/Thawte SHA-1
   * service's legacy form), accepted for timestamps only.
   */
  bareDigest: boolean;
  problem?: TimestampProblem;
}
