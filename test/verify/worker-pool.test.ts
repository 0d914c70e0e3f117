/**
 * Hashing on worker threads (src/verify/worker-pool.ts) gives the same reports as hashing on the
 * main thread, for every committed fixture; errors cross the thread boundary as the same errors;
 * and a pool whose workers cannot run falls back to hashing inline.
 *
 * The worker's code is bundled here as scripts/bundle.mjs bundles it into dist/.
 */
import { closeSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCompoundFile } from '../../src/cfb/index.js';
import { MalformedPackageError } from '../../src/errors.js';
import { hashSegments } from '../../src/io/hash-plan.js';
import { RandomAccessFile, ReadPastEndError } from '../../src/io/random-access-file.js';
import { msiContentDigests } from '../../src/msi/content-digest.js';
import { verifyArtifact } from '../../src/verify/artifact.js';
import { buildPolicy } from '../../src/verify/configure.js';
import type { Policy } from '../../src/verify/policy.js';
import { HashWorkerPool } from '../../src/verify/worker-pool.js';
import { REPO, loadManifest } from '../support/manifest.js';

const manifest = loadManifest();
let workerSource: string;
let policy: Policy;

beforeAll(async () => {
  const result = await build({
    entryPoints: [join(REPO, 'src/verify/hash-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  });
  workerSource = result.outputFiles[0]!.text;
  policy = await buildPolicy({
    signers: [join(REPO, 'fixtures/pki/signer.pem')],
    trustedRoots: join(REPO, 'fixtures/pki/trusted-roots.pem'),
    tsaRoots: join(REPO, 'fixtures/pki/tsa-roots.pem'),
  });
});

describe('verifying with every content digest hashed on a worker', () => {
  let pool: HashWorkerPool;
  /** No worker code: the same plans, hashed on this thread. */
  let inlinePool: HashWorkerPool;
  beforeAll(() => {
    pool = new HashWorkerPool(2, { workerSource, minBytes: 0 });
    inlinePool = new HashWorkerPool(2, { minBytes: 0 });
  });
  afterAll(async () => {
    await pool.close();
    await inlinePool.close();
  });

  it.each(manifest.fixtures.map((f) => [f.path]))(
    '%s: same report, and the same bytes reported as read',
    async (path) => {
      const file = join(REPO, path);
      let inlineBytes = 0;
      let pooledBytes = 0;
      const streamed = await verifyArtifact(file, path, policy);
      const inline = await verifyArtifact(file, path, policy, {
        hashPool: inlinePool,
        onBytes: (n) => (inlineBytes += n),
      });
      const pooled = await verifyArtifact(file, path, policy, {
        hashPool: pool,
        onBytes: (n) => (pooledBytes += n),
      });
      expect(inline.report).toEqual(streamed.report);
      expect(pooled.report).toEqual(streamed.report);
      expect(pooledBytes).toBe(inlineBytes);
    },
  );

  it('gives the same digests when its workers read synchronously', async () => {
    const syncPool = new HashWorkerPool(1, { workerSource, minBytes: 0, cores: 1 });
    try {
      for (const path of [
        'fixtures/msi/signed-sha256.msi',
        'fixtures/cab/signed-stored-sha256.cab',
      ]) {
        const file = join(REPO, path);
        const streamed = await verifyArtifact(file, path, policy);
        const pooled = await verifyArtifact(file, path, policy, { hashPool: syncPool });
        expect(pooled.report).toEqual(streamed.report);
      }
      expect(syncPool.workers).toBe(1);
    } finally {
      await syncPool.close();
    }
  });

  it('used its workers, at most two', () => {
    expect(pool.workers).toBeGreaterThan(0);
    expect(pool.workers).toBeLessThanOrEqual(2);
  });
});

describe('HashWorkerPool', () => {
  const msi = join(REPO, 'fixtures/msi/signed-sha256.msi');

  it('hashes an MSI plan on a worker like the stream-by-stream digest', async () => {
    const pool = new HashWorkerPool(1, { workerSource, minBytes: 0 });
    const source = await RandomAccessFile.open(msi);
    try {
      const cfb = await openCompoundFile(source);
      const streamed = await msiContentDigests(cfb, ['sha256', 'sha1']);
      const planned = await msiContentDigests(
        cfb,
        ['sha256', 'sha1'],
        pool.hasherFor(source, source),
      );
      const inline = await msiContentDigests(cfb, ['sha256', 'sha1'], (segments, algorithms) =>
        hashSegments(source, segments, algorithms),
      );
      expect(planned).toEqual(streamed);
      expect(inline).toEqual(streamed);
    } finally {
      await source.close();
      await pool.close();
    }
  });

  it('rethrows a range outside the file as the reader would, and the read past the end', async () => {
    const pool = new HashWorkerPool(1, { workerSource, minBytes: 0 });
    const source = await RandomAccessFile.open(msi);
    try {
      const hasher = pool.hasherFor(source, source);
      await expect(
        hasher([{ offset: source.size - 1, length: 2, what: 'stream "x"' }], ['sha256']),
      ).rejects.toThrow(MalformedPackageError);
      // The worker is told the file is longer than it is: its read comes back short.
      await expect(
        pool.hash(
          source.fd,
          source.size + 4096,
          [{ offset: source.size - 8, length: 16 }],
          ['sha256'],
        ),
      ).rejects.toThrow(ReadPastEndError);
      // And it still works afterwards.
      const digests = await pool.hash(
        source.fd,
        source.size,
        [{ offset: 0, length: 512 }],
        ['sha256'],
      );
      const expected = await hashSegments(source, [{ offset: 0, length: 512 }], ['sha256']);
      expect(digests).toEqual(expected);
    } finally {
      await source.close();
      await pool.close();
    }
  });

  it('reports an I/O error with its code', async () => {
    const pool = new HashWorkerPool(1, { workerSource, minBytes: 0 });
    const fd = openSync(join(REPO, 'fixtures/pki'), 'r');
    try {
      await expect(
        pool.hash(fd, 1024, [{ offset: 0, length: 16 }], ['sha256']),
      ).rejects.toMatchObject({
        code: 'EISDIR',
      });
    } finally {
      closeSync(fd);
      await pool.close();
    }
  });

  it('hashes inline when its worker cannot run, and stops trying workers', async () => {
    const pool = new HashWorkerPool(2, { workerSource: 'throw new Error("no")', minBytes: 0 });
    const source = await RandomAccessFile.open(msi);
    try {
      const plan = [{ offset: 0, length: statSync(msi).size }];
      const expected = await hashSegments(source, plan, ['sha256']);
      expect(await pool.hasherFor(source, source)(plan, ['sha256'])).toEqual(expected);
      expect(await pool.hasherFor(source, source)(plan, ['sha256'])).toEqual(expected);
      expect(pool.workers).toBe(0);
    } finally {
      await source.close();
      await pool.close();
    }
  });

  it('hashes small plans inline without starting a worker', async () => {
    const pool = new HashWorkerPool(2, { workerSource });
    const source = await RandomAccessFile.open(msi);
    try {
      const plan = [{ offset: 0, length: 4096 }];
      expect(await pool.hasherFor(source, source)(plan, ['sha256'])).toEqual(
        await hashSegments(source, plan, ['sha256']),
      );
      expect(pool.workers).toBe(0);
    } finally {
      await source.close();
      await pool.close();
    }
  });

  it('without bundled worker code (as under this test runner), hashes inline', async () => {
    const pool = new HashWorkerPool(2, { minBytes: 0 });
    const source = await RandomAccessFile.open(msi);
    try {
      const plan = [{ offset: 0, length: 4096 }];
      expect(await pool.hasherFor(source, source)(plan, ['sha256'])).toEqual(
        await hashSegments(source, plan, ['sha256']),
      );
      expect(pool.workers).toBe(0);
    } finally {
      await source.close();
      await pool.close();
    }
  });
});
