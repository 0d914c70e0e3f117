import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { inspectFile } from '../inspect/index.js';
import { inspectPayload } from '../inspect/payload.js';
import { buildRevocation } from '../verify/configure.js';
import { renderPayloadText } from '../report/payload-text.js';
import { renderInspectionText } from '../report/inspect-text.js';
import { ProgressLine, progressDelay } from './progress.js';
import { parse, useColor, UsageError, type CliIo } from './run.js';
import { INSPECT_USAGE } from './usage.js';

const INSPECT_OPTIONS = {
  json: { type: 'boolean' },
  at: { type: 'string' },
  revocation: { type: 'string' },
  crl: { type: 'string', multiple: true },
  'revocation-timeout': { type: 'string' },
  payload: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/**
 * `verify-authenticode inspect <file>`: everything about one file's signatures, no policy.
 * Exit status 0 when the file could be read as a package (signed or not, valid or not), 1 when
 * it could not (not a package, damaged structure, unreadable), 2 on usage errors.
 */
export async function runInspect(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, INSPECT_OPTIONS, INSPECT_USAGE);
  if (values.help) {
    io.stdout.write(INSPECT_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no file given', INSPECT_USAGE);
  if (positionals.length > 1) {
    throw new UsageError(
      `inspect takes one file (got ${positionals.length}); use "verify" for several`,
      INSPECT_USAGE,
    );
  }
  let now: Date | undefined;
  if (values.at !== undefined) {
    now = new Date(values.at);
    if (Number.isNaN(now.getTime())) {
      throw new UsageError(`--at: "${values.at}" is not a date and time`, INSPECT_USAGE);
    }
  }
  const revocation = await buildRevocation({
    revocation: values.revocation,
    crls: values.crl,
    revocationTimeoutSeconds: values['revocation-timeout'],
  });
  const given = positionals[0]!;
  const path = resolve(io.cwd, given);
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) {
    throw new UsageError(
      `${JSON.stringify(given)} is a directory; inspect takes one file (verify searches directories)`,
      INSPECT_USAGE,
    );
  }

  const progress = new ProgressLine(io.stderr, {
    label: 'inspecting',
    totalFiles: 1,
    totalBytes: info?.size,
    delayMs: progressDelay(io.env),
  });
  const inspection = await inspectFile(path, {
    displayPath: given,
    now,
    onBytes: progress.addBytes,
    revocation,
  });
  progress.fileDone();
  progress.finish();

  // The payload is listed only for a readable package: a damaged one has nothing to walk.
  const payload =
    values.payload && inspection.readable
      ? ((await inspectPayload(path, inspection.kind, { now })) ?? undefined)
      : undefined;
  if (values.json) {
    const output = payload ? { ...inspection, payload } : inspection;
    io.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } else {
    io.stdout.write(renderInspectionText(inspection, { color: useColor(io, values['no-color']) }));
    if (payload) io.stdout.write(renderPayloadText(payload));
  }
  return inspection.readable ? 0 : 1;
}
