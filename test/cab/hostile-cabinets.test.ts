/**
 * Hostile and damaged cabinets: every failure is a NotAPackageError or MalformedPackageError,
 * nothing hangs, and no read is sized by a declared count or length.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MalformedPackageError,
  MalformedSignatureError,
  NotAPackageError,
} from '../../src/errors.js';
import { MemorySource, type RandomAccessSource } from '../../src/io/random-access-file.js';
import {
  cabContentDigests,
  openCabinet,
  readCabSignature,
  type Cabinet,
} from '../../src/cab/index.js';
import { buildCab, pattern } from './support/cab-builder.js';

/** Largest single read the header parser may make (its window). */
const HEADER_WINDOW = 64 * 1024;

/** A MemorySource that records the size of every read. */
class CountingSource implements RandomAccessSource {
  readonly reads: number[] = [];
  private readonly inner: MemorySource;
  constructor(bytes: Uint8Array) {
    this.inner = new MemorySource(bytes);
  }
  get size(): number {
    return this.inner.size;
  }
  get largestRead(): number {
    return Math.max(0, ...this.reads);
  }
  read(position: number, length: number): Promise<Buffer> {
    this.reads.push(length);
    return this.inner.read(position, length);
  }
  readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<void> {
    this.reads.push(length);
    return this.inner.readInto(target, offset, length, position);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Opens, hashes and reads the signature; returns the typed error or null on success. */
async function exercise(
  bytes: Uint8Array,
): Promise<{ error: Error | null; source: CountingSource; cab?: Cabinet }> {
  const source = new CountingSource(bytes);
  try {
    const cab = await openCabinet(source);
    expect(source.largestRead).toBeLessThanOrEqual(HEADER_WINDOW);
    await cabContentDigests(source, cab.header, ['sha256']);
    await readCabSignature(source, cab.header);
    return { error: null, source, cab };
  } catch (error) {
    if (
      error instanceof NotAPackageError ||
      error instanceof MalformedPackageError ||
      error instanceof MalformedSignatureError
    ) {
      return { error, source };
    }
    throw error;
  }
}

async function expectMalformed(bytes: Uint8Array, message?: RegExp): Promise<CountingSource> {
  const { error, source } = await exercise(bytes);
  expect(error).toBeInstanceOf(MalformedPackageError);
  if (message) expect(error!.message).toMatch(message);
  expect(source.largestRead).toBeLessThanOrEqual(Math.min(HEADER_WINDOW, bytes.length));
  return source;
}

const BLOB = Buffer.concat([Buffer.from([0x30, 0x80]), pattern(62, 1)]);
const signed = buildCab({
  files: [
    { name: 'one.txt', data: Buffer.from('one\n') },
    { name: 'two.bin', data: pattern(3000, 2) },
  ],
  signature: { mode: 'appended', blob: BLOB },
});
const volume = buildCab({
  files: [{ name: 'x', data: Buffer.from('x') }],
  previous: { cabinet: 'a.cab', disk: 'A' },
  next: { cabinet: 'c.cab', disk: 'C' },
  iCabinet: 1,
});

function patched(base: Buffer, edit: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(base);
  edit(copy);
  return copy;
}

describe('files that are not cabinets', () => {
  it('rejects an empty file, a short file and a wrong magic as not a package', async () => {
    for (const bytes of [
      Buffer.alloc(0),
      Buffer.from('MSC'),
      Buffer.from('PK\x03\x04'.padEnd(200, '\0')),
    ]) {
      const { error } = await exercise(bytes);
      expect(error).toBeInstanceOf(NotAPackageError);
    }
  });

  it('rejects a header truncated before iCabinet as not a package', async () => {
    const { error } = await exercise(signed.bytes.subarray(0, 30));
    expect(error).toBeInstanceOf(NotAPackageError);
    expect(error!.message).toMatch(/too short/);
  });
});

describe('damaged or hostile cabinets', () => {
  it('rejects every truncation of a signed cabinet with a typed error', async () => {
    for (let length = 0; length < signed.bytes.length; length++) {
      const { error } = await exercise(signed.bytes.subarray(0, length));
      expect(error, `truncated to ${length}`).not.toBeNull();
    }
  });

  it('rejects a truncated reserve-size field', async () => {
    const bytes = patched(signed.bytes.subarray(0, 38), (b) => b.writeUInt32LE(38, 8));
    await expectMalformed(bytes, /reserve/);
  });

  it('rejects cFolders = 65535 in a 100-byte file without reading for them', async () => {
    const small = buildCab({ files: [{ name: 'a', data: Buffer.from('abc') }] });
    const bytes = Buffer.concat([small.bytes, Buffer.alloc(100 - small.bytes.length)]);
    bytes.writeUInt32LE(100, 8);
    bytes.writeUInt16LE(65535, 26);
    const source = await expectMalformed(bytes, /CFFOLDER/);
    expect(source.reads.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(100);
  });

  it('rejects 65535 folders with 255-byte reserves', async () => {
    const bytes = patched(signed.bytes, (b) => {
      b.writeUInt16LE(65535, 26);
      b[38] = 255;
    });
    await expectMalformed(bytes, /CFFOLDER/);
  });

  it('rejects cbCFHeader = 60000 running past the end of the file', async () => {
    const bytes = patched(signed.bytes, (b) => b.writeUInt16LE(60000, 36));
    await expectMalformed(bytes, /reserve/);
  });

  it('rejects cbCFHeader above 60000 even when the file is big enough', async () => {
    const base = buildCab({
      files: [{ name: 'big', data: pattern(70_000, 3) }],
      reserve: Buffer.alloc(4),
    });
    const bytes = patched(base.bytes, (b) => b.writeUInt16LE(60001, 36));
    await expectMalformed(bytes, /60000/);
  });

  it('rejects a locator whose offset is beyond the end of the file', async () => {
    const bytes = patched(signed.bytes, (b) => b.writeUInt32LE(signed.bytes.length + 100, 44));
    await expectMalformed(bytes, /outside/);
  });

  it('rejects a locator whose length overflows the file (and 32-bit arithmetic)', async () => {
    await expectMalformed(
      patched(signed.bytes, (b) => {
        b.writeUInt32LE(0xfffffff0, 44);
        b.writeUInt32LE(0x20, 48);
      }),
      /outside/,
    );
  });

  it('calls a signature that runs past the end of a whole cabinet truncated (a signature defect)', async () => {
    for (const length of [0xffffffff, signed.cbCabinet + 1]) {
      const { error } = await exercise(patched(signed.bytes, (b) => b.writeUInt32LE(length, 48)));
      expect(error).toBeInstanceOf(MalformedSignatureError);
      expect(error!.message).toMatch(/signature is truncated/);
    }
  });

  it('rejects a locator pointing at offset 0', async () => {
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt32LE(0, 44)),
      /offset 0/,
    );
  });

  it('rejects a folder whose data starts outside the cabinet or inside the directory', async () => {
    const folder = signed.foldersOffset;
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt32LE(signed.cbCabinet, folder)),
      /CFFOLDER 0/,
    );
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt32LE(0xffffffff, folder)),
      /CFFOLDER 0/,
    );
    // osslsigncode 2.6 forgot to shift coffCabStart by the 24 inserted bytes (§8.3 item 29).
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt32LE(b.readUInt32LE(folder) - 24, folder)),
      /CFFOLDER 0/,
    );
  });

  it('rejects a folder whose CFDATA count cannot fit', async () => {
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt16LE(65535, signed.foldersOffset + 4)),
      /CFDATA/,
    );
  });

  it('rejects cbCabinet larger than the file', async () => {
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt32LE(signed.bytes.length + 1, 8)),
      /cbCabinet/,
    );
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt32LE(0xffffffff, 8)),
      /cbCabinet/,
    );
  });

  it('rejects cbCabinet smaller than the directory', async () => {
    await expectMalformed(patched(signed.bytes, (b) => b.writeUInt32LE(70, 8)));
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt32LE(20, 8)),
      /smaller/,
    );
  });

  it('rejects an unterminated previous-cabinet name', async () => {
    // The strings run to the end of the cabinet without a NUL.
    const end = volume.foldersOffset;
    const bytes = Buffer.from(volume.bytes.subarray(0, end));
    bytes.fill(0x41, 36);
    bytes.writeUInt32LE(end, 8);
    bytes.writeUInt16LE(0, 26);
    bytes.writeUInt16LE(0, 28);
    bytes.writeUInt32LE(end, 16);
    await expectMalformed(bytes, /szCabinetPrev.*not NUL-terminated/);
  });

  it('rejects an over-long name', async () => {
    const long = buildCab({ files: [{ name: 'n'.repeat(300), data: Buffer.from('z') }] });
    await expectMalformed(long.bytes, /szName.*longer than 256/);
    const longLink = buildCab({
      files: [],
      folders: 0,
      next: { cabinet: 'c'.repeat(400), disk: '' },
    });
    await expectMalformed(longLink.bytes, /szCabinetNext.*longer/);
  });

  it('rejects file counts and file tables that do not fit', async () => {
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt16LE(65535, 28)),
      /CFFILE/,
    );
    await expectMalformed(patched(signed.bytes, (b) => b.writeUInt16LE(3, 28)));
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt32LE(signed.cbCabinet + 1, 16)),
      /coffFiles/,
    );
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt32LE(signed.foldersOffset, 16)),
      /coffFiles/,
    );
  });

  it('rejects a file in a folder that does not exist', async () => {
    await expectMalformed(
      patched(signed.bytes, (b) => b.writeUInt16LE(1, signed.coffFiles + 8)),
      /folder 1/,
    );
  });

  it('survives random corruption with typed errors only (fast-check)', async () => {
    const bases = [
      signed.bytes,
      volume.bytes,
      buildCab({
        files: [
          { name: 'a', data: pattern(100, 1) },
          { name: 'b', data: pattern(50, 2), folder: 1 },
        ],
        cbCFFolder: 3,
        cbCFData: 2,
        signature: { mode: 'appended', blob: BLOB, reserveSize: 64, junk: Buffer.from('jj') },
      }).bytes,
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...bases),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.option(fc.nat(), { nil: undefined }),
        async (base, writes, cut) => {
          const bytes = Buffer.from(base);
          // Bias writes towards the header, where the structure lives.
          for (const [at, value] of writes) bytes[at % Math.min(bytes.length, 120)] = value;
          const input = cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
          await exercise(input);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
