import { HRESULT, type FindingCode } from '../findings.js';
import type { Certificate } from '../x509/certificate.js';

/**
 * HRESULTs for certificate-trust failures. findings.ts holds the shared table; the two codes
 * below are chain-specific and not (yet) there. docs/formats.md §7.8, winerror.h.
 */
export const TRUST_HRESULT = {
  ...HRESULT,
  CERT_E_VALIDITYPERIODNESTING: '0x800B0102',
  CERT_E_ROLE: '0x800B0103',
} as const;

/** One reason a certificate chain is unusable. Data, never an exception. */
export interface TrustProblem {
  code: FindingCode;
  /** Windows' HRESULT for the condition, as `0x800B010A`. */
  hresult: string;
  /** One plain-words line naming the certificate(s) involved. */
  message: string;
  /** The certificate the problem is about, when it is about one. */
  certificate?: Certificate;
}

/** The HRESULT Windows reports for each trust-related finding code (the usual case). */
export const TRUST_CODE_HRESULT: Partial<Record<FindingCode, string>> = {
  'chain-incomplete': HRESULT.CERT_E_CHAINING,
  'untrusted-root': HRESULT.CERT_E_UNTRUSTEDROOT,
  expired: HRESULT.CERT_E_EXPIRED,
  // winerror.h has no separate "not yet valid" code: CERT_E_EXPIRED reads "not within its
  // validity period", and CertVerifyTimeValidity failures either side map to it.
  'not-yet-valid': HRESULT.CERT_E_EXPIRED,
  'no-codesigning-eku': HRESULT.CERT_E_WRONG_USAGE,
  'timestamp-invalid': HRESULT.TRUST_E_TIME_STAMP,
  'bad-certificate': HRESULT.TRUST_E_CERT_SIGNATURE,
  'weak-key': HRESULT.TRUST_E_CERT_SIGNATURE,
  'weak-certificate-signature': HRESULT.TRUST_E_CERT_SIGNATURE,
  'unevaluated-constraint': HRESULT.CERT_E_CRITICAL,
  'bad-key-usage': HRESULT.CERT_E_WRONG_USAGE,
};

/** HRESULT for a trust finding code, or TRUST_E_FAIL for codes this module does not produce. */
export function hresultForCode(code: FindingCode): string {
  return TRUST_CODE_HRESULT[code] ?? HRESULT.TRUST_E_FAIL;
}

/**
 * Which chain error WinVerifyTrust reports when several apply. Follows the order in which
 * wintrust turns a chain's error bits into one HRESULT (Wine `WINTRUST_TrustStatusToError`;
 * docs/formats.md §7.8): bad certificate signature, untrusted root / chaining, time validity, usage,
 * unsupported critical extension, basic constraints.
 */
const HRESULT_RANK: Readonly<Record<string, number>> = {
  [HRESULT.TRUST_E_CERT_SIGNATURE]: 0,
  [HRESULT.CERT_E_UNTRUSTEDROOT]: 1,
  [HRESULT.CERT_E_CHAINING]: 1,
  [HRESULT.CERT_E_EXPIRED]: 2,
  [TRUST_HRESULT.CERT_E_VALIDITYPERIODNESTING]: 3,
  [HRESULT.CERT_E_WRONG_USAGE]: 4,
  [HRESULT.TRUST_E_TIME_STAMP]: 4,
  [HRESULT.CERT_E_CRITICAL]: 5,
  [HRESULT.TRUST_E_BASIC_CONSTRAINTS]: 6,
  [HRESULT.CERT_E_PATHLENCONST]: 6,
  [TRUST_HRESULT.CERT_E_ROLE]: 6,
};

function rank(problem: TrustProblem): number {
  return HRESULT_RANK[problem.hresult] ?? 7;
}

/** Problems in the order Windows would report them, stable otherwise. */
export function orderTrustProblems(problems: readonly TrustProblem[]): TrustProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map(({ p }) => p);
}

/** The one problem WinVerifyTrust would surface, or undefined when there is none. */
export function firstChainError(problems: readonly TrustProblem[]): TrustProblem | undefined {
  return orderTrustProblems(problems)[0];
}
