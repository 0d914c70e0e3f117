import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAuthenticode } from '../../src/authenticode/index.js';
import { detectContainer } from '../../src/container/index.js';
import { MalformedPackageError, MalformedSignatureError } from '../../src/errors.js';
import { hashSegments } from '../../src/io/hash-plan.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import {
  machineName,
  parsePeHeaders,
  peDigestRanges,
  readCertificateTable,
  verifyPageHashes,
} from '../../src/pe/index.js';
import { REPO } from '../support/manifest.js';

const fixture = (name: string) => readFileSync(join(REPO, 'fixtures/pe', name));
const source = (bytes: Buffer) => new MemorySource(bytes);

/** Offsets of the fields the tests edit, read with plain arithmetic (not src/pe). */
function offsets(bytes: Buffer) {
  const pe = bytes.readUInt32LE(0x3c);
  const optional = pe + 24;
  const plus = bytes.readUInt16LE(optional) === 0x20b;
  const entry = optional + (plus ? 112 : 96) + 32;
  return {
    pe,
    optional,
    entry,
    table: bytes.readUInt32LE(entry),
    size: bytes.readUInt32LE(entry + 4),
  };
}

function withUInt(bytes: Buffer, offset: number, value: number, width: 2 | 4 = 4): Buffer {
  const copy = Buffer.from(bytes);
  if (width === 2) copy.writeUInt16LE(value, offset);
  else copy.writeUInt32LE(value, offset);
  return copy;
}

describe('PE headers', () => {
  it('reads a PE32+ executable and a PE32 DLL built by mingw-w64', async () => {
    const x64 = await parsePeHeaders(source(fixture('unsigned-x64.exe')));
    expect(x64).toMatchObject({
      format: 'PE32+',
      machine: 0x8664,
      subsystem: 3,
      fileAlignment: 512,
    });
    expect(x64.certificateDirectory).toMatchObject({ offset: 0, size: 0 });
    expect(x64.sections.map((s) => s.name)).toContain('.text');
    const x86 = await parsePeHeaders(source(fixture('unsigned-x86.dll')));
    expect(x86).toMatchObject({ format: 'PE32', machine: 0x14c });
    expect(x86.characteristics & 0x2000).toBe(0x2000);
    expect(machineName(0xaa64)).toBe('ARM64, 0xaa64');
  });

  it('names each truncation or inconsistency as a malformed package', async () => {
    const plain = fixture('unsigned-x64.exe');
    const { pe, optional } = offsets(plain);
    const cases: [Buffer, RegExp][] = [
      [plain.subarray(0, 40), /shorter than the 64-byte MS-DOS header/],
      [withUInt(plain, 0x3c, plain.length - 8), /e_lfanew points to offset/],
      [plain.subarray(0, optional + 100), /optional header .* does not fit/],
      [withUInt(plain, optional, 0x107, 2), /neither PE32 \(0x10b\) nor PE32\+/],
      [withUInt(plain, optional + 108, 40), /NumberOfRvaAndSizes is 40/],
      [withUInt(plain, pe + 6, 0xffff, 2), /section table .* runs past the end/],
      [withUInt(plain, optional + 60, plain.length + 1), /SizeOfHeaders is/],
      [plain.subarray(0, plain.length - 100), /section 5 \(".idata"\) has raw data .* truncated/],
    ];
    for (const [bytes, message] of cases) {
      const error = await parsePeHeaders(source(bytes)).catch((e: unknown) => e);
      expect(error, String(message)).toBeInstanceOf(MalformedPackageError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('detection: MZ with PE is a PE image, a cut-short MZ file a damaged one, NE something else', async () => {
    const plain = fixture('unsigned-x64.exe');
    expect((await detectContainer(source(plain))).container).toBe('portable-executable');
    expect((await detectContainer(source(plain.subarray(0, 50)))).container).toBe(
      'portable-executable',
    );
    const ne = Buffer.from(plain);
    ne.write('NE', offsets(plain).pe, 'latin1');
    expect(await detectContainer(source(ne))).toEqual({
      container: 'other',
      description: 'an MS-DOS or 16-bit Windows executable (MZ without a PE header)',
    });
  });
});

describe('the attribute certificate table', () => {
  const signed = fixture('signed-x64-sha256.exe');
  const read = async (bytes: Buffer) =>
    readCertificateTable(source(bytes), await parsePeHeaders(source(bytes)));

  it('reads the first WIN_CERTIFICATE of a signed file, which ends the file', async () => {
    const result = await read(signed);
    expect(result.present).toBe(true);
    if (!result.present) return;
    const { table, size } = { table: result.table, size: offsets(signed).size };
    expect(table).toMatchObject({ size, trailingBytes: 0, unaccountedBytes: null });
    expect(table.entries).toHaveLength(1);
    expect(table.entries[0]).toMatchObject({ revision: 0x0200, type: 0x0002 });
    expect(table.offset % 8).toBe(0);
    expect(parseAuthenticode(result.signature).dataType).toBe('1.3.6.1.4.1.311.2.1.15');
  });

  it('an unsigned file has no table and says why', async () => {
    expect(await read(fixture('unsigned-x86.exe'))).toEqual({
      present: false,
      reason: 'its Certificate Table directory entry is empty',
    });
  });

  it('rejects a first entry of another revision or type, an impossible length, a table outside the file or over the image', async () => {
    const { table, entry } = offsets(signed);
    const cases: [Buffer, RegExp][] = [
      [
        withUInt(signed, table + 4, 0x0100, 2),
        /revision 0x0100; Authenticode needs WIN_CERT_REVISION_2_0/,
      ],
      [
        withUInt(signed, table + 6, 0x0001, 2),
        /type 0x0001; Authenticode needs WIN_CERT_TYPE_PKCS_SIGNED_DATA/,
      ],
      [withUInt(signed, table, 4), /impossible length/],
      [withUInt(signed, table, 0x7fffffff), /impossible length/],
      [withUInt(signed, entry, 0), /size of \d+ bytes but no offset/],
      [withUInt(signed, entry + 4, offsets(signed).size + 8), /runs past the end/],
      [withUInt(signed, entry, 512), /overlaps the headers or section data/],
    ];
    for (const [bytes, message] of cases) {
      const error = await read(bytes).catch((e: unknown) => e);
      expect(error, String(message)).toBeInstanceOf(MalformedSignatureError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('counts non-zero bytes in the table outside every entry (MS13-098), and further entries', async () => {
    const smuggled = await read(fixture('damaged/pe-certificate-table-extra-data.exe'));
    expect(smuggled.present && smuggled.table.unaccountedBytes?.count).toBe(16);
    const second = await read(fixture('damaged/pe-second-certificate-entry.exe'));
    expect(second.present && second.table.entries.map((e) => e.type)).toEqual([2, 1]);
    expect(second.present && second.table.unaccountedBytes).toBeNull();
    const appended = await read(fixture('damaged/pe-appended-after-signing.exe'));
    expect(appended.present && appended.table.trailingBytes).toBe(24);
  });
});

describe('the PE Authenticode digest', () => {
  /** The specification's rule on the whole buffer, written apart from src/pe. */
  function specificationDigest(bytes: Buffer, algorithm: string): Buffer {
    const { optional, entry, table, size } = offsets(bytes);
    const hash = createHash(algorithm);
    hash.update(bytes.subarray(0, optional + 64));
    hash.update(bytes.subarray(optional + 68, entry));
    hash.update(bytes.subarray(entry + 8, size > 0 ? table : bytes.length));
    if (size > 0) hash.update(bytes.subarray(table + size));
    return hash.digest();
  }

  it.each([
    'signed-x64-sha256.exe',
    'signed-x86-sha256.exe',
    'signed-x64-extra-data.exe',
    'signed-x86-overlay.exe',
    'damaged/pe-appended-after-signing.exe',
    'unsigned-x86.dll',
  ])('%s: the planned ranges hash to the specification digest', async (name) => {
    const bytes = fixture(name);
    const image = await parsePeHeaders(source(bytes));
    const read = await readCertificateTable(source(bytes), image);
    const ranges = peDigestRanges(image, read.present ? read.table : null);
    const digests = await hashSegments(source(bytes), ranges, ['sha256']);
    expect(digests.get('sha256')).toEqual(specificationDigest(bytes, 'sha256'));
  });

  it('equals the digest the signature signs, and the CheckSum does not take part', async () => {
    for (const name of ['signed-x64-sha256.exe', 'damaged/pe-checksum-changed.exe']) {
      const bytes = fixture(name);
      const image = await parsePeHeaders(source(bytes));
      const read = await readCertificateTable(source(bytes), image);
      if (!read.present) throw new Error('unsigned');
      const digests = await hashSegments(source(bytes), peDigestRanges(image, read.table), [
        'sha256',
      ]);
      expect(digests.get('sha256')).toEqual(parseAuthenticode(read.signature).fileDigest.digest);
    }
  });
});

describe('page hashes', () => {
  async function check(bytes: Buffer) {
    const image = await parsePeHeaders(source(bytes));
    const read = await readCertificateTable(source(bytes), image);
    if (!read.present) throw new Error('unsigned');
    const pageHashes = parseAuthenticode(read.signature).peImageData?.pageHashes;
    if (!pageHashes) throw new Error('no page hashes');
    return { result: await verifyPageHashes(source(bytes), image, pageHashes), pageHashes };
  }

  it('decodes V2 (SHA-256) and V1 (SHA-1) tables and verifies every page', async () => {
    const v2 = await check(fixture('signed-x64-pagehashes-sha256.exe'));
    expect(v2.pageHashes).toMatchObject({ version: 2, algorithm: 'sha256' });
    expect(v2.result).toEqual({ ok: true, pages: 5 });
    const v1 = await check(fixture('signed-x86-pagehashes-sha1.dll'));
    expect(v1.pageHashes).toMatchObject({ version: 1, algorithm: 'sha1' });
    expect(v1.result.ok).toBe(true);
    // The overlay is outside every section: page hashes do not cover it.
    expect((await check(fixture('signed-x86-overlay.exe'))).result.ok).toBe(true);
  });

  it('names the page that changed', async () => {
    const { result } = await check(fixture('damaged/pe-pagehashes-section-byte-flipped.exe'));
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.reason).toMatch(/the page at file offset 2048 does not match/);
  });

  it('a signature without page hashes has none', async () => {
    const bytes = fixture('signed-x64-sha256.exe');
    const read = await readCertificateTable(source(bytes), await parsePeHeaders(source(bytes)));
    expect(read.present && parseAuthenticode(read.signature).peImageData).toEqual({
      link: 'file',
      pageHashes: null,
    });
  });
});
