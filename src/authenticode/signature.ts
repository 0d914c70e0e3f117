import { constants, createHash, publicDecrypt, verify, type KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { DigestAlgorithm } from '../digest.js';
import type { Certificate } from '../x509/certificate.js';
import { checkTimeBudget } from '../work-budget.js';
import { digestRef, ECDSA_CURVES, isDigestAlgorithm, signatureFamily } from './algorithms.js';
import { decodeExact, decoding } from './asn1.js';
import { OID } from './oids.js';
import type { DigestAlgorithmRef, SignatureAlgorithmRef } from './types.js';

export type SignatureOutcome =
  /** bareDigest: the RSA block held the raw digest without DigestInfo (see allowBareDigest). */
  | { ok: true; bareDigest?: true }
  | { ok: false; reason: 'bad-signature' | 'unsupported-algorithm' | 'malformed'; message: string };

export interface SignedAttributesSigner {
  digestAlgorithm: DigestAlgorithmRef;
  signatureAlgorithm: SignatureAlgorithmRef;
  encryptedDigest: Buffer;
}

/** Largest RSA public exponent used for verification, in bits (real keys use 65537). */
const MAX_RSA_EXPONENT_BITS = 64;

/**
 * Verifies a SignerInfo signature over its authenticated attributes: the stored bytes with the
 * `[0] IMPLICIT` tag A0 replaced by the SET OF tag 31, never re-encoded (docs/formats.md §7.2 step 6,
 * §8.4 item 37). Uses Node's crypto with the certificate's public key.
 *
 * `allowBareDigest` (timestamp countersigners only): also accept an RSA PKCS#1 v1.5 block whose
 * payload is exactly the digest, without the DigestInfo wrapper. The Symantec/Thawte SHA-1
 * timestamp service signed this way for years and Windows accepts its countersignatures.
 */
export function verifySignedAttributes(
  signer: SignedAttributesSigner,
  signedAttributesDer: Buffer,
  certificate: Certificate,
  options: { allowBareDigest?: boolean } = {},
): SignatureOutcome {
  const signedInput = Buffer.from(signedAttributesDer);
  signedInput[0] = 0x31;
  const outcome = verifySignatureValue(signer, signedInput, certificate);
  if (outcome.ok || outcome.reason !== 'bad-signature' || !options.allowBareDigest) return outcome;
  return verifyBareDigest(signer, signedInput, certificate)
    ? { ok: true, bareDigest: true }
    : outcome;
}

/** RSA PKCS#1 v1.5 type-1 block whose payload is the raw digest of `data` (no DigestInfo). */
function verifyBareDigest(
  signer: SignedAttributesSigner,
  data: Buffer,
  certificate: Certificate,
): boolean {
  if (signatureFamily(signer.signatureAlgorithm.oid) !== 'rsa-pkcs1') return false;
  const hash = signer.digestAlgorithm.algorithm;
  if (!isDigestAlgorithm(hash)) return false;
  try {
    const key = certificate.publicKey;
    if (key.asymmetricKeyType !== 'rsa') return false;
    // publicDecrypt with PKCS#1 padding checks the 00 01 FF… 00 block and returns its payload.
    const payload = publicDecrypt(
      { key, padding: constants.RSA_PKCS1_PADDING },
      signer.encryptedDigest,
    );
    return payload.equals(createHash(hash).update(data).digest());
  } catch {
    return false;
  }
}

function verifySignatureValue(
  signer: SignedAttributesSigner,
  data: Buffer,
  certificate: Certificate,
): SignatureOutcome {
  // Signer, countersigner and nested signatures each cost a public-key operation.
  checkTimeBudget();
  const { oid, name } = signer.signatureAlgorithm;
  const family = signatureFamily(oid);
  if (!family) return unsupported(`signature algorithm ${name} is not supported`);

  let key: KeyObject;
  try {
    key = certificate.publicKey;
  } catch (error) {
    return unsupported(`the signer certificate's public key cannot be used: ${message(error)}`);
  }
  const keyType = key.asymmetricKeyType;
  const exponent = key.asymmetricKeyDetails?.publicExponent;
  if (exponent !== undefined && exponent.toString(2).length > MAX_RSA_EXPONENT_BITS) {
    return unsupported(
      `the signer's RSA public exponent has ${exponent.toString(2).length} bits (at most ${MAX_RSA_EXPONENT_BITS} are used; real keys use 65537)`,
    );
  }

  if (family === 'rsa-pss') {
    if (keyType !== 'rsa' && keyType !== 'rsa-pss') return keyMismatch(name, keyType);
    const pss = pssParameters(signer.signatureAlgorithm.parameters);
    if (!pss.ok) return pss;
    return check(() =>
      verify(
        pss.hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength },
        signer.encryptedDigest,
      ),
    );
  }

  const hash = signer.digestAlgorithm.algorithm;
  if (!isDigestAlgorithm(hash)) {
    return unsupported(`digest algorithm ${signer.digestAlgorithm.oid} is not supported`);
  }
  if (family === 'rsa-pkcs1') {
    if (keyType !== 'rsa') return keyMismatch(name, keyType);
    return check(() =>
      verify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signer.encryptedDigest),
    );
  }
  if (keyType !== 'ec') return keyMismatch(name, keyType);
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (!curve || !ECDSA_CURVES.has(curve)) {
    return unsupported(`ECDSA curve ${curve ?? 'unknown'} is not supported (P-256, P-384, P-521)`);
  }
  // encryptedDigest holds the DER SEQUENCE { r, s }.
  return check(() => verify(hash, data, { key, dsaEncoding: 'der' }, signer.encryptedDigest));
}

/** The hash each X.509 signature algorithm names (RSASSA-PSS names it in its parameters). */
const X509_SIGNATURE_HASHES: Readonly<Record<string, string>> = {
  [OID.md5WithRsa]: '1.2.840.113549.2.5',
  [OID.sha1WithRsa]: '1.3.14.3.2.26',
  [OID.sha1WithRsaOiw]: '1.3.14.3.2.26',
  [OID.sha256WithRsa]: '2.16.840.1.101.3.4.2.1',
  [OID.sha384WithRsa]: '2.16.840.1.101.3.4.2.2',
  [OID.sha512WithRsa]: '2.16.840.1.101.3.4.2.3',
  [OID.ecdsaWithSha1]: '1.3.14.3.2.26',
  [OID.ecdsaWithSha256]: '2.16.840.1.101.3.4.2.1',
  [OID.ecdsaWithSha384]: '2.16.840.1.101.3.4.2.2',
  [OID.ecdsaWithSha512]: '2.16.840.1.101.3.4.2.3',
  [OID.rsassaPss]: '2.16.840.1.101.3.4.2.1',
};

/**
 * Verifies the signature of a signed X.509 structure (a CRL, an OCSP response) over its exact
 * to-be-signed bytes with the public key of `issuer` (RFC 5280 §5.1.1.2, RFC 6960 §4.2.1).
 */
export function verifyIssuedSignature(
  algorithm: pkijs.AlgorithmIdentifier,
  toBeSigned: Uint8Array,
  signatureValue: Uint8Array,
  issuer: Certificate,
): SignatureOutcome {
  const oid = algorithm.algorithmId;
  const hash = X509_SIGNATURE_HASHES[oid];
  if (!hash) return unsupported(`signature algorithm ${oid} is not supported`);
  const params = algorithm.algorithmParams as
    { toBER?: (sizeOnly?: boolean) => ArrayBuffer } | undefined;
  let parameters: Buffer | null = null;
  if (oid === OID.rsassaPss && params?.toBER) parameters = Buffer.from(params.toBER(false));
  return verifySignatureValue(
    {
      digestAlgorithm: digestRef(hash),
      signatureAlgorithm: { oid, name: oid, parameters },
      encryptedDigest: Buffer.from(signatureValue),
    },
    Buffer.from(toBeSigned),
    issuer,
  );
}

type PssParameters =
  | { ok: true; hash: DigestAlgorithm; saltLength: number }
  | { ok: false; reason: 'unsupported-algorithm' | 'malformed'; message: string };

/**
 * RSASSA-PSS-params (RFC 4055): hash (default SHA-1), MGF1 with a hash (default SHA-1), salt
 * length (default 20), trailer field 1. Node verifies with MGF1 over the signature hash only.
 */
function pssParameters(der: Buffer | null): PssParameters {
  let params: pkijs.RSASSAPSSParams;
  try {
    params = der
      ? decoding(
          'RSASSA-PSS parameters',
          () => new pkijs.RSASSAPSSParams({ schema: decodeExact(der, 'RSASSA-PSS parameters') }),
        )
      : new pkijs.RSASSAPSSParams();
  } catch (error) {
    return { ok: false, reason: 'malformed', message: message(error) };
  }
  const hash = digestRef(params.hashAlgorithm.algorithmId).algorithm;
  if (!isDigestAlgorithm(hash)) {
    return {
      ok: false,
      reason: 'unsupported-algorithm',
      message: `RSASSA-PSS hash ${hash} is not supported`,
    };
  }
  if (params.maskGenAlgorithm.algorithmId !== OID.mgf1) {
    return {
      ok: false,
      reason: 'unsupported-algorithm',
      message: `RSASSA-PSS mask generation ${params.maskGenAlgorithm.algorithmId} is not MGF1`,
    };
  }
  let mgfHash: string;
  try {
    const mgfParams = params.maskGenAlgorithm.algorithmParams;
    mgfHash = digestRef(new pkijs.AlgorithmIdentifier({ schema: mgfParams }).algorithmId).algorithm;
  } catch (error) {
    return {
      ok: false,
      reason: 'malformed',
      message: `RSASSA-PSS MGF1 parameters: ${message(error)}`,
    };
  }
  if (mgfHash !== hash) {
    return {
      ok: false,
      reason: 'unsupported-algorithm',
      message: `RSASSA-PSS with MGF1 hash ${mgfHash} different from the signature hash ${hash} is not supported`,
    };
  }
  if (params.trailerField !== 1) {
    return {
      ok: false,
      reason: 'malformed',
      message: `RSASSA-PSS trailer field ${params.trailerField} is not 1`,
    };
  }
  if (!Number.isSafeInteger(params.saltLength) || params.saltLength < 0) {
    return { ok: false, reason: 'malformed', message: 'RSASSA-PSS salt length is invalid' };
  }
  return { ok: true, hash, saltLength: params.saltLength };
}

function check(run: () => boolean): SignatureOutcome {
  try {
    return run()
      ? { ok: true }
      : { ok: false, reason: 'bad-signature', message: 'the signature does not verify' };
  } catch (error) {
    // OpenSSL rejects signatures of the wrong size or structure by throwing.
    return {
      ok: false,
      reason: 'bad-signature',
      message: `the signature does not verify: ${message(error)}`,
    };
  }
}

function keyMismatch(algorithm: string, keyType: string | undefined): SignatureOutcome {
  return {
    ok: false,
    reason: 'bad-signature',
    message: `signature algorithm ${algorithm} does not match the signer's ${keyType ?? 'unknown'} key`,
  };
}

function unsupported(text: string): SignatureOutcome {
  return { ok: false, reason: 'unsupported-algorithm', message: text };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
