import { sortFindings, type Finding } from '../findings.js';
import type {
  ArtifactReport,
  CertificateSummary,
  PatchCertificateState,
  ReportSummary,
  SignatureReport,
} from './model.js';

/*
 * Small helpers the renderers share. They return raw (unescaped) text; each renderer escapes for
 * its own medium.
 */

/** Attribute short names our subject strings use (src/x509/certificate.ts formatName). */
const NAME_ATTRIBUTE =
  /^(?:CN|C|L|ST|O|OU|E|serialNumber|organizationIdentifier|jurisdictionC|businessCategory|\d+(?:\.\d+)+)=/;

/**
 * The certificate's common name: the model's `commonName` when the pipeline sets it, otherwise
 * the CN attribute of the subject string. Subject values are not escaped in that string, so a
 * value is read up to the next `, ` that starts a known attribute.
 */
export function commonName(cert: CertificateSummary | null | undefined): string | undefined {
  if (!cert) return undefined;
  if (cert.commonName) return cert.commonName;
  const subject = cert.subject ?? '';
  const parts = subject.split(', ');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (!part.startsWith('CN=')) continue;
    let value = part.slice(3);
    for (let j = i + 1; j < parts.length && !NAME_ATTRIBUTE.test(parts[j] ?? ''); j++) {
      value += `, ${parts[j]}`;
    }
    return value;
  }
  return subject || undefined;
}

/** First 16 hex digits of a SHA-256 thumbprint, as tables and one-line output show it. */
export function thumbprintPrefix(sha256: string | undefined): string {
  return (sha256 ?? '')
    .replace(/[^0-9a-fA-F]/g, '')
    .slice(0, 16)
    .toLowerCase();
}

/** Human-readable size in binary units: `512 B`, `1.5 KiB`, `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function parseTime(iso: string): Date | undefined {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** `2024-05-01 10:00:00 UTC`; text that is not a time is returned as it is. */
export function formatTime(iso: string): string {
  const d = parseTime(iso);
  return d ? `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC` : iso;
}

/** `2024-05-01`; text that is not a time is returned as it is. */
export function formatDate(iso: string): string {
  const d = parseTime(iso);
  return d ? d.toISOString().slice(0, 10) : iso;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 artifacts: 2 passed, 1 failed, 1 warning" */
export function summaryLine(summary: ReportSummary): string {
  return `${plural(summary.total, 'artifact')}: ${summary.passed} passed, ${summary.failed} failed, ${plural(summary.warnings, 'warning')}`;
}

export function primarySignature(artifact: ArtifactReport): SignatureReport | undefined {
  return artifact.signatures.find((s) => s.index === 0) ?? artifact.signatures[0];
}

export function nestedSignatures(artifact: ArtifactReport): SignatureReport[] {
  const primary = primarySignature(artifact);
  return artifact.signatures.filter((s) => s !== primary);
}

export function hasWarnings(artifact: ArtifactReport): boolean {
  return artifact.findings.some((f) => f.severity === 'warning');
}

/** Findings worst first (errors, warnings, notices), stable within a severity. */
export function orderedFindings(artifact: ArtifactReport): Finding[] {
  return sortFindings(artifact.findings);
}

export type ArtifactGroup = 'failed' | 'warned' | 'passed';

export function artifactGroup(artifact: ArtifactReport): ArtifactGroup {
  if (artifact.verdict === 'fail') return 'failed';
  return hasWarnings(artifact) ? 'warned' : 'passed';
}

/** Failures first, then passes with warnings, then clean passes; input order within each. */
export function orderArtifacts(artifacts: readonly ArtifactReport[]): ArtifactReport[] {
  const rank: Record<ArtifactGroup, number> = { failed: 0, warned: 1, passed: 2 };
  return artifacts
    .map((a, i) => ({ a, i }))
    .sort((x, y) => rank[artifactGroup(x.a)] - rank[artifactGroup(y.a)] || x.i - y.i)
    .map(({ a }) => a);
}

export const PATCH_STATE_TEXT: Readonly<Record<PatchCertificateState, string>> = {
  listed: 'listed',
  other: 'other certificate',
  absent: 'absent',
  'not-checked': 'not checked',
  'not-applicable': 'n/a',
};

export function patchStateText(artifact: ArtifactReport): string | undefined {
  const state = artifact.patchCertificate?.state;
  return state ? (PATCH_STATE_TEXT[state] ?? state) : undefined;
}

/** Keeps displayed messages bounded; full text stays in the JSON report. */
export function clip(text: string, maxChars: number): string {
  const chars = Array.from(String(text));
  return chars.length <= maxChars ? String(text) : `${chars.slice(0, maxChars - 1).join('')}…`;
}

/**
 * Notice codes that say the verdict is weaker than it looks: no signer was pinned, a chain was
 * followed to a root that was reported rather than trusted, unsigned files inside let through by
 * payload-allow-unsigned (with each glob's count, so that a stale entry is seen). Every front end
 * shows them, also for passing artifacts, so that a check that did not happen is never silent.
 */
export const WEAKENING_CODES: ReadonlySet<string> = new Set([
  'signer-not-pinned',
  'chain-root',
  'payload-unsigned-excused',
]);

/**
 * A signature's state in words. A signature whose only errors are about the pin is valid as a
 * signature (Windows would accept it); it is the policy that refuses its signer.
 */
export function signatureState(signature: SignatureReport, artifact: ArtifactReport): string {
  if (signature.valid) return 'valid';
  const errors = artifact.findings.filter(
    (f) => f.severity === 'error' && (f.signatureIndex ?? 0) === signature.index,
  );
  if (errors.length > 0 && errors.every((f) => f.code === 'wrong-signer')) {
    return 'valid, but not by the pinned signer';
  }
  return 'invalid';
}
