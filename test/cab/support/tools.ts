/**
 * Runs the Debian cabinet and signing tools the tests cross-check against: gcab, cabextract,
 * osslsigncode and openssl. Each suite works in its own temporary directory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolNotStarted } from '../../support/tools.js';

export function makeTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a tool, returning stdout; throws with stderr when it fails. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // A tool that could not be started says which one and how to install it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw toolNotStarted(cmd, error as Error);
    throw error;
  }
}

/** Runs a tool and returns its combined output and status without throwing. */
export function runStatus(
  cmd: string,
  args: string[],
  cwd: string,
): { status: number; output: string } {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (result.error) throw toolNotStarted(cmd, result.error);
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** A self-signed code-signing certificate and key (c.pem, k.pem) in `dir`. */
export function makeSigningCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'c.pem');
  const key = join(dir, 'k.pem');
  run(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=t',
      '-addext',
      'extendedKeyUsage=codeSigning',
      '-days',
      '30',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    dir,
  );
  return { cert, key };
}

export interface OsslDigest {
  algorithm: string;
  current: string;
  calculated: string;
}

/** `osslsigncode verify` digests, one entry per signature (primary first, then nested). */
export function osslsigncodeDigests(file: string, caFile: string, cwd: string): OsslDigest[] {
  const { output } = runStatus('osslsigncode', ['verify', '-in', file, '-CAfile', caFile], cwd);
  const digests: OsslDigest[] = [];
  const re =
    /Message digest algorithm\s+:\s+(\S+)\s+Current message digest\s+:\s+([0-9A-F]+)\s+Calculated message digest\s+:\s+([0-9A-F]+)/g;
  for (const m of output.matchAll(re)) {
    digests.push({
      algorithm: m[1]!,
      current: m[2]!.toLowerCase(),
      calculated: m[3]!.toLowerCase(),
    });
  }
  if (digests.length === 0) throw new Error(`no digests in osslsigncode output:\n${output}`);
  return digests;
}
