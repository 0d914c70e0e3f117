/**
 * The fill-patch-certificate action (fill-patch-certificate/action.yml): inputs → the same
 * fillPatchCertificate the CLI uses → log lines, annotations and outputs.
 */
import { resolve } from 'node:path';
import * as core from '@actions/core';
import { discoverArtifacts } from '../discover.js';
import { deriveKeys, describeFill, fillPatchCertificate, FillError } from '../fill/index.js';
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

function certificates(workspace: string): Certificate[] {
  const raw = core.getInput('certificate');
  if (raw.trim() === '') throw new InputError('input certificate is required');
  try {
    return looksLikePem(raw)
      ? parseInlinePem(raw, 'input certificate')
      : loadCertificateFile(resolve(workspace, raw.trim()));
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
    for (const finding of discovery.findings) core.error(finding.message);
    // A directory is searched for every package type; only installer databases are filled.
    const msis = discovery.inputs.filter((artifact) => /\.msi$/i.test(artifact.path));
    for (const skipped of discovery.inputs.filter((artifact) => !msis.includes(artifact))) {
      core.info(`${skipped.displayPath}: not an .msi; skipped`);
    }
    if (msis.length === 0) {
      throw new InputError(
        `no .msi file matched (${discovery.counts.map((c) => `${c.pattern}: ${c.count}`).join(', ')})`,
      );
    }

    let filled = 0;
    let unchanged = 0;
    let failed = discovery.findings.length;
    for (const msi of msis) {
      try {
        const result = await fillPatchCertificate(msi.path, signers, { id, removeSignature });
        for (const line of describeFill(result, workspace)) core.info(line);
        if (result.changed) filled++;
        else unchanged++;
      } catch (error) {
        failed++;
        core.error(`${msi.displayPath}: ${(error as Error).message}`, {
          title: 'fill-patch-certificate',
          file: msi.displayPath,
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
