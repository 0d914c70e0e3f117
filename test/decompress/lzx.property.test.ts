import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DecompressionError, LzxDecoder } from '../../src/decompress/index.js';
import { loadFixtureEncoder, type FixtureEncoder, type LzxBlockPlan } from './support/encoder.js';

let encoder: FixtureEncoder;
beforeAll(async () => {
  encoder = await loadFixtureEncoder();
});

function decodeAll(windowBits: number, frames: { data: Buffer; size: number }[]): Buffer {
  const decoder = new LzxDecoder(windowBits);
  return Buffer.concat(frames.map((f) => Buffer.from(decoder.decodeFrame(f.data, f.size))));
}

/** Data with structure: runs, repeats at near and far distances, noise and E8 call sites. */
const structuredData = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.record({
        byte: fc.integer({ min: 0, max: 255 }),
        count: fc.integer({ min: 1, max: 3000 }),
      }),
      fc.record({
        back: fc.integer({ min: 1, max: 200_000 }),
        length: fc.integer({ min: 2, max: 600 }),
      }),
      fc.record({ call: fc.integer({ min: -70_000, max: 70_000 }) }),
    ),
    { minLength: 1, maxLength: 120 },
  )
  .map((parts) => {
    const out: number[] = [];
    for (const part of parts) {
      if (part instanceof Uint8Array) out.push(...part);
      else if ('byte' in part) for (let i = 0; i < part.count; i++) out.push(part.byte);
      else if ('back' in part) {
        const from = Math.max(0, out.length - part.back);
        for (let i = 0; i < part.length && out.length > 0; i++)
          out.push(out[from + (i % (out.length - from))]!);
      } else {
        const b = Buffer.alloc(5);
        b[0] = 0xe8;
        b.writeInt32LE(part.call, 1);
        out.push(...b);
      }
    }
    return Buffer.from(out.length > 0 ? out : [0]);
  });

const blockPlan = fc.array(
  fc.record({
    type: fc.constantFrom<LzxBlockPlan['type']>('verbatim', 'aligned', 'uncompressed'),
    size: fc.integer({ min: 1, max: 80_000 }),
  }),
  { minLength: 1, maxLength: 4 },
);

describe('LZX decoder against the fixture encoder', () => {
  it('decodes what the encoder writes, for every block type, window and E8 setting', () => {
    fc.assert(
      fc.property(
        structuredData,
        fc.integer({ min: 15, max: 21 }),
        blockPlan,
        fc.constantFrom(0, 12_000_000, 50_000, 1),
        (data, windowBits, blocks, e8FileSize) => {
          const frames = encoder.lzxCompress(data, { windowBits, blocks, e8FileSize });
          expect(decodeAll(windowBits, frames).equals(data)).toBe(true);
        },
      ),
      { seed: 17, numRuns: 60 },
    );
  });

  it('either decodes a damaged frame to the declared size or throws a DecompressionError', () => {
    fc.assert(
      fc.property(
        structuredData,
        fc.integer({ min: 15, max: 21 }),
        blockPlan,
        fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat({ max: 100 }),
        (data, windowBits, blocks, flips, cutPercent) => {
          const frames = encoder.lzxCompress(data, { windowBits, blocks });
          const victim = frames[flips[0]!.at % frames.length]!;
          const damaged = Buffer.from(victim.data);
          for (const { at, xor } of flips)
            if (damaged.length > 0) damaged[at % damaged.length]! ^= xor;
          victim.data = damaged.subarray(
            0,
            Math.ceil((damaged.length * (100 - cutPercent / 2)) / 100),
          );
          const decoder = new LzxDecoder(windowBits);
          for (const frame of frames) {
            try {
              expect(decoder.decodeFrame(frame.data, frame.size).length).toBe(frame.size);
            } catch (error) {
              expect(error).toBeInstanceOf(DecompressionError);
              return;
            }
          }
        },
      ),
      { seed: 1017, numRuns: 150 },
    );
  });
});
