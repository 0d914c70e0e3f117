/**
 * The point of filling: after signing, the MSI lists its signer in MsiPatchCertificate.
 * Fill with the CLI (in process), sign with osslsigncode, verify with osslsigncode and with
 * our own `verify --patch-certificate require`.
 */
import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, verifyJson } from '../support/cli-in-process.js';
import {
  fixture,
  titled,
  SKIP_SIGN_AND_VERIFY,
  makeLargeMsi,
  osslsigncodeVerify,
  signMsi,
  tempDir,
  type TempDir,
} from './support.js';

const VERIFY = [
  '--signer',
  'fixtures/pki/signer.pem',
  '--trusted-roots',
  'fixtures/pki/trusted-roots.pem',
  '--patch-certificate',
  'require',
];

describe.skipIf(SKIP_SIGN_AND_VERIFY)(titled('fill, sign, verify', SKIP_SIGN_AND_VERIFY), () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir('fill-sign');
  });
  afterAll(() => dir.remove());

  async function fillSignVerify(unsigned: string, name: string, extra: string[] = []) {
    const filled = dir.file(`${name}-filled.msi`);
    const fill = await runCliInProcess([
      'fill-patch-certificate',
      unsigned,
      '--cert',
      'fixtures/pki/signer.pem',
      '--out',
      filled,
      ...extra,
    ]);
    expect(fill.status, fill.stderr).toBe(0);
    expect(fill.stderr).toBe('');

    const signed = dir.file(`${name}-filled-signed.msi`);
    signMsi(filled, signed);
    const checked = osslsigncodeVerify(signed);
    expect(checked.ok, checked.output).toBe(true);
    expect(checked.output).toContain('Signature verification: ok');

    const ours = await verifyJson([...VERIFY, signed]);
    expect(ours.status, ours.stderr).toBe(0);
    expect(ours.report.artifacts.map((a) => a.status)).toEqual(['valid']);

    // The same MSI signed without filling: the pinned signer is not in MsiPatchCertificate.
    const unfilledSigned = dir.file(`${name}-unfilled-signed.msi`);
    if (extra.includes('--remove-signature')) copyFileSync(unsigned, unfilledSigned);
    else signMsi(unsigned, unfilledSigned);
    const without = await verifyJson([...VERIFY, unfilledSigned]);
    expect(without.status).toBe(1);
    expect(without.report.artifacts.map((a) => a.status)).toEqual(['patch-certificate-missing']);
    expect(without.report.artifacts[0]!.findings.map((f) => f.code)).toContain(
      'patch-certificate-missing',
    );
  }

  it('a wixl-made MSI passes --patch-certificate require once filled and signed', async () => {
    await fillSignVerify(dir.copy('msi/unsigned.msi'), 'wixl');
  });

  it('an msibuild-made MSI passes --patch-certificate require once filled and signed', async () => {
    await fillSignVerify(dir.copy('msi/unsigned-msibuild.msi'), 'msibuild');
  });

  it('a version 4 MSI (signed, filled with --remove-signature, signed again) passes', async () => {
    const { signed } = makeLargeMsi(dir.path);
    await fillSignVerify(signed, 'v4', ['--remove-signature']);
  });

  it('the MSI filled with two certificates passes for the new signer', async () => {
    const unsigned = dir.copy('msi/unsigned.msi', 'rotation.msi');
    const fill = await runCliInProcess([
      'fill-patch-certificate',
      unsigned,
      '--cert',
      'fixtures/pki/signer2.pem',
      '--cert',
      fixture('pki/signer.pem'),
    ]);
    expect(fill.status, fill.stderr).toBe(0);
    const signed = dir.file('rotation-signed.msi');
    signMsi(unsigned, signed);
    const ours = await verifyJson([...VERIFY, signed]);
    expect(ours.report.artifacts.map((a) => a.status)).toEqual(['valid']);
  });
});
