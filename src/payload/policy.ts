/**
 * The payload policy (issue 17): what the inner executables of a package must be. With
 * `payload: off` nothing is walked; under `warn` (the default) an inner executable that is
 * unsigned, badly signed, or signed by someone not accepted is a warning, under `require` an
 * error. Accepted signers are the pinned signer plus `payload-signers` (typically Microsoft
 * for redistributables). `payload-allow-unsigned` globs excuse unsigned files by inner path,
 * and each glob's count is reported so that a stale entry is visible.
 *
 * This module judges verdicts the PE engine produced for each inner file; it does no
 * cryptography itself.
 */
import type { Finding, Severity } from '../findings.js';
import type { Certificate } from '../x509/certificate.js';
import type { PayloadFile } from './walk.js';

export type PayloadLevel = 'off' | 'warn' | 'require';

/** Something that accepts or rejects a signer certificate (a PinSet). */
export interface SignerMatcher {
  matches(certificate: Certificate): boolean;
}

export interface PayloadPolicy {
  readonly level: PayloadLevel;
  /** Accepted besides the pinned signer. */
  readonly signers: SignerMatcher | null;
  /** Globs over inner paths whose files may be unsigned. */
  readonly allowUnsigned: readonly string[];
}

export const DEFAULT_PAYLOAD_POLICY: PayloadPolicy = {
  level: 'warn',
  signers: null,
  allowUnsigned: [],
};

/** What the PE engine decided about one inner executable. */
export interface InnerVerdict {
  readonly file: PayloadFile;
  /** No signature at all. */
  readonly unsigned: boolean;
  /** The signature verified (digest, signature value, chain) — whoever signed it. */
  readonly valid: boolean;
  readonly signer: Certificate | null;
  /** Display name of the signer (subject CN or O). */
  readonly signerName: string | null;
  /** Why a present signature is not valid (the PE engine's first error code), if it is not. */
  readonly problem: string | null;
}

export interface PayloadSummary {
  readonly executables: number;
  /** Valid and signed by the pinned signer. */
  readonly byPinned: number;
  /** Valid and signed by an accepted payload signer, per signer name. */
  readonly byOthers: ReadonlyMap<string, number>;
  /** Valid signature by a signer that is not accepted, per signer name. */
  readonly byUnaccepted: ReadonlyMap<string, number>;
  /** Unsigned or invalid, by inner path. */
  readonly unsigned: readonly string[];
  /** Excused by payload-allow-unsigned, by glob, with counts (0: a stale entry). */
  readonly excused: ReadonlyMap<string, number>;
}

export interface PayloadEvaluation {
  readonly findings: Finding[];
  readonly summary: PayloadSummary;
  /** Each unsigned file payload-allow-unsigned excused (inner path → the glob that did). */
  readonly allowedBy: ReadonlyMap<string, string>;
}

/** An inner path as shown and matched: the containers from the artifact down, joined by ▸. */
export function innerPath(file: PayloadFile): string {
  return file.path.join(' ▸ ');
}

/**
 * A glob over inner paths: `*` and `?` within a path segment, `**` across segments; every other
 * character, including `[` and `]` (install paths start with `[ProgramFilesFolder]`), is
 * literal. Matching ignores case, as Windows paths do. A glob matches the innermost path
 * (`[ProgramFilesFolder]/App/x.dll`) or the whole chain joined by `/`.
 */
export function innerPathMatcher(glob: string): (file: PayloadFile) => boolean {
  let source = '';
  const pattern = glob.replace(/\\/g, '/');
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` is any number of whole segments (none included); a bare `**` is anything.
      i++;
      if (pattern[i + 1] === '/') {
        source += '(?:.*/)?';
        i++;
      } else source += '.*';
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`, 'i');
  return (file) => regex.test(file.path.at(-1) ?? '') || regex.test(file.path.join('/'));
}

/** Most inner paths one finding names before it only counts the rest. */
const NAMED = 10;

function listed(paths: readonly string[]): string {
  const shown = paths.slice(0, NAMED).join(', ');
  return paths.length > NAMED ? `${shown} and ${paths.length - NAMED} more` : shown;
}

/**
 * Judges the inner executables of one artifact. `pinned` is the artifact's own signer pin
 * (inner files signed by it are "signed by you").
 */
export function evaluatePayload(
  verdicts: readonly InnerVerdict[],
  policy: PayloadPolicy,
  pinned: SignerMatcher | null,
): PayloadEvaluation {
  const severity: Severity = policy.level === 'require' ? 'error' : 'warning';
  const matchers = policy.allowUnsigned.map((glob) => ({ glob, match: innerPathMatcher(glob) }));
  const excused = new Map(policy.allowUnsigned.map((glob) => [glob, 0]));
  const allowedBy = new Map<string, string>();
  const byOthers = new Map<string, number>();
  const byUnaccepted = new Map<string, number>();
  const unsigned: string[] = [];
  /** Inner path and why its signature does not verify. */
  const invalid: { path: string; problem: string }[] = [];
  const wrongSigner: { path: string; signer: string }[] = [];
  let byPinned = 0;
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  for (const verdict of verdicts) {
    const path = innerPath(verdict.file);
    if (verdict.valid && verdict.signer) {
      const name = verdict.signerName ?? 'an unnamed signer';
      if (pinned?.matches(verdict.signer)) byPinned++;
      else if (policy.signers?.matches(verdict.signer)) bump(byOthers, name);
      else {
        bump(byUnaccepted, name);
        wrongSigner.push({ path, signer: name });
      }
      continue;
    }
    const excuse = matchers.find((m) => m.match(verdict.file));
    if (excuse && verdict.unsigned) {
      bump(excused, excuse.glob);
      allowedBy.set(path, excuse.glob);
      continue;
    }
    if (verdict.unsigned) unsigned.push(path);
    else invalid.push({ path, problem: verdict.problem ?? 'invalid signature' });
  }

  const findings: Finding[] = [];
  if (policy.level !== 'off') {
    if (unsigned.length > 0) {
      findings.push({
        severity,
        code: 'payload-unsigned',
        message: `${unsigned.length} executable(s) inside are not signed: ${listed(unsigned)}`,
        innerPaths: unsigned,
      });
    }
    if (invalid.length > 0) {
      findings.push({
        severity,
        code: 'payload-unsigned',
        message: `${invalid.length} executable(s) inside have a signature that does not verify: ${listed(invalid.map((i) => `${i.path} (${i.problem})`))}`,
        innerPaths: invalid.map((i) => i.path),
      });
    }
    if (wrongSigner.length > 0) {
      findings.push({
        severity,
        code: 'payload-wrong-signer',
        message: `${wrongSigner.length} executable(s) inside are signed by someone neither pinned nor in payload-signers: ${listed(wrongSigner.map((w) => `${w.path} (${w.signer})`))}`,
        innerPaths: wrongSigner.map((w) => w.path),
      });
    }
    for (const [glob, count] of excused) {
      findings.push({
        severity: 'notice',
        code: 'payload-unsigned-excused',
        message:
          count > 0
            ? `payload-allow-unsigned ${JSON.stringify(glob)} excused ${count} unsigned executable(s)`
            : `payload-allow-unsigned ${JSON.stringify(glob)} excused nothing: remove it if the file is gone or now signed`,
      });
    }
  }
  return {
    findings,
    allowedBy,
    summary: {
      executables: verdicts.length,
      byPinned,
      byOthers,
      byUnaccepted,
      unsigned: [...unsigned, ...invalid.map((i) => i.path)],
      excused,
    },
  };
}

/**
 * "42 executables inside: 40 signed by you, 1 by Microsoft Corporation, 1 unsigned
 * (bin/x.dll)" — the job summary's line for one artifact.
 */
export function payloadSummaryLine(summary: PayloadSummary): string {
  if (summary.executables === 0) return 'no executables inside';
  const parts: string[] = [];
  if (summary.byPinned > 0) parts.push(`${summary.byPinned} signed by you`);
  for (const [name, count] of [...summary.byOthers, ...summary.byUnaccepted]) {
    parts.push(`${count} by ${name}`);
  }
  const excused = [...summary.excused.values()].reduce((a, b) => a + b, 0);
  if (summary.unsigned.length > 0) {
    parts.push(`${summary.unsigned.length} unsigned (${listed(summary.unsigned)})`);
  }
  if (excused > 0) parts.push(`${excused} unsigned and allowed`);
  const noun = summary.executables === 1 ? 'executable' : 'executables';
  return `${summary.executables} ${noun} inside: ${parts.join(', ')}`;
}
