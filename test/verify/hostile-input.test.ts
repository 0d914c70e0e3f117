/**
 * Issue #10, per-file limits and paths: a count or name a hostile package declares is checked
 * against what the file can hold (and where it may lead) before anything is read or allocated
 * for it. Cases the readers' own suites already cover (CFB sector counts, cabinet counts and
 * locators, string pool lengths, table row counts, certificate counts in a signature) are not
 * repeated here; these are the ones the audit found missing.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCompoundFile } from '../../src/cfb/index.js';
import { parseAuthenticode } from '../../src/authenticode/index.js';
import { MalformedPackageError, MalformedSignatureError } from '../../src/errors.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import { openMsiDatabase } from '../../src/msi/database.js';
import { readDigitalCertificates, readDigitalSignatures } from '../../src/msi/signing-tables.js';
import { parseSummaryInformation } from '../../src/msi/summary-information.js';
import { buildPolicy } from '../../src/verify/configure.js';
import { verifyArtifacts } from '../../src/verify/verify-artifacts.js';
import { startAllocationProbe, stopAllocationProbe } from '../fuzz/allocation-probe.js';
import { buildDatabaseStreams } from '../msi/support/build-database.js';
import { memoryCompoundFile } from '../msi/support/memory-compound-file.js';
import { buildCfb, stream } from '../support/cfb-builder.js';
import { REPO } from '../support/manifest.js';

const temp = mkdtempSync(join(tmpdir(), 'va-hostile-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('signing tables with many rows naming one stream', () => {
  it('read the stream once, however many rows name it', async () => {
    const certificate = Buffer.alloc(64 * 1024, 0x30);
    const hash = Buffer.alloc(32, 0xab);
    const rows = 5000;
    const streams = buildDatabaseStreams({
      tables: [
        {
          name: 'MsiDigitalCertificate',
          columns: [
            { name: 'DigitalCertificate', idt: 's72', key: true },
            { name: 'CertData', idt: 'v0' },
          ],
          // The same key in every row: every row names stream MsiDigitalCertificate.Cert1.
          rows: Array.from({ length: rows }, () => ['Cert1', certificate]),
        },
        {
          name: 'MsiDigitalSignature',
          columns: [
            { name: 'Table', idt: 's32', key: true },
            { name: 'SignObject', idt: 's72', key: true },
            { name: 'DigitalCertificate_', idt: 's72' },
            { name: 'Hash', idt: 'V0' },
          ],
          rows: Array.from({ length: rows }, () => ['Media', '1', 'Cert1', hash]),
        },
      ],
    });
    const cfb = memoryCompoundFile(streams);
    const db = await openMsiDatabase(cfb);
    cfb.reads.length = 0;
    startAllocationProbe(true);
    const certificates = await readDigitalCertificates(db);
    const signatures = await readDigitalSignatures(db);
    const largest = stopAllocationProbe();
    expect(certificates).toHaveLength(rows);
    expect(signatures).toHaveLength(rows);
    expect(certificates!.every((row) => row.certData.equals(certificate))).toBe(true);
    // 2 tables + 2 binary streams, not 5000 reads of 64 KiB each.
    expect(cfb.reads.filter((name) => !name.startsWith('\u4840'))).toHaveLength(2);
    expect(largest).toBeLessThan(1024 * 1024);
  });
});

describe('memory for one file', () => {
  it('is in proportion to the file, for every kind of fixture', async () => {
    // The hash read buffers were once sized by the number of ranges (mini sectors) a stream
    // has, two 1–4 MiB buffers for a 20 KiB package (found by the fuzz harness).
    const policy = await buildPolicy({ signers: [join(REPO, 'fixtures/pki/signer.pem')] });
    for (const fixture of [
      'fixtures/msi/signed-sha256.msi',
      'fixtures/msi/signed-nested-sha512.msi',
      'fixtures/msp/signed.msp',
      'fixtures/cab/signed-sha256.cab',
      'fixtures/cab/signed-stored-sha256.cab',
    ]) {
      const path = join(REPO, fixture);
      const size = readFileSync(path).length;
      startAllocationProbe(true);
      await verifyArtifacts([{ path, displayPath: fixture }], policy);
      const largest = stopAllocationProbe();
      expect(largest, fixture).toBeLessThanOrEqual(256 * 1024 + 4 * size);
    }
  });
});

describe('signature encodings asn1js would accept but BER does not', () => {
  // The appended signature of a real cabinet (osslsigncode's 20-byte reserve: locator at 44).
  const cab = readFileSync(join(REPO, 'fixtures/cab/signed-sha256.cab'));
  const blob = cab.subarray(cab.readUInt32LE(44), cab.readUInt32LE(44) + cab.readUInt32LE(48));
  // ContentInfo → [0] → SignedData → version, digestAlgorithms, encapContentInfo → [0] → here.
  const indirect = blob.indexOf(Buffer.from('060a2b060104018237020104', 'hex')) + 12;
  const edited = (at: number, value: number) => {
    const copy = Buffer.from(blob);
    copy[at] = value;
    return copy;
  };

  it('decode as they are', () => {
    expect(blob[indirect]).toBe(0xa0);
    expect(blob[indirect + 2]).toBe(0x30);
    expect(parseAuthenticode(blob).index).toBe(0);
  });

  it('reject contents that run past an element’s declared length', () => {
    const declared = blob[indirect + 3]!;
    expect(() => parseAuthenticode(edited(indirect + 3, declared - 0x20))).toThrow(
      new MalformedSignatureError(
        `cannot decode signature eContent: an element declares ${declared - 0x20} content bytes but its contents take ${declared}`,
      ),
    );
  });

  it('reject a SEQUENCE in the primitive form', () => {
    expect(() => parseAuthenticode(edited(indirect + 2, 0x10))).toThrow(
      /SEQUENCE has the primitive form/,
    );
  });
});

describe('summary information counts', () => {
  const header = (sections: number, propertyCount: number): Buffer => {
    const bytes = Buffer.alloc(48 + 8);
    bytes.writeUInt16LE(0xfffe, 0);
    bytes.writeUInt32LE(sections, 24);
    // FMTID_SummaryInformation, section at offset 48.
    Buffer.from('e0859ff2f94f6810ab9108002b27b3d9', 'hex').copy(bytes, 28);
    bytes.writeUInt32LE(48, 44);
    bytes.writeUInt32LE(8, 48);
    bytes.writeUInt32LE(propertyCount, 52);
    return bytes;
  };

  it('reject a section count the stream cannot hold', () => {
    expect(() => parseSummaryInformation(header(0xffffffff, 0))).toThrow(/sections do not fit/);
  });

  it('reject a property count the section cannot hold, before reading any', () => {
    startAllocationProbe(true);
    expect(() => parseSummaryInformation(header(1, 0x7fffffff))).toThrow(MalformedPackageError);
    expect(stopAllocationProbe()).toBeLessThan(4096);
  });
});

describe('a mini FAT sector count the file cannot hold', () => {
  it('reads only the mini FAT sectors that describe the mini stream', async () => {
    const image = buildCfb([stream('small', 'x'.repeat(100)), stream('tiny', 'y')]);
    image.header.miniFatSectorCount = 0xffffffff;
    const bytes = image.toBytes();
    startAllocationProbe(true);
    const cfb = await openCompoundFile(new MemorySource(bytes));
    const largest = stopAllocationProbe();
    const small = cfb.child(cfb.root, 'small')!;
    expect((await cfb.readStream(small)).toString()).toBe('x'.repeat(100));
    expect(largest).toBeLessThanOrEqual(bytes.length);
  });
});

/**
 * fixtures/msi/external/ok/product.msi with its Media.Cabinet value ("data1.cab", one string in
 * _StringData) replaced by a name of the same length.
 */
function packageNamingCabinet(name: string, directory: string): string {
  if (Buffer.byteLength(name) !== 'data1.cab'.length) throw new Error('same length only');
  const bytes = readFileSync(join(REPO, 'fixtures/msi/external/ok/product.msi'));
  const at = bytes.indexOf('data1.cab');
  bytes.write(name, at, 'latin1');
  mkdirSync(directory, { recursive: true });
  const path = join(directory, 'product.msi');
  writeFileSync(path, bytes);
  return path;
}

describe('external cabinet names from the package', () => {
  const cabinet = join(REPO, 'fixtures/msi/external/ok/data1.cab');
  const policy = () =>
    buildPolicy({
      signers: [join(REPO, 'fixtures/pki/signer.pem')],
      trustedRoots: join(REPO, 'fixtures/pki/trusted-roots.pem'),
    });
  const verify = async (path: string) => {
    const report = await verifyArtifacts([{ path, displayPath: 'product.msi' }], await policy());
    return report.artifacts[0]!.findings;
  };

  it.each([
    ['a parent directory', '../x1.cab'],
    ['a parent directory, Windows style', '..\\x1.cab'],
    ['an absolute path', '/x/11.cab'],
  ])('are not followed to %s', async (_what, name) => {
    const root = join(temp, `up-${name.replace(/\W/g, '_')}`);
    const path = packageNamingCabinet(name, join(root, 'out'));
    copyFileSync(cabinet, join(root, 'x1.cab')); // would be found through ../x1.cab
    const findings = await verify(path);
    expect(findings).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        code: 'outside-workspace',
        message: expect.stringContaining('not read'),
      }),
    );
    expect(findings.map((f) => f.code)).not.toContain('external-cabinet-mismatch');
    expect(findings.map((f) => f.code)).not.toContain('external-cabinet-missing');
  });

  it('are not followed through a symbolic link beside the package', async () => {
    const root = join(temp, 'link');
    const path = packageNamingCabinet('data1.cab', join(root, 'out'));
    copyFileSync(cabinet, join(root, 'elsewhere.cab'));
    symlinkSync(join(root, 'elsewhere.cab'), join(root, 'out', 'data1.cab'));
    const findings = await verify(path);
    expect(findings).toContainEqual(expect.objectContaining({ code: 'outside-workspace' }));
  });

  it('are still found beside the package', async () => {
    const root = join(temp, 'beside');
    const path = packageNamingCabinet('data1.cab', root);
    copyFileSync(cabinet, join(root, 'data1.cab'));
    const findings = await verify(path);
    expect(findings.map((f) => f.code)).not.toContain('outside-workspace');
    expect(findings.map((f) => f.code)).not.toContain('external-cabinet-missing');
    expect(findings.map((f) => f.code)).not.toContain('external-cabinet-mismatch');
  });
});
