import type { Finding } from '../findings.js';
import type { RevocationEntry, RevocationSummary, SignatureReport } from '../report/model.js';
import type { RevocationRole } from '../revocation/decision.js';
import { reasonName } from '../revocation/reasons.js';
import { iso, revocationActive, type CertificateRevocation } from '../revocation/types.js';
import type { ChainResult } from '../trust/index.js';
import type { ArtifactOutcome, RevocationSubject } from './artifact.js';
import type { Policy } from './policy.js';

/**
 * The revocation phase of a run, after every artifact was verified offline: each certificate of
 * each signer chain and timestamp authority chain is looked up once (a release shares one chain),
 * within one time budget, and the answers become findings and report entries per artifact.
 * With revocation off and no CRL files it does nothing at all: no network, no findings.
 */
export async function checkRevocation(
  outcomes: readonly ArtifactOutcome[],
  policy: Policy,
): Promise<{ findings: Map<ArtifactOutcome, Finding[]>; summary: RevocationSummary }> {
  const settings = policy.revocation;
  const findings = new Map<ArtifactOutcome, Finding[]>();
  const summary: RevocationSummary = {
    mode: settings?.mode ?? 'off',
    crlFiles: (settings?.crls ?? []).map((c) => c.location),
    checked: false,
    requests: 0,
  };
  if (!settings || !revocationActive(settings)) return { findings, summary };
  summary.checked = true;
  // Loaded only when checking is on: the CRL, OCSP and HTTP code is not needed (nor compiled at
  // start-up) by the default offline run (issue 19).
  const { revocationCheckerFor, revocationFinding } = await import('../revocation/index.js');
  const checker = revocationCheckerFor(settings, policy.now);
  for (const outcome of outcomes) {
    const list: Finding[] = [];
    for (const subject of outcome.revocationSubjects ?? []) {
      const report = outcome.report.signatures.find((s) => s.index === subject.signatureIndex);
      for (const item of itemsOf(subject)) {
        const result = await checker.check({
          certificate: item.chain.chain[item.index]!,
          issuer: item.chain.chain[item.index + 1],
          isCa: item.index > 0,
        });
        if (!result) continue;
        const certificate = item.chain.chain[item.index]!;
        if (report) addEntry(report, item.role, certificate, result);
        const finding = revocationFinding({
          role: item.role,
          certificate,
          result,
          provenBy: item.provenBy,
          mode: settings.mode,
        });
        if (finding) list.push({ ...finding, signatureIndex: subject.signatureIndex });
      }
    }
    if (list.length > 0) findings.set(outcome, list);
  }
  summary.requests = checker.requests;
  return { findings, summary };
}

export interface Item {
  role: RevocationRole;
  chain: ChainResult;
  index: number;
  provenBy: Date | null;
}

/**
 * The certificates whose status counts, leaf first: every chain element except a root the
 * chain ends at, which Windows does not check for Authenticode
 * (WTD_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT).
 */
function itemsOf(subject: RevocationSubject): Item[] {
  const items: Item[] = [];
  const add = (
    chain: ChainResult,
    leafRole: RevocationRole,
    caRole: RevocationRole,
    provenBy: Date | null,
  ) => items.push(...chainItems(chain, leafRole, caRole, provenBy));
  add(subject.signerChain, 'signer', 'ca', subject.signerProvenBy);
  if (subject.timestamp)
    add(subject.timestamp.chain, 'timestamp-authority', 'timestamp-ca', subject.timestamp.time);
  return items;
}

/** The certificates of one chain whose revocation status counts, with their roles. */
export function chainItems(
  chain: ChainResult,
  leafRole: RevocationRole,
  caRole: RevocationRole,
  provenBy: Date | null,
): Item[] {
  const items: Item[] = [];
  const add = (
    chain: ChainResult,
    leafRole: RevocationRole,
    caRole: RevocationRole,
    provenBy: Date | null,
  ) => {
    const last = chain.chain.length - 1;
    const endsAtRoot =
      chain.status === 'trusted' || chain.status === 'untrusted-root' || isRootEnding(chain);
    for (let index = 0; index <= last; index++) {
      if (index === last && endsAtRoot && index > 0) break;
      items.push({ role: index === 0 ? leafRole : caRole, chain, index, provenBy });
    }
  };
  add(chain, leafRole, caRole, provenBy);
  return items;
}

/** A chain without anchors that still ends at a self-issued certificate ends at a root. */
function isRootEnding(chain: ChainResult): boolean {
  const top = chain.chain[chain.chain.length - 1];
  return (
    chain.status === 'no-anchors' &&
    chain.missingIssuer === undefined &&
    top !== undefined &&
    top.subject === top.issuer
  );
}

function addEntry(
  report: SignatureReport,
  role: RevocationRole,
  certificate: { subject: string; sha256: string },
  result: CertificateRevocation,
): void {
  (report.revocation ??= []).push(revocationEntry(role, certificate, result));
}

/** A certificate's revocation status as reports and inspections show it. */
export function revocationEntry(
  role: RevocationRole,
  certificate: { subject: string; sha256: string },
  result: CertificateRevocation,
): RevocationEntry {
  const entry: RevocationEntry = {
    role,
    subject: certificate.subject,
    sha256: certificate.sha256,
    status: result.status,
  };
  if (result.source) {
    entry.source = {
      kind: result.source.kind,
      location: result.source.location,
      thisUpdate: iso(result.source.thisUpdate),
      ...(result.source.nextUpdate ? { nextUpdate: iso(result.source.nextUpdate) } : {}),
    };
  }
  if (result.status === 'revoked') {
    if (result.revokedAt) entry.revokedAt = iso(result.revokedAt);
    entry.reason = reasonName(result.reason);
  }
  if (result.failures.length > 0) entry.failures = [...result.failures];
  return entry;
}
