import { randomBytes } from 'node:crypto';
import CFB from 'cfb';
import { describe, expect, it } from 'vitest';
import { openCompoundFile, type CompoundFile, type DirectoryEntry } from '../../src/cfb/index.js';
import { MalformedPackageError } from '../../src/errors.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import { buildCfb, storage, stream, type NodeSpec } from '../support/cfb-builder.js';
import { openBytes } from './tools.js';

/** Counts positional reads, to see extents being coalesced or not. */
class CountingSource extends MemorySource {
  reads = 0;
  override async readInto(target: Uint8Array, offset: number, length: number, position: number) {
    this.reads++;
    return super.readInto(target, offset, length, position);
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  // Copy each view: the reader reuses its buffer between chunks.
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

function byPath(cfb: CompoundFile, path: string): DirectoryEntry {
  let entry = cfb.root;
  for (const name of path.split('/')) {
    const next = cfb.child(entry, name);
    if (!next) throw new Error(`no ${path}`);
    entry = next;
  }
  return entry;
}

function sampleTree(): { tree: NodeSpec[]; streams: Map<string, Buffer> } {
  const streams = new Map<string, Buffer>();
  const s = (path: string, size: number) => {
    const data = randomBytes(size);
    streams.set(path, data);
    return stream(path.split('/').pop()!, data);
  };
  const tree: NodeSpec[] = [
    s('\u0005SummaryInformation', 412),
    s('tiny', 1),
    s('exactly-cutoff', 4096),
    s('just-below-cutoff', 4095),
    s('big', 70_000),
    s('empty', 0),
    storage(
      'sub',
      [
        s('sub/inner', 300),
        s('sub/inner-big', 9000),
        storage('deeper', [s('sub/deeper/leaf', 64)]),
      ],
      {
        clsid: Uint8Array.from({ length: 16 }, (_, i) => i + 1),
      },
    ),
  ];
  return { tree, streams };
}

describe('openCompoundFile on well-formed files', () => {
  for (const version of [3, 4] as const) {
    for (const layout of ['sequential', 'gapped', 'reversed'] as const) {
      it(`reads every stream of a v${version} file (${layout} sectors) exactly`, async () => {
        const { tree, streams } = sampleTree();
        const bytes = buildCfb(tree, { version, layout }).toBytes();
        const cfb = await openBytes(bytes);
        expect(cfb.version).toBe(version);
        expect(cfb.sectorSize).toBe(version === 3 ? 512 : 4096);
        expect(cfb.fileSize).toBe(bytes.length);
        expect(cfb.trailingBytes).toBe(0);
        expect(cfb.warnings).toEqual([]);
        for (const [path, data] of streams) {
          const entry = byPath(cfb, path);
          expect(entry.kind).toBe('stream');
          expect(entry.size).toBe(data.length);
          expect((await cfb.readStream(entry)).equals(data)).toBe(true);
          expect((await collect(cfb.streamChunks(entry))).equals(data)).toBe(true);
          expect((await collect(cfb.streamChunks(entry, 700))).equals(data)).toBe(true);
        }
        // The cfb package (an independent reader) agrees with the builder.
        const other = CFB.read(Buffer.from(bytes), { type: 'buffer' });
        for (const [path, data] of streams) {
          const found = CFB.find(other, `Root Entry/${path}`);
          expect(found).toBeDefined();
          expect(Buffer.from((found!.content ?? []) as Uint8Array).equals(data)).toBe(true);
        }
      });
    }
  }

  it('lists children with their metadata and finds them by raw name', async () => {
    const clsid = randomBytes(16);
    const stateBits = Uint8Array.of(1, 2, 3, 4);
    const creationTime = randomBytes(8);
    const modifiedTime = randomBytes(8);
    const bytes = buildCfb(
      [
        stream('b', 'x'),
        storage('a', [], { clsid, stateBits, creationTime, modifiedTime }),
        stream('\u0005X', 'y'),
      ],
      { rootClsid: Uint8Array.from({ length: 16 }, () => 7) },
    ).toBytes();
    const cfb = await openBytes(bytes);
    expect(cfb.root.kind).toBe('root');
    expect(cfb.root.name).toBe('Root Entry');
    expect(Buffer.from(cfb.root.clsid)).toEqual(Buffer.alloc(16, 7));
    expect(
      cfb
        .children(cfb.root)
        .map((e) => e.name)
        .sort(),
    ).toEqual(['\u0005X', 'a', 'b']);
    const a = cfb.child(cfb.root, 'a')!;
    expect(a.kind).toBe('storage');
    expect(a.size).toBe(0);
    expect(Buffer.from(a.clsid).equals(clsid)).toBe(true);
    expect([...a.stateBits]).toEqual([1, 2, 3, 4]);
    expect(Buffer.from(a.creationTime).equals(creationTime)).toBe(true);
    expect(Buffer.from(a.modifiedTime).equals(modifiedTime)).toBe(true);
    expect(cfb.children(a)).toEqual([]);
    expect([...cfb.child(cfb.root, '\u0005X')!.nameBytes]).toEqual([5, 0, 0x58, 0]);
    expect(cfb.child(cfb.root, 'B')).toBeUndefined();
  });

  it('streams a non-contiguous stream in order, one read per extent', async () => {
    const data = randomBytes(20 * 512);
    const source = new CountingSource(
      buildCfb([stream('s', data)], { layout: 'reversed' }).toBytes(),
    );
    const cfb = await openCompoundFile(source);
    const entry = cfb.child(cfb.root, 's')!;
    source.reads = 0;
    expect((await collect(cfb.streamChunks(entry))).equals(data)).toBe(true);
    expect(source.reads).toBe(20);

    const contiguous = new CountingSource(buildCfb([stream('s', data)]).toBytes());
    const cfb2 = await openCompoundFile(contiguous);
    contiguous.reads = 0;
    expect((await collect(cfb2.streamChunks(cfb2.child(cfb2.root, 's')!))).equals(data)).toBe(true);
    expect(contiguous.reads).toBe(1);
  });

  it('yields chunks no larger than asked, filling each one across extents', async () => {
    const data = randomBytes(10_000);
    const cfb = await openBytes(buildCfb([stream('s', data)], { layout: 'gapped' }).toBytes());
    const sizes: number[] = [];
    for await (const chunk of cfb.streamChunks(cfb.child(cfb.root, 's')!, 4000))
      sizes.push(chunk.length);
    expect(sizes).toEqual([4000, 4000, 2000]);
  });

  it('reads ranges across extent boundaries (binary search over extents)', async () => {
    const data = randomBytes(30 * 512 + 77);
    for (const layout of ['gapped', 'reversed'] as const) {
      const cfb = await openBytes(buildCfb([stream('s', data)], { layout }).toBytes());
      const entry = cfb.child(cfb.root, 's')!;
      for (const [position, length] of [
        [0, 1],
        [511, 2],
        [512, 512],
        [1000, 5000],
        [data.length - 1, 1],
        [0, data.length],
        [data.length, 0],
      ] as const) {
        const got = await cfb.readStreamRange(entry, position, length);
        expect(got.equals(data.subarray(position, position + length))).toBe(true);
        // Into a caller's buffer, at an offset, leaving the bytes around it alone.
        const target = Buffer.alloc(length + 6, 0xee);
        await cfb.readStreamRangeInto(entry, target, 3, length, position);
        expect(target.subarray(3, 3 + length).equals(got)).toBe(true);
        expect([...target.subarray(0, 3), ...target.subarray(3 + length)]).toEqual(
          Array(6).fill(0xee),
        );
      }
      await expect(
        cfb.readStreamRangeInto(entry, Buffer.alloc(10), 5, 6, 0),
      ).rejects.toBeInstanceOf(MalformedPackageError);
      await expect(cfb.readStreamRange(entry, data.length - 1, 2)).rejects.toBeInstanceOf(
        MalformedPackageError,
      );
      await expect(cfb.readStreamRange(entry, -1, 1)).rejects.toBeInstanceOf(MalformedPackageError);
    }
    // Mini streams too.
    const small = randomBytes(1000);
    const cfb = await openBytes(
      buildCfb([stream('pad', randomBytes(100)), stream('s', small)]).toBytes(),
    );
    const got = await cfb.readStreamRange(cfb.child(cfb.root, 's')!, 60, 200);
    expect(got.equals(small.subarray(60, 260))).toBe(true);
  });

  it('refuses to load a stream larger than maxBytes', async () => {
    const data = randomBytes(100_000);
    const cfb = await openBytes(buildCfb([stream('s', data)]).toBytes());
    const entry = cfb.child(cfb.root, 's')!;
    await expect(cfb.readStream(entry, 99_999)).rejects.toBeInstanceOf(MalformedPackageError);
    expect((await cfb.readStream(entry, 100_000)).equals(data)).toBe(true);
  });

  it('reads the FAT through DIFAT sectors', async () => {
    for (const version of [3, 4] as const) {
      const data = randomBytes(5000);
      // 300 FAT sectors (v3) need two DIFAT sectors; the extra FAT entries are free.
      const image = buildCfb([stream('s', data), stream('t', 'small')], {
        version,
        extraFatSectors: 300,
      });
      expect(image.difatSectors.length).toBeGreaterThan(0);
      const bytes = image.toBytes();
      const cfb = await openBytes(bytes);
      expect((await cfb.readStream(cfb.child(cfb.root, 's')!)).equals(data)).toBe(true);
      expect((await cfb.readStream(cfb.child(cfb.root, 't')!)).toString()).toBe('small');
      expect(cfb.trailingBytes).toBe(0);
      const other = CFB.read(Buffer.from(bytes), { type: 'buffer' });
      expect(Buffer.from(CFB.find(other, 'Root Entry/s')!.content as Uint8Array).equals(data)).toBe(
        true,
      );
    }
  });

  it('ignores the high 32 bits of v3 stream sizes', async () => {
    const data = randomBytes(5000);
    const image = buildCfb([stream('s', data), stream('m', 'mini')], { version: 3 });
    image.directory[image.sid('s')]!.size = (0xdeadn << 32n) | 5000n;
    image.directory[image.sid('m')]!.size = (1n << 32n) | 4n;
    const cfb = await openBytes(image.toBytes());
    expect(cfb.child(cfb.root, 's')!.size).toBe(5000);
    expect((await cfb.readStream(cfb.child(cfb.root, 's')!)).equals(data)).toBe(true);
    expect((await cfb.readStream(cfb.child(cfb.root, 'm')!)).toString()).toBe('mini');
  });

  it('reads 64-bit sizes in v4', async () => {
    const image = buildCfb([stream('s', randomBytes(5000))], { version: 4 });
    image.directory[image.sid('s')]!.size = 1n << 33n;
    await expect(openBytes(image.toBytes())).rejects.toThrow(/8589934592 bytes/);
  });

  it('counts bytes after the last used sector as trailing', async () => {
    const bytes = buildCfb([stream('s', randomBytes(5000))]).toBytes();
    const withTail = new Uint8Array(bytes.length + 4096);
    withTail.set(bytes);
    expect((await openBytes(withTail)).trailingBytes).toBe(4096);
    // Free sectors inside the file are not trailing.
    expect(
      (await openBytes(buildCfb([stream('s', randomBytes(5000))], { layout: 'gapped' }).toBytes()))
        .trailingBytes,
    ).toBe(0);
  });

  it('reads a file whose last sector is short when the data fits, and not otherwise', async () => {
    // Move the stream's final sector to the end of the file, then cut the file at the stream end.
    const data = randomBytes(5000); // 10 sectors of 512, 392 bytes in the last one
    const image = buildCfb([stream('s', data)]);
    const chain: number[] = [];
    for (let s = image.directory[image.sid('s')]!.start; s !== 0xfffffffe; s = image.fat[s]!)
      chain.push(s);
    const moved = image.sectorCount;
    expect(moved).toBeLessThan(image.fat.length);
    image.data.set(moved, image.data.get(chain[9]!)!);
    image.fat[chain[8]!] = moved;
    image.fat[moved] = 0xfffffffe;
    image.fat[chain[9]!] = 0xffffffff;
    image.sectorCount++;
    const bytes = image.toBytes();
    const short = bytes.subarray(0, bytes.length - 512 + 392);
    const cfb = await openBytes(short);
    expect((await cfb.readStream(cfb.child(cfb.root, 's')!)).equals(data)).toBe(true);
    await expect(openBytes(bytes.subarray(0, bytes.length - 512 + 391))).rejects.toBeInstanceOf(
      MalformedPackageError,
    );
  });

  it('rejects on open a short final sector that a stream needs whole', async () => {
    const image = buildCfb([stream('s', randomBytes(5000))]);
    const chain: number[] = [];
    for (let s = image.directory[image.sid('s')]!.start; s !== 0xfffffffe; s = image.fat[s]!)
      chain.push(s);
    const moved = image.sectorCount;
    image.data.set(moved, image.data.get(chain[4]!)!);
    image.fat[chain[3]!] = moved;
    image.fat[moved] = chain[5]!;
    image.fat[chain[4]!] = 0xffffffff;
    image.sectorCount++;
    const bytes = image.toBytes();
    expect((await openBytes(bytes)).trailingBytes).toBe(0);
    await expect(openBytes(bytes.subarray(0, bytes.length - 100))).rejects.toThrow(/cuts short/);
  });

  it('warns about a v4 directory sector count that does not match the chain', async () => {
    const image = buildCfb([stream('s', 'x')], { version: 4 });
    image.header.directorySectorCount = 0;
    const cfb = await openBytes(image.toBytes());
    expect(cfb.warnings!.join('\n')).toMatch(/directory sectors/);
  });

  it('warns about a chain that continues past the stream size', async () => {
    const image = buildCfb([stream('s', randomBytes(5000)), stream('t', randomBytes(5000))]);
    const s = image.directory[image.sid('s')]!;
    s.size = 4096n; // the chain has 10 sectors; 8 are used
    const cfb = await openBytes(image.toBytes());
    expect(cfb.warnings!.join('\n')).toMatch(/longer than their declared size/);
    expect((await cfb.readStream(cfb.child(cfb.root, 's')!)).length).toBe(4096);
  });

  it('rejects entries of another file', async () => {
    const a = await openBytes(buildCfb([stream('s', 'x')]).toBytes());
    const b = await openBytes(buildCfb([stream('s', 'x')]).toBytes());
    expect(() => a.children(b.root)).toThrow(TypeError);
    await expect(a.readStream(b.child(b.root, 's')!)).rejects.toThrow(TypeError);
  });
});
