/**
 * MSZIP ([MS-MCI] "Microsoft ZIP (MSZIP) Compression and Decompression Data Structure"): each
 * CFDATA block is "CK" followed by a complete raw deflate stream (RFC 1951) that decodes to at
 * most 32 KiB and may refer back into the previous block's output, so the last 32 KiB of output
 * is the next block's preset dictionary. Node's zlib does the inflating; this module bounds it
 * (zlib never produces more than the declared block size) and turns zlib's errors into
 * {@link DecompressionError}s.
 */
import { inflateRawSync } from 'node:zlib';
import { DecompressionError } from './errors.js';

export const MSZIP_FRAME_SIZE = 32_768;
const SIGNATURE_0 = 0x43; // 'C'
const SIGNATURE_1 = 0x4b; // 'K'

export class MszipDecoder {
  /** The last (up to) 32 KiB of output: the next block's dictionary. */
  private readonly history = Buffer.alloc(MSZIP_FRAME_SIZE);
  private historyLength = 0;

  decodeFrame(input: Uint8Array, outputSize: number): Uint8Array {
    if (!Number.isInteger(outputSize) || outputSize < 1 || outputSize > MSZIP_FRAME_SIZE) {
      throw new DecompressionError(
        'bad-parameters',
        `an MSZIP block of ${outputSize} bytes (blocks are 1..${MSZIP_FRAME_SIZE} bytes)`,
      );
    }
    if (input.length < 2 || input[0] !== SIGNATURE_0 || input[1] !== SIGNATURE_1) {
      throw new DecompressionError('bad-signature', 'an MSZIP block does not start with "CK"');
    }
    let output: Buffer;
    try {
      output = inflateRawSync(input.subarray(2), {
        maxOutputLength: outputSize,
        ...(this.historyLength > 0
          ? { dictionary: this.history.subarray(MSZIP_FRAME_SIZE - this.historyLength) }
          : {}),
      });
    } catch (error) {
      throw zlibFailure(error, input.length, outputSize);
    }
    if (output.length !== outputSize) {
      throw new DecompressionError(
        'size-mismatch',
        `an MSZIP block decodes to ${output.length} bytes, not the declared ${outputSize}`,
      );
    }
    this.remember(output);
    return output;
  }

  private remember(output: Buffer): void {
    const { history } = this;
    if (output.length >= MSZIP_FRAME_SIZE) {
      output.copy(history, 0, output.length - MSZIP_FRAME_SIZE);
      this.historyLength = MSZIP_FRAME_SIZE;
      return;
    }
    // Shift the kept tail left and append: history is right-aligned.
    history.copy(history, 0, output.length);
    output.copy(history, MSZIP_FRAME_SIZE - output.length);
    this.historyLength = Math.min(MSZIP_FRAME_SIZE, this.historyLength + output.length);
  }
}

function zlibFailure(error: unknown, inputLength: number, outputSize: number): DecompressionError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return new DecompressionError(
      'size-mismatch',
      `an MSZIP block decodes to more than the declared ${outputSize} bytes`,
    );
  }
  if (code === 'Z_BUF_ERROR') {
    return new DecompressionError(
      'truncated',
      `the ${inputLength}-byte MSZIP block ends before its deflate stream does`,
    );
  }
  return new DecompressionError('bad-deflate-data', `MSZIP block: ${message}`);
}
