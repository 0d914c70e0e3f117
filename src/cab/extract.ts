/**
 * Streaming extraction of a cabinet's files: CFFOLDER → CFDATA blocks (checksums checked when
 * present) → the folder's decoder → the bytes of each CFFILE, in constant memory (one block of
 * input, one LZX window or MSZIP dictionary, one frame of output at a time). [MS-CAB] 2.3–2.5.
 *
 * Cabinet sets ([MS-CAB] 2.1 flags PREV/NEXT_CABINET): a folder whose files continue into the
 * next cabinet is one stream across volumes; its CFDATA blocks are read volume after volume,
 * and a block split across two volumes (cbUncomp 0 in the first part) is joined before decoding.
 *
 * Nothing is written anywhere: each file's bytes go to the visitor as they are decoded. Damage
 * stops the folder it is in (its remaining files are reported as not extracted) and never the
 * other folders.
 */
import {
  createFolderDecoder,
  DecompressionError,
  MAX_BLOCK_OUTPUT,
  type FolderCompression,
  type FolderDecoder,
} from '../decompress/index.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import type { Cabinet } from './index.js';
import type { CabFile, CabFolder } from './header.js';
import {
  CabinetDataError,
  ContinuationMissingError,
  PayloadLimitError,
  UnsupportedCompressionError,
} from './payload-errors.js';

/** One cabinet file of a set, opened. */
export interface CabinetVolume {
  /** The name the set's links use (the file name, without directories). */
  readonly name: string;
  readonly source: RandomAccessSource;
  readonly cabinet: Cabinet;
}

/** Opens a set member beside the first volume by its link name; null when it is not there. */
export type OpenVolume = (name: string) => Promise<CabinetVolume | null>;

export interface ExtractLimits {
  /** Most uncompressed bytes the whole set may declare or produce. */
  readonly maxTotalBytes: number;
  /** Most volumes followed through NEXT_CABINET links. */
  readonly maxVolumes: number;
}

/** Uncompressed bytes allowed per byte of package: well above real installers' ratios. */
export const PAYLOAD_EXPANSION_RATIO = 100;
/** Allowance for small packages whose payload is highly compressible. */
export const PAYLOAD_MIN_ALLOWANCE = 64 * 1024 * 1024;
export const MAX_SET_VOLUMES = 64;

/** The limits for a package of `packageSize` bytes (docs/hostile-input.md "Payload"). */
export function extractLimitsFor(packageSize: number): ExtractLimits {
  return {
    maxTotalBytes: Math.max(PAYLOAD_MIN_ALLOWANCE, packageSize * PAYLOAD_EXPANSION_RATIO),
    maxVolumes: MAX_SET_VOLUMES,
  };
}

/** A file of the set, where its entry was listed. */
export interface CabEntry {
  readonly file: CabFile;
  /** The volume whose CFFILE starts this file. */
  readonly volume: string;
  readonly compression: CabFolder['compression'];
}

export interface ExtractVisitor {
  /** Return false to have the file's bytes decoded (for the checks) but not delivered. */
  fileStart?(entry: CabEntry): boolean | Promise<boolean>;
  fileData?(entry: CabEntry, chunk: Uint8Array): void | Promise<void>;
  fileEnd?(entry: CabEntry): void | Promise<void>;
}

export type ExtractFailure =
  | DecompressionError
  | CabinetDataError
  | UnsupportedCompressionError
  | ContinuationMissingError
  | PayloadLimitError;

export interface FolderFailure {
  /** Position of the folder in the set (0-based, merged continuation folders count once). */
  readonly folder: number;
  readonly error: ExtractFailure;
  /** Files of the folder that were not completely extracted. */
  readonly files: readonly CabEntry[];
}

export interface CabExtraction {
  readonly volumes: readonly string[];
  /** Every file of the set, once, in folder order. */
  readonly files: readonly CabEntry[];
  readonly extracted: number;
  readonly failures: readonly FolderFailure[];
  /** Uncompressed bytes decoded. */
  readonly bytesDecoded: number;
}

interface Segment {
  readonly volume: CabinetVolume;
  readonly folder: CabFolder;
}

interface LogicalFolder {
  readonly segments: Segment[];
  readonly files: CabEntry[];
  /** The folder's data starts in a volume that is missing. */
  missingStart: ContinuationMissingError | null;
  /** The folder continues into a volume that is missing. */
  missingEnd: ContinuationMissingError | null;
}

const CFDATA_HEADER = 8;
/** Read-ahead for CFDATA blocks: many small blocks per positional read. */
const READ_AHEAD = 256 * 1024;

/**
 * Extracts every file of the cabinet set that starts with `first`. Files are delivered in
 * folder order; a failure stops its folder only. Throws {@link PayloadLimitError} before any
 * decoding when the declared sizes exceed the limits.
 */
export async function extractCabinet(
  first: CabinetVolume,
  visitor: ExtractVisitor,
  limits: ExtractLimits,
  openVolume: OpenVolume = () => Promise.resolve(null),
): Promise<CabExtraction> {
  const { volumes, folders } = await collectSet(first, openVolume, limits);
  checkDeclaredSizes(folders, limits);

  const failures: FolderFailure[] = [];
  let extracted = 0;
  let bytesDecoded = 0;
  for (const [index, folder] of folders.entries()) {
    if (folder.files.length === 0) continue;
    const result = await extractFolder(folder, visitor, limits.maxTotalBytes - bytesDecoded);
    extracted += result.completed;
    bytesDecoded += result.decoded;
    if (result.error) {
      failures.push({
        folder: index,
        error: result.error,
        files: folder.files.filter((entry) => !result.done.has(entry)),
      });
    }
  }
  return {
    volumes: volumes.map((v) => v.name),
    files: folders.flatMap((f) => f.files),
    extracted,
    failures,
    bytesDecoded,
  };
}

/**
 * Follows NEXT_CABINET links (bounded, cycle-checked) and merges each volume's last folder with
 * the next volume's first when files continue across the boundary.
 */
async function collectSet(
  first: CabinetVolume,
  openVolume: OpenVolume,
  limits: ExtractLimits,
): Promise<{ volumes: CabinetVolume[]; folders: LogicalFolder[] }> {
  const volumes: CabinetVolume[] = [first];
  const folders: LogicalFolder[] = [];
  const seen = new Set([first.name.toLowerCase()]);
  let volume: CabinetVolume = first;
  let carried: LogicalFolder | null = null;
  for (;;) {
    const { cabinet } = volume;
    // This volume's folder index → the logical folder it belongs to.
    const volumeFolders = cabinet.folders.map((folder): LogicalFolder => {
      if (folder.index === 0 && carried) {
        carried.segments.push({ volume, folder });
        return carried;
      }
      const logical: LogicalFolder = {
        segments: [{ volume, folder }],
        files: [],
        missingStart: null,
        missingEnd: null,
      };
      if (folder.index === 0 && cabinet.set.previous && continuesFromPrevious(cabinet)) {
        logical.missingStart = new ContinuationMissingError(
          cabinet.set.previous.cabinet,
          `the data of ${volume.name}'s first folder starts in ${cabinet.set.previous.cabinet}, which is not being walked`,
        );
      }
      folders.push(logical);
      return logical;
    });
    for (const file of cabinet.files) {
      const continued =
        file.continuation === 'from-previous' || file.continuation === 'previous-and-next';
      // A file continued from the previous volume was listed (and is delivered) there.
      if (continued && carried) continue;
      const logical = volumeFolders[file.folder]!;
      logical.files.push({
        file,
        volume: volume.name,
        compression: logical.segments[0]!.folder.compression,
      });
    }

    const next = cabinet.set.next;
    const last = folders.at(-1);
    carried = next && last && continuesIntoNext(cabinet) ? last : null;
    if (!next) break;
    if (volumes.length >= limits.maxVolumes) {
      throw new PayloadLimitError(
        'volumes',
        `the cabinet set has more than ${limits.maxVolumes} volumes`,
      );
    }
    const key = next.cabinet.toLowerCase();
    if (seen.has(key)) {
      throw new CabinetDataError('bad-block', `the cabinet set links back to ${next.cabinet}`);
    }
    seen.add(key);
    const opened = await openVolume(next.cabinet);
    if (!opened) {
      if (carried) {
        carried.missingEnd = new ContinuationMissingError(
          next.cabinet,
          `${volume.name} continues in ${next.cabinet}, which is not beside it`,
        );
      }
      break;
    }
    volumes.push(opened);
    volume = opened;
  }
  return { volumes, folders };
}

function continuesFromPrevious(cabinet: Cabinet): boolean {
  return cabinet.files.some(
    (f) => f.continuation === 'from-previous' || f.continuation === 'previous-and-next',
  );
}

function continuesIntoNext(cabinet: Cabinet): boolean {
  return cabinet.files.some(
    (f) => f.continuation === 'to-next' || f.continuation === 'previous-and-next',
  );
}

function checkDeclaredSizes(folders: readonly LogicalFolder[], limits: ExtractLimits): void {
  let declared = 0;
  let decodable = 0;
  for (const folder of folders) {
    let end = 0;
    for (const { file } of folder.files) {
      declared += file.size;
      end = Math.max(end, file.folderOffset + file.size);
    }
    decodable += end;
  }
  const total = Math.max(declared, decodable);
  if (total > limits.maxTotalBytes) {
    throw new PayloadLimitError(
      'total-bytes',
      `the cabinet declares ${total} uncompressed bytes, more than the ${limits.maxTotalBytes} allowed for this package`,
    );
  }
}

interface FolderResult {
  completed: number;
  decoded: number;
  done: Set<CabEntry>;
  error: ExtractFailure | null;
}

async function extractFolder(
  folder: LogicalFolder,
  visitor: ExtractVisitor,
  budget: number,
): Promise<FolderResult> {
  const done = new Set<CabEntry>();
  const result: FolderResult = { completed: 0, decoded: 0, done, error: null };
  if (folder.missingStart) {
    result.error = folder.missingStart;
    return result;
  }
  const compression = folderCompression(folder.segments[0]!.folder);
  if (compression instanceof Error) {
    result.error = compression;
    return result;
  }

  // Files in the order their bytes appear; overlapping files are all fed from the same bytes.
  const pending = [...folder.files].sort(
    (a, b) => a.file.folderOffset - b.file.folderOffset || a.file.size - b.file.size,
  );
  const folderEnd = pending.reduce((n, e) => Math.max(n, e.file.folderOffset + e.file.size), 0);
  const active: { entry: CabEntry; deliver: boolean }[] = [];
  let nextPending = 0;
  let position = 0;

  const startFiles = async (upTo: number) => {
    while (nextPending < pending.length && pending[nextPending]!.file.folderOffset <= upTo) {
      const entry = pending[nextPending++]!;
      const deliver = (await visitor.fileStart?.(entry)) ?? true;
      active.push({ entry, deliver });
    }
  };
  const finishFiles = async () => {
    for (let i = 0; i < active.length;) {
      const { entry } = active[i]!;
      if (entry.file.folderOffset + entry.file.size <= position) {
        active.splice(i, 1);
        await visitor.fileEnd?.(entry);
        done.add(entry);
        result.completed++;
      } else i++;
    }
  };

  try {
    await startFiles(0);
    await finishFiles();
    if (position < folderEnd) {
      const decoder: FolderDecoder = createFolderDecoder(compression);
      for await (const block of folderBlocks(folder)) {
        if (result.decoded + block.size > budget) {
          throw new PayloadLimitError(
            'total-bytes',
            `decoding passed the ${budget + result.decoded}-byte limit for this package`,
          );
        }
        const output = decoder.decodeFrame(block.data, block.size);
        const chunkStart = position;
        const chunkEnd = position + output.length;
        result.decoded += output.length;
        // Most blocks start no file and end none: no promise for them (a stored 2 MiB cabinet
        // has 64 blocks, and every await is an allocation and a microtask turn).
        if (
          nextPending < pending.length &&
          pending[nextPending]!.file.folderOffset <= chunkEnd - 1
        ) {
          await startFiles(chunkEnd - 1);
        }
        for (const { entry, deliver } of active) {
          const from = Math.max(chunkStart, entry.file.folderOffset);
          const to = Math.min(chunkEnd, entry.file.folderOffset + entry.file.size);
          if (deliver && to > from) {
            const delivered = visitor.fileData?.(
              entry,
              output.subarray(from - chunkStart, to - chunkStart),
            );
            if (delivered) await delivered;
          }
        }
        position = chunkEnd;
        if (active.some(({ entry }) => entry.file.folderOffset + entry.file.size <= position)) {
          await finishFiles();
        }
        if (position >= folderEnd) break;
      }
      if (position < folderEnd) {
        throw (
          folder.missingEnd ??
          new CabinetDataError(
            'file-past-folder-end',
            `the folder's data ends after ${position} bytes but its files need ${folderEnd}`,
          )
        );
      }
    }
  } catch (error) {
    if (!isExtractFailure(error)) throw error;
    result.error = error;
  }
  return result;
}

export function isExtractFailure(error: unknown): error is ExtractFailure {
  return (
    error instanceof DecompressionError ||
    error instanceof CabinetDataError ||
    error instanceof UnsupportedCompressionError ||
    error instanceof ContinuationMissingError ||
    error instanceof PayloadLimitError
  );
}

function folderCompression(folder: CabFolder): FolderCompression | ExtractFailure {
  switch (folder.compression) {
    case 'none':
      return { method: 'none' };
    case 'mszip':
      return { method: 'mszip' };
    case 'lzx':
      return { method: 'lzx', windowBits: (folder.typeCompress >>> 8) & 0x1f };
    case 'quantum':
      return new UnsupportedCompressionError(
        'quantum',
        `folder ${folder.index} is Quantum-compressed, which this verifier does not decode`,
      );
    default:
      return new UnsupportedCompressionError(
        `0x${folder.typeCompress.toString(16)}`,
        `folder ${folder.index} uses compression type 0x${folder.typeCompress.toString(16)}, which no cabinet tool defines`,
      );
  }
}

interface DataBlock {
  readonly data: Uint8Array;
  readonly size: number;
}

/**
 * The folder's CFDATA blocks across its segments, checksums checked, split blocks joined.
 * Each block's bytes are a view valid until the next block is requested.
 */
async function* folderBlocks(folder: LogicalFolder): AsyncGenerator<DataBlock> {
  let partial: Buffer | null = null;
  for (const [s, { volume, folder: entry }] of folder.segments.entries()) {
    const { header } = volume.cabinet;
    const reserve = header.cbCFData;
    const reader = new AheadReader(volume.source, header.cbCabinet);
    let offset = entry.coffCabStart;
    for (let i = 0; i < entry.cCFData; i++) {
      const head = await reader.view(offset, CFDATA_HEADER, volume.name);
      const checksum = readU32(head, 0);
      const cbData = head[4]! | (head[5]! << 8);
      const cbUncomp = head[6]! | (head[7]! << 8);
      const headBytes = Buffer.from(head.subarray(4, 8));
      const dataOffset = offset + CFDATA_HEADER + reserve;
      const data = await reader.view(dataOffset, cbData, volume.name);
      if (checksum !== 0) {
        const actual = cabChecksum(headBytes, cabChecksum(data, 0));
        if (actual !== checksum) {
          throw new CabinetDataError(
            'bad-checksum',
            `${volume.name}: CFDATA block ${i} of folder ${entry.index} at offset ${offset} has checksum 0x${checksum.toString(16).padStart(8, '0')}, its bytes give 0x${actual.toString(16).padStart(8, '0')}`,
          );
        }
      }
      offset = dataOffset + cbData;
      if (cbUncomp > MAX_BLOCK_OUTPUT) {
        throw new CabinetDataError(
          'bad-block',
          `${volume.name}: CFDATA block ${i} declares ${cbUncomp} uncompressed bytes (at most ${MAX_BLOCK_OUTPUT})`,
        );
      }
      if (cbUncomp === 0) {
        // The first part of a block split across volumes: only the last block of a segment
        // that continues into another volume.
        const lastOfSegment = i === entry.cCFData - 1 && s < folder.segments.length - 1;
        if (!lastOfSegment && !(i === entry.cCFData - 1 && folder.missingEnd)) {
          throw new CabinetDataError(
            'bad-block',
            `${volume.name}: CFDATA block ${i} of folder ${entry.index} declares 0 uncompressed bytes`,
          );
        }
        partial = Buffer.from(data);
        continue;
      }
      if (partial) {
        const joined = Buffer.concat([partial, data]);
        partial = null;
        yield { data: joined, size: cbUncomp };
      } else {
        yield { data, size: cbUncomp };
      }
    }
  }
}

/**
 * Sequential views over [0, limit) of a source with a read-ahead buffer. The buffer is reused
 * from one read to the next (a view is valid until the next call): a fresh 256 KiB buffer per
 * read was mostly page faults on new memory, several times the cost of the read itself.
 */
class AheadReader {
  private buffer: Buffer = Buffer.alloc(0);
  private bufferStart = 0;
  private filled = 0;

  constructor(
    private readonly source: RandomAccessSource,
    private readonly limit: number,
  ) {}

  async view(offset: number, length: number, volume: string): Promise<Uint8Array> {
    if (offset + length > this.limit) {
      throw new CabinetDataError(
        'bad-block',
        `${volume}: a CFDATA block at offset ${offset} runs past the end of the cabinet (${this.limit})`,
      );
    }
    const end = this.bufferStart + this.filled;
    if (offset < this.bufferStart || offset + length > end) {
      const readLength = Math.min(this.limit - offset, Math.max(length, READ_AHEAD));
      if (this.buffer.length < readLength) {
        this.buffer = Buffer.allocUnsafe(Math.max(readLength, Math.min(READ_AHEAD, this.limit)));
      }
      // Marked empty first: a failed read must not leave stale bytes that look current.
      this.filled = 0;
      await this.source.readInto(this.buffer, 0, readLength, offset);
      this.bufferStart = offset;
      this.filled = readLength;
    }
    return this.buffer.subarray(offset - this.bufferStart, offset - this.bufferStart + length);
  }
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) + bytes[at + 3]! * 0x1000000;
}

/**
 * The CFDATA checksum ([MS-CAB] 2.5 csum): XOR of the little-endian 32-bit words, then the
 * 1..3 tail bytes folded in most significant first; computed over the data, then over cbData
 * and cbUncomp with the data's sum as seed.
 */
export function cabChecksum(bytes: Uint8Array, seed: number): number {
  const words = bytes.length >>> 2;
  let sum = seed | 0;
  if (words > 0 && !LITTLE_ENDIAN) {
    for (let i = 0, p = 0; i < words; i++, p += 4) {
      sum ^= bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
    }
  } else if (words > 0) {
    // XOR 32-bit words through an aligned Int32Array view (a copy when the bytes are not
    // 4-byte aligned): the byte-by-byte form is several times slower on large cabinets.
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : alignedCopy(bytes.subarray(0, words * 4));
    const view = new Int32Array(aligned.buffer, aligned.byteOffset, words);
    for (let i = 0; i < words; i++) sum ^= view[i]!;
  }
  let p = words * 4;
  let tail = 0;
  const rest = bytes.length & 3;
  if (rest === 3) tail |= bytes[p++]! << 16;
  if (rest >= 2) tail |= bytes[p++]! << 8;
  if (rest >= 1) tail |= bytes[p]!;
  return (sum ^ tail) >>> 0;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
let scratch = new Uint8Array(64 * 1024);
function alignedCopy(bytes: Uint8Array): Uint8Array {
  if (scratch.length < bytes.length) scratch = new Uint8Array(bytes.length);
  scratch.set(bytes);
  return scratch.subarray(0, bytes.length);
}
