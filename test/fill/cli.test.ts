import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageHint } from '../../src/cli/run.js';
import { FILL_USAGE } from '../../src/cli/usage.js';
import { runCliInProcess } from '../support/cli-in-process.js';
import { certificate, REPO, tempDir, type TempDir } from './support.js';

const SIGNER = certificate('signer');
const SIGNER2 = certificate('signer2');
const HINT = usageHint(FILL_USAGE, 'fill-patch-certificate');

/** How the CLI shows a path: relative to its working directory (the repository) when inside. */
function shown(path: string): string {
  const rel = relative(REPO, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

const fill = (...args: string[]) => runCliInProcess(['fill-patch-certificate', ...args]);

describe('verify-authenticode fill-patch-certificate: usage and configuration (exit 2)', () => {
  it('prints its help with --help and exits 0', async () => {
    const result = await fill('--help');
    expect(result).toEqual({ status: 0, stdout: FILL_USAGE, stderr: '' });
    expect(FILL_USAGE).toContain('--remove-signature');
  });

  it.each([
    [[], 'no MSI given'],
    [['a.msi'], '--cert is required'],
  ])('%j → %s', async (args, reason) => {
    const result = await fill(...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`verify-authenticode: ${reason}\n${HINT}`);
  });

  it('refuses --out with more than one input MSI', async () => {
    const result = await fill(
      'fixtures/msi/unsigned.msi',
      'fixtures/msi/unsigned-msibuild.msi',
      '--cert',
      'fixtures/pki/signer.pem',
      '--out',
      'x.msi',
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `verify-authenticode: --out takes one input MSI; 2 were given\n${HINT}`,
    );
  });

  it('rejects an unknown option', async () => {
    const result = await fill('a.msi', '--cert', 'c.pem', '--force');
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/^verify-authenticode: unknown option '--force'/i);
  });

  it('rejects an --id that is not a Windows Installer identifier', async () => {
    const result = await fill('a.msi', '--cert', 'fixtures/pki/signer.pem', '--id', '9lives');
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'verify-authenticode: --id: the id "9lives" is not a Windows Installer identifier ' +
        '(a letter or _, then letters, digits, _ or .)',
    );
  });

  it('reports an unreadable certificate file in one line with the usage hint', async () => {
    const result = await fill('a.msi', '--cert', 'fixtures/pki/missing.pem');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `verify-authenticode: --cert: fixtures/pki/missing.pem: cannot be read (no such file)\n${HINT}`,
    );
  });
});

describe('verify-authenticode fill-patch-certificate: filling (exit 0 / 1)', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir('fill-cli');
  });
  afterAll(() => dir.remove());

  it('fills, reports each row it added, and says nothing changed the second time', async () => {
    const msi = dir.copy('msi/unsigned.msi', 'cli.msi');
    const name = shown(msi);
    const first = await fill(msi, '--cert', 'fixtures/pki/signer.pem');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const k = SIGNER.sha256.slice(0, 16);
    expect(first.stdout).toBe(
      `${name}: created table(s) MsiDigitalCertificate, MsiPatchCertificate\n` +
        `${name}: added Contoso Release Signing (sha256 ${k}…) as MsiDigitalCertificate Cert_${k} and MsiPatchCertificate PatchCert_${k}\n`,
    );
    const bytes = readFileSync(msi);
    const second = await fill(msi, '--cert', 'fixtures/pki/signer.pem');
    expect(second.status).toBe(0);
    expect(second.stdout).toBe(
      `${name}: already lists Contoso Release Signing (sha256 ${k}…) (MsiPatchCertificate PatchCert_${k} → Cert_${k})\n` +
        `${name}: nothing to do; file not changed\n`,
    );
    expect(readFileSync(msi).equals(bytes)).toBe(true);
  });

  it('fills the other files and exits 1 when one of them cannot be filled', async () => {
    const signed = dir.copy('msi/signed-sha256.msi');
    const plain = dir.copy('msi/unsigned-msibuild.msi', 'plain.msi');
    const result = await fill(
      signed,
      plain,
      '--cert',
      'fixtures/pki/signer2.pem',
      '--id',
      'Fabrikam',
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `verify-authenticode: ${shown(signed)}: the package is signed and filling it would ` +
        'invalidate the signature; fill it before signing, or have the signature removed and ' +
        'sign again afterwards (pass --remove-signature)\n',
    );
    expect(result.stdout).toContain(
      `${shown(plain)}: added Fabrikam Build Agent (sha256 ${SIGNER2.sha256.slice(0, 16)}…) ` +
        'as MsiDigitalCertificate Fabrikam and MsiPatchCertificate Fabrikam\n',
    );
  });

  it('with --remove-signature, says what it removed and that the MSI must be signed again', async () => {
    const signed = dir.copy('msi/signed-dse.msi');
    const out = dir.file('unsigned-now.msi');
    const result = await fill(
      signed,
      '--cert',
      'fixtures/pki/signer2.pem',
      '--out',
      out,
      '--remove-signature',
    );
    expect(result.status, result.stderr).toBe(0);
    const name = shown(signed);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      `${name}: removed the signature stream DigitalSignature`,
      `${name}: removed the signature stream MsiDigitalSignatureEx`,
    ]);
    expect(lines).toContain(`${name}: wrote ${shown(out)}`);
    expect(lines).toContain(`${name}: the package is now unsigned; sign it again`);
  });

  it('exits 1 naming the file when it is not an MSI', async () => {
    const result = await fill('fixtures/msp/unsigned.msp', '--cert', 'fixtures/pki/signer.pem');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'verify-authenticode: fixtures/msp/unsigned.msp: the file is an .msp, not an .msi\n',
    );
  });
});
