import { availableParallelism } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { capFindings, type Finding } from '../findings.js';
import type { ArtifactReport, EndpointCertificate, Report } from '../report/model.js';
import type { RootProgram } from '../trust/root-program.js';
import { windowsRootProgram } from '../trust/windows-roots.js';
import { summarizeCertificate } from './certificate-summary.js';
import { verifyArtifact, type ArtifactOutcome } from './artifact.js';
import {
  checkExternalCabinets,
  checkMsiPatchCertificate,
  checkPatch,
  type VerifiedArtifact,
} from './cross-artifact.js';
import type { Policy } from './policy.js';
import { checkRevocation } from './revocation-check.js';
import { TOOL } from './tool.js';
import { HashWorkerPool } from './worker-pool.js';

export interface ArtifactInput {
  /** Path to open. */
  path: string;
  /** Path as the user gave it (reports show this). */
  displayPath: string;
}

export interface VerifyOptions {
  /** Files verified at once (default {@link defaultConcurrency}). */
  concurrency?: number;
  onArtifactDone?: (report: ArtifactReport) => void;
  /** Findings about the run itself (e.g. too few artifacts), added to the report. */
  runFindings?: Finding[];
  /** Progress hooks (CLI): the length of every read from an artifact; each input verified. */
  onBytes?: (bytes: number) => void;
  /** Every file unpacked from an artifact's payload (issue 17). */
  onInnerFile?: () => void;
  onArtifactVerified?: (input: ArtifactInput) => void;
}

/**
 * Files verified at once unless the user says otherwise: two per CPU. While one file waits (a
 * worker hashing its digest, a read that goes to the thread pool), another file's CPU work fills
 * the gap. Measured on 2 CPUs (BENCHMARKS.md): with thread-pool reads, 1,000 small MSIs took
 * 2.76 s at 4 in flight against 3.14 s at 2; since small reads became synchronous the two are
 * even there, and 100 MSIs of 2 MiB stay about 2 % faster at 4; 8 was slower again. Hashing
 * threads stay at one per CPU (HashWorkerPool), and memory per file is bounded.
 */
export function defaultConcurrency(): number {
  return 2 * availableParallelism();
}

/** Runs `task` over `items` with at most `limit` in flight, keeping input order in the result. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * The library's front door: verify every artifact, then the checks that need several of them
 * (patches against their targets, MSIs against their external cabinets), and build the report.
 */
export async function verifyArtifacts(
  inputs: readonly ArtifactInput[],
  policy: Policy,
  options: VerifyOptions = {},
): Promise<Report> {
  // Large files are hashed on worker threads, one per core at most (worker-pool.ts).
  const hashPool = new HashWorkerPool(
    Math.max(1, Math.min(options.concurrency ?? defaultConcurrency(), availableParallelism())),
  );
  try {
    return await verifyWithPool(inputs, policy, options, hashPool);
  } finally {
    await hashPool.close();
  }
}

async function verifyWithPool(
  inputs: readonly ArtifactInput[],
  policy: Policy,
  options: VerifyOptions,
  hashPool: HashWorkerPool,
): Promise<Report> {
  const concurrency = options.concurrency ?? defaultConcurrency();
  const cache = new Map<string, Promise<ArtifactOutcome>>();
  const verifyOnce = (path: string, displayPath: string) => {
    const key = resolve(path);
    let pending = cache.get(key);
    if (!pending) {
      pending = verifyArtifact(path, displayPath, policy, {
        onBytes: options.onBytes,
        onInnerFile: options.onInnerFile,
        hashPool,
      });
      cache.set(key, pending);
    }
    return pending;
  };

  const artifacts: VerifiedArtifact[] = await mapBounded(inputs, concurrency, async (input) => {
    const outcome = await verifyOnce(input.path, input.displayPath);
    options.onArtifactVerified?.(input);
    return { path: input.path, outcome, baseline: false };
  });
  const baselines: VerifiedArtifact[] = await mapBounded(
    policy.baselines,
    concurrency,
    async (path) => ({
      path,
      // Named as the user will recognise it in patch findings, not as an absolute runner path.
      outcome: await verifyOnce(path, displayRelative(path)),
      baseline: true,
    }),
  );

  const packages = [...artifacts, ...baselines].filter((a) => a.outcome.package?.kind === 'msi');
  // Revocation comes after every file was verified offline: one lookup per certificate per run.
  const revocation = await checkRevocation([...new Set(artifacts.map((a) => a.outcome))], policy);
  for (const artifact of artifacts) {
    const extra: Finding[] = [
      ...(revocation.findings.get(artifact.outcome) ?? []),
      ...checkMsiPatchCertificate(artifact, policy),
      ...checkPatch(artifact, packages, policy),
      ...(await checkExternalCabinets(artifact, (path) => verifyOnce(path, path))),
    ];
    // Always: finalize also caps the number of findings per file (findings.ts).
    finalize(artifact.outcome.report, extra);
    options.onArtifactDone?.(artifact.outcome.report);
  }

  const reports = artifacts.map((a) => a.outcome.report);
  const passed = reports.filter((r) => r.verdict === 'pass').length;
  const runFindings = options.runFindings ?? [];
  return {
    schemaVersion: 1,
    tool: { ...TOOL },
    artifacts: reports,
    summary: {
      total: reports.length,
      passed,
      failed: reports.length - passed,
      warnings:
        reports.reduce((n, r) => n + r.findings.filter((f) => f.severity === 'warning').length, 0) +
        runFindings.filter((f) => f.severity === 'warning').length,
    },
    ...(runFindings.length > 0 ? { runFindings } : {}),
    endpointCertificates: endpointCertificates(
      artifacts.map((a) => a.outcome),
      policy.rootProgram ?? windowsRootProgram(),
    ),
    revocation: revocation.summary,
  };
}

function finalize(report: ArtifactReport, extra: Finding[]): void {
  report.findings = capFindings([...report.findings, ...extra]);
  const firstError = report.findings.find((f) => f.severity === 'error');
  report.verdict = firstError ? 'fail' : 'pass';
  report.status = firstError ? firstError.code : 'valid';
}

/**
 * Roots and intermediates that verified signatures chain to: what endpoints must hold. Each root
 * says whether Windows trusts it through Microsoft's Trusted Root Program for that chain (even
 * when the run trusted it through a root file or did not check trust: the question is what
 * endpoints do).
 */
function endpointCertificates(
  outcomes: readonly ArtifactOutcome[],
  program: RootProgram,
): Report['endpointCertificates'] {
  const seen = new Map<string, EndpointCertificate>();
  for (const outcome of outcomes) {
    for (const chain of outcome.chains) {
      chain.chain.slice(1).forEach((certificate, i, rest) => {
        const role = i === rest.length - 1 && certificate.isSelfIssued ? 'root' : 'intermediate';
        if (seen.has(certificate.sha256)) return;
        const entry: EndpointCertificate = { ...summarizeCertificate(certificate), role };
        if (role === 'root' && chain.usage !== 'rootListSigner') {
          const assessment = program.assess(certificate, chain.usage, {
            time: chain.time,
            endEntity: chain.chain[0]!,
          });
          entry.rootProgram = {
            listDate: assessment.list.thisUpdate,
            listed: assessment.listed,
            trusted: assessment.trusted,
            ...(assessment.name ? { name: assessment.name } : {}),
            ...(assessment.summary ? { purposes: assessment.summary } : {}),
            ...(assessment.why ? { why: assessment.why } : {}),
          };
        }
        seen.set(certificate.sha256, entry);
      });
    }
  }
  return [...seen.values()];
}

/** A path relative to the working directory when it is inside it (forward slashes). */
function displayRelative(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : path;
}
