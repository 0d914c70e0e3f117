import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { verifyIssuedSignature } from '../authenticode/index.js';
import { factsOf, isSignedBy } from '../trust/facts.js';
import { Certificate } from '../x509/certificate.js';
import { CLOCK_SKEW_MS, iso, normalizedSerial } from './crl.js';

/**
 * OCSP (RFC 6960): one request per certificate, and the checks a relying party owes the answer
 * (§3.2): the certificate identified is ours, the signer is the issuer itself or a responder the
 * issuer delegated with id-kp-OCSPSigning (§4.2.2.2), the signature verifies, the answer is
 * current (thisUpdate/nextUpdate), and no critical extension goes unprocessed.
 */

const OID = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  basic: '1.3.6.1.5.5.7.48.1.1',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  nonce: '1.3.6.1.5.5.7.48.1.2',
} as const;

const HASHES: Readonly<Record<string, string>> = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256' };

const RESPONSE_STATUS: Readonly<Record<number, string>> = {
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

export type OcspAnswer =
  | { problem: string }
  | {
      status: 'good' | 'revoked' | 'unknown';
      revokedAt?: Date;
      reason?: number;
      thisUpdate: Date;
      nextUpdate?: Date;
    };

/** The subjectPublicKey BIT STRING's value (what issuerKeyHash and byKey hash). */
function publicKeyBits(certificate: Certificate): Uint8Array {
  return certificate.pki.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
}

function hash(algorithm: string, data: Uint8Array): Buffer {
  return createHash(algorithm).update(data).digest();
}

/** DER of an OCSPRequest for `certificate` (CertID with SHA-1, as RFC 5019 §2.1.1 asks). */
export function ocspRequest(certificate: Certificate, issuer: Certificate): Buffer {
  const certId = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: OID.sha1,
      algorithmParams: new asn1js.Null(),
    }),
    issuerNameHash: new asn1js.OctetString({
      valueHex: hash('sha1', factsOf(certificate).issuerDer),
    }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: hash('sha1', publicKeyBits(issuer)) }),
    serialNumber: certificate.pki.serialNumber,
  });
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [new pkijs.Request({ reqCert: certId })];
  return Buffer.from(request.toSchema(true).toBER(false));
}

function matchesCertId(id: pkijs.CertID, certificate: Certificate, issuer: Certificate): boolean {
  const algorithm = HASHES[id.hashAlgorithm.algorithmId];
  if (!algorithm) return false;
  const serial = Buffer.from(id.serialNumber.valueBlock.valueHexView).toString('hex');
  return (
    normalizedSerial(serial) === normalizedSerial(certificate.serialNumber) &&
    Buffer.from(id.issuerNameHash.valueBlock.valueHexView).equals(
      hash(algorithm, factsOf(certificate).issuerDer),
    ) &&
    Buffer.from(id.issuerKeyHash.valueBlock.valueHexView).equals(
      hash(algorithm, publicKeyBits(issuer)),
    )
  );
}

/** Whether the ResponderID names `candidate` (byName: [1] Name, byKey: [2] SHA-1 of its key). */
function responderIs(responderId: unknown, candidate: Certificate): boolean {
  if (responderId instanceof pkijs.RelativeDistinguishedNames) {
    return Buffer.from(responderId.toSchema().toBER(false)).equals(factsOf(candidate).subjectDer);
  }
  if (responderId instanceof asn1js.OctetString) {
    return Buffer.from(responderId.valueBlock.valueHexView).equals(
      hash('sha1', publicKeyBits(candidate)),
    );
  }
  return false;
}

function unprocessedCritical(extensions: readonly pkijs.Extension[] | undefined): string[] {
  return (extensions ?? [])
    .filter((e) => e.critical && e.extnID !== OID.nonce)
    .map((e) => e.extnID);
}

/**
 * Checks an OCSP response body for `certificate` issued by `issuer` at `now`. Returns the status
 * or a problem in words; never throws.
 */
export function readOcspResponse(
  body: Buffer,
  certificate: Certificate,
  issuer: Certificate,
  now: Date,
): OcspAnswer {
  let response: pkijs.OCSPResponse;
  try {
    const asn1 = asn1js.fromBER(body);
    if (asn1.offset === -1) return { problem: `the answer is not DER (${asn1.result.error})` };
    response = new pkijs.OCSPResponse({ schema: asn1.result });
  } catch (error) {
    return { problem: `the answer is not an OCSP response (${(error as Error).message})` };
  }
  const status = response.responseStatus.valueBlock.valueDec;
  if (status !== 0)
    return { problem: `the responder refused: ${RESPONSE_STATUS[status] ?? `status ${status}`}` };
  if (!response.responseBytes || response.responseBytes.responseType !== OID.basic)
    return { problem: 'the answer is not a basic OCSP response' };
  let basic: pkijs.BasicOCSPResponse;
  try {
    const asn1 = asn1js.fromBER(response.responseBytes.response.valueBlock.valueHexView);
    basic = new pkijs.BasicOCSPResponse({ schema: asn1.result });
  } catch (error) {
    return { problem: `the basic OCSP response does not decode (${(error as Error).message})` };
  }
  const data = basic.tbsResponseData;

  // §4.2.2.2: the issuer itself, or a certificate it issued for OCSP signing.
  let signer: Certificate | undefined;
  let signerWords = 'the issuer';
  if (responderIs(data.responderID, issuer)) {
    signer = issuer;
  } else {
    const candidates = (basic.certs ?? []).flatMap((pki) => {
      try {
        return [Certificate.fromPkijs(pki)];
      } catch {
        return [];
      }
    });
    const named = candidates.find((c) => responderIs(data.responderID, c));
    if (!named)
      return {
        problem: 'the responder is neither the issuer nor a certificate the response carries',
      };
    if (!factsOf(named).issuerDer.equals(factsOf(issuer).subjectDer) || !isSignedBy(named, issuer))
      return {
        problem: `the responder certificate "${named.subject}" was not issued by "${issuer.subject}"`,
      };
    if (!named.extendedKeyUsages?.includes(OID.ocspSigning))
      return {
        problem: `the responder certificate "${named.subject}" lacks the OCSPSigning usage (id-kp-OCSPSigning)`,
      };
    if (now.getTime() < named.notBefore.getTime() || now.getTime() > named.notAfter.getTime())
      return {
        problem: `the responder certificate "${named.subject}" is not valid at ${iso(now)}`,
      };
    signer = named;
    signerWords = `the delegated responder "${named.subject}"`;
  }
  const signature = verifyIssuedSignature(
    basic.signatureAlgorithm,
    data.tbsView,
    basic.signature.valueBlock.valueHexView,
    signer,
  );
  if (!signature.ok)
    return {
      problem: `the response's signature does not verify under the key of ${signerWords} (${signature.message})`,
    };
  const critical = unprocessedCritical(data.responseExtensions);
  if (critical.length > 0)
    return {
      problem: `the response carries critical extension ${critical.join(', ')} that is not processed`,
    };

  const single = data.responses.find((r) => matchesCertId(r.certID, certificate, issuer));
  if (!single) return { problem: 'the response does not answer for this certificate' };
  const singleCritical = unprocessedCritical(single.singleExtensions);
  if (singleCritical.length > 0)
    return {
      problem: `the answer carries critical extension ${singleCritical.join(', ')} that is not processed`,
    };
  if (single.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS)
    return {
      problem: `the answer is not valid yet (thisUpdate ${iso(single.thisUpdate)}, validation time ${iso(now)})`,
    };
  if (single.nextUpdate && single.nextUpdate.getTime() < now.getTime() - CLOCK_SKEW_MS)
    return {
      problem: `the answer is stale: its nextUpdate ${iso(single.nextUpdate)} is before the validation time ${iso(now)}`,
    };
  const times = {
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate ? { nextUpdate: single.nextUpdate } : {}),
  };
  return { ...readCertStatus(single.certStatus as asn1js.BaseBlock), ...times };
}

/** CertStatus ::= CHOICE { good [0] NULL, revoked [1] RevokedInfo, unknown [2] UnknownInfo }. */
function readCertStatus(
  status: asn1js.BaseBlock,
): { status: 'good' | 'unknown' } | { status: 'revoked'; revokedAt: Date; reason?: number } {
  const tag = status.idBlock.tagNumber;
  if (tag === 0) return { status: 'good' };
  if (tag !== 1) return { status: 'unknown' };
  // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
  const parts = (status as asn1js.Constructed).valueBlock.value ?? [];
  const time = parts[0];
  let revokedAt = new Date(Number.NaN);
  if (time instanceof asn1js.GeneralizedTime) revokedAt = time.toDate();
  const reasonBlock = parts[1] as asn1js.Constructed | undefined;
  const inner = reasonBlock?.valueBlock?.value?.[0];
  const reason = inner instanceof asn1js.Enumerated ? inner.valueBlock.valueDec : undefined;
  return { status: 'revoked', revokedAt, ...(reason !== undefined ? { reason } : {}) };
}
