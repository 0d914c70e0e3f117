/**
 * The fill-patch-certificate action, run as the runner runs an action (a node process with
 * INPUT_* variables and a GITHUB_OUTPUT file). It runs the TypeScript entry through tsx, so the
 * test does not depend on dist/ being rebuilt.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOutputFile } from '../support/action-runner.js';
import {
  certificate,
  fixture,
  titled,
  SKIP_MSITOOLS,
  msiExportLines,
  REPO,
  tempDir,
  type TempDir,
} from './support.js';

const SIGNER = certificate('signer');

function runFillAction(workspace: string, inputs: Record<string, string>) {
  const outputFile = join(workspace, '..', `output-${Date.now()}-${Math.random()}`);
  writeFileSync(outputFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'src', 'action', 'fill-main.ts')],
    { cwd: REPO, env, encoding: 'utf8' },
  );
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    commands: result.stdout.split('\n').filter((line) => line.startsWith('::')),
  };
}

describe('fill-patch-certificate/action.yml', () => {
  const yml = readFileSync(join(REPO, 'fill-patch-certificate', 'action.yml'), 'utf8');

  it('runs node24 from ../dist/fill-patch-certificate.js, which the bundler produces', () => {
    expect(yml).toMatch(
      /\nruns:\n {2}using: 'node24'\n {2}main: '\.\.\/dist\/fill-patch-certificate\.js'\n/,
    );
    // The runner joins `main` to the action's directory (fill-patch-certificate/).
    expect(resolve(REPO, 'fill-patch-certificate', '../dist/fill-patch-certificate.js')).toBe(
      join(REPO, 'dist', 'fill-patch-certificate.js'),
    );
    const bundler = readFileSync(join(REPO, 'scripts', 'bundle.mjs'), 'utf8');
    expect(bundler).toContain("{ in: 'src/action/fill-main.ts', out: 'fill-patch-certificate' }");
  });

  it('declares the inputs paths (required), certificate (required), id and remove-signature', () => {
    expect(yml).toMatch(/\n {2}paths:\n {4}description: '[^']+'\n {4}required: true\n/);
    expect(yml).toMatch(/\n {2}certificate:\n {4}description: '[^']+'\n {4}required: true\n/);
    expect(yml).toMatch(
      /\n {2}id:\n {4}description: '[^']+'\n {4}required: false\n {4}default: ''\n/,
    );
    expect(yml).toMatch(
      /\n {2}remove-signature:\n {4}description: '[^']+'\n {4}required: false\n {4}default: 'false'\n/,
    );
    expect(yml).toMatch(/\noutputs:\n {2}filled:\n/);
    expect(yml).toMatch(/\nbranding:\n {2}icon: '[a-z-]+'\n {2}color: '[a-z]+'\n/);
  });
});

describe.skipIf(SKIP_MSITOOLS)(
  titled('the fill action run as the runner runs it', SKIP_MSITOOLS),
  () => {
    let dir: TempDir;
    let workspace: string;
    beforeAll(() => {
      dir = tempDir('fill-action');
      workspace = join(dir.path, 'workspace');
      mkdirSync(join(workspace, 'out', 'sub'), { recursive: true });
      dir.copy('msi/unsigned.msi', 'workspace/out/a.msi');
      dir.copy('msi/unsigned-msibuild.msi', 'workspace/out/sub/b.msi');
      dir.copy('cab/unsigned-stored.cab', 'workspace/out/c.cab');
    });
    afterAll(() => dir.remove());

    it('fills every matched .msi with an inline PEM certificate, then finds nothing to do', () => {
      const inputs = {
        paths: 'out/*.msi\nout/sub\n',
        certificate: readFileSync(fixture('pki/signer.pem'), 'utf8'),
        id: 'ContosoRelease',
      };
      const first = runFillAction(workspace, inputs);
      expect(first.status, first.stdout + first.stderr).toBe(0);
      expect(first.outputs).toMatchObject({ filled: '2', unchanged: '0', failed: '0' });
      expect(first.commands.filter((c) => c.startsWith('::error'))).toEqual([]);
      expect(first.stdout).toContain(
        `out/a.msi: added Contoso Release Signing (sha256 ${SIGNER.shortThumbprint}…) as MsiDigitalCertificate ContosoRelease and MsiPatchCertificate ContosoRelease`,
      );
      for (const msi of ['out/a.msi', 'out/sub/b.msi']) {
        expect(msiExportLines(join(workspace, msi), 'MsiPatchCertificate').slice(3)).toEqual([
          'ContosoRelease\tContosoRelease',
        ]);
      }
      const second = runFillAction(workspace, inputs);
      expect(second.status).toBe(0);
      expect(second.outputs).toMatchObject({ filled: '0', unchanged: '2', failed: '0' });
    });

    it('takes the certificate from a file in the workspace, and fails the step on a signed MSI', () => {
      dir.copy('msi/signed-sha256.msi', 'workspace/signed.msi');
      dir.copy('pki/signer2.pem', 'workspace/signer2.pem');
      const result = runFillAction(workspace, { paths: 'signed.msi', certificate: 'signer2.pem' });
      expect(result.status).toBe(1);
      expect(result.outputs).toMatchObject({ filled: '0', failed: '1' });
      const errors = result.commands.filter((c) => c.startsWith('::error'));
      expect(errors[0]).toMatch(
        /^::error title=fill-patch-certificate,file=signed\.msi::signed\.msi: the package is signed/,
      );
      expect(errors.at(-1)).toBe('::error::1 file(s) could not be filled');

      const removed = runFillAction(workspace, {
        paths: 'signed.msi',
        certificate: 'signer2.pem',
        'remove-signature': 'true',
      });
      expect(removed.status, removed.stdout).toBe(0);
      expect(removed.outputs).toMatchObject({ filled: '1', failed: '0' });
      expect(removed.stdout).toContain('signed.msi: removed the signature stream DigitalSignature');
    });

    it('fails with one line when an input is wrong', () => {
      const noCert = runFillAction(workspace, { paths: 'out/a.msi', certificate: '' });
      expect(noCert.status).toBe(1);
      expect(noCert.commands).toEqual(['::error::input certificate is required']);
      const badId = runFillAction(workspace, {
        paths: 'out/a.msi',
        certificate: 'signer2.pem',
        id: 'not valid',
      });
      expect(badId.commands).toEqual([
        '::error::input id: the id "not valid" is not a Windows Installer identifier (a letter or _, then letters, digits, _ or .)',
      ]);
      const nothing = runFillAction(workspace, {
        paths: 'nowhere/*.msi',
        certificate: 'signer2.pem',
      });
      expect(nothing.status).toBe(1);
      expect(nothing.commands.at(-1)).toBe('::error::no .msi file matched (nowhere/*.msi: 0)');
    });
  },
);
