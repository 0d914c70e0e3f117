import type { RandomAccessSource } from './random-access-file.js';

/**
 * A {@link RandomAccessSource} that reports every successful read's length to `onBytes`, for
 * progress displays. The callback runs after the bytes arrived, so a failing read is not counted.
 */
export function countReads(
  source: RandomAccessSource,
  onBytes: (bytes: number) => void,
): RandomAccessSource {
  return {
    get size() {
      return source.size;
    },
    async read(position, length) {
      const bytes = await source.read(position, length);
      onBytes(length);
      return bytes;
    },
    async readInto(target, offset, length, position) {
      await source.readInto(target, offset, length, position);
      onBytes(length);
    },
    close: () => source.close(),
  };
}
