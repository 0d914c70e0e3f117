/** Structural views of compound files for the writer and fill tests. */
import { createHash } from 'node:crypto';
import type { CompoundFile, DirectoryEntry } from '../../src/cfb/index.js';
import { loadFat } from '../../src/cfb/allocation.js';
import { parseHeader, type CfbHeader } from '../../src/cfb/header.js';
import { compareEntryNames } from '../../src/cfb/writer.js';
import { MemorySource } from '../../src/io/random-access-file.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export interface EntrySnapshot {
  /** Raw names from the root, joined with '/'; '' for the root. */
  path: string;
  kind: string;
  clsid: string;
  stateBits: string;
  creationTime: string;
  modifiedTime: string;
  /** Streams only. */
  size?: number;
  sha256?: string;
}

/** Every entry with its metadata and (for streams) a digest of its content, sorted by path. */
export async function snapshot(cfb: CompoundFile): Promise<EntrySnapshot[]> {
  const out: EntrySnapshot[] = [];
  const visit = async (entry: DirectoryEntry, path: string): Promise<void> => {
    const item: EntrySnapshot = {
      path,
      kind: entry.kind,
      clsid: hex(entry.clsid),
      stateBits: hex(entry.stateBits),
      creationTime: hex(entry.creationTime),
      modifiedTime: hex(entry.modifiedTime),
    };
    if (entry.kind === 'stream') {
      const hash = createHash('sha256');
      for await (const chunk of cfb.streamChunks(entry)) hash.update(chunk);
      item.size = entry.size;
      item.sha256 = hash.digest('hex');
    }
    out.push(item);
    if (entry.kind !== 'stream') {
      for (const child of cfb.children(entry)) {
        await visit(child, path === '' ? child.name : `${path}/${child.name}`);
      }
    }
  };
  await visit(cfb.root, '');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface RawDirectoryEntry {
  sid: number;
  name: string;
  type: number;
  color: number;
  left: number;
  right: number;
  child: number;
  start: number;
  size: number;
}

export interface RawLayout {
  header: CfbHeader;
  fat: Uint32Array;
  directoryChainLength: number;
  entries: RawDirectoryEntry[];
}

/** Header, FAT and raw directory entries (links and colours included) of a file in memory. */
export async function rawLayout(bytes: Uint8Array): Promise<RawLayout> {
  const header = parseHeader(bytes.subarray(0, 512));
  const source = new MemorySource(bytes);
  const allocation = await loadFat(source, header, []);
  const chain = allocation.chain(header.firstDirectorySector, null, 'directory', true);
  const ss = header.sectorSize;
  const directory = Buffer.concat(
    chain.sectors.map((sector) => bytes.subarray((sector + 1) * ss, (sector + 2) * ss)),
  );
  const entries: RawDirectoryEntry[] = [];
  for (let sid = 0; sid * 128 < directory.length; sid++) {
    const base = sid * 128;
    const nameLength = directory.readUInt16LE(base + 0x40);
    const units = Math.max(0, nameLength / 2 - 1);
    let name = '';
    for (let i = 0; i < units; i++)
      name += String.fromCharCode(directory.readUInt16LE(base + 2 * i));
    entries.push({
      sid,
      name,
      type: directory[base + 0x42]!,
      color: directory[base + 0x43]!,
      left: directory.readUInt32LE(base + 0x44),
      right: directory.readUInt32LE(base + 0x48),
      child: directory.readUInt32LE(base + 0x4c),
      start: directory.readUInt32LE(base + 0x74),
      size: Number(directory.readBigUInt64LE(base + 0x78)),
    });
  }
  return { header, fat: allocation.fat, directoryChainLength: chain.sectorsWalked, entries };
}

const NOSTREAM = 0xffffffff;

/**
 * Checks one storage's sibling tree: binary-search order under the CFB comparator, black root,
 * no red node with a red child, the same number of black nodes on every path. Returns the
 * names in order. Throws with a description of the first violation.
 */
export function checkRedBlackTree(
  entries: readonly RawDirectoryEntry[],
  rootSid: number,
): string[] {
  const names: string[] = [];
  if (rootSid !== NOSTREAM && entries[rootSid]!.color !== 1) {
    throw new Error(`tree root ${rootSid} is red`);
  }
  const blackHeight = (sid: number, parentRed: boolean): number => {
    if (sid === NOSTREAM) return 1;
    const entry = entries[sid]!;
    const red = entry.color === 0;
    if (red && parentRed) throw new Error(`red entry ${sid} has a red parent`);
    const left = blackHeight(entry.left, red);
    names.push(entry.name);
    const right = blackHeight(entry.right, red);
    if (left !== right) {
      throw new Error(`entry ${sid} has black heights ${left} (left) and ${right} (right)`);
    }
    return left + (red ? 0 : 1);
  };
  blackHeight(rootSid, false);
  for (let i = 1; i < names.length; i++) {
    if (compareEntryNames(names[i - 1]!, names[i]!) >= 0) {
      throw new Error(`${JSON.stringify(names[i - 1])} is not before ${JSON.stringify(names[i])}`);
    }
  }
  return names;
}

/** Checks every storage's tree; returns how many entries the trees hold. */
export function checkAllTrees(entries: readonly RawDirectoryEntry[]): number {
  let count = 1;
  const storages = [0];
  while (storages.length > 0) {
    const sid = storages.pop()!;
    const walk = (node: number): void => {
      if (node === NOSTREAM) return;
      count++;
      const entry = entries[node]!;
      if (entry.type === 1) storages.push(node);
      walk(entry.left);
      walk(entry.right);
    };
    checkRedBlackTree(entries, entries[sid]!.child);
    walk(entries[sid]!.child);
  }
  return count;
}
