/**
 * Authenticode PKCS#7: decoding (parseAuthenticode) and the cryptographic checks of a signer
 * (verifySignerSignature) and its timestamps (verifyTimestamps). File digests and certificate
 * chains are other modules' work; this module compares against what they hand over.
 */
export { parseAuthenticode } from './parse.js';
export { verifySignerSignature, CRYPT_E_AUTH_ATTR_MISSING } from './signer.js';
export { verifyTimestamps } from './timestamps.js';
export { verifyIssuedSignature } from './signature.js';
export { unusualDataType, type SignedFormat } from './indirect-data.js';
export { isDigestAlgorithm } from './algorithms.js';
export { OID, MSI_SIP_GUID, oidName } from './oids.js';
export { LIMITS as AUTHENTICODE_LIMITS } from './limits.js';
export type {
  AuthenticatedAttributesSummary,
  AuthenticodeSignature,
  DigestAlgorithmRef,
  DottedOid,
  FileDigest,
  NestedSignatureError,
  PageHashes,
  PeImageData,
  RawAttribute,
  RawAuthenticatedAttributes,
  SignatureAlgorithmRef,
  SignerCheck,
  SignerIdentifier,
  SignerProblem,
  SignerProblemCode,
  SipInfo,
  TimestampCheck,
  TimestampProblem,
  TimestampProblemReason,
  TimestampToken,
} from './types.js';
