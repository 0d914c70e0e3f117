/**
 * Decoders for the compression methods of cabinet folders: streaming one CFDATA block at a
 * time, bounded, with no knowledge of the files a folder holds.
 */
import { DecompressionError } from './errors.js';
import { LzxDecoder } from './lzx.js';
import { MszipDecoder } from './mszip.js';

export { DecompressionError, type DecompressionFailure } from './errors.js';
export { LzxDecoder, LZX_FRAME_SIZE, undoE8Translation } from './lzx.js';
export { MszipDecoder } from './mszip.js';

/** Largest uncompressed size of one CFDATA block ([MS-CAB] 2.5: cbUncomp ≤ 32768). */
export const MAX_BLOCK_OUTPUT = 32_768;

/** One folder's decoder: call it with each CFDATA block in order. */
export interface FolderDecoder {
  /** Decodes one block into exactly `outputSize` bytes; the view is valid until the next call. */
  decodeFrame(input: Uint8Array, outputSize: number): Uint8Array;
}

/** Stored data (typeCompress 0): every block is its own output. */
class StoredDecoder implements FolderDecoder {
  decodeFrame(input: Uint8Array, outputSize: number): Uint8Array {
    if (input.length !== outputSize || outputSize > MAX_BLOCK_OUTPUT) {
      throw new DecompressionError(
        'size-mismatch',
        `a stored block of ${input.length} bytes declares ${outputSize} uncompressed bytes`,
      );
    }
    return input;
  }
}

export type FolderCompression =
  | { readonly method: 'none' }
  | { readonly method: 'mszip' }
  | { readonly method: 'lzx'; readonly windowBits: number };

/** A fresh decoder (a folder's start is the reset point of every method). */
export function createFolderDecoder(compression: FolderCompression): FolderDecoder {
  switch (compression.method) {
    case 'none':
      return new StoredDecoder();
    case 'mszip':
      return new MszipDecoder();
    case 'lzx':
      return new LzxDecoder(compression.windowBits);
  }
}
