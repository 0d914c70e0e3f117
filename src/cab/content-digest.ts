/**
 * Streams the §6.3 ranges through one hash per algorithm: one read of the cabinet however many
 * (nested) signatures need checking. docs/formats.md §6.6 step 4.
 */
import type { DigestAlgorithm } from '../digest.js';
import { HASH_READ_BYTES, hashSegments, type SegmentHasher } from '../io/hash-plan.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import { cabDigestRanges, type ByteRange, type CabDigestLayout } from './digest-ranges.js';

/** Largest single read of the digest (two buffers of this size are used). */
export const DIGEST_READ_BYTES = HASH_READ_BYTES;

/**
 * The cabinet's Authenticode content digest for each algorithm (docs/formats.md §6.3), from a
 * parsed header or an opened cabinet (`openCabinet`). A `hasher` gets the ranges as a plan
 * (and may hash them on another thread); without one they are hashed here.
 */
export async function cabContentDigests(
  source: RandomAccessSource,
  cabinet: CabDigestLayout | { readonly header: CabDigestLayout },
  algorithms: Iterable<DigestAlgorithm>,
  hasher?: SegmentHasher,
): Promise<Map<DigestAlgorithm, Buffer>> {
  const header = 'header' in cabinet ? cabinet.header : cabinet;
  const ranges = cabDigestRanges(header);
  return hasher ? hasher(ranges, [...algorithms]) : hashFileRanges(source, ranges, algorithms);
}

/**
 * Hashes `ranges` of `source`, in order, with each algorithm, in one pass: large reads into two
 * reused buffers, the next read in flight while the current one is hashed.
 */
export async function hashFileRanges(
  source: RandomAccessSource,
  ranges: readonly ByteRange[],
  algorithms: Iterable<DigestAlgorithm>,
): Promise<Map<DigestAlgorithm, Buffer>> {
  return hashSegments(source, ranges, [...algorithms]);
}
