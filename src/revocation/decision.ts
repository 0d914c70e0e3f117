import { HRESULT, type Finding } from '../findings.js';
import type { Certificate } from '../x509/certificate.js';
import { describeSource } from './checker.js';
import { iso } from './crl.js';
import { keepsEarlierSignatures, reasonName } from './reasons.js';
import type { CertificateRevocation, RevocationMode } from './types.js';

/**
 * What a certificate's revocation status means for an Authenticode signature, as Windows decides
 * it (docs/revocation.md): a revoked certificate fails the signature, unless a valid timestamp
 * proves the signature predates the revocation and the reason does not reach back in time.
 */

export type RevocationRole = 'signer' | 'ca' | 'timestamp-authority' | 'timestamp-ca';

const ROLE_WORDS: Readonly<Record<RevocationRole, string>> = {
  signer: 'the signer certificate',
  ca: 'the CA certificate',
  'timestamp-authority': 'the timestamp authority certificate',
  'timestamp-ca': "the timestamp authority's CA certificate",
};

export interface RevocationDecisionInput {
  role: RevocationRole;
  certificate: Certificate;
  result: CertificateRevocation;
  /**
   * The time a valid timestamp proves the signing happened by, when it protects this chain:
   * the timestamp time for the signer chain (unless lifetime signing) and for the TSA chain.
   * Null when no timestamp applies: then any revocation counts.
   */
  provenBy: Date | null;
  mode: RevocationMode;
}

export function revocationFinding(
  input: RevocationDecisionInput,
): Omit<Finding, 'signatureIndex'> | null {
  const { role, certificate, result, provenBy, mode } = input;
  const who = `${ROLE_WORDS[role]} "${certificate.subject}" (sha256 ${certificate.sha256})`;
  if (result.status === 'good') return null;
  if (result.status === 'unknown') {
    const why = result.failures.length > 0 ? result.failures.join('; ') : 'no source answered';
    return {
      severity: mode === 'require' ? 'error' : 'warning',
      code: 'revocation-unknown',
      message: `could not determine whether ${who} is revoked: ${why}`,
      hresult: HRESULT.CRYPT_E_REVOCATION_OFFLINE,
    };
  }
  const when = result.revokedAt ? iso(result.revokedAt) : 'an unknown date';
  const reason = reasonName(result.reason);
  const stated = `${who} was revoked on ${when} (${reason}) according to ${describeSource(result.source)}`;
  const revokedAt = result.revokedAt?.getTime();
  if (provenBy && revokedAt !== undefined && revokedAt > provenBy.getTime()) {
    if (keepsEarlierSignatures(result.reason)) {
      return {
        severity: 'notice',
        code: 'revoked-after-timestamp',
        message: `${stated}, after the timestamp ${iso(provenBy)}; the reason does not reach back before the revocation date, so the signature stays valid, as Windows decides when it checks revocation at the timestamp time`,
      };
    }
    return {
      severity: 'error',
      code: 'revoked',
      message: `${stated}; the timestamp ${iso(provenBy)} predates the revocation, but ${reason} distrusts signatures made before it too`,
      hresult: HRESULT.CERT_E_REVOKED,
    };
  }
  const why = provenBy
    ? `the revocation is dated before the timestamp ${iso(provenBy)}`
    : role === 'signer' || role === 'ca'
      ? 'no timestamp proves the file was signed before the revocation'
      : 'the timestamp cannot predate its own authority';
  return {
    severity: 'error',
    code: 'revoked',
    message: `${stated}: ${why}`,
    hresult: HRESULT.CERT_E_REVOKED,
  };
}
