import {
  verifySignerSignature,
  verifyTimestamps,
  type AuthenticodeSignature,
  type TimestampCheck,
} from '../authenticode/index.js';
import type { SignatureCheck } from '../container/index.js';
import { DIGEST_NAMES, type DigestAlgorithm } from '../digest.js';
import { HRESULT, type Finding } from '../findings.js';
import type { SignatureReport, TimestampSummary } from '../report/model.js';
import { formatTime } from '../report/format.js';
import {
  buildChain,
  newSignatureCheckBudget,
  validationTime,
  type SignatureCheckBudget,
  type ChainResult,
} from '../trust/index.js';
import type { Certificate } from '../x509/certificate.js';
import { nameCertificate, summarizeCertificate } from './certificate-summary.js';
import { isWeakerThan, type Policy } from './policy.js';

const DAY_MS = 86_400_000;

export interface SignatureEvaluation {
  report: SignatureReport;
  /** Findings about this signature, each tagged with its index. */
  findings: Finding[];
  /** The chain the signer certificate was validated on (leaf first), for the endpoint list. */
  chain: ChainResult | null;
  signer: Certificate | null;
  /** The valid timestamp that was used, with its TSA chain (revocation checks both chains). */
  timestamp: { time: Date; chain: ChainResult } | null;
  /** Whether the signer chain was judged at the timestamp time (not lifetime signing, not now). */
  judgedAtTimestamp: boolean;
}

/**
 * Verifies one Authenticode signature against the digests computed from the file, in the
 * order Windows decides (docs/formats.md §7.2): file digest, signer signature, timestamp, chain at
 * the validation time, usage; then our policy (weak digest, timestamp requirement, pin, expiry).
 * The container said whether the signature was made for its kind of file (`typeProblem`) and
 * checked what else it can check against the file (`containerChecks`: PE page hashes).
 */
export function evaluateSignature(
  signature: AuthenticodeSignature,
  computed: ReadonlyMap<DigestAlgorithm, Buffer>,
  policy: Policy,
  pinned: boolean,
  typeProblem: string | null,
  containerChecks: readonly SignatureCheck[] = [],
  budget: SignatureCheckBudget = newSignatureCheckBudget(),
): SignatureEvaluation {
  const index = signature.index;
  const findings: Finding[] = [];
  const add = (finding: Omit<Finding, 'signatureIndex'>) =>
    findings.push({ ...finding, signatureIndex: index });
  const signer = signature.signerCertificate;
  const algorithm = signature.fileDigest.algorithm;
  const known = isDigestAlgorithm(algorithm);
  const stored = signature.fileDigest.digest;
  const actual = known ? computed.get(algorithm) : undefined;

  const report: SignatureReport = {
    index,
    digestAlgorithm: known ? DIGEST_NAMES[algorithm] : String(algorithm),
    signer: signer ? summarizeCertificate(signer) : null,
    timestamp: null,
    chain: [],
    valid: false,
    storedDigest: stored.toString('hex'),
    computedDigest: actual?.toString('hex'),
  };

  // 0. The data type the signer wrote, as the container judges it (unusualDataType for MSI and
  //    CAB). What binds a signature to a file is the file digest (step 1), and producers
  //    disagree on the type, so an unexpected type is a warning; the digest decides.
  const unusualType = typeProblem;
  if (unusualType) {
    add({
      severity: 'warning',
      code: 'unusual-signature-type',
      message: `${typeProblem}; the verdict rests on the file digest`,
    });
  }

  // 1. File digest (TRUST_E_BAD_DIGEST): the signature does not cover these bytes.
  if (!known || !actual) {
    add({
      severity: 'error',
      code: 'unsupported-algorithm',
      message: `the signature's file digest uses an algorithm we cannot compute (${String(algorithm)})`,
      hresult: HRESULT.NTE_BAD_ALGID,
    });
    return { report, findings, chain: null, signer, timestamp: null, judgedAtTimestamp: false };
  }
  if (!actual.equals(stored)) {
    add({
      severity: 'error',
      code: 'bad-digest',
      message:
        `the file's ${DIGEST_NAMES[algorithm]} digest ${actual.toString('hex')} does not match the signed ` +
        `digest ${stored.toString('hex')}: the file was changed after it was signed`,
      hresult: HRESULT.TRUST_E_BAD_DIGEST,
    });
  }
  // 1b. What else the signature vouches for in the file (PE page hashes).
  for (const check of containerChecks) {
    if (check.finding) add(check.finding);
  }

  // 2. Signer signature over the authenticated attributes, and the content binding.
  const signerCheck = verifySignerSignature(signature);
  if (!signerCheck.ok && signerCheck.problem) {
    add({
      severity: 'error',
      code: signerCheck.problem.code,
      message: signerCheck.problem.message,
      hresult: signerCheck.problem.hresult,
    });
  }

  // 3. Timestamps: the first valid RFC 3161 token, else the first valid legacy countersignature.
  const timestamp = chooseTimestamp(verifyTimestamps(signature), signature, policy, budget);
  if (timestamp.chosen) {
    report.timestamp = timestamp.chosen.summary;
  } else if (timestamp.invalid) {
    report.timestamp = timestamp.invalid.summary;
  }
  if (timestamp.chosen?.check.bareDigest) {
    add({
      severity: 'notice',
      code: 'timestamp-bare-digest',
      message: `the ${timestamp.chosen.check.kind === 'rfc3161' ? 'RFC 3161 timestamp' : 'timestamp countersignature'} uses the legacy RSA form that holds the bare ${timestamp.chosen.check.digestAlgorithm?.algorithm ?? ''} digest without a DigestInfo (as the Symantec/Thawte SHA-1 timestamp service wrote them); Windows accepts it`,
    });
  }
  if (timestamp.invalid && !timestamp.chosen) {
    add({
      severity: 'error',
      code: 'timestamp-invalid',
      message: `the ${timestamp.invalid.check.kind === 'rfc3161' ? 'RFC 3161 timestamp' : 'timestamp countersignature'} does not verify: ${timestamp.invalid.reason}`,
      hresult: timestamp.invalid.hresult,
    });
  }

  if (!signer) {
    return { report, findings, chain: null, signer, timestamp: null, judgedAtTimestamp: false };
  }

  // 4. Validation time (docs/formats.md §7.6): the timestamp's, unless the signer has lifetime signing.
  const timestampTime = timestamp.chosen?.check.time ?? undefined;
  const validation = validationTime({ timestamp: timestampTime, leaf: signer, now: policy.now });
  const lifetimeSigning = validation.reason === 'lifetime-signing';

  // 5. Chain and usage at the validation time.
  const chain = buildChain(signer, {
    intermediates: [...signature.certificates, ...policy.intermediates],
    anchors: policy.trustedRoots,
    rootProgram: policy.rootProgram,
    time: validation.time,
    usage: 'codeSigning',
    budget,
  });
  report.chain = chain.chain.map(summarizeCertificate);
  for (const problem of chain.problems) {
    add({
      severity: 'error',
      code: problem.code,
      message: problem.message,
      hresult: problem.hresult,
    });
  }
  if (chain.status === 'no-anchors') {
    const top = chain.chain[chain.chain.length - 1] ?? signer;
    add({
      severity: 'warning',
      code: 'trust-not-checked',
      message:
        'trusted-roots is none: the certificate chain was not checked against any trusted root, so only the pinned signer decides whether this signature is accepted',
    });
    add({
      severity: 'notice',
      code: 'chain-root',
      message: chain.missingIssuer
        ? `trust was not checked; the chain ends at ${nameCertificate(top)}, whose issuer "${chain.missingIssuer}" is not in the signature: endpoints must hold it`
        : `trust was not checked; the chain ends at ${nameCertificate(top)}, which endpoints must trust`,
    });
  }
  if (chain.leafHasNoEku) {
    add({
      severity: 'notice',
      code: 'no-eku',
      message: `the signer certificate has no extended key usage extension, so it is valid for any usage (RFC 5280)`,
    });
  }
  if (timestampTime && validation.reason === 'timestamp' && policy.now > signer.notAfter) {
    const chainOk = !chain.problems.some((p) => p.code === 'expired');
    if (chainOk) {
      add({
        severity: 'notice',
        code: 'timestamp-rescued',
        message: `the signer certificate expired on ${signer.notAfter.toISOString()}, but the timestamp proves the file was signed on ${timestampTime.toISOString()}, while it was valid`,
      });
    }
  }
  if (lifetimeSigning && timestampTime) {
    add({
      severity: 'notice',
      code: 'timestamp-rescued',
      message: `the signer certificate carries the lifetime-signing usage, so the timestamp does not extend its validity`,
    });
  }

  // 6. Policy. MD5 is an error whatever the policy: Windows refuses it in Authenticode.
  //    min-digest applies to the file digest and to the SignerInfo digest, which is what the
  //    signer's key actually signs.
  const weak = weakDigests(algorithm, signature.signerDigestAlgorithm.algorithm, policy.minDigest);
  for (const { digest, what } of weak) {
    add({
      severity: digest === 'md5' ? 'error' : policy.weakDigestSeverity,
      code: 'weak-digest',
      message:
        digest === 'md5'
          ? `${what} MD5, which Windows refuses in Authenticode`
          : `${what} ${DIGEST_NAMES[digest]}, weaker than the required ${DIGEST_NAMES[policy.minDigest]}; current Windows versions may treat SHA-1 signatures as invalid`,
      hresult: HRESULT.CRYPT_E_SECURITY_SETTINGS,
    });
  }
  if (policy.requireTimestamp && !timestamp.chosen) {
    add({
      severity: 'error',
      code: 'timestamp-missing',
      message:
        'the signature carries no valid timestamp, so it stops verifying when the signer certificate expires',
    });
  }
  if (!timestamp.chosen && !lifetimeSigning) {
    const remaining = signer.notAfter.getTime() - policy.now.getTime();
    if (remaining > 0 && remaining < policy.expiryWarningDays * DAY_MS) {
      add({
        severity: 'warning',
        code: 'expires-soon',
        message: `the signer certificate expires on ${formatTime(signer.notAfter.toISOString())} (in ${Math.ceil(remaining / DAY_MS)} days) and the signature has no timestamp: the file will stop verifying then`,
      });
    }
  }
  const lifetime = signer.notAfter.getTime() - signer.notBefore.getTime();
  if (lifetime < 30 * DAY_MS) {
    add({
      severity: 'notice',
      code: 'short-lived-certificate',
      message: `the signer certificate is valid for ${Math.max(0, Math.round(lifetime / DAY_MS))} days only (${signer.notBefore.toISOString()} to ${signer.notAfter.toISOString()})`,
    });
  }
  if (pinned && policy.signer && !policy.signer.matches(signer)) {
    add({
      severity: 'error',
      code: 'wrong-signer',
      message: `signed by ${nameCertificate(signer)}, but the pinned signer is ${policy.signer.describe()}`,
    });
  }

  report.valid = !findings.some((f) => f.severity === 'error');
  const used =
    timestamp.chosen?.check.time && timestamp.chosen.chain
      ? { time: timestamp.chosen.check.time, chain: timestamp.chosen.chain }
      : null;
  return {
    report,
    findings,
    chain,
    signer,
    timestamp: used,
    judgedAtTimestamp: validation.reason === 'timestamp',
  };
}

/**
 * The file digest and the SignerInfo digest (what the signer's key actually signs) below
 * `minimum`, one entry per algorithm: "the file digest uses", "the signer digest (…) uses" or
 * both in one sentence when they share the algorithm, as a SHA-1 signature usually does.
 */
function weakDigests(
  file: DigestAlgorithm,
  signerDigest: string,
  minimum: DigestAlgorithm,
): { digest: DigestAlgorithm; what: string }[] {
  // MD5 is weak whatever `minimum` says.
  const weak = (digest: DigestAlgorithm) => digest === 'md5' || isWeakerThan(digest, minimum);
  const fileWeak = weak(file);
  const signerWeak = isDigestAlgorithm(signerDigest) && weak(signerDigest);
  const signerWords = 'the signer digest (the hash the signature covers)';
  if (fileWeak && signerWeak && signerDigest === file) {
    return [{ digest: file, what: `the file digest and ${signerWords} use` }];
  }
  const out: { digest: DigestAlgorithm; what: string }[] = [];
  if (fileWeak) out.push({ digest: file, what: 'the file digest uses' });
  if (signerWeak) out.push({ digest: signerDigest, what: `${signerWords} uses` });
  return out;
}

function isDigestAlgorithm(value: unknown): value is DigestAlgorithm {
  return typeof value === 'string' && value in DIGEST_NAMES;
}

interface TimestampChoice {
  check: TimestampCheck;
  summary: TimestampSummary;
  reason: string;
  hresult: string;
  /** The TSA chain, when the token verified far enough to build one. */
  chain?: ChainResult;
}

/**
 * Verifies each timestamp's TSA chain (timeStamping usage, at the timestamp's own time,
 * docs/formats.md §7.6) and keeps the first valid RFC 3161 token, then the first valid legacy one.
 * Like CryptoAPI, chain building may use any certificate at hand: the token's own, the outer
 * signature's and the configured intermediates.
 */
function chooseTimestamp(
  checks: readonly TimestampCheck[],
  signature: AuthenticodeSignature,
  policy: Policy,
  budget: SignatureCheckBudget,
): { chosen?: TimestampChoice; invalid?: TimestampChoice } {
  let invalid: TimestampChoice | undefined;
  const valid: TimestampChoice[] = [];
  for (const check of checks) {
    const summary: TimestampSummary = {
      time: check.time ? check.time.toISOString() : '',
      kind: check.kind,
      signer: check.signerCertificate ? summarizeCertificate(check.signerCertificate) : null,
      valid: false,
    };
    let reason = check.problem?.message ?? '';
    let hresult: string = check.problem?.hresult ?? HRESULT.TRUST_E_TIME_STAMP;
    let ok = check.ok && check.time !== null && check.signerCertificate !== null;
    let chain: ChainResult | undefined;
    if (ok && check.signerCertificate && check.time) {
      chain = buildChain(check.signerCertificate, {
        // Like CryptoAPI, any certificate at hand: the token's, the outer signature's, the
        // configured intermediates.
        intermediates: [...check.certificates, ...signature.certificates, ...policy.intermediates],
        anchors: policy.tsaRoots,
        rootProgram: policy.tsaRootProgram,
        time: check.time,
        usage: 'timeStamping',
        budget,
      });
      const problem = chain.problems[0];
      if (problem) {
        ok = false;
        reason = `timestamp authority certificate: ${problem.message}`;
        hresult = HRESULT.TRUST_E_TIME_STAMP;
      }
    }
    summary.valid = ok;
    const choice: TimestampChoice = {
      check,
      summary,
      reason,
      hresult,
      ...(chain ? { chain } : {}),
    };
    if (ok) valid.push(choice);
    else invalid ??= choice;
  }
  const chosen = valid.find((c) => c.check.kind === 'rfc3161') ?? valid[0];
  return { chosen, invalid };
}
