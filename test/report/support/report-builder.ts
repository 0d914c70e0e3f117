import { createHash } from 'node:crypto';
import { HRESULT, type Finding, type FindingCode, type Severity } from '../../../src/findings.js';
import { artifactStatus, summarize } from '../../../src/report/json.js';
import type {
  ArtifactKind,
  ArtifactReport,
  CertificateSummary,
  PatchCertificateState,
  Report,
  SignatureReport,
  TimestampSummary,
} from '../../../src/report/model.js';

/** Synthetic report models for renderer tests: deterministic thumbprints from a seed. */

const hex = (seed: string, algorithm: 'sha1' | 'sha256') =>
  createHash(algorithm).update(seed).digest('hex');

export function certificate(
  subject = 'CN=Contoso Code Signing, O=Contoso Ltd, C=US',
  overrides: Partial<CertificateSummary> = {},
): CertificateSummary {
  return {
    subject,
    issuer: 'CN=Contoso Intermediate CA, O=Contoso Ltd, C=US',
    serialNumber: hex(`serial:${subject}`, 'sha1').slice(0, 16),
    sha1: hex(`cert:${subject}`, 'sha1'),
    sha256: hex(`cert:${subject}`, 'sha256'),
    notBefore: '2024-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export const SIGNER = certificate();
export const INTERMEDIATE = certificate('CN=Contoso Intermediate CA, O=Contoso Ltd, C=US', {
  issuer: 'CN=Contoso Root CA, O=Contoso Ltd, C=US',
});
export const ROOT = certificate('CN=Contoso Root CA, O=Contoso Ltd, C=US', {
  issuer: 'CN=Contoso Root CA, O=Contoso Ltd, C=US',
});
export const TSA = certificate('CN=Contoso Timestamping, O=Contoso Ltd, C=US');

export function timestamp(overrides: Partial<TimestampSummary> = {}): TimestampSummary {
  return {
    time: '2025-03-04T05:06:07.000Z',
    kind: 'rfc3161',
    signer: TSA,
    valid: true,
    ...overrides,
  };
}

export function signature(overrides: Partial<SignatureReport> = {}): SignatureReport {
  const signer = overrides.signer === undefined ? SIGNER : overrides.signer;
  return {
    index: 0,
    digestAlgorithm: 'SHA-256',
    signer,
    timestamp: timestamp(),
    chain: signer ? [signer, INTERMEDIATE, ROOT] : [],
    valid: true,
    ...overrides,
  };
}

export function finding(
  code: FindingCode,
  severity: Severity = 'error',
  message = `${code} happened`,
  hresult?: string,
  extra: Partial<Finding> = {},
): Finding {
  return { severity, code, message, ...(hresult ? { hresult } : {}), ...extra };
}

export interface ArtifactSpec {
  path: string;
  kind?: ArtifactKind;
  size?: number;
  findings?: Finding[];
  signatures?: SignatureReport[];
  patchCertificate?: { state: PatchCertificateState; certificates: CertificateSummary[] };
}

/** An artifact whose verdict and status follow from its findings (as the pipeline sets them). */
export function artifact(spec: ArtifactSpec): ArtifactReport {
  const findings = spec.findings ?? [];
  const { verdict, status } = artifactStatus(findings);
  return {
    path: spec.path,
    kind: spec.kind ?? 'msi',
    size: spec.size ?? 1_572_864,
    verdict,
    status,
    findings,
    signatures: spec.signatures ?? [signature()],
    ...(spec.patchCertificate ? { patchCertificate: spec.patchCertificate } : {}),
  };
}

export function report(
  artifacts: ArtifactReport[],
  extra: Pick<Report, 'runFindings' | 'endpointCertificates'> = {},
): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'verify-authenticode', version: '0.1.0' },
    artifacts,
    summary: summarize(artifacts, extra.runFindings ?? []),
    ...extra,
  };
}

/** The HRESULT each failure code maps to in these synthetic reports. */
export const FAILURE_HRESULTS: Partial<Record<FindingCode, string>> = {
  'not-a-package': HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
  unsigned: HRESULT.TRUST_E_NOSIGNATURE,
  'malformed-signature': HRESULT.TRUST_E_MALFORMED_SIGNATURE,
  'bad-digest': HRESULT.TRUST_E_BAD_DIGEST,
  'bad-signature': HRESULT.TRUST_E_BAD_DIGEST,
  'chain-incomplete': HRESULT.CERT_E_CHAINING,
  'untrusted-root': HRESULT.CERT_E_UNTRUSTEDROOT,
  expired: HRESULT.CERT_E_EXPIRED,
  'not-yet-valid': HRESULT.CERT_E_EXPIRED,
  'no-codesigning-eku': HRESULT.CERT_E_WRONG_USAGE,
  'timestamp-invalid': HRESULT.TRUST_E_TIME_STAMP,
  'io-error': HRESULT.CRYPT_E_FILE_ERROR,
};

/** A run with one of each kind of outcome: pass, pass with warning, failures, nested signature. */
export function mixedReport(): Report {
  return report(
    [
      artifact({
        path: 'dist/app.msi',
        patchCertificate: { state: 'listed', certificates: [SIGNER] },
      }),
      artifact({
        path: 'dist/patch.msp',
        kind: 'msp',
        size: 20_480,
        findings: [
          finding(
            'weak-digest',
            'warning',
            'the nested signature uses SHA-1',
            HRESULT.CRYPT_E_SECURITY_SETTINGS,
            { signatureIndex: 1 },
          ),
        ],
        signatures: [
          signature(),
          signature({
            index: 1,
            digestAlgorithm: 'SHA-1',
            timestamp: timestamp({ kind: 'legacy' }),
          }),
        ],
      }),
      artifact({
        path: 'dist/data1.cab',
        kind: 'cab',
        size: 52_428_800,
        findings: [
          finding(
            'expires-soon',
            'warning',
            'the signer expires in 10 days and the signature has no timestamp',
          ),
          finding(
            'chain-incomplete',
            'error',
            'the issuer "CN=Contoso Intermediate CA" of "CN=Contoso Code Signing" is in neither the signature nor the trusted roots',
            HRESULT.CERT_E_CHAINING,
          ),
        ],
        signatures: [signature({ timestamp: null, chain: [SIGNER], valid: false })],
      }),
    ],
    {
      endpointCertificates: [
        { ...ROOT, role: 'root' },
        { ...INTERMEDIATE, role: 'intermediate' },
      ],
    },
  );
}

/** Strings that try to break out of every output medium. */
export const HOSTILE = {
  newlineCommand: 'evil\n::error::pwned.msi',
  crCommand: 'evil\r::warning::pwned.msi',
  percent: 'a%0A::error::x.msi',
  pipe: 'a|b|c.msi',
  html: '<img src=x onerror=alert(1)>.msi',
  backtick: 'a`b``c.msi',
  ansi: 'red\u001b[31mALERT\u001b[0m.msi',
  bidi: 'invoice\u202egnp.msi',
  v1Command: 'x ##[error]pwned.msi',
  azureCommand: 'x ##vso[task.setvariable variable=a]b.msi',
  comma: 'a,b:c.msi',
  markdownLink: '[click](https://evil.example)*bold*_em_~~s~~.msi',
  c1: 'x\u009b31mred.msi',
  zeroWidth: 'ad\u200bmin.msi',
  tag: 'tag\u{e0041}.msi',
} as const;

/** Every hostile string at once: a path and a certificate subject an attacker controls. */
export const EVERYTHING_HOSTILE = Object.values(HOSTILE).join(' ');

export function hostileReport(name: string = EVERYTHING_HOSTILE): Report {
  const evilCert = certificate(`CN=${name}, O=${name}`, { commonName: name });
  return report(
    [
      artifact({
        path: `dist/${name}`,
        findings: [
          finding(
            'wrong-signer',
            'error',
            `signed by "${evilCert.subject}", expected "CN=Contoso"`,
          ),
          finding('weak-digest', 'warning', `digest of ${name} is SHA-1`),
        ],
        signatures: [
          signature({ signer: evilCert, chain: [evilCert, certificate(`CN=${name} CA`)] }),
        ],
        patchCertificate: { state: 'other', certificates: [evilCert] },
      }),
      artifact({
        path: `ok/${name}`,
        findings: [finding('expires-soon', 'warning', `${name} expires`)],
        signatures: [signature({ signer: evilCert })],
      }),
    ],
    {
      runFindings: [finding('too-few-artifacts', 'error', `pattern ${name} matched 0 files`)],
      endpointCertificates: [{ ...certificate(`CN=${name} Root`), role: 'root' }],
    },
  );
}
