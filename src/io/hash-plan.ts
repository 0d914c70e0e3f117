/**
 * Hashing a file by plan: the Authenticode content digest of an MSI or a CAB is the hash of some
 * byte ranges of the file, in a given order, with a few literal byte strings between them
 * (docs/formats.md §5.2, §6.3). Describing that as data — a list of segments — lets the same plan be
 * hashed here or on a worker thread (src/verify/worker-pool.ts), with the same reads.
 *
 * Reads are large (up to {@link HASH_READ_BYTES}), aligned to 64 KiB in the file after the first,
 * made straight into one of two reused buffers and hashed from there (no copy), and the next read
 * is in flight while the current buffer is hashed: reading (on libuv's thread pool) and hashing
 * (on this thread) overlap. Contiguous or nearly contiguous ranges (e.g. a stream split by a FAT
 * sector) are read together; the few bytes between them are read but never hashed.
 */
import { MultiHash, type DigestAlgorithm } from '../digest.js';
import { MalformedPackageError } from '../errors.js';
import { ReadPastEndError, type RandomAccessSource } from './random-access-file.js';

/** A range of the file to hash. `what` names it in errors (e.g. `stream "x"`). */
export interface FileSegment {
  readonly offset: number;
  readonly length: number;
  /**
   * When set, a range outside the file is a MalformedPackageError naming it (as the compound
   * file reader reports it); when not, the ReadPastEndError itself is thrown.
   */
  readonly what?: string;
}

/** Literal bytes to hash between file ranges (MSI pre-hash, storage CLSIDs). */
export interface BytesSegment {
  readonly bytes: Uint8Array;
}

export type HashSegment = FileSegment | BytesSegment;

/** Hashes a plan of `source` for every algorithm. Where it runs is the implementation's choice. */
export type SegmentHasher = (
  segments: readonly HashSegment[],
  algorithms: readonly DigestAlgorithm[],
) => Promise<Map<DigestAlgorithm, Buffer>>;

/** Largest single read, and the size of each of the two buffers. */
export const HASH_READ_BYTES = 4 * 1024 * 1024;
/** Reads after the first end on multiples of this, so that they stay aligned in the file. */
const READ_ALIGNMENT = 64 * 1024;
/** Ranges at most this far apart are read in one go (the bytes between are not hashed). */
const MAX_GAP = 64 * 1024;

export function isBytesSegment(segment: HashSegment): segment is BytesSegment {
  return 'bytes' in segment;
}

/** Total bytes the plan reads from the file (gaps aside). */
export function planFileBytes(segments: readonly HashSegment[]): number {
  let total = 0;
  for (const s of segments) if (!isBytesSegment(s)) total += s.length;
  return total;
}

/**
 * Throws, before anything is read, the error that reading the first range outside a file of
 * `size` bytes would throw.
 */
export function checkPlan(segments: readonly HashSegment[], size: number): void {
  for (const s of segments) {
    if (isBytesSegment(s)) continue;
    const { offset, length } = s;
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > size
    ) {
      throw rangeError(new ReadPastEndError(offset, length, size), s.what);
    }
  }
}

function rangeError(error: ReadPastEndError, what: string | undefined): Error {
  return what === undefined
    ? error
    : new MalformedPackageError(`${what} lies outside the file (${error.message})`);
}

/** Something to hash from the current read buffer (`start`, `length`) or literal bytes. */
type Part = { readonly start: number; readonly length: number } | Uint8Array;

/** One read of `[offset, end)` and what to hash, in order, afterwards. */
interface Window {
  readonly offset: number;
  end: number;
  readonly limit: number;
  readonly parts: Part[];
  /** For errors: the first range read in this window. */
  readonly what: string | undefined;
}

/** Cuts the plan into reads of at most `chunk` bytes. */
function* windows(segments: readonly HashSegment[], chunk: number): Generator<Window> {
  let window: Window | null = null;
  for (const segment of segments) {
    if (isBytesSegment(segment)) {
      if (segment.bytes.length === 0) continue;
      if (window) window.parts.push(segment.bytes);
      else yield { offset: 0, end: 0, limit: 0, parts: [segment.bytes], what: undefined };
      continue;
    }
    let position = segment.offset;
    let remaining = segment.length;
    while (remaining > 0) {
      if (
        window === null ||
        position < window.end ||
        position - window.end > MAX_GAP ||
        position >= window.limit
      ) {
        if (window) yield window;
        const limit = Math.max(
          Math.floor((position + chunk) / READ_ALIGNMENT) * READ_ALIGNMENT,
          position + Math.min(chunk, READ_ALIGNMENT),
        );
        window = { offset: position, end: position, limit, parts: [], what: segment.what };
      }
      const take = Math.min(remaining, window.limit - position);
      window.parts.push({ start: position - window.offset, length: take });
      window.end = position + take;
      position += take;
      remaining -= take;
      if (window.end === window.limit) {
        yield window;
        window = null;
      }
    }
  }
  if (window) yield window;
}

/** A source that can also read synchronously (a worker thread, which has nothing else to do). */
export interface SyncReadable {
  readIntoSync(target: Uint8Array, offset: number, length: number, position: number): void;
}

export interface HashOptions {
  /** Largest read, and the size of each of the two buffers. */
  chunk?: number;
  /**
   * Asked before each read when the source can read synchronously: true means read the next
   * range now, on this thread, rather than ahead on libuv's pool. When every core is busy
   * hashing, that costs less CPU (no hand-over, the bytes land in this core's cache); when one
   * is idle, reading ahead is faster.
   */
  preferSync?: () => boolean;
}

/**
 * Hashes the plan, reading `source`: each byte of each range is read once, straight into a reused
 * buffer, while the previous buffer is being hashed (or, see {@link HashOptions.preferSync},
 * just before it is hashed).
 */
export async function hashSegments(
  source: RandomAccessSource & Partial<SyncReadable>,
  segments: readonly HashSegment[],
  algorithms: readonly DigestAlgorithm[],
  options: HashOptions | number = {},
): Promise<Map<DigestAlgorithm, Buffer>> {
  const { chunk = HASH_READ_BYTES, preferSync } =
    typeof options === 'number' ? { chunk: options } : options;
  if (!Number.isSafeInteger(chunk) || chunk <= 0) {
    throw new RangeError(`chunk size ${chunk} is not a positive integer`);
  }
  checkPlan(segments, source.size);
  const hash = new MultiHash(algorithms);
  // Two buffers, no larger than the plan's largest read can be (its bytes and the gaps between).
  let span = 0;
  for (const s of segments) if (!isBytesSegment(s)) span += s.length + MAX_GAP;
  // A read never reaches past the end of the file: a file of many small ranges (mini sectors)
  // must not get two chunk-sized buffers out of proportion to its size (issue 10).
  const size = Math.max(1, Math.min(chunk, span, source.size));
  const buffers: Buffer[] = [];
  const buffer = (i: number): Buffer => (buffers[i] ??= takeBuffer(size));

  const named = (error: unknown, window: Window) =>
    error instanceof ReadPastEndError ? rangeError(error, window.what) : error;
  const read = async (window: Window, target: Buffer): Promise<void> => {
    const length = window.end - window.offset;
    if (length === 0) return;
    try {
      await source.readInto(target, 0, length, window.offset);
    } catch (error) {
      throw named(error, window);
    }
  };
  const readSync = source.readIntoSync?.bind(source);
  const syncNow = () => readSync !== undefined && preferSync !== undefined && preferSync();

  const plan = windows(segments, size);
  let current = plan.next();
  let index = 0;
  // The read of `current` into buffer(index), when it was started ahead.
  let pending: Promise<void> | null = null;
  try {
    while (!current.done) {
      const window = current.value;
      const filled = buffer(index);
      if (pending) await pending;
      else if (syncNow() && window.end > window.offset) {
        try {
          readSync!(filled, 0, window.end - window.offset, window.offset);
        } catch (error) {
          throw named(error, window);
        }
      } else await read(window, filled);
      current = plan.next();
      index ^= 1;
      // The other buffer's bytes were hashed in the previous round: read ahead into it.
      pending = current.done || syncNow() ? null : read(current.value, buffer(index));
      for (const part of window.parts) {
        hash.update(
          part instanceof Uint8Array ? part : filled.subarray(part.start, part.start + part.length),
        );
      }
    }
  } catch (error) {
    // Never leave a read running into a buffer, nor its failure unhandled.
    await pending?.catch(() => undefined);
    throw error;
  } finally {
    for (const b of buffers) giveBack(b);
  }
  return hash.digest();
}

/**
 * Buffers of finished hashes, kept for the next one on this thread: verifying many files
 * allocates two buffers, not two per file (garbage that would only grow the heap).
 */
const spareBuffers: Buffer[] = [];
const MAX_SPARE_BUFFERS = 4;

function takeBuffer(size: number): Buffer {
  const i = spareBuffers.findIndex((b) => b.length >= size);
  return i >= 0 ? spareBuffers.splice(i, 1)[0]! : Buffer.allocUnsafe(size);
}

function giveBack(buffer: Buffer): void {
  if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(buffer);
  else {
    // Keep the largest ones.
    const smallest = spareBuffers.reduce(
      (m, b, i) => (b.length < spareBuffers[m]!.length ? i : m),
      0,
    );
    if (spareBuffers[smallest]!.length < buffer.length) spareBuffers[smallest] = buffer;
  }
}
