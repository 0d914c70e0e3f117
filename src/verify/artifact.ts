import { stat } from 'node:fs/promises';
import { parseAuthenticode, type AuthenticodeSignature } from '../authenticode/index.js';
import {
  claimedKind,
  detectContainer,
  notAPackageMessage,
  openContainer,
  type ContainerStructure,
  type SignedContainer,
} from '../container/index.js';
import type { DigestAlgorithm } from '../digest.js';
import { DIGEST_SIZES } from '../digest.js';
import { MalformedPackageError, isFormatError } from '../errors.js';
import { HRESULT, sortFindings, type Finding } from '../findings.js';
import {
  NotARegularFileError,
  OPEN_NEVER_BLOCKS,
  RandomAccessFile,
  ReadPastEndError,
  type RandomAccessSource,
} from '../io/random-access-file.js';
import { countReads } from '../io/read-counter.js';
import type { SegmentHasher } from '../io/hash-plan.js';
import type { HashWorkerPool } from './worker-pool.js';
import type { PackageFacts } from './package-facts.js';
import type { ArtifactKind, ArtifactReport } from '../report/model.js';
import { newSignatureCheckBudget, type ChainResult } from '../trust/index.js';
import type { Certificate } from '../x509/certificate.js';
import type { Policy } from './policy.js';
import { evaluateSignature, type SignatureEvaluation } from './signature-evaluation.js';
import {
  DEFAULT_TIME_BUDGET_MS,
  settled,
  TimeBudget,
  TimeBudgetExceededError,
} from './time-budget.js';
import { withinBudget } from '../work-budget.js';
import {
  checkPayload,
  payloadApplies,
  payloadWalkable,
  type PayloadCheck,
} from './payload-check.js';

/** What one artifact's verification produced: its report and the facts cross-artifact checks use. */
export interface ArtifactOutcome {
  report: ArtifactReport;
  /** The primary signer certificate, when the signature could be decoded. */
  primarySigner: Certificate | null;
  /** Whether the primary signature verified (digest, signature, chain, usage). */
  primaryValid: boolean;
  /** The signed file digest of the primary signature (CAB: compared with MsiDigitalSignature.Hash). */
  primaryDigest: { algorithm: string; digest: Buffer } | null;
  /** Chains of verified signatures, for the "certificates endpoints need" list. */
  chains: ChainResult[];
  /** Facts from the MSI database (MSI/MSP), when it could be read. */
  package: PackageFacts | null;
  /** The chains whose revocation status decides the verdict (revocation-check.ts). */
  revocationSubjects?: RevocationSubject[];
}

/** One signature's chains as the revocation phase needs them. */
export interface RevocationSubject {
  signatureIndex: number;
  /** Signer chain, leaf first, as built at the validation time. */
  signerChain: ChainResult;
  /** The timestamp that protects the signer chain, when it does (not lifetime signing). */
  signerProvenBy: Date | null;
  /** The valid timestamp's time and TSA chain. */
  timestamp: { time: Date; chain: ChainResult } | null;
}

function blankOutcome(displayPath: string): ArtifactOutcome {
  return {
    report: {
      path: displayPath,
      kind: 'unknown',
      size: 0,
      verdict: 'fail',
      status: 'valid',
      findings: [],
      signatures: [],
    },
    primarySigner: null,
    primaryValid: false,
    primaryDigest: null,
    chains: [],
    package: null,
    revocationSubjects: [],
  };
}

function conclude(outcome: ArtifactOutcome, findings: Finding[]): ArtifactOutcome {
  outcome.report.findings = sortFindings(findings);
  const firstError = outcome.report.findings.find((f) => f.severity === 'error');
  outcome.report.verdict = firstError ? 'fail' : 'pass';
  outcome.report.status = firstError ? firstError.code : 'valid';
  return outcome;
}

/**
 * Files under 1 MiB are read whole in one read at open: their structure, signature and digest
 * are otherwise dozens of small reads (issue 19). Larger files are read by position (and, from
 * the worker pool's OFFLOAD_MIN_BYTES on, hashed on a worker that reads the descriptor itself):
 * reading 2 MiB files whole was slower, 1.36x the wall time for 100 of them, a fresh buffer per
 * file being mostly page faults.
 */
const PRELOAD_BYTES = 1024 * 1024 - 1;

export async function verifyArtifact(
  path: string,
  displayPath: string,
  policy: Policy,
  hooks: {
    onBytes?: (bytes: number) => void;
    hashPool?: HashWorkerPool;
    /** Called with every file unpacked from the artifact's payload. */
    onInnerFile?: () => void;
  } = {},
): Promise<ArtifactOutcome> {
  let source: RandomAccessFile;
  try {
    // A directory, FIFO, socket or device: nothing is read. Opening a FIFO would block where
    // the system cannot open it without waiting (Windows): there the path is checked first.
    if (!OPEN_NEVER_BLOCKS && !(await stat(path)).isFile()) throw new NotARegularFileError();
    source = await RandomAccessFile.open(path, { preloadBytes: PRELOAD_BYTES });
  } catch (error) {
    return conclude(blankOutcome(displayPath), [findingForError(error)]);
  }
  const file = source;
  // The executables inside (payload-check.ts) are walked while the artifact's own digest is
  // hashed: a large digest is hashed on a worker thread, so on two cores the walk costs little
  // wall time. It starts once the container is open and its signature decoded (a damaged
  // container is not walked) and is judged after the artifact's own verdict.
  let walking: Promise<PayloadCheck | { error: unknown }> | null = null;
  const { outcome, abandoned } = await verifySource(file, displayPath, policy, {
    onBytes: hooks.onBytes,
    // Large content digests may be hashed on a worker thread (worker-pool.ts).
    hasher: hooks.hashPool
      ? (read) => hooks.hashPool!.hasherFor(file, read, hooks.onBytes)
      : undefined,
    onReadyToHash: (kind, budget, structure) => {
      if (walking === null && payloadWalkable(policy, kind)) {
        walking = checkPayload(path, file, kind, policy, verifySource, {
          budget,
          onFile: hooks.onInnerFile,
          opened:
            structure.format === 'compound-file'
              ? { cfb: structure.cfb, database: structure.database }
              : undefined,
        }).catch((error: unknown) => ({ error }));
      }
    },
  });
  const walked =
    walking === null ? null : await (walking as Promise<PayloadCheck | { error: unknown }>);
  if (walked !== null && !abandoned && payloadApplies(policy, outcome.report)) {
    if ('error' in walked) {
      conclude(outcome, [...outcome.report.findings, findingForError(walked.error)]);
    } else {
      outcome.report.payload = walked.report;
      conclude(outcome, [...outcome.report.findings, ...walked.findings]);
    }
  }
  // Abandoned work may still read the file (a hash worker its descriptor): close it after.
  if (abandoned) void abandoned.then(() => file.close().catch(() => undefined));
  else await file.close().catch(() => undefined);
  return outcome;
}

export interface VerifySourceOptions {
  /** Called with the length of every read. */
  onBytes?: (bytes: number) => void;
  /**
   * Makes the hasher for content digests, given the (guarded, counted) source to read inline;
   * without one, digests are hashed on this thread.
   */
  hasher?: (read: RandomAccessSource) => SegmentHasher;
  /**
   * Called once the container is open (and its signature, if any, decoded), before its content
   * digest is computed: work that may run alongside the hashing starts here, within the
   * artifact's time budget.
   */
  onReadyToHash?: (kind: ArtifactKind, budget: TimeBudget, structure: ContainerStructure) => void;
}

export interface SourceVerification {
  outcome: ArtifactOutcome;
  /**
   * When the time budget ran out: settles once the abandoned work stops reading the source
   * (close it only then). Null when nothing reads it any more.
   */
  abandoned: Promise<void> | null;
}

/**
 * Verifies one artifact read from any random-access source (a file, or a file inside another
 * one, without temporary copies): container detection, signature, digests, trust and policy,
 * under the policy's time budget. The caller owns `source`.
 */
export async function verifySource(
  source: RandomAccessSource,
  displayPath: string,
  policy: Policy,
  options: VerifySourceOptions = {},
): Promise<SourceVerification> {
  let outcome = blankOutcome(displayPath);
  let findings: Finding[] = [];
  let abandoned: Promise<void> | null = null;
  // A pathological file ends in a finding after a bounded time, not a stuck job (time-budget.ts).
  const budget = new TimeBudget(policy.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS);
  try {
    outcome.report.size = source.size;
    const read = budget.guard(options.onBytes ? countReads(source, options.onBytes) : source);
    const hasher = options.hasher?.(read);
    const work = verifyOpened(
      read,
      policy,
      outcome,
      findings,
      budget,
      hasher,
      options.onReadyToHash &&
        ((kind, structure) => options.onReadyToHash!(kind, budget, structure)),
    );
    // Also when the work finished late: a step that swallowed the budget error (a candidate
    // issuer "not verified") must not decide the verdict.
    if ((await budget.race(work)).timedOut || budget.expired) {
      // The abandoned work may still write to these objects: report from copies.
      abandoned = settled(work);
      outcome = {
        ...outcome,
        report: { ...outcome.report, signatures: [...outcome.report.signatures] },
        primaryValid: false,
        chains: [],
        revocationSubjects: [],
      };
      findings = [...findings];
      throw new TimeBudgetExceededError(budget.budgetMs);
    }
  } catch (error) {
    findings.push(findingForError(error));
  }
  return { outcome: conclude(outcome, findings), abandoned };
}

async function verifyOpened(
  source: RandomAccessSource,
  policy: Policy,
  outcome: ArtifactOutcome,
  findings: Finding[],
  /** The file's time budget, in force while its signatures are evaluated (work-budget.ts). */
  timeBudget: TimeBudget,
  hasher?: SegmentHasher,
  onReadyToHash?: (kind: ArtifactKind, structure: ContainerStructure) => void,
): Promise<void> {
  const detection = await detectContainer(source);
  if (detection.container === 'other') {
    findings.push({
      severity: 'error',
      code: 'not-a-package',
      message: notAPackageMessage(detection),
      hresult: HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
    });
    return;
  }
  // The magic bytes already say what the file claims to be, even if it turns out damaged.
  outcome.report.kind = claimedKind(detection.container);
  const container: SignedContainer = await openContainer(source, detection, {
    hasher,
    packageFacts: true,
  });
  if (container.deferredError) throw container.deferredError.error;
  outcome.report.kind = container.kind;
  outcome.package = container.package;
  findings.push(...container.findings);
  const mismatch = extensionMismatch(outcome.report.path, container.kind);
  if (mismatch) findings.push(mismatch);

  if (container.signature === null) {
    onReadyToHash?.(container.kind, container.structure);
    findings.push({
      severity: 'error',
      code: 'unsigned',
      message: container.unsignedMessage,
      hresult: HRESULT.TRUST_E_NOSIGNATURE,
    });
    return;
  }
  if (container.signature.length === 0) {
    throw new MalformedPackageError('the signature stream is empty');
  }

  const primary = parseAuthenticode(container.signature);
  const all: AuthenticodeSignature[] = [primary, ...primary.nested];
  for (const nestedError of primary.nestedErrors) {
    findings.push({
      severity: policy.signatures === 'all' ? 'error' : 'warning',
      code: policy.signatures === 'all' ? 'malformed-signature' : 'nested-signature-invalid',
      message: `nested signature ${nestedError.index} cannot be decoded: ${nestedError.message}`,
      hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
      signatureIndex: nestedError.index,
    });
  }
  outcome.primarySigner = primary.signerCertificate;
  outcome.primaryDigest = {
    algorithm: String(primary.fileDigest.algorithm),
    digest: primary.fileDigest.digest,
  };

  onReadyToHash?.(container.kind, container.structure);
  // One pass over the file for every algorithm any signature needs (docs/formats.md §5.7 step 4).
  const algorithms = [...new Set(all.map((s) => s.fileDigest.algorithm))].filter(
    (a): a is DigestAlgorithm => typeof a === 'string' && a in DIGEST_SIZES,
  );
  const { digests: computed, findings: digestFindings } = await container.digests(algorithms);
  findings.push(...digestFindings);

  // One budget of certificate signature checks for every chain of this file.
  const budget = newSignatureCheckBudget();
  const containerChecks: Awaited<ReturnType<SignedContainer['checkSignature']>>[] = [];
  for (const signature of all) containerChecks.push(await container.checkSignature(signature));
  // Chain building and signature checks are CPU-bound and never read the file: the time budget
  // reaches them through checkTimeBudget (work-budget.ts).
  const evaluations: SignatureEvaluation[] = withinBudget(timeBudget, () =>
    all.map((signature, i) =>
      evaluateSignature(
        signature,
        computed,
        policy,
        signature.index === 0 || policy.signatures === 'all',
        container.signatureTypeProblem(signature),
        containerChecks[i]!,
        budget,
      ),
    ),
  );
  for (const evaluation of evaluations) {
    outcome.report.signatures.push(evaluation.report);
    if (evaluation.chain && evaluation.report.valid) outcome.chains.push(evaluation.chain);
    if (evaluation.report.index === 0 || policy.signatures === 'all') {
      findings.push(...evaluation.findings);
      if (evaluation.chain) {
        (outcome.revocationSubjects ??= []).push({
          signatureIndex: evaluation.report.index,
          signerChain: evaluation.chain,
          signerProvenBy:
            evaluation.judgedAtTimestamp && evaluation.timestamp ? evaluation.timestamp.time : null,
          timestamp: evaluation.timestamp,
        });
      }
    } else {
      findings.push(...demoteNestedFindings(evaluation));
    }
  }
  outcome.primaryValid = evaluations[0]?.report.valid ?? false;
}

/**
 * Windows decides on the primary signature alone (docs/formats.md §7.5); a broken nested signature
 * is reported as one warning that quotes its first error, and its notices are kept.
 */
function demoteNestedFindings(evaluation: SignatureEvaluation): Finding[] {
  const errors = evaluation.findings.filter((f) => f.severity === 'error');
  const rest = evaluation.findings.filter((f) => f.severity !== 'error');
  const first = errors[0];
  if (!first) return rest;
  return [
    {
      severity: 'warning',
      code: 'nested-signature-invalid',
      message: `nested signature ${evaluation.report.index} does not verify (${first.code}): ${first.message}`,
      hresult: first.hresult,
      signatureIndex: evaluation.report.index,
    },
    ...rest,
  ];
}

/** The kind each installer extension promises; the program that opens a file goes by it. */
const EXTENSION_KINDS: Readonly<Record<string, ArtifactKind>> = {
  '.msi': 'msi',
  '.msp': 'msp',
  '.mst': 'mst',
  '.msm': 'msm',
  '.cab': 'cab',
  '.exe': 'pe',
  '.dll': 'pe',
  '.sys': 'pe',
  '.ocx': 'pe',
  '.efi': 'pe',
};

const KIND_NAMES: Readonly<Record<ArtifactKind, string>> = {
  msi: 'an installer database (.msi)',
  msp: 'a patch (.msp)',
  mst: 'a transform (.mst)',
  msm: 'a merge module (.msm)',
  cab: 'a cabinet (.cab)',
  pe: 'a PE image (.exe, .dll, .sys, .ocx, .efi)',
  unknown: 'an unknown compound file',
};

/**
 * A warning when the content is not what the extension says: msiexec refuses a cabinet named
 * .msi (error 1620) whatever its signature, and a database named .cab is never opened as one.
 */
function extensionMismatch(path: string, kind: ArtifactKind): Finding | null {
  const extension = /\.[^./\\]+$/.exec(path)?.[0].toLowerCase();
  const expected = extension ? EXTENSION_KINDS[extension] : undefined;
  if (!expected || kind === 'unknown' || kind === expected) return null;
  return {
    severity: 'warning',
    code: 'extension-mismatch',
    message: `the file is named ${extension} but its content is ${KIND_NAMES[kind]}; programs open it by its name (msiexec refuses a cabinet named .msi with error 1620)`,
  };
}

function findingForError(error: unknown): Finding {
  if (error instanceof NotARegularFileError) {
    return {
      severity: 'error',
      code: 'io-error',
      message: error.message,
      hresult: HRESULT.CRYPT_E_FILE_ERROR,
    };
  }
  if (isFormatError(error)) {
    const hresult =
      error.code === 'not-a-package'
        ? HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN
        : error.code === 'malformed-signature'
          ? HRESULT.TRUST_E_MALFORMED_SIGNATURE
          : HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN;
    return { severity: 'error', code: error.code, message: error.message, hresult };
  }
  if (error instanceof ReadPastEndError) {
    return {
      severity: 'error',
      code: 'malformed-package',
      message: `the file's structure points outside the file (${error.message}); it is truncated or damaged`,
      hresult: HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
    };
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return {
      severity: 'error',
      code: 'io-error',
      message: `cannot read the file: ${(error as Error).message}`,
      hresult: HRESULT.CRYPT_E_FILE_ERROR,
    };
  }
  // Anything else is our bug meeting a hostile file: still a verdict, never a crash or a pass.
  return {
    severity: 'error',
    code: 'malformed-package',
    message: `unexpected error while reading the package: ${error instanceof Error ? error.message : String(error)}`,
    hresult: HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
  };
}
