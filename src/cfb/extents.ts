/**
 * Where a stream's bytes lie in the file: runs of contiguous file bytes in stream order.
 * docs/formats.md §1.7.
 */
export class Extents {
  private constructor(
    /** File offset of each run. */
    readonly fileOffsets: Float64Array,
    /** Length in bytes of each run. */
    readonly lengths: Float64Array,
    /** Stream position at which each run starts (cumulative lengths). */
    readonly streamPositions: Float64Array,
    /** Total bytes covered. */
    readonly totalLength: number,
  ) {}

  static readonly empty = new Extents(
    new Float64Array(0),
    new Float64Array(0),
    new Float64Array(0),
    0,
  );

  get count(): number {
    return this.fileOffsets.length;
  }

  /** Index of the run holding stream position `position` (0 ≤ position < totalLength). */
  indexOf(position: number): number {
    let low = 0;
    let high = this.streamPositions.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.streamPositions[middle]! <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** File offset of stream position `position` (0 ≤ position < totalLength). */
  fileOffsetOf(position: number): number {
    const index = this.indexOf(position);
    return this.fileOffsets[index]! + (position - this.streamPositions[index]!);
  }

  static builder(): ExtentsBuilder {
    return new ExtentsBuilder();
  }

  /** @internal used by the builder */
  static fromArrays(fileOffsets: number[], lengths: number[]): Extents {
    const positions = new Float64Array(lengths.length);
    let total = 0;
    for (let i = 0; i < lengths.length; i++) {
      positions[i] = total;
      total += lengths[i]!;
    }
    return new Extents(
      Float64Array.from(fileOffsets),
      Float64Array.from(lengths),
      positions,
      total,
    );
  }
}

/** Accumulates pieces in stream order, merging a piece into the previous run when it follows it. */
export class ExtentsBuilder {
  private readonly fileOffsets: number[] = [];
  private readonly lengths: number[] = [];

  add(fileOffset: number, length: number): void {
    if (length <= 0) return;
    const last = this.lengths.length - 1;
    if (last >= 0 && this.fileOffsets[last]! + this.lengths[last]! === fileOffset) {
      this.lengths[last] = this.lengths[last]! + length;
    } else {
      this.fileOffsets.push(fileOffset);
      this.lengths.push(length);
    }
  }

  build(): Extents {
    return this.lengths.length === 0
      ? Extents.empty
      : Extents.fromArrays(this.fileOffsets, this.lengths);
  }
}
