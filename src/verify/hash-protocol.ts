/**
 * Messages between the hash worker pool (worker-pool.ts) and its workers (hash-worker.ts), and
 * how errors cross the thread boundary so that the main thread rethrows what an inline hash
 * would have thrown.
 */
import type { DigestAlgorithm } from '../digest.js';
import { MalformedPackageError } from '../errors.js';
import type { HashSegment } from '../io/hash-plan.js';
import { ReadPastEndError } from '../io/random-access-file.js';

/** Given to each worker when it starts. */
export interface HashWorkerData {
  /** Int32Array over it: [0] = workers of the pool that have a job now. */
  busy: SharedArrayBuffer;
  /** Cores this process may use: with as many workers busy, workers read synchronously. */
  cores: number;
}

/** Main → worker. */
export interface HashRequest {
  id: number;
  fd: number;
  size: number;
  segments: HashSegment[];
  algorithms: DigestAlgorithm[];
  /** Whether to send `progress` messages. */
  progress: boolean;
}

/** Worker → main: progress (bytes read since the last one), the digests, or why not. */
export type HashResponse =
  | { id: number; progress: number }
  | { id: number; digests: [DigestAlgorithm, Uint8Array][] }
  | { id: number; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  position?: number;
  length?: number;
  size?: number;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ReadPastEndError) {
    const { name, message, position, length, size } = error;
    return { name, message, position, length, size };
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** The error the inline hasher would have thrown. */
export function deserializeError(error: SerializedError): Error {
  if (error.name === 'ReadPastEndError') {
    return new ReadPastEndError(error.position ?? 0, error.length ?? 0, error.size ?? 0);
  }
  if (error.name === 'MalformedPackageError') return new MalformedPackageError(error.message);
  const result = new Error(error.message) as NodeJS.ErrnoException;
  if (error.code !== undefined) result.code = error.code;
  return result;
}
