/**
 * An in-memory CompoundFile for unit tests: a root storage holding streams (by raw CFB name),
 * with the contract's size limit on readStream. No sectors, no directory tree.
 */
import type { CompoundFile, DirectoryEntry, EntryKind } from '../../../src/cfb/types.js';
import { MalformedPackageError } from '../../../src/errors.js';
import { CLSID_MSI_DATABASE } from '../../../src/msi/package-kind.js';

const DEFAULT_MAX_STREAM_BYTES = 64 * 1024 * 1024;

function entry(
  sid: number,
  name: string,
  kind: EntryKind,
  size: number,
  clsid?: Uint8Array,
): DirectoryEntry {
  return {
    sid,
    name,
    nameBytes: Buffer.from(name, 'utf16le'),
    kind,
    clsid: clsid ?? new Uint8Array(16),
    stateBits: new Uint8Array(4),
    creationTime: new Uint8Array(8),
    modifiedTime: new Uint8Array(8),
    size,
    startSector: 0,
  };
}

export interface MemoryCompoundFileOptions {
  /** Root CLSID; the MSI database CLSID by default. */
  readonly clsid?: Uint8Array;
  /** Raw names of empty sub-storages. */
  readonly storages?: readonly string[];
}

export function memoryCompoundFile(
  streams: ReadonlyMap<string, Uint8Array>,
  options: MemoryCompoundFileOptions = {},
): CompoundFile & { readonly reads: string[] } {
  const root = entry(0, 'Root Entry', 'root', 0, options.clsid ?? CLSID_MSI_DATABASE);
  const children: DirectoryEntry[] = [];
  const contents = new Map<number, Uint8Array>();
  for (const [name, bytes] of streams) {
    const child = entry(children.length + 1, name, 'stream', bytes.length);
    children.push(child);
    contents.set(child.sid, bytes);
  }
  for (const name of options.storages ?? [])
    children.push(entry(children.length + 1, name, 'storage', 0));
  const reads: string[] = [];

  const bytesOf = (e: DirectoryEntry): Uint8Array => {
    const bytes = contents.get(e.sid);
    if (!bytes) throw new Error(`entry ${e.sid} is not a stream`);
    return bytes;
  };

  const file: CompoundFile & { readonly reads: string[] } = {
    // In memory, there is no other source to read through.
    through: () => file,
    version: 3,
    sectorSize: 512,
    fileSize: 0,
    root,
    trailingBytes: 0,
    reads,
    children: (storage) => (storage.sid === 0 ? children : []),
    child: (storage, name) =>
      storage.sid === 0 ? children.find((c) => c.name === name) : undefined,
    async readStream(e, maxBytes = DEFAULT_MAX_STREAM_BYTES) {
      if (e.size > maxBytes) {
        throw new MalformedPackageError(
          `stream of ${e.size} bytes exceeds the ${maxBytes}-byte limit`,
        );
      }
      reads.push(e.name);
      return Buffer.from(bytesOf(e));
    },
    async readStreamRange(e, position, length) {
      return Buffer.from(bytesOf(e).subarray(position, position + length));
    },
    async readStreamRangeInto(e, target, offset, length, position) {
      target.set(bytesOf(e).subarray(position, position + length), offset);
    },
    async *streamChunks(e, chunkSize = 1 << 20) {
      const bytes = bytesOf(e);
      for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
    },
  };
  return file;
}
