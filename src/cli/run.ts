import { parseArgs, type ParseArgsConfig } from 'node:util';
import { discoverArtifacts, tooFewArtifacts } from '../discover.js';
import type { Finding } from '../findings.js';
import { ReportWriteError, writeReportFile } from '../io/report-file.js';
import { renderJson } from '../report/json.js';
import { renderText } from '../report/text.js';
import { sanitizeForTerminal } from '../report/escape.js';
import { ConfigurationError } from '../verify/configuration-error.js';
import { TOOL } from '../verify/tool.js';
import { FILL_USAGE, INSPECT_USAGE, MAIN_USAGE, VERIFY_USAGE } from './usage.js';
import { ProgressLine, progressDelay } from './progress.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A usage error: wrong or missing arguments (exit status 2, with the usage hint). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const VERIFY_OPTIONS = {
  signer: { type: 'string', multiple: true },
  'pin-from-msi': { type: 'string' },
  'trusted-roots': { type: 'string', multiple: true },
  'tsa-roots': { type: 'string', multiple: true },
  intermediates: { type: 'string' },
  baseline: { type: 'string', multiple: true },
  'patch-certificate': { type: 'string' },
  'require-timestamp': { type: 'boolean' },
  signatures: { type: 'string' },
  'min-digest': { type: 'string' },
  'weak-digest': { type: 'string' },
  'expiry-warning-days': { type: 'string' },
  at: { type: 'string' },
  'min-artifacts': { type: 'string' },
  json: { type: 'string' },
  sarif: { type: 'string' },
  quiet: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  concurrency: { type: 'string' },
  'time-budget': { type: 'string' },
  revocation: { type: 'string' },
  crl: { type: 'string', multiple: true },
  'revocation-timeout': { type: 'string' },
  payload: { type: 'string' },
  'payload-signer': { type: 'string', multiple: true },
  'payload-allow-unsigned': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages name the option; keep their first sentence (the rest is about "--").
    throw new UsageError(firstSentence((error as Error).message), usage);
  }
}

function firstSentence(message: string): string {
  const first = message.split(/(?<=\.) /)[0] ?? message;
  return first.replace(/\.$/, '').replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase());
}

/** The command's synopsis (its "Usage:" lines) and where to find the rest. */
export function usageHint(usage: string, command: string | undefined): string {
  const lines = usage.split('\n');
  const start = lines.findIndex((line) => line.startsWith('Usage:'));
  const synopsis: string[] = [];
  for (let i = start; start >= 0 && i < lines.length && lines[i]!.trim() !== ''; i++) {
    synopsis.push(lines[i]!);
  }
  const help = command ? `verify-authenticode ${command} --help` : 'verify-authenticode --help';
  return `${synopsis.map((line) => `${line}\n`).join('')}Run "${help}" for all options.\n`;
}

export function useColor(io: CliIo, noColor: boolean | undefined): boolean {
  if (noColor) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') return true;
  return io.stdout.isTTY === true;
}

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${name} must be a whole number (got "${value}")`, VERIFY_USAGE);
  return n;
}

async function runVerify(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, VERIFY_OPTIONS, VERIFY_USAGE);
  if (values.help) {
    io.stdout.write(VERIFY_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no artifacts given', VERIFY_USAGE);
  const minArtifacts = positiveInteger('--min-artifacts', values['min-artifacts'], 1);
  // Unset: the library's default (verify-artifacts.ts defaultConcurrency). 0 counts as 1.
  const concurrency =
    values.concurrency === undefined
      ? undefined
      : positiveInteger('--concurrency', values.concurrency, 1) || 1;
  if (values.json === '-' && values.sarif === '-') {
    throw new UsageError(
      '--json - and --sarif - cannot both write to standard output',
      VERIFY_USAGE,
    );
  }
  // The verifier loads once arguments are known to be usable: --help, --version and usage errors
  // do not compile it (issue 19).
  const [{ configure }, { verifyArtifacts }] = await Promise.all([
    import('../verify/configure.js'),
    import('../verify/verify-artifacts.js'),
  ]);
  const configuration = await configure({
    anySignerSeverity: 'notice',
    signers: values.signer,
    pinFromMsi: values['pin-from-msi'],
    trustedRoots: values['trusted-roots'],
    tsaRoots: values['tsa-roots'],
    intermediates: values.intermediates,
    baselines: values.baseline,
    patchCertificate: values['patch-certificate'],
    requireTimestamp: values['require-timestamp'],
    signatures: values.signatures,
    minDigest: values['min-digest'],
    weakDigest: values['weak-digest'],
    expiryWarningDays: values['expiry-warning-days'],
    at: values.at,
    timeBudgetSeconds: values['time-budget'],
    revocation: values.revocation,
    crls: values.crl,
    revocationTimeoutSeconds: values['revocation-timeout'],
    payload: values.payload,
    payloadSigners: values['payload-signer'],
    payloadAllowUnsigned: values['payload-allow-unsigned'],
  });
  const policy = configuration.policy;
  if (configuration.signerMode === 'none') {
    io.stderr.write(
      'verify-authenticode: warning: no signer is pinned, so any signer whose chain verifies passes; pin it with --signer, or write --signer any to accept any signer on purpose\n',
    );
  }

  const discovery = await discoverArtifacts(positionals, { cwd: io.cwd });
  const runFindings: Finding[] = [...configuration.findings, ...discovery.findings];
  const tooFew = tooFewArtifacts(discovery, minArtifacts);
  if (tooFew) runFindings.push(tooFew);
  const progress = new ProgressLine(io.stderr, {
    label: 'verifying',
    totalFiles: discovery.inputs.length,
    delayMs: progressDelay(io.env),
  });
  const report = await verifyArtifacts(discovery.inputs, policy, {
    concurrency,
    runFindings,
    onBytes: progress.addBytes,
    onInnerFile: progress.innerFileUnpacked,
    onArtifactVerified: () => progress.fileDone(),
  });
  progress.finish();
  report.patterns = discovery.counts;

  // Every report is attempted; one that cannot be written is one line on standard error.
  let writeFailed = false;
  const emit = async (path: string | undefined, text: () => string): Promise<void> => {
    if (path === undefined) return;
    if (path === '-') {
      io.stdout.write(text());
      return;
    }
    try {
      await writeReportFile(path, text(), { base: io.cwd });
    } catch (error) {
      if (!(error instanceof ReportWriteError)) throw error;
      writeFailed = true;
      io.stderr.write(`verify-authenticode: ${sanitizeForTerminal(error.message)}\n`);
    }
  };
  await emit(values.json, () => renderJson(report));
  if (values.sarif !== undefined) {
    // SARIF, and the finding descriptions it carries, load only when asked for (issue 19).
    const { renderSarif } = await import('../report/sarif.js');
    await emit(values.sarif, () => renderSarif(report, { baseDirectory: io.cwd }));
  }
  if (values.json !== '-' && values.sarif !== '-') {
    io.stdout.write(
      renderText(report, { color: useColor(io, values['no-color']), quiet: values.quiet ?? false }),
    );
  }
  const runFailed = runFindings.some((f) => f.severity === 'error');
  if (report.summary.failed > 0 || runFailed) return EXIT.failed;
  return writeFailed ? EXIT.reportNotWritten : EXIT.passed;
}

/**
 * Exit statuses. A report that cannot be written has its own status, so a script can tell "the
 * artifacts failed" from "the artifacts passed but the report file is missing"; a failed
 * verification is reported as such even when a report could not be written too.
 */
export const EXIT = { passed: 0, failed: 1, usage: 2, reportNotWritten: 3 } as const;

const COMMAND_USAGE: Readonly<Record<string, string>> = {
  verify: VERIFY_USAGE,
  inspect: INSPECT_USAGE,
  'fill-patch-certificate': FILL_USAGE,
};

function commandUsage(name: string | undefined): string | undefined {
  return name !== undefined && Object.hasOwn(COMMAND_USAGE, name) ? COMMAND_USAGE[name] : undefined;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr.write(MAIN_USAGE);
        return 2;
      case '-h':
      case '--help':
        io.stdout.write(MAIN_USAGE);
        return 0;
      case 'help': {
        const usage = rest[0] === undefined ? MAIN_USAGE : commandUsage(rest[0]);
        if (!usage) throw new UsageError(`unknown command "${rest[0]}"`, MAIN_USAGE);
        io.stdout.write(usage);
        return 0;
      }
      case '-v':
      case '--version':
        io.stdout.write(
          `${TOOL.version}\nwindows trust store: ${TOOL.windowsRoots.origin}, list of ${TOOL.windowsRoots.thisUpdate} (sequence ${TOOL.windowsRoots.sequenceNumber})\n`,
        );
        return 0;
      case 'verify':
        return await runVerify(rest, io);
      // Each command's code loads when it runs: `verify` does not pay for inspect or fill.
      case 'inspect':
        return await (await import('./inspect.js')).runInspect(rest, io);
      case 'fill-patch-certificate':
        return await (await import('./fill.js')).runFill(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`, MAIN_USAGE);
    }
  } catch (error) {
    // One line saying what is wrong, then the synopsis and where the options are described.
    const known = commandUsage(command) ? command : undefined;
    if (error instanceof UsageError) {
      const hint =
        error.usage === MAIN_USAGE
          ? `Commands: ${Object.keys(COMMAND_USAGE).join(', ')}\nRun "verify-authenticode --help" for more.\n`
          : usageHint(error.usage, known);
      io.stderr.write(`verify-authenticode: ${error.message}\n${hint}`);
      return 2;
    }
    if (error instanceof ConfigurationError) {
      const hint = usageHint(commandUsage(known) ?? MAIN_USAGE, known);
      io.stderr.write(`verify-authenticode: ${error.message}\n${hint}`);
      return 2;
    }
    throw error;
  }
}

export { INSPECT_USAGE, FILL_USAGE };
