import { writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import { context } from '@actions/github';
import { discoverArtifacts, tooFewArtifacts } from '../discover.js';
import type { Finding } from '../findings.js';
import { planAnnotations, renderJson, renderSarif, renderSummary } from '../report/index.js';
import { ConfigurationError, buildPolicy } from '../verify/configure.js';
import { verifyArtifacts } from '../verify/verify-artifacts.js';

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
 * The action: inputs → the same policy and verification the CLI uses → outputs, annotations,
 * job summary and reports. Nothing here decides a verdict.
 */
export async function run(): Promise<void> {
  try {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const signerCertificate = core.getInput('signer-certificate');
    const policy = await buildPolicy({
      // Name inputs as the workflow author wrote them; both pin inputs feed the signer option.
      optionName: (option) =>
        option === 'signer' ? 'input signer-certificate/signer-thumbprint' : `input ${option}`,
      signers: [
        ...(signerCertificate.trim()
          ? [
              signerCertificate.includes('-----BEGIN')
                ? signerCertificate
                : resolve(workspace, signerCertificate.trim()),
            ]
          : []),
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
    });
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
    const patterns = lines('paths');
    if (patterns.length === 0) throw new ConfigurationError('input paths is required');

    const discovery = await discoverArtifacts(patterns, { cwd: workspace, workspace });
    const runFindings: Finding[] = [...discovery.findings];
    const tooFew = tooFewArtifacts(discovery, minArtifacts);
    if (tooFew) runFindings.push(tooFew);
    const report = await verifyArtifacts(discovery.inputs, policy, {
      concurrency: availableParallelism(),
      runFindings,
    });

    const reportPath = input('json-report')
      ? resolve(workspace, input('json-report'))
      : join(process.env.RUNNER_TEMP || tmpdir(), 'verify-authenticode-report.json');
    await writeFile(reportPath, renderJson(report));
    if (input('sarif-report')) {
      await writeFile(
        resolve(workspace, input('sarif-report')),
        renderSarif(report, { baseDirectory: workspace }),
      );
    }

    if (flag('annotations', true)) {
      for (const annotation of planAnnotations(report, { workspace })) {
        const properties = {
          title: annotation.title,
          ...(annotation.file ? { file: annotation.file } : {}),
        };
        if (annotation.level === 'error') core.error(annotation.message, properties);
        else if (annotation.level === 'warning') core.warning(annotation.message, properties);
        else core.notice(annotation.message, properties);
      }
    }
    if (flag('summary', true) && process.env.GITHUB_STEP_SUMMARY) {
      const pr = context.payload.pull_request;
      await core.summary
        .addRaw(
          renderSummary(report, {
            context: {
              sha: context.sha,
              ref: context.ref,
              ...(pr
                ? {
                    pullRequest: {
                      number: pr.number,
                      title: String(pr.title ?? ''),
                      url: String(pr.html_url ?? ''),
                    },
                  }
                : {}),
            },
          }),
        )
        .write();
    }

    const runFailed = runFindings.some((f) => f.severity === 'error');
    const failed = report.summary.failed > 0 || runFailed;
    core.setOutput('total', report.summary.total);
    core.setOutput('passed', report.summary.passed);
    core.setOutput('failed', report.summary.failed);
    core.setOutput('warnings', report.summary.warnings);
    core.setOutput('result', failed ? 'fail' : 'pass');
    core.setOutput('report', reportPath);

    const reasons = [
      ...(report.summary.failed > 0
        ? [`${report.summary.failed} of ${report.summary.total} artifact(s) failed verification`]
        : []),
      ...runFindings.filter((f) => f.severity === 'error').map((f) => f.code),
    ];
    if (failOn === 'error' && failed) {
      core.setFailed(reasons.join('; '));
    } else if (failOn === 'warning' && (failed || report.summary.warnings > 0)) {
      core.setFailed([...reasons, `${report.summary.warnings} warning(s)`].join('; '));
    }
  } catch (error) {
    core.setFailed(
      error instanceof ConfigurationError
        ? error.message
        : `verify-authenticode: ${(error as Error).stack ?? String(error)}`,
    );
  }
}
