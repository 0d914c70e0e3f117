/**
 * External cabinets are found the way Windows Installer finds them (issue 22): the Media
 * table's name matched without regard to case, with a notice when only the case differs; the
 * short|long syntax, which the Cabinet data type does not allow, names no file.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings.js';
import { buildPolicy } from '../../src/verify/configure.js';
import { verifyArtifacts } from '../../src/verify/verify-artifacts.js';
import { REPO } from '../support/manifest.js';

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
