import { MalformedPackageError } from '../errors.js';
import type { RandomAccessSource } from '../io/random-access-file.js';

/** Size of each positional read the header parser makes: bounded regardless of declared counts. */
const WINDOW_BYTES = 64 * 1024;

/**
 * Sequential little-endian reads over one region `[start, limit)` of a source, fetched in
 * windows of at most 64 KiB. Every read that would cross `limit` becomes a
 * {@link MalformedPackageError} naming `what`, so a lying count or offset surfaces as a typed
 * error instead of a read past the structure the file declared.
 */
export class RegionReader {
  private window: Buffer = Buffer.alloc(0);
  private windowStart: number;
  private cursor: number;

  constructor(
    private readonly source: RandomAccessSource,
    start: number,
    private readonly limit: number,
  ) {
    this.windowStart = start;
    this.cursor = start;
  }

  /** Absolute file offset of the next byte to be read. */
  get position(): number {
    return this.cursor;
  }

  async u8(what: string): Promise<number> {
    await this.ensure(1, what);
    return this.window[this.cursor++ - this.windowStart]!;
  }

  async u16(what: string): Promise<number> {
    await this.ensure(2, what);
    const value = this.window.readUInt16LE(this.cursor - this.windowStart);
    this.cursor += 2;
    return value;
  }

  async u32(what: string): Promise<number> {
    await this.ensure(4, what);
    const value = this.window.readUInt32LE(this.cursor - this.windowStart);
    this.cursor += 4;
    return value;
  }

  /** `length` bytes as a copy (callers keep them; the window is reused). */
  async bytes(length: number, what: string): Promise<Buffer> {
    await this.ensure(length, what);
    const start = this.cursor - this.windowStart;
    this.cursor += length;
    return Buffer.from(this.window.subarray(start, start + length));
  }

  /**
   * A NUL-terminated string of at most `maxLength` bytes before the NUL. Returns a copy of the
   * bytes without the NUL; the cursor moves past the NUL.
   */
  async cString(maxLength: number, what: string): Promise<Buffer> {
    const start = this.cursor;
    // Bring the longest permitted string into the window at once, so the scan below never
    // straddles a refill.
    const available = Math.min(maxLength + 1, this.limit - start);
    if (available <= 0)
      throw new MalformedPackageError(`cabinet: ${what} at offset ${start} is missing`);
    await this.ensure(available, what);
    const relative = start - this.windowStart;
    const nul = this.window.subarray(relative, relative + available).indexOf(0);
    if (nul < 0) {
      throw new MalformedPackageError(
        available > maxLength
          ? `cabinet: ${what} at offset ${start} is longer than ${maxLength} bytes`
          : `cabinet: ${what} at offset ${start} is not NUL-terminated`,
      );
    }
    this.cursor = start + nul + 1;
    return Buffer.from(this.window.subarray(relative, relative + nul));
  }

  private async ensure(length: number, what: string): Promise<void> {
    if (this.cursor + length > this.limit) {
      throw new MalformedPackageError(
        `cabinet: ${what} at offset ${this.cursor} runs past the end of its region (offset ${this.limit})`,
      );
    }
    const end = this.windowStart + this.window.length;
    if (this.cursor >= this.windowStart && this.cursor + length <= end) return;
    const readLength = Math.min(Math.max(length, WINDOW_BYTES), this.limit - this.cursor);
    this.window = await this.source.read(this.cursor, readLength);
    this.windowStart = this.cursor;
  }
}
