import { basename, dirname, isAbsolute, join } from 'node:path';
import {
  WIN32_RULES,
  isReservedDeviceName,
  namesBelow,
  nativeRules,
  relativeInside,
} from '../io/path-rules.js';
import { createHash } from 'node:crypto';
import { opendir, realpath, stat } from 'node:fs/promises';
import { type Finding } from '../findings.js';
import type { CertificateSummary, PatchCertificateState } from '../report/model.js';
import { Certificate } from '../x509/certificate.js';
import { nameCertificate, summarizeCertificate } from './certificate-summary.js';
import type { ArtifactOutcome } from './artifact.js';
import type { PatchCertificateLevel, Policy } from './policy.js';
import type { DigitalSignatureRow } from '../msi/index.js';

/** An artifact of the run (or a baseline MSI) with the path used to open it. */
export interface VerifiedArtifact {
  path: string;
  outcome: ArtifactOutcome;
  /** Baselines are read for their tables only; they get no report row. */
  baseline: boolean;
}

/** Distinct certificates a report names in full; the rest are counted. */
export const MAX_LISTED_CERTIFICATES = 8;

/** One distinct certificate an MsiPatchCertificate table lists, however many rows name it. */
interface ListedCertificate {
  /** The MsiDigitalCertificate keys (first few) and how many rows point at this certificate. */
  ids: string[];
  rows: number;
  der: Buffer | null;
  /** Decoded once; null when the bytes are not a certificate or there is no row. */
  certificate: Certificate | null;
}

function decodeCertificate(der: Buffer): Certificate | null {
  try {
    return Certificate.fromDer(der);
  } catch {
    return null;
  }
}

/**
 * Groups the listed rows by certificate bytes and decodes each distinct certificate once: a
 * table of 100,000 rows that all name one certificate costs one decode, not 100,000
 * (issue 20, item 4).
 */
function distinctListed(
  listed: readonly { id: string; der: Buffer | null }[],
): ListedCertificate[] {
  const byId = new Map<string, { der: Buffer | null; rows: number }>();
  for (const { id, der } of listed) {
    const group = byId.get(id);
    if (group) group.rows++;
    else byId.set(id, { der, rows: 1 });
  }
  const byBytes = new Map<string, ListedCertificate>();
  const missing: ListedCertificate[] = [];
  for (const [id, { der, rows }] of byId) {
    if (der === null) {
      missing.push({ ids: [id], rows, der: null, certificate: null });
      continue;
    }
    const key = createHash('sha256').update(der).digest('hex');
    const known = byBytes.get(key);
    if (known) {
      known.rows += rows;
      if (known.ids.length < MAX_LISTED_CERTIFICATES) known.ids.push(id);
      continue;
    }
    const certificate = decodeCertificate(der);
    byBytes.set(key, { ids: [id], rows, der, certificate });
  }
  return [...byBytes.values(), ...missing];
}

function describeListed(distinct: readonly ListedCertificate[]): {
  text: string;
  summaries: CertificateSummary[];
} {
  const shown = distinct.slice(0, MAX_LISTED_CERTIFICATES);
  const summaries = shown.flatMap(({ certificate }) =>
    certificate ? [summarizeCertificate(certificate)] : [],
  );
  const parts = shown.map(({ ids, rows, der, certificate }) => {
    const rowNote = rows > 1 ? ` (${rows} rows)` : '';
    const id = ids.join(', ');
    if (!der) return `${id} (no MsiDigitalCertificate row)${rowNote}`;
    if (!certificate) return `${id}: ${der.length} bytes that are not a certificate${rowNote}`;
    return `${id}: ${nameCertificate(certificate)}${rowNote}`;
  });
  if (distinct.length > shown.length) {
    parts.push(`and ${distinct.length - shown.length} more distinct certificates`);
  }
  return { text: parts.length ? parts.join('; ') : 'no rows', summaries };
}

function atLevel(level: PatchCertificateLevel): 'error' | 'warning' {
  return level === 'require' ? 'error' : 'warning';
}

/**
 * Each MSI must list the release signer in MsiPatchCertificate so that non-administrators can
 * apply its future patches (docs/formats.md §3.11). Windows compares the certificate bytes.
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
  const accepts = (certificate: Certificate): boolean =>
    policy.signer
      ? policy.signer.matches(certificate)
      : (outcome.primarySigner?.equals(certificate) ?? false);
  const distinct = distinctListed(listed);
  const { text, summaries } = describeListed(distinct);
  const match = distinct.some(({ certificate }) => certificate !== null && accepts(certificate));
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
 * Severity of each patch/target case per `patch-certificate` level. For Windows, "no table" and
 * "a table that lists another certificate" have the same effect (a non-administrator is asked
 * for elevation, or fails where no prompt is possible; administrators are unaffected), but a
 * filled table that leaves out the patch's signer is a release mistake, so it stays visible
 * even under `off` (docs/finding-codes.md, patch-certificate-mismatch).
 */
const PATCH_SEVERITY: Readonly<
  Record<
    'target-without-table' | 'target-lists-another' | 'no-target',
    Readonly<Record<PatchCertificateLevel, Finding['severity'] | null>>
  >
> = {
  'target-without-table': { off: null, warn: 'warning', require: 'error' },
  'target-lists-another': { off: 'notice', warn: 'error', require: 'error' },
  'no-target': { off: null, warn: 'notice', require: 'warning' },
};

/**
 * A patch can be applied without elevation only if its signer is, byte for byte, a certificate
 * its target's MsiPatchCertificate lists (docs/formats.md §3.11).
 */
export function checkPatch(
  patch: VerifiedArtifact,
  packages: readonly VerifiedArtifact[],
  policy: Policy,
): Finding[] {
  const facts = patch.outcome.package;
  if (!facts || facts.kind !== 'msp') return [];
  const level = policy.patchCertificate;
  const signer = patch.outcome.primarySigner;
  const targets = packages.filter(
    (p) =>
      p.outcome.package?.productCode &&
      facts.targetProductCodes.includes(p.outcome.package.productCode),
  );
  if (targets.length === 0) {
    const severity = PATCH_SEVERITY['no-target'][level];
    if (!severity) return [];
    return [
      {
        severity,
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
      const severity = PATCH_SEVERITY['target-without-table'][level];
      if (severity) {
        findings.push({
          severity,
          code: 'patch-certificate-missing',
          message: `the target ${target.outcome.report.path} has no MsiPatchCertificate table: Windows Installer will require elevation to apply this patch`,
        });
      }
      continue;
    }
    if (listed.some(({ der }) => der !== null && der.equals(signer.der))) continue;
    const severity = PATCH_SEVERITY['target-lists-another'][level];
    if (!severity) continue;
    const { text } = describeListed(distinctListed(listed));
    findings.push({
      severity,
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
export async function cabinetBeside(packagePath: string, cabinet: string): Promise<string | null> {
  const name = cabinet.replace(/\\/g, '/');
  if (name.includes('\0') || isAbsolute(name) || /^[A-Za-z]:/.test(name)) return null;
  if (name.split('/').includes('..')) return null;
  const directory = dirname(packagePath);
  const path = join(directory, name);
  const real = await Promise.all([realpath(directory), realpath(path)]).catch(() => null);
  if (real === null) return path; // absent: reported as missing
  // Under the runner's own path rules: on Windows another drive or letter case is decided there.
  return relativeInside(real[1], real[0], nativeRules()) ? path : null;
}

/**
 * Distinct external cabinet names checked per package. Real packages have a handful of media
 * rows (one per cabinet); the limit only stops a table built to make us walk the filesystem
 * (issue 20, item 3). Every name is resolved with at most three filesystem calls, and one
 * directory listing per directory when a name matches only without regard to case.
 */
export const MAX_EXTERNAL_CABINETS = 1024;
/** Items one grouped finding names before it only counts the rest. */
const MAX_NAMED_ITEMS = 10;

/** One kind of problem, with every cabinet it applies to: reported as one finding with a count. */
interface ProblemGroup {
  severity: Finding['severity'];
  code: Finding['code'];
  /** The sentence before the list; the list names the cabinets (and disks) concerned. */
  lead: string;
  /** What follows the list (the consequence in Windows). */
  tail: string;
  items: string[];
}

class GroupedFindings {
  private readonly groups = new Map<string, ProblemGroup>();

  add(group: Omit<ProblemGroup, 'items'>, item: string): void {
    const key = `${group.severity}\0${group.code}\0${group.lead}`;
    let existing = this.groups.get(key);
    if (!existing) {
      existing = { ...group, items: [] };
      this.groups.set(key, existing);
    }
    existing.items.push(item);
  }

  findings(): Finding[] {
    return [...this.groups.values()].map(({ severity, code, lead, tail, items }) => {
      const named = items.slice(0, MAX_NAMED_ITEMS).join('; ');
      const more =
        items.length > MAX_NAMED_ITEMS ? `; and ${items.length - MAX_NAMED_ITEMS} more` : '';
      const count = items.length > 1 ? ` (${items.length} cabinets)` : '';
      return { severity, code, message: `${lead}${count}: ${named}${more}${tail}` };
    });
  }
}

export type CabinetFile =
  | { kind: 'outside' }
  | { kind: 'missing' }
  | { kind: 'short-long' }
  | { kind: 'device' }
  | { kind: 'ambiguous'; names: string[] }
  | { kind: 'not-a-file' }
  | { kind: 'file'; path: string; foundAs: string | null };

/** Entries of one directory read when looking for a cabinet name without regard to case. */
export const MAX_DIRECTORY_ENTRIES = 100_000;

/** Names in a directory (at most {@link MAX_DIRECTORY_ENTRIES}); [] when it cannot be read. */
async function directoryNames(directory: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of await opendir(directory)) {
      names.push(entry.name);
      if (names.length >= MAX_DIRECTORY_ENTRIES) break;
    }
  } catch {
    return [];
  }
  return names;
}

/**
 * Finds an external cabinet the way Windows Installer does: beside the package, the name
 * matched without regard to case ("if the cabinet file is stored as a separate file, the name
 * of the cabinet file is not case-sensitive", Microsoft's Cabinet data type documentation) —
 * on a case-sensitive file system `DATA1.CAB` authored and `data1.cab` shipped must still meet.
 * The same documentation says the Cabinet type cannot use the `short|long` file name syntax:
 * such a name names no file Windows can hold. Each directory is listed at most once per
 * package (`listings`). Names are compared under Windows rules (src/io/path-rules.ts), whatever
 * the runner: the Media table is read by Windows Installer.
 */
export async function findExternalCabinet(
  packagePath: string,
  cabinet: string,
  listings: Map<string, Promise<string[]>>,
): Promise<CabinetFile> {
  if (cabinet.includes('|')) return { kind: 'short-long' };
  // `CON.cab` or `NUL` would open a device on a Windows runner (CON waits for console input).
  if (cabinet.split(/[\\/]/).some(isReservedDeviceName)) return { kind: 'device' };
  const path = await cabinetBeside(packagePath, cabinet);
  if (path === null) return { kind: 'outside' };
  let info = await stat(path).catch(() => null);
  let foundAs: string | null = null;
  let found = path;
  if (info === null) {
    const directory = dirname(path);
    let listing = listings.get(directory);
    if (!listing) {
      listing = directoryNames(directory);
      listings.set(directory, listing);
    }
    const matches = namesBelow(await listing, basename(path), WIN32_RULES);
    if (matches.length > 1) return { kind: 'ambiguous', names: matches };
    if (matches.length === 0) return { kind: 'missing' };
    // The match goes through the same boundary checks as the authored name.
    const normalized = cabinet.replace(/\\/g, '/');
    const slash = normalized.lastIndexOf('/');
    const alternative = normalized.slice(0, slash + 1) + matches[0]!;
    const matched = await cabinetBeside(packagePath, alternative);
    if (matched === null) return { kind: 'outside' };
    info = await stat(matched).catch(() => null);
    if (info === null) return { kind: 'missing' };
    foundAs = matches[0]!;
    found = matched;
  }
  // A directory or a FIFO named like a cabinet: nothing is read (opening a FIFO would block).
  if (!info.isFile()) return { kind: 'not-a-file' };
  return { kind: 'file', path: found, foundAs };
}

/**
 * External cabinets listed in MsiDigitalSignature are checked by Windows Installer before it
 * opens them: signer certificate bytes and, when set, the hash (docs/formats.md §3.11).
 *
 * Bounded for hostile tables (issue 20, item 3): signature rows are indexed by disk once, each
 * distinct cabinet name is resolved and verified once, at most {@link MAX_EXTERNAL_CABINETS}
 * names are looked at, and every kind of problem is one finding that counts the cabinets.
 */
export async function checkExternalCabinets(
  artifact: VerifiedArtifact,
  verifyCabinet: (path: string) => Promise<ArtifactOutcome>,
): Promise<Finding[]> {
  const facts = artifact.outcome.package;
  if (!facts || facts.kind !== 'msi') return [];
  const signatureByDisk = new Map<string, DigitalSignatureRow>();
  for (const row of facts.digitalSignatures) {
    if (row.table === 'Media' && !signatureByDisk.has(row.signObject)) {
      signatureByDisk.set(row.signObject, row);
    }
  }
  const problems = new GroupedFindings();
  const located = new Map<string, Promise<CabinetFile>>();
  const listings = new Map<string, Promise<string[]>>();
  const verified = new Map<string, Promise<ArtifactOutcome>>();
  let skippedSigned = 0;
  let skippedUnsigned = 0;
  for (const media of facts.media) {
    const cabinet = media.cabinet;
    if (!cabinet || cabinet.startsWith('#')) continue;
    const row = signatureByDisk.get(String(media.diskId));
    let pending = located.get(cabinet);
    if (!pending) {
      if (located.size >= MAX_EXTERNAL_CABINETS) {
        if (row) skippedSigned++;
        else skippedUnsigned++;
        continue;
      }
      pending = findExternalCabinet(artifact.path, cabinet, listings);
      located.set(cabinet, pending);
    }
    const file = await pending;
    const item = `${cabinet} (disk ${media.diskId})`;
    const severity = row ? 'error' : 'warning';
    if (file.kind === 'outside') {
      problems.add(
        {
          severity,
          code: 'outside-workspace',
          lead: 'external cabinet names lead outside the package\'s directory (an absolute path, "..", or a symbolic link)',
          tail: '; not read',
        },
        JSON.stringify(cabinet) + ` (disk ${media.diskId})`,
      );
      continue;
    }
    if (file.kind === 'missing') {
      problems.add(
        {
          severity,
          code: 'external-cabinet-missing',
          lead: 'external cabinets are not beside the package',
          tail: row
            ? ' (MsiDigitalSignature lists them, so Windows Installer will fail with error 1330)'
            : '',
        },
        item,
      );
      continue;
    }
    if (file.kind === 'short-long') {
      problems.add(
        {
          severity,
          code: 'external-cabinet-missing',
          lead: 'external cabinet names use the short|long file name syntax, which the Cabinet data type does not allow',
          tail: ': Windows Installer looks for a file with that literal name, and no Windows file name contains "|"',
        },
        JSON.stringify(cabinet) + ` (disk ${media.diskId})`,
      );
      continue;
    }
    if (file.kind === 'device') {
      problems.add(
        {
          severity,
          code: 'external-cabinet-missing',
          lead: 'external cabinet names are reserved Windows device names (CON, NUL, AUX, PRN, COM1–9, LPT1–9, whatever the extension)',
          tail: ': on Windows they open a device, not a file; nothing was read',
        },
        JSON.stringify(cabinet) + ` (disk ${media.diskId})`,
      );
      continue;
    }
    if (file.kind === 'ambiguous') {
      problems.add(
        {
          severity,
          code: 'external-cabinet-missing',
          lead: 'several files beside the package match an external cabinet name without regard to case, as Windows Installer matches it',
          tail: '; a Windows file system holds only one of them, so which one ships is unclear',
        },
        `${item}: ${file.names.map((n) => JSON.stringify(n)).join(', ')}`,
      );
      continue;
    }
    if (file.kind === 'not-a-file') {
      problems.add(
        {
          severity,
          code: 'external-cabinet-missing',
          lead: 'external cabinet names beside the package are not regular files (a directory, FIFO, socket or device)',
          tail: '; nothing was read',
        },
        item,
      );
      continue;
    }
    if (file.foundAs !== null) {
      problems.add(
        {
          severity: 'notice',
          code: 'unusual-layout',
          lead: 'external cabinets were found under names that differ in case from the Media table (Windows Installer matches them without regard to case, and drops trailing dots and spaces; a case-sensitive file system does not)',
          tail: '',
        },
        `${item} found as ${JSON.stringify(file.foundAs)}`,
      );
    }
    if (!row) continue;
    let verifying = verified.get(file.path);
    if (!verifying) {
      verifying = verifyCabinet(file.path);
      verified.set(file.path, verifying);
    }
    const outcome = await verifying;
    for (const problem of cabinetProblems(facts.digitalCertificates, row, outcome)) {
      problems.add(
        {
          severity: 'error',
          code: 'external-cabinet-mismatch',
          lead: `external cabinets do not match MsiDigitalSignature: ${problem.lead}`,
          tail: '. Windows Installer stops with error 1330',
        },
        problem.detail ? `${item}: ${problem.detail}` : item,
      );
    }
  }
  const findings = problems.findings();
  if (skippedSigned > 0) {
    findings.push({
      severity: 'error',
      code: 'external-cabinet-mismatch',
      message: `the Media table names more than ${MAX_EXTERNAL_CABINETS} distinct external cabinets; ${skippedSigned} rows that MsiDigitalSignature lists were not checked (no real package has that many cabinets)`,
    });
  } else if (skippedUnsigned > 0) {
    findings.push({
      severity: 'warning',
      code: 'external-cabinet-missing',
      message: `the Media table names more than ${MAX_EXTERNAL_CABINETS} distinct external cabinets; the presence of ${skippedUnsigned} more was not checked`,
    });
  }
  return findings;
}

/** What is wrong with one verified external cabinet, against its MsiDigitalSignature row. */
function cabinetProblems(
  certificates: ReadonlyMap<string, Buffer>,
  row: DigitalSignatureRow,
  outcome: ArtifactOutcome,
): { lead: string; detail: string }[] {
  const problems: { lead: string; detail: string }[] = [];
  if (outcome.report.verdict === 'fail' && !outcome.primarySigner) {
    problems.push({ lead: 'not validly signed', detail: outcome.report.status });
  } else if (!outcome.primaryValid) {
    problems.push({ lead: 'the signature does not verify', detail: outcome.report.status });
  }
  const expected = certificates.get(row.digitalCertificate);
  if (!expected) {
    problems.push({
      lead: 'MsiDigitalCertificate has no row for the listed certificate',
      detail: row.digitalCertificate,
    });
  } else if (outcome.primarySigner && !outcome.primarySigner.der.equals(expected)) {
    problems.push({
      lead: 'signed by another certificate than the one in MsiDigitalCertificate',
      detail: `${nameCertificate(outcome.primarySigner)}, not row ${row.digitalCertificate}`,
    });
  }
  if (row.hash && outcome.primaryDigest && !row.hash.equals(outcome.primaryDigest.digest)) {
    problems.push({
      lead: 'the signed digest differs from MsiDigitalSignature.Hash',
      detail: `${outcome.primaryDigest.digest.toString('hex')} ≠ ${row.hash.toString('hex')}`,
    });
  }
  return problems;
}

export type { PatchCertificateState };
