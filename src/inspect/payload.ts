/**
 * `inspect --payload`: the payload of one file, read through the same evaluation as `verify`
 * (payload-check.ts: the walk, the PE engine on every inner executable, the payload policy), so
 * that what inspect lists and what verify judges cannot drift apart. Inspect has no policy of
 * its own: no signer is pinned, every signer is accepted, trust is not judged (as for the
 * file's own signatures), and problems are warnings.
 */
import { RandomAccessFile } from '../io/random-access-file.js';
import type { Finding } from '../findings.js';
import type { PayloadFile, PayloadKind } from '../payload/walk.js';
import { innerPath } from '../payload/policy.js';
import { verifySource } from '../verify/artifact.js';
import { buildPolicy } from '../verify/configure.js';
import { checkPayload, payloadWalkable } from '../verify/payload-check.js';
import type { Policy } from '../verify/policy.js';
import { DEFAULT_TIME_BUDGET_MS, TimeBudget } from '../verify/time-budget.js';
import type { ArtifactKind, CertificateSummary } from '../report/model.js';

/** One file inside the inspected package. */
export interface InspectedInnerFile {
  /** Inner path from the file down, containers joined by ` ▸ `. */
  path: string;
  size: number;
  /** The cabinet (`#product.cab`, `data1.cab`) or stream (`Binary.CustomActions`) holding it. */
  container: string;
  compression: PayloadFile['compression'];
  kind: PayloadKind;
  /** For an executable: the PE engine's verdict and status on the file alone, and its signer. */
  verdict?: 'pass' | 'fail';
  status?: string;
  signer?: CertificateSummary | null;
}

export interface PayloadInspection {
  /** "3 executables inside: 2 by Contoso Release Signing, 1 unsigned (…/helper.dll)". */
  summary: string;
  files: InspectedInnerFile[];
  /** What the walk could not open, and the executables that are unsigned or do not verify. */
  findings: Finding[];
}

/** Inspect accepts every signer: who signed each file is shown, not judged. */
const ANY_SIGNER = { matches: () => true };

/**
 * The payload of the package at `path`, or null when its kind carries none (a PE, an MST).
 * `kind` is the inspection's.
 */
export async function inspectPayload(
  path: string,
  kind: ArtifactKind,
  options: { now?: Date } = {},
): Promise<PayloadInspection | null> {
  const base = await buildPolicy({
    trustedRoots: 'none',
    ...(options.now ? { at: options.now.toISOString() } : {}),
  });
  const policy: Policy = {
    ...base,
    payload: { level: 'warn', signers: ANY_SIGNER, allowUnsigned: [] },
  };
  if (!payloadWalkable(policy, kind)) return null;
  const file = await RandomAccessFile.open(path);
  try {
    const check = await checkPayload(path, file, kind, policy, verifySource, {
      budget: new TimeBudget(policy.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS),
    });
    const verified = new Map(check.report.files.map((f) => [f.path, f]));
    return {
      summary: check.report.summary,
      files: check.unpacked.map((inner) => {
        const shown = innerPath(inner);
        const executable = verified.get(shown);
        return {
          path: shown,
          size: inner.size,
          container: inner.container,
          compression: inner.compression,
          kind: inner.kind,
          ...(executable
            ? { verdict: executable.verdict, status: executable.status, signer: executable.signer }
            : {}),
        };
      }),
      findings: check.findings,
    };
  } finally {
    await file.close();
  }
}
