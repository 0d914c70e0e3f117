/**
 * The payload check of one artifact (issue 17): after the artifact's own signature, every
 * executable its cabinets and Binary table carry is verified on its own by the PE engine, from
 * memory, and the payload policy judges the results. Runs only when the policy's payload level
 * is not off and the artifact is an MSI, MSM, MSP or CAB: with `payload: off` nothing of it runs.
 */
import type { Finding } from '../findings.js';
import { MemorySource, type RandomAccessSource } from '../io/random-access-file.js';
import {
  evaluatePayload,
  innerPath,
  payloadSummaryLine,
  type InnerVerdict,
} from '../payload/policy.js';
import {
  payloadLimitsFor,
  walkPayload,
  type OpenedPackage,
  type PayloadFile,
  type PayloadWalk,
} from '../payload/walk.js';
import type {
  ArtifactKind,
  ArtifactReport,
  InnerFileReport,
  PayloadReport,
} from '../report/model.js';
import type { Policy } from './policy.js';
import type { verifySource } from './artifact.js';
import {
  DEFAULT_TIME_BUDGET_MS,
  describeBudget,
  TimeBudgetExceededError,
  type TimeBudget,
} from './time-budget.js';

/** Artifact kinds whose payload is walked, and how the walk opens them. */
const WALKED: Partial<Record<ArtifactKind, 'msi' | 'cab'>> = {
  msi: 'msi',
  msm: 'msi',
  msp: 'msi',
  cab: 'cab',
};

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
  /** Every file the walk unpacked, executable or not (what `inspect --payload` lists). */
  unpacked: PayloadFile[];
}

export interface PayloadCheckOptions {
  /**
   * The artifact's time budget (time-budget.ts): the walk and the verification of every inner
   * executable share it, so a payload built to be slow stops with a finding when the artifact's
   * budget runs out rather than running past it.
   */
  budget?: TimeBudget;
  /** Called with every inner file as it is unpacked (the CLI's progress line). */
  onFile?: () => void;
  /** The artifact's compound file as the verifier opened it (walkPayload's `opened`). */
  opened?: OpenedPackage;
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
  options: PayloadCheckOptions = {},
): Promise<PayloadCheck> {
  const payload = policy.payload!;
  const level = payload.level === 'require' ? 'require' : 'warn';
  const severity = level === 'require' ? 'error' : 'warning';
  const { budget } = options;
  // Inner files are judged on their own with any signer accepted: whether the signer is the
  // pin or a payload signer is the payload policy's question (evaluatePayload), so that a file
  // signed by someone else is reported as such rather than as a broken signature.
  const innerPolicy: Policy = { ...policy, signer: null, payload: undefined };
  const verdicts: InnerVerdict[] = [];
  const files: InnerFileReport[] = [];
  const found: PayloadWalk = { files: [], findings: [] };
  const walking = walkPayload(path, source, WALKED[kind]!, {
    opened: options.opened,
    limits: payloadLimitsFor(source.size),
    severity,
    guard: budget ? (s) => budget.guard(s) : undefined,
    into: found,
    onFile: () => options.onFile?.(),
    onExecutable: async (file, bytes) => {
      budget?.check();
      const display = innerPath(file);
      // An inner file gets what is left of the artifact's budget, not a budget of its own.
      const timeBudgetMs = Math.min(
        innerPolicy.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS,
        budget?.remainingMs ?? Infinity,
      );
      const { outcome, abandoned } = await verify(new MemorySource(bytes), display, {
        ...innerPolicy,
        timeBudgetMs,
      });
      // A verdict reached as the artifact's budget ran out may be the budget's doing.
      budget?.check();
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
  const stopped = await stoppedByBudget(walking, budget);
  // A stopped walk may still be settling: report from copies of what it found until then.
  const checked = [...verdicts];
  const evaluation = evaluatePayload(checked, payload, policy.signer);
  const reported = files.slice(0, checked.length).map((file) => {
    const glob = evaluation.allowedBy.get(file.path);
    return glob === undefined ? file : { ...file, allowedBy: glob };
  });
  const findings = [...found.findings, ...evaluation.findings];
  let summary = payloadSummaryLine(evaluation.summary);
  if (stopped) {
    const unpacked = found.files.length;
    findings.push({
      severity,
      code: 'payload-too-large',
      message: `the payload walk was stopped when this file's ${describeBudget(stopped.budgetMs)} time budget ran out, after ${unpacked} inner file(s) were unpacked and ${checked.length} executable(s) checked; the rest of the payload was not checked`,
    });
    summary += ` (walk stopped by the time budget after ${unpacked} inner file(s); the rest was not checked)`;
  }
  return {
    report: {
      level,
      summary,
      files: reported,
      allowUnsigned: [...evaluation.summary.excused].map(([glob, count]) => ({ glob, count })),
    },
    findings,
    unpacked: [...found.files],
  };
}

/**
 * Waits for the walk within the artifact's budget. Returns the budget when it ran out before
 * the walk finished (at a guarded read, or while the walk was busy elsewhere), null when the
 * walk completed in time.
 */
async function stoppedByBudget(
  walking: Promise<PayloadWalk>,
  budget: TimeBudget | undefined,
): Promise<TimeBudget | null> {
  if (!budget) {
    await walking;
    return null;
  }
  try {
    const raced = await budget.race(walking);
    return raced.timedOut || budget.expired ? budget : null;
  } catch (error) {
    if (error instanceof TimeBudgetExceededError) return budget;
    throw error;
  }
}
