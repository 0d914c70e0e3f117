import type { RandomAccessSource } from '../io/random-access-file.js';
/**
 * The compound file (CFB) contract the rest of the library codes against. docs/formats.md §1, §9.
 * Implemented by the streaming reader in ./reader.ts (positional reads, never the whole file).
 */
import type { FileSegment } from '../io/hash-plan.js';

export type EntryKind = 'root' | 'storage' | 'stream';

export interface DirectoryEntry {
  /** Index in the directory (stream ID). */
  readonly sid: number;
  /** Raw stored name as a JS string of UTF-16 code units (MSI-mangled, not decoded). */
  readonly name: string;
  /** UTF-16LE bytes of the name without the NUL terminator: sort key (§5.3) and pre-hash input (§5.4). */
  readonly nameBytes: Uint8Array;
  readonly kind: EntryKind;
  /** 16 raw bytes at entry offset 0x50. */
  readonly clsid: Uint8Array;
  /** 4 raw bytes at 0x60. */
  readonly stateBits: Uint8Array;
  /** 8 raw FILETIME bytes at 0x64 and 0x6C. */
  readonly creationTime: Uint8Array;
  readonly modifiedTime: Uint8Array;
  /** Stream size in bytes (v3: high 32 bits ignored, §1.5). 0 for storages. For the root: mini stream size. */
  readonly size: number;
  readonly startSector: number;
}

export interface CompoundFile {
  /**
   * The same compound file, its structure parsed once, read through another source of the same
   * bytes: the payload walk reads the artifact through its own guarded source, and opening it
   * again cost a small package's parse a second time (issue 19).
   */
  through(source: RandomAccessSource): CompoundFile;
  readonly version: 3 | 4;
  readonly sectorSize: 512 | 4096;
  readonly fileSize: number;
  readonly root: DirectoryEntry;
  /**
   * Children of a storage (or the root), validated: no cycles, no entry under two parents,
   * no out-of-range IDs. Order is unspecified (callers sort as they need).
   */
  children(storage: DirectoryEntry): readonly DirectoryEntry[];
  /** Child of `storage` with exactly this raw name. */
  child(storage: DirectoryEntry, name: string): DirectoryEntry | undefined;
  /**
   * Whole stream in memory. Only for small streams (tables, string pool, signature):
   * throws MalformedPackageError when the stream is larger than `maxBytes` (default 64 MiB).
   */
  readStream(entry: DirectoryEntry, maxBytes?: number): Promise<Buffer>;
  /** `length` bytes from `position` inside the stream. */
  readStreamRange(entry: DirectoryEntry, position: number, length: number): Promise<Buffer>;
  /** The same bytes, read into `target` at `offset` (no allocation). */
  readStreamRangeInto(
    entry: DirectoryEntry,
    target: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<void>;
  /**
   * The stream's bytes in order, in chunks of at most `chunkSize`. A yielded chunk may be a
   * view into a reused buffer: consume it (e.g. hash it) before asking for the next one.
   */
  streamChunks(entry: DirectoryEntry, chunkSize?: number): AsyncIterable<Uint8Array>;
  /**
   * Where the stream's bytes lie in the file, in stream order, so that a caller can hash them
   * by plan (src/io/hash-plan.ts), possibly on another thread. Optional: in-memory doubles
   * need not have it, and callers then use {@link streamChunks}.
   */
  fileSegments?(entry: DirectoryEntry): readonly FileSegment[];
  /**
   * Bytes in the file after the end of the last sector the FAT marks as used (§1.8).
   * 0 for a compact file.
   */
  readonly trailingBytes: number;
  /**
   * Oddities that do not stop reading but that a Windows-mirroring verifier may want to report:
   * a v4 directory-sector count that differs from the directory chain (Windows Installer reads
   * only the declared count, docs/formats.md §1.9 rule 1), chains longer than their stream, a
   * non-standard minor version or root name. Plain sentences; may quote file-controlled text.
   * Always present on files from `openCompoundFile`; optional so that test doubles need not set it.
   */
  readonly warnings?: readonly string[];
}
