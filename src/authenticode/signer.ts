import { createHash } from 'node:crypto';
import { HRESULT } from '../findings.js';
import { isDigestAlgorithm } from './algorithms.js';
import { objectIdentifier, octetStringValue } from './asn1.js';
import { OID, oidName } from './oids.js';
import { readTlv } from './tlv.js';
import { verifySignedAttributes } from './signature.js';
import { singleValue, type SingleValue } from './signer-info.js';
import type { AuthenticodeSignature, SignerCheck, SignerProblem } from './types.js';

/**
 * CRYPT_E_AUTH_ATTR_MISSING: a required authenticated attribute is missing (docs/formats.md §7.8).
 * Not (yet) in findings.ts HRESULT.
 */
export const CRYPT_E_AUTH_ATTR_MISSING = '0x80091006';

/**
 * The cryptographic checks of one signature's SignerInfo (docs/formats.md §7.2 steps 3–6). The
 * problem reported is the first of:
 *  1. authenticated attributes present, with exactly one contentType (= SPC_INDIRECT_DATA) and
 *     exactly one messageDigest — else malformed-signature;
 *  2. the SignerInfo digest algorithm is one we can compute — else unsupported-algorithm;
 *  3. the signer certificate is embedded — else malformed-signature / TRUST_E_NO_SIGNER_CERT:
 *     the blob lacks what any verifier needs, no cryptographic check could fail;
 *  4. messageDigest = Hs(contents octets of the SpcIndirectDataContent) — else bad-signature;
 *  5. the signature over the authenticated attributes — else bad-signature (or
 *     unsupported-algorithm).
 * Bad digests and bad signatures both map to TRUST_E_BAD_DIGEST, the §7.8 recommendation.
 * Both 4 and 5 are evaluated whenever possible so the result says which of them failed.
 * The file digest (SpcIndirectDataContent.messageDigest vs the file) is the caller's check.
 */
export function verifySignerSignature(sig: AuthenticodeSignature): SignerCheck {
  const raw = sig.rawAuthenticatedAttributes;
  if (!raw) {
    return failed(
      {
        code: 'malformed-signature',
        hresult: CRYPT_E_AUTH_ATTR_MISSING,
        message: 'the signer has no authenticated attributes',
      },
      null,
      null,
    );
  }

  const contentType = singleValue(raw.attributes, OID.contentType);
  const messageDigestValue = singleValue(raw.attributes, OID.messageDigest);
  if (!contentType.ok)
    return failed(requiredAttributeProblem('contentType', contentType), null, null);
  if (!messageDigestValue.ok) {
    return failed(requiredAttributeProblem('messageDigest', messageDigestValue), null, null);
  }
  const type = tryRead(() => objectIdentifier(contentType.value, 'contentType'));
  if (type !== OID.spcIndirectData) {
    return failed(
      {
        code: 'malformed-signature',
        hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
        message: `the contentType attribute is ${type ? oidName(type) : 'not an OID'}, not SPC_INDIRECT_DATA_OBJID`,
      },
      null,
      null,
    );
  }
  const messageDigest = tryRead(() => octetStringValue(messageDigestValue.value, 'messageDigest'));
  if (!messageDigest) {
    return failed(
      {
        code: 'malformed-signature',
        hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
        message: 'the messageDigest attribute is not an OCTET STRING',
      },
      null,
      null,
    );
  }

  const hs = sig.signerDigestAlgorithm.algorithm;
  if (!isDigestAlgorithm(hs)) {
    return failed(
      {
        code: 'unsupported-algorithm',
        hresult: HRESULT.NTE_BAD_ALGID,
        message: `signer digest algorithm ${oidName(sig.signerDigestAlgorithm.oid)} is not supported`,
      },
      null,
      null,
    );
  }

  // The strict decoder read this element when the signature was parsed (signed-data.ts); its
  // contents are found by walking its header, not by decoding it again.
  const content = tryRead(() => {
    const element = readTlv(
      sig.indirectDataContent,
      0,
      sig.indirectDataContent.length,
      'SpcIndirectDataContent',
    );
    return sig.indirectDataContent.subarray(element.contentStart, element.contentEnd);
  });
  const contentDigestMatches = content
    ? createHash(hs).update(content).digest().equals(messageDigest)
    : false;

  const certificate = sig.signerCertificate;
  if (!certificate) {
    return failed(
      {
        code: 'malformed-signature',
        hresult: HRESULT.TRUST_E_NO_SIGNER_CERT,
        message: 'the signer certificate is not in the signature',
      },
      contentDigestMatches,
      null,
    );
  }

  const outcome = verifySignedAttributes(
    {
      digestAlgorithm: sig.signerDigestAlgorithm,
      signatureAlgorithm: sig.signatureAlgorithm,
      encryptedDigest: sig.encryptedDigest,
    },
    raw.der,
    certificate,
  );
  const signatureVerified = outcome.ok ? true : outcome.reason === 'bad-signature' ? false : null;

  if (!contentDigestMatches) {
    return failed(
      {
        code: 'bad-signature',
        hresult: HRESULT.TRUST_E_BAD_DIGEST,
        message: 'the messageDigest attribute does not match the SpcIndirectDataContent',
      },
      false,
      signatureVerified,
    );
  }
  if (!outcome.ok) {
    const problem: SignerProblem =
      outcome.reason === 'unsupported-algorithm'
        ? {
            code: 'unsupported-algorithm',
            hresult: HRESULT.NTE_BAD_ALGID,
            message: outcome.message,
          }
        : outcome.reason === 'malformed'
          ? {
              code: 'malformed-signature',
              hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
              message: outcome.message,
            }
          : {
              code: 'bad-signature',
              hresult: HRESULT.TRUST_E_BAD_DIGEST,
              message: `signer signature: ${outcome.message}`,
            };
    return failed(problem, true, signatureVerified);
  }
  return { ok: true, contentDigestMatches: true, signatureVerified: true };
}

function requiredAttributeProblem(
  name: string,
  lookup: Extract<SingleValue, { ok: false }>,
): SignerProblem {
  if (lookup.why === 'missing') {
    return {
      code: 'malformed-signature',
      hresult: CRYPT_E_AUTH_ATTR_MISSING,
      message: `the ${name} authenticated attribute is missing`,
    };
  }
  return {
    code: 'malformed-signature',
    hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
    message: `the ${name} authenticated attribute is ${lookup.why}`,
  };
}

function failed(
  problem: SignerProblem,
  contentDigestMatches: boolean | null,
  signatureVerified: boolean | null,
): SignerCheck {
  return { ok: false, contentDigestMatches, signatureVerified, problem };
}

function tryRead<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}
