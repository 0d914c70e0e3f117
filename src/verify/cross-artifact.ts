import { dirname, isAbsolute, join, relative } from 'node:path';
import { access, realpath } from 'node:fs/promises';
import { type Finding } from '../findings.js';
import type { CertificateSummary, PatchCertificateState } from '../report/model.js';
import { Certificate } from '../x509/certificate.js';
import { nameCertificate, summarizeCertificate } from './certificate-summary.js';
import type { ArtifactOutcome } from './artifact.js';
import type { PatchCertificateLevel, Policy } from './policy.js';

/** An artifact of the run (or a baseline MSI) with the path used to open it. */
export interface VerifiedArtifact {
  path: string;
  outcome: ArtifactOutcome;
  /** Baselines are read for their tables only; they get no report row. */
  baseline: boolean;
}

function describeListed(listed: { id: string; der: Buffer | null }[]): {
  text: string;
  summaries: CertificateSummary[];
} {
  const summaries: CertificateSummary[] = [];
  const parts = listed.map(({ id, der }) => {
    if (!der) return `${id} (no MsiDigitalCertificate row)`;
    try {
      const certificate = Certificate.fromDer(der);
      summaries.push(summarizeCertificate(certificate));
      return `${id}: ${nameCertificate(certificate)}`;
    } catch {
      return `${id}: ${der.length} bytes that are not a certificate`;
    }
  });
  return { text: parts.length ? parts.join('; ') : 'no rows', summaries };
}

function atLevel(level: PatchCertificateLevel): 'error' | 'warning' {
  return level === 'require' ? 'error' : 'warning';
}

/**
 * Each MSI must list the release signer in MsiPatchCertificate so that non-administrators can
 * apply its future patches (formats.md §3.11). Windows compares the certificate bytes.
 */
export function checkMsiPatchCertificate(artifact: VerifiedArtifact, policy: Policy): Finding[] {
  const { outcome } = artifact;
  const facts = outcome.package;
  if (!facts || facts.kind !== 'msi') return [];
  if (policy.patchCertificate === 'off') {
    outcome.report.patchCertificate = { state: 'not-checked', certificates: [] };
    return [];
  }
  const listed = facts.patchCertificates;
  if (listed === null) {
    outcome.report.patchCertificate = { state: 'absent', certificates: [] };
    return [
      {
        severity: atLevel(policy.patchCertificate),
        code: 'patch-certificate-missing',
        message:
          'the MSI has no MsiPatchCertificate table, so non-administrators cannot apply its patches without elevation (UAC patching); fill it with `verify-authenticode fill-patch-certificate` before signing',
      },
    ];
  }
  const accepts = (der: Buffer): boolean => {
    let certificate: Certificate;
    try {
      certificate = Certificate.fromDer(der);
    } catch {
      return false;
    }
    if (policy.signer) return policy.signer.matches(certificate);
    return outcome.primarySigner?.equals(certificate) ?? false;
  };
  const { text, summaries } = describeListed(listed);
  const match = listed.some(({ der }) => der !== null && accepts(der));
  outcome.report.patchCertificate = { state: match ? 'listed' : 'other', certificates: summaries };
  if (match) return [];
  const expected = policy.signer
    ? policy.signer.describe()
    : outcome.primarySigner
      ? nameCertificate(outcome.primarySigner)
      : 'the signer (none: the MSI is not signed and no signer is pinned)';
  return [
    {
      severity: atLevel(policy.patchCertificate),
      code: 'patch-certificate-mismatch',
      message: `MsiPatchCertificate does not list ${expected}; it lists ${text}. Patches signed by the release signer will need elevation`,
    },
  ];
}

/**
 * A patch can be applied without elevation only if its signer is, byte for byte, a certificate
 * its target's MsiPatchCertificate lists (formats.md §3.11).
 */
export function checkPatch(
  patch: VerifiedArtifact,
  packages: readonly VerifiedArtifact[],
  policy: Policy,
): Finding[] {
  const facts = patch.outcome.package;
  if (!facts || facts.kind !== 'msp') return [];
  const signer = patch.outcome.primarySigner;
  const targets = packages.filter(
    (p) =>
      p.outcome.package?.productCode &&
      facts.targetProductCodes.includes(p.outcome.package.productCode),
  );
  if (targets.length === 0) {
    return [
      {
        severity: 'notice',
        code: 'patch-certificate-missing',
        message: `no target package of this patch (${facts.targetProductCodes.join(', ') || 'no product codes in its Template'}) is among the artifacts or --baseline MSIs, so its certificate could not be checked against MsiPatchCertificate`,
      },
    ];
  }
  if (!signer) return [];
  const findings: Finding[] = [];
  for (const target of targets) {
    const listed = target.outcome.package?.patchCertificates ?? null;
    if (listed === null) {
      if (policy.patchCertificate !== 'off') {
        findings.push({
          severity: atLevel(policy.patchCertificate),
          code: 'patch-certificate-missing',
          message: `the target ${target.outcome.report.path} has no MsiPatchCertificate table: Windows Installer will require elevation to apply this patch`,
        });
      }
      continue;
    }
    if (listed.some(({ der }) => der !== null && der.equals(signer.der))) continue;
    const { text } = describeListed(listed);
    findings.push({
      severity: 'error',
      code: 'patch-certificate-mismatch',
      message:
        `the patch is signed by ${nameCertificate(signer)}, which the MsiPatchCertificate table of ${target.outcome.report.path} does not list (${text}). ` +
        `Windows Installer will refuse to apply it without elevation (a UAC prompt, or failure in a non-interactive or least-privileged install). ` +
        `Fix: before rotating the signing certificate, ship a patch signed by the old certificate that adds the new one to MsiPatchCertificate`,
    });
  }
  return findings;
}

/**
 * Where an external cabinet named by Media.Cabinet lies: beside the package, or in a directory
 * below it. Null when the name leads elsewhere — the name comes from the (possibly hostile)
 * package, and `..\\..\\.ssh\\id_rsa` or a symbolic link beside it must not make us read
 * the runner's files.
 */
async function cabinetBeside(packagePath: string, cabinet: string): Promise<string | null> {
  const name = cabinet.replace(/\\/g, '/');
  if (name.includes('\0') || isAbsolute(name) || /^[A-Za-z]:/.test(name)) return null;
  if (name.split('/').includes('..')) return null;
  const directory = dirname(packagePath);
  const path = join(directory, name);
  const real = await Promise.all([realpath(directory), realpath(path)]).catch(() => null);
  if (real === null) return path; // absent: reported as missing
  const inside = relative(real[0], real[1]);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? path : null;
}

/**
 * External cabinets listed in MsiDigitalSignature are checked by Windows Installer before it
 * opens them: signer certificate bytes and, when set, the hash (formats.md §3.11).
 */
export async function checkExternalCabinets(
  artifact: VerifiedArtifact,
  verifyCabinet: (path: string) => Promise<ArtifactOutcome>,
): Promise<Finding[]> {
  const facts = artifact.outcome.package;
  if (!facts || facts.kind !== 'msi') return [];
  const findings: Finding[] = [];
  for (const media of facts.media) {
    const cabinet = media.cabinet;
    if (!cabinet || cabinet.startsWith('#')) continue;
    const row = facts.digitalSignatures.find(
      (s) => s.table === 'Media' && s.signObject === String(media.diskId),
    );
    const path = await cabinetBeside(artifact.path, cabinet);
    if (path === null) {
      findings.push({
        severity: row ? 'error' : 'warning',
        code: 'outside-workspace',
        message: `the external cabinet name ${JSON.stringify(cabinet)} of disk ${media.diskId} leads outside the package's directory (an absolute path, "..", or a symbolic link); it was not read`,
      });
      continue;
    }
    const present = await access(path).then(
      () => true,
      () => false,
    );
    if (!present) {
      findings.push({
        severity: row ? 'error' : 'warning',
        code: 'external-cabinet-missing',
        message: `the external cabinet ${cabinet} of disk ${media.diskId} is not beside the package${row ? ' (MsiDigitalSignature lists it, so Windows Installer will fail with error 1330)' : ''}`,
      });
      continue;
    }
    if (!row) continue;
    const outcome = await verifyCabinet(path);
    const expected = facts.digitalCertificates.get(row.digitalCertificate);
    const problems: string[] = [];
    if (outcome.report.verdict === 'fail' && !outcome.primarySigner) {
      problems.push(`it is not validly signed (${outcome.report.status})`);
    } else if (!outcome.primaryValid) {
      problems.push(`its signature does not verify (${outcome.report.status})`);
    }
    if (!expected) {
      problems.push(`MsiDigitalCertificate has no row ${row.digitalCertificate}`);
    } else if (outcome.primarySigner && !outcome.primarySigner.der.equals(expected)) {
      problems.push(
        `it is signed by ${nameCertificate(outcome.primarySigner)}, not the certificate in MsiDigitalCertificate row ${row.digitalCertificate}`,
      );
    }
    if (row.hash && outcome.primaryDigest && !row.hash.equals(outcome.primaryDigest.digest)) {
      problems.push(
        `its signed digest ${outcome.primaryDigest.digest.toString('hex')} differs from MsiDigitalSignature.Hash ${row.hash.toString('hex')}`,
      );
    }
    if (problems.length > 0) {
      findings.push({
        severity: 'error',
        code: 'external-cabinet-mismatch',
        message: `external cabinet ${cabinet} (disk ${media.diskId}): ${problems.join('; ')}. Windows Installer stops with error 1330`,
      });
    }
  }
  return findings;
}

export type { PatchCertificateState };
