/**
 * The payload check of one artifact (issue 17): after the artifact's own signature, every
 * executable its cabinets and Binary table carry is verified on its own by the PE engine, from
 * memory, and the payload policy judges the results. Runs only when the policy's payload level
 * is not off and the artifact is an MSI, MSM or CAB: with `payload: off` nothing of it runs.
 */
import type { Finding } from '../findings.js';
import { MemorySource, type RandomAccessSource } from '../io/random-access-file.js';
import {
  evaluatePayload,
  innerPath,
  payloadSummaryLine,
  type InnerVerdict,
} from '../payload/policy.js';
import { payloadLimitsFor, walkPayload } from '../payload/walk.js';
import type {
  ArtifactKind,
  ArtifactReport,
  InnerFileReport,
  PayloadReport,
} from '../report/model.js';
import type { Policy } from './policy.js';
import type { verifySource } from './artifact.js';

/** Artifact kinds whose payload is walked, and how the walk opens them. */
const WALKED: Partial<Record<ArtifactKind, 'msi' | 'cab'>> = { msi: 'msi', msm: 'msi', cab: 'cab' };

/**
 * Outer verdicts that say the container itself could not be read: walking it again would only
 * repeat the same error as a corrupt-payload finding.
 */
const UNREADABLE = new Set([
  'malformed-package',
  'malformed-signature',
  'not-a-package',
  'io-error',
]);

/** Whether the policy asks for the payload of an artifact of this kind to be walked. */
export function payloadWalkable(policy: Policy, kind: ArtifactKind): boolean {
  return (policy.payload?.level ?? 'off') !== 'off' && WALKED[kind] !== undefined;
}

/** Whether a walk's result belongs in the artifact's report, given the artifact's own verdict. */
export function payloadApplies(policy: Policy, report: ArtifactReport): boolean {
  return payloadWalkable(policy, report.kind) && !UNREADABLE.has(report.status);
}

export interface PayloadCheck {
  report: PayloadReport;
  /** The walk's own findings and the policy's, for the artifact. */
  findings: Finding[];
}

/**
 * Walks the payload of the artifact at `path` (opened as `source`) and verifies each inner
 * executable. Call only when {@link payloadApplies}.
 */
export async function checkPayload(
  path: string,
  source: RandomAccessSource,
  kind: ArtifactKind,
  policy: Policy,
  // The PE engine, passed in rather than imported: artifact.ts calls this module.
  verify: typeof verifySource,
): Promise<PayloadCheck> {
  const payload = policy.payload!;
  const level = payload.level === 'require' ? 'require' : 'warn';
  // Inner files are judged on their own with any signer accepted: whether the signer is the
  // pin or a payload signer is the payload policy's question (evaluatePayload), so that a file
  // signed by someone else is reported as such rather than as a broken signature.
  const innerPolicy: Policy = { ...policy, signer: null, payload: undefined };
  const verdicts: InnerVerdict[] = [];
  const files: InnerFileReport[] = [];
  const walk = await walkPayload(path, source, WALKED[kind]!, {
    limits: payloadLimitsFor(source.size),
    severity: level === 'require' ? 'error' : 'warning',
    onExecutable: async (file, bytes) => {
      const display = innerPath(file);
      const { outcome, abandoned } = await verify(new MemorySource(bytes), display, innerPolicy);
      // Abandoned work reads only this memory; nothing to close.
      void abandoned;
      const report = outcome.report;
      const unsigned = report.findings.some((f) => f.code === 'unsigned');
      const valid = report.verdict === 'pass' && outcome.primarySigner !== null;
      verdicts.push({
        file,
        unsigned,
        valid,
        signer: outcome.primarySigner,
        signerName: outcome.primarySigner?.commonName ?? null,
        problem: valid || unsigned ? null : report.status,
      });
      files.push({
        path: display,
        size: file.size,
        verdict: report.verdict,
        status: report.status,
        signer: report.signatures[0]?.signer ?? null,
        findings: [...new Set(report.findings.map((f) => f.code))],
      });
    },
  });
  const evaluation = evaluatePayload(verdicts, payload, policy.signer);
  return {
    report: {
      level,
      summary: payloadSummaryLine(evaluation.summary),
      files,
      allowUnsigned: [...evaluation.summary.excused].map(([glob, count]) => ({ glob, count })),
    },
    findings: [...walk.findings, ...evaluation.findings],
  };
}
