import { isAbsolute, relative, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { deriveKeys, describeFill, fillPatchCertificate, FillError } from '../fill/index.js';
import { BundleError, loadCertificateFile } from '../trust/index.js';
import { ConfigurationError } from '../verify/configure.js';
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

/**
 * `fill-patch-certificate <msi>... --cert <FILE>…`: exit 0 when every MSI lists the
 * certificates (filled now or already), 1 when a file could not be filled, 2 for usage and
 * configuration errors (thrown as UsageError / ConfigurationError for runCli to report).
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
  if (values.out !== undefined && positionals.length > 1) {
    throw new UsageError(`--out takes one input MSI; ${positionals.length} were given`, FILL_USAGE);
  }
  const certificates = loadCertificates(certPaths, io.cwd);
  try {
    // Checked once up front: the keys do not depend on the package.
    deriveKeys(certificates, values.id);
  } catch (error) {
    if (error instanceof FillError) throw new UsageError(`--id: ${error.message}`, FILL_USAGE);
    throw error;
  }

  let failures = 0;
  for (const input of positionals) {
    const path = resolve(io.cwd, input);
    try {
      const result = await fillPatchCertificate(path, certificates, {
        id: values.id,
        out: values.out === undefined ? undefined : resolve(io.cwd, values.out),
        removeSignature: values['remove-signature'] ?? false,
      });
      for (const line of describeFill(result, io.cwd)) io.stdout.write(`${line}\n`);
    } catch (error) {
      failures++;
      const message = error instanceof Error ? error.message : String(error);
      io.stderr.write(`verify-authenticode: ${display(path, io.cwd)}: ${message}\n`);
    }
  }
  return failures > 0 ? 1 : 0;
}
