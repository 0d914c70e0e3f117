/**
 * Hashing by plan (src/io/hash-plan.ts): whatever the layout of ranges, gaps, literal bytes and
 * read size, the digest is the hash of the plan's bytes in order, and a range outside the file
 * fails the way the readers report it.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedPackageError } from '../../src/errors.js';
import { hashSegments, planFileBytes, type HashSegment } from '../../src/io/hash-plan.js';
import {
  MemorySource,
  ReadPastEndError,
  type RandomAccessSource,
} from '../../src/io/random-access-file.js';

function pattern(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

function expected(file: Buffer, segments: readonly HashSegment[], algorithm: string): string {
  const hash = createHash(algorithm);
  for (const s of segments) {
    hash.update('bytes' in s ? s.bytes : file.subarray(s.offset, s.offset + s.length));
  }
  return hash.digest('hex');
}

/** Counts reads, and checks that no two are in flight into the same bytes of one buffer. */
function recording(source: RandomAccessSource) {
  const reads: { position: number; length: number }[] = [];
  return {
    reads,
    source: {
      size: source.size,
      read: (position: number, length: number) => source.read(position, length),
      async readInto(target: Uint8Array, offset: number, length: number, position: number) {
        reads.push({ position, length });
        await new Promise((r) => setImmediate(r));
        await source.readInto(target, offset, length, position);
      },
      close: () => source.close(),
    } satisfies RandomAccessSource,
  };
}

describe('hashSegments', () => {
  const file = pattern(300_000, 7);

  it('hashes any plan like the concatenation of its bytes, for every algorithm at once', async () => {
    const segment = fc.oneof(
      fc
        .tuple(fc.nat({ max: file.length }), fc.nat({ max: 90_000 }))
        .map(([offset, length]): HashSegment => ({
          offset,
          length: Math.min(length, file.length - offset),
        })),
      fc.uint8Array({ maxLength: 40 }).map((bytes): HashSegment => ({ bytes })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 12 }),
        fc.integer({ min: 1, max: 200_000 }),
        async (segments, chunk) => {
          const digests = await hashSegments(
            new MemorySource(file),
            segments,
            ['sha256', 'sha1'],
            chunk,
          );
          expect(digests.get('sha256')!.toString('hex')).toBe(expected(file, segments, 'sha256'));
          expect(digests.get('sha1')!.toString('hex')).toBe(expected(file, segments, 'sha1'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same digests when it reads some ranges synchronously', async () => {
    const memory = new MemorySource(file);
    const source = {
      size: memory.size,
      read: (position: number, length: number) => memory.read(position, length),
      readInto: (target: Uint8Array, offset: number, length: number, position: number) =>
        memory.readInto(target, offset, length, position),
      readIntoSync(target: Uint8Array, offset: number, length: number, position: number) {
        target.set(file.subarray(position, position + length), offset);
      },
      close: () => memory.close(),
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1000, max: 70_000 }),
        async (choices, chunk) => {
          let i = 0;
          const segments: HashSegment[] = [
            { offset: 10, length: 150_000 },
            { bytes: Buffer.from('clsid') },
            { offset: 150_100, length: 100_000 },
          ];
          const digests = await hashSegments(source, segments, ['sha256'], {
            chunk,
            preferSync: () => choices[i++ % choices.length]!,
          });
          expect(digests.get('sha256')!.toString('hex')).toBe(expected(file, segments, 'sha256'));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('reads nearly contiguous ranges together, each byte once, in large reads', async () => {
    // A stream split by one 512-byte sector every 64 KiB, as v3 writers interleave FAT sectors.
    const segments: HashSegment[] = [];
    for (let offset = 0; offset + 65_536 <= file.length; offset += 65_536 + 512) {
      segments.push({ offset, length: 65_536 });
    }
    const { reads, source } = recording(new MemorySource(file));
    const digests = await hashSegments(source, segments, ['sha256'], 256 * 1024);
    expect(digests.get('sha256')!.toString('hex')).toBe(expected(file, segments, 'sha256'));
    expect(reads.length).toBeLessThanOrEqual(2);
    const read = reads.reduce((n, r) => n + r.length, 0);
    expect(read).toBeLessThan(planFileBytes(segments) + 4 * 512 + 1);
  });

  it('names the stream when a range lies outside the file, before reading anything', async () => {
    const { reads, source } = recording(new MemorySource(file));
    const plan: HashSegment[] = [
      { offset: 0, length: 10 },
      { offset: file.length - 5, length: 10, what: 'stream "x"' },
    ];
    await expect(hashSegments(source, plan, ['sha256'])).rejects.toThrow(MalformedPackageError);
    await expect(hashSegments(source, plan, ['sha256'])).rejects.toThrow(
      /^stream "x" lies outside the file \(read of 10 bytes at offset 299995/,
    );
    expect(reads).toEqual([]);
  });

  it('throws the ReadPastEndError itself for an unnamed range', async () => {
    const plan: HashSegment[] = [{ offset: file.length, length: 1 }];
    await expect(hashSegments(new MemorySource(file), plan, ['sha256'])).rejects.toThrow(
      ReadPastEndError,
    );
  });

  it('surfaces a failing read-ahead as the error of the call, with nothing left running', async () => {
    let calls = 0;
    const failing: RandomAccessSource = {
      size: file.length,
      read: () => Promise.reject(new Error('unused')),
      async readInto(target, offset, length, position) {
        if (++calls === 3) throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
        target.set(file.subarray(position, position + length), offset);
      },
      close: async () => {},
    };
    await expect(
      hashSegments(failing, [{ offset: 0, length: file.length }], ['sha256'], 65_536),
    ).rejects.toThrow(/EIO/);
    expect(calls).toBe(3);
  });

  it('hashes an empty plan as the empty input', async () => {
    const digests = await hashSegments(new MemorySource(file), [], ['sha256']);
    expect(digests.get('sha256')!.toString('hex')).toBe(createHash('sha256').digest('hex'));
  });
});
