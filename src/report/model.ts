import type { Finding } from '../findings.js';

/**
 * The report model: what every front end (text, JSON, SARIF, annotations, job summary) renders.
 * Its JSON form is a public contract (schemaVersion 1, issue #2); add fields, never rename.
 */

/** `pe`: a PE image (.exe, .dll, .sys, .ocx, .efi, whatever its name). */
export type ArtifactKind = 'msi' | 'msp' | 'mst' | 'msm' | 'cab' | 'pe' | 'unknown';

export interface CertificateSummary {
  subject: string;
  /**
   * The subject's common name (CN), or the whole subject when it has none. Optional: renderers
   * fall back to reading it from `subject`, whose values are not escaped and may contain ", ".
   */
  commonName?: string;
  issuer: string;
  serialNumber: string;
  sha1: string;
  sha256: string;
  notBefore: string;
  notAfter: string;
}

export interface TimestampSummary {
  /** ISO 8601 time the timestamp authority vouches for. */
  time: string;
  kind: 'rfc3161' | 'legacy';
  signer: CertificateSummary | null;
  /** Whether the timestamp verified (signature, imprint, TSA chain). */
  valid: boolean;
}

export interface SignatureReport {
  /** 0 = primary signature, 1.. = nested signatures in stored order. */
  index: number;
  /** Display name, e.g. "SHA-256". */
  digestAlgorithm: string;
  signer: CertificateSummary | null;
  timestamp: TimestampSummary | null;
  /** Chain from the signer up to the last certificate found (root last). */
  chain: CertificateSummary[];
  /** Whether this signature verified on its own (digest, signature, chain, usage). */
  valid: boolean;
  /** Hex digests: as stored in the signature and as computed from the file. */
  storedDigest?: string;
  computedDigest?: string;
  /**
   * Revocation status of each certificate of the signer chain and the timestamp authority chain
   * (roots excluded, as Windows does), when revocation was checked (docs/revocation.md).
   */
  revocation?: RevocationEntry[];
}

export interface RevocationEntry {
  role: 'signer' | 'ca' | 'timestamp-authority' | 'timestamp-ca';
  subject: string;
  sha256: string;
  status: 'good' | 'revoked' | 'unknown';
  /** The CRL file, CRL URL or OCSP responder that answered. */
  source?: {
    kind: 'crl-file' | 'crl' | 'ocsp';
    location: string;
    thisUpdate: string;
    nextUpdate?: string;
  };
  revokedAt?: string;
  /** RFC 5280 reason name (keyCompromise, superseded, …), or "no reason given". */
  reason?: string;
  /** Every source that was tried without an answer, and why. */
  failures?: string[];
}

/** How revocation was checked in this run. */
export interface RevocationSummary {
  /** off | online | require (docs/revocation.md). */
  mode: 'off' | 'online' | 'require';
  /** CRL files the user gave. */
  crlFiles: string[];
  /** False when nothing was checked (mode off and no CRL files): the report says so. */
  checked: boolean;
  /** HTTP requests made (each URL is fetched once per run). */
  requests: number;
}

export type PatchCertificateState =
  | 'listed' // MsiPatchCertificate holds the pinned/primary signer
  | 'other' // table present, different certificate(s)
  | 'absent' // no MsiPatchCertificate table
  | 'not-checked'
  | 'not-applicable';

export interface ArtifactReport {
  /** Path exactly as the user or the glob gave it. */
  path: string;
  kind: ArtifactKind;
  size: number;
  verdict: 'pass' | 'fail';
  /** First error finding's code, or "valid". */
  status: string;
  findings: Finding[];
  signatures: SignatureReport[];
  patchCertificate?: {
    state: PatchCertificateState;
    certificates: CertificateSummary[];
  };
  /**
   * The executables inside an MSI, MSM or CAB and what the payload policy made of them (issue
   * 17); absent when payload checking is off or the artifact carries no payload.
   */
  payload?: PayloadReport;
}

/** One executable inside an artifact, verified on its own by the PE engine. */
export interface InnerFileReport {
  /** Inner path from the artifact down (`[ProgramFilesFolder]/App/app.exe`), containers joined by ▸. */
  path: string;
  size: number;
  /** The PE engine's verdict on the file alone (any signer whose chain verifies passes). */
  verdict: 'pass' | 'fail';
  /** First error finding's code, or "valid". */
  status: string;
  /** The primary signer, when the signature could be decoded. */
  signer: CertificateSummary | null;
  /** Codes of the file's own findings. */
  findings: string[];
  /** The `payload-allow-unsigned` glob that excused this unsigned file, when one did. */
  allowedBy?: string;
}

export interface PayloadReport {
  /** The payload policy level: warn or require. */
  level: 'warn' | 'require';
  /** "3 executables inside: 2 signed by you, 1 unsigned ([ProgramFilesFolder]/App/helper.dll)". */
  summary: string;
  files: InnerFileReport[];
  /** Each payload-allow-unsigned glob and how many unsigned files it excused here. */
  allowUnsigned: { glob: string; count: number }[];
}

export interface ReportSummary {
  total: number;
  passed: number;
  failed: number;
  /** Number of warning findings across all artifacts. */
  warnings: number;
}

export interface Report {
  schemaVersion: 1;
  tool: {
    name: string;
    version: string;
    /** The Microsoft root list the built-in `windows` trust store was made from. */
    windowsRoots?: { thisUpdate: string; sequenceNumber: string; origin: string };
  };
  artifacts: ArtifactReport[];
  summary: ReportSummary;
  /** Findings about the run rather than one artifact (e.g. a glob that matched too few files). */
  runFindings?: Finding[];
  /** Each path or glob the run was given and how many artifacts it contributed, in order. */
  patterns?: { pattern: string; count: number }[];
  /**
   * Root and intermediate certificates the verified signatures chain to, for the
   * "Certificates endpoints need" section.
   */
  endpointCertificates?: EndpointCertificate[];
  /** How revocation was checked; absent in reports of versions without revocation checking. */
  revocation?: RevocationSummary;
}

/** What Microsoft's Trusted Root Program says about a chain root (docs/windows-roots.md). */
export interface EndpointRootProgram {
  /** thisUpdate of the list consulted (ISO 8601). */
  listDate: string;
  /** The root is in the list, for any purpose. */
  listed: boolean;
  /** The list trusts it for this chain: its purpose, at its validation time, for its signer. */
  trusted: boolean;
  /** The list's friendly name for the root. */
  name?: string;
  /** The list's purposes and dates for the root, in words. */
  purposes?: string;
  /** Why the list does not trust it for this chain. */
  why?: string;
}

/** A certificate endpoints need, for the "Certificates endpoints need" section. */
export type EndpointCertificate = CertificateSummary & {
  role: 'root' | 'intermediate';
  /** For roots: the root program's view. */
  rootProgram?: EndpointRootProgram;
};
