import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MalformedPackageError, NotAPackageError } from '../../src/errors.js';
import { buildCfb, NOSTREAM, storage, stream, type CfbImage } from '../support/cfb-builder.js';
import { openBytes } from './tools.js';

const ENDOFCHAIN = 0xfffffffe;

/** A small file with a storage, a regular stream and two mini streams. */
function sample(version: 3 | 4 = 3, extra: { extraFatSectors?: number } = {}): CfbImage {
  return buildCfb(
    [
      stream('big', randomBytes(5000)),
      stream('small', randomBytes(200)),
      storage('sub', [stream('inner', randomBytes(100)), stream('inner2', randomBytes(10))]),
    ],
    { version, ...extra },
  );
}

function chainOf(image: CfbImage, start: number): number[] {
  const out: number[] = [];
  for (let s = start; s !== ENDOFCHAIN; s = image.fat[s]!) out.push(s);
  return out;
}

/**
 * Opens damaged bytes and expects the given typed error, fast, and without large allocations
 * (a file that declares 1 TiB must not make us try to allocate it).
 */
async function expectRejected(
  bytes: Uint8Array,
  type: typeof MalformedPackageError | typeof NotAPackageError,
  message?: RegExp,
): Promise<void> {
  const before = process.memoryUsage().arrayBuffers;
  let caught: unknown;
  try {
    const cfb = await openBytes(bytes);
    // Anything not caught on open must be caught when the data is read.
    const pending = [cfb.root];
    while (pending.length > 0) {
      for (const entry of cfb.children(pending.pop()!)) {
        if (entry.kind === 'storage') pending.push(entry);
        else await cfb.readStream(entry);
      }
    }
  } catch (error) {
    caught = error;
  }
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  expect(caught).toBeInstanceOf(type);
  if (message) expect((caught as Error).message).toMatch(message);
}

describe('rejects files that are not compound files', () => {
  it('with a wrong signature', async () => {
    const bytes = sample().toBytes();
    bytes[0] = 0x50;
    await expectRejected(bytes, NotAPackageError, /signature/);
  });

  it('shorter than the header', async () => {
    await expectRejected(sample().toBytes().subarray(0, 300), NotAPackageError, /shorter/);
    await expectRejected(new Uint8Array(0), NotAPackageError);
  });
});

describe('rejects damaged headers', () => {
  const cases: [string, (image: CfbImage) => void, RegExp][] = [
    ['an unknown major version', (i) => (i.header.majorVersion = 5), /major version 5/],
    ['a wrong byte order mark', (i) => (i.header.byteOrder = 0xfeff), /byte order/],
    [
      'a sector shift that does not match the version',
      (i) => (i.header.sectorShift = 12),
      /sector shift/,
    ],
    ['a bad mini sector shift', (i) => (i.header.miniSectorShift = 7), /mini sector shift/],
    ['a bad mini stream cutoff', (i) => (i.header.miniStreamCutoff = 8192), /cutoff/],
    [
      'more FAT sectors than the file has',
      (i) => (i.header.fatSectorCount = 0xffffffff),
      /FAT sectors/,
    ],
    ['no FAT sectors', (i) => (i.header.fatSectorCount = 0), /no FAT/],
    ['a FAT sector beyond the end of the file', (i) => (i.header.difat[0] = 100_000), /FAT sector/],
    [
      'the same FAT sector listed twice',
      (i) => {
        i.header.difat[1] = i.header.difat[0]!;
        i.header.fatSectorCount = 2;
      },
      /twice/,
    ],
  ];
  for (const [name, damage, message] of cases) {
    it(`with ${name}`, async () => {
      const image = sample();
      damage(image);
      await expectRejected(image.toBytes(), MalformedPackageError, message);
    });
  }

  it('of a file too short to hold a FAT and a directory', async () => {
    await expectRejected(sample(4).toBytes().subarray(0, 8192), MalformedPackageError, /too short/);
  });
});

describe('rejects damaged allocation tables', () => {
  it('with a FAT chain that loops', async () => {
    const image = sample();
    const chain = chainOf(image, image.directory[image.sid('big')]!.start);
    image.fat[chain[5]!] = chain[2]!;
    await expectRejected(image.toBytes(), MalformedPackageError, /loops/);
  });

  it('with a directory chain that loops (a chain with no declared length)', async () => {
    const image = sample();
    image.fat[image.directorySectors.at(-1)!] = image.directorySectors[0]!;
    await expectRejected(image.toBytes(), MalformedPackageError, /directory sector chain loops/);
  });

  it('with a stream that needs more sectors than the file has', async () => {
    const image = sample();
    image.directory[image.sid('big')]!.size = BigInt((image.sectorCount + 1) * 512);
    await expectRejected(image.toBytes(), MalformedPackageError, /file has only/);
  });

  it('with a sector beyond the end of the file', async () => {
    // Extra FAT sectors make the FAT describe sectors the file does not have.
    const image = sample(3, { extraFatSectors: 3 });
    const chain = chainOf(image, image.directory[image.sid('big')]!.start);
    image.fat[chain[3]!] = image.sectorCount + 10;
    image.fat[image.sectorCount + 10] = ENDOFCHAIN;
    await expectRejected(image.toBytes(), MalformedPackageError, /beyond the end of the file/);
  });

  it('with a start sector beyond the end of the file', async () => {
    const image = sample();
    image.directory[image.sid('big')]!.start = 0xfff0;
    await expectRejected(image.toBytes(), MalformedPackageError, /beyond the end/);
  });

  it('with a marker above MAXREGSECT in a chain', async () => {
    const image = sample();
    const chain = chainOf(image, image.directory[image.sid('big')]!.start);
    image.fat[chain[1]!] = 0xfffffffd; // FATSECT
    await expectRejected(image.toBytes(), MalformedPackageError, /marker/);
  });

  it('with a declared stream size larger than its chain allows', async () => {
    const image = buildCfb([stream('big', randomBytes(5000)), stream('pad', randomBytes(20_000))]);
    image.directory[image.sid('big')]!.size = 7000n;
    await expectRejected(image.toBytes(), MalformedPackageError, /chain ends after 10 of 14/);
  });

  it('with a huge declared stream size (2^40) in a tiny v4 file, without allocating it', async () => {
    const image = sample(4);
    image.directory[image.sid('big')]!.size = 1n << 40n;
    await expectRejected(image.toBytes(), MalformedPackageError, /1099511627776 bytes/);
  });

  it('with a v4 size beyond 2^53', async () => {
    const image = sample(4);
    image.directory[image.sid('big')]!.size = 1n << 60n;
    await expectRejected(image.toBytes(), MalformedPackageError, /impossible size/);
  });

  it('with a DIFAT chain that loops', async () => {
    const image = sample(3, { extraFatSectors: 300 });
    expect(image.difatSectors.length).toBe(2);
    const first = image.difatSectors[0]!;
    first.values[first.values.length - 1] = first.sector;
    await expectRejected(image.toBytes(), MalformedPackageError, /DIFAT chain loops/);
  });

  it('with a DIFAT chain that ends early', async () => {
    const image = sample(3, { extraFatSectors: 300 });
    const first = image.difatSectors[0]!;
    first.values[first.values.length - 1] = ENDOFCHAIN;
    await expectRejected(image.toBytes(), MalformedPackageError, /DIFAT chain ends/);
  });

  it('with a mini sector outside the mini stream', async () => {
    const image = sample();
    image.directory[image.sid('small')]!.start = 1000;
    await expectRejected(
      image.toBytes(),
      MalformedPackageError,
      /outside the \d+-byte mini stream/,
    );
  });

  it('with a mini FAT chain that loops', async () => {
    const image = sample();
    const start = image.directory[image.sid('small')]!.start;
    image.miniFat[start + 1] = start;
    await expectRejected(image.toBytes(), MalformedPackageError, /mini sector chain loops/);
  });

  it('with a mini stream that ends before a small stream does', async () => {
    const image = sample();
    image.directory[image.sid('sub/inner2')]!.size = 3000n;
    await expectRejected(image.toBytes(), MalformedPackageError, /mini/);
  });
});

describe('rejects damaged directories', () => {
  const cases: [string, (image: CfbImage) => void, RegExp][] = [
    [
      'a sibling loop',
      (i) => {
        const child = i.directory[0]!.child;
        const entry = i.directory[child]!;
        if (entry.left !== NOSTREAM) i.directory[entry.left]!.right = child;
        else entry.left = child;
      },
      /cycle/,
    ],
    [
      'a storage that is its own child',
      (i) => (i.directory[i.sid('sub')]!.child = i.sid('sub')),
      /reachable/,
    ],
    ['a child link back to the root', (i) => (i.directory[i.sid('sub')]!.child = 0), /reachable/],
    [
      'an entry under two parents',
      (i) => {
        // `small` stays in the root's tree and also becomes the only child of `sub`.
        i.directory[i.sid('sub')]!.child = i.sid('small');
      },
      /reachable from storage/,
    ],
    [
      'a link to an entry beyond the directory',
      (i) => (i.directory[i.sid('big')]!.left = 5000),
      /beyond/,
    ],
    [
      'a stream with a child link',
      (i) => (i.directory[i.sid('small')]!.child = i.sid('sub/inner')),
      /child link/,
    ],
    ['a name length of 70', (i) => (i.directory[i.sid('big')]!.nameLength = 70), /name length 70/],
    ['an odd name length', (i) => (i.directory[i.sid('big')]!.nameLength = 7), /name length 7/],
    ['a zero name length', (i) => (i.directory[i.sid('big')]!.nameLength = 0), /name length 0/],
    [
      'a name without its NUL terminator',
      (i) => {
        const entry = i.directory[i.sid('big')]!;
        entry.name = 'x'.repeat(32);
        entry.nameLength = 64;
      },
      /NUL/,
    ],
    ['an illegal object type', (i) => (i.directory[i.sid('big')]!.type = 3), /object type 3/],
    [
      'an unallocated entry in the tree',
      (i) => (i.directory[i.sid('big')]!.type = 0),
      /object type 0/,
    ],
    ['a second root', (i) => (i.directory[i.sid('sub')]!.type = 5), /second root/],
    ['a root entry that is not a root', (i) => (i.directory[0]!.type = 1), /not the root/],
    [
      'two siblings with the same name',
      (i) => (i.directory[i.sid('big')]!.name = 'small'),
      /two entries named/,
    ],
  ];
  for (const [name, damage, message] of cases) {
    it(`with ${name}`, async () => {
      const image = sample();
      damage(image);
      await expectRejected(image.toBytes(), MalformedPackageError, message);
    });
  }
});
