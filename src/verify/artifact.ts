import { stat } from 'node:fs/promises';
import { parseAuthenticode, type AuthenticodeSignature } from '../authenticode/index.js';
import {
  openCabinet,
  cabContentDigests,
  readCabSignature,
  type Cabinet,
  type CabAnomaly,
} from '../cab/index.js';
import { openCompoundFile, type CompoundFile } from '../cfb/index.js';
import type { DigestAlgorithm } from '../digest.js';
import { DIGEST_SIZES } from '../digest.js';
import { MalformedPackageError, isFormatError } from '../errors.js';
import { HRESULT, sortFindings, type Finding } from '../findings.js';
import {
  RandomAccessFile,
  ReadPastEndError,
  type RandomAccessSource,
} from '../io/random-access-file.js';
import { countReads } from '../io/read-counter.js';
import type { SegmentHasher } from '../io/hash-plan.js';
import type { HashWorkerPool } from './worker-pool.js';
import {
  msiContentDigests,
  msiMetadataPrehash,
  readMsiSignatureStreams,
} from '../msi/content-digest.js';
import { readPackageFacts, type PackageFacts } from './package-facts.js';
import type { ArtifactKind, ArtifactReport } from '../report/model.js';
import { newSignatureCheckBudget, type ChainResult } from '../trust/index.js';
import type { Certificate } from '../x509/certificate.js';
import { detectContainer } from './detect.js';
import type { Policy } from './policy.js';
import { evaluateSignature, type SignatureEvaluation } from './signature-evaluation.js';
import {
  DEFAULT_TIME_BUDGET_MS,
  settled,
  TimeBudget,
  TimeBudgetExceededError,
} from './time-budget.js';

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
}

/** A signature blob and how to hash the file it signs, whatever the container. */
interface SignedContainer {
  kind: ArtifactKind;
  signature: Buffer | null;
  digests(algorithms: DigestAlgorithm[]): Promise<Map<DigestAlgorithm, Buffer>>;
  findings: Finding[];
  package: PackageFacts | null;
}

export async function verifyArtifact(
  path: string,
  displayPath: string,
  policy: Policy,
  hooks: { onBytes?: (bytes: number) => void; hashPool?: HashWorkerPool } = {},
): Promise<ArtifactOutcome> {
  let outcome: ArtifactOutcome = {
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
  };
  let findings: Finding[] = [];
  let source: RandomAccessFile | undefined;
  // A pathological file ends in a finding after a bounded time, not a stuck job (time-budget.ts).
  const budget = new TimeBudget(policy.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS);
  let abandoned: Promise<void> | undefined;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    source = await RandomAccessFile.open(path);
    outcome.report.size = source.size;
    const read = budget.guard(hooks.onBytes ? countReads(source, hooks.onBytes) : source);
    // Large content digests may be hashed on a worker thread (worker-pool.ts).
    const hasher = hooks.hashPool?.hasherFor(source, read, hooks.onBytes);
    const work = verifyOpened(read, policy, outcome, findings, hasher);
    if ((await budget.race(work)).timedOut) {
      // The abandoned work may still write to these objects: report from copies. Its file stays
      // open until the work lets go (a hash worker may still be reading the descriptor).
      abandoned = settled(work);
      outcome = {
        ...outcome,
        report: { ...outcome.report, signatures: [...outcome.report.signatures] },
        primaryValid: false,
        chains: [],
      };
      findings = [...findings];
      throw new TimeBudgetExceededError(budget.budgetMs);
    }
  } catch (error) {
    findings.push(findingForError(error));
  } finally {
    const file = source;
    if (abandoned) void abandoned.then(() => file?.close().catch(() => undefined));
    else await source?.close().catch(() => undefined);
  }
  outcome.report.findings = sortFindings(findings);
  const firstError = outcome.report.findings.find((f) => f.severity === 'error');
  outcome.report.verdict = firstError ? 'fail' : 'pass';
  outcome.report.status = firstError ? firstError.code : 'valid';
  return outcome;
}

async function verifyOpened(
  source: RandomAccessSource,
  policy: Policy,
  outcome: ArtifactOutcome,
  findings: Finding[],
  hasher?: SegmentHasher,
): Promise<void> {
  const detection = await detectContainer(source);
  let container: SignedContainer;
  // The magic bytes already say what the file claims to be, even if it turns out damaged.
  if (detection.container === 'compound-file') {
    outcome.report.kind = 'msi';
    container = await openCompoundContainer(source, hasher);
  } else if (detection.container === 'cabinet') {
    outcome.report.kind = 'cab';
    container = await openCabinetContainer(source, hasher);
  } else {
    findings.push({
      severity: 'error',
      code: 'not-a-package',
      message: `the file is ${detection.description}, not an MSI, MSP, MST or CAB package`,
      hresult: HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
    });
    return;
  }
  outcome.report.kind = container.kind;
  outcome.package = container.package;
  findings.push(...container.findings);

  if (container.signature === null) {
    findings.push({
      severity: 'error',
      code: 'unsigned',
      message:
        container.kind === 'cab'
          ? 'the cabinet has no Authenticode signature (no signature locator in its reserve area)'
          : 'the package has no Authenticode signature (no \\x05DigitalSignature stream)',
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

  // One pass over the file for every algorithm any signature needs (formats.md §5.7 step 4).
  const algorithms = [...new Set(all.map((s) => s.fileDigest.algorithm))].filter(
    (a): a is DigestAlgorithm => typeof a === 'string' && a in DIGEST_SIZES,
  );
  const computed = await container.digests(algorithms);

  // One budget of certificate signature checks for every chain of this file.
  const budget = newSignatureCheckBudget();
  const evaluations: SignatureEvaluation[] = all.map((signature) =>
    evaluateSignature(
      signature,
      computed,
      policy,
      signature.index === 0 || policy.signatures === 'all',
      container.kind === 'cab' ? 'cab' : 'msi',
      budget,
    ),
  );
  for (const evaluation of evaluations) {
    outcome.report.signatures.push(evaluation.report);
    if (evaluation.chain && evaluation.report.valid) outcome.chains.push(evaluation.chain);
    if (evaluation.report.index === 0 || policy.signatures === 'all') {
      findings.push(...evaluation.findings);
    } else {
      findings.push(...demoteNestedFindings(evaluation));
    }
  }
  outcome.primaryValid = evaluations[0]?.report.valid ?? false;
}

/**
 * Windows decides on the primary signature alone (formats.md §7.5); a broken nested signature
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

async function openCompoundContainer(
  source: RandomAccessSource,
  hasher?: SegmentHasher,
): Promise<SignedContainer> {
  const cfb: CompoundFile = await openCompoundFile(source);
  const facts = await readPackageFacts(cfb);
  const findings: Finding[] = [...facts.findings];
  for (const warning of cfb.warnings ?? []) {
    findings.push({ severity: 'notice', code: 'unusual-layout', message: warning });
  }
  const streams = await readMsiSignatureStreams(cfb);
  if (cfb.trailingBytes > 0 && streams.signature !== null) {
    findings.push({
      severity: 'warning',
      code: 'trailing-data',
      message: `${cfb.trailingBytes} bytes follow the last allocated sector; the signature does not cover them and signtool rejects such files (formats.md §1.8)`,
    });
  }
  return {
    kind: facts.kind,
    signature: streams.signature,
    package: facts,
    findings,
    digests: async (algorithms) => {
      const result = await msiContentDigests(cfb, algorithms, hasher);
      if (result.signatureInSubStorage) {
        findings.push({
          severity: 'notice',
          code: 'ambiguous-digest-rule',
          message:
            'a sub-storage holds a stream named like a signature stream; we hash it (as osslsigncode does), jsign would not (formats.md §5.2)',
        });
      }
      if (streams.prehash) await checkPrehash(cfb, streams.prehash, findings);
      return result.digests;
    },
  };
}

/**
 * Windows prepends the stored MsiDigitalSignatureEx bytes and never validates them
 * (formats.md §5.4): a stale value is only worth a warning that the metadata changed.
 */
async function checkPrehash(cfb: CompoundFile, stored: Buffer, findings: Finding[]): Promise<void> {
  const algorithm = (Object.entries(DIGEST_SIZES) as [DigestAlgorithm, number][]).find(
    ([name, size]) => size === stored.length && name !== 'md5',
  )?.[0];
  if (!algorithm) {
    findings.push({
      severity: 'warning',
      code: 'digest-metadata-changed',
      message: `the MsiDigitalSignatureEx value is ${stored.length} bytes long, which is no known digest size; Windows ignores this, osslsigncode rejects the file`,
    });
    return;
  }
  const recomputed = await msiMetadataPrehash(cfb, algorithm);
  if (!recomputed.equals(stored)) {
    findings.push({
      severity: 'warning',
      code: 'digest-metadata-changed',
      message:
        'the directory metadata (names, sizes, times or state bits) changed after signing: the stored MsiDigitalSignatureEx no longer matches. Windows accepts this; osslsigncode reports a mismatch',
    });
  }
}

async function openCabinetContainer(
  source: RandomAccessSource,
  hasher?: SegmentHasher,
): Promise<SignedContainer> {
  const cabinet: Cabinet = await openCabinet(source);
  const findings: Finding[] = [];
  if (cabinet.trailingBytes > 0 && cabinet.signatureLocation) {
    // The signature must end the file (formats.md §6.2): bytes after it are outside every
    // check and could carry anything, so the signature area is treated as malformed, as
    // osslsigncode does and as Windows' MS13-098 hardening does for PE files.
    findings.push({
      severity: 'error',
      code: 'malformed-signature',
      message: `${cabinet.trailingBytes} bytes follow the signature; the signature locator's offset plus length must end the file, and nothing covers those bytes`,
      hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
    });
  } else if (cabinet.trailingBytes > 0) {
    findings.push({
      severity: 'warning',
      code: 'trailing-data',
      message: `${cabinet.trailingBytes} bytes follow the end of the cabinet (cbCabinet)`,
    });
  }
  for (const anomaly of cabinet.anomalies) {
    const finding = findingForCabAnomaly(anomaly);
    if (finding) findings.push(finding);
  }
  const signature = cabinet.signatureLocation ? await readCabSignature(source, cabinet) : null;
  return {
    kind: 'cab',
    signature,
    package: null,
    findings,
    digests: (algorithms) => cabContentDigests(source, cabinet, algorithms, hasher),
  };
}

/**
 * Cabinet oddities are data from the reader; here they become findings. Bytes the digest does
 * not cover are worth a warning; layouts Windows reads but tools disagree on are notices.
 */
function findingForCabAnomaly(anomaly: CabAnomaly): Finding | null {
  switch (anomaly.code) {
    case 'trailing-data':
      return null; // reported from trailingBytes above
    case 'directory-gap':
    case 'signature-offset-mismatch':
      return { severity: 'warning', code: 'trailing-data', message: anomaly.message };
    case 'osslsigncode-digest-differs':
      return {
        severity: 'notice',
        code: 'ambiguous-digest-rule',
        message: `${anomaly.message} (formats.md §6.3: osslsigncode omits iCabinet; we hash it, as jsign and the Microsoft signer do)`,
      };
    default:
      return { severity: 'notice', code: 'unusual-layout', message: anomaly.message };
  }
}

function findingForError(error: unknown): Finding {
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
