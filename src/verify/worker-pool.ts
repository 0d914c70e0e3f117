/**
 * A bounded pool of worker threads that hash plans (src/io/hash-plan.ts) of files the main thread
 * has open. Node's hashes run on the thread that calls them, so two large files verified at once
 * would otherwise take turns on the main thread; on workers, each hashes on its own core while
 * the main thread decodes signatures and builds chains.
 *
 * A worker reads the main thread's open file descriptor by position: the bytes it hashes are the
 * bytes of the file the main thread parsed (no second open by path, no window for a swap).
 * Workers start when a large file is opened, are unreferenced while idle (they never keep the process
 * alive), and end with {@link HashWorkerPool.close}. When no worker can run (no bundled worker
 * code, as under a TypeScript test runner, or a worker that fails), plans are hashed inline.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { DigestAlgorithm } from '../digest.js';
import {
  checkPlan,
  hashSegments,
  isBytesSegment,
  planFileBytes,
  type HashSegment,
  type SegmentHasher,
} from '../io/hash-plan.js';
import type { RandomAccessFile, RandomAccessSource } from '../io/random-access-file.js';
import {
  deserializeError,
  type HashRequest,
  type HashResponse,
  type HashWorkerData,
} from './hash-protocol.js';

/** The worker's code (src/verify/hash-worker.ts bundled as CommonJS), defined by the bundler. */
declare const __HASH_WORKER_SOURCE__: string | undefined;
const BUNDLED_WORKER_SOURCE =
  typeof __HASH_WORKER_SOURCE__ === 'string' ? __HASH_WORKER_SOURCE__ : undefined;

/**
 * Plans that read fewer bytes than this are hashed on the main thread: a round trip to a worker
 * costs more than hashing them, and a run of small files never starts a worker. 4 MiB, not
 * 1 MiB: 100 MSIs of 2 MiB took 0.96x the wall time and 0.89x the CPU hashed here (issue 19,
 * BENCHMARKS.md); a 4 MiB file hashes in about 2.5 ms.
 */
export const OFFLOAD_MIN_BYTES = 4 * 1024 * 1024;

/** The worker could not run the job (not the file's fault): hash it inline instead. */
export class WorkerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerUnavailableError';
  }
}

interface Job {
  request: HashRequest;
  onBytes: ((bytes: number) => void) | undefined;
  resolve(digests: Map<DigestAlgorithm, Buffer>): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

export interface HashWorkerPoolOptions {
  /** The worker's code (CommonJS). Defaults to the bundled worker; without one, no worker runs. */
  workerSource?: string;
  /** Plans reading fewer bytes are hashed inline. */
  minBytes?: number;
  /**
   * With this many workers busy, workers read synchronously instead of ahead (hash-plan.ts
   * `preferSync`). Defaults to the cores this process may use.
   */
  cores?: number;
}

export class HashWorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private readonly workerSource: string | undefined;
  private readonly minBytes: number;
  private readonly cores: number;
  private nextId = 1;
  private usable: boolean;
  /** Large files opened whose plan has not come yet (workers are started for them ahead). */
  private expected = 0;
  /** [0] = workers with a job, shared with the workers (hash-protocol.ts HashWorkerData). */
  private readonly busy = new Int32Array(new SharedArrayBuffer(4));
  /** node:worker_threads, loaded with the first job: a run that never needs it never pays for it. */
  private workerClass: typeof Worker | undefined;

  constructor(
    /** Most workers at once. */
    readonly size: number,
    options: HashWorkerPoolOptions = {},
  ) {
    this.workerSource = options.workerSource ?? BUNDLED_WORKER_SOURCE;
    this.minBytes = options.minBytes ?? OFFLOAD_MIN_BYTES;
    this.cores = options.cores ?? availableParallelism();
    this.usable = this.workerSource !== undefined && size >= 1;
  }

  /** Workers running now (for tests). */
  get workers(): number {
    return this.slots.size;
  }

  /**
   * A hasher for one open file: plans of at least `minBytes` go to a worker reading `file`'s
   * descriptor, smaller ones (or all, when no worker can run) are read through `inline` here.
   * `onBytes` hears of the bytes read either way.
   */
  hasherFor(
    file: RandomAccessFile,
    inline: RandomAccessSource,
    onBytes?: (bytes: number) => void,
  ): SegmentHasher {
    // A file this large will most likely be hashed on a worker: start one now, so that it boots
    // while this thread parses the file's structure and signature.
    let expected = this.usable && file.size >= this.minBytes;
    if (expected) {
      this.expected++;
      void this.prestart();
    }
    return async (segments, algorithms) => {
      if (expected) {
        expected = false;
        this.expected--;
      }
      if (this.usable && planFileBytes(segments) >= this.minBytes) {
        checkPlan(segments, file.size);
        try {
          return await this.hash(file.fd, file.size, segments, algorithms, onBytes);
        } catch (error) {
          if (!(error instanceof WorkerUnavailableError)) throw error;
        }
      }
      return hashSegments(inline, segments, algorithms);
    };
  }

  /** Hashes a plan of the open descriptor `fd` (of `size` bytes) on a worker. */
  async hash(
    fd: number,
    size: number,
    segments: readonly HashSegment[],
    algorithms: readonly DigestAlgorithm[],
    onBytes?: (bytes: number) => void,
  ): Promise<Map<DigestAlgorithm, Buffer>> {
    this.workerClass ??= (await import('node:worker_threads')).Worker;
    if (!this.usable) throw new WorkerUnavailableError('no hash worker can run');
    const request: HashRequest = {
      id: this.nextId++,
      fd,
      size,
      // Literal bytes may be views into larger buffers (the directory): send only the view.
      segments: segments.map((s) => (isBytesSegment(s) ? { bytes: new Uint8Array(s.bytes) } : s)),
      algorithms: [...algorithms],
      progress: onBytes !== undefined,
    };
    return new Promise((resolve, reject) => {
      this.queue.push({ request, onBytes, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Starts a worker when fewer are idle than large files are expected and the pool has room
   * (it waits, unreferenced, for a job).
   */
  private async prestart(): Promise<void> {
    this.workerClass ??= (await import('node:worker_threads')).Worker;
    const idle = [...this.slots].filter((s) => s.job === null).length;
    if (idle < this.expected && this.usable && this.slots.size < this.size) this.spawn();
  }

  /** Ends every worker; jobs not finished fail with WorkerUnavailableError. */
  async close(): Promise<void> {
    this.usable = false;
    const failure = new WorkerUnavailableError('the hash worker pool was closed');
    for (const job of this.queue.splice(0)) job.reject(failure);
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) slot.job?.reject(failure);
    Atomics.store(this.busy, 0, 0);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((s) => s.job === null);
      if (!slot) {
        if (this.slots.size >= this.size || !this.usable) return;
        slot = this.spawn();
      }
      const job = this.queue.shift()!;
      slot.job = job;
      Atomics.add(this.busy, 0, 1);
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
  }

  private spawn(): Slot {
    const workerData: HashWorkerData = {
      busy: this.busy.buffer as SharedArrayBuffer,
      cores: this.cores,
    };
    const worker = new this.workerClass!(this.workerSource!, { eval: true, workerData });
    const slot: Slot = { worker, job: null };
    this.slots.add(slot);
    let finishedOne = false;
    worker.on('message', (message: HashResponse) => {
      const job = slot.job;
      if (!job || job.request.id !== message.id) return;
      if ('progress' in message) {
        job.onBytes?.(message.progress);
        return;
      }
      slot.job = null;
      Atomics.sub(this.busy, 0, 1);
      finishedOne = true;
      if ('error' in message) job.reject(deserializeError(message.error));
      else {
        job.resolve(
          new Map(
            message.digests.map(([algorithm, digest]) => [
              algorithm,
              Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength),
            ]),
          ),
        );
      }
      if (this.queue.length > 0) this.dispatch();
      else worker.unref();
    });
    const fail = (reason: string) => {
      if (!this.slots.delete(slot)) return;
      // A worker that never finished a job will not do better next time: stop using workers.
      if (!finishedOne) this.usable = false;
      const failure = new WorkerUnavailableError(`hash worker ${reason}`);
      if (slot.job) Atomics.sub(this.busy, 0, 1);
      slot.job?.reject(failure);
      slot.job = null;
      if (!this.usable) for (const job of this.queue.splice(0)) job.reject(failure);
      else this.dispatch();
    };
    worker.on('error', (error) => fail(`failed: ${error.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    // Idle workers never keep the process alive; dispatch() refs a worker while it has a job.
    worker.unref();
    return slot;
  }
}
