import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAction } from '../support/action-runner.js';
import { REPO } from '../support/manifest.js';
import type { Report } from '../../src/report/model.js';

const STANDARD = {
  'signer-certificate': 'fixtures/pki/signer.pem',
  'trusted-roots': 'fixtures/pki/trusted-roots.pem',
  'tsa-roots': 'fixtures/pki/tsa-roots.pem',
};

describe('dist/index.js run as the GitHub runner runs it', () => {
  it('passes a correctly signed release: outputs, summary, no annotations, exit 0', () => {
    const result = runAction({
      ...STANDARD,
      paths: 'fixtures/msi/signed-patchcert-sha256.msi\nfixtures/msp/signed.msp',
      'patch-certificate': 'require',
    });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.outputs).toMatchObject({ total: '2', passed: '2', failed: '0', result: 'pass' });
    expect(result.commands.filter((c) => c.startsWith('::error'))).toEqual([]);
    expect(result.summary).toContain('signed-patchcert-sha256.msi');
    expect(result.summary).toContain('#42');
    const report = JSON.parse(readFileSync(result.outputs.report!, 'utf8')) as Report;
    expect(report.artifacts.map((a) => a.status)).toEqual(['valid', 'valid']);
  });

  it('fails the step with one annotation per failing artifact, naming the code', () => {
    const result = runAction({
      ...STANDARD,
      paths:
        'fixtures/msi/signed-signer2.msi\nfixtures/msi/unsigned.msi\nfixtures/msi/signed-patchcert-sha256.msi',
    });
    expect(result.status).toBe(1);
    expect(result.outputs).toMatchObject({ total: '3', passed: '1', failed: '2', result: 'fail' });
    const errors = result.commands.filter((c) => /^::error [^:]*file=/.test(c));
    expect(errors).toHaveLength(2);
    expect(errors.find((c) => c.includes('signed-signer2.msi'))).toMatch(/title=[^:]*wrong-signer/);
    expect(errors.find((c) => c.includes('unsigned.msi'))).toMatch(/title=[^:]*unsigned/);
    expect(result.stdout).toContain('::error::2 of 3 artifact(s) failed verification');
  });

  it('fails when the globs match fewer files than min-artifacts (a signing step that never ran)', () => {
    const result = runAction({ ...STANDARD, paths: 'fixtures/nothing-here/*.msi' });
    expect(result.status).toBe(1);
    expect(result.outputs.result).toBe('fail');
    expect(result.stdout).toContain('too-few-artifacts');
    expect(result.commands).toContain('::error::too-few-artifacts');
  });

  it('fail-on warning fails a run whose only problems are warnings; fail-on error does not', () => {
    const paths = 'fixtures/msi/signed-sha1.msi';
    const strict = runAction({ ...STANDARD, paths, 'fail-on': 'warning' });
    expect(strict.status).toBe(1);
    expect(strict.outputs).toMatchObject({ result: 'pass', failed: '0' });
    expect(
      strict.commands.some((c) => c.startsWith('::warning ') && c.includes('weak-digest')),
    ).toBe(true);
    const lenient = runAction({ ...STANDARD, paths });
    expect(lenient.status).toBe(0);
  });

  it('reports a bad configuration as a one-line failure, not a crash', () => {
    const result = runAction({
      ...STANDARD,
      paths: 'fixtures/msi/*.msi',
      'patch-certificate': 'sometimes',
    });
    expect(result.status).toBe(1);
    expect(result.commands).toEqual([
      '::error::input patch-certificate must be one of require, warn, off (got "sometimes")',
    ]);
  });

  it('writes SARIF when asked', () => {
    const temp = mkdtempSync(join(tmpdir(), 'va-sarif-'));
    const sarif = join(temp, 'out.sarif');
    const result = runAction({
      ...STANDARD,
      paths: 'fixtures/damaged/msi-stringdata-byte-flipped.msi',
      'sarif-report': sarif,
      'fail-on': 'never',
    });
    expect(result.status).toBe(0);
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results[0].ruleId).toBe('bad-digest');
  });

  it('neutralises file names that try to inject workflow commands or markup', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'va-inject-'));
    mkdirSync(join(workspace, 'out'));
    const hostile = [
      'a%0A::error::x.msi',
      'b|c<img src=x onerror=alert(1)>.msi',
      'd\n::warning::pwned.msi',
    ];
    for (const name of hostile)
      copyFileSync(join(REPO, 'fixtures/msi/unsigned.msi'), join(workspace, 'out', name));
    const result = runAction(
      {
        paths: 'out/*.msi',
        'signer-certificate': join(REPO, 'fixtures/pki/signer.pem'),
        'trusted-roots': join(REPO, 'fixtures/pki/trusted-roots.pem'),
      },
      { workspace },
    );
    expect(result.status).toBe(1);
    expect(result.outputs.failed).toBe('3');
    // Every workflow command line is one we meant to print: no injected ::error::x or ::warning::pwned.
    for (const line of result.stdout.split('\n')) {
      expect(line).not.toMatch(/^::error::x/);
      expect(line).not.toMatch(/^::warning::pwned/);
    }
    const errors = result.commands.filter((c) => c.startsWith('::error '));
    expect(errors).toHaveLength(3);
    // A name with a line break gets no file property at all (it could not be a real path in a
    // diff view); the message still names it, escaped.
    expect(errors.filter((c) => /^::error [^:]*file=/.test(c))).toHaveLength(2);
    expect(errors.some((c) => c.includes('%0A::error::x.msi') || c.includes('a%250A'))).toBe(true);
    expect(result.summary).not.toContain('<img');
    // Each artifact row stays one table row.
    const rows = result.summary.split('\n').filter((l) => l.startsWith('|') && l.includes('.msi'));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(row).not.toMatch(/(^|[^\\])\|c<img/);
  });
});
