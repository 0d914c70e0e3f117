/**
 * Issue 21: revocation from CRL files stays offline. The bundled CLI, with every network entry
 * point of Node replaced by one that throws and reports (support/no-network.mjs), checks the
 * revocation fixtures against their CRL files and reaches the same verdicts as the in-process
 * tests; with revocation off it says revocation was not checked.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runAction } from '../support/action-runner.js';
import { REPO } from '../support/manifest.js';
import { run } from '../support/processes.js';

const HOOK = join(REPO, 'test/e2e/support/no-network.mjs');
const R = 'fixtures/revocation';

function verify(...options: string[]): { report: Report; stderr: string } {
  const result = run(
    process.execPath,
    [
      '--import',
      HOOK,
      join(REPO, 'dist/cli.js'),
      'verify',
      '--trusted-roots',
      'fixtures/pki/trusted-roots.pem',
      '--tsa-roots',
      'fixtures/pki/tsa-roots.pem',
      '--patch-certificate',
      'off',
      ...options,
      `${R}/good-timestamped.cab`,
      `${R}/keycompromise-timestamped.cab`,
      `${R}/superseded-timestamped.cab`,
      '--json',
      '-',
    ],
    { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } },
  );
  return { report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

describe('revocation without the network', () => {
  it('checks CRL files without attempting a connection', () => {
    const { report, stderr } = verify(
      '--crl',
      `${R}/crl/revocation-ca.crl`,
      '--crl',
      `${R}/crl/root.crl`,
      '--crl',
      `${R}/crl/tsa-root.crl`,
    );
    expect(stderr).not.toContain('NETWORK ATTEMPT');
    expect(report.artifacts.map((a) => a.status)).toEqual(['valid', 'revoked', 'valid']);
    expect(report.revocation).toMatchObject({ mode: 'off', checked: true, requests: 0 });
  });

  it('with revocation off and no CRL files says revocation was not checked', () => {
    const { report, stderr } = verify();
    expect(stderr).not.toContain('NETWORK ATTEMPT');
    expect(report.artifacts.map((a) => a.status)).toEqual(['valid', 'valid', 'valid']);
    expect(report.revocation).toEqual({ mode: 'off', crlFiles: [], checked: false, requests: 0 });
  });

  it('the action reads revocation-crls, fails the revoked file and shows revocation in the summary', () => {
    const result = runAction(
      {
        paths: `${R}/keycompromise-timestamped.cab\n${R}/superseded-timestamped.cab`,
        'trusted-roots': 'fixtures/pki/trusted-roots.pem',
        'tsa-roots': 'fixtures/pki/tsa-roots.pem',
        'signer-certificate': 'any',
        'patch-certificate': 'off',
        'revocation-crls': `${R}/crl/revocation-ca.crl\n${R}/crl/root.crl`,
        'json-report': join(mkdtempSync(join(tmpdir(), 'va-revocation-')), 'report.json'),
      },
      { env: { NODE_OPTIONS: `--import=${HOOK}` } },
    );
    expect(result.stderr + result.stdout).not.toContain('NETWORK ATTEMPT');
    expect(result.status).toBe(1);
    const report = JSON.parse(readFileSync(result.outputs.report!, 'utf8')) as Report;
    expect(report.artifacts.map((a) => a.status)).toEqual(['revoked', 'valid']);
    expect(report.revocation).toMatchObject({ mode: 'off', checked: true, requests: 0 });
    expect(result.summary).toContain('### Revocation');
    expect(result.summary).toContain('Checked from 2 CRL files only (no network).');
    expect(result.summary).toMatch(/signer <code>.*keyCompromise.*<\/code>: revoked 2026-03-01/);
  });

  it('the action refuses an unknown revocation mode, naming the input', () => {
    const result = runAction({
      paths: `${R}/good-timestamped.cab`,
      revocation: 'always',
    });
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain(
      'input revocation must be one of off, online, require (got "always")',
    );
  });
});
