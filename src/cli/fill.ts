import { isAbsolute, relative, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { discoverArtifacts } from '../discover.js';
import { hasGlobMagic } from '../glob.js';
import {
  deriveKeys,
  describeFill,
  fillPatchCertificate,
  FillError,
  patchCertificatesFrom,
} from '../fill/index.js';
import { sanitizeForTerminal } from '../report/escape.js';
import { BundleError, loadCertificateFile } from '../trust/index.js';
import { ConfigurationError } from '../verify/configuration-error.js';
import type { Certificate } from '../x509/certificate.js';
import { parse, UsageError, type CliIo } from './run.js';
import { FILL_USAGE } from './usage.js';

const FILL_OPTIONS = {
  cert: { type: 'string', multiple: true },
  id: { type: 'string' },
  out: { type: 'string' },
  'remove-signature': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** A path as the user will recognise it: relative to the working directory when inside it. */
function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function loadCertificates(paths: readonly string[], cwd: string): Certificate[] {
  return paths.flatMap((path) => {
    try {
      return loadCertificateFile(resolve(cwd, path));
    } catch (error) {
      // Named as the user wrote it, like the verify command's bundle options.
      if (error instanceof BundleError)
        throw new ConfigurationError(`--cert: ${path}: ${error.detail}`);
      throw error;
    }
  });
}

/** A file name or message for standard error: one line, no control characters. */
const t = (text: string): string => sanitizeForTerminal(text);

/**
 * `fill-patch-certificate <msi|glob>... --cert <FILE>…`: exit 0 when every MSI lists the
 * certificates (filled now or already), 1 when a file could not be filled or a literal path does
 * not exist, 2 for usage and configuration errors (thrown as UsageError / ConfigurationError for
 * runCli to report). Paths are expanded like the verify command's.
 */
export async function runFill(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, FILL_OPTIONS, FILL_USAGE);
  if (values.help) {
    io.stdout.write(FILL_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no MSI given', FILL_USAGE);
  const certPaths = values.cert ?? [];
  if (certPaths.length === 0) throw new UsageError('--cert is required', FILL_USAGE);
  let certificates: Certificate[];
  try {
    const given = patchCertificatesFrom(loadCertificates(certPaths, io.cwd));
    certificates = given.certificates;
    for (const skipped of given.skipped) {
      io.stderr.write(
        `verify-authenticode: --cert: skipped "${t(skipped.subject)}", a CA certificate (basicConstraints CA:TRUE); only the signer is listed\n`,
      );
    }
    // Checked once up front: the keys do not depend on the package.
    deriveKeys(certificates, values.id);
  } catch (error) {
    if (!(error instanceof FillError)) throw error;
    if (error.code === 'no-certificates') throw new ConfigurationError(`--cert: ${error.message}`);
    throw new UsageError(`--id: ${error.message}`, FILL_USAGE);
  }

  const discovery = await discoverArtifacts(positionals, { cwd: io.cwd });
  const literal = new Set(positionals);
  // A directory or glob is searched for every package type; only installer databases are filled.
  const msis = discovery.inputs.filter(
    (input) => literal.has(input.displayPath) || /\.msi$/i.test(input.path),
  );
  if (values.out !== undefined && msis.length > 1) {
    throw new UsageError(`--out takes one input MSI; ${msis.length} were given`, FILL_USAGE);
  }
  let failures = 0;
  for (const finding of discovery.findings) {
    if (finding.severity === 'error') failures++;
    io.stderr.write(`verify-authenticode: ${finding.severity}: ${t(finding.message)}\n`);
  }
  // Globs and directories say how much they matched; a literal path that exists is one file.
  if (discovery.counts.some((c) => hasGlobMagic(c.pattern) || c.count !== 1)) {
    const counts = discovery.counts.map((c) => `${t(c.pattern)}: ${c.count}`).join(', ');
    io.stderr.write(`verify-authenticode: files matched: ${counts}\n`);
  }

  for (const input of msis) {
    try {
      const result = await fillPatchCertificate(input.path, certificates, {
        id: values.id,
        out: values.out === undefined ? undefined : resolve(io.cwd, values.out),
        removeSignature: values['remove-signature'] ?? false,
      });
      for (const line of describeFill(result, io.cwd)) io.stdout.write(`${line}\n`);
    } catch (error) {
      failures++;
      const message = error instanceof Error ? error.message : String(error);
      const hint =
        error instanceof FillError && error.code === 'signed' ? ' (pass --remove-signature)' : '';
      io.stderr.write(
        `verify-authenticode: ${t(display(input.path, io.cwd))}: ${t(message)}${hint}\n`,
      );
    }
  }
  return failures > 0 ? 1 : 0;
}
