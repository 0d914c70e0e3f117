/**
 * streamChunks reads the next chunk while the caller consumes the current one. A chunk stays
 * intact until the caller asks for the next; a failed read-ahead is the error of that next call
 * (never an unhandled rejection); an abandoned iteration leaves no read running.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCompoundFile, type DirectoryEntry } from '../../src/cfb/index.js';
import { MemorySource, type RandomAccessSource } from '../../src/io/random-access-file.js';
import { REPO } from '../support/manifest.js';

const bytes = readFileSync(join(REPO, 'fixtures/msi/signed-sha256.msi'));

/** A source that can be told to fail, and counts reads still running. */
function controlled() {
  const memory = new MemorySource(bytes);
  const state = { failAfter: Infinity, reads: 0, running: 0 };
  const source: RandomAccessSource = {
    size: memory.size,
    read: (position, length) => memory.read(position, length),
    async readInto(target, offset, length, position) {
      state.running++;
      try {
        await new Promise((r) => setTimeout(r, 1));
        if (++state.reads > state.failAfter) {
          throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
        }
        await memory.readInto(target, offset, length, position);
      } finally {
        state.running--;
      }
    },
    close: async () => {},
  };
  return { source, state };
}

async function largestStream(source: RandomAccessSource) {
  const cfb = await openCompoundFile(source);
  const streams = cfb.children(cfb.root).filter((e) => e.kind === 'stream');
  const entry = streams.reduce((a, b) => (b.size > a.size ? b : a)) as DirectoryEntry;
  expect(entry.size).toBeGreaterThan(4 * 512);
  return { cfb, entry };
}

describe('streamChunks read-ahead', () => {
  it('keeps each chunk intact until the next is asked for, whatever the caller awaits', async () => {
    const { source } = controlled();
    const { cfb, entry } = await largestStream(source);
    const expected = await cfb.readStream(entry);
    const seen: Buffer[] = [];
    for await (const chunk of cfb.streamChunks(entry, 512)) {
      const copy = Buffer.from(chunk);
      // The read-ahead completes meanwhile; it must not land in this chunk.
      await new Promise((r) => setTimeout(r, 5));
      expect(Buffer.from(chunk).equals(copy)).toBe(true);
      seen.push(copy);
    }
    expect(Buffer.concat(seen).equals(expected)).toBe(true);
  });

  it('rethrows a failed read-ahead from the next call, after the chunk before it', async () => {
    const { source, state } = controlled();
    const { cfb, entry } = await largestStream(source);
    state.failAfter = state.reads + 2;
    const iterator = cfb.streamChunks(entry, 512)[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    // The third read (the read-ahead of the second chunk's successor) fails while we wait.
    await new Promise((r) => setTimeout(r, 20));
    expect((await iterator.next()).done).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    await expect(iterator.next()).rejects.toThrow(/EIO/);
    expect(state.running).toBe(0);
  });

  it('waits for its read-ahead when the caller stops early', async () => {
    const { source, state } = controlled();
    const { cfb, entry } = await largestStream(source);
    for await (const chunk of cfb.streamChunks(entry, 512)) {
      expect(chunk.length).toBe(512);
      break;
    }
    expect(state.running).toBe(0);
  });
});
