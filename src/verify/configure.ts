import { openCompoundFile } from '../cfb/index.js';
import { DIGEST_OIDS, type DigestAlgorithm } from '../digest.js';
import { RandomAccessFile } from '../io/random-access-file.js';
import { loadCertificateFile, parsePin, PinSet, type Pin } from '../trust/index.js';
import type { RootProgram } from '../trust/root-program.js';
import { windowsRootProgram } from '../trust/windows-roots.js';
import { Certificate } from '../x509/certificate.js';
import { readPackageFacts } from './package-facts.js';
import { defaultPolicy, type PatchCertificateLevel, type Policy } from './policy.js';

/** A wrong option or unreadable trust material: the run cannot start (exit status 2). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

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
  /** How the front end calls an option in messages (`--signer` on the command line, `input signer-certificate` in the action). */
  optionName?: (option: string) => string;
}

const DIGESTS = new Set<string>(Object.values(DIGEST_OIDS));

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

export async function buildPolicy(options: PolicyOptions): Promise<Policy> {
  const name = options.optionName ?? ((option: string) => `--${option}`);
  const pins: Pin[] = [];
  for (const value of options.signers ?? []) {
    if (value.trim() === '') continue;
    try {
      pins.push(...(await parsePin(value)));
    } catch (error) {
      throw new ConfigurationError(`${name('signer')}: ${(error as Error).message}`);
    }
  }
  if (options.pinFromMsi)
    pins.push(...(await pinsFromMsi(options.pinFromMsi, name('pin-from-msi'))));

  const resolvePath = options.resolvePath ?? ((path: string) => path);
  const trust = (await loadTrust(name('trusted-roots'), options.trustedRoots, resolvePath)) ?? {
    certificates: [],
    rootProgram: windowsRootProgram(),
  };
  const tsaTrust = (await loadTrust(name('tsa-roots'), options.tsaRoots, resolvePath)) ?? trust;
  const intermediates = await loadBundle(name('intermediates'), options.intermediates);

  const minDigest = (options.minDigest || 'sha256').toLowerCase().replace('-', '');
  if (!DIGESTS.has(minDigest)) {
    throw new ConfigurationError(
      `${name('min-digest')} must be one of ${[...DIGESTS].join(', ')} (got "${options.minDigest}")`,
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
  return defaultPolicy({
    ...(timeBudgetMs !== undefined ? { timeBudgetMs } : {}),
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
}
