/**
 * Valid but unusual cabinets built byte by byte: per-folder and per-data reserves, a
 * pre-allocated reserve, multi-volume links, a legacy in-reserve signature, iCabinet ≠ 0.
 * Each must be read, not rejected, and hashed by the §6.3 field walk.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithout, titled } from '../support/tools.js';
import { MemorySource, RandomAccessFile } from '../../src/io/random-access-file.js';
import {
  cabContentDigests,
  cabDigestRanges,
  hashFileRanges,
  openCabinet,
  osslsigncodeCabDigestRanges,
  readCabSignature,
  type Cabinet,
} from '../../src/cab/index.js';
import { buildCab, pattern, type CabSpec } from './support/cab-builder.js';
import { referenceCabDigest } from './support/reference-digest.js';
import {
  makeSigningCert,
  makeTempDir,
  osslsigncodeDigests,
  run,
  runStatus,
} from './support/tools.js';

const SKIP_SIGNING = skipWithout('osslsigncode', 'openssl');
/** cabextract checks that a built layout is a real cabinet (why those tests skip, when they do). */
const SKIP_CABEXTRACT = skipWithout('cabextract');

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = makeTempDir('cab-synthetic'));
});
afterAll(() => cleanup?.());

const FILES = [
  { name: 'readme.txt', data: Buffer.from('read me\n') },
  { name: 'data.bin', data: pattern(70_000, 5) },
];
/** Stands in for a PKCS#7 blob where only its position matters. */
const BLOB = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), pattern(256, 77)]);

async function open(bytes: Buffer): Promise<{ source: MemorySource; cab: Cabinet }> {
  const source = new MemorySource(bytes);
  return { source, cab: await openCabinet(source) };
}

/** cabextract accepts the builder's output (so the layouts are real cabinets). */
function cabextractAccepts(bytes: Buffer, name: string): boolean {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return runStatus('cabextract', ['-t', path], dir).status === 0;
}

async function expectReferenceDigest(bytes: Buffer, cab: Cabinet): Promise<void> {
  const source = new MemorySource(bytes);
  const ours = await cabContentDigests(source, cab.header, ['sha256', 'sha1', 'sha512']);
  for (const algorithm of ['sha256', 'sha1', 'sha512'] as const) {
    expect(ours.get(algorithm)!.toString('hex')).toBe(
      referenceCabDigest(bytes, algorithm).toString('hex'),
    );
  }
}

describe('unusual but valid cabinets', () => {
  it('reads per-folder and per-data reserves and hashes the folder reserves', async ({ skip }) => {
    skip(SKIP_CABEXTRACT !== undefined, SKIP_CABEXTRACT);
    const built = buildCab({
      files: [...FILES, { name: 'second.txt', data: pattern(3000, 1), folder: 1 }],
      cbCFFolder: 7,
      cbCFData: 3,
      signature: { mode: 'appended', blob: BLOB },
    });
    expect(cabextractAccepts(built.bytes, 'reserves.cab')).toBe(true);
    const { cab } = await open(built.bytes);
    expect(cab.header).toMatchObject({ cbCFHeader: 20, cbCFFolder: 7, cbCFData: 3, cFolders: 2 });
    expect(cab.folders.map((f) => f.reserve)).toEqual([pattern(7, 0xf0), pattern(7, 0xf1)]);
    expect(cab.files.map((f) => [f.name, f.folder])).toEqual([
      ['readme.txt', 0],
      ['data.bin', 0],
      ['second.txt', 1],
    ]);
    expect(cab.signature.location).toMatchObject({ kind: 'appended', offset: built.cbCabinet });
    await expectReferenceDigest(built.bytes, cab);
    // Changing a folder reserve byte changes the digest; changing the locator filler does not.
    const folderReserveByte = built.foldersOffset + 8;
    const tampered = Buffer.from(built.bytes);
    tampered[folderReserveByte]! ^= 1;
    const filler = Buffer.from(built.bytes);
    filler[built.locatorOffset! + 9]! ^= 1;
    const digest = async (b: Buffer): Promise<string> =>
      (await cabContentDigests(new MemorySource(b), cab.header, ['sha256']))
        .get('sha256')!
        .toString('hex');
    expect(await digest(tampered)).not.toBe(await digest(built.bytes));
    expect(await digest(filler)).toBe(await digest(built.bytes));
  });

  it('reads a 6144-byte pre-allocated reserve with the locator at its start', async ({ skip }) => {
    skip(SKIP_CABEXTRACT !== undefined, SKIP_CABEXTRACT);
    const built = buildCab({
      files: FILES,
      signature: { mode: 'appended', blob: BLOB, reserveSize: 6144 },
    });
    expect(cabextractAccepts(built.bytes, 'prealloc.cab')).toBe(true);
    const { source, cab } = await open(built.bytes);
    expect(cab.header.cbCFHeader).toBe(6144);
    expect(cab.signature.location).toEqual({
      kind: 'appended',
      offset: built.cbCabinet,
      length: BLOB.length,
      locatorOffset: 44,
      offsetMatchesCabinet: true,
      fillerIsZero: true,
      unusedReserveBytes: 6144 - 20,
    });
    expect(await readCabSignature(source, cab.header)).toEqual(BLOB);
    expect(cab.anomalies).toEqual([]);
    // The unused reserve is not hashed: the remainder starts after it.
    expect(cabDigestRanges(cab.header)).toEqual([
      { offset: 0, length: 4 },
      { offset: 8, length: 28 },
      { offset: 40, length: 2 },
      { offset: 40 + 6144, length: built.cbCabinet - 40 - 6144 },
    ]);
    await expectReferenceDigest(built.bytes, cab);
  });

  it('hashes a non-empty structure 1 and finds the locator after it', async () => {
    const junk = Buffer.from('JUNKJUNK');
    const built = buildCab({ files: FILES, signature: { mode: 'appended', blob: BLOB, junk } });
    const { cab } = await open(built.bytes);
    expect(cab.signature.structures).toMatchObject({ cbJunk: 8, cbSig: 16, junkOffset: 44 });
    expect(cab.signature.location?.locatorOffset).toBe(52);
    expect(cabDigestRanges(cab.header).slice(0, 3)).toEqual([
      { offset: 0, length: 4 },
      { offset: 8, length: 28 },
      { offset: 40, length: 2 },
    ]);
    expect(cabDigestRanges(cab.header)[3]).toEqual({ offset: 44, length: 8 });
    await expectReferenceDigest(built.bytes, cab);
  });

  it('reads a middle volume with PREV and NEXT links and iCabinet = 1', async () => {
    const built = buildCab({
      files: [
        { name: 'tail-of-big.bin', data: pattern(500, 3), iFolder: 0xfffd },
        { name: 'whole.txt', data: Buffer.from('whole\n') },
        { name: 'head-of-next.bin', data: pattern(700, 4), iFolder: 0xfffe },
      ],
      setID: 0x7777,
      iCabinet: 1,
      previous: { cabinet: 'disk1.cab', disk: 'Disk One' },
      next: { cabinet: 'disk3.cab', disk: 'Dïsk Three' },
      signature: { mode: 'appended', blob: BLOB },
    });
    const { cab } = await open(built.bytes);
    expect(cab.set).toEqual({
      setID: 0x7777,
      index: 1,
      previous: { cabinet: 'disk1.cab', disk: 'Disk One' },
      next: { cabinet: 'disk3.cab', disk: 'Dïsk Three' },
    });
    expect(cab.files.map((f) => f.continuation)).toEqual(['from-previous', 'none', 'to-next']);
    expect(cab.header.foldersOffset - cab.header.namesOffset).toBe(
      'disk1.cab\0Disk One\0disk3.cab\0Dïsk Three\0'.length,
    );
    // The strings are hashed with their NULs: they lie inside the final range.
    const ranges = cabDigestRanges(cab.header);
    expect(ranges.at(-1)).toEqual({
      offset: cab.header.namesOffset,
      length: built.cbCabinet - cab.header.namesOffset,
    });
    await expectReferenceDigest(built.bytes, cab);
    // osslsigncode's formula leaves iCabinet out: flagged, and its ranges differ.
    expect(cab.anomalies.map((a) => a.code)).toEqual(['osslsigncode-digest-differs']);
  });

  it('reads a legacy signature stored inside the reserve and excludes it from the digest', async ({
    skip,
  }) => {
    skip(SKIP_CABEXTRACT !== undefined, SKIP_CABEXTRACT);
    const built = buildCab({ files: FILES, signature: { mode: 'in-reserve', blob: BLOB } });
    expect(cabextractAccepts(built.bytes, 'legacy.cab')).toBe(true);
    const { source, cab } = await open(built.bytes);
    expect(cab.signature.location).toEqual({
      kind: 'in-reserve',
      offset: 44,
      length: BLOB.length,
      locatorOffset: null,
      offsetMatchesCabinet: true,
      fillerIsZero: true,
      unusedReserveBytes: 0,
    });
    expect(cab.trailingBytes).toBe(0);
    expect(cab.anomalies.map((a) => a.code)).toEqual(['legacy-in-reserve-signature']);
    expect(await readCabSignature(source, cab.header)).toEqual(BLOB);
    const ranges = cabDigestRanges(cab.header);
    for (const r of ranges) {
      expect(r.offset + r.length <= 44 || r.offset >= 44 + BLOB.length).toBe(true);
    }
    await expectReferenceDigest(built.bytes, cab);
  });

  it('treats a reserve pre-allocated for signing (zero locator) as unsigned', async () => {
    const built = buildCab({
      files: FILES,
      reserve: Buffer.concat([Buffer.from([0, 0, 16, 0]), Buffer.alloc(16)]),
    });
    const { cab } = await open(built.bytes);
    expect(cab.signature).toMatchObject({
      location: null,
      unsignedReason: 'empty-locator',
      trailingBytes: 0,
    });
  });

  it('treats a reserve used for something else as unsigned, and a tiny reserve too', async () => {
    const other = buildCab({ files: FILES, reserve: Buffer.from('application data!') });
    expect((await open(other.bytes)).cab.signature.unsignedReason).toBe(
      'reserve-not-signature-area',
    );
    const tiny = buildCab({ files: FILES, reserve: Buffer.from([1, 2]) });
    expect((await open(tiny.bytes)).cab.signature.unsignedReason).toBe('reserve-too-small');
    const empty = buildCab({ files: FILES, reservePresent: true });
    const opened = await open(empty.bytes);
    expect(opened.cab.header).toMatchObject({ hasReserve: true, cbCFHeader: 0 });
    expect(opened.cab.signature.unsignedReason).toBe('reserve-too-small');
    const noStructure2 = buildCab({ files: FILES, reserve: Buffer.from([2, 0, 0, 0, 9, 9]) });
    expect((await open(noStructure2.bytes)).cab.signature.unsignedReason).toBe(
      'no-signature-structure',
    );
  });

  it('exposes trailing data after an unsigned cabinet and after a signature', async () => {
    const unsigned = buildCab({ files: FILES, trailing: Buffer.alloc(10, 0xee) });
    const u = (await open(unsigned.bytes)).cab;
    expect(u.signature).toMatchObject({
      location: null,
      trailingOffset: unsigned.cbCabinet,
      trailingBytes: 10,
    });
    expect(u.trailingBytes).toBe(10);
    expect(u.anomalies.map((a) => a.code)).toEqual(['trailing-data']);

    const signed = buildCab({
      files: FILES,
      signature: { mode: 'appended', blob: BLOB },
      trailing: Buffer.from('appended later'),
    });
    const s = await open(signed.bytes);
    expect(s.cab.trailingBytes).toBe(14);
    expect(s.cab.signature.trailingOffset).toBe(signed.cbCabinet + BLOB.length);
    expect(s.cab.anomalies.map((a) => a.code)).toEqual(['trailing-data']);
    expect(await readCabSignature(s.source, s.cab.header)).toEqual(BLOB);
    // Trailing bytes are outside the digest.
    await expectReferenceDigest(signed.bytes, s.cab);
  });

  it('reports a signature that does not start at cbCabinet as data, not an error', async () => {
    const built = buildCab({ files: FILES, signature: { mode: 'appended', blob: BLOB } });
    const bytes = Buffer.concat([built.bytes.subarray(0, built.cbCabinet), Buffer.alloc(8), BLOB]);
    bytes.writeUInt32LE(built.cbCabinet + 8, built.locatorOffset!);
    const { source, cab } = await open(bytes);
    expect(cab.signature.location).toMatchObject({
      offset: built.cbCabinet + 8,
      offsetMatchesCabinet: false,
    });
    expect(cab.signature.gapBytes).toBe(8);
    expect(cab.trailingBytes).toBe(0);
    expect(cab.anomalies.map((a) => a.code)).toContain('signature-offset-mismatch');
    expect(await readCabSignature(source, cab.header)).toEqual(BLOB);
  });

  it('reports reserved1, version, directory gaps and locator filler as anomalies', async () => {
    const built = buildCab({
      files: FILES,
      reserved1: 0xdeadbeef,
      signature: { mode: 'appended', blob: BLOB, filler: Buffer.from([0, 0, 0, 0, 0, 0, 1, 0]) },
    });
    const bytes = Buffer.from(built.bytes);
    bytes[24] = 4; // version 1.4
    const { cab } = await open(bytes);
    expect(cab.anomalies.map((a) => a.code)).toEqual([
      'reserved1-nonzero',
      'unexpected-version',
      'locator-filler-nonzero',
      'osslsigncode-digest-differs',
    ]);
  });

  it('decodes file names as UTF-8 only when the name-is-UTF attribute is set', async () => {
    const latin = Buffer.from('caf\xe9.txt', 'latin1').toString('latin1');
    const built = buildCab({
      files: [
        { name: latin, data: Buffer.from('a'), attribs: 0x20 },
        { name: 'ünï €.txt', data: Buffer.from('b') },
      ],
    });
    const { cab } = await open(built.bytes);
    expect(cab.files.map((f) => f.name)).toEqual(['café.txt', 'ünï €.txt']);
    expect(cab.files[0]!.nameBytes).toEqual(
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]),
    );
    expect(cab.files[1]!.attributes & 0x80).toBe(0x80);
  });

  it('reads an empty cabinet (no folders, no files)', async () => {
    const built = buildCab({ files: [], folders: 0 });
    const { cab } = await open(built.bytes);
    expect(cab.folders).toEqual([]);
    expect(cab.files).toEqual([]);
    expect(cab.header.cbCabinet).toBe(36);
  });
});

describe.skipIf(SKIP_SIGNING)(
  titled(
    'against osslsigncode on layouts it signs differently (needs osslsigncode, openssl)',
    SKIP_SIGNING,
  ),
  () => {
    let cert: string;
    let key: string;
    beforeAll(() => {
      ({ cert, key } = makeSigningCert(dir));
    });

    async function signAndCompare(spec: CabSpec, name: string) {
      const input = join(dir, `${name}.cab`);
      const output = join(dir, `${name}-signed.cab`);
      writeFileSync(input, buildCab(spec).bytes);
      run(
        'osslsigncode',
        ['sign', '-certs', cert, '-key', key, '-h', 'sha256', '-in', input, '-out', output],
        dir,
      );
      const [reported] = osslsigncodeDigests(output, cert, dir);
      const source = await RandomAccessFile.open(output);
      try {
        const cab = await openCabinet(source);
        const ours = (await cabContentDigests(source, cab, ['sha256']))
          .get('sha256')!
          .toString('hex');
        const osslRanges = osslsigncodeCabDigestRanges(cab.header, cab.signatureLocation!.offset)!;
        const osslRule = (await hashFileRanges(source, osslRanges, ['sha256']))
          .get('sha256')!
          .toString('hex');
        return { reported: reported!, ours, osslRule, cab };
      } finally {
        await source.close();
      }
    }

    it('agrees with osslsigncode on a plain cabinet built here', async () => {
      const r = await signAndCompare({ files: FILES }, 'plain');
      expect(r.reported.current).toBe(r.reported.calculated);
      expect(r.ours).toBe(r.reported.calculated);
      expect(r.osslRule).toBe(r.ours);
      expect(r.cab.anomalies).toEqual([]);
    });

    it('hashes iCabinet, which osslsigncode leaves out (docs/formats.md §6.3 disagreement)', async () => {
      const r = await signAndCompare({ files: FILES, iCabinet: 3 }, 'icabinet');
      // osslsigncode signs and verifies with its own rule ...
      expect(r.reported.current).toBe(r.reported.calculated);
      expect(r.osslRule).toBe(r.reported.calculated);
      // ... which differs from the consensus rule we apply, and we say so.
      expect(r.ours).not.toBe(r.reported.calculated);
      expect(r.cab.anomalies.map((a) => a.code)).toEqual(['osslsigncode-digest-differs']);
    });

    it('hashes the NEXT names that osslsigncode 2.9 forgets when signing (§8.3 item 32b)', async () => {
      const r = await signAndCompare(
        { files: FILES, next: { cabinet: 'disk2.cab', disk: 'Disk 2' } },
        'first-volume',
      );
      // osslsigncode's own verification disagrees with its signature; we agree with its verification.
      expect(r.reported.current).not.toBe(r.reported.calculated);
      expect(r.ours).toBe(r.reported.calculated);
      expect(r.cab.set.next).toEqual({ cabinet: 'disk2.cab', disk: 'Disk 2' });
    });
  },
);
