/**
 * Issue #10, end to end: a pull request controls what is in the workspace, symbolic links
 * included. The action never follows a link out of the workspace when expanding globs, and an
 * artifact path that resolves outside the workspace (a link, `..`) is reported as
 * `outside-workspace` and not read. A path the workflow wrote explicitly outside the workspace
 * (absolute, `..`, a download directory) is read (issue 18 item 10). (Unit tests of discovery:
 * test/discover/.)
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { parseV2, outputLines } from '../report/support/runner-commands.js';
import { runAction } from '../support/action-runner.js';
import { REPO } from '../support/manifest.js';

let root: string;
let workspace: string;
let outside: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'va-boundary-'));
  workspace = join(root, 'workspace');
  outside = join(root, 'runner-home');
  mkdirSync(join(workspace, 'out'), { recursive: true });
  mkdirSync(join(outside, 'secrets'), { recursive: true });
  const signed = join(REPO, 'fixtures/msi/signed-sha256.msi');
  copyFileSync(signed, join(workspace, 'out', 'app.msi'));
  copyFileSync(signed, join(outside, 'secrets', 'token.msi'));
  // A link to a file outside, and a link to a directory outside, inside the build output.
  symlinkSync(join(outside, 'secrets', 'token.msi'), join(workspace, 'out', 'escape.msi'));
  symlinkSync(join(outside, 'secrets'), join(workspace, 'out', 'linked-dir'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function verify(paths: string) {
  const result = runAction(
    {
      paths,
      'signer-certificate': join(REPO, 'fixtures/pki/signer.pem'),
      'trusted-roots': join(REPO, 'fixtures/pki/trusted-roots.pem'),
      'min-artifacts': '0',
    },
    { workspace },
  );
  const report = JSON.parse(readFileSync(result.outputs.report!, 'utf8')) as Report;
  const errors = outputLines(result.stdout)
    .map(parseV2)
    .filter((c) => c?.name === 'error')
    .map((c) => c!.data);
  return { result, report, errors };
}

describe('the action at the workspace boundary', () => {
  it('does not descend a linked directory and reports a linked file outside the workspace', () => {
    const { result, report, errors } = verify('out/**/*.msi');
    expect(report.artifacts.map((a) => a.path)).toEqual(['out/app.msi']);
    expect(report.runFindings).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'outside-workspace',
        message: expect.stringContaining('out/escape.msi'),
      }),
    ]);
    // Nothing under the linked directory was even listed.
    expect(JSON.stringify(report)).not.toContain('token.msi');
    expect(JSON.stringify(report)).not.toContain('linked-dir');
    expect(
      errors.some((e) => e.includes('out/escape.msi') && e.includes('outside the workspace')),
    ).toBe(true);
    expect(result.outputs.result).toBe('fail');
    expect(result.status).toBe(1);
  });

  it.each([
    ['a glob whose base is a linked directory', 'out/linked-dir/*.msi'],
    ['a literal path through a linked directory', 'out/linked-dir/token.msi'],
  ])('reports %s as outside the workspace and does not read it', (_what, pattern) => {
    const { result, report } = verify(pattern.replace('__OUTSIDE__', outside));
    expect(report.artifacts).toEqual([]);
    expect(report.runFindings?.map((f) => f.code)).toEqual(['outside-workspace']);
    expect(result.status).toBe(1);
  });

  // Issue 18 item 10: what the workflow author wrote explicitly is read, wherever it is.
  it.each([
    ['a literal path with ..', '../runner-home/secrets/token.msi'],
    ['an absolute path', '__OUTSIDE__/secrets/token.msi'],
    ['a glob in an absolute directory', '__OUTSIDE__/secrets/*.msi'],
    ['an absolute directory', '__OUTSIDE__/secrets'],
  ])('reads %s the workflow wrote explicitly outside the workspace', (_what, pattern) => {
    const { result, report } = verify(pattern.replace('__OUTSIDE__', outside));
    expect(report.artifacts.map((a) => [a.path.endsWith('secrets/token.msi'), a.verdict])).toEqual([
      [true, 'pass'],
    ]);
    expect(report.runFindings ?? []).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('still verifies the files that are inside', () => {
    const { result, report } = verify('out/app.msi');
    expect(report.artifacts.map((a) => [a.path, a.verdict])).toEqual([['out/app.msi', 'pass']]);
    expect(report.runFindings ?? []).toEqual([]);
    expect(result.status).toBe(0);
  });
});
