/**
 * The fill-patch-certificate action (fill-patch-certificate/action.yml): inputs → the same
 * fillPatchCertificate the CLI uses → log lines, annotations and outputs.
 */
import { resolve } from 'node:path';
import * as core from '@actions/core';
import { discoverArtifacts } from '../discover.js';
import { workspaceRelativePath } from '../report/annotations.js';
import {
  deriveKeys,
  describeFill,
  fillPatchCertificate,
  FillError,
  patchCertificatesFrom,
} from '../fill/index.js';
import { sanitizeForTerminal } from '../report/escape.js';
import { loadCertificateFile, looksLikePem, parseInlinePem } from '../trust/index.js';
import type { Certificate } from '../x509/certificate.js';

/** A failure in the inputs, reported as one line. */
class InputError extends Error {}

function input(name: string): string {
  return core.getInput(name).trim();
}

function flag(name: string): boolean {
  const value = input(name).toLowerCase();
  if (value === '' || ['false', 'no', '0', 'off'].includes(value)) return false;
  if (['true', 'yes', '1', 'on'].includes(value)) return true;
  throw new InputError(`input ${name} must be true or false (got "${value}")`);
}

/** File-controlled text for the log and annotations: one line, nothing a runner would act on. */
const t = (text: string): string => sanitizeForTerminal(text);

function certificates(workspace: string): Certificate[] {
  const raw = core.getInput('certificate');
  if (raw.trim() === '') throw new InputError('input certificate is required');
  let given: Certificate[];
  try {
    given = looksLikePem(raw)
      ? parseInlinePem(raw, 'input certificate')
      : loadCertificateFile(resolve(workspace, raw.trim()));
  } catch (error) {
    throw new InputError(`input certificate: ${t((error as Error).message)}`);
  }
  try {
    const { certificates, skipped } = patchCertificatesFrom(given);
    for (const ca of skipped) {
      core.notice(
        `input certificate: skipped "${t(ca.subject)}", a CA certificate (basicConstraints CA:TRUE); only the signer is listed in MsiPatchCertificate`,
        { title: 'ca-certificate-skipped' },
      );
    }
    return certificates;
  } catch (error) {
    throw new InputError(`input certificate: ${(error as Error).message}`);
  }
}

export async function runFillAction(): Promise<void> {
  try {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const patterns = core
      .getMultilineInput('paths')
      .map((line) => line.trim())
      .filter((line) => line !== '');
    if (patterns.length === 0) throw new InputError('input paths is required');
    const signers = certificates(workspace);
    const id = input('id') || undefined;
    try {
      deriveKeys(signers, id);
    } catch (error) {
      if (error instanceof FillError) throw new InputError(`input id: ${error.message}`);
      throw error;
    }
    const removeSignature = flag('remove-signature');

    const discovery = await discoverArtifacts(patterns, { cwd: workspace, workspace });
    const counts = discovery.counts.map((c) => `${t(c.pattern)}: ${c.count}`).join(', ');
    core.info(`files matched: ${counts}`);
    for (const finding of discovery.findings) {
      const properties = { title: finding.code };
      if (finding.severity === 'error') core.error(t(finding.message), properties);
      else core.warning(t(finding.message), properties);
    }
    // A directory is searched for every package type; only installer databases are filled.
    const msis = discovery.inputs.filter((artifact) => /\.msi$/i.test(artifact.path));
    for (const skipped of discovery.inputs.filter((artifact) => !msis.includes(artifact))) {
      core.info(`${t(skipped.displayPath)}: not an .msi; skipped`);
    }
    if (msis.length === 0) throw new InputError(`no .msi file matched (${counts})`);

    let filled = 0;
    let unchanged = 0;
    let failed = discovery.findings.filter((finding) => finding.severity === 'error').length;
    for (const msi of msis) {
      try {
        const result = await fillPatchCertificate(msi.path, signers, { id, removeSignature });
        for (const line of describeFill(result, workspace)) core.info(line);
        if (result.changed) filled++;
        else unchanged++;
      } catch (error) {
        failed++;
        const hint =
          error instanceof FillError && error.code === 'signed'
            ? ' (set the input remove-signature: true)'
            : '';
        const file = workspaceRelativePath(msi.path, workspace);
        core.error(`${t(msi.displayPath)}: ${t((error as Error).message)}${hint}`, {
          title: 'fill-patch-certificate',
          ...(file !== undefined ? { file } : {}),
        });
      }
    }
    core.setOutput('filled', filled);
    core.setOutput('unchanged', unchanged);
    core.setOutput('failed', failed);
    if (failed > 0) core.setFailed(`${failed} file(s) could not be filled`);
  } catch (error) {
    core.setFailed(
      error instanceof InputError
        ? error.message
        : `fill-patch-certificate: ${(error as Error).stack ?? String(error)}`,
    );
  }
}

await runFillAction();
