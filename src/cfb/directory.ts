import { MalformedPackageError } from '../errors.js';
import {
  DIRECTORY_ENTRY_SIZE,
  NOSTREAM,
  OBJECT_TYPE_ROOT,
  OBJECT_TYPE_STORAGE,
  OBJECT_TYPE_STREAM,
} from './constants.js';
import type { DirectoryEntry, EntryKind } from './types.js';

/** A directory entry with its tree links, as parsed. docs/formats.md §1.5 */
export interface ParsedEntry extends DirectoryEntry {
  readonly left: number;
  readonly right: number;
  readonly child: number;
}

const KINDS: Readonly<Record<number, EntryKind>> = {
  [OBJECT_TYPE_STORAGE]: 'storage',
  [OBJECT_TYPE_STREAM]: 'stream',
  [OBJECT_TYPE_ROOT]: 'root',
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Parses directory entry `sid` from the raw directory bytes. Only reachable entries are parsed,
 * so unused slots (object type 0) never get here.
 */
export function parseEntry(directory: Uint8Array, sid: number, majorVersion: 3 | 4): ParsedEntry {
  const base = sid * DIRECTORY_ENTRY_SIZE;
  const bytes = directory.subarray(base, base + DIRECTORY_ENTRY_SIZE);
  const view = new DataView(bytes.buffer, bytes.byteOffset, DIRECTORY_ENTRY_SIZE);

  const type = bytes[0x42]!;
  const kind = KINDS[type];
  if (kind === undefined) {
    throw new MalformedPackageError(`directory entry ${sid} has illegal object type ${type}`);
  }

  const nameLength = view.getUint16(0x40, true);
  if (nameLength > 64 || nameLength < 2 || nameLength % 2 !== 0) {
    throw new MalformedPackageError(
      `directory entry ${sid} has name length ${nameLength} (must be even, 2..64, counting the NUL)`,
    );
  }
  const units = nameLength / 2 - 1;
  if (view.getUint16(units * 2, true) !== 0) {
    throw new MalformedPackageError(`directory entry ${sid} name is not NUL-terminated`);
  }
  const nameBytes = bytes.slice(0, units * 2);
  let name = '';
  for (let i = 0; i < units; i++) name += String.fromCharCode(view.getUint16(2 * i, true));

  let size: number;
  if (kind === 'storage') {
    size = 0;
  } else if (majorVersion === 3) {
    // Old writers left garbage in the upper half; v3 readers ignore it (§1.5).
    size = view.getUint32(0x78, true);
  } else {
    const wide = view.getBigUint64(0x78, true);
    if (wide > MAX_SAFE) {
      throw new MalformedPackageError(`directory entry ${sid} declares an impossible size ${wide}`);
    }
    size = Number(wide);
  }

  return {
    sid,
    name,
    nameBytes,
    kind,
    clsid: bytes.slice(0x50, 0x60),
    stateBits: bytes.slice(0x60, 0x64),
    creationTime: bytes.slice(0x64, 0x6c),
    modifiedTime: bytes.slice(0x6c, 0x74),
    size,
    startSector: view.getUint32(0x74, true),
    left: view.getUint32(0x44, true),
    right: view.getUint32(0x48, true),
    child: view.getUint32(0x4c, true),
  };
}

/** The validated storage tree: each storage's children, parsed entries by SID. */
export interface DirectoryTree {
  readonly root: ParsedEntry;
  /** Every reachable entry, root first, parents before children. */
  readonly entries: readonly ParsedEntry[];
  readonly children: ReadonlyMap<number, readonly ParsedEntry[]>;
  readonly childByName: ReadonlyMap<number, ReadonlyMap<string, ParsedEntry>>;
}

/**
 * Walks the whole tree from the root (§1.6). Every entry may be reached once only: a second
 * arrival means a sibling cycle, a child link back to an ancestor, or an entry shared by two
 * storages — all rejected. Bounded by the number of directory slots.
 */
export function buildDirectoryTree(directory: Uint8Array, majorVersion: 3 | 4): DirectoryTree {
  const slotCount = Math.floor(directory.length / DIRECTORY_ENTRY_SIZE);
  if (slotCount === 0) throw new MalformedPackageError('the directory is empty');
  const root = parseEntry(directory, 0, majorVersion);
  if (root.kind !== 'root') {
    throw new MalformedPackageError(`directory entry 0 is a ${root.kind}, not the root storage`);
  }

  // parentOf[sid] = SID of the storage the entry was found under + 1 (0 = not yet reached).
  const parentOf = new Float64Array(slotCount);
  parentOf[0] = 1; // the root is its own parent: nothing may link to it
  const entries: ParsedEntry[] = [root];
  const children = new Map<number, ParsedEntry[]>();
  const childByName = new Map<number, Map<string, ParsedEntry>>();

  const storages: ParsedEntry[] = [root];
  while (storages.length > 0) {
    const storage = storages.pop()!;
    const kids: ParsedEntry[] = [];
    const byName = new Map<string, ParsedEntry>();
    const pending: number[] = [storage.child];
    while (pending.length > 0) {
      const sid = pending.pop()!;
      if (sid === NOSTREAM) continue;
      if (sid >= slotCount) {
        throw new MalformedPackageError(
          `storage ${describe(storage)} links to directory entry ${sid}, beyond the ${slotCount} entries`,
        );
      }
      const previousParent = parentOf[sid]! - 1;
      if (previousParent === storage.sid) {
        throw new MalformedPackageError(
          `the sibling links under storage ${describe(storage)} form a cycle at entry ${sid}`,
        );
      }
      if (previousParent >= 0) {
        throw new MalformedPackageError(
          `directory entry ${sid} is reachable from storage ${previousParent} and from storage ${storage.sid} (cycle or shared entry)`,
        );
      }
      parentOf[sid] = storage.sid + 1;
      const entry = parseEntry(directory, sid, majorVersion);
      if (entry.kind === 'root') {
        throw new MalformedPackageError(`directory entry ${sid} is a second root storage`);
      }
      if (entry.kind === 'stream' && entry.child !== NOSTREAM) {
        throw new MalformedPackageError(`stream ${describe(entry)} has a child link`);
      }
      if (byName.has(entry.name)) {
        throw new MalformedPackageError(
          `storage ${describe(storage)} holds two entries named ${JSON.stringify(entry.name)}`,
        );
      }
      byName.set(entry.name, entry);
      kids.push(entry);
      entries.push(entry);
      if (entry.kind === 'storage') storages.push(entry);
      pending.push(entry.right, entry.left);
    }
    children.set(storage.sid, kids);
    childByName.set(storage.sid, byName);
  }
  return { root, entries, children, childByName };
}

function describe(entry: ParsedEntry): string {
  return `${entry.sid} (${JSON.stringify(entry.name)})`;
}
