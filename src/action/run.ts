import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import { discoverArtifacts, tooFewArtifacts } from '../discover.js';
import type { Finding } from '../findings.js';
import { ReportWriteError, writeReportFile } from '../io/report-file.js';
import { renderJson } from '../report/json.js';
import type { Report } from '../report/model.js';
import { renderText } from '../report/text.js';
import { sanitizeForTerminal } from '../report/escape.js';
import { ANY_SIGNER, ConfigurationError, configure } from '../verify/configure.js';
import { verifyArtifacts } from '../verify/verify-artifacts.js';
import { workflowContext } from './context.js';

function input(name: string): string {
  return core.getInput(name).trim();
}

function lines(name: string): string[] {
  return core
    .getMultilineInput(name)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function flag(name: string, fallback: boolean): boolean {
  const value = input(name).toLowerCase();
  if (value === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(value)) return true;
  if (['false', 'no', '0', 'off'].includes(value)) return false;
  throw new ConfigurationError(`input ${name} must be true or false (got "${value}")`);
}

/**
 * The configuration error for a run without a pin. An empty secret is the usual cause: GitHub
 * passes no secrets to pull requests from forks, nor by default to Dependabot.
 */
const NO_PIN_MESSAGE =
  'no signer is pinned: set input signer-certificate (a certificate file or inline PEM), signer-thumbprint (sha256:HEX) or pin-from-msi. If the value comes from a secret, the secret is empty for this event (GitHub passes no secrets to pull requests from forks, nor by default to Dependabot). To accept any signer whose chain verifies, set signer-certificate: any';

/** The signer-certificate input as a pin value: inline PEM, `any`, or a workspace path. */
function signerCertificateValue(raw: string, workspace: string): string[] {
  const value = raw.trim();
  if (value === '') return [];
  if (raw.includes('-----BEGIN')) return [raw];
  if (value.toLowerCase() === ANY_SIGNER) return [ANY_SIGNER];
  return [resolve(workspace, value)];
}

/** Writes a report; a failure is returned as one line, never thrown, so no result is lost. */
async function writeReport(
  inputName: string,
  path: string,
  text: () => string,
  workspace: string,
): Promise<string | undefined> {
  try {
    await writeReportFile(path, text(), { base: workspace });
    return undefined;
  } catch (error) {
    const detail =
      error instanceof ReportWriteError
        ? `${sanitizeForTerminal(error.path)}: ${error.detail}`
        : (error as Error).message;
    return `${inputName}: cannot write ${detail}`;
  }
}

/** The text report in a collapsed log group: the log says what was verified and why it failed. */
function logReport(report: Report): void {
  core.startGroup(
    `verify-authenticode: ${report.summary.total} artifact(s), ${report.summary.failed} failed`,
  );
  core.info(renderText(report, { color: false, quiet: false }).replace(/\n$/, ''));
  core.endGroup();
}

/**
 * The action: inputs → the same policy and verification the CLI uses → outputs, annotations,
 * job summary and reports. Nothing here decides a verdict. Every result channel is written even
 * when another fails (a report path that cannot be written fails the step with its own line).
 */
export async function run(): Promise<void> {
  try {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const configuration = await configure({
      // Name inputs as the workflow author wrote them; both pin inputs feed the signer option.
      optionName: (option) =>
        option === 'signer'
          ? 'input signer-certificate/signer-thumbprint'
          : option === 'crl'
            ? 'input revocation-crls'
            : option === 'payload-signer'
              ? 'input payload-signers'
              : `input ${option}`,
      signers: [
        ...signerCertificateValue(core.getInput('signer-certificate'), workspace),
        ...lines('signer-thumbprint'),
      ],
      pinFromMsi: input('pin-from-msi') ? resolve(workspace, input('pin-from-msi')) : undefined,
      trustedRoots: input('trusted-roots') || undefined,
      tsaRoots: input('tsa-roots') || undefined,
      resolvePath: (path) => resolve(workspace, path),
      baselines: lines('baseline').map((p) => resolve(workspace, p)),
      patchCertificate: input('patch-certificate') || 'warn',
      requireTimestamp: flag('require-timestamp', false),
      signatures: input('signatures') || 'primary',
      minDigest: input('min-digest') || undefined,
      weakDigest: input('weak-digest') || undefined,
      expiryWarningDays: input('expiry-warning-days') || undefined,
      at: input('at') || undefined,
      timeBudgetSeconds: input('time-budget') || undefined,
      anySignerSeverity: 'warning',
      revocation: input('revocation') || undefined,
      crls: lines('revocation-crls').map((p) => resolve(workspace, p)),
      payload: input('payload') || 'warn',
      // Thumbprints as written; certificate files relative to the workspace.
      payloadSigners: lines('payload-signers').map((v) =>
        /^sha(1|256):/i.test(v) ? v : resolve(workspace, v),
      ),
      payloadAllowUnsigned: lines('payload-allow-unsigned'),
    });
    if (configuration.signerMode === 'none') throw new ConfigurationError(NO_PIN_MESSAGE);
    const policy = configuration.policy;
    const minArtifacts = Number(input('min-artifacts') || '1');
    if (!Number.isInteger(minArtifacts) || minArtifacts < 0) {
      throw new ConfigurationError(
        `input min-artifacts must be a whole number (got "${input('min-artifacts')}")`,
      );
    }
    const failOn = input('fail-on') || 'error';
    if (!['error', 'warning', 'never'].includes(failOn)) {
      throw new ConfigurationError(
        `input fail-on must be error, warning or never (got "${failOn}")`,
      );
    }
    const annotate = flag('annotations', true);
    const summarizeRun = flag('summary', true);
    const patterns = lines('paths');
    if (patterns.length === 0) throw new ConfigurationError('input paths is required');

    const discovery = await discoverArtifacts(patterns, { cwd: workspace, workspace });
    const runFindings: Finding[] = [...configuration.findings, ...discovery.findings];
    const tooFew = tooFewArtifacts(discovery, minArtifacts);
    if (tooFew) runFindings.push(tooFew);
    const report = await verifyArtifacts(discovery.inputs, policy, {
      runFindings,
    });
    report.patterns = discovery.counts;
    logReport(report);

    const writeFailures: string[] = [];
    const reportPath = input('json-report')
      ? resolve(workspace, input('json-report'))
      : join(process.env.RUNNER_TEMP || tmpdir(), 'verify-authenticode-report.json');
    const jsonFailure = await writeReport(
      'input json-report',
      input('json-report') || reportPath,
      () => renderJson(report),
      workspace,
    );
    if (jsonFailure) writeFailures.push(jsonFailure);
    if (input('sarif-report')) {
      // The renderers below, and the finding descriptions they share, load only when asked for.
      const { renderSarif } = await import('../report/sarif.js');
      const failure = await writeReport(
        'input sarif-report',
        input('sarif-report'),
        () => renderSarif(report, { baseDirectory: workspace }),
        workspace,
      );
      if (failure) writeFailures.push(failure);
    }

    const runFailed = runFindings.some((f) => f.severity === 'error');
    const failed = report.summary.failed > 0 || runFailed;
    const reasons = [
      ...(report.summary.failed > 0
        ? [`${report.summary.failed} of ${report.summary.total} artifact(s) failed verification`]
        : []),
      ...runFindings.filter((f) => f.severity === 'error').map((f) => f.code),
    ];
    const failStep =
      (failOn === 'error' && failed) ||
      (failOn === 'warning' && (failed || report.summary.warnings > 0)) ||
      writeFailures.length > 0;

    if (annotate) {
      // The runner keeps a step's first 10 error annotations; the step's own failure message
      // (and each report that could not be written) must be among them.
      const reserved = (failStep ? 1 : 0) + writeFailures.length;
      const { planAnnotations } = await import('../report/annotations.js');
      for (const annotation of planAnnotations(report, { workspace, reservedErrors: reserved })) {
        const properties = {
          title: annotation.title,
          ...(annotation.file ? { file: annotation.file } : {}),
        };
        if (annotation.level === 'error') core.error(annotation.message, properties);
        else if (annotation.level === 'warning') core.warning(annotation.message, properties);
        else core.notice(annotation.message, properties);
      }
    }
    if (summarizeRun && process.env.GITHUB_STEP_SUMMARY) {
      try {
        const { renderSummary } = await import('../report/summary.js');
        await core.summary
          .addRaw(
            renderSummary(report, {
              context: workflowContext(),
              workspace,
              reportOutput: !jsonFailure,
            }),
          )
          .write();
      } catch (error) {
        writeFailures.push(`job summary: cannot write it: ${(error as Error).message}`);
      }
    }

    core.setOutput('total', report.summary.total);
    core.setOutput('passed', report.summary.passed);
    core.setOutput('failed', report.summary.failed);
    core.setOutput('warnings', report.summary.warnings);
    core.setOutput('result', failed ? 'fail' : 'pass');
    if (!jsonFailure) core.setOutput('report', reportPath);

    for (const failure of writeFailures) core.error(failure, { title: 'Report not written' });
    if (failOn === 'error' && failed) {
      core.setFailed(reasons.join('; '));
    } else if (failOn === 'warning' && (failed || report.summary.warnings > 0)) {
      core.setFailed([...reasons, `${report.summary.warnings} warning(s)`].join('; '));
    } else if (writeFailures.length > 0) {
      core.setFailed(
        `verification ${failed ? 'failed' : 'passed'}, but ${writeFailures.length} report(s) could not be written`,
      );
    }
  } catch (error) {
    core.setFailed(
      error instanceof ConfigurationError
        ? error.message
        : `verify-authenticode: ${(error as Error).stack ?? String(error)}`,
    );
  }
}
