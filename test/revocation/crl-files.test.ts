/**
 * Issue 21, offline: CRL files given with --crl turn revocation checking on for the certificates
 * they cover, with no network. The fixtures are signed by leaves of fixtures/revocation/pki with
 * a timestamp of 2026-01-15 12:00 UTC; the CA's CRL revokes them on 2026-03-01 (keyCompromise,
 * superseded) or on 2025-12-01 (superseded, before the timestamp).
 */
import { describe, expect, it } from 'vitest';
import { HRESULT } from '../../src/findings.js';
import type { ArtifactReport, Report } from '../../src/report/model.js';
import { runCliInProcess, verifyJson } from '../support/cli-in-process.js';

const R = 'fixtures/revocation';
const ROOTS = [
  '--trusted-roots',
  'fixtures/pki/trusted-roots.pem',
  '--tsa-roots',
  'fixtures/pki/tsa-roots.pem',
  '--patch-certificate',
  'off',
];
const ALL_CRLS = [
  '--crl',
  `${R}/crl/revocation-ca.crl`,
  '--crl',
  `${R}/crl/root.crl`,
  '--crl',
  `${R}/crl/tsa-root.crl`,
];

async function verify(
  file: string,
  ...options: string[]
): Promise<{ report: Report; artifact: ArtifactReport; status: number }> {
  const { report, status } = await verifyJson([...ROOTS, ...options, `${R}/${file}`]);
  return { report, artifact: report.artifacts[0]!, status };
}

const codes = (artifact: ArtifactReport) => artifact.findings.map((f) => `${f.severity}:${f.code}`);

describe('revocation from CRL files (offline)', () => {
  it('passes a good signer and shows each certificate as good with its CRL file and thisUpdate', async () => {
    const { report, artifact, status } = await verify('good-timestamped.cab', ...ALL_CRLS);
    expect(status).toBe(0);
    expect(artifact.verdict).toBe('pass');
    expect(codes(artifact)).toEqual([]);
    expect(report.revocation).toEqual({
      mode: 'off',
      crlFiles: [`${R}/crl/revocation-ca.crl`, `${R}/crl/root.crl`, `${R}/crl/tsa-root.crl`],
      checked: true,
      requests: 0,
    });
    expect(artifact.signatures[0]!.revocation).toEqual([
      expect.objectContaining({
        role: 'signer',
        status: 'good',
        source: {
          kind: 'crl-file',
          location: `${R}/crl/revocation-ca.crl`,
          thisUpdate: '2026-06-01T00:00:00Z',
          nextUpdate: '2036-05-29T00:00:00Z',
        },
      }),
      expect.objectContaining({
        role: 'ca',
        status: 'good',
        source: expect.objectContaining({ location: `${R}/crl/root.crl` }),
      }),
      expect.objectContaining({
        role: 'timestamp-authority',
        status: 'good',
        source: expect.objectContaining({ location: `${R}/crl/tsa-root.crl` }),
      }),
    ]);
  });

  it.each(['keycompromise-timestamped.cab', 'keycompromise-timestamped.msi'])(
    'fails %s: revoked for keyCompromise after the timestamp, which does not save it',
    async (file) => {
      const { artifact, status } = await verify(file, ...ALL_CRLS);
      expect(status).toBe(1);
      expect(artifact.status).toBe('revoked');
      expect(codes(artifact)).toEqual(['error:revoked']);
      const finding = artifact.findings[0]!;
      expect(finding.hresult).toBe(HRESULT.CERT_E_REVOKED);
      expect(finding.hresult).toBe('0x800B010C');
      expect(finding.message).toContain('was revoked on 2026-03-01T00:00:00Z (keyCompromise)');
      expect(finding.message).toContain('keyCompromise distrusts signatures made before it too');
      expect(artifact.signatures[0]!.revocation![0]).toMatchObject({
        role: 'signer',
        status: 'revoked',
        revokedAt: '2026-03-01T00:00:00Z',
        reason: 'keyCompromise',
      });
    },
  );

  it('passes a signature timestamped before a superseded revocation, with a notice that says so', async () => {
    const { artifact, status } = await verify('superseded-timestamped.cab', ...ALL_CRLS);
    expect(status).toBe(0);
    expect(artifact.verdict).toBe('pass');
    expect(codes(artifact)).toEqual(['notice:revoked-after-timestamp']);
    expect(artifact.findings[0]!.message).toMatch(
      /revoked on 2026-03-01T00:00:00Z \(superseded\) according to CRL file fixtures\/revocation\/crl\/revocation-ca\.crl \(thisUpdate 2026-06-01T00:00:00Z\), after the timestamp 2026-01-15T12:00:\d\dZ/,
    );
  });

  it('fails the same revoked certificate without a timestamp, whatever the reason', async () => {
    const { artifact } = await verify('superseded-untimestamped.cab', ...ALL_CRLS);
    expect(codes(artifact)).toEqual(['error:revoked']);
    expect(artifact.findings[0]!.hresult).toBe('0x800B010C');
    expect(artifact.findings[0]!.message).toContain(
      'no timestamp proves the file was signed before the revocation',
    );
  });

  it('fails a signature timestamped after the revocation date, even for superseded', async () => {
    const { artifact } = await verify('revoked-before-timestamp.cab', ...ALL_CRLS);
    expect(codes(artifact)).toEqual(['error:revoked']);
    expect(artifact.findings[0]!.message).toContain('the revocation is dated before the timestamp');
  });

  it('reads a PEM CRL as it reads DER', async () => {
    const { artifact } = await verify(
      'keycompromise-timestamped.cab',
      '--crl',
      `${R}/crl/revocation-ca.pem`,
    );
    expect(codes(artifact)).toEqual(['error:revoked']);
  });

  it('checks only the certificates a CRL file covers', async () => {
    const { artifact, report } = await verify(
      'keycompromise-timestamped.cab',
      '--crl',
      `${R}/crl/root.crl`,
    );
    expect(artifact.verdict).toBe('pass');
    expect(codes(artifact)).toEqual([]);
    expect(artifact.signatures[0]!.revocation).toEqual([
      expect.objectContaining({ role: 'ca', status: 'good' }),
    ]);
    expect(report.revocation?.checked).toBe(true);
  });

  it.each([
    [
      'revocation-ca-expired.crl',
      /it expired: its nextUpdate 2026-07-01T00:00:00Z is before the validation time/,
    ],
    [
      'revocation-ca-wrong-key.crl',
      /its signature does not verify under the key of "C=US, O=Verify-Authenticode Test PKI \(TEST ONLY\), CN=VA Test Revocation CA".*it was not signed by the issuer/,
    ],
    ['revocation-ca-delta.crl', /it is a delta CRL \(deltaCRLIndicator\), which is not read/],
    [
      'revocation-ca-unknown-critical.crl',
      /critical extension 1\.3\.6\.1\.4\.1\.32473\.99\.1 that is not processed/,
    ],
  ])(
    'does not use %s: the status stays unknown, a warning naming the file and why',
    async (crl, why) => {
      const { artifact, status } = await verify(
        'keycompromise-timestamped.cab',
        '--crl',
        `${R}/crl/${crl}`,
      );
      expect(status).toBe(0);
      expect(codes(artifact)).toEqual(['warning:revocation-unknown']);
      const finding = artifact.findings[0]!;
      expect(finding.hresult).toBe(HRESULT.CRYPT_E_REVOCATION_OFFLINE);
      expect(finding.message).toContain(`CRL file ${R}/crl/${crl}: `);
      expect(finding.message).toMatch(why);
      expect(artifact.signatures[0]!.revocation![0]).toMatchObject({
        role: 'signer',
        status: 'unknown',
      });
    },
  );

  it('with revocation off and no CRL files checks nothing and says so', async () => {
    const { artifact, report } = await verify('keycompromise-timestamped.cab');
    expect(artifact.verdict).toBe('pass');
    expect(report.revocation).toEqual({ mode: 'off', crlFiles: [], checked: false, requests: 0 });
    expect(artifact.signatures[0]!.revocation).toBeUndefined();
  });

  it('refuses a CRL file that is not a CRL, and an unknown mode, as configuration errors', async () => {
    const notCrl = await runCliInProcess([
      'verify',
      '--crl',
      'fixtures/pki/root.pem',
      `${R}/good-timestamped.cab`,
    ]);
    expect(notCrl.status).toBe(2);
    expect(notCrl.stderr).toContain('--crl fixtures/pki/root.pem: PEM without an "X509 CRL" block');
    const mode = await runCliInProcess([
      'verify',
      '--revocation',
      'sometimes',
      `${R}/good-timestamped.cab`,
    ]);
    expect(mode.status).toBe(2);
    expect(mode.stderr).toContain(
      '--revocation must be one of off, online, require (got "sometimes")',
    );
  });
});

describe('inspect with CRL files', () => {
  it("shows each chain certificate's revocation status, its source and what verify would say", async () => {
    const result = await runCliInProcess([
      'inspect',
      `${R}/superseded-timestamped.cab`,
      '--crl',
      `${R}/crl/revocation-ca.crl`,
      '--json',
    ]);
    expect(result.status).toBe(0);
    const inspection = JSON.parse(result.stdout) as {
      revocation: unknown;
      signatures: { chain: { revocation: unknown[] } }[];
    };
    expect(inspection.revocation).toEqual({
      mode: 'off',
      crlFiles: [`${R}/crl/revocation-ca.crl`],
      checked: true,
      requests: 0,
    });
    expect(inspection.signatures[0]!.chain.revocation).toEqual([
      expect.objectContaining({
        role: 'signer',
        status: 'revoked',
        reason: 'superseded',
        revokedAt: '2026-03-01T00:00:00Z',
        source: expect.objectContaining({ kind: 'crl-file', thisUpdate: '2026-06-01T00:00:00Z' }),
        finding: expect.objectContaining({ severity: 'notice', code: 'revoked-after-timestamp' }),
      }),
    ]);
  });

  it('inspects without revocation by default', async () => {
    const result = await runCliInProcess(['inspect', `${R}/superseded-timestamped.cab`, '--json']);
    const inspection = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(inspection.revocation).toBeUndefined();
  });
});
