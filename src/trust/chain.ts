import { HRESULT, type FindingCode } from '../findings.js';
import { EKU, ekuName, type Certificate } from '../x509/certificate.js';
import {
  factsOf,
  hasUsableKey,
  isSelfIssued,
  isSelfSigned,
  isSignedBy,
  MAX_RSA_EXPONENT_BITS,
  type SignatureCheckBudget,
} from './facts.js';
import { orderTrustProblems, type TrustProblem } from './hresult.js';
import {
  describeRoot,
  judgeRoot,
  programName,
  type RootProgram,
  type RootRecord,
} from './root-program.js';

/**
 * Chain building and certificate validation as CryptoAPI does it for Authenticode
 * (docs/formats.md §7.7): issuers are found by Name, preferring AKI/SKI matches, every certificate
 * signature is checked, alternatives are tried when a path fails, and the whole path is checked
 * at one validation time (§7.6) for validity, CA constraints, critical extensions and usage.
 * Results are data: the caller turns problems into findings.
 */

export type ChainUsage = 'codeSigning' | 'timeStamping' | 'rootListSigner';

export interface ChainOptions {
  /** Certificates embedded in the signature plus caller-configured intermediates. */
  intermediates: readonly Certificate[];
  /**
   * Trusted roots from files (--trusted-roots FILE). When this is empty and there is no
   * rootProgram, trust is not judged (`no-anchors`).
   */
  anchors: readonly Certificate[];
  /** Microsoft's Trusted Root Program (--trusted-roots windows), with its per-root rules. */
  rootProgram?: RootProgram | null;
  /** Validation time, see validationTime(). */
  time: Date;
  usage: ChainUsage;
  /** Longest path considered, leaf and root included. Default 10. */
  maxLength?: number;
  /**
   * Signature checks this chain may spend, shared by every chain built for one file (see
   * SignatureCheckBudget). Without one, only the per-chain bounds below apply.
   */
  budget?: SignatureCheckBudget;
}

/**
 * - `trusted`: the path ends at one of the anchors.
 * - `untrusted-root`: it ends at a self-signed certificate that is not an anchor.
 * - `incomplete`: it stops short of any root (issuer missing, loop, bad issuer signature).
 * - `no-anchors`: no anchors were given and the path ends at a self-signed root or at a
 *   certificate whose issuer is not available; trust is the caller's call (it names the root).
 * Problems are independent of the status: a `trusted` chain can still have expired members.
 */
export type ChainStatus = 'trusted' | 'untrusted-root' | 'incomplete' | 'no-anchors';

export interface ChainResult {
  /** Leaf first, then each issuer; ends at the anchor, the root, or the last certificate found. */
  chain: Certificate[];
  status: ChainStatus;
  /** The trusted root the path ends at (status `trusted`). */
  anchor?: Certificate;
  /** Worst first, in the order WinVerifyTrust would report them (hresult.ts). Empty = usable. */
  problems: TrustProblem[];
  /** The leaf has no EKU extension, which RFC 5280 and Windows read as "any usage". */
  leafHasNoEku: boolean;
  /** The leaf carries the lifetime-signing EKU (1.3.6.1.4.1.311.10.3.13), docs/formats.md §7.6. */
  lifetimeSigning: boolean;
  /** The issuer Name (RFC 4514-style) that was not found, when the path stops at a missing issuer. */
  missingIssuer?: string;
  /** What the root program says about the chain's root, when one was consulted and lists it. */
  rootProgram?: RootProgramStatus;
  /** The time and usage the chain was checked for. */
  time: Date;
  usage: ChainUsage;
}

/** The root program's view of the chain's root (or, by name, of its missing issuer). */
export interface RootProgramStatus {
  record: RootRecord;
  /** Whether the list trusts the root for this chain's usage, times and end-entity. */
  trusted: boolean;
  /** Why not, in words, when not trusted. */
  why?: string;
  /** The list's purposes and dates for this root, in words. */
  summary: string;
}

const DEFAULT_MAX_LENGTH = 10;

/** What a user can change when a root is not trusted (the action input and the CLI option). */
const FIX_UNTRUSTED_ROOT =
  'If it is your own root, add its certificate file to trusted-roots (one entry per line, next to windows, the default; --trusted-roots FILE on the command line), or set trusted-roots to none to let only the pinned signer decide';
/** Bounds on the search so hostile certificate sets cannot make it exponential. */
const MAX_EXPANSIONS = 512;
const MAX_PATHS = 64;
/**
 * Same-named issuers tried per step, best key-identifier match first. Real PKIs have one or two
 * (a CA and its renewal or cross-certificate); hundreds are an attack on the search.
 */
export const MAX_ISSUER_CANDIDATES = 8;
/** RSA moduli below this are refused anywhere in a chain, as Windows does since KB2661254. */
export const MIN_RSA_BITS = 1024;
/** md2WithRSA, md4WithRSA, md5WithRSA: certificate signatures Windows no longer accepts. */
const WEAK_CERTIFICATE_SIGNATURES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.2': 'MD2',
  '1.2.840.113549.1.1.3': 'MD4',
  '1.2.840.113549.1.1.4': 'MD5',
};

/**
 * "Microsoft Root Authority" (v1, expired 2020-12-31) still anchors old Microsoft signatures on
 * Windows; osslsigncode whitelists it by this fingerprint (docs/formats.md §7.7, §8.4 item 43).
 */
const EXPIRED_ROOTS_HONOURED = new Set([
  'f38406e540d7a9d90cb4a9479299640ffb6df9e224ecc7a01c0d9558d8dad77d',
]);

const USAGE = {
  codeSigning: {
    oid: EKU.codeSigning,
    words: 'code signing',
    leaf: 'signer certificate',
    code: 'no-codesigning-eku',
    hresult: HRESULT.CERT_E_WRONG_USAGE,
  },
  timeStamping: {
    oid: EKU.timeStamping,
    words: 'timestamping',
    leaf: 'timestamp authority certificate',
    code: 'timestamp-invalid',
    hresult: HRESULT.TRUST_E_TIME_STAMP,
  },
  // The signer of Microsoft's root list (szOID_ROOT_LIST_SIGNER), for ctl.ts.
  rootListSigner: {
    oid: '1.3.6.1.4.1.311.10.3.9',
    words: 'signing the root list',
    leaf: 'trust list signer certificate',
    code: 'bad-certificate',
    hresult: HRESULT.CERT_E_WRONG_USAGE,
  },
} as const satisfies Record<
  ChainUsage,
  { oid: string; words: string; leaf: string; code: FindingCode; hresult: string }
>;

function quoted(cert: Certificate): string {
  return `"${cert.subject}"`;
}

function withThumbprint(cert: Certificate): string {
  return `"${cert.subject}" (sha256 ${cert.sha256})`;
}

function ekuList(oids: readonly string[]): string {
  if (oids.length === 0) return 'no usage at all';
  return oids.map((oid) => (ekuName(oid) ? `${ekuName(oid)} (${oid})` : oid)).join(', ');
}

function iso(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

type Ending =
  | { kind: 'anchor'; anchor: Certificate; listed?: RootRecord }
  | { kind: 'self-signed' }
  | { kind: 'missing-issuer' }
  /** Certificates with the right Name exist but none verifies the last certificate's signature. */
  | { kind: 'bad-signature'; issuer: Certificate }
  | { kind: 'cycle'; repeated: Certificate }
  | { kind: 'too-long' }
  /** The file's budget of signature checks ran out before an issuer verified. */
  | { kind: 'budget'; limit: number };

const ENDING_RANK: Readonly<Record<Ending['kind'], number>> = {
  anchor: 0,
  'self-signed': 1,
  'missing-issuer': 2,
  'bad-signature': 3,
  cycle: 4,
  'too-long': 4,
  budget: 4,
};

interface Candidate {
  certs: Certificate[];
  ending: Ending;
  result: ChainResult;
}

const identities = new WeakMap<Certificate, string>();

/** Identity of a CA for loop detection: the same subject with the same key is the same CA. */
function caIdentity(cert: Certificate): string {
  let identity = identities.get(cert);
  if (identity === undefined) {
    const facts = factsOf(cert);
    identity = `${facts.subjectDer.toString('hex')}/${facts.spkiDer.toString('hex')}`;
    identities.set(cert, identity);
  }
  return identity;
}

class CertificatePool {
  private readonly bySubject = new Map<string, Certificate[]>();
  private readonly anchorByDer = new Map<string, Certificate>();
  private readonly anchorByIdentity = new Map<string, Certificate>();

  constructor(
    intermediates: readonly Certificate[],
    anchors: readonly Certificate[],
    readonly rootProgram: RootProgram | null,
  ) {
    const seen = new Set<string>();
    for (const anchor of anchors) {
      this.anchorByDer.set(anchor.sha256, anchor);
      if (!this.anchorByIdentity.has(caIdentity(anchor))) {
        this.anchorByIdentity.set(caIdentity(anchor), anchor);
      }
    }
    // Anchors first: when an anchor and a pool certificate can both issue, the anchor wins.
    for (const cert of [...anchors, ...intermediates]) {
      if (seen.has(cert.sha256)) continue;
      seen.add(cert.sha256);
      const key = factsOf(cert).subjectDer.toString('hex');
      const list = this.bySubject.get(key) ?? [];
      list.push(cert);
      this.bySubject.set(key, list);
    }
  }

  get hasAnchors(): boolean {
    return this.anchorByDer.size > 0 || this.rootProgram !== null;
  }

  /**
   * The anchor this certificate is: same DER, or same subject and key as an anchor; else the
   * root program's root it is (then `listed` carries the list's rules for it).
   */
  anchorFor(cert: Certificate): { anchor: Certificate; listed?: RootRecord } | undefined {
    const anchor = this.anchorByDer.get(cert.sha256) ?? this.anchorByIdentity.get(caIdentity(cert));
    if (anchor) return { anchor };
    const root = this.rootProgram?.rootFor(cert);
    return root ? { anchor: root.certificate ?? cert, listed: root.record } : undefined;
  }

  /** Certificates whose subject Name equals the issuer Name of `cert`, best match first. */
  issuersOf(cert: Certificate): Certificate[] {
    const facts = factsOf(cert);
    const own = this.bySubject.get(facts.issuerDer.toString('hex')) ?? [];
    const fromProgram = (this.rootProgram?.certificatesNamed(facts.issuerDer) ?? []).filter(
      (c) => !own.some((o) => o.sha256 === c.sha256),
    );
    const list = [...own, ...fromProgram].filter((c) => c.sha256 !== cert.sha256);
    const aki = facts.authorityKeyId;
    const score = (c: Certificate): number => {
      const ski = factsOf(c).subjectKeyId;
      if (aki && ski) return aki.equals(ski) ? 0 : 2;
      return 1;
    };
    return list
      .map((c, i) => ({ c, i, s: score(c) }))
      .sort((a, b) => a.s - b.s || a.i - b.i)
      .map(({ c }) => c);
  }
}

/**
 * Builds and checks the certificate chain of `leaf` at `options.time` for `options.usage`.
 * Never throws for certificate problems; they are in `problems`.
 */
export function buildChain(leaf: Certificate, options: ChainOptions): ChainResult {
  const pool = new CertificatePool(
    options.intermediates,
    options.anchors,
    options.rootProgram ?? null,
  );
  const maxLength = Math.max(1, options.maxLength ?? DEFAULT_MAX_LENGTH);
  let expansions = 0;
  let best: Candidate | undefined;
  let paths = 0;

  /** Best path first: how far it got, then fewest problems, then shortest. */
  const compare = (a: Candidate, b: Candidate): number =>
    ENDING_RANK[a.ending.kind] - ENDING_RANK[b.ending.kind] ||
    a.result.problems.length - b.result.problems.length ||
    a.certs.length - b.certs.length;

  const done = (): boolean =>
    paths >= MAX_PATHS ||
    (best !== undefined &&
      best.result.problems.length === 0 &&
      (best.ending.kind === 'anchor' || (!pool.hasAnchors && best.ending.kind === 'self-signed')));

  const emit = (certs: Certificate[], ending: Ending): void => {
    paths++;
    const candidate: Candidate = { certs, ending, result: evaluate(certs, ending, pool, options) };
    if (!best || compare(candidate, best) < 0) best = candidate;
  };

  const search = (path: Certificate[], onPath: ReadonlySet<string>): void => {
    if (done() || expansions >= MAX_EXPANSIONS) return;
    expansions++;
    const current = path[path.length - 1]!;
    const found = pool.anchorFor(current);
    if (found) return emit(path, { kind: 'anchor', ...found });
    if (isSelfSigned(current, options.budget)) return emit(path, { kind: 'self-signed' });
    if (path.length >= maxLength) return emit(path, { kind: 'too-long' });

    const named = pool.issuersOf(current);
    const fresh = named.filter((c) => !onPath.has(caIdentity(c)));
    if (fresh.length === 0) {
      if (named.length > 0) return emit(path, { kind: 'cycle', repeated: named[0]! });
      // A self-issued certificate whose own key does not verify it, and no other issuer.
      if (isSelfIssued(current)) return emit(path, { kind: 'bad-signature', issuer: current });
      return emit(path, { kind: 'missing-issuer' });
    }
    const verified = fresh
      .slice(0, MAX_ISSUER_CANDIDATES)
      .filter((c) => isSignedBy(current, c, options.budget));
    if (verified.length === 0) {
      if (options.budget?.refused)
        return emit(path, { kind: 'budget', limit: options.budget.limit });
      return emit(path, { kind: 'bad-signature', issuer: fresh[0]! });
    }
    for (const issuer of verified) {
      search([...path, issuer], new Set([...onPath, caIdentity(issuer)]));
      if (done()) return;
    }
  };

  search([leaf], new Set([caIdentity(leaf)]));
  // search() always emits at least once for the leaf (the expansion count starts at zero).
  return best!.result;
}

function evaluate(
  path: readonly Certificate[],
  ending: Ending,
  pool: CertificatePool,
  options: ChainOptions,
): ChainResult {
  const usage = USAGE[options.usage];
  const problems: TrustProblem[] = [];
  const add = (code: FindingCode, hresult: string, message: string, certificate?: Certificate) =>
    problems.push(
      certificate ? { code, hresult, message, certificate } : { code, hresult, message },
    );

  const chain = [...path];
  const leaf = chain[0]!;
  const last = chain[chain.length - 1]!;
  let status: ChainStatus;
  let anchor: Certificate | undefined;
  let missingIssuer: string | undefined;
  let rootProgram: RootProgramStatus | undefined;
  let listedByName: RootRecord | undefined;

  switch (ending.kind) {
    case 'anchor':
      status = 'trusted';
      anchor = ending.anchor;
      // A pool copy of the root (e.g. cross-signed) stands for the anchor itself, as the root
      // store's copy does on Windows.
      if (chain.length > 1 && !last.equals(anchor)) chain[chain.length - 1] = anchor;
      if (ending.listed && pool.rootProgram && options.usage !== 'rootListSigner') {
        const verdict = judgeRoot(ending.listed, anchor, options.usage, {
          time: options.time,
          endEntity: leaf,
        });
        rootProgram = {
          record: ending.listed,
          trusted: verdict.trusted,
          ...(verdict.trusted ? {} : { why: verdict.why }),
          summary: describeRoot(ending.listed),
        };
        if (!verdict.trusted) {
          status = 'untrusted-root';
          add(
            'untrusted-root',
            HRESULT.CERT_E_UNTRUSTEDROOT,
            `the chain ends at the root ${withThumbprint(anchor)}, which ${programName(pool.rootProgram.info)} lists as "${ending.listed.name}" but does not trust for this signature: ${verdict.why}`,
            anchor,
          );
        }
      }
      break;
    case 'self-signed':
      if (pool.hasAnchors) {
        status = 'untrusted-root';
        add(
          'untrusted-root',
          HRESULT.CERT_E_UNTRUSTEDROOT,
          options.usage === 'timeStamping'
            ? `the chain ends at the self-signed root ${withThumbprint(last)}, which is not among the timestamp authority roots${pool.rootProgram ? ` nor trusted for time stamping by ${programName(pool.rootProgram.info)}` : ''}; if endpoints trust it, add it to tsa-roots (--tsa-roots)`
            : pool.rootProgram
              ? `the chain ends at the self-signed root ${withThumbprint(last)}, which is not in ${programName(pool.rootProgram.info)}${options.anchors.length > 0 ? ' nor among the trusted-roots certificates' : ''}: Windows endpoints trust it only where it is installed in their Trusted Root Certification Authorities store. ${FIX_UNTRUSTED_ROOT}`
              : `the chain ends at the self-signed root ${withThumbprint(last)}, which is not among the trusted roots`,
          last,
        );
      } else {
        status = 'no-anchors';
      }
      break;
    case 'missing-issuer':
      missingIssuer = last.issuer;
      listedByName = pool.rootProgram?.recordsNamed(factsOf(last).issuerDer)[0];
      if (listedByName && pool.rootProgram && options.usage !== 'rootListSigner') {
        // The issuer is a listed root Windows would download, but one the list does not allow
        // for this usage (usable roots are in the store and would have been found).
        const verdict = judgeRoot(listedByName, null, options.usage, {
          time: options.time,
          endEntity: leaf,
        });
        const why = verdict.trusted ? 'its certificate is not in the store' : verdict.why;
        rootProgram = {
          record: listedByName,
          trusted: false,
          why,
          summary: describeRoot(listedByName),
        };
        status = 'untrusted-root';
        add(
          'untrusted-root',
          HRESULT.CERT_E_UNTRUSTEDROOT,
          `the chain ends below "${last.issuer}", the issuer of ${quoted(last)}, which ${programName(pool.rootProgram.info)} lists as "${listedByName.name}" (sha1 ${listedByName.sha1}) but does not trust for this signature: ${why}`,
          last,
        );
      } else if (pool.hasAnchors) {
        status = 'incomplete';
        add(
          'chain-incomplete',
          HRESULT.CERT_E_CHAINING,
          options.usage === 'timeStamping'
            ? `cannot build the timestamp authority's chain: "${last.issuer}", the issuer of ${quoted(last)}, is neither in the timestamp, the signature, the intermediates nor among the timestamp authority roots${pool.rootProgram ? ` or ${programName(pool.rootProgram.info)}` : ''}; ${factsOf(last).basicConstraints?.cA ? 'it is most likely the TSA root: add it to tsa-roots (--tsa-roots)' : 'add the TSA root to tsa-roots (--tsa-roots) and, if it is an intermediate, supply it with --intermediates'}`
            : pool.rootProgram
              ? `cannot build a certificate chain: "${last.issuer}", the issuer of ${quoted(last)}, is not in the signature, not among the intermediates${options.anchors.length > 0 ? ' and trusted-roots certificates' : ''}, and not in ${programName(pool.rootProgram.info)}; endpoints that lack it cannot verify the file. If it is an intermediate, embed it when signing (signtool /ac, osslsigncode -ac); if it is your own root, ${FIX_UNTRUSTED_ROOT.replace('If it is your own root, ', '')}`
              : `cannot build a certificate chain: "${last.issuer}", the issuer of ${quoted(last)}, is neither in the signature nor among the trusted roots and intermediates; endpoints that lack it cannot verify the file (embed it when signing, e.g. signtool /ac, or supply it as an intermediate)`,
          last,
        );
      } else {
        status = 'no-anchors';
      }
      break;
    case 'bad-signature':
      status = 'incomplete';
      add(
        hasUsableKey(ending.issuer) ? 'bad-certificate' : 'unsupported-algorithm',
        HRESULT.TRUST_E_CERT_SIGNATURE,
        !hasUsableKey(ending.issuer)
          ? `${withThumbprint(ending.issuer)} has an RSA public exponent of ${factsOf(ending.issuer).rsa?.exponentBits ?? '?'} bits (at most ${MAX_RSA_EXPONENT_BITS} are used; real keys use 65537), so it is not used to verify ${quoted(last)}`
          : ending.issuer === last
            ? `the self-signature on ${withThumbprint(last)} does not verify`
            : `the signature on ${quoted(last)} does not verify under the public key of its issuer ${withThumbprint(ending.issuer)}`,
        last,
      );
      break;
    case 'cycle':
      status = 'incomplete';
      add(
        'chain-incomplete',
        HRESULT.CERT_E_CHAINING,
        `cannot build a certificate chain: the issuers above ${quoted(last)} form a loop back to ${quoted(ending.repeated)} and never reach a root`,
        last,
      );
      break;
    case 'budget':
      status = 'incomplete';
      add(
        'chain-incomplete',
        HRESULT.CERT_E_CHAINING,
        `chain building stopped above ${quoted(last)} after ${ending.limit} certificate signature checks for this file; a real signature needs a handful, so the file offers far more candidate issuers than any PKI has`,
        last,
      );
      break;
    case 'too-long':
      status = 'incomplete';
      add(
        'chain-incomplete',
        HRESULT.CERT_E_CHAINING,
        `cannot build a certificate chain: no path of at most ${chain.length} certificates leads from ${quoted(leaf)} to a root`,
        last,
      );
      break;
  }

  const reachedRoot = ending.kind === 'anchor' || ending.kind === 'self-signed';
  checkTimes(chain, options.time, reachedRoot, usage.leaf, add);
  checkAlgorithms(chain, reachedRoot, usage.leaf, add);
  checkCaConstraints(chain, reachedRoot, ending.kind === 'anchor', add);
  const leafEku = checkUsage(chain, options.usage, add);

  return {
    chain,
    status,
    ...(anchor ? { anchor } : {}),
    problems: orderTrustProblems(problems),
    leafHasNoEku: leafEku === undefined,
    lifetimeSigning: leafEku?.includes(EKU.lifetimeSigning) ?? false,
    ...(missingIssuer !== undefined ? { missingIssuer } : {}),
    ...(rootProgram ? { rootProgram } : {}),
    time: options.time,
    usage: options.usage,
  };
}

type AddProblem = (
  code: FindingCode,
  hresult: string,
  message: string,
  certificate?: Certificate,
) => void;

function role(index: number, length: number, reachedRoot: boolean, leafWords: string): string {
  if (index === 0) return `the ${leafWords}`;
  if (index === length - 1 && reachedRoot) return 'the root certificate';
  return 'the CA certificate';
}

/**
 * Every certificate, the root included, must be valid at the validation time: CryptoAPI checks
 * time validity for each chain element (CertVerifyTimeValidity), roots too, except the
 * historical Microsoft root that Windows keeps honouring.
 */
function checkTimes(
  chain: readonly Certificate[],
  time: Date,
  reachedRoot: boolean,
  leafWords: string,
  add: AddProblem,
): void {
  chain.forEach((cert, index) => {
    const isRoot = reachedRoot && index === chain.length - 1;
    if (isRoot && EXPIRED_ROOTS_HONOURED.has(cert.sha256)) return;
    const who = `${role(index, chain.length, reachedRoot, leafWords)} ${quoted(cert)}`;
    if (time.getTime() > cert.notAfter.getTime()) {
      add(
        'expired',
        HRESULT.CERT_E_EXPIRED,
        `${who} expired on ${iso(cert.notAfter)}, before the validation time ${iso(time)}`,
        cert,
      );
    } else if (time.getTime() < cert.notBefore.getTime()) {
      add(
        'not-yet-valid',
        HRESULT.CERT_E_EXPIRED,
        `${who} is not valid until ${iso(cert.notBefore)}, after the validation time ${iso(time)}`,
        cert,
      );
    }
  });
}

/**
 * Windows' algorithm floor (KB2661254, and the MD5 deprecation of Microsoft Security Advisory
 * 2862973): every RSA key in the chain has at least 1024 bits, and no certificate signature we
 * verify uses MD2/MD4/MD5. A root's self-signature is exempt: a trust anchor is trusted for
 * being in the store, its self-signature protects nothing. Oversized RSA exponents are refused
 * outright (MAX_RSA_EXPONENT_BITS).
 */
function checkAlgorithms(
  chain: readonly Certificate[],
  reachedRoot: boolean,
  leafWords: string,
  add: AddProblem,
): void {
  chain.forEach((cert, index) => {
    const who = `${role(index, chain.length, reachedRoot, leafWords)} ${quoted(cert)}`;
    const facts = factsOf(cert);
    if (facts.rsa && facts.rsa.modulusBits < MIN_RSA_BITS) {
      add(
        'weak-key',
        HRESULT.TRUST_E_CERT_SIGNATURE,
        `${who} has a ${facts.rsa.modulusBits}-bit RSA key; Windows refuses RSA keys under ${MIN_RSA_BITS} bits anywhere in a chain`,
        cert,
      );
    }
    if (facts.rsa && facts.rsa.exponentBits > MAX_RSA_EXPONENT_BITS) {
      add(
        'unsupported-algorithm',
        HRESULT.NTE_BAD_ALGID,
        `${who} has an RSA public exponent of ${facts.rsa.exponentBits} bits (at most ${MAX_RSA_EXPONENT_BITS} are used; real keys use 65537)`,
        cert,
      );
    }
    // The top certificate's own signature is a root's self-signature, an anchor's (never
    // checked) or one whose issuer was not found: only signatures below it are judged.
    if (index === chain.length - 1) return;
    const weak = WEAK_CERTIFICATE_SIGNATURES[facts.signatureAlgorithm];
    if (weak) {
      add(
        'weak-certificate-signature',
        HRESULT.TRUST_E_CERT_SIGNATURE,
        `${who} is signed with ${weak} by its issuer ${quoted(chain[index + 1]!)}; Windows refuses ${weak}-signed certificates below the root`,
        cert,
      );
    }
  });
}

/**
 * Issuers must be CAs (basicConstraints cA=TRUE; a root may omit the extension, as v1 roots
 * do), path length constraints hold, keyUsage (when present) allows keyCertSign, and no
 * certificate below the anchor carries a critical extension we do not process.
 */
function checkCaConstraints(
  chain: readonly Certificate[],
  reachedRoot: boolean,
  endsAtAnchor: boolean,
  add: AddProblem,
): void {
  for (let index = 1; index < chain.length; index++) {
    const cert = chain[index]!;
    const child = chain[index - 1]!;
    const facts = factsOf(cert);
    const isRoot = reachedRoot && index === chain.length - 1;
    const bc = facts.basicConstraints;
    if (bc?.malformed) {
      add(
        'bad-certificate',
        HRESULT.TRUST_E_BASIC_CONSTRAINTS,
        `the basicConstraints extension of ${quoted(cert)} cannot be decoded`,
        cert,
      );
    } else if (bc ? !bc.cA : !isRoot) {
      add(
        'bad-certificate',
        HRESULT.TRUST_E_BASIC_CONSTRAINTS,
        `${quoted(cert)} issued ${quoted(child)} but is not a CA certificate (${bc ? 'basicConstraints cA=FALSE' : 'no basicConstraints extension'})`,
        cert,
      );
    } else if (bc?.pathLen !== undefined) {
      // RFC 5280 §4.2.1.9: self-issued intermediates do not count towards the path length.
      let below = 0;
      for (let j = 1; j < index; j++) if (!isSelfIssued(chain[j]!)) below++;
      if (below > bc.pathLen) {
        add(
          'bad-certificate',
          HRESULT.CERT_E_PATHLENCONST,
          `${quoted(cert)} allows ${bc.pathLen} CA certificate${bc.pathLen === 1 ? '' : 's'} below it (pathLenConstraint), but the chain has ${below}`,
          cert,
        );
      }
    }
    const ku = facts.keyUsage;
    if (ku && !ku.keyCertSign) {
      // CryptoAPI marks such a CA "not valid for usage" (Wine CRYPT_KeyUsageValid).
      add(
        'bad-key-usage',
        HRESULT.CERT_E_WRONG_USAGE,
        `the keyUsage of CA certificate ${quoted(cert)} does not include keyCertSign, so it may not issue ${quoted(child)}`,
        cert,
      );
    }
  }
  chain.forEach((cert) => {
    // Anchors too: a constraint in a root still restricts what it vouches for.
    const unevaluated = factsOf(cert).unevaluatedCritical;
    if (unevaluated.length > 0) {
      add(
        'unevaluated-constraint',
        HRESULT.CERT_E_CRITICAL,
        `${quoted(cert)} carries critical ${unevaluated.map(constraintName).join(' and ')}, which Windows enforces and this verifier does not evaluate; the chain is refused rather than accepted unchecked`,
        cert,
      );
    }
  });
  chain.forEach((cert, index) => {
    if (endsAtAnchor && index === chain.length - 1) return;
    const unsupported = factsOf(cert).unsupportedCritical;
    if (unsupported.length > 0) {
      add(
        'bad-certificate',
        HRESULT.CERT_E_CRITICAL,
        `${quoted(cert)} carries critical extension${unsupported.length === 1 ? '' : 's'} ${unsupported.join(', ')} that Windows does not process, which makes the certificate unusable`,
        cert,
      );
    }
  });
}

function constraintName(oid: string): string {
  return (
    {
      '2.5.29.30': 'name constraints (2.5.29.30)',
      '2.5.29.36': 'policy constraints (2.5.29.36)',
      '2.5.29.54': 'inhibitAnyPolicy (2.5.29.54)',
    }[oid] ?? oid
  );
}

/**
 * Leaf keyUsage (digitalSignature) and EKU (the usage OID), then the EKU restriction of every CA
 * that carries an EKU extension (CryptoAPI intersects them along the path). anyExtendedKeyUsage
 * is accepted on CAs only. Returns the leaf's EKU list (undefined when it has none).
 */
function checkUsage(
  chain: readonly Certificate[],
  usageName: ChainUsage,
  add: AddProblem,
): string[] | undefined {
  const usage = USAGE[usageName];
  const { code, hresult } = usage;
  const leaf = chain[0]!;
  const ku = factsOf(leaf).keyUsage;
  if (ku && !ku.digitalSignature) {
    add(
      'bad-key-usage',
      HRESULT.CERT_E_WRONG_USAGE,
      `the keyUsage of the ${usage.leaf} ${quoted(leaf)} does not include digitalSignature${ku.malformed ? ' (the extension cannot be decoded)' : ''}`,
      leaf,
    );
  }
  const leafEku = leaf.extendedKeyUsages;
  if (!leafEku && usageName === 'timeStamping') {
    // Deliberately stricter than "no EKU = any usage": RFC 3161 §2.3 requires the TSA
    // certificate to carry id-kp-timeStamping, and every real TSA certificate does. Without
    // this, any end-entity certificate without EKU under a trusted root could back-date
    // signatures (docs/finding-codes.md, timestamp-invalid).
    add(
      code,
      hresult,
      `the ${usage.leaf} ${quoted(leaf)} has no extended key usage extension; a timestamp authority certificate must carry id-kp-timeStamping (RFC 3161 §2.3)`,
      leaf,
    );
  }
  if (leafEku && !leafEku.includes(usage.oid)) {
    add(
      code,
      hresult,
      `the ${usage.leaf} ${quoted(leaf)} is not valid for ${usage.words}: its extended key usage allows ${ekuList(leafEku)}`,
      leaf,
    );
  }
  for (const cert of chain.slice(1)) {
    const eku = cert.extendedKeyUsages;
    if (eku && !eku.includes(usage.oid) && !eku.includes(EKU.any)) {
      add(
        code,
        hresult,
        `the CA certificate ${quoted(cert)} restricts the certificates below it to ${ekuList(eku)}, which excludes ${usage.words}`,
        cert,
      );
    }
  }
  return leafEku;
}

export type ValidationTimeReason = 'timestamp' | 'lifetime-signing' | 'no-timestamp';

/**
 * The time the signer chain is validated at (docs/formats.md §7.6): the time of a valid timestamp,
 * unless the signer certificate carries the lifetime-signing EKU; otherwise now. The signer's
 * own signingTime attribute is never used.
 */
export function validationTime(input: { timestamp?: Date | null; leaf: Certificate; now: Date }): {
  time: Date;
  reason: ValidationTimeReason;
} {
  const { timestamp, leaf, now } = input;
  if (!timestamp) return { time: now, reason: 'no-timestamp' };
  if (leaf.extendedKeyUsages?.includes(EKU.lifetimeSigning)) {
    return { time: now, reason: 'lifetime-signing' };
  }
  return { time: timestamp, reason: 'timestamp' };
}
