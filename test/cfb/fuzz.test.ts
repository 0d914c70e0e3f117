import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFormatError } from '../../src/errors.js';
import { msiContentDigests, msiMetadataPrehash } from '../../src/msi/content-digest.js';
import { buildCfb, storage, stream, type CfbImage } from '../support/cfb-builder.js';
import { openBytes } from './tools.js';

function seedFile(version: 3 | 4): CfbImage {
  return buildCfb(
    [
      stream('\u0005DigitalSignature', randomBytes(700)),
      stream('big', randomBytes(9000)),
      stream('small', randomBytes(300)),
      storage('sub', [stream('inner', randomBytes(100)), storage('deep', [stream('x', 'y')])]),
    ],
    { version, layout: 'gapped', extraFatSectors: version === 3 ? 120 : 0 },
  );
}

/** Offsets worth damaging: the header and the metadata sectors, not only random data. */
function interestingOffsets(image: CfbImage, length: number): fc.Arbitrary<number> {
  const ss = image.sectorSize;
  const metadata = [
    ...image.directorySectors,
    ...image.fatSectors.slice(0, 2),
    ...image.miniFatSectors,
    ...image.difatSectors.map((d) => d.sector),
  ];
  return fc.oneof(
    fc.integer({ min: 0, max: 511 }),
    fc
      .record({ sector: fc.constantFrom(...metadata), at: fc.integer({ min: 0, max: ss - 1 }) })
      .map(({ sector, at }) => image.sectorOffset(sector) + at),
    fc.integer({ min: 0, max: length - 1 }),
  );
}

describe('damaged files only ever produce typed format errors', () => {
  for (const version of [3, 4] as const) {
    it(`for random byte and u32 damage to a v${version} file`, async () => {
      const image = seedFile(version);
      const seed = image.toBytes();
      const mutation = fc.record({
        edits: fc.array(
          fc.record({
            offset: interestingOffsets(image, seed.length),
            value: fc.oneof(
              fc.constantFrom(0, 0xff, 0xfe, 0xfffffffe, 0xffffffff, 0xfffffffa, 1, 0x7fffffff),
              fc.integer({ min: 0, max: 0xffffffff }),
            ),
            wide: fc.boolean(),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        cut: fc.option(fc.integer({ min: 0, max: seed.length }), { freq: 5 }),
      });
      await fc.assert(
        fc.asyncProperty(mutation, async ({ edits, cut }) => {
          const bytes = Uint8Array.from(seed);
          const view = new DataView(bytes.buffer);
          for (const { offset, value, wide } of edits) {
            if (wide && offset + 4 <= bytes.length) view.setUint32(offset, value, true);
            else bytes[offset] = value & 0xff;
          }
          const damaged = cut === null ? bytes : bytes.subarray(0, cut);
          try {
            const cfb = await openBytes(damaged);
            await msiContentDigests(cfb, ['sha256']);
            await msiMetadataPrehash(cfb, 'sha1');
          } catch (error) {
            if (!isFormatError(error)) throw error;
          }
        }),
        { numRuns: 1000 },
      );
      expect(true).toBe(true);
    });
  }
});
