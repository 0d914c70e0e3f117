import { MalformedPackageError, NotAPackageError } from '../errors.js';
import type { FileSegment } from '../io/hash-plan.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import {
  loadFat,
  MiniAllocation,
  readExact,
  readSectorsAsU32,
  type SectorAllocation,
} from './allocation.js';
import {
  ENDOFCHAIN,
  HEADER_SIZE,
  MAX_DIRECTORY_BYTES,
  MINI_SECTOR_SIZE,
  MINI_STREAM_CUTOFF,
} from './constants.js';
import { buildDirectoryTree, type DirectoryTree, type ParsedEntry } from './directory.js';
import { Extents } from './extents.js';
import { parseHeader, type CfbHeader } from './header.js';
import type { CompoundFile, DirectoryEntry } from './types.js';

/** Default size limit of {@link CompoundFile.readStream}. */
export const DEFAULT_MAX_STREAM_BYTES = 64 * 1024 * 1024;
/** Default chunk size of {@link CompoundFile.streamChunks}: a multiple of both sector sizes. */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/**
 * Opens a compound file for random access (docs/formats.md §1). The header, FAT, DIFAT, mini FAT,
 * directory tree and every reachable stream's sector chain are validated here, so a damaged file
 * is reported on open; stream contents are read on demand, never the whole file.
 *
 * Throws NotAPackageError when the file is not a compound file, MalformedPackageError when it
 * is a damaged one.
 */
export async function openCompoundFile(source: RandomAccessSource): Promise<CompoundFile> {
  if (source.size < HEADER_SIZE) {
    throw new NotAPackageError(
      `file is ${source.size} bytes, shorter than a ${HEADER_SIZE}-byte compound file header`,
    );
  }
  const headerBytes = new Uint8Array(HEADER_SIZE);
  await readExact(source, headerBytes, 0, HEADER_SIZE, 0, 'compound file header');
  const header = parseHeader(headerBytes);
  const ss = header.sectorSize;
  // Header, one FAT sector and one directory sector at least (docs/formats.md §1.8). The last
  // sector may be short: some writers do not pad it.
  if (source.size <= 2 * ss) {
    throw new MalformedPackageError(
      `file is ${source.size} bytes, too short for a compound file with ${ss}-byte sectors`,
    );
  }

  const warnings: string[] = [];
  if (header.minorVersion !== 0x3e) {
    warnings.push(`minor version is 0x${header.minorVersion.toString(16)}, not 0x3e`);
  }
  const allocation = await loadFat(source, header, warnings);

  const directory = await readDirectory(source, header, allocation, warnings);
  const tree = buildDirectoryTree(directory, header.majorVersion);
  if (tree.root.name !== 'Root Entry') {
    warnings.push(`root entry is named ${JSON.stringify(tree.root.name)}, not "Root Entry"`);
  }

  const mini = await loadMiniAllocation(source, header, allocation, tree.root);

  const extents = new Map<number, Extents>();
  let longChains = 0;
  let totalContent = 0;
  for (const entry of tree.entries) {
    if (entry.kind !== 'stream') continue;
    const what = `stream ${JSON.stringify(entry.name)} (entry ${entry.sid})`;
    if (entry.size < MINI_STREAM_CUTOFF) {
      extents.set(entry.sid, mini.chain(entry.startSector, entry.size, what));
    } else {
      const chain = allocation.chain(entry.startSector, entry.size, what);
      if (chain.longerThanNeeded) longChains++;
      extents.set(entry.sid, chain.extents);
    }
    // Chains own their sectors exclusively (allocation.ts), so the streams' content cannot
    // exceed the file; checked here too so that no later change can reopen issue 20, item 1.
    totalContent += entry.size;
    if (totalContent > source.size) {
      throw new MalformedPackageError(
        `the streams declare ${totalContent} bytes or more in a ${source.size}-byte file`,
      );
    }
  }
  if (longChains > 0) {
    warnings.push(`${longChains} stream(s) have sector chains longer than their declared size`);
  }

  return new CompoundFileReader(
    source,
    header,
    tree,
    extents,
    allocation.trailingBytes(),
    warnings,
  );
}

async function readExtents(
  source: RandomAccessSource,
  extents: Extents,
  target: Uint8Array,
  what: string,
): Promise<void> {
  for (let i = 0; i < extents.count; i++) {
    await readExact(
      source,
      target,
      extents.streamPositions[i]!,
      extents.lengths[i]!,
      extents.fileOffsets[i]!,
      what,
    );
  }
}

async function readDirectory(
  source: RandomAccessSource,
  header: CfbHeader,
  allocation: SectorAllocation,
  warnings: string[],
): Promise<Uint8Array> {
  const chain = allocation.chain(header.firstDirectorySector, null, 'directory');
  const byteLength = chain.sectorsWalked * header.sectorSize;
  if (byteLength === 0) throw new MalformedPackageError('the directory chain is empty');
  if (byteLength > MAX_DIRECTORY_BYTES) {
    throw new MalformedPackageError(
      `the directory is ${byteLength} bytes, more than the ${MAX_DIRECTORY_BYTES}-byte limit`,
    );
  }
  if (header.majorVersion === 3 && header.directorySectorCount !== 0) {
    warnings.push(
      `v3 header declares ${header.directorySectorCount} directory sectors (must be 0)`,
    );
  }
  if (header.majorVersion === 4 && header.directorySectorCount !== chain.sectorsWalked) {
    // Windows Installer reads only the declared count (jsign#88): entries past it are
    // invisible to Windows.
    warnings.push(
      `header declares ${header.directorySectorCount} directory sectors but the chain has ${chain.sectorsWalked}`,
    );
  }
  const directory = new Uint8Array(byteLength);
  await readExtents(source, chain.extents, directory, 'directory');
  return directory;
}

async function loadMiniAllocation(
  source: RandomAccessSource,
  header: CfbHeader,
  allocation: SectorAllocation,
  root: ParsedEntry,
): Promise<MiniAllocation> {
  const container = allocation.chain(root.startSector, root.size, 'mini stream').extents;
  // Only the part of the mini FAT that describes the mini stream is ever useful.
  const usefulEntries = Math.ceil(root.size / MINI_SECTOR_SIZE);
  const usefulSectors = Math.ceil((usefulEntries * 4) / header.sectorSize);
  const sectorsToRead = Math.min(header.miniFatSectorCount, usefulSectors);
  let miniFat: Uint32Array = new Uint32Array(0);
  if (sectorsToRead > 0) {
    if (header.firstMiniFatSector === ENDOFCHAIN) {
      throw new MalformedPackageError(
        `header declares ${header.miniFatSectorCount} mini FAT sectors but no first mini FAT sector`,
      );
    }
    const chain = allocation.chain(
      header.firstMiniFatSector,
      sectorsToRead * header.sectorSize,
      'mini FAT',
      true,
    );
    miniFat = await readSectorsAsU32(source, chain.sectors, header.sectorSize, 'mini FAT sector');
  }
  return new MiniAllocation(miniFat, container);
}

class CompoundFileReader implements CompoundFile {
  readonly version: 3 | 4;
  readonly sectorSize: 512 | 4096;
  readonly fileSize: number;
  readonly root: DirectoryEntry;
  private readonly known: ReadonlySet<DirectoryEntry>;

  constructor(
    private readonly source: RandomAccessSource,
    private readonly header: CfbHeader,
    private readonly tree: DirectoryTree,
    private readonly extents: ReadonlyMap<number, Extents>,
    readonly trailingBytes: number,
    readonly warnings: readonly string[],
  ) {
    this.version = header.majorVersion;
    this.sectorSize = header.sectorSize;
    this.fileSize = source.size;
    this.root = tree.root;
    this.known = new Set<DirectoryEntry>(tree.entries);
  }

  through(source: RandomAccessSource): CompoundFile {
    if (source.size !== this.fileSize) {
      throw new RangeError(
        `a ${source.size}-byte source is not this ${this.fileSize}-byte compound file`,
      );
    }
    return new CompoundFileReader(
      source,
      this.header,
      this.tree,
      this.extents,
      this.trailingBytes,
      this.warnings,
    );
  }

  children(storage: DirectoryEntry): readonly DirectoryEntry[] {
    this.own(storage);
    return this.tree.children.get(storage.sid) ?? [];
  }

  child(storage: DirectoryEntry, name: string): DirectoryEntry | undefined {
    this.own(storage);
    return this.tree.childByName.get(storage.sid)?.get(name);
  }

  async readStream(entry: DirectoryEntry, maxBytes = DEFAULT_MAX_STREAM_BYTES): Promise<Buffer> {
    const extents = this.streamExtents(entry);
    if (entry.size > maxBytes) {
      throw new MalformedPackageError(
        `stream ${JSON.stringify(entry.name)} is ${entry.size} bytes, more than the ${maxBytes}-byte limit`,
      );
    }
    const buffer = Buffer.allocUnsafe(entry.size);
    await readExtents(this.source, extents, buffer, `stream ${JSON.stringify(entry.name)}`);
    return buffer;
  }

  async readStreamRange(entry: DirectoryEntry, position: number, length: number): Promise<Buffer> {
    // Checked before allocating: the length may come from the file.
    if (
      !Number.isSafeInteger(position) ||
      !Number.isSafeInteger(length) ||
      position < 0 ||
      length < 0 ||
      position + length > entry.size
    ) {
      throw new MalformedPackageError(
        `read of ${length} bytes at ${position} is outside the ${entry.size}-byte stream ${JSON.stringify(entry.name)}`,
      );
    }
    const buffer = Buffer.allocUnsafe(length);
    await this.readStreamRangeInto(entry, buffer, 0, length, position);
    return buffer;
  }

  async readStreamRangeInto(
    entry: DirectoryEntry,
    target: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<void> {
    const extents = this.streamExtents(entry);
    if (
      !Number.isSafeInteger(position) ||
      !Number.isSafeInteger(length) ||
      position < 0 ||
      length < 0 ||
      position + length > entry.size ||
      !Number.isSafeInteger(offset) ||
      offset < 0 ||
      offset + length > target.length
    ) {
      throw new MalformedPackageError(
        `read of ${length} bytes at ${position} is outside the ${entry.size}-byte stream ${JSON.stringify(entry.name)}`,
      );
    }
    if (length === 0) return;
    const what = `stream ${JSON.stringify(entry.name)}`;
    let done = 0;
    for (let i = extents.indexOf(position); done < length; i++) {
      const skip = position + done - extents.streamPositions[i]!;
      const take = Math.min(extents.lengths[i]! - skip, length - done);
      await readExact(
        this.source,
        target,
        offset + done,
        take,
        extents.fileOffsets[i]! + skip,
        what,
      );
      done += take;
    }
  }

  async *streamChunks(
    entry: DirectoryEntry,
    chunkSize = DEFAULT_CHUNK_BYTES,
  ): AsyncIterable<Uint8Array> {
    const extents = this.streamExtents(entry);
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
      throw new RangeError(`chunk size ${chunkSize} is not a positive integer`);
    }
    if (entry.size === 0) return;
    const what = `stream ${JSON.stringify(entry.name)}`;
    const source = this.source;
    // Two buffers: the next chunk is read into one while the caller consumes the other (the
    // caller hashes each view before asking for the next, so a buffer is free once it asks).
    const size = Math.min(chunkSize, entry.size);
    const buffers = [new Uint8Array(size), new Uint8Array(size)] as const;
    let extent = 0;
    let done = 0; // bytes of the current extent already read
    const fill = async (buffer: Uint8Array): Promise<number> => {
      let filled = 0;
      while (filled < buffer.length && extent < extents.count) {
        const length = extents.lengths[extent]!;
        const take = Math.min(length - done, buffer.length - filled);
        await readExact(source, buffer, filled, take, extents.fileOffsets[extent]! + done, what);
        done += take;
        filled += take;
        if (done === length) {
          extent++;
          done = 0;
        }
      }
      return filled;
    };
    // Settled at once so that a failed read-ahead is never an unhandled rejection while the
    // caller holds the previous chunk; it is rethrown when the caller asks for the next one.
    const settle = (buffer: Uint8Array) =>
      fill(buffer).then(
        (filled) => ({ filled, error: undefined }),
        (error: unknown) => ({ filled: 0, error }),
      );
    let index = 0;
    let pending = settle(buffers[0]);
    try {
      while (true) {
        const { filled, error } = await pending;
        if (error !== undefined) throw error;
        if (filled === 0) return;
        const current = buffers[index]!;
        index ^= 1;
        pending = settle(extent < extents.count ? buffers[index]! : new Uint8Array(0));
        yield filled === current.length ? current : current.subarray(0, filled);
      }
    } finally {
      // An abandoned iteration still waits for its read-ahead: no read into a dropped buffer.
      await pending;
    }
  }

  /** Where the stream's bytes lie in the file, in stream order (for hashing by plan). */
  fileSegments(entry: DirectoryEntry): FileSegment[] {
    const extents = this.streamExtents(entry);
    const what = `stream ${JSON.stringify(entry.name)}`;
    const segments: FileSegment[] = [];
    for (let i = 0; i < extents.count; i++) {
      segments.push({ offset: extents.fileOffsets[i]!, length: extents.lengths[i]!, what });
    }
    return segments;
  }

  private own(entry: DirectoryEntry): void {
    if (!this.known.has(entry)) {
      throw new TypeError(`directory entry ${entry.sid} does not belong to this compound file`);
    }
  }

  private streamExtents(entry: DirectoryEntry): Extents {
    const extents = this.extents.get(entry.sid);
    if (extents === undefined || !this.known.has(entry)) {
      throw new TypeError(`directory entry ${entry.sid} is not a stream of this compound file`);
    }
    return extents;
  }
}
