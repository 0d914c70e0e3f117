import { DIGEST_OIDS, type DigestAlgorithm } from '../digest.js';
import { OID, oidName } from './oids.js';
import type { DigestAlgorithmRef, DottedOid, SignatureAlgorithmRef } from './types.js';

export function digestRef(oid: string): DigestAlgorithmRef {
  return { algorithm: DIGEST_OIDS[oid] ?? (oid as DottedOid), oid };
}

/** Narrows a DigestAlgorithmRef's algorithm to one Node can compute. */
export function isDigestAlgorithm(
  algorithm: DigestAlgorithm | DottedOid | string,
): algorithm is DigestAlgorithm {
  return Object.values(DIGEST_OIDS).includes(algorithm as DigestAlgorithm);
}

export function signatureAlgorithmRef(
  oid: string,
  parameters: Buffer | null,
): SignatureAlgorithmRef {
  return { oid, name: oidName(oid), parameters };
}

export type SignatureFamily = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';

/**
 * How to verify a SignerInfo signature. For PKCS#1 v1.5 and ECDSA the hash is the SignerInfo's
 * digestAlgorithm whatever hash the OID names (signtool writes plain rsaEncryption; OpenSSL's
 * PKCS7_signatureVerify also hashes with digestAlgorithm). docs/formats.md §7.2 step 6
 */
const FAMILIES: Readonly<Record<string, SignatureFamily>> = {
  [OID.rsaEncryption]: 'rsa-pkcs1',
  [OID.md5WithRsa]: 'rsa-pkcs1',
  [OID.sha1WithRsa]: 'rsa-pkcs1',
  [OID.sha256WithRsa]: 'rsa-pkcs1',
  [OID.sha384WithRsa]: 'rsa-pkcs1',
  [OID.sha512WithRsa]: 'rsa-pkcs1',
  [OID.sha1WithRsaOiw]: 'rsa-pkcs1',
  [OID.rsassaPss]: 'rsa-pss',
  [OID.ecPublicKey]: 'ecdsa',
  [OID.ecdsaWithSha1]: 'ecdsa',
  [OID.ecdsaWithSha256]: 'ecdsa',
  [OID.ecdsaWithSha384]: 'ecdsa',
  [OID.ecdsaWithSha512]: 'ecdsa',
};

export function signatureFamily(oid: string): SignatureFamily | undefined {
  return FAMILIES[oid];
}

/** Curves Windows' CNG supports for ECDSA signatures, by Node's name for them. */
export const ECDSA_CURVES: ReadonlySet<string> = new Set(['prime256v1', 'secp384r1', 'secp521r1']);
