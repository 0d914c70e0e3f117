/**
 * The Windows rule for a revoked certificate of an Authenticode chain (docs/revocation.md): a
 * timestamp saves the signature only when it predates the revocation and the reason does not
 * reach back in time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { revocationFinding, type CertificateRevocation } from '../../src/revocation/index.js';
import { Certificate } from '../../src/x509/certificate.js';
import { REPO } from '../support/manifest.js';

const leaf = Certificate.fromDer(
  readFileSync(join(REPO, 'fixtures/revocation/pki/leaf-keycompromise.der')),
);
const timestamp = new Date('2026-01-15T12:00:00Z');
const after = new Date('2026-03-01T00:00:00Z');
const before = new Date('2025-12-01T00:00:00Z');
const source = {
  kind: 'crl-file' as const,
  location: 'ca.crl',
  thisUpdate: new Date('2026-06-01T00:00:00Z'),
};

function decide(
  result: Partial<CertificateRevocation>,
  provenBy: Date | null,
  mode: 'off' | 'online' | 'require' = 'online',
) {
  return revocationFinding({
    role: 'signer',
    certificate: leaf,
    result: { status: 'revoked', source, failures: [], ...result },
    provenBy,
    mode,
  });
}

describe('revocation decision', () => {
  it.each([
    [1, 'keyCompromise'],
    [2, 'cACompromise'],
    [9, 'privilegeWithdrawn'],
    [10, 'aACompromise'],
    [0, 'unspecified'],
    [undefined, 'no reason given'],
  ])('reason %s (%s) after the timestamp is still revoked', (reason, name) => {
    const finding = decide(
      { revokedAt: after, ...(reason !== undefined ? { reason } : {}) },
      timestamp,
    );
    expect(finding).toMatchObject({ severity: 'error', code: 'revoked', hresult: '0x800B010C' });
    expect(finding!.message).toContain(`(${name})`);
  });

  it.each([
    [3, 'affiliationChanged'],
    [4, 'superseded'],
    [5, 'cessationOfOperation'],
    [6, 'certificateHold'],
  ])('reason %s (%s) after the timestamp keeps the signature, with a notice', (reason) => {
    expect(decide({ revokedAt: after, reason }, timestamp)).toMatchObject({
      severity: 'notice',
      code: 'revoked-after-timestamp',
    });
  });

  it('revoked before the timestamp, or with no timestamp, is revoked whatever the reason', () => {
    expect(decide({ revokedAt: before, reason: 4 }, timestamp)?.code).toBe('revoked');
    expect(decide({ revokedAt: after, reason: 4 }, null)?.code).toBe('revoked');
  });

  it('a good status is no finding; unknown is a warning, an error under require', () => {
    expect(decide({ status: 'good' }, null)).toBeNull();
    const failures = ['OCSP http://127.0.0.1/hang: no complete answer within 1 s'];
    expect(decide({ status: 'unknown', failures }, null, 'online')).toMatchObject({
      severity: 'warning',
      code: 'revocation-unknown',
      hresult: '0x80092013',
    });
    expect(decide({ status: 'unknown', failures }, null, 'require')).toMatchObject({
      severity: 'error',
      code: 'revocation-unknown',
    });
    expect(decide({ status: 'unknown', failures }, null)!.message).toContain(failures[0]);
  });

  it('judges the timestamp authority chain at the token time, with the same reasons', () => {
    const tsa = (reason: number, revokedAt: Date) =>
      revocationFinding({
        role: 'timestamp-authority',
        certificate: leaf,
        result: { status: 'revoked', source, failures: [], revokedAt, reason },
        provenBy: timestamp,
        mode: 'online',
      });
    expect(tsa(5, after)?.code).toBe('revoked-after-timestamp');
    const compromised = tsa(1, after);
    expect(compromised).toMatchObject({ severity: 'error', code: 'revoked' });
    expect(compromised!.message).toMatch(/^the timestamp authority certificate /);
    expect(tsa(5, before)?.code).toBe('revoked');
  });
});
