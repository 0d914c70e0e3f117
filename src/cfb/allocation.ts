import { endianness } from 'node:os';
import { MalformedPackageError } from '../errors.js';
import { ReadPastEndError, type RandomAccessSource } from '../io/random-access-file.js';
import {
  ENDOFCHAIN,
  FREESECT,
  HEADER_DIFAT_SLOTS,
  MAXREGSECT,
  MINI_SECTOR_SIZE,
} from './constants.js';
import { Extents } from './extents.js';
import type { CfbHeader } from './header.js';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Positional read that reports a read outside the file as a malformed package. */
export async function readExact(
  source: RandomAccessSource,
  target: Uint8Array,
  offset: number,
  length: number,
  position: number,
  what: string,
): Promise<void> {
  try {
    await source.readInto(target, offset, length, position);
  } catch (error) {
    if (error instanceof ReadPastEndError) {
      throw new MalformedPackageError(`${what} lies outside the file (${error.message})`);
    }
    throw error;
  }
}

/** Reads u32 little-endian values from `bytes` into `target` starting at `targetIndex`. */
function copyU32(bytes: Uint8Array, target: Uint32Array, targetIndex: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 4 <= bytes.byteLength; i += 4)
    target[targetIndex + i / 4] = view.getUint32(i, true);
}

/** Reads whole sectors (in the order given) into one u32 array, coalescing contiguous runs. */
export async function readSectorsAsU32(
  source: RandomAccessSource,
  sectors: readonly number[],
  sectorSize: number,
  what: string,
): Promise<Uint32Array> {
  const entriesPerSector = sectorSize / 4;
  const out = new Uint32Array(sectors.length * entriesPerSector);
  const outBytes = new Uint8Array(out.buffer);
  for (let i = 0; i < sectors.length;) {
    let run = 1;
    while (i + run < sectors.length && sectors[i + run] === sectors[i]! + run) run++;
    const position = (sectors[i]! + 1) * sectorSize;
    const length = run * sectorSize;
    if (LITTLE_ENDIAN_HOST) {
      await readExact(source, outBytes, i * sectorSize, length, position, what);
    } else {
      const bytes = new Uint8Array(length);
      await readExact(source, bytes, 0, length, position, what);
      copyU32(bytes, out, i * entriesPerSector);
    }
    i += run;
  }
  return out;
}

/**
 * The file's sector geometry and its File Allocation Table, with bounded, cycle-checked chain
 * walks. docs/formats.md §1.4, §1.7.
 *
 * Every walk claims the sectors it visits: MS-CFB §2.3 lets a sector belong to one chain only,
 * and a file whose streams share ("cross-link") one chain would otherwise turn a few MB into
 * gigabytes of stream content to read and hash (issue 20, item 1). Each chain of an open is
 * walked once, so a sector that an earlier walk (or the FAT/DIFAT itself) claimed is a
 * cross-link and the file is malformed. One stamp per sector: memory is 4 bytes per sector,
 * the same bitmap that detects cycles.
 */
export class SectorAllocation {
  /** Sectors that start inside the file (the last one may be short). */
  readonly sectorCount: number;
  private stamps: Uint32Array | undefined;
  private generation = 0;
  /** What each walk (generation) was for, to name both owners of a cross-linked sector. */
  private readonly owners: string[] = [''];

  constructor(
    readonly sectorSize: number,
    readonly fileSize: number,
    readonly fat: Uint32Array,
  ) {
    this.sectorCount = Math.max(0, Math.ceil((fileSize - sectorSize) / sectorSize));
  }

  sectorOffset(sector: number): number {
    return (sector + 1) * this.sectorSize;
  }

  /**
   * Extents of the regular-sector chain starting at `start`.
   * With `byteLength`, exactly `ceil(byteLength / sectorSize)` sectors are taken and the last
   * run is trimmed to `byteLength`; `longerThanNeeded` tells whether the chain continued.
   * Without it, the chain is followed to ENDOFCHAIN.
   */
  chain(
    start: number,
    byteLength: number | null,
    what: string,
    collectSectors = false,
  ): { extents: Extents; sectors: number[]; sectorsWalked: number; longerThanNeeded: boolean } {
    const ss = this.sectorSize;
    const needed = byteLength === null ? null : Math.ceil(byteLength / ss);
    if (needed !== null && needed > this.sectorCount) {
      throw new MalformedPackageError(
        `${what} declares ${byteLength} bytes (${needed} sectors) but the file has only ${this.sectorCount} sectors`,
      );
    }
    const sectors: number[] = [];
    if (needed === 0) {
      return { extents: Extents.empty, sectors, sectorsWalked: 0, longerThanNeeded: false };
    }

    // A generation stamp per walk detects a revisit (= a cycle: the FAT is a function) in O(1);
    // a stamp from another walk is a sector claimed twice (a cross-link).
    const stamps = this.claimStamps();
    const generation = this.newOwner(what);
    const builder = Extents.builder();
    let sector = start;
    let walked = 0;
    let longerThanNeeded = false;
    while (true) {
      if (sector === ENDOFCHAIN) {
        if (needed !== null) {
          throw new MalformedPackageError(
            `${what} declares ${byteLength} bytes but its sector chain ends after ${walked} of ${needed} sectors`,
          );
        }
        break;
      }
      if (sector > MAXREGSECT) {
        throw new MalformedPackageError(
          `${what} sector chain contains the marker 0x${sector.toString(16)} after ${walked} sectors`,
        );
      }
      if (sector >= this.sectorCount) {
        throw new MalformedPackageError(
          `${what} uses sector ${sector}, beyond the end of the file (${this.sectorCount} sectors)`,
        );
      }
      if (sector >= this.fat.length) {
        throw new MalformedPackageError(
          `${what} uses sector ${sector}, which the FAT does not describe`,
        );
      }
      if (stamps[sector] === generation) {
        throw new MalformedPackageError(`${what} sector chain loops back to sector ${sector}`);
      }
      if (stamps[sector] !== 0) {
        throw new MalformedPackageError(
          `${what} uses sector ${sector}, which already belongs to ${this.owners[stamps[sector]!]} (cross-linked sector chains)`,
        );
      }
      stamps[sector] = generation;
      walked++;
      if (collectSectors) sectors.push(sector);
      const offset = this.sectorOffset(sector);
      const last = needed !== null && walked === needed;
      const length = last ? byteLength! - (needed - 1) * ss : ss;
      // Only the file's final sector can be short; it may hold the end of a stream.
      if (offset + length > this.fileSize) {
        throw new MalformedPackageError(
          `${what} needs ${length} bytes of sector ${sector}, which the file cuts short`,
        );
      }
      builder.add(offset, length);
      if (last) {
        longerThanNeeded = this.fat[sector] !== ENDOFCHAIN;
        break;
      }
      sector = this.fat[sector]!;
    }
    return { extents: builder.build(), sectors, sectorsWalked: walked, longerThanNeeded };
  }

  /**
   * Claims sectors that hold allocation structures (FAT, DIFAT), so that a stream chain
   * running into them is a cross-link. Called before any chain walk.
   */
  reserve(sectors: Iterable<number>, what: string): void {
    const stamps = this.claimStamps();
    const generation = this.newOwner(what);
    for (const sector of sectors) {
      if (sector >= stamps.length) continue; // loadFat has checked the range already
      if (stamps[sector] !== 0) {
        throw new MalformedPackageError(
          `sector ${sector} of ${what} already belongs to ${this.owners[stamps[sector]!]}`,
        );
      }
      stamps[sector] = generation;
    }
  }

  private claimStamps(): Uint32Array {
    this.stamps ??= new Uint32Array(this.sectorCount);
    return this.stamps;
  }

  private newOwner(what: string): number {
    this.owners.push(what);
    return ++this.generation;
  }

  /** Bytes after the end of the last sector the FAT marks as used (docs/formats.md §1.8). */
  trailingBytes(): number {
    let last = -1;
    for (let i = this.fat.length - 1; i >= 0; i--) {
      if (this.fat[i] !== FREESECT) {
        last = i;
        break;
      }
    }
    return Math.max(0, this.fileSize - (last + 2) * this.sectorSize);
  }
}

/** Locates and loads the FAT through the header DIFAT and the DIFAT chain (§1.4). */
export async function loadFat(
  source: RandomAccessSource,
  header: CfbHeader,
  warnings: string[],
): Promise<SectorAllocation> {
  const ss = header.sectorSize;
  const sectorCount = Math.max(0, Math.ceil((source.size - ss) / ss));
  const fatCount = header.fatSectorCount;
  if (fatCount === 0)
    throw new MalformedPackageError('compound file header declares no FAT sectors');
  if (fatCount > sectorCount) {
    throw new MalformedPackageError(
      `compound file header declares ${fatCount} FAT sectors but the file has only ${sectorCount} sectors`,
    );
  }

  const fatSectors: number[] = [];
  const seen = new Set<number>();
  const difatSectors = new Set<number>();
  const addFatSector = (sector: number, where: string): void => {
    if (sector > MAXREGSECT || sector >= sectorCount) {
      throw new MalformedPackageError(
        `${where} places FAT sector #${fatSectors.length} at 0x${sector.toString(16)}, outside the file's ${sectorCount} sectors`,
      );
    }
    if (seen.has(sector)) {
      throw new MalformedPackageError(`sector ${sector} is listed twice as a FAT sector`);
    }
    seen.add(sector);
    fatSectors.push(sector);
  };

  for (let i = 0; i < Math.min(fatCount, HEADER_DIFAT_SLOTS); i++) {
    addFatSector(header.headerDifat[i]!, 'the header DIFAT');
  }

  if (fatCount > HEADER_DIFAT_SLOTS) {
    const perSector = ss / 4 - 1;
    const neededDifat = Math.ceil((fatCount - HEADER_DIFAT_SLOTS) / perSector);
    if (header.difatSectorCount !== neededDifat) {
      warnings.push(
        `header declares ${header.difatSectorCount} DIFAT sectors; ${fatCount} FAT sectors need ${neededDifat}`,
      );
    }
    const difatSeen = difatSectors;
    const buffer = new Uint8Array(ss);
    const view = new DataView(buffer.buffer);
    let difatSector = header.firstDifatSector;
    // Bounded: every step adds perSector FAT sectors, and fatCount ≤ sectorCount.
    for (let step = 0; step < neededDifat; step++) {
      if (difatSector > MAXREGSECT || difatSector >= sectorCount) {
        throw new MalformedPackageError(
          `DIFAT chain ends (0x${difatSector.toString(16)}) after ${step} of ${neededDifat} sectors`,
        );
      }
      if (difatSeen.has(difatSector)) {
        throw new MalformedPackageError(`DIFAT chain loops back to sector ${difatSector}`);
      }
      difatSeen.add(difatSector);
      await readExact(source, buffer, 0, ss, (difatSector + 1) * ss, `DIFAT sector ${difatSector}`);
      for (let i = 0; i < perSector && fatSectors.length < fatCount; i++) {
        addFatSector(view.getUint32(4 * i, true), `DIFAT sector ${difatSector}`);
      }
      difatSector = view.getUint32(ss - 4, true);
    }
  }

  const fat = await readSectorsAsU32(source, fatSectors, ss, 'FAT sector');
  const allocation = new SectorAllocation(ss, source.size, fat);
  allocation.reserve(fatSectors, 'the FAT');
  allocation.reserve(difatSectors, 'the DIFAT');
  return allocation;
}

/**
 * The mini stream (inside the root entry's chain) and its mini FAT (§1.4): maps a small stream's
 * mini-sector chain to file extents.
 */
export class MiniAllocation {
  private stamps: Uint32Array | undefined;
  private generation = 0;
  /** What each walk was for: mini sectors are claimed like regular ones (no cross-links). */
  private readonly owners: string[] = [''];

  constructor(
    readonly miniFat: Uint32Array,
    /** The mini stream container's extents in the file. */
    readonly container: Extents,
  ) {}

  chain(start: number, byteLength: number, what: string): Extents {
    if (byteLength === 0) return Extents.empty;
    const needed = Math.ceil(byteLength / MINI_SECTOR_SIZE);
    const containerSize = this.container.totalLength;
    if (byteLength > containerSize) {
      throw new MalformedPackageError(
        `${what} declares ${byteLength} bytes but the mini stream holds only ${containerSize}`,
      );
    }
    this.stamps ??= new Uint32Array(
      Math.min(this.miniFat.length, Math.ceil(containerSize / MINI_SECTOR_SIZE)),
    );
    const generation = ++this.generation;
    this.owners.push(what);
    const builder = Extents.builder();
    let sector = start;
    for (let i = 0; i < needed; i++) {
      const length = i === needed - 1 ? byteLength - i * MINI_SECTOR_SIZE : MINI_SECTOR_SIZE;
      if (sector === ENDOFCHAIN) {
        throw new MalformedPackageError(
          `${what} declares ${byteLength} bytes but its mini sector chain ends after ${i} of ${needed} sectors`,
        );
      }
      if (sector > MAXREGSECT) {
        throw new MalformedPackageError(
          `${what} mini sector chain contains the marker 0x${sector.toString(16)}`,
        );
      }
      const position = sector * MINI_SECTOR_SIZE;
      if (position + length > containerSize) {
        throw new MalformedPackageError(
          `${what} uses mini sector ${sector}, outside the ${containerSize}-byte mini stream`,
        );
      }
      if (sector >= this.miniFat.length) {
        throw new MalformedPackageError(
          `${what} uses mini sector ${sector}, which the mini FAT does not describe`,
        );
      }
      if (this.stamps[sector] === generation) {
        throw new MalformedPackageError(
          `${what} mini sector chain loops back to mini sector ${sector}`,
        );
      }
      if (this.stamps[sector] !== 0) {
        throw new MalformedPackageError(
          `${what} uses mini sector ${sector}, which already belongs to ${this.owners[this.stamps[sector]!]} (cross-linked mini sector chains)`,
        );
      }
      this.stamps[sector] = generation;
      // A mini sector never straddles a regular sector: sector sizes are multiples of 64.
      builder.add(this.container.fileOffsetOf(position), length);
      if (i < needed - 1) sector = this.miniFat[sector]!;
    }
    return builder.build();
  }
}
