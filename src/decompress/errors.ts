/**
 * What can be wrong with compressed data. A decoder never returns partial garbage: it throws a
 * {@link DecompressionError} naming the reason, and the payload walk turns it into a finding.
 */
import { MalformedPackageError } from '../errors.js';

export type DecompressionFailure =
  /** The block ends before the decoder has produced the size the container declared. */
  | 'truncated'
  /** Code lengths that do not form a complete prefix code (or a symbol from an empty tree). */
  | 'bad-huffman-table'
  /** An LZX block type other than verbatim (1), aligned offset (2) or uncompressed (3). */
  | 'bad-block-type'
  /** A match that reaches back before the first byte decoded since the last reset. */
  | 'match-before-window'
  /** A match that runs past the end of its block or of the output frame. */
  | 'match-past-block'
  /** The data decodes to more or fewer bytes than the container declared. */
  | 'size-mismatch'
  /** An MSZIP block without its "CK" signature. */
  | 'bad-signature'
  /** Deflate data that zlib rejects (bad block type, bad distance, bad code lengths). */
  | 'bad-deflate-data'
  /** An LZX window size outside 2^15..2^21, or frames that contradict the 32 KiB framing. */
  | 'bad-parameters';

export class DecompressionError extends MalformedPackageError {
  constructor(
    readonly reason: DecompressionFailure,
    message: string,
  ) {
    super(message);
    this.name = 'DecompressionError';
  }
}
