import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openCompoundFile } from '../../src/cfb/index.js';
import { MalformedPackageError } from '../../src/errors.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import { countReads } from '../../src/io/read-counter.js';
import { buildCfb, storage, stream, type CfbImage } from '../support/cfb-builder.js';

const ENDOFCHAIN = 0xfffffffe;

function chainOf(image: CfbImage, start: number): number[] {
  const out: number[] = [];
  for (let s = start; s !== ENDOFCHAIN; s = image.fat[s]!) out.push(s);
  return out;
}

/** Opens the bytes, counting what is read; returns the error (or null) and the bytes read. */
async function open(bytes: Uint8Array): Promise<{ error: unknown; bytesRead: number }> {
  let bytesRead = 0;
  const source = countReads(new MemorySource(bytes), (n) => (bytesRead += n));
  try {
    await openCompoundFile(source);
    return { error: null, bytesRead };
  } catch (error) {
    return { error, bytesRead };
  }
}

function sample(): CfbImage {
  return buildCfb([
    stream('big', randomBytes(5000)),
    stream('big2', randomBytes(6000)),
    stream('small', randomBytes(200)),
    storage('sub', [stream('inner', randomBytes(200))]),
  ]);
}

describe('cross-linked sector chains (issue 20, item 1)', () => {
  it('opens the untouched sample', async () => {
    expect((await open(sample().toBytes())).error).toBeNull();
  });

  it('rejects two streams that share one regular chain', async () => {
    const image = sample();
    const big = image.directory[image.sid('big')]!;
    const big2 = image.directory[image.sid('big2')]!;
    big2.start = big.start;
    big2.size = big.size;
    const { error } = await open(image.toBytes());
    expect(error).toBeInstanceOf(MalformedPackageError);
    expect((error as Error).message).toMatch(/already belongs to .*cross-linked sector chains/);
  });

  it('rejects a stream whose chain runs into another stream part-way', async () => {
    const image = sample();
    const bigChain = chainOf(image, image.directory[image.sid('big')]!.start);
    const big2Chain = chainOf(image, image.directory[image.sid('big2')]!.start);
    // big2's fifth sector links into big's chain instead of its own sixth.
    image.fat[big2Chain[4]!] = bigChain[2]!;
    const { error } = await open(image.toBytes());
    expect((error as Error).message).toMatch(/cross-linked/);
  });

  it('rejects a stream chain that ends in a FAT sector', async () => {
    const image = sample();
    const chain = chainOf(image, image.directory[image.sid('big')]!.start);
    image.fat[chain[chain.length - 2]!] = image.fatSectors[0]!;
    const { error } = await open(image.toBytes());
    expect((error as Error).message).toMatch(/already belongs to the FAT/);
  });

  it('rejects two small streams that share one mini chain', async () => {
    const image = sample();
    const small = image.directory[image.sid('small')]!;
    const inner = image.directory[image.sid('sub/inner')]!;
    inner.start = small.start;
    const { error } = await open(image.toBytes());
    expect((error as Error).message).toMatch(/cross-linked mini sector chains/);
  });

  it('rejects 20,000 entries sharing one fragmented chain after reading about the file once', async () => {
    // The review's shape: many directory entries point at one shared chain, so that a few MB
    // declare gigabytes of content. Built at test time; the bound is counted in bytes read.
    const count = 20_000;
    const shared = randomBytes(64 * 1024);
    const image = buildCfb(
      [
        stream('shared', shared),
        ...Array.from({ length: count }, (_, i) => stream(`s${i}`, new Uint8Array(0))),
      ],
      { layout: 'gapped' },
    );
    const sharedEntry = image.directory[image.sid('shared')]!;
    for (let i = 0; i < count; i++) {
      const entry = image.directory[image.sid(`s${i}`)]!;
      entry.start = sharedEntry.start;
      entry.size = sharedEntry.size;
    }
    const bytes = image.toBytes();
    const declared = count * shared.length;
    expect(declared).toBeGreaterThan(100 * bytes.length);
    const { error, bytesRead } = await open(bytes);
    expect(error).toBeInstanceOf(MalformedPackageError);
    expect((error as Error).message).toMatch(/cross-linked/);
    expect(bytesRead).toBeLessThanOrEqual(bytes.length);
  });
});
