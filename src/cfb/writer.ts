/**
 * Full-rewrite compound file writer (docs/formats.md §1.9 "Full rewrite"): every stream is laid out
 * again, sequentially, and all allocation tables are generated from scratch, so the output has
 * no free sectors and no trailing bytes.
 *
 * Layout, in sector order: regular streams (each contiguous), the mini stream container, the
 * mini FAT, the directory, the FAT, the DIFAT. Everything is computed before the first byte is
 * written, so the file is produced front to back in one pass and stream contents are copied
 * through in chunks: a multi-gigabyte embedded cabinet never sits in memory.
 *
 * Every entry's raw name, CLSID, state bits and FILETIMEs are written as given: they feed the
 * `MsiDigitalSignatureEx` pre-hash (§5.4, §8.1 item 4).
 */
import { open } from 'node:fs/promises';
import {
  CFB_SIGNATURE,
  DIFSECT,
  DIRECTORY_ENTRY_SIZE,
  ENDOFCHAIN,
  FATSECT,
  FREESECT,
  HEADER_DIFAT_SLOTS,
  HEADER_SIZE,
  MAXREGSECT,
  MINI_SECTOR_SIZE,
  MINI_STREAM_CUTOFF,
  NOSTREAM,
  OBJECT_TYPE_ROOT,
  OBJECT_TYPE_STORAGE,
  OBJECT_TYPE_STREAM,
} from './constants.js';
import type { CompoundFile, DirectoryEntry } from './types.js';

/** A CFB name holds at most 31 UTF-16 code units plus the NUL terminator (§1.5). */
const MAX_NAME_UNITS = 31;
/** Version 3 stream sizes must not exceed this ([MS-CFB] §2.6.3). */
const MAX_V3_STREAM_SIZE = 0x80000000;
/** Output is buffered and written in pieces of this size. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/** The metadata of a directory entry, raw. Absent fields are written as zeros. */
export interface EntryMetadata {
  /** 16 bytes (entry offset 0x50). */
  readonly clsid?: Uint8Array;
  /** 4 bytes (0x60). */
  readonly stateBits?: Uint8Array;
  /** 8-byte FILETIME (0x64). */
  readonly creationTime?: Uint8Array;
  /** 8-byte FILETIME (0x6C). */
  readonly modifiedTime?: Uint8Array;
}

/**
 * The bytes of a stream, produced on demand. `chunks()` must yield exactly `size` bytes; it is
 * called once, while the file is written, and each chunk is copied before the next is asked for
 * (so a source may reuse one buffer, as {@link CompoundFile.streamChunks} does).
 */
export interface StreamContent {
  readonly size: number;
  chunks(): AsyncIterable<Uint8Array>;
}

export interface StreamSpec extends EntryMetadata {
  readonly kind: 'stream';
  /** Raw CFB name (MSI-mangled where applicable): 1..31 UTF-16 code units. */
  readonly name: string;
  readonly content: StreamContent;
}

export interface StorageSpec extends EntryMetadata {
  readonly kind: 'storage';
  readonly name: string;
  readonly children: readonly NodeSpec[];
}

export type NodeSpec = StreamSpec | StorageSpec;

/** The root storage. Its creation time should be zero ([MS-CFB] §2.6.2); it is written as given. */
export interface RootSpec extends EntryMetadata {
  /** Defaults to "Root Entry". */
  readonly name?: string;
  readonly children: readonly NodeSpec[];
}

export interface WriteOptions {
  /**
   * Major version to write (default 3). Version 3 is upgraded to 4 only when it cannot hold the
   * content: a stream larger than 2 GiB or more sectors than 512-byte sector numbers address.
   */
  readonly version?: 3 | 4;
}

export interface WrittenCompoundFile {
  readonly version: 3 | 4;
  /** Bytes written. */
  readonly size: number;
  /** Number of directory entries in use (root included). */
  readonly entryCount: number;
}

/** Where the bytes go, front to back. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** Content already in memory. */
export function bufferContent(bytes: Uint8Array): StreamContent {
  return {
    size: bytes.length,
    async *chunks() {
      if (bytes.length > 0) yield bytes;
    },
  };
}

/** A stream of an open compound file, copied through in chunks when written. */
export function compoundFileStreamContent(cfb: CompoundFile, entry: DirectoryEntry): StreamContent {
  if (entry.kind !== 'stream') throw new TypeError(`entry ${entry.sid} is not a stream`);
  return { size: entry.size, chunks: () => cfb.streamChunks(entry) };
}

/**
 * The whole tree of an open compound file as writer input: every storage and stream with its
 * raw name and metadata, stream contents read lazily from `cfb` while writing.
 */
export function specFromCompoundFile(cfb: CompoundFile): RootSpec {
  const nodes = (storage: DirectoryEntry): NodeSpec[] =>
    cfb.children(storage).map((entry): NodeSpec => {
      const metadata = metadataOf(entry);
      if (entry.kind === 'storage') {
        return { kind: 'storage', name: entry.name, ...metadata, children: nodes(entry) };
      }
      return {
        kind: 'stream',
        name: entry.name,
        ...metadata,
        content: compoundFileStreamContent(cfb, entry),
      };
    });
  return { name: cfb.root.name, ...metadataOf(cfb.root), children: nodes(cfb.root) };
}

function metadataOf(entry: DirectoryEntry): Required<EntryMetadata> {
  return {
    clsid: entry.clsid,
    stateBits: entry.stateBits,
    creationTime: entry.creationTime,
    modifiedTime: entry.modifiedTime,
  };
}

/**
 * The red-black tree order of sibling names ([MS-CFB] §2.6.4): shorter names first; equal
 * lengths compare code unit by code unit after simple upper-casing. Not the Authenticode
 * hashing order (§5.3).
 */
export function compareEntryNames(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const difference = upperUnit(a.charCodeAt(i)) - upperUnit(b.charCodeAt(i));
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Simple (one-to-one) upper-case mapping of one code unit; units without one map to themselves. */
function upperUnit(unit: number): number {
  if (unit < 0x61) return unit;
  if (unit <= 0x7a) return unit - 0x20;
  if (unit < 0x80) return unit;
  const upper = String.fromCharCode(unit).toUpperCase();
  // Full mappings such as ß → SS have no simple equivalent: the unit stays as it is.
  return upper.length === 1 ? upper.charCodeAt(0) : unit;
}

const RED = 0;
const BLACK = 1;

interface PlannedEntry {
  readonly name: string;
  readonly type: number;
  readonly metadata: EntryMetadata;
  readonly content: StreamContent | undefined;
  readonly children: readonly NodeSpec[];
  left: number;
  right: number;
  child: number;
  color: number;
  start: number;
  size: number;
}

/**
 * Links sorted siblings into a balanced binary search tree and colours it as a valid red-black
 * tree: built by midpoints, every NIL link sits at depth ⌊log₂(n+1)⌋ or ⌈log₂(n+1)⌉, so
 * colouring the nodes of the deepest level red (when the levels differ) gives every path the
 * same number of black nodes and no red node a red child. Returns the root SID.
 */
function linkSiblings(entries: PlannedEntry[], sortedSids: readonly number[]): number {
  const n = sortedSids.length;
  if (n === 0) return NOSTREAM;
  const minDepth = Math.floor(Math.log2(n + 1));
  const maxDepth = Math.ceil(Math.log2(n + 1));
  const link = (lo: number, hi: number, depth: number): number => {
    if (lo >= hi) return NOSTREAM;
    const mid = lo + Math.floor((hi - lo) / 2);
    const sid = sortedSids[mid]!;
    const entry = entries[sid]!;
    entry.left = link(lo, mid, depth + 1);
    entry.right = link(mid + 1, hi, depth + 1);
    entry.color = depth === maxDepth && maxDepth !== minDepth ? RED : BLACK;
    return sid;
  };
  return link(0, n, 1);
}

function checkName(name: string, where: string): void {
  if (name.length === 0 || name.length > MAX_NAME_UNITS) {
    throw new RangeError(
      `${where}: name ${JSON.stringify(name)} has ${name.length} code units (must be 1..${MAX_NAME_UNITS})`,
    );
  }
}

function checkBytes(value: Uint8Array | undefined, length: number, what: string): void {
  if (value !== undefined && value.length !== length) {
    throw new RangeError(`${what} is ${value.length} bytes, not ${length}`);
  }
}

/**
 * Directory entries in SID order: the root is 0; each storage's children take a block of
 * consecutive SIDs, in tree order, after their parent.
 */
function planDirectory(root: RootSpec): PlannedEntry[] {
  const entries: PlannedEntry[] = [];
  const add = (
    name: string,
    type: number,
    metadata: EntryMetadata,
    content: StreamContent | undefined,
    children: readonly NodeSpec[],
  ): number => {
    checkBytes(metadata.clsid, 16, `CLSID of ${JSON.stringify(name)}`);
    checkBytes(metadata.stateBits, 4, `state bits of ${JSON.stringify(name)}`);
    checkBytes(metadata.creationTime, 8, `creation time of ${JSON.stringify(name)}`);
    checkBytes(metadata.modifiedTime, 8, `modified time of ${JSON.stringify(name)}`);
    if (content && (!Number.isSafeInteger(content.size) || content.size < 0)) {
      throw new RangeError(`stream ${JSON.stringify(name)} has invalid size ${content.size}`);
    }
    entries.push({
      name,
      type,
      metadata,
      content,
      children,
      left: NOSTREAM,
      right: NOSTREAM,
      child: NOSTREAM,
      color: BLACK,
      start: 0,
      size: content?.size ?? 0,
    });
    return entries.length - 1;
  };

  const rootName = root.name ?? 'Root Entry';
  checkName(rootName, 'root');
  add(rootName, OBJECT_TYPE_ROOT, root, undefined, root.children);
  // An explicit stack: the nesting depth comes from the caller's tree.
  const pending: number[] = [0];
  while (pending.length > 0) {
    const parent = pending.pop()!;
    const kids = entries[parent]!.children;
    // Siblings get consecutive SIDs in tree order, so the output depends only on the tree's
    // content, never on the order the caller listed it in (rewriting a file is a fixed point).
    const sorted = [...kids].sort((x, y) => compareEntryNames(x.name, y.name));
    for (const kid of sorted)
      checkName(kid.name, `child of ${JSON.stringify(entries[parent]!.name)}`);
    for (let i = 1; i < sorted.length; i++) {
      if (compareEntryNames(sorted[i - 1]!.name, sorted[i]!.name) === 0) {
        throw new RangeError(
          `storage ${JSON.stringify(entries[parent]!.name)} would hold two entries named ` +
            `${JSON.stringify(sorted[i - 1]!.name)} and ${JSON.stringify(sorted[i]!.name)} ` +
            `(names are compared case-insensitively)`,
        );
      }
    }
    const sids = sorted.map((kid) =>
      kid.kind === 'storage'
        ? add(kid.name, OBJECT_TYPE_STORAGE, kid, undefined, kid.children)
        : add(kid.name, OBJECT_TYPE_STREAM, kid, kid.content, []),
    );
    entries[parent]!.child = linkSiblings(entries, sids);
    for (let i = sids.length - 1; i >= 0; i--) {
      if (entries[sids[i]!]!.type === OBJECT_TYPE_STORAGE) pending.push(sids[i]!);
    }
  }
  return entries;
}

interface Layout {
  readonly version: 3 | 4;
  readonly sectorSize: number;
  readonly regular: readonly PlannedEntry[];
  readonly mini: readonly PlannedEntry[];
  readonly miniSectorCount: number;
  readonly containerStart: number;
  readonly containerSectors: number;
  readonly miniFatStart: number;
  readonly miniFatSectors: number;
  readonly directoryStart: number;
  readonly directorySectors: number;
  readonly fatStart: number;
  readonly fatSectors: number;
  readonly difatStart: number;
  readonly difatSectors: number;
  readonly totalSectors: number;
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

function planLayout(entries: PlannedEntry[], version: 3 | 4): Layout {
  const sectorSize = version === 3 ? 512 : 4096;
  const perSector = sectorSize / 4;
  const regular: PlannedEntry[] = [];
  const mini: PlannedEntry[] = [];
  let next = 0;
  for (const entry of entries) {
    if (entry.type !== OBJECT_TYPE_STREAM) continue;
    if (entry.size >= MINI_STREAM_CUTOFF) {
      entry.start = next;
      next += ceilDiv(entry.size, sectorSize);
      regular.push(entry);
    } else if (entry.size === 0) {
      entry.start = ENDOFCHAIN;
    } else {
      mini.push(entry);
    }
  }
  let miniSectorCount = 0;
  for (const entry of mini) {
    entry.start = miniSectorCount;
    miniSectorCount += ceilDiv(entry.size, MINI_SECTOR_SIZE);
  }
  const containerStart = next;
  const containerSectors = ceilDiv(miniSectorCount * MINI_SECTOR_SIZE, sectorSize);
  next += containerSectors;
  const miniFatStart = next;
  const miniFatSectors = ceilDiv(miniSectorCount * 4, sectorSize);
  next += miniFatSectors;
  const directoryStart = next;
  const directorySectors = ceilDiv(entries.length * DIRECTORY_ENTRY_SIZE, sectorSize);
  next += directorySectors;

  // The FAT describes itself and the DIFAT: iterate to the fixed point (it grows monotonically).
  let fatSectors = 0;
  let difatSectors = 0;
  while (true) {
    const total = next + fatSectors + difatSectors;
    const neededFat = ceilDiv(total, perSector);
    const neededDifat =
      neededFat > HEADER_DIFAT_SLOTS ? ceilDiv(neededFat - HEADER_DIFAT_SLOTS, perSector - 1) : 0;
    if (neededFat === fatSectors && neededDifat === difatSectors) break;
    fatSectors = neededFat;
    difatSectors = neededDifat;
  }
  const fatStart = next;
  const difatStart = fatStart + fatSectors;
  const totalSectors = difatStart + difatSectors;

  const root = entries[0]!;
  root.start = miniSectorCount > 0 ? containerStart : ENDOFCHAIN;
  root.size = miniSectorCount * MINI_SECTOR_SIZE;

  return {
    version,
    sectorSize,
    regular,
    mini,
    miniSectorCount,
    containerStart,
    containerSectors,
    miniFatStart,
    miniFatSectors,
    directoryStart,
    directorySectors,
    fatStart,
    fatSectors,
    difatStart,
    difatSectors,
    totalSectors,
  };
}

/** Whether a stream is too large for a version 3 file. */
function needsVersion4(entries: readonly PlannedEntry[]): boolean {
  return entries.some(
    (entry) => entry.type === OBJECT_TYPE_STREAM && entry.size > MAX_V3_STREAM_SIZE,
  );
}

/** Buffers small writes into large ones. */
class BufferedSink {
  private readonly buffer = Buffer.alloc(WRITE_BUFFER_BYTES);
  private filled = 0;
  written = 0;

  constructor(private readonly sink: ByteSink) {}

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(bytes.length - offset, this.buffer.length - this.filled);
      this.buffer.set(bytes.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.buffer.length) await this.flush();
    }
    this.written += bytes.length;
  }

  async zeros(count: number): Promise<void> {
    while (count > 0) {
      const take = Math.min(count, this.buffer.length - this.filled);
      this.buffer.fill(0, this.filled, this.filled + take);
      this.filled += take;
      count -= take;
      this.written += take;
      if (this.filled === this.buffer.length) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.filled === 0) return;
    // The sink may keep the bytes (an in-memory sink does): hand it a copy.
    await this.sink.write(Buffer.from(this.buffer.subarray(0, this.filled)));
    this.filled = 0;
  }
}

/** u32 values as little-endian bytes. */
function u32Bytes(values: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setUint32(i * 4, value, true));
  return bytes;
}

/** Marks `count` consecutive sectors from `start` as one chain in `table`. */
function chain(table: Uint32Array, start: number, count: number): void {
  for (let i = 0; i < count; i++) {
    table[start + i] = i === count - 1 ? ENDOFCHAIN : start + i + 1;
  }
}

function headerBytes(layout: Layout): Uint8Array {
  const header = new Uint8Array(layout.sectorSize === 512 ? HEADER_SIZE : layout.sectorSize);
  const view = new DataView(header.buffer);
  header.set(CFB_SIGNATURE, 0);
  view.setUint16(0x18, 0x003e, true);
  view.setUint16(0x1a, layout.version, true);
  view.setUint16(0x1c, 0xfffe, true);
  view.setUint16(0x1e, layout.version === 3 ? 9 : 12, true);
  view.setUint16(0x20, 6, true);
  // §1.9 rule 1: v4 readers (msiexec) read only this many directory sectors; v3 must say 0.
  view.setUint32(0x28, layout.version === 4 ? layout.directorySectors : 0, true);
  view.setUint32(0x2c, layout.fatSectors, true);
  view.setUint32(0x30, layout.directoryStart, true);
  view.setUint32(0x34, 0, true);
  view.setUint32(0x38, MINI_STREAM_CUTOFF, true);
  view.setUint32(0x3c, layout.miniFatSectors > 0 ? layout.miniFatStart : ENDOFCHAIN, true);
  view.setUint32(0x40, layout.miniFatSectors, true);
  view.setUint32(0x44, layout.difatSectors > 0 ? layout.difatStart : ENDOFCHAIN, true);
  view.setUint32(0x48, layout.difatSectors, true);
  for (let i = 0; i < HEADER_DIFAT_SLOTS; i++) {
    view.setUint32(0x4c + 4 * i, i < layout.fatSectors ? layout.fatStart + i : FREESECT, true);
  }
  return header;
}

function directoryBytes(entries: readonly PlannedEntry[], layout: Layout): Uint8Array {
  const bytes = new Uint8Array(layout.directorySectors * layout.sectorSize);
  const view = new DataView(bytes.buffer);
  const slots = bytes.length / DIRECTORY_ENTRY_SIZE;
  for (let sid = 0; sid < slots; sid++) {
    const base = sid * DIRECTORY_ENTRY_SIZE;
    const entry = entries[sid];
    if (!entry) {
      // §1.9 rule 3: unused slots are zero with all three links NOSTREAM.
      view.setUint32(base + 0x44, NOSTREAM, true);
      view.setUint32(base + 0x48, NOSTREAM, true);
      view.setUint32(base + 0x4c, NOSTREAM, true);
      continue;
    }
    for (let i = 0; i < entry.name.length; i++) {
      view.setUint16(base + 2 * i, entry.name.charCodeAt(i), true);
    }
    view.setUint16(base + 0x40, 2 * (entry.name.length + 1), true);
    bytes[base + 0x42] = entry.type;
    bytes[base + 0x43] = entry.color;
    view.setUint32(base + 0x44, entry.left, true);
    view.setUint32(base + 0x48, entry.right, true);
    view.setUint32(base + 0x4c, entry.child, true);
    if (entry.metadata.clsid) bytes.set(entry.metadata.clsid, base + 0x50);
    if (entry.metadata.stateBits) bytes.set(entry.metadata.stateBits, base + 0x60);
    if (entry.metadata.creationTime) bytes.set(entry.metadata.creationTime, base + 0x64);
    if (entry.metadata.modifiedTime) bytes.set(entry.metadata.modifiedTime, base + 0x6c);
    const isStorage = entry.type === OBJECT_TYPE_STORAGE;
    view.setUint32(base + 0x74, isStorage ? 0 : entry.start, true);
    const size = isStorage ? 0 : entry.size;
    view.setUint32(base + 0x78, size % 0x100000000, true);
    // v3 readers ignore the high half (§1.5); sizes above 4 GiB exist only in v4 files.
    view.setUint32(base + 0x7c, Math.floor(size / 0x100000000), true);
  }
  return bytes;
}

async function copyContent(out: BufferedSink, entry: PlannedEntry): Promise<void> {
  let copied = 0;
  for await (const chunk of entry.content!.chunks()) {
    copied += chunk.length;
    if (copied > entry.size) {
      throw new Error(
        `stream ${JSON.stringify(entry.name)} produced more than its declared ${entry.size} bytes`,
      );
    }
    await out.write(chunk);
  }
  if (copied !== entry.size) {
    throw new Error(
      `stream ${JSON.stringify(entry.name)} produced ${copied} bytes, not the ${entry.size} declared`,
    );
  }
}

/**
 * Writes `root` as a compound file to `sink`, front to back. Throws RangeError for trees that
 * cannot be written (bad names, duplicate siblings, wrong metadata sizes) before writing
 * anything, and Error when a stream's content does not have its declared size.
 */
export async function writeCompoundFile(
  root: RootSpec,
  sink: ByteSink,
  options: WriteOptions = {},
): Promise<WrittenCompoundFile> {
  const entries = planDirectory(root);
  let layout = planLayout(entries, options.version ?? 3);
  // Sector numbers above MAXREGSECT are markers: a file that needs more goes to 4096-byte sectors.
  if (layout.version === 3 && (needsVersion4(entries) || layout.totalSectors > MAXREGSECT + 1)) {
    layout = planLayout(entries, 4);
  }
  const version = layout.version;
  if (layout.totalSectors > MAXREGSECT + 1) {
    throw new RangeError(`the compound file would need ${layout.totalSectors} sectors`);
  }
  const ss = layout.sectorSize;
  const perSector = ss / 4;

  const fat = new Uint32Array(layout.fatSectors * perSector).fill(FREESECT);
  for (const entry of layout.regular) chain(fat, entry.start, ceilDiv(entry.size, ss));
  chain(fat, layout.containerStart, layout.containerSectors);
  chain(fat, layout.miniFatStart, layout.miniFatSectors);
  chain(fat, layout.directoryStart, layout.directorySectors);
  fat.fill(FATSECT, layout.fatStart, layout.fatStart + layout.fatSectors);
  fat.fill(DIFSECT, layout.difatStart, layout.difatStart + layout.difatSectors);

  const miniFat = new Uint32Array(layout.miniFatSectors * perSector).fill(FREESECT);
  for (const entry of layout.mini) {
    chain(miniFat, entry.start, ceilDiv(entry.size, MINI_SECTOR_SIZE));
  }

  const difat = new Uint32Array(layout.difatSectors * perSector).fill(FREESECT);
  for (let d = 0; d < layout.difatSectors; d++) {
    const base = d * perSector;
    for (let i = 0; i < perSector - 1; i++) {
      const fatIndex = HEADER_DIFAT_SLOTS + d * (perSector - 1) + i;
      if (fatIndex < layout.fatSectors) difat[base + i] = layout.fatStart + fatIndex;
    }
    difat[base + perSector - 1] =
      d === layout.difatSectors - 1 ? ENDOFCHAIN : layout.difatStart + d + 1;
  }

  const out = new BufferedSink(sink);
  await out.write(headerBytes(layout));
  for (const entry of layout.regular) {
    await copyContent(out, entry);
    await out.zeros(ceilDiv(entry.size, ss) * ss - entry.size);
  }
  let miniBytes = 0;
  for (const entry of layout.mini) {
    await copyContent(out, entry);
    const padded = ceilDiv(entry.size, MINI_SECTOR_SIZE) * MINI_SECTOR_SIZE;
    await out.zeros(padded - entry.size);
    miniBytes += padded;
  }
  await out.zeros(layout.containerSectors * ss - miniBytes);
  await out.write(u32Bytes(miniFat));
  await out.write(directoryBytes(entries, layout));
  await out.write(u32Bytes(fat));
  await out.write(u32Bytes(difat));
  await out.flush();

  const expected = (layout.totalSectors + 1) * ss;
  if (out.written !== expected) {
    throw new Error(`internal error: wrote ${out.written} bytes, expected ${expected}`);
  }
  return { version, size: out.written, entryCount: entries.length };
}

/** Writes the compound file into memory (tests, small files). */
export async function compoundFileBytes(
  root: RootSpec,
  options: WriteOptions = {},
): Promise<{ bytes: Buffer; written: WrittenCompoundFile }> {
  const parts: Uint8Array[] = [];
  const written = await writeCompoundFile(
    root,
    {
      async write(bytes) {
        parts.push(bytes);
      },
    },
    options,
  );
  return { bytes: Buffer.concat(parts), written };
}

/**
 * Writes the compound file to a new file at `path` (which must not exist: it is created
 * exclusively) and flushes it to disk. On failure the partial file is left for the caller to
 * remove (see the fill module's atomic replace).
 */
export async function writeCompoundFileToPath(
  root: RootSpec,
  path: string,
  options: WriteOptions = {},
): Promise<WrittenCompoundFile> {
  const handle = await open(path, 'wx');
  try {
    const written = await writeCompoundFile(
      root,
      {
        async write(bytes) {
          let done = 0;
          while (done < bytes.length) {
            const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
            done += bytesWritten;
          }
        },
      },
      options,
    );
    await handle.sync();
    return written;
  } finally {
    await handle.close();
  }
}
