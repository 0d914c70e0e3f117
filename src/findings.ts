/**
 * Findings are the product's vocabulary: stable, kebab-case codes that reports, exit statuses
 * and users' scripts rely on. Add new codes; never rename one. Each code is documented in
 * docs/finding-codes.md with the HRESULT Windows reports for the same condition.
 */

export const FINDING_CODES = [
  'not-a-package',
  'malformed-package',
  'unsigned',
  'malformed-signature',
  'bad-digest',
  'bad-signature',
  'chain-incomplete',
  'untrusted-root',
  'expired',
  'not-yet-valid',
  'no-codesigning-eku',
  'wrong-signer',
  'timestamp-missing',
  'timestamp-invalid',
  'weak-digest',
  'patch-certificate-missing',
  'patch-certificate-mismatch',
  'external-cabinet-missing',
  'external-cabinet-mismatch',
  // Codes below are additions beyond the original contract (never renamed, only added).
  'io-error',
  'trailing-data',
  'digest-metadata-changed',
  'nested-signature-invalid',
  'chain-root',
  'no-eku',
  'timestamp-rescued',
  'expires-soon',
  'short-lived-certificate',
  'ambiguous-digest-rule',
  'too-few-artifacts',
  'outside-workspace',
  'bad-certificate',
  'unsupported-algorithm',
  'unusual-layout',
  'findings-capped',
  'trust-not-checked',
  'signer-not-pinned',
  'missing-path',
  'no-match',
  'extension-mismatch',
  'ca-certificate-skipped',
  'revoked',
  'revoked-after-timestamp',
  'revocation-unknown',
  'unsupported-compression',
  'corrupt-payload',
  'payload-too-large',
  'continuation-cabinet-missing',
  'unusual-signature-type',
  'timestamp-bare-digest',
  'weak-key',
  'weak-certificate-signature',
  'unevaluated-constraint',
  'bad-key-usage',
  'payload-unsigned',
  'payload-wrong-signer',
  'payload-unsigned-excused',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export type Severity = 'error' | 'warning' | 'notice';

export interface Finding {
  severity: Severity;
  code: FindingCode;
  /** Plain words; may quote file-controlled text, which every front end escapes. */
  message: string;
  /** The HRESULT Windows reports for this condition, as `0x800B010A`. */
  hresult?: string;
  /** Index of the signature this finding is about (0 = primary), when it is about one. */
  signatureIndex?: number;
  /**
   * The files inside the artifact this finding is about (issue 17), each as its inner path from
   * the artifact down, containers joined by ` ▸ ` (as `InnerFileReport.path`). Carried as data so
   * that SARIF gives each file its own result without parsing the message.
   */
  innerPaths?: string[];
}

/** HRESULTs from winerror.h that our findings map to. docs/formats.md §7.8 */
export const HRESULT = {
  TRUST_E_SUBJECT_FORM_UNKNOWN: '0x800B0003',
  TRUST_E_NOSIGNATURE: '0x800B0100',
  CERT_E_EXPIRED: '0x800B0101',
  CERT_E_PATHLENCONST: '0x800B0104',
  CERT_E_CRITICAL: '0x800B0105',
  CERT_E_MALFORMED: '0x800B0108',
  CERT_E_UNTRUSTEDROOT: '0x800B0109',
  CERT_E_CHAINING: '0x800B010A',
  TRUST_E_FAIL: '0x800B010B',
  CERT_E_WRONG_USAGE: '0x800B0110',
  TRUST_E_NO_SIGNER_CERT: '0x80096002',
  TRUST_E_COUNTER_SIGNER: '0x80096003',
  TRUST_E_CERT_SIGNATURE: '0x80096004',
  TRUST_E_TIME_STAMP: '0x80096005',
  TRUST_E_BAD_DIGEST: '0x80096010',
  TRUST_E_MALFORMED_SIGNATURE: '0x80096011',
  TRUST_E_BASIC_CONSTRAINTS: '0x80096019',
  CRYPT_E_AUTH_ATTR_MISSING: '0x80091006',
  CRYPT_E_FILE_ERROR: '0x80092003',
  CRYPT_E_SECURITY_SETTINGS: '0x80092026',
  NTE_BAD_ALGID: '0x80090008',
  NTE_BAD_SIGNATURE: '0x80090006',
  CERT_E_REVOKED: '0x800B010C',
  CRYPT_E_REVOCATION_OFFLINE: '0x80092013',
} as const;

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  error: 0,
  warning: 1,
  notice: 2,
};

/** Worst first, stable otherwise. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}

/**
 * Findings one artifact reports in full (docs/hostile-input.md): a hostile package can make
 * every row of a table a problem, and a report of a million findings helps nobody. Errors sort
 * first, so the verdict and status never depend on the cap.
 */
export const MAX_FINDINGS_PER_ARTIFACT = 100;

/**
 * Sorted findings, cut to {@link MAX_FINDINGS_PER_ARTIFACT}; the rest are counted in one
 * `findings-capped` notice (by severity and code).
 */
export function capFindings(findings: readonly Finding[]): Finding[] {
  const sorted = sortFindings(findings);
  if (sorted.length <= MAX_FINDINGS_PER_ARTIFACT) return sorted;
  const kept = sorted.slice(0, MAX_FINDINGS_PER_ARTIFACT - 1);
  const dropped = sorted.slice(MAX_FINDINGS_PER_ARTIFACT - 1);
  const counts = new Map<string, number>();
  for (const f of dropped) {
    const key = `${f.severity} ${f.code}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const detail = [...counts].map(([key, n]) => `${n} × ${key}`).join(', ');
  kept.push({
    severity: 'notice',
    code: 'findings-capped',
    message: `${dropped.length} more findings are not shown (only ${MAX_FINDINGS_PER_ARTIFACT} are reported per file): ${detail}`,
  });
  return kept;
}
