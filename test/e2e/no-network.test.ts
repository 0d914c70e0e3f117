/**
 * Issue #10: verification never touches the network — no AIA fetching of missing intermediates,
 * no OCSP or CRL lookups, no timestamp servers. The bundled CLI and action run over every
 * fixture with every network entry point of Node replaced by one that throws and reports
 * (support/no-network.mjs), and, where the system allows it, inside a network namespace with no
 * interfaces at all (`unshare -rn`), where they must produce the same report.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { runAction } from '../support/action-runner.js';
import { loadManifest, REPO } from '../support/manifest.js';
import { run } from '../support/processes.js';

const HOOK = join(REPO, 'test/e2e/support/no-network.mjs');
const manifest = loadManifest();
const everyFixture = [
  ...new Set(manifest.fixtures.flatMap((f) => [f.path, ...(f.companions ?? [])])),
];
const options = [
  ...manifest.standardOptions,
  '--baseline',
  'fixtures/msi/signed-patchcert-sha256.msi',
];

function verifyWithCli(prefix: string[]): {
  status: number | null;
  report: Report;
  stderr: string;
} {
  const [command, ...args] = [
    ...prefix,
    process.execPath,
    '--import',
    HOOK,
    join(REPO, 'dist/cli.js'),
    'verify',
    ...options,
    ...everyFixture,
    '--json',
    '-',
  ];
  const result = run(command!, args, { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
  return {
    status: result.status,
    report: JSON.parse(result.stdout) as Report,
    stderr: result.stderr,
  };
}

/** The parts of a report that must not depend on the environment. */
const verdicts = (report: Report) =>
  report.artifacts.map((a) => ({
    path: a.path,
    verdict: a.verdict,
    status: a.status,
    codes: a.findings.map((f) => f.code),
  }));

const canUnshare = spawnSync('unshare', ['-rn', 'true']).status === 0;

describe('verification without the network', () => {
  it('the guard catches every kind of attempt (so the checks below are not vacuous)', () => {
    for (const attempt of [
      "require('node:net').connect(80, '127.0.0.1')",
      "require('node:dns').lookup('example.com', () => {})",
      "require('node:https').get('https://example.com')",
      "fetch('https://example.com')",
    ]) {
      const result = spawnSync(process.execPath, ['--import', HOOK, '-e', attempt], {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      expect(result.stderr, attempt).toContain('NETWORK ATTEMPT');
    }
    // The action gets the guard through NODE_OPTIONS, as below.
    const viaOptions = spawnSync(process.execPath, ['-e', "fetch('https://example.com')"], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: `--import=${HOOK}` },
    });
    expect(viaOptions.stderr).toContain('NETWORK ATTEMPT');
  });

  it('the CLI verifies every fixture without attempting a connection or a DNS lookup', () => {
    const { status, report, stderr } = verifyWithCli([]);
    expect(stderr).not.toContain('NETWORK ATTEMPT');
    expect(status).toBe(1); // the corpus has failing fixtures
    expect(report.artifacts).toHaveLength(everyFixture.length);
    // Cases where an online verifier would fetch something: a missing intermediate (AIA), a
    // timestamp from an untrusted TSA, external cabinets.
    const byPath = new Map(report.artifacts.map((a) => [a.path, a]));
    expect(byPath.get('fixtures/msi/signed-no-intermediate.msi')?.status).toBe('chain-incomplete');
    expect(byPath.get('fixtures/msi/signed-timestamp-untrusted-tsa.msi')?.status).toBe(
      'timestamp-invalid',
    );
  });

  it('the action verifies the fixtures without attempting a connection or a DNS lookup', () => {
    const result = runAction(
      {
        paths: 'fixtures/msi/*.msi\nfixtures/msp/*.msp\nfixtures/cab/*.cab',
        'signer-certificate': 'fixtures/pki/signer.pem',
        'trusted-roots': 'fixtures/pki/trusted-roots.pem',
        'tsa-roots': 'fixtures/pki/tsa-roots.pem',
        'json-report': join(mkdtempSync(join(tmpdir(), 'va-nonet-')), 'report.json'),
      },
      { env: { NODE_OPTIONS: `--import=${HOOK}` } },
    );
    expect(result.stderr + result.stdout).not.toContain('NETWORK ATTEMPT');
    expect(result.status).toBe(1);
    const report = JSON.parse(readFileSync(result.outputs.report!, 'utf8')) as Report;
    expect(report.artifacts.length).toBeGreaterThan(30);
  });

  it.runIf(canUnshare)(
    'gives the same report inside a network namespace without interfaces',
    () => {
      const isolated = verifyWithCli(['unshare', '-rn']);
      const normal = verifyWithCli([]);
      expect(isolated.stderr).not.toContain('NETWORK ATTEMPT');
      expect(verdicts(isolated.report)).toEqual(verdicts(normal.report));
    },
  );
});
