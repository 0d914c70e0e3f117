/**
 * External cabinets are found the way Windows Installer finds them (issue 22): the Media
 * table's name matched without regard to case, with a notice when only the case differs; the
 * short|long syntax, which the Cabinet data type does not allow, names no file.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings.js';
import { buildPolicy } from '../../src/verify/configure.js';
import { verifyArtifacts } from '../../src/verify/verify-artifacts.js';
import { REPO } from '../support/manifest.js';
import { skipWithout, titled } from '../support/tools.js';
import { RandomAccessFile } from '../../src/io/random-access-file.js';
import { payloadLimitsFor, walkPayload } from '../../src/payload/walk.js';

const temp = mkdtempSync(join(tmpdir(), 'va-cabinet-lookup-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const CABINET = join(REPO, 'fixtures/msi/external/ok/data1.cab');

/** external/ok/product.msi with its Media.Cabinet "data1.cab" replaced by a name of the same length. */
function packageNaming(name: string, directory: string): string {
  if (Buffer.byteLength(name) !== 'data1.cab'.length) throw new Error('same length only');
  const bytes = readFileSync(join(REPO, 'fixtures/msi/external/ok/product.msi'));
  bytes.write(name, bytes.indexOf('data1.cab'), 'latin1');
  mkdirSync(directory, { recursive: true });
  const path = join(directory, 'product.msi');
  writeFileSync(path, bytes);
  return path;
}

async function cabinetFindings(path: string): Promise<Finding[]> {
  const policy = await buildPolicy({
    signers: [join(REPO, 'fixtures/pki/signer.pem')],
    trustedRoots: join(REPO, 'fixtures/pki/trusted-roots.pem'),
  });
  const report = await verifyArtifacts([{ path, displayPath: 'product.msi' }], policy);
  return report.artifacts[0]!.findings.filter(
    (f) => f.code.startsWith('external-cabinet') || f.code === 'unusual-layout',
  );
}

describe('external cabinet names, as Windows Installer matches them', () => {
  it.each([
    ['authored in lower case, shipped in upper case', 'data1.cab', 'DATA1.CAB'],
    ['authored in upper case, shipped in lower case', 'DATA1.CAB', 'data1.cab'],
  ])('%s: found and verified, with a notice', async (what, authored, shipped) => {
    const directory = join(temp, what.replace(/\W+/g, '-'));
    const path = packageNaming(authored, directory);
    copyFileSync(CABINET, join(directory, shipped));
    const findings = await cabinetFindings(path);
    expect(findings.map((f) => [f.severity, f.code])).toEqual([['notice', 'unusual-layout']]);
    expect(findings[0]!.message).toContain(`found as "${shipped}"`);
  });

  it('the exact name wins without a notice', async () => {
    const directory = join(temp, 'exact');
    const path = packageNaming('data1.cab', directory);
    copyFileSync(CABINET, join(directory, 'data1.cab'));
    copyFileSync(CABINET, join(directory, 'DATA1.CAB'));
    expect(await cabinetFindings(path)).toEqual([]);
  });

  it('two files that match only without regard to case are ambiguous', async () => {
    const directory = join(temp, 'ambiguous');
    const path = packageNaming('DATA1.CAB', directory);
    copyFileSync(CABINET, join(directory, 'data1.cab'));
    copyFileSync(CABINET, join(directory, 'Data1.Cab'));
    const findings = await cabinetFindings(path);
    expect(findings.map((f) => [f.severity, f.code])).toEqual([
      ['error', 'external-cabinet-missing'],
    ]);
    expect(findings[0]!.message).toContain('without regard to case');
  });

  it('the short|long syntax names no file', async () => {
    const directory = join(temp, 'short-long');
    const path = packageNaming('D~1.C|d.c', directory);
    copyFileSync(CABINET, join(directory, 'd.c'));
    const findings = await cabinetFindings(path);
    expect(findings.map((f) => [f.severity, f.code])).toEqual([
      ['error', 'external-cabinet-missing'],
    ]);
    expect(findings[0]!.message).toContain('short|long');
  });
});

/** The names the signed packages below are built with, and why the suite skips when it does. */
const SKIP_SIGNED = skipWithout('osslsigncode', 'msiinfo', 'msibuild');

/**
 * external/ok/product.msi with its Media row naming `cabinet`, signed again by the fixtures'
 * signer: a package that passes as a whole, not only in its cabinet checks.
 */
function signedPackageNaming(cabinet: string, directory: string): string {
  mkdirSync(join(directory, 'idt'), { recursive: true });
  const unsigned = join(directory, 'unsigned.msi');
  execFileSync('osslsigncode', [
    'remove-signature',
    '-in',
    join(REPO, 'fixtures/msi/external/ok/product.msi'),
    '-out',
    unsigned,
  ]);
  const media = execFileSync('msiinfo', ['export', unsigned, 'Media'], { encoding: 'latin1' });
  const renamed = media.replace(/\tdata1\.cab\t/, `\t${cabinet}\t`);
  expect(renamed).not.toBe(media);
  writeFileSync(join(directory, 'idt', 'Media.idt'), renamed, 'latin1');
  execFileSync('msibuild', [unsigned, '-i', 'Media.idt'], { cwd: join(directory, 'idt') });
  const signed = join(directory, 'product.msi');
  const pki = (name: string): string => join(REPO, 'fixtures/pki', name);
  execFileSync('osslsigncode', [
    'sign',
    '-certs',
    pki('signer.pem'),
    '-key',
    pki('signer.key'),
    '-ac',
    pki('chain.pem'),
    '-h',
    'sha256',
    '-in',
    unsigned,
    '-out',
    signed,
  ]);
  rmSync(unsigned);
  return signed;
}

describe.skipIf(SKIP_SIGNED)(
  titled('a signed package whose cabinet differs in case only (issue 22)', SKIP_SIGNED),
  () => {
    it.each([
      ['extdata.cab', 'EXTDATA.CAB'],
      ['EXTDATA.CAB', 'extdata.cab'],
    ])(
      'names %s and passes with %s beside it, with a notice; the payload walk reads it',
      async (authored, shipped) => {
        const directory = join(temp, `signed-${authored}`);
        const path = signedPackageNaming(authored, directory);
        copyFileSync(CABINET, join(directory, shipped));
        const policy = await buildPolicy({
          signers: [join(REPO, 'fixtures/pki/signer.pem')],
          trustedRoots: join(REPO, 'fixtures/pki/trusted-roots.pem'),
        });
        const report = await verifyArtifacts([{ path, displayPath: 'product.msi' }], policy);
        const artifact = report.artifacts[0]!;
        expect(artifact.verdict).toBe('pass');
        expect(artifact.findings.map((f) => [f.severity, f.code])).toEqual([
          ['notice', 'unusual-layout'],
        ]);
        expect(artifact.findings[0]!.message).toContain(
          `${authored} (disk 1) found as "${shipped}"`,
        );

        const source = await RandomAccessFile.open(path);
        try {
          const walk = await walkPayload(path, source, 'msi', {
            limits: payloadLimitsFor(source.size),
            severity: 'warning',
            onExecutable: async () => {},
          });
          expect(walk.findings).toEqual([]);
          expect(walk.files.map((f) => [f.path.join(' ▸ '), f.container]).sort()).toEqual([
            ['[ProgramFilesFolder]/ContosoFixture/payload.bin', authored],
            ['[ProgramFilesFolder]/ContosoFixture/readme.txt', authored],
          ]);
        } finally {
          await source.close();
        }
      },
    );

    it('the same package with no cabinet beside it fails with external-cabinet-missing', async () => {
      const directory = join(temp, 'signed-missing');
      const path = signedPackageNaming('extdata.cab', directory);
      const findings = await cabinetFindings(path);
      expect(findings.map((f) => [f.severity, f.code])).toEqual([
        ['error', 'external-cabinet-missing'],
      ]);
    });
  },
);

describe('names Windows opens as devices', () => {
  it.each(['CON.cab', 'nul'])('%s is never opened: external-cabinet-missing', async (name) => {
    const directory = join(temp, `device-${name}`);
    const path = packageNaming(name.padEnd(9, ' '), directory);
    const findings = await cabinetFindings(path);
    expect(findings.map((f) => [f.severity, f.code])).toEqual([
      ['error', 'external-cabinet-missing'],
    ]);
    expect(findings[0]!.message).toContain('reserved Windows device names');
  });
});
