/**
 * Streams the §6.3 ranges through one hash per algorithm: one read of the cabinet however many
 * (nested) signatures need checking. formats.md §6.6 step 4.
 */
import { MultiHash, type DigestAlgorithm } from '../digest.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import { cabDigestRanges, type ByteRange, type CabDigestLayout } from './digest-ranges.js';

/** Size of the single buffer reused for every read. */
export const DIGEST_READ_BYTES = 1024 * 1024;

/**
 * The cabinet's Authenticode content digest for each algorithm (formats.md §6.3), from a
 * parsed header or an opened cabinet (`openCabinet`).
 */
export async function cabContentDigests(
  source: RandomAccessSource,
  cabinet: CabDigestLayout | { readonly header: CabDigestLayout },
  algorithms: Iterable<DigestAlgorithm>,
): Promise<Map<DigestAlgorithm, Buffer>> {
  const header = 'header' in cabinet ? cabinet.header : cabinet;
  return hashFileRanges(source, cabDigestRanges(header), algorithms);
}

/**
 * Hashes `ranges` of `source`, in order, with each algorithm, in one pass through a single
 * reused buffer of at most {@link DIGEST_READ_BYTES}.
 */
export async function hashFileRanges(
  source: RandomAccessSource,
  ranges: readonly ByteRange[],
  algorithms: Iterable<DigestAlgorithm>,
): Promise<Map<DigestAlgorithm, Buffer>> {
  const hash = new MultiHash(algorithms);
  const largest = ranges.reduce((max, r) => Math.max(max, r.length), 0);
  const buffer = Buffer.allocUnsafe(Math.min(DIGEST_READ_BYTES, Math.max(largest, 1)));
  for (const { offset, length } of ranges) {
    for (let done = 0; done < length;) {
      const chunk = Math.min(buffer.length, length - done);
      await source.readInto(buffer, 0, chunk, offset + done);
      // Hash.update consumes the bytes synchronously, so the buffer can be reused at once.
      hash.update(buffer.subarray(0, chunk));
      done += chunk;
    }
  }
  return hash.digest();
}
