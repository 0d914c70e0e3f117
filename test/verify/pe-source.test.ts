/**
 * A PE file verified and inspected from any random-access source (what the payload walk uses
 * for files inside a package, without temporary copies), and through the CLI's views.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectSource } from '../../src/inspect/inspect-file.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import { verifySource } from '../../src/verify/artifact.js';
import { defaultPolicy } from '../../src/verify/policy.js';
import { loadCertificateFile } from '../../src/trust/bundle.js';
import { PinSet } from '../../src/trust/pin.js';
import { REPO } from '../support/manifest.js';

const bytes = (name: string) => readFileSync(join(REPO, 'fixtures/pe', name));
const policy = () =>
  defaultPolicy({
    trustedRoots: loadCertificateFile(join(REPO, 'fixtures/pki/trusted-roots.pem')),
    signer: PinSet.parse([join(REPO, 'fixtures/pki/signer.pem')]),
    now: new Date('2026-06-01T00:00:00Z'),
  });

describe('verifySource: a PE file in memory', () => {
  it('passes a signed DLL and reports the page-hash check of a -ph signature', async () => {
    const { outcome, abandoned } = await verifySource(
      new MemorySource(bytes('signed-x64-pagehashes-sha256.exe')),
      'inner/app.exe',
      policy(),
    );
    expect(abandoned).toBeNull();
    expect(outcome.report).toMatchObject({ path: 'inner/app.exe', kind: 'pe', verdict: 'pass' });
    expect(outcome.primaryValid).toBe(true);
  });

  it('fails a changed page with bad-digest twice: the file digest and the page hash', async () => {
    const { outcome } = await verifySource(
      new MemorySource(bytes('damaged/pe-pagehashes-section-byte-flipped.exe')),
      'inner/app.exe',
      policy(),
    );
    const errors = outcome.report.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.code)).toEqual(['bad-digest', 'bad-digest']);
    expect(errors[1]!.message).toMatch(/SHA-256 page hashes \(V2\): the page at file offset 2048/);
    expect(errors[1]!.hresult).toBe('0x80096010');
  });

  it('says catalog signing is not considered when a PE file is unsigned', async () => {
    const { outcome } = await verifySource(
      new MemorySource(bytes('unsigned-x86.dll')),
      'x.dll',
      policy(),
    );
    expect(outcome.report.status).toBe('unsigned');
    expect(outcome.report.findings[0]).toMatchObject({
      code: 'unsigned',
      hresult: '0x800B0100',
      message: expect.stringMatching(/catalog \(\.cat\) signing, .* is not considered/),
    });
  });
});

describe('inspectSource: the PE headers summary', () => {
  it('shows machine, subsystem, format, sections, the signature location and page hashes', async () => {
    const inspection = await inspectSource(
      new MemorySource(bytes('signed-x86-pagehashes-sha1.dll')),
      { displayPath: 'lib.dll', now: new Date('2026-06-01T00:00:00Z') },
    );
    expect(inspection).toMatchObject({
      kind: 'pe',
      container: 'portable-executable',
      readable: true,
      signed: true,
      errors: [],
    });
    expect(inspection.pe).toMatchObject({
      format: 'PE32',
      machine: 'x86 (i386), 0x014c',
      subsystem: 'Windows console',
      dll: true,
      pageHashes: { version: 1, algorithm: 'SHA-1' },
      certificateTable: { entries: [{ revision: 0x0200, type: 2 }], trailingBytes: 0 },
    });
    expect(inspection.pe!.sections.map((s) => s.name)).toContain('.text');
    expect(inspection.signatures[0]!.checks.pageHashes).toMatchObject({ state: 'pass' });
    expect(inspection.signatures[0]!.checks.fileType).toMatchObject({ state: 'pass' });
  });

  it('a truncated table: the headers are shown, then the signature error', async () => {
    const inspection = await inspectSource(
      new MemorySource(bytes('damaged/pe-certificate-table-truncated.exe')),
      { displayPath: 'x.exe' },
    );
    expect(inspection.pe?.format).toBe('PE32+');
    expect(inspection.signed).toBe(true);
    expect(inspection.errors).toEqual([
      expect.objectContaining({ part: 'signature', code: 'malformed-signature' }),
    ]);
  });
});
