import { readFile } from 'node:fs/promises';
import { openCompoundFile } from '../cfb/index.js';
import { DIGEST_OIDS, type DigestAlgorithm } from '../digest.js';
import { RandomAccessFile } from '../io/random-access-file.js';
import {
  DEFAULT_REVOCATION,
  REVOCATION_MODES,
  type LoadedCrl,
  type RevocationMode,
  type RevocationSettings,
} from '../revocation/types.js';
import { loadCertificateFile, parsePin, PinSet, type Pin } from '../trust/index.js';
import type { RootProgram } from '../trust/root-program.js';
import { windowsRootProgram } from '../trust/windows-roots.js';
import type { Finding } from '../findings.js';
import type { PayloadLevel, PayloadPolicy } from '../payload/policy.js';
import { Certificate } from '../x509/certificate.js';
import { readPackageFacts } from './package-facts.js';
import { ConfigurationError } from './configuration-error.js';
import { defaultPolicy, type PatchCertificateLevel, type Policy } from './policy.js';

export { ConfigurationError };

/** Policy settings as the CLI and the action receive them: strings, not yet loaded. */
export interface PolicyOptions {
  signers?: string[];
  pinFromMsi?: string;
  /**
   * Trust stores, one entry each (a string may hold several, one per line): `windows` (the
   * default, Microsoft's Trusted Root Program), `none` (trust not checked), or a root file.
   */
  trustedRoots?: string | string[];
  /** Trust stores for timestamp chains, the same way; default: trustedRoots. */
  tsaRoots?: string | string[];
  /** Resolves a root file path (the action resolves against the workspace). */
  resolvePath?: (path: string) => string;
  intermediates?: string;
  baselines?: string[];
  patchCertificate?: string;
  requireTimestamp?: boolean;
  signatures?: string;
  minDigest?: string;
  weakDigest?: string;
  expiryWarningDays?: string | number;
  at?: string;
  /** Wall-clock seconds one file may take before it is reported as malformed-package. */
  timeBudgetSeconds?: string | number;
  /** off (default) | online | require (docs/revocation.md). */
  revocation?: string;
  /** CRL files (PEM or DER); they turn checking on for the certificates they cover. */
  crls?: string[];
  /** Seconds one revocation request (CRL or OCSP) may take. */
  revocationTimeoutSeconds?: string | number;
  /** How the front end calls an option in messages (`--signer` on the command line, `input signer-certificate` in the action). */
  optionName?: (option: string) => string;
  /**
   * Severity of the `signer-not-pinned` finding when the signer was opted out explicitly with
   * `any` (default: warning). Without any pin the finding is always a warning.
   */
  anySignerSeverity?: 'warning' | 'notice';
  /** off | warn (default) | require: what the executables inside a package must be. */
  payload?: string;
  /** Signers accepted for inner executables besides the pin (files or thumbprints). */
  payloadSigners?: string[];
  /** Globs over inner paths whose files may be unsigned. */
  payloadAllowUnsigned?: string[];
}

/**
 * How the primary signer is constrained: `pinned` (certificates or thumbprints), `any` (the
 * user wrote `any`: every signer whose chain verifies passes), `none` (nothing was given).
 */
export type SignerMode = 'pinned' | 'any' | 'none';

export interface Configuration {
  policy: Policy;
  signerMode: SignerMode;
  /** Run findings about the configuration itself (a weakened check, a skipped certificate). */
  findings: Finding[];
}

/** The value that opts out of pinning explicitly (`signer-certificate: any`, `--signer any`). */
export const ANY_SIGNER = 'any';

/**
 * Certificate pins without the CA certificates a chain file carries beside the signer: a CA
 * never signs files itself, so pinning it would only accept more (issue: a chain file as the pin
 * used to pin its intermediate too). Refuses a file that holds nothing else.
 */
function withoutCaCertificates(
  pins: Pin[],
  value: string,
  option: string,
  findings: Finding[],
): Pin[] {
  const kept = pins.filter((pin) => pin.kind !== 'certificate' || !pin.certificate.isCa);
  const skipped = pins.filter((pin) => pin.kind === 'certificate' && pin.certificate.isCa);
  if (skipped.length === 0) return pins;
  const source = looksLikePemText(value) ? 'inline PEM' : value.trim();
  if (kept.length === 0) {
    throw new ConfigurationError(
      `${option}: ${source} holds only CA certificates (basicConstraints CA:TRUE), which never sign files; give the signer's own certificate`,
    );
  }
  for (const pin of skipped) {
    if (pin.kind !== 'certificate') continue;
    findings.push({
      severity: 'notice',
      code: 'ca-certificate-skipped',
      message: `${option}: "${pin.certificate.subject}" in ${source} is a CA certificate (basicConstraints CA:TRUE); it is not pinned as a signer`,
    });
  }
  return kept;
}

function looksLikePemText(value: string): boolean {
  return value.includes('-----BEGIN');
}

/**
 * Digests `min-digest` accepts. MD5 is not among them: Windows refuses MD5 in Authenticode, so a
 * policy that would let it pass cannot be written.
 */
const MIN_DIGESTS = new Set<string>(Object.values(DIGEST_OIDS).filter((d) => d !== 'md5'));

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigurationError(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
}

/** A trust setting: Microsoft's list, root files, both, or neither (`none`). */
export interface TrustSelection {
  certificates: Certificate[];
  rootProgram: RootProgram | null;
}

/** Reads `windows`, `none` and file entries (one per line) into a trust selection. */
async function loadTrust(
  option: string,
  value: string | string[] | undefined,
  resolvePath: (path: string) => string,
): Promise<TrustSelection | undefined> {
  const entries = (Array.isArray(value) ? value : [value ?? ''])
    .flatMap((v) => v.split(/\r?\n/))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (entries.length === 0) return undefined;
  const words = entries.map((e) => e.toLowerCase());
  if (words.includes('none')) {
    if (entries.length > 1) {
      throw new ConfigurationError(
        `${option}: none means no trust store at all and cannot be combined with ${entries.filter((_, i) => words[i] !== 'none').join(', ')}`,
      );
    }
    return { certificates: [], rootProgram: null };
  }
  const certificates: Certificate[] = [];
  let rootProgram: RootProgram | null = null;
  for (const [i, entry] of entries.entries()) {
    if (words[i] === 'windows') rootProgram = windowsRootProgram();
    else certificates.push(...(await loadBundle(option, resolvePath(entry))));
  }
  return { certificates, rootProgram };
}

async function loadBundle(option: string, path: string | undefined): Promise<Certificate[]> {
  if (!path) return [];
  try {
    return await loadCertificateFile(path);
  } catch (error) {
    throw new ConfigurationError(`${option}: ${(error as Error).message}`);
  }
}

/** The accepted signers an MSI lists in MsiPatchCertificate (--pin-from-msi). */
async function pinsFromMsi(path: string, option: string): Promise<Pin[]> {
  let file: RandomAccessFile | undefined;
  try {
    file = await RandomAccessFile.open(path);
    const facts = await readPackageFacts(await openCompoundFile(file));
    const ders = (facts.patchCertificates ?? []).flatMap((row) => (row.der ? [row.der] : []));
    if (ders.length === 0) throw new Error('it lists no certificate in MsiPatchCertificate');
    return ders.map((der) => ({
      kind: 'certificate' as const,
      certificate: Certificate.fromDer(der),
    }));
  } catch (error) {
    throw new ConfigurationError(`${option} ${path}: ${(error as Error).message}`);
  } finally {
    await file?.close();
  }
}

async function loadCrls(option: string, paths: readonly string[]): Promise<LoadedCrl[]> {
  const loaded: LoadedCrl[] = [];
  if (paths.every((path) => path.trim() === '')) return loaded;
  // The CRL decoder is loaded only when CRL files are given (start-up, issue 19).
  const { RevocationList } = await import('../revocation/crl.js');
  for (const path of paths) {
    if (path.trim() === '') continue;
    try {
      loaded.push({ location: path, crl: RevocationList.parse(await readFile(path)) });
    } catch (error) {
      throw new ConfigurationError(`${option} ${path}: ${(error as Error).message}`);
    }
  }
  return loaded;
}

/** Revocation settings from options (shared by verify and inspect). */
export async function buildRevocation(
  options: PolicyOptions,
  name: (option: string) => string = (option) => `--${option}`,
): Promise<RevocationSettings> {
  const mode = oneOf<RevocationMode>(
    name('revocation'),
    options.revocation?.trim().toLowerCase(),
    REVOCATION_MODES,
    'off',
  );
  let requestTimeoutMs = DEFAULT_REVOCATION.requestTimeoutMs;
  const timeout = options.revocationTimeoutSeconds;
  if (timeout !== undefined && timeout !== '') {
    const seconds = Number(timeout);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
      throw new ConfigurationError(
        `${name('revocation-timeout')} must be a number of seconds between 0 and 600 (got "${timeout}")`,
      );
    }
    requestTimeoutMs = Math.round(seconds * 1000);
  }
  return {
    ...DEFAULT_REVOCATION,
    requestTimeoutMs,
    mode,
    crls: await loadCrls(name('crl'), options.crls ?? []),
  };
}

/** The policy alone, for callers that do not report configuration findings. */
export async function buildPolicy(options: PolicyOptions): Promise<Policy> {
  return (await configure(options)).policy;
}

/**
 * Turns the front end's option strings into a policy, with the findings that say how the
 * configuration weakens the verdict (no pin) or what it left out (CA certificates of a chain
 * file given as the pin). Throws ConfigurationError for anything that cannot be used.
 */
export async function configure(options: PolicyOptions): Promise<Configuration> {
  const name = options.optionName ?? ((option: string) => `--${option}`);
  const findings: Finding[] = [];
  const pins: Pin[] = [];
  const values = (options.signers ?? []).filter((value) => value.trim() !== '');
  const any = values.filter((value) => value.trim().toLowerCase() === ANY_SIGNER);
  if (any.length > 0 && any.length < values.length) {
    throw new ConfigurationError(
      `${name('signer')}: "${ANY_SIGNER}" accepts every signer and cannot be combined with a pin`,
    );
  }
  for (const value of any.length > 0 ? [] : values) {
    let parsed: Pin[];
    try {
      parsed = parsePin(value);
    } catch (error) {
      throw new ConfigurationError(`${name('signer')}: ${(error as Error).message}`);
    }
    pins.push(...withoutCaCertificates(parsed, value, name('signer'), findings));
  }
  if (options.pinFromMsi) {
    if (any.length > 0) {
      throw new ConfigurationError(
        `${name('signer')}: "${ANY_SIGNER}" accepts every signer and cannot be combined with ${name('pin-from-msi')}`,
      );
    }
    pins.push(...(await pinsFromMsi(options.pinFromMsi, name('pin-from-msi'))));
  }
  const signerMode: SignerMode = pins.length > 0 ? 'pinned' : any.length > 0 ? 'any' : 'none';
  if (signerMode === 'any') {
    findings.push({
      severity: options.anySignerSeverity ?? 'warning',
      code: 'signer-not-pinned',
      message: `no signer is pinned (${name('signer')} is "${ANY_SIGNER}"): every signer whose chain verifies passes, including a certificate that only copies the publisher's name`,
    });
  } else if (signerMode === 'none') {
    findings.push({
      severity: 'warning',
      code: 'signer-not-pinned',
      message: `no signer is pinned: every signer whose chain verifies passes, including a certificate that only copies the publisher's name; pin it with ${name('signer')}, or write ${name('signer')} ${ANY_SIGNER} to accept any signer on purpose`,
    });
  }

  const resolvePath = options.resolvePath ?? ((path: string) => path);
  const trust = (await loadTrust(name('trusted-roots'), options.trustedRoots, resolvePath)) ?? {
    certificates: [],
    rootProgram: windowsRootProgram(),
  };
  const tsaTrust = (await loadTrust(name('tsa-roots'), options.tsaRoots, resolvePath)) ?? trust;
  const intermediates = await loadBundle(name('intermediates'), options.intermediates);

  const minDigest = (options.minDigest || 'sha256').toLowerCase().replace('-', '');
  if (!MIN_DIGESTS.has(minDigest)) {
    throw new ConfigurationError(
      `${name('min-digest')} must be one of ${[...MIN_DIGESTS].join(', ')} (got "${options.minDigest}")`,
    );
  }
  let now = new Date();
  if (options.at) {
    now = new Date(options.at);
    if (Number.isNaN(now.getTime()))
      throw new ConfigurationError(`${name('at')}: "${options.at}" is not a date and time`);
  }
  const days = Number(options.expiryWarningDays ?? 30);
  if (!Number.isFinite(days) || days < 0) {
    throw new ConfigurationError(
      `${name('expiry-warning-days')} must be a number of days (got "${options.expiryWarningDays}")`,
    );
  }
  let timeBudgetMs: number | undefined;
  if (options.timeBudgetSeconds !== undefined && options.timeBudgetSeconds !== '') {
    const seconds = Number(options.timeBudgetSeconds);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new ConfigurationError(
        `${name('time-budget')} must be a positive number of seconds (got "${options.timeBudgetSeconds}")`,
      );
    }
    timeBudgetMs = Math.round(seconds * 1000);
  }
  const revocation = await buildRevocation(options, name);
  const payload = buildPayloadPolicy(options, name, findings);
  const policy = defaultPolicy({
    payload,
    ...(timeBudgetMs !== undefined ? { timeBudgetMs } : {}),
    revocation,
    signer: pins.length > 0 ? new PinSet(pins) : null,
    trustedRoots: trust.certificates,
    rootProgram: trust.rootProgram,
    tsaRoots: tsaTrust.certificates,
    tsaRootProgram: tsaTrust.rootProgram,
    intermediates,
    baselines: options.baselines ?? [],
    patchCertificate: oneOf<PatchCertificateLevel>(
      name('patch-certificate'),
      options.patchCertificate,
      ['require', 'warn', 'off'],
      'warn',
    ),
    requireTimestamp: options.requireTimestamp ?? false,
    signatures: oneOf(
      name('signatures'),
      options.signatures,
      ['primary', 'all'] as const,
      'primary',
    ),
    minDigest: minDigest as DigestAlgorithm,
    weakDigestSeverity: oneOf(
      name('weak-digest'),
      options.weakDigest,
      ['warning', 'error'] as const,
      'warning',
    ),
    expiryWarningDays: days,
    now,
  });
  return { policy, signerMode, findings };
}

/**
 * The payload policy from options: payload signers are parsed like the pin (files or
 * thumbprints, CA certificates in a file skipped with a notice); `any` makes no sense here.
 */
function buildPayloadPolicy(
  options: PolicyOptions,
  name: (option: string) => string,
  findings: Finding[],
): PayloadPolicy {
  const level = oneOf<PayloadLevel>(
    name('payload'),
    options.payload?.trim().toLowerCase(),
    ['off', 'warn', 'require'],
    'warn',
  );
  const pins: Pin[] = [];
  for (const value of (options.payloadSigners ?? []).flatMap((v) => splitLines(v))) {
    let parsed: Pin[];
    try {
      parsed = parsePin(value);
    } catch (error) {
      throw new ConfigurationError(`${name('payload-signer')}: ${(error as Error).message}`);
    }
    pins.push(...withoutCaCertificates(parsed, value, name('payload-signer'), findings));
  }
  const allowUnsigned = (options.payloadAllowUnsigned ?? []).flatMap((v) => splitLines(v));
  return { level, signers: pins.length > 0 ? new PinSet(pins) : null, allowUnsigned };
}

/** Entries of a multi-line input (or one CLI value), trimmed, blanks dropped. */
function splitLines(value: string): string[] {
  if (looksLikePemText(value)) return [value];
  return value
    .split(/\r?\n/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
