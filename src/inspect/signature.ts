import {
  oidName,
  verifySignerSignature,
  verifyTimestamps,
  type AuthenticodeSignature,
  type TimestampCheck,
} from '../authenticode/index.js';
import type { SignatureCheck, SignedContainer } from '../container/index.js';
import { DIGEST_NAMES, type DigestAlgorithm } from '../digest.js';
import { HRESULT } from '../findings.js';
import {
  buildChain,
  newSignatureCheckBudget,
  validationTime,
  type ChainResult,
  type ChainUsage,
  type SignatureCheckBudget,
} from '../trust/index.js';
import { windowsRootProgram } from '../trust/windows-roots.js';
import type { Certificate } from '../x509/certificate.js';
import { certificateDetails } from './certificate.js';
import type {
  ChainInspection,
  CheckResult,
  SignatureInspection,
  TimestampInspection,
} from './model.js';

function digestName(algorithm: string): string {
  return algorithm in DIGEST_NAMES ? DIGEST_NAMES[algorithm as DigestAlgorithm] : algorithm;
}

/** The chain each inspection was built from, for the revocation pass (revocation.ts). */
const builtChains = new WeakMap<ChainInspection, ChainResult>();

export function builtChainOf(inspection: ChainInspection): ChainResult | undefined {
  return builtChains.get(inspection);
}

/** Chain from the certificates at hand, with no trusted roots: where it ends, what is wrong. */
function inspectChain(
  leaf: Certificate,
  pool: readonly Certificate[],
  time: Date,
  timeReason: ChainInspection['timeReason'],
  usage: ChainUsage,
  budget: SignatureCheckBudget,
): ChainInspection {
  const chain = buildChain(leaf, { intermediates: pool, anchors: [], time, usage, budget });
  const top = chain.chain[chain.chain.length - 1] ?? leaf;
  const program = windowsRootProgram();
  const assessment = program.assess(
    top,
    usage === 'timeStamping' ? 'timeStamping' : 'codeSigning',
    {
      time,
      endEntity: leaf,
    },
  );
  const { list: _list, summary, ...view } = assessment;
  const inspection: ChainInspection = {
    time: time.toISOString(),
    timeReason,
    status: chain.status,
    certificates: chain.chain.map(certificateDetails),
    missingIssuer: chain.missingIssuer ?? null,
    problems: chain.problems.map((p) => ({ code: p.code, message: p.message, hresult: p.hresult })),
    rootProgram: {
      listDate: program.info.thisUpdate,
      ...view,
      ...(summary ? { purposes: summary } : {}),
    },
  };
  builtChains.set(inspection, chain);
  return inspection;
}

function inspectTimestamp(
  check: TimestampCheck,
  outer: readonly Certificate[],
  budget: SignatureCheckBudget,
): TimestampInspection {
  // Chain building may use the outer signature's certificates too, as CryptoAPI does.
  const chain =
    check.signerCertificate && check.time
      ? inspectChain(
          check.signerCertificate,
          [...check.certificates, ...outer],
          check.time,
          'token-time',
          'timeStamping',
          budget,
        )
      : null;
  const chainProblem = chain?.problems[0];
  let problem: TimestampInspection['problem'] = check.problem
    ? {
        reason: check.problem.reason,
        message: check.problem.message,
        hresult: check.problem.hresult,
      }
    : null;
  if (!problem && chainProblem) {
    problem = {
      reason: 'tsa-chain',
      message: `timestamp authority certificate: ${chainProblem.message}`,
      hresult: HRESULT.TRUST_E_TIME_STAMP,
    };
  }
  return {
    index: check.index,
    kind: check.kind,
    time: check.time ? check.time.toISOString() : null,
    valid: check.ok && check.time !== null && check.signerCertificate !== null && !chainProblem,
    digestAlgorithm: check.digestAlgorithm ? digestName(check.digestAlgorithm.algorithm) : null,
    serialNumber: check.serialNumber,
    policy: check.policy,
    tsa: check.signerCertificate ? certificateDetails(check.signerCertificate) : null,
    chain,
    problem,
  };
}

/**
 * Problems first; otherwise where the path ends. Signatures rarely embed their root (endpoints
 * hold it), so a path that stops at an issuer the signature lacks is complete as far as the file
 * goes; whether that issuer is a trusted root is for `verify --trusted-roots` to say.
 */
function chainResult(chain: ChainInspection): CheckResult {
  const problem = chain.problems[0];
  if (problem) {
    return {
      state: 'fail',
      message: problem.message,
      code: problem.code,
      hresult: problem.hresult,
    };
  }
  if (chain.status === 'incomplete') {
    return {
      state: 'incomplete',
      message: 'the chain breaks before it reaches a root',
      code: 'chain-incomplete',
      hresult: HRESULT.CERT_E_CHAINING,
    };
  }
  const top = chain.certificates[chain.certificates.length - 1];
  const usage = chain.timeReason === 'token-time' ? 'timestamping' : 'code signing';
  if (chain.missingIssuer) {
    return {
      state: 'pass',
      message: `valid for ${usage} up to "${top?.subject ?? '?'}", whose issuer "${chain.missingIssuer}" is not in the signature (endpoints must hold it)`,
    };
  }
  return {
    state: 'pass',
    message: `valid for ${usage} up to the self-signed root "${top?.subject ?? '?'}" (trust not judged)`,
  };
}

/**
 * The data type the signer wrote. The file digest, not the type, binds a signature to a file,
 * so an unusual type passes with a note (unusualDataType; docs/finding-codes.md,
 * unusual-signature-type).
 */
function fileTypeResult(
  signature: AuthenticodeSignature,
  container: SignatureTypeRule,
): CheckResult {
  // An unusual data type is a warning, not a failure: the file digest decides (unusualDataType).
  const unusual = container.signatureTypeProblem(signature);
  return unusual === null
    ? { state: 'pass', message: container.signatureTypeDescription }
    : { state: 'pass', message: `unusual: ${unusual}`, code: 'unusual-signature-type' };
}

/** What the container says about the signatures made for it. */
export type SignatureTypeRule = Pick<
  SignedContainer,
  'signatureTypeProblem' | 'signatureTypeDescription'
>;

function containerCheckResult(check: SignatureCheck): CheckResult {
  return check.state === 'pass'
    ? { state: 'pass', message: check.message }
    : {
        state: 'fail',
        message: check.message,
        code: check.finding?.code,
        hresult: check.finding?.hresult,
      };
}

/** Where each container check appears in `checks`. */
const CHECK_KEYS: Readonly<Record<SignatureCheck['name'], 'pageHashes'>> = {
  'page-hashes': 'pageHashes',
};

function kindName(kind: 'rfc3161' | 'legacy'): string {
  return kind === 'rfc3161' ? 'RFC 3161 timestamp' : 'legacy countersignature';
}

/**
 * Everything about one decoded signature and the result of each check the way Windows orders
 * them (docs/formats.md §7.2), without a policy: no pin, no trusted roots, no digest minimum.
 */
export function inspectSignature(
  signature: AuthenticodeSignature,
  computed: ReadonlyMap<DigestAlgorithm, Buffer>,
  now: Date,
  container: SignatureTypeRule,
  containerChecks: readonly SignatureCheck[] = [],
): SignatureInspection {
  const fileType = fileTypeResult(signature, container);
  const algorithm = signature.fileDigest.algorithm;
  const actual = computed.get(algorithm as DigestAlgorithm) ?? null;
  const stored = signature.fileDigest.digest;

  const digest: CheckResult = !actual
    ? {
        state: 'not-checked',
        message: `the file digest algorithm ${algorithm} is not supported`,
        code: 'unsupported-algorithm',
        hresult: HRESULT.NTE_BAD_ALGID,
      }
    : actual.equals(stored)
      ? { state: 'pass', message: 'the file digest matches the signed digest' }
      : {
          state: 'fail',
          message:
            'the file digest does not match the signed digest: the file changed after signing',
          code: 'bad-digest',
          hresult: HRESULT.TRUST_E_BAD_DIGEST,
        };

  const signerCheck = verifySignerSignature(signature);
  const signerSignature: CheckResult = signerCheck.ok
    ? { state: 'pass', message: 'the signer signature over the authenticated attributes verifies' }
    : {
        state: 'fail',
        message: signerCheck.problem?.message ?? 'the signer signature does not verify',
        code: signerCheck.problem?.code ?? 'bad-signature',
        hresult: signerCheck.problem?.hresult,
      };

  const budget = newSignatureCheckBudget();
  const timestamps = verifyTimestamps(signature).map((check) =>
    inspectTimestamp(check, signature.certificates, budget),
  );
  const chosen =
    timestamps.find((t) => t.valid && t.kind === 'rfc3161') ?? timestamps.find((t) => t.valid);
  let timestamp: CheckResult;
  if (timestamps.length === 0) {
    timestamp = { state: 'absent', message: 'the signature carries no timestamp' };
  } else if (chosen) {
    timestamp = {
      state: 'pass',
      message: `${kindName(chosen.kind)} #${chosen.index} verifies; it dates the signature ${chosen.time}`,
    };
  } else {
    const first = timestamps[0]!;
    timestamp = {
      state: 'fail',
      message: `${kindName(first.kind)} does not verify: ${first.problem?.message ?? 'unknown problem'}`,
      code: 'timestamp-invalid',
      hresult: first.problem?.hresult ?? HRESULT.TRUST_E_TIME_STAMP,
    };
  }

  const signer = signature.signerCertificate;
  let chain: ChainInspection | null = null;
  let chainCheck: CheckResult = {
    state: 'not-checked',
    message: 'the signer certificate is not in the signature',
  };
  if (signer) {
    const when = validationTime({
      timestamp: chosen?.time ? new Date(chosen.time) : null,
      leaf: signer,
      now,
    });
    chain = inspectChain(
      signer,
      signature.certificates,
      when.time,
      when.reason,
      'codeSigning',
      budget,
    );
    chainCheck = chainResult(chain);
  }

  const attributes = signature.authenticatedAttributes;
  const sip = signature.sipInfo;
  const id = signature.signerIdentifier;
  return {
    index: signature.index,
    dataType: oidName(signature.dataType),
    sipInfo: sip
      ? {
          version: sip.version,
          guid: sip.guid ? formatGuid(sip.guid) : null,
          isMsiSip: sip.isMsiSip,
        }
      : null,
    digestAlgorithm: digestName(algorithm),
    digestAlgorithmOid: signature.fileDigest.oid,
    storedDigest: stored.toString('hex'),
    computedDigest: actual ? actual.toString('hex') : null,
    signerDigestAlgorithm: digestName(signature.signerDigestAlgorithm.algorithm),
    signatureAlgorithm: signature.signatureAlgorithm.name,
    signatureAlgorithmOid: signature.signatureAlgorithm.oid,
    signerIdentifier:
      id.kind === 'issuerAndSerialNumber'
        ? { kind: id.kind, serialNumber: id.serialNumber }
        : { kind: id.kind, keyIdentifier: id.keyIdentifier.toString('hex') },
    signer: signer ? certificateDetails(signer) : null,
    embeddedCertificates: signature.certificates.length,
    chain,
    signingTime: attributes.signingTime ? safeIso(attributes.signingTime) : null,
    programName: attributes.programName,
    moreInfoUrl: attributes.moreInfoUrl,
    statementTypes: attributes.statementTypes.map(oidName),
    timestamps,
    checks: {
      fileType,
      digest,
      ...Object.fromEntries(
        containerChecks.map((c) => [CHECK_KEYS[c.name], containerCheckResult(c)]),
      ),
      signerSignature,
      timestamp,
      chain: chainCheck,
    },
  };
}

function safeIso(date: Date): string | null {
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A GUID's 16 on-disk bytes (little-endian first three fields) as {XXXXXXXX-XXXX-…}. */
export function formatGuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) return Buffer.from(bytes).toString('hex');
  const b = Buffer.from(bytes);
  const hex = (buf: Buffer) => buf.toString('hex').toUpperCase();
  const le = (start: number, end: number) => hex(Buffer.from(b.subarray(start, end)).reverse());
  return `{${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(b.subarray(8, 10))}-${hex(b.subarray(10, 16))}}`;
}
