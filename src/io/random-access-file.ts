import { closeSync, constants, fstatSync, openSync, read as fsRead, readSync } from 'node:fs';

/**
 * A file read by position only. Every reader in the verification path goes through this so
 * that no file is ever loaded whole: callers ask for the bytes they need and get exactly those.
 */
export interface RandomAccessSource {
  /** Size in bytes when opened. */
  readonly size: number;
  /**
   * Reads exactly `length` bytes at `position` into a fresh buffer.
   * Throws {@link ReadPastEndError} when the range is not inside the file.
   */
  read(position: number, length: number): Promise<Buffer>;
  /**
   * Reads exactly `length` bytes at `position` into `target` at `offset` (no allocation).
   * Throws {@link ReadPastEndError} when the range is not inside the file.
   */
  readInto(target: Uint8Array, offset: number, length: number, position: number): Promise<void>;
  close(): Promise<void>;
}

/** A read that would reach outside the file: the file lies about its own layout. */
export class ReadPastEndError extends Error {
  constructor(
    readonly position: number,
    readonly length: number,
    readonly size: number,
  ) {
    super(`read of ${length} bytes at offset ${position} is outside the ${size}-byte file`);
    this.name = 'ReadPastEndError';
  }
}

function checkRange(position: number, length: number, size: number): void {
  if (
    !Number.isSafeInteger(position) ||
    !Number.isSafeInteger(length) ||
    position < 0 ||
    length < 0 ||
    position + length > size
  ) {
    throw new ReadPastEndError(position, length, size);
  }
}

/**
 * The exact-length read loop every file-backed source shares: a positional read may return
 * fewer bytes than asked, and a read of 0 bytes means the file shrank after it was opened.
 */
abstract class PositionalSource implements RandomAccessSource {
  abstract readonly size: number;

  /** One positional read; returns how many bytes it read. */
  protected abstract readSome(
    target: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<number>;

  /** Called with the length of every completed read. */
  protected abstract counted(length: number): void;

  async read(position: number, length: number): Promise<Buffer> {
    checkRange(position, length, this.size);
    const buffer = Buffer.allocUnsafe(length);
    await this.readInto(buffer, 0, length, position);
    return buffer;
  }

  async readInto(
    target: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<void> {
    checkRange(position, length, this.size);
    let done = 0;
    while (done < length) {
      const bytesRead = await this.readSome(target, offset + done, length - done, position + done);
      // The file shrank under us after open(): treat as a lie about the layout.
      if (bytesRead === 0) throw new ReadPastEndError(position + done, length - done, this.size);
      done += bytesRead;
    }
    this.counted(length);
  }

  abstract close(): Promise<void>;
}

/**
 * Largest file {@link RandomAccessFile.open} will read whole on request: a small installer is
 * cheaper as one read than as the dozens of small positional reads its parsers issue (each a
 * round trip through libuv's thread pool), but memory must stay bounded however the option is set.
 */
export const MAX_PRELOAD_BYTES = 16 * 1024 * 1024;

/** Read-only, and without waiting for a FIFO's writer where the system can (RandomAccessFile.open). */
const OPEN_FLAGS =
  constants.O_NONBLOCK === undefined
    ? constants.O_RDONLY
    : constants.O_RDONLY | constants.O_NONBLOCK;

/** Whether {@link RandomAccessFile.open} can be given any path without blocking on a FIFO. */
export const OPEN_NEVER_BLOCKS = constants.O_NONBLOCK !== undefined;

/** The path names a directory, FIFO, socket or device: it was not read. */
export class NotARegularFileError extends Error {
  constructor() {
    super('not a regular file (a directory, FIFO, socket or device); nothing was read');
    this.name = 'NotARegularFileError';
  }
}

/** Reads up to this many bytes are made synchronously (RandomAccessFile.readSome). */
const SYNC_READ_MAX = 256 * 1024;

export interface OpenOptions {
  /**
   * Read the file whole, in one read at open, when it is at most this many bytes (capped at
   * {@link MAX_PRELOAD_BYTES}); every later read is then served from that buffer. Larger files
   * are read by position as usual.
   */
  preloadBytes?: number;
}

/**
 * A {@link RandomAccessSource} over a file on disk, using positional reads.
 *
 * Opened, checked and (when small) read whole with synchronous calls, and read by position
 * synchronously up to {@link SYNC_READ_MAX} bytes: from the page cache, where a build's fresh
 * artifacts are, each call costs microseconds this way and 50-80 µs as a round trip through
 * libuv's thread pool, and verifying a small package is a few dozen of them (BENCHMARKS.md,
 * issue 19). The file is a regular file (checked at open), so no call can wait on a writer;
 * large reads (hashing without a worker) stay asynchronous.
 */
export class RandomAccessFile extends PositionalSource {
  private closed = false;

  private constructor(
    private readonly descriptor: number,
    readonly size: number,
    /** The whole file, when it was small enough to read at open (OpenOptions.preloadBytes). */
    private readonly preloaded: Buffer | null,
    /** Running total of bytes read, for progress reporting and benchmarks. */
    public bytesRead = 0,
  ) {
    super();
  }

  /**
   * Opens a regular file; anything else (a directory, FIFO, socket or device) is closed unread
   * and refused with {@link NotARegularFileError}. Where the system has O_NONBLOCK, opening a
   * FIFO with it returns at once instead of waiting for a writer, so no stat() is needed first;
   * it changes nothing for reads of a regular file. Elsewhere (Windows) the caller checks the
   * path before opening. Errors are those of fs.promises.open (ENOENT, EACCES, ...).
   */
  static async open(path: string, options: OpenOptions = {}): Promise<RandomAccessFile> {
    const limit = Math.min(options.preloadBytes ?? 0, MAX_PRELOAD_BYTES);
    const fd = openSync(path, OPEN_FLAGS);
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new NotARegularFileError();
      let preloaded: Buffer | null = null;
      if (stat.size > 0 && stat.size <= limit) {
        preloaded = Buffer.allocUnsafe(stat.size);
        let done = 0;
        while (done < stat.size) {
          const bytesRead = readSync(fd, preloaded, done, stat.size - done, done);
          // The file shrank between stat and read: the same lie a later short read reports.
          if (bytesRead === 0) throw new ReadPastEndError(done, stat.size - done, stat.size);
          done += bytesRead;
        }
      }
      return new RandomAccessFile(fd, stat.size, preloaded);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Whether the file was read whole at open (reads no longer touch the disk). */
  get isPreloaded(): boolean {
    return this.preloaded !== null;
  }

  protected async readSome(
    target: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<number> {
    // A descriptor number is reused once closed: a late read must not reach another file.
    if (this.closed) throw new Error('read from a closed file');
    if (this.preloaded) {
      // checkRange has already confined the range to the file, so the copy is exact.
      target.set(this.preloaded.subarray(position, position + length), offset);
      return length;
    }
    if (length <= SYNC_READ_MAX) return readSync(this.descriptor, target, offset, length, position);
    return new Promise<number>((resolve, reject) =>
      fsRead(this.descriptor, target, offset, length, position, (error, n) =>
        error ? reject(error) : resolve(n),
      ),
    );
  }

  protected counted(length: number): void {
    this.bytesRead += length;
  }

  /** The open file descriptor, for a worker thread of this process to read by position. */
  get fd(): number {
    return this.descriptor;
  }

  /** Closes the file; closing it again does nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.descriptor);
  }
}

/**
 * A {@link RandomAccessSource} over a file descriptor that someone else opened and will close
 * (a worker thread reading the main thread's {@link RandomAccessFile}). Positional reads only,
 * so sharing the descriptor is safe; {@link close} does not close it.
 */
export class BorrowedFileSource extends PositionalSource {
  constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly onBytes?: (bytes: number) => void,
  ) {
    super();
  }

  protected readSome(
    target: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<number> {
    return new Promise<number>((resolve, reject) =>
      fsRead(this.fd, target, offset, length, position, (error, n) =>
        error ? reject(error) : resolve(n),
      ),
    );
  }

  protected counted(length: number): void {
    this.onBytes?.(length);
  }

  /** The same read, blocking this thread (see hash-plan.ts `preferSync`). */
  readIntoSync(target: Uint8Array, offset: number, length: number, position: number): void {
    checkRange(position, length, this.size);
    let done = 0;
    while (done < length) {
      const bytesRead = readSync(this.fd, target, offset + done, length - done, position + done);
      if (bytesRead === 0) throw new ReadPastEndError(position + done, length - done, this.size);
      done += bytesRead;
    }
    this.onBytes?.(length);
  }

  async close(): Promise<void> {}
}

/** A {@link RandomAccessSource} over bytes already in memory (tests, small embedded data). */
export class MemorySource implements RandomAccessSource {
  constructor(private readonly bytes: Uint8Array) {}

  get size(): number {
    return this.bytes.length;
  }

  async read(position: number, length: number): Promise<Buffer> {
    checkRange(position, length, this.size);
    return Buffer.from(this.bytes.subarray(position, position + length));
  }

  async readInto(
    target: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<void> {
    checkRange(position, length, this.size);
    target.set(this.bytes.subarray(position, position + length), offset);
  }

  async close(): Promise<void> {}
}
