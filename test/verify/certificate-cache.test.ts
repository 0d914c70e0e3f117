/**
 * Issue 19: certificates are decoded once per run and their chain decisions (signature checks,
 * facts, keys) live on that one object. A file whose certificates differ from another's in any
 * byte must get its own decisions, in either order, in one run.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPolicy } from '../../src/verify/configure.js';
import { verifyArtifacts } from '../../src/verify/verify-artifacts.js';
import { internCertificate } from '../../src/x509/certificate.js';
import { decodeExact } from '../../src/authenticode/asn1.js';
import { REPO } from '../support/manifest.js';

const temp = mkdtempSync(join(tmpdir(), 'va-cert-cache-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const good = join(temp, 'good.cab');
copyFileSync(join(REPO, 'fixtures/cab/signed-sha256.cab'), good);
const signerDer = readFileSync(join(REPO, 'fixtures/pki/signer.der'));

/** The cabinet with one byte of the embedded signer certificate changed. */
function withSignerByteFlipped(offsetInCertificate: number): string {
  const bytes = Buffer.from(readFileSync(good));
  const at = bytes.indexOf(signerDer);
  expect(at).toBeGreaterThan(0);
  bytes[at + offsetInCertificate]! ^= 0x01;
  const path = join(temp, `flipped-${offsetInCertificate}.cab`);
  writeFileSync(path, bytes);
  return path;
}

async function verdicts(paths: string[]): Promise<string[][]> {
  const policy = await buildPolicy({
    signers: [join(REPO, 'fixtures/pki/signer.pem')],
    trustedRoots: join(REPO, 'fixtures/pki/trusted-roots.pem'),
  });
  const report = await verifyArtifacts(
    paths.map((path) => ({ path, displayPath: path })),
    policy,
  );
  return report.artifacts.map((a) =>
    a.findings.filter((f) => f.severity === 'error').map((f) => f.code),
  );
}

describe('the certificate cache', () => {
  // The last byte of the certificate is in its signature: the certificate still decodes, but its
  // issuer's key no longer verifies it, and it is no longer the pinned certificate.
  const lastByte = signerDer.length - 1;

  it('does not carry a good certificate’s decisions to one differing in its last byte', async () => {
    const flipped = withSignerByteFlipped(lastByte);
    const [first, second] = await verdicts([good, flipped]);
    expect(first).toEqual([]);
    expect(second).toContain('bad-certificate');
    expect(second).toContain('wrong-signer');
  });

  it('does not carry a bad certificate’s decisions to the good one after it', async () => {
    const flipped = withSignerByteFlipped(lastByte);
    const [first, second] = await verdicts([flipped, good]);
    expect(first).toContain('bad-certificate');
    expect(second).toEqual([]);
  });

  it('returns one object for the same bytes and different objects for different bytes', () => {
    const decode = (copy: Buffer) => decodeExact(copy, 'certificate');
    const a = internCertificate(signerDer, decode);
    expect(internCertificate(Buffer.from(signerDer), decode)).toBe(a);
    const changed = Buffer.from(signerDer);
    changed[changed.length - 1]! ^= 0x01;
    const b = internCertificate(changed, decode);
    expect(b).not.toBe(a);
    expect(b.der.equals(changed)).toBe(true);
    expect(a.der.equals(signerDer)).toBe(true);
  });
});
