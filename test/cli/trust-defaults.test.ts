import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { cli } from './cli-process.js';

/**
 * The trust store defaults (docs/windows-roots.md): with no --trusted-roots, chains must end at a
 * root Microsoft's Trusted Root Program trusts for code signing, which the test PKI is not.
 */

const SIGNER = ['--signer', 'fixtures/pki/signer.pem'];
const json = (stdout: string) => JSON.parse(stdout) as Report;

describe('trusted-roots defaults to windows', () => {
  it('fails a signature whose chain ends at a private root with untrusted-root, naming the input that fixes it', () => {
    const result = cli(['verify', 'fixtures/msi/signed-untrusted-root.msi', '--json', '-']);
    expect(result.status).toBe(1);
    const report = json(result.stdout);
    const artifact = report.artifacts[0]!;
    expect(artifact.status).toBe('untrusted-root');
    const finding = artifact.findings.find((f) => f.code === 'untrusted-root')!;
    expect(finding.hresult).toBe('0x800B0109');
    expect(finding.message).toContain(
      "not in Microsoft's Trusted Root Program (list of 2025-06-16)",
    );
    expect(finding.message).toContain('trusted-roots');
    expect(finding.message).toContain('--trusted-roots FILE');
  });

  it('fails a test-PKI signature that does not carry its root with chain-incomplete (CERT_E_CHAINING, as Windows) and names the fix', () => {
    const result = cli(['verify', 'fixtures/msi/signed-sha256.msi', ...SIGNER, '--json', '-']);
    expect(result.status).toBe(1);
    const artifact = json(result.stdout).artifacts[0]!;
    expect(artifact.status).toBe('chain-incomplete');
    const finding = artifact.findings.find((f) => f.code === 'chain-incomplete')!;
    expect(finding.hresult).toBe('0x800B010A');
    expect(finding.message).toContain("not in Microsoft's Trusted Root Program");
    expect(finding.message).toContain('add its certificate file to trusted-roots');
  });

  it('names the list in the JSON report and says what endpoints need for the root', () => {
    const result = cli([
      'verify',
      'fixtures/msi/signed-untrusted-root.msi',
      '--json',
      '-',
      '--trusted-roots',
      'none',
    ]);
    const report = json(result.stdout);
    expect(report.tool.windowsRoots).toEqual({
      thisUpdate: '2025-06-16T17:56:11Z',
      sequenceNumber: '1401DBDEE7F1A4F449',
      origin: 'Microsoft Trusted Root Program (authroot.stl, Windows automatic root update)',
    });
    const root = report.endpointCertificates?.find((c) => c.role === 'root');
    expect(root?.commonName).toBe('Untrusted Root CA');
    expect(root?.rootProgram).toEqual({
      listDate: '2025-06-16T17:56:11Z',
      listed: false,
      trusted: false,
    });
  });
});

describe('trusted-roots none', () => {
  it('passes a pinned test-PKI signature with a trust-not-checked warning', () => {
    const result = cli([
      'verify',
      'fixtures/msi/signed-sha256.msi',
      ...SIGNER,
      '--trusted-roots',
      'none',
      '--json',
      '-',
    ]);
    expect(result.status).toBe(0);
    const artifact = json(result.stdout).artifacts[0]!;
    expect(artifact.verdict).toBe('pass');
    const warning = artifact.findings.find((f) => f.code === 'trust-not-checked')!;
    expect(warning.severity).toBe('warning');
    expect(warning.message).toContain('only the pinned signer decides');
  });

  it('cannot be combined with another trust store (exit 2)', () => {
    const result = cli([
      'verify',
      'fixtures/msi/signed-sha256.msi',
      '--trusted-roots',
      'none',
      '--trusted-roots',
      'windows',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'none means no trust store at all and cannot be combined with windows',
    );
  });
});

describe('windows and a root file combined', () => {
  it('trusts the test PKI through the file', () => {
    const result = cli([
      'verify',
      'fixtures/msi/signed-sha256.msi',
      ...SIGNER,
      '--trusted-roots',
      'windows',
      '--trusted-roots',
      'fixtures/pki/trusted-roots.pem',
      '--json',
      '-',
    ]);
    expect(result.status).toBe(0);
    const artifact = json(result.stdout).artifacts[0]!;
    expect(artifact.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
