import type { DigestAlgorithm } from '../digest.js';
import type { RootProgram } from '../trust/root-program.js';
import { windowsRootProgram } from '../trust/windows-roots.js';
import { defaultRevocationSettings, type RevocationSettings } from '../revocation/types.js';
import type { Certificate } from '../x509/certificate.js';
import { DEFAULT_TIME_BUDGET_MS } from './time-budget.js';
import type { PayloadPolicy } from '../payload/policy.js';

/** How strictly a missing or different MsiPatchCertificate entry is treated. */
export type PatchCertificateLevel = 'require' | 'warn' | 'off';

/** A pinned signer: the exact certificates (DER) or thumbprints the primary signer must match. */
export interface SignerPin {
  matches(certificate: Certificate): boolean;
  /** Subjects and thumbprints of what was expected, for the wrong-signer message. */
  describe(): string;
}

/**
 * Everything that decides a verdict besides the file itself. The front ends build it from
 * options or inputs; the library never reads the environment.
 */
export interface Policy {
  /** Accepted primary signers; null means "any signer" (the report then says nothing was pinned). */
  signer: SignerPin | null;
  /** Trust anchors for signer chains from root files (trusted-roots FILE). */
  trustedRoots: Certificate[];
  /**
   * Microsoft's Trusted Root Program for signer chains (trusted-roots `windows`, the default).
   * With no trustedRoots either (`none`), trust is not checked and chain roots are only noted.
   */
  rootProgram: RootProgram | null;
  /** Trust anchors for timestamp chains (tsa-roots; default: the same as trustedRoots). */
  tsaRoots: Certificate[];
  /** The root program for timestamp chains (default: the same as rootProgram). */
  tsaRootProgram: RootProgram | null;
  /** Extra intermediates offered to chain building (beyond the ones embedded in signatures). */
  intermediates: Certificate[];
  patchCertificate: PatchCertificateLevel;
  requireTimestamp: boolean;
  /** primary: verdict from the primary signature (Windows); all: nested ones must pass and be pinned too. */
  signatures: 'primary' | 'all';
  /** Digests weaker than this are `weak-digest`. */
  minDigest: DigestAlgorithm;
  /** Severity of `weak-digest`. */
  weakDigestSeverity: 'warning' | 'error';
  /** Warn when the signer expires within this many days and the signature has no timestamp. */
  expiryWarningDays: number;
  /** The validation time when no timestamp applies ("now"); fixed for reproducible runs. */
  now: Date;
  /** MSIs that .msp patches target, in addition to MSIs among the artifacts. */
  baselines: string[];
  /**
   * Wall-clock budget for verifying one file, in milliseconds (`Infinity`: none). A file that
   * takes longer gets a `malformed-package` finding instead of stalling the job (time-budget.ts).
   * Optional so that hand-built policies need not set it; the default is DEFAULT_TIME_BUDGET_MS.
   */
  timeBudgetMs?: number;
  /**
   * Revocation checking (docs/revocation.md). Optional so that hand-built policies need not set
   * it; absent means off with no CRL files: nothing is checked and no network is touched.
   */
  revocation?: RevocationSettings;
  /**
   * What the executables inside an MSI, MSM or CAB must be (issue 17, src/payload/policy.ts).
   * Optional so that hand-built policies need not set it; absent means off: nothing is walked.
   * The front ends default to `warn`.
   */
  payload?: PayloadPolicy;
}

export function defaultPolicy(overrides: Partial<Policy> = {}): Policy {
  const trustedRoots = overrides.trustedRoots ?? [];
  const rootProgram =
    overrides.rootProgram !== undefined ? overrides.rootProgram : windowsRootProgram();
  return {
    signer: null,
    trustedRoots,
    rootProgram,
    tsaRoots: trustedRoots,
    tsaRootProgram: rootProgram,
    intermediates: [],
    patchCertificate: 'warn',
    requireTimestamp: false,
    signatures: 'primary',
    minDigest: 'sha256',
    weakDigestSeverity: 'warning',
    expiryWarningDays: 30,
    now: new Date(),
    baselines: [],
    timeBudgetMs: DEFAULT_TIME_BUDGET_MS,
    revocation: defaultRevocationSettings(),
    ...overrides,
  };
}

const DIGEST_STRENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  md5: 0,
  sha1: 1,
  sha256: 2,
  sha384: 3,
  sha512: 4,
};

export function isWeakerThan(algorithm: DigestAlgorithm, minimum: DigestAlgorithm): boolean {
  return DIGEST_STRENGTH[algorithm] < DIGEST_STRENGTH[minimum];
}
