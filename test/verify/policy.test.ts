import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyJson } from '../support/cli-in-process.js';
import { loadManifest, REPO } from '../support/manifest.js';

const manifest = loadManifest();
const thumbprints = JSON.parse(
  readFileSync(join(REPO, 'fixtures/pki/thumbprints.json'), 'utf8'),
) as Record<string, { sha1: string; sha256: string }>;
const SIGNER = thumbprints.signer!;
const ROOTS = [
  '--trusted-roots',
  'fixtures/pki/trusted-roots.pem',
  '--tsa-roots',
  'fixtures/pki/tsa-roots.pem',
];

const codes = (artifact: { findings: { severity: string; code: string }[] }, severity = 'error') =>
  artifact.findings.filter((f) => f.severity === severity).map((f) => f.code);

describe('pinning the release signer', () => {
  it('a pinned run over every fixture passes exactly artifacts whose primary signer is the pinned leaf', async () => {
    for (const fixture of manifest.fixtures) {
      const { report } = await verifyJson([
        ...manifest.standardOptions,
        fixture.path,
        ...(fixture.companions ?? []),
      ]);
      const artifact = report.artifacts.find((a) => a.path === fixture.path)!;
      if (artifact.verdict === 'pass') {
        expect(artifact.signatures[0]?.signer?.sha256, fixture.path).toBe(SIGNER.sha256);
      }
      if (
        artifact.signatures[0]?.signer &&
        artifact.signatures[0].signer.sha256 !== SIGNER.sha256
      ) {
        expect(codes(artifact), fixture.path).toContain('wrong-signer');
      }
    }
  });

  it('pins by sha256 and sha1 thumbprint, any case, colons allowed', async () => {
    const colons = SIGNER.sha1.toUpperCase().match(/../g)!.join(':');
    for (const pin of [`sha256:${SIGNER.sha256}`, `sha1:${colons}`]) {
      const { status, report } = await verifyJson([
        '--signer',
        pin,
        ...ROOTS,
        'fixtures/msi/signed-sha256.msi',
        'fixtures/msi/signed-signer2.msi',
      ]);
      expect(status).toBe(1);
      expect(report.artifacts.map((a) => a.status)).toEqual(['valid', 'wrong-signer']);
    }
  });

  it('names who signed and who was expected in wrong-signer', async () => {
    const { report } = await verifyJson([
      ...manifest.standardOptions,
      'fixtures/msi/signed-signer2.msi',
    ]);
    const finding = report.artifacts[0]!.findings.find((f) => f.code === 'wrong-signer')!;
    expect(finding.message).toContain('Fabrikam Build Agent');
    expect(finding.message).toContain(thumbprints.signer2!.sha256);
    expect(finding.message).toContain('Contoso Release Signing');
    expect(finding.message).toContain(SIGNER.sha256);
  });

  it('takes the accepted signers from an MSI with --pin-from-msi', async () => {
    const args = ['--pin-from-msi', 'fixtures/msi/unsigned-patchcert.msi', ...ROOTS];
    const { report } = await verifyJson([
      ...args,
      'fixtures/msi/signed-sha256.msi',
      'fixtures/msi/signed-signer2.msi',
    ]);
    expect(report.artifacts.map((a) => a.status)).toEqual(['valid', 'wrong-signer']);
  });

  it('refuses an MSI without MsiPatchCertificate for --pin-from-msi (exit 2)', async () => {
    const { runCliInProcess } = await import('../support/cli-in-process.js');
    const result = await runCliInProcess([
      'verify',
      '--pin-from-msi',
      'fixtures/msi/unsigned.msi',
      'fixtures/msi/signed-sha256.msi',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--pin-from-msi .*MsiPatchCertificate/);
  });

  it('--signatures all requires nested signatures to be pinned too', async () => {
    // The nested signature of this fixture is made by the same signer: it passes either way.
    const same = await verifyJson([
      ...manifest.standardOptions,
      '--signatures',
      'all',
      'fixtures/msi/signed-nested-sha512.msi',
    ]);
    expect(same.report.artifacts[0]!.status).toBe('valid');
    // Pinning only a certificate that signs no signature fails every one under `all`.
    const other = await verifyJson([
      '--signer',
      'fixtures/pki/signer2.pem',
      ...ROOTS,
      '--signatures',
      'all',
      'fixtures/msi/signed-nested-sha512.msi',
    ]);
    const wrong = other.report.artifacts[0]!.findings.filter((f) => f.code === 'wrong-signer');
    expect(wrong.map((f) => f.signatureIndex).sort()).toEqual([0, 1]);
    const primaryOnly = await verifyJson([
      '--signer',
      'fixtures/pki/signer2.pem',
      ...ROOTS,
      'fixtures/msi/signed-nested-sha512.msi',
    ]);
    expect(
      primaryOnly.report.artifacts[0]!.findings.filter((f) => f.code === 'wrong-signer').map(
        (f) => f.signatureIndex,
      ),
    ).toEqual([0]);
  });
});

describe('MsiPatchCertificate levels and patches', () => {
  it('require makes a missing table an error, warn a warning, off skips it', async () => {
    const file = 'fixtures/msi/signed-sha256.msi';
    const require_ = await verifyJson([
      ...manifest.standardOptions,
      '--patch-certificate',
      'require',
      file,
    ]);
    expect(require_.report.artifacts[0]!.status).toBe('patch-certificate-missing');
    expect(require_.report.artifacts[0]!.patchCertificate?.state).toBe('absent');
    const warn = await verifyJson([...manifest.standardOptions, file]);
    expect(warn.report.artifacts[0]!.verdict).toBe('pass');
    expect(codes(warn.report.artifacts[0]!, 'warning')).toContain('patch-certificate-missing');
    const off = await verifyJson([...manifest.standardOptions, '--patch-certificate', 'off', file]);
    expect(off.report.artifacts[0]!.findings.map((f) => f.code)).not.toContain(
      'patch-certificate-missing',
    );
  });

  it('require passes an MSI that lists the signer and fails one that lists another certificate, naming it', async () => {
    const { report } = await verifyJson([
      ...manifest.standardOptions,
      '--patch-certificate',
      'require',
      'fixtures/msi/signed-patchcert-sha256.msi',
      'fixtures/msi/signed-patchcert-signer2-sha256.msi',
    ]);
    expect(report.artifacts.map((a) => a.status)).toEqual(['valid', 'patch-certificate-mismatch']);
    expect(report.artifacts[0]!.patchCertificate?.state).toBe('listed');
    const mismatch = report.artifacts[1]!.findings.find(
      (f) => f.code === 'patch-certificate-mismatch',
    )!;
    expect(mismatch.message).toContain('Fabrikam Build Agent');
  });

  it('checks a patch against a --baseline target, not only against MSIs in the set', async () => {
    const base = [...manifest.standardOptions];
    const alone = await verifyJson([...base, 'fixtures/msp/signed-signer2.msp']);
    expect(codes(alone.report.artifacts[0]!)).not.toContain('patch-certificate-mismatch');
    const withBaseline = await verifyJson([
      ...base,
      '--baseline',
      'fixtures/msi/signed-patchcert-sha256.msi',
      'fixtures/msp/signed-signer2.msp',
    ]);
    expect(withBaseline.report.artifacts).toHaveLength(1);
    expect(codes(withBaseline.report.artifacts[0]!)).toContain('patch-certificate-mismatch');
  });
});

describe('time and timestamps', () => {
  it('--require-timestamp fails an untimestamped signature and passes a timestamped one', async () => {
    const { report } = await verifyJson([
      ...manifest.standardOptions,
      '--require-timestamp',
      'fixtures/msi/signed-sha256.msi',
      'fixtures/msi/signed-timestamped.msi',
    ]);
    expect(report.artifacts.map((a) => a.status)).toEqual(['timestamp-missing', 'valid']);
  });

  it('--at fixes the validation time: the expired leaf was valid in 2021, the signer not yet in 2024', async () => {
    const expired = await verifyJson([
      '--signer',
      'fixtures/pki/expired.pem',
      ...ROOTS,
      '--at',
      '2021-06-01T00:00:00Z',
      'fixtures/msi/signed-expired.msi',
    ]);
    expect(expired.report.artifacts[0]!.status).toBe('valid');
    const early = await verifyJson([
      ...manifest.standardOptions,
      '--at',
      '2024-06-01T00:00:00Z',
      'fixtures/msi/signed-sha256.msi',
    ]);
    expect(early.report.artifacts[0]!.status).toBe('not-yet-valid');
  });

  it('an expired signer rescued by a valid timestamp passes and says so', async () => {
    const { report } = await verifyJson([
      '--signer',
      'fixtures/pki/expired.pem',
      ...ROOTS,
      'fixtures/msi/signed-expired-timestamped.msi',
    ]);
    expect(report.artifacts[0]!.status).toBe('valid');
    expect(report.artifacts[0]!.findings.map((f) => f.code)).toContain('timestamp-rescued');
  });

  it('warns when an untimestamped signer expires within the horizon', async () => {
    const { report } = await verifyJson([
      ...manifest.standardOptions,
      '--at',
      '2044-12-20T00:00:00Z',
      'fixtures/msi/signed-sha256.msi',
      'fixtures/msi/signed-timestamped.msi',
    ]);
    expect(codes(report.artifacts[0]!, 'warning')).toContain('expires-soon');
    expect(codes(report.artifacts[1]!, 'warning')).not.toContain('expires-soon');
  });

  it('SHA-1 is weak-digest: a warning by default, an error with --weak-digest error', async () => {
    const warn = await verifyJson([...manifest.standardOptions, 'fixtures/msi/signed-sha1.msi']);
    expect(codes(warn.report.artifacts[0]!, 'warning')).toContain('weak-digest');
    const error = await verifyJson([
      ...manifest.standardOptions,
      '--weak-digest',
      'error',
      'fixtures/msi/signed-sha1.msi',
    ]);
    expect(error.report.artifacts[0]!.status).toBe('weak-digest');
  });
});

describe('per-file time budget', () => {
  it('is an option: a tiny budget turns a slow file into malformed-package; a bad value is a usage error', async () => {
    const { report } = await verifyJson([
      ...manifest.standardOptions,
      '--time-budget',
      '0.000001',
      'fixtures/msi/signed-sha256.msi',
    ]);
    expect(report.artifacts[0]!.status).toBe('malformed-package');
    const { runCliInProcess } = await import('../support/cli-in-process.js');
    const bad = await runCliInProcess([
      'verify',
      '--time-budget',
      'soon',
      'fixtures/msi/signed-sha256.msi',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--time-budget must be a positive number of seconds');
  });
});
