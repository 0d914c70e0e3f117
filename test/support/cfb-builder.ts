/**
 * A small compound-file writer for tests. It lays a tree of storages and streams out into
 * sectors and returns an editable image — header fields, FAT, mini FAT, DIFAT, directory entries
 * — so that a test can damage any structure and serialize the result with `toBytes()`.
 * Written for clarity, not speed; it is not the product's CFB writer.
 */

const ENDOFCHAIN = 0xfffffffe;
const FREESECT = 0xffffffff;
const FATSECT = 0xfffffffd;
const DIFSECT = 0xfffffffc;
export const NOSTREAM = 0xffffffff;

export interface EntryMetadata {
  clsid?: Uint8Array;
  stateBits?: Uint8Array;
  creationTime?: Uint8Array;
  modifiedTime?: Uint8Array;
}

export interface StreamSpec extends EntryMetadata {
  kind: 'stream';
  name: string;
  data: Uint8Array;
}

export interface StorageSpec extends EntryMetadata {
  kind: 'storage';
  name: string;
  children: NodeSpec[];
}

export type NodeSpec = StreamSpec | StorageSpec;

export function stream(
  name: string,
  data: Uint8Array | string,
  metadata: EntryMetadata = {},
): StreamSpec {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return { kind: 'stream', name, data: bytes, ...metadata };
}

export function storage(
  name: string,
  children: NodeSpec[],
  metadata: EntryMetadata = {},
): StorageSpec {
  return { kind: 'storage', name, children, ...metadata };
}

export interface BuildOptions {
  version?: 3 | 4;
  rootClsid?: Uint8Array;
  rootStateBits?: Uint8Array;
  rootModifiedTime?: Uint8Array;
  /**
   * Where regular (≥ 4096-byte) streams' sectors go: one after the other, each data sector
   * followed by a free one, or in descending order (every sector its own extent).
   */
  layout?: 'sequential' | 'gapped' | 'reversed';
  /** FAT sectors beyond what the file needs (all FREESECT): makes small files use the DIFAT. */
  extraFatSectors?: number;
}

/** A directory entry as raw fields; tests edit these before `toBytes()`. */
export interface RawEntry {
  name: string;
  /** Name length field; defaults to 2 × (units + 1). */
  nameLength?: number;
  type: number;
  color: number;
  left: number;
  right: number;
  child: number;
  clsid: Uint8Array;
  stateBits: Uint8Array;
  creationTime: Uint8Array;
  modifiedTime: Uint8Array;
  start: number;
  size: bigint;
}

export interface CfbHeaderFields {
  signature: Uint8Array;
  minorVersion: number;
  majorVersion: number;
  byteOrder: number;
  sectorShift: number;
  miniSectorShift: number;
  directorySectorCount: number;
  fatSectorCount: number;
  firstDirectorySector: number;
  miniStreamCutoff: number;
  firstMiniFatSector: number;
  miniFatSectorCount: number;
  firstDifatSector: number;
  difatSectorCount: number;
  /** 109 slots. */
  difat: number[];
}

export interface CfbImage {
  readonly sectorSize: number;
  header: CfbHeaderFields;
  /** Every FAT entry (fatSectorCount × sectorSize/4). */
  fat: number[];
  /** Sector numbers holding the FAT, in order. */
  fatSectors: number[];
  miniFat: number[];
  miniFatSectors: number[];
  /** DIFAT sectors: sector number and its sectorSize/4 u32 values (next pointer last). */
  difatSectors: { sector: number; values: number[] }[];
  directory: RawEntry[];
  directorySectors: number[];
  /** Contents of stream and mini-stream sectors, by sector number. */
  data: Map<number, Uint8Array>;
  /** Sectors in the file (not counting the header). */
  sectorCount: number;
  /** SID of the entry at this path ('' = root; names joined with '/'). */
  sid(path: string): number;
  /** File offset of regular sector `n`. */
  sectorOffset(sector: number): number;
  toBytes(): Uint8Array;
}

/** CFB tree order (MS-CFB §2.6.4): shorter first, then code units after upper-casing. */
function treeCompare(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  const ua = a.toUpperCase();
  const ub = b.toUpperCase();
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

const zero = (n: number): Uint8Array => new Uint8Array(n);

export function buildCfb(children: NodeSpec[], options: BuildOptions = {}): CfbImage {
  const version = options.version ?? 3;
  const ss = version === 3 ? 512 : 4096;
  const perSector = ss / 4;

  // ---- directory entries (SIDs in depth-first order) ----
  const directory: RawEntry[] = [];
  const paths = new Map<string, number>();
  const specs: (NodeSpec | null)[] = [];
  const rawEntry = (name: string, type: number, meta: EntryMetadata): RawEntry => ({
    name,
    type,
    color: 1,
    left: NOSTREAM,
    right: NOSTREAM,
    child: NOSTREAM,
    clsid: meta.clsid ?? zero(16),
    stateBits: meta.stateBits ?? zero(4),
    creationTime: meta.creationTime ?? zero(8),
    modifiedTime: meta.modifiedTime ?? zero(8),
    start: 0,
    size: 0n,
  });
  directory.push(
    rawEntry('Root Entry', 5, {
      clsid: options.rootClsid,
      stateBits: options.rootStateBits,
      modifiedTime: options.rootModifiedTime,
    }),
  );
  specs.push(null);
  paths.set('', 0);

  const addChildren = (parentSid: number, parentPath: string, kids: NodeSpec[]): void => {
    const kidSids: number[] = [];
    for (const kid of kids) {
      const sid = directory.length;
      directory.push(rawEntry(kid.name, kid.kind === 'storage' ? 1 : 2, kid));
      specs.push(kid);
      const path = parentPath === '' ? kid.name : `${parentPath}/${kid.name}`;
      paths.set(path, sid);
      kidSids.push(sid);
    }
    const sids = [...kidSids].sort((x, y) => treeCompare(directory[x]!.name, directory[y]!.name));
    // Balanced binary search tree over the sorted siblings.
    const link = (lo: number, hi: number): number => {
      if (lo > hi) return NOSTREAM;
      const mid = Math.floor((lo + hi) / 2);
      const sid = sids[mid]!;
      directory[sid]!.left = link(lo, mid - 1);
      directory[sid]!.right = link(mid + 1, hi);
      return sid;
    };
    directory[parentSid]!.child = link(0, sids.length - 1);
    kids.forEach((kid, i) => {
      if (kid.kind === 'storage') {
        addChildren(
          kidSids[i]!,
          parentPath === '' ? kid.name : `${parentPath}/${kid.name}`,
          kid.children,
        );
      }
    });
  };
  addChildren(0, '', children);

  // ---- sector allocation ----
  const fatMap = new Map<number, number>(); // sector -> FAT value
  const data = new Map<number, Uint8Array>();
  let next = 0;
  const allocate = (): number => next++;
  const chainOf = (sectors: number[]): void => {
    sectors.forEach((s, i) => fatMap.set(s, i + 1 < sectors.length ? sectors[i + 1]! : ENDOFCHAIN));
  };
  const writeSectors = (sectors: number[], bytes: Uint8Array): void => {
    sectors.forEach((s, i) => {
      const chunk = new Uint8Array(ss);
      chunk.set(bytes.subarray(i * ss, (i + 1) * ss));
      data.set(s, chunk);
    });
  };

  const layout = options.layout ?? 'sequential';
  const miniParts: Uint8Array[] = [];
  let miniSectors = 0;
  const miniFat: number[] = [];
  for (const [sid, spec] of specs.entries()) {
    if (spec === null || spec.kind !== 'stream') continue;
    const entry = directory[sid]!;
    entry.size = BigInt(spec.data.length);
    if (spec.data.length === 0) {
      entry.start = ENDOFCHAIN;
    } else if (spec.data.length < 4096) {
      const count = Math.ceil(spec.data.length / 64);
      entry.start = miniSectors;
      for (let i = 0; i < count; i++)
        miniFat.push(i + 1 < count ? miniSectors + i + 1 : ENDOFCHAIN);
      const padded = new Uint8Array(count * 64);
      padded.set(spec.data);
      miniParts.push(padded);
      miniSectors += count;
    } else {
      const count = Math.ceil(spec.data.length / ss);
      const sectors: number[] = [];
      if (layout === 'reversed') {
        const first = next;
        next += count;
        for (let i = count - 1; i >= 0; i--) sectors.push(first + i);
      } else {
        for (let i = 0; i < count; i++) {
          sectors.push(allocate());
          if (layout === 'gapped') fatMap.set(allocate(), FREESECT);
        }
      }
      entry.start = sectors[0]!;
      chainOf(sectors);
      writeSectors(sectors, spec.data);
    }
  }

  const miniStream = new Uint8Array(miniSectors * 64);
  let offset = 0;
  for (const part of miniParts) {
    miniStream.set(part, offset);
    offset += part.length;
  }
  const root = directory[0]!;
  root.size = BigInt(miniStream.length);
  root.start = ENDOFCHAIN;
  if (miniStream.length > 0) {
    const sectors = Array.from({ length: Math.ceil(miniStream.length / ss) }, allocate);
    root.start = sectors[0]!;
    chainOf(sectors);
    writeSectors(sectors, miniStream);
  }

  let miniFatSectors: number[] = [];
  if (miniFat.length > 0) {
    miniFatSectors = Array.from({ length: Math.ceil(miniFat.length / perSector) }, allocate);
    chainOf(miniFatSectors);
    while (miniFat.length < miniFatSectors.length * perSector) miniFat.push(FREESECT);
  }

  const directorySectorCount = Math.ceil(directory.length / (ss / 128));
  const directorySectors = Array.from({ length: directorySectorCount }, allocate);
  chainOf(directorySectors);

  // FAT and DIFAT sectors describe themselves: grow until stable.
  let fatCount = 0;
  let difatCount = 0;
  for (;;) {
    const total = next + fatCount + difatCount;
    const needFat = Math.ceil(total / perSector) + (options.extraFatSectors ?? 0);
    const needDifat = needFat > 109 ? Math.ceil((needFat - 109) / (perSector - 1)) : 0;
    if (needFat === fatCount && needDifat === difatCount) break;
    fatCount = needFat;
    difatCount = needDifat;
  }
  const fatSectors = Array.from({ length: fatCount }, allocate);
  const difatSectorNumbers = Array.from({ length: difatCount }, allocate);
  for (const s of fatSectors) fatMap.set(s, FATSECT);
  for (const s of difatSectorNumbers) fatMap.set(s, DIFSECT);
  const sectorCount = next;

  const fat: number[] = Array.from(
    { length: fatCount * perSector },
    (_, i) => fatMap.get(i) ?? FREESECT,
  );
  const headerDifat = Array.from({ length: 109 }, (_, i) =>
    i < fatCount ? fatSectors[i]! : FREESECT,
  );
  const difatSectors = difatSectorNumbers.map((sector, i) => {
    const values: number[] = [];
    for (let j = 0; j < perSector - 1; j++) {
      const index = 109 + i * (perSector - 1) + j;
      values.push(index < fatCount ? fatSectors[index]! : FREESECT);
    }
    values.push(i + 1 < difatSectorNumbers.length ? difatSectorNumbers[i + 1]! : ENDOFCHAIN);
    return { sector, values };
  });

  const header: CfbHeaderFields = {
    signature: Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1),
    minorVersion: 0x3e,
    majorVersion: version,
    byteOrder: 0xfffe,
    sectorShift: version === 3 ? 9 : 12,
    miniSectorShift: 6,
    directorySectorCount: version === 4 ? directorySectorCount : 0,
    fatSectorCount: fatCount,
    firstDirectorySector: directorySectors[0]!,
    miniStreamCutoff: 4096,
    firstMiniFatSector: miniFatSectors[0] ?? ENDOFCHAIN,
    miniFatSectorCount: miniFatSectors.length,
    firstDifatSector: difatSectorNumbers[0] ?? ENDOFCHAIN,
    difatSectorCount: difatCount,
    difat: headerDifat,
  };

  const image: CfbImage = {
    sectorSize: ss,
    header,
    fat,
    fatSectors,
    miniFat,
    miniFatSectors,
    difatSectors,
    directory,
    directorySectors,
    data,
    sectorCount,
    sid(path: string): number {
      const sid = paths.get(path);
      if (sid === undefined) throw new Error(`no entry ${path}`);
      return sid;
    },
    sectorOffset: (sector) => (sector + 1) * ss,
    toBytes: () => serialize(image),
  };
  return image;
}

function serialize(image: CfbImage): Uint8Array {
  const ss = image.sectorSize;
  const out = new Uint8Array((image.sectorCount + 1) * ss);
  const view = new DataView(out.buffer);
  const h = image.header;
  out.set(h.signature.subarray(0, 8), 0);
  view.setUint16(0x18, h.minorVersion, true);
  view.setUint16(0x1a, h.majorVersion, true);
  view.setUint16(0x1c, h.byteOrder, true);
  view.setUint16(0x1e, h.sectorShift, true);
  view.setUint16(0x20, h.miniSectorShift, true);
  view.setUint32(0x28, h.directorySectorCount, true);
  view.setUint32(0x2c, h.fatSectorCount, true);
  view.setUint32(0x30, h.firstDirectorySector, true);
  view.setUint32(0x38, h.miniStreamCutoff, true);
  view.setUint32(0x3c, h.firstMiniFatSector, true);
  view.setUint32(0x40, h.miniFatSectorCount, true);
  view.setUint32(0x44, h.firstDifatSector, true);
  view.setUint32(0x48, h.difatSectorCount, true);
  h.difat.forEach((v, i) => view.setUint32(0x4c + 4 * i, v, true));

  const at = (sector: number): number => (sector + 1) * ss;
  for (const [sector, bytes] of image.data) out.set(bytes, at(sector));

  const writeU32s = (sectors: number[], values: number[]): void => {
    const perSector = ss / 4;
    sectors.forEach((sector, i) => {
      for (let j = 0; j < perSector; j++) {
        view.setUint32(at(sector) + 4 * j, values[i * perSector + j] ?? FREESECT, true);
      }
    });
  };
  writeU32s(image.fatSectors, image.fat);
  writeU32s(image.miniFatSectors, image.miniFat);
  for (const { sector, values } of image.difatSectors) writeU32s([sector], values);

  const entriesPerSector = ss / 128;
  image.directorySectors.forEach((sector, i) => {
    for (let j = 0; j < entriesPerSector; j++) {
      const base = at(sector) + 128 * j;
      const entry = image.directory[i * entriesPerSector + j];
      if (entry === undefined) {
        view.setUint32(base + 0x44, NOSTREAM, true);
        view.setUint32(base + 0x48, NOSTREAM, true);
        view.setUint32(base + 0x4c, NOSTREAM, true);
        continue;
      }
      for (let k = 0; k < Math.min(entry.name.length, 32); k++) {
        view.setUint16(base + 2 * k, entry.name.charCodeAt(k), true);
      }
      view.setUint16(base + 0x40, entry.nameLength ?? 2 * (entry.name.length + 1), true);
      out[base + 0x42] = entry.type;
      out[base + 0x43] = entry.color;
      view.setUint32(base + 0x44, entry.left, true);
      view.setUint32(base + 0x48, entry.right, true);
      view.setUint32(base + 0x4c, entry.child, true);
      out.set(entry.clsid, base + 0x50);
      out.set(entry.stateBits, base + 0x60);
      out.set(entry.creationTime, base + 0x64);
      out.set(entry.modifiedTime, base + 0x6c);
      view.setUint32(base + 0x74, entry.start, true);
      view.setBigUint64(base + 0x78, entry.size, true);
    }
  });
  return out;
}
