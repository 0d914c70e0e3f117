/**
 * The hash worker's entry (see worker-pool.ts): hashes plans of a file descriptor the main thread
 * holds open and answers with the digests. scripts/bundle.mjs bundles it, as CommonJS, into the
 * entry points that create the pool. One job at a time: the pool sends the next after the answer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { hashSegments } from '../io/hash-plan.js';
import { BorrowedFileSource } from '../io/random-access-file.js';
import {
  serializeError,
  type HashRequest,
  type HashResponse,
  type HashWorkerData,
} from './hash-protocol.js';

/** Progress is reported in steps of this many bytes (and the remainder before the answer). */
const PROGRESS_STEP = 16 * 1024 * 1024;

const port = parentPort;
if (!port) throw new Error('hash-worker must run on a worker thread');
const { busy, cores } = workerData as HashWorkerData;
const busyWorkers = new Int32Array(busy);
// When every core has a hash to do, reading ahead on libuv's pool only adds hand-overs.
const preferSync = () => Atomics.load(busyWorkers, 0) >= cores;

port.on('message', (request: HashRequest) => {
  void run(request);
});

async function run(request: HashRequest): Promise<void> {
  const post = (message: HashResponse) => port!.postMessage(message);
  let unreported = 0;
  const onBytes = request.progress
    ? (bytes: number) => {
        unreported += bytes;
        if (unreported >= PROGRESS_STEP) {
          post({ id: request.id, progress: unreported });
          unreported = 0;
        }
      }
    : undefined;
  try {
    const source = new BorrowedFileSource(request.fd, request.size, onBytes);
    const digests = await hashSegments(source, request.segments, request.algorithms, {
      preferSync,
    });
    if (unreported > 0) post({ id: request.id, progress: unreported });
    post({ id: request.id, digests: [...digests] });
  } catch (error) {
    if (unreported > 0) post({ id: request.id, progress: unreported });
    post({ id: request.id, error: serializeError(error) });
  }
}
