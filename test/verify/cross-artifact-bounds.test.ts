import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { capFindings, MAX_FINDINGS_PER_ARTIFACT, type Finding } from '../../src/findings.js';
import type { MediaRow } from '../../src/msi/index.js';
import type { ArtifactOutcome } from '../../src/verify/artifact.js';
import { buildPolicy } from '../../src/verify/configure.js';
import {
  checkExternalCabinets,
  checkMsiPatchCertificate,
  MAX_EXTERNAL_CABINETS,
  type VerifiedArtifact,
} from '../../src/verify/cross-artifact.js';
import type { PackageFacts } from '../../src/verify/package-facts.js';
import { defaultPolicy } from '../../src/verify/policy.js';
import { verifyArtifacts } from '../../src/verify/verify-artifacts.js';
import { Certificate } from '../../src/x509/certificate.js';
import { REPO } from '../support/manifest.js';

const temp = mkdtempSync(join(tmpdir(), 'va-cross-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function media(diskId: number, cabinet: string): MediaRow {
  return {
    diskId,
    lastSequence: diskId,
    diskPrompt: null,
    cabinet,
    volumeLabel: null,
    source: null,
    embeddedCabinetStream: null,
  };
}

function msiArtifact(path: string, facts: Partial<PackageFacts>): VerifiedArtifact {
  const outcome: ArtifactOutcome = {
    report: {
      path,
      kind: 'msi',
      size: 0,
      verdict: 'pass',
      status: 'valid',
      findings: [],
      signatures: [],
    },
    primarySigner: null,
    primaryValid: false,
    primaryDigest: null,
    chains: [],
    revocationSubjects: [],
    package: {
      kind: 'msi',
      targetProductCodes: [],
      patchCertificates: null,
      digitalCertificates: new Map(),
      media: [],
      digitalSignatures: [],
      findings: [],
      ...facts,
    },
  };
  return { path, outcome, baseline: false };
}

const SIGNER_DER = readFileSync(join(REPO, 'fixtures/pki/signer.der'));
const SIGNER2_DER = readFileSync(join(REPO, 'fixtures/pki/signer2.der'));

describe('external cabinets: bounded work, grouped findings (issue 20, item 3)', () => {
  it('20,000 Media rows × 20,000 MsiDigitalSignature rows naming one absent cabinet: one finding, no cabinet verified', async () => {
    const rows = 20_000;
    const artifact = msiArtifact(join(temp, 'absent', 'product.msi'), {
      media: Array.from({ length: rows }, (_, i) => media(i + 1, 'data1.cab')),
      digitalSignatures: Array.from({ length: rows }, (_, i) => ({
        table: 'Media',
        signObject: String(i + 1),
        digitalCertificate: 'c',
        hash: null,
      })),
    });
    const verifyCabinet = vi.fn<(path: string) => Promise<ArtifactOutcome>>();
    const findings = await checkExternalCabinets(artifact, verifyCabinet);
    expect(verifyCabinet).not.toHaveBeenCalled();
    expect(findings.map((f) => [f.severity, f.code])).toEqual([
      ['error', 'external-cabinet-missing'],
    ]);
    expect(findings[0]!.message).toContain(`(${rows} cabinets)`);
    expect(findings[0]!.message).toContain(`and ${rows - 10} more`);
  });

  it('verifies a cabinet that many disks share once', async () => {
    const directory = join(temp, 'shared');
    mkdirSync(directory, { recursive: true });
    copyFileSync(join(REPO, 'fixtures/msi/external/ok/data1.cab'), join(directory, 'data1.cab'));
    const rows = 5_000;
    const artifact = msiArtifact(join(directory, 'product.msi'), {
      media: Array.from({ length: rows }, (_, i) => media(i + 1, 'data1.cab')),
      digitalSignatures: Array.from({ length: rows }, (_, i) => ({
        table: 'Media',
        signObject: String(i + 1),
        digitalCertificate: 'missing-row',
        hash: null,
      })),
    });
    const outcome = msiArtifact('data1.cab', {}).outcome;
    outcome.primaryValid = true;
    const verifyCabinet = vi.fn(async () => outcome);
    const findings = await checkExternalCabinets(artifact, verifyCabinet);
    expect(verifyCabinet).toHaveBeenCalledTimes(1);
    expect(findings.map((f) => [f.severity, f.code])).toEqual([
      ['error', 'external-cabinet-mismatch'],
    ]);
    expect(findings[0]!.message).toContain('MsiDigitalCertificate has no row');
    expect(findings[0]!.message).toContain(`(${rows} cabinets)`);
  });

  it(`looks at most ${MAX_EXTERNAL_CABINETS} distinct names and says how many it skipped`, async () => {
    const rows = MAX_EXTERNAL_CABINETS + 500;
    const artifact = msiArtifact(join(temp, 'many', 'product.msi'), {
      media: Array.from({ length: rows }, (_, i) => media(i + 1, `c${i}.cab`)),
      digitalSignatures: Array.from({ length: rows }, (_, i) => ({
        table: 'Media',
        signObject: String(i + 1),
        digitalCertificate: 'c',
        hash: null,
      })),
    });
    const findings = await checkExternalCabinets(artifact, vi.fn());
    expect(findings.map((f) => [f.severity, f.code])).toEqual([
      ['error', 'external-cabinet-missing'],
      ['error', 'external-cabinet-mismatch'],
    ]);
    expect(findings[0]!.message).toContain(`(${MAX_EXTERNAL_CABINETS} cabinets)`);
    expect(findings[1]!.message).toContain(
      '500 rows that MsiDigitalSignature lists were not checked',
    );
  });

  it.each([
    ['a directory', (path: string) => mkdirSync(path)],
    ['a FIFO', (path: string) => execFileSync('mkfifo', [path])],
  ])(
    'reports %s named as an external cabinet as not a regular file, reading nothing',
    async (what, make) => {
      const directory = join(temp, `special-${what.replace(/\W/g, '')}`);
      mkdirSync(directory, { recursive: true });
      const bytes = readFileSync(join(REPO, 'fixtures/msi/external/ok/product.msi'));
      writeFileSync(join(directory, 'product.msi'), bytes);
      make(join(directory, 'data1.cab'));
      const policy = await buildPolicy({
        signers: [join(REPO, 'fixtures/pki/signer.pem')],
        trustedRoots: join(REPO, 'fixtures/pki/trusted-roots.pem'),
      });
      const report = await verifyArtifacts(
        [{ path: join(directory, 'product.msi'), displayPath: 'product.msi' }],
        policy,
      );
      const external = report.artifacts[0]!.findings.filter((f: Finding) =>
        f.code.startsWith('external-cabinet'),
      );
      expect(external.map((f) => [f.severity, f.code])).toEqual([
        ['error', 'external-cabinet-missing'],
      ]);
      expect(external[0]!.message).toContain('not regular files');
    },
  );
});

describe('a 100,000-row MsiPatchCertificate table (issue 20, item 4)', () => {
  it('decodes each distinct certificate once and names it once with its row count', () => {
    const rows = 100_000;
    const artifact = msiArtifact('big.msi', {
      patchCertificates: Array.from({ length: rows }, (_, i) => ({
        id: i % 2 === 0 ? 'signer2' : 'signer2-again',
        der: SIGNER2_DER,
      })),
    });
    const fromDer = vi.spyOn(Certificate, 'fromDer');
    const policy = defaultPolicy({
      signer: {
        matches: (certificate) => certificate.der.equals(SIGNER_DER),
        describe: () => 'the pinned signer',
      },
    });
    const findings = checkMsiPatchCertificate(artifact, policy);
    expect(fromDer).toHaveBeenCalledTimes(1);
    fromDer.mockRestore();
    expect(findings.map((f) => [f.severity, f.code])).toEqual([
      ['warning', 'patch-certificate-mismatch'],
    ]);
    expect(findings[0]!.message).toContain(`(${rows} rows)`);
    expect(findings[0]!.message.length).toBeLessThan(1000);
    expect(artifact.outcome.report.patchCertificate?.certificates).toHaveLength(1);
  });
});

describe('findings per artifact are capped (docs/hostile-input.md)', () => {
  it('keeps errors first and counts the rest in one findings-capped notice', () => {
    const findings: Finding[] = [
      ...Array.from({ length: 150 }, () => ({
        severity: 'notice' as const,
        code: 'unusual-layout' as const,
        message: 'n',
      })),
      { severity: 'error', code: 'bad-digest', message: 'e' },
    ];
    const capped = capFindings(findings);
    expect(capped).toHaveLength(MAX_FINDINGS_PER_ARTIFACT);
    expect(capped[0]!.code).toBe('bad-digest');
    expect(capped.at(-1)).toEqual({
      severity: 'notice',
      code: 'findings-capped',
      message: expect.stringContaining('52 more findings are not shown') as string,
    });
    expect(capped.at(-1)!.message).toContain('52 × notice unusual-layout');
  });
});
