import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_PRELOAD_BYTES,
  RandomAccessFile,
  ReadPastEndError,
} from '../../src/io/random-access-file.js';

const dir = mkdtempSync(join(tmpdir(), 'random-access-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileOf(name: string, size: number): { path: string; bytes: Buffer } {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('RandomAccessFile preloading', () => {
  it('reads a file within preloadBytes whole at open and serves later reads from memory', async () => {
    const { path, bytes } = fileOf('small.bin', 4096);
    const file = await RandomAccessFile.open(path, { preloadBytes: 4096 });
    try {
      expect(file.isPreloaded).toBe(true);
      // Emptying the file on disk changes nothing: no read reaches it any more.
      truncateSync(path, 0);
      expect(await file.read(100, 50)).toEqual(bytes.subarray(100, 150));
      const target = Buffer.alloc(10);
      await file.readInto(target, 2, 8, 4088);
      expect(target).toEqual(Buffer.concat([Buffer.alloc(2), bytes.subarray(4088, 4096)]));
      // Reads are counted as before, for progress reporting.
      expect(file.bytesRead).toBe(58);
      // Bounds are the file's, as for positional reads.
      await expect(file.read(4090, 7)).rejects.toBeInstanceOf(ReadPastEndError);
    } finally {
      await file.close();
    }
  });

  it('reads a file larger than preloadBytes by position', async () => {
    const { path, bytes } = fileOf('larger.bin', 4097);
    const file = await RandomAccessFile.open(path, { preloadBytes: 4096 });
    try {
      expect(file.isPreloaded).toBe(false);
      expect(await file.read(0, 16)).toEqual(bytes.subarray(0, 16));
      truncateSync(path, 0);
      // The read goes to the disk and finds the file shrunk under it.
      await expect(file.read(16, 16)).rejects.toBeInstanceOf(ReadPastEndError);
    } finally {
      await file.close();
    }
  });

  it('preloads nothing by default, and never more than MAX_PRELOAD_BYTES', async () => {
    const small = fileOf('default.bin', 10);
    const byDefault = await RandomAccessFile.open(small.path);
    expect(byDefault.isPreloaded).toBe(false);
    await byDefault.close();

    const big = fileOf('big.bin', MAX_PRELOAD_BYTES + 1);
    const capped = await RandomAccessFile.open(big.path, { preloadBytes: Number.MAX_SAFE_INTEGER });
    try {
      expect(capped.isPreloaded).toBe(false);
      expect(await capped.read(MAX_PRELOAD_BYTES - 3, 4)).toEqual(
        big.bytes.subarray(MAX_PRELOAD_BYTES - 3),
      );
    } finally {
      await capped.close();
    }
  });

  it('keeps the descriptor open for a worker thread to read a preloaded file too', async () => {
    const { path } = fileOf('fd.bin', 64);
    const file = await RandomAccessFile.open(path, { preloadBytes: 1 << 20 });
    expect(file.isPreloaded).toBe(true);
    expect(file.fd).toBeGreaterThan(2);
    await file.close();
  });
});

describe('RandomAccessFile reads', () => {
  it('reads small ranges synchronously and large ones through the thread pool, the same bytes', async () => {
    const { path, bytes } = fileOf('both.bin', 600 * 1024);
    const file = await RandomAccessFile.open(path);
    try {
      // 256 KiB and below: a synchronous read; above: an asynchronous one.
      // Compared with equals(): a deep toEqual of 256 KiB takes seconds.
      expect((await file.read(1, 256 * 1024)).equals(bytes.subarray(1, 1 + 256 * 1024))).toBe(true);
      expect((await file.read(3, 256 * 1024 + 1)).equals(bytes.subarray(3, 4 + 256 * 1024))).toBe(
        true,
      );
      expect(file.bytesRead).toBe(512 * 1024 + 1);
    } finally {
      await file.close();
    }
  });

  it('refuses reads once closed (a descriptor number is reused), and closes once', async () => {
    const { path } = fileOf('closed.bin', 100);
    const file = await RandomAccessFile.open(path);
    await file.close();
    await expect(file.read(0, 10)).rejects.toThrow('read from a closed file');
    await expect(file.close()).resolves.toBeUndefined();
  });

  it('names the missing file as fs does', async () => {
    await expect(RandomAccessFile.open(join(dir, 'absent.bin'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
