/**
 * CFHEADER, CFFOLDER and CFFILE: the cabinet's directory. docs/formats.md §6.1, [MS-CAB].
 *
 * Reads only the header region with bounded positional reads; every count and offset the file
 * declares is checked against what the cabinet can hold before anything is allocated for it.
 */
import { MalformedPackageError, NotAPackageError } from '../errors.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import { RegionReader } from './region-reader.js';

export const CAB_SIGNATURE = Buffer.from('MSCF', 'latin1');

/** cfhdrPREV_CABINET: szCabinetPrev/szDiskPrev present; this is not the first volume. */
export const CAB_FLAG_PREV_CABINET = 0x0001;
/** cfhdrNEXT_CABINET: szCabinetNext/szDiskNext present; this is not the last volume. */
export const CAB_FLAG_NEXT_CABINET = 0x0002;
/** cfhdrRESERVE_PRESENT: cbCFHeader/cbCFFolder/cbCFData and abReserve present. */
export const CAB_FLAG_RESERVE_PRESENT = 0x0004;

/** Size of CFHEADER up to and including iCabinet. */
export const CFHEADER_FIXED_SIZE = 36;
/** File offset of abReserve when RESERVE_PRESENT is set (after cbCFHeader/cbCFFolder/cbCFData). */
export const CAB_RESERVE_OFFSET = 40;
/** [MS-CAB]: cbCFHeader is at most 60,000. */
export const MAX_CABINET_RESERVE = 60_000;
/**
 * Longest name accepted, in bytes before the NUL. [MS-CAB] caps cabinet, disk and file names
 * at 255 bytes plus NUL (CB_MAX_CABINET_NAME/CB_MAX_DISK_NAME/CB_MAX_FILENAME = 256); one byte
 * of slack for producers that count without the NUL.
 */
export const MAX_NAME_BYTES = 256;

const CFFOLDER_SIZE = 8;
const CFDATA_HEADER_SIZE = 8;
/** CFFILE fixed part (16 bytes) plus at least the name's NUL. */
const CFFILE_MIN_SIZE = 17;

/** CFFILE.iFolder values that mark a file split across volumes. [MS-CAB] 2.4 */
const IFOLD_CONTINUED_FROM_PREV = 0xfffd;
const IFOLD_CONTINUED_TO_NEXT = 0xfffe;
const IFOLD_CONTINUED_PREV_AND_NEXT = 0xffff;

/** CFFILE.attribs bit: szName is UTF-8 rather than the ANSI code page. */
export const CAB_ATTRIB_NAME_IS_UTF = 0x80;

export type CabCompression = 'none' | 'mszip' | 'quantum' | 'lzx' | 'unknown';

export interface CabFolder {
  readonly index: number;
  /** File offset of this CFFOLDER entry. */
  readonly entryOffset: number;
  /** File offset of the folder's first CFDATA block. */
  readonly coffCabStart: number;
  /** Number of CFDATA blocks of this folder in this cabinet. */
  readonly cCFData: number;
  /** Raw typeCompress (low 4 bits: method; high byte: window size for Quantum/LZX). */
  readonly typeCompress: number;
  readonly compression: CabCompression;
  /** Per-folder reserve (`cbCFFolder` bytes, usually empty). */
  readonly reserve: Buffer;
}

/** How a CFFILE relates to the neighbouring volumes of a multi-cabinet set. */
export type CabFileContinuation = 'none' | 'from-previous' | 'to-next' | 'previous-and-next';

export interface DosDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export interface CabFile {
  /** Decoded name: UTF-8 when {@link CAB_ATTRIB_NAME_IS_UTF} is set, otherwise latin1. */
  readonly name: string;
  /** Stored name bytes without the NUL. */
  readonly nameBytes: Buffer;
  /** File offset of this CFFILE entry. */
  readonly entryOffset: number;
  /** Uncompressed size (cbFile). */
  readonly size: number;
  /** Uncompressed offset within the folder (uoffFolderStart). */
  readonly folderOffset: number;
  /** Raw iFolder (0xFFFD..0xFFFF are continuation markers). */
  readonly folderIndex: number;
  /** Index into `folders` the file's data lives in, resolving the continuation markers. */
  readonly folder: number;
  readonly continuation: CabFileContinuation;
  readonly date: number;
  readonly time: number;
  readonly attributes: number;
  readonly modified: DosDateTime;
}

/** szCabinetPrev/szDiskPrev or szCabinetNext/szDiskNext, decoded as latin1 (ANSI). */
export interface CabSetLink {
  readonly cabinet: string;
  readonly disk: string;
}

export interface CabHeader {
  /** Size of the whole file when parsed (includes an appended signature and trailing data). */
  readonly fileSize: number;
  /** "csumHeader" in old documents; should be 0, not covered by the signature. */
  readonly reserved1: number;
  /** Cabinet size declared by the header; excludes an appended Authenticode blob. */
  readonly cbCabinet: number;
  readonly reserved2: number;
  readonly coffFiles: number;
  readonly reserved3: number;
  readonly versionMinor: number;
  readonly versionMajor: number;
  readonly cFolders: number;
  readonly cFiles: number;
  readonly flags: number;
  readonly setID: number;
  readonly iCabinet: number;
  readonly hasReserve: boolean;
  /** Per-cabinet reserve size (0 without RESERVE_PRESENT). */
  readonly cbCFHeader: number;
  /** Per-CFFOLDER reserve size. */
  readonly cbCFFolder: number;
  /** Per-CFDATA reserve size. */
  readonly cbCFData: number;
  /** File offset of abReserve (40), or where it would be (36) without RESERVE_PRESENT. */
  readonly reserveOffset: number;
  /** abReserve: `cbCFHeader` bytes (≤ 60,000), holding the signature locator when signed. */
  readonly reserve: Buffer;
  readonly previous: CabSetLink | null;
  readonly next: CabSetLink | null;
  /** File offset of the first prev/next string (= end of the reserve). */
  readonly namesOffset: number;
  /** File offset of the CFFOLDER array (= end of the prev/next strings). */
  readonly foldersOffset: number;
  /** End of the CFFOLDER array. */
  readonly foldersEnd: number;
  /** End of the CFFILE array. */
  readonly filesEnd: number;
  readonly folders: readonly CabFolder[];
  readonly files: readonly CabFile[];
}

function malformed(message: string): MalformedPackageError {
  return new MalformedPackageError(`cabinet: ${message}`);
}

function compressionOf(typeCompress: number): CabCompression {
  switch (typeCompress & 0x000f) {
    case 0:
      return 'none';
    case 1:
      return 'mszip';
    case 2:
      return 'quantum';
    case 3:
      return 'lzx';
    default:
      return 'unknown';
  }
}

export function decodeDosDateTime(date: number, time: number): DosDateTime {
  return {
    year: 1980 + (date >>> 9),
    month: (date >>> 5) & 0x0f,
    day: date & 0x1f,
    hour: time >>> 11,
    minute: (time >>> 5) & 0x3f,
    second: (time & 0x1f) * 2,
  };
}

/**
 * Parses CFHEADER, the per-cabinet reserve, the set links, the CFFOLDER array and the CFFILE
 * array. Throws {@link NotAPackageError} when the file is not a cabinet (no "MSCF", shorter
 * than a CFHEADER) and {@link MalformedPackageError} when the structures contradict themselves
 * or the file.
 */
export async function parseCabHeader(source: RandomAccessSource): Promise<CabHeader> {
  const fileSize = source.size;
  if (fileSize < CAB_SIGNATURE.length) {
    throw new NotAPackageError(`not a cabinet: the file is only ${fileSize} bytes`);
  }
  const fixed = await source.read(0, Math.min(fileSize, CAB_RESERVE_OFFSET));
  if (!fixed.subarray(0, 4).equals(CAB_SIGNATURE)) {
    throw new NotAPackageError('not a cabinet: no "MSCF" signature');
  }
  if (fixed.length < CFHEADER_FIXED_SIZE) {
    throw new NotAPackageError(
      `not a cabinet: the file is only ${fileSize} bytes, too short for a CFHEADER`,
    );
  }

  const reserved1 = fixed.readUInt32LE(4);
  const cbCabinet = fixed.readUInt32LE(8);
  const reserved2 = fixed.readUInt32LE(12);
  const coffFiles = fixed.readUInt32LE(16);
  const reserved3 = fixed.readUInt32LE(20);
  const versionMinor = fixed[24]!;
  const versionMajor = fixed[25]!;
  const cFolders = fixed.readUInt16LE(26);
  const cFiles = fixed.readUInt16LE(28);
  const flags = fixed.readUInt16LE(30);
  const setID = fixed.readUInt16LE(32);
  const iCabinet = fixed.readUInt16LE(34);

  if (cbCabinet > fileSize) {
    throw malformed(`cbCabinet (${cbCabinet}) is larger than the ${fileSize}-byte file`);
  }
  if (cbCabinet < CFHEADER_FIXED_SIZE) {
    throw malformed(`cbCabinet (${cbCabinet}) is smaller than a CFHEADER`);
  }

  const hasReserve = (flags & CAB_FLAG_RESERVE_PRESENT) !== 0;
  let cbCFHeader = 0;
  let cbCFFolder = 0;
  let cbCFData = 0;
  let reserveOffset = CFHEADER_FIXED_SIZE;
  let reserve: Buffer = Buffer.alloc(0);
  if (hasReserve) {
    if (cbCabinet < CAB_RESERVE_OFFSET) {
      throw malformed('RESERVE_PRESENT is set but the cabinet ends before the reserve sizes');
    }
    cbCFHeader = fixed.readUInt16LE(36);
    cbCFFolder = fixed[38]!;
    cbCFData = fixed[39]!;
    reserveOffset = CAB_RESERVE_OFFSET;
    if (cbCFHeader > MAX_CABINET_RESERVE) {
      throw malformed(`cbCFHeader (${cbCFHeader}) exceeds the ${MAX_CABINET_RESERVE}-byte maximum`);
    }
    if (reserveOffset + cbCFHeader > cbCabinet) {
      throw malformed(
        `the ${cbCFHeader}-byte per-cabinet reserve runs past the end of the cabinet (${cbCabinet})`,
      );
    }
  }

  // Everything below lies inside [reserveOffset, cbCabinet): the reader turns overruns into
  // MalformedPackageError.
  const header = new RegionReader(source, reserveOffset, cbCabinet);
  if (cbCFHeader > 0) reserve = await header.bytes(cbCFHeader, 'per-cabinet reserve');

  const namesOffset = header.position;
  const readLink = async (which: string): Promise<CabSetLink> => {
    const cabinet = await header.cString(MAX_NAME_BYTES, `szCabinet${which}`);
    const disk = await header.cString(MAX_NAME_BYTES, `szDisk${which}`);
    return { cabinet: cabinet.toString('latin1'), disk: disk.toString('latin1') };
  };
  const previous = flags & CAB_FLAG_PREV_CABINET ? await readLink('Prev') : null;
  const next = flags & CAB_FLAG_NEXT_CABINET ? await readLink('Next') : null;

  const foldersOffset = header.position;
  const folderEntrySize = CFFOLDER_SIZE + cbCFFolder;
  const foldersEnd = foldersOffset + cFolders * folderEntrySize;
  if (foldersEnd > cbCabinet) {
    throw malformed(
      `${cFolders} CFFOLDER entries of ${folderEntrySize} bytes do not fit in the ${cbCabinet}-byte cabinet`,
    );
  }

  if (coffFiles < foldersEnd || coffFiles > cbCabinet) {
    throw malformed(
      `coffFiles (${coffFiles}) is outside [end of CFFOLDERs ${foldersEnd}, cbCabinet ${cbCabinet}]`,
    );
  }
  if (cFiles * CFFILE_MIN_SIZE > cbCabinet - coffFiles) {
    throw malformed(`${cFiles} CFFILE entries do not fit between coffFiles and cbCabinet`);
  }

  const rawFolders: Omit<CabFolder, 'compression'>[] = [];
  for (let index = 0; index < cFolders; index++) {
    const entryOffset = header.position;
    const coffCabStart = await header.u32('CFFOLDER.coffCabStart');
    const cCFData = await header.u16('CFFOLDER.cCFData');
    const typeCompress = await header.u16('CFFOLDER.typeCompress');
    const folderReserve =
      cbCFFolder > 0 ? await header.bytes(cbCFFolder, 'CFFOLDER reserve') : Buffer.alloc(0);
    rawFolders.push({
      index,
      entryOffset,
      coffCabStart,
      cCFData,
      typeCompress,
      reserve: folderReserve,
    });
  }

  const fileReader = new RegionReader(source, coffFiles, cbCabinet);
  const files: CabFile[] = [];
  for (let i = 0; i < cFiles; i++) {
    files.push(await readFileEntry(fileReader, cFolders));
  }
  const filesEnd = cFiles > 0 ? fileReader.position : coffFiles;

  const folders = rawFolders.map((folder): CabFolder => {
    checkFolderData(folder, filesEnd, cbCabinet, cbCFData);
    return { ...folder, compression: compressionOf(folder.typeCompress) };
  });

  return {
    fileSize,
    reserved1,
    cbCabinet,
    reserved2,
    coffFiles,
    reserved3,
    versionMinor,
    versionMajor,
    cFolders,
    cFiles,
    flags,
    setID,
    iCabinet,
    hasReserve,
    cbCFHeader,
    cbCFFolder,
    cbCFData,
    reserveOffset,
    reserve,
    previous,
    next,
    namesOffset,
    foldersOffset,
    foldersEnd,
    filesEnd,
    folders,
    files,
  };
}

async function readFileEntry(reader: RegionReader, cFolders: number): Promise<CabFile> {
  const entryOffset = reader.position;
  const size = await reader.u32('CFFILE.cbFile');
  const folderOffset = await reader.u32('CFFILE.uoffFolderStart');
  const folderIndex = await reader.u16('CFFILE.iFolder');
  const date = await reader.u16('CFFILE.date');
  const time = await reader.u16('CFFILE.time');
  const attributes = await reader.u16('CFFILE.attribs');
  const nameBytes = await reader.cString(MAX_NAME_BYTES, 'CFFILE.szName');

  let continuation: CabFileContinuation = 'none';
  let folder = folderIndex;
  switch (folderIndex) {
    case IFOLD_CONTINUED_FROM_PREV:
      continuation = 'from-previous';
      folder = 0;
      break;
    case IFOLD_CONTINUED_TO_NEXT:
      continuation = 'to-next';
      folder = cFolders - 1;
      break;
    case IFOLD_CONTINUED_PREV_AND_NEXT:
      continuation = 'previous-and-next';
      folder = 0;
      break;
  }
  if (folder < 0 || folder >= cFolders) {
    throw malformed(
      `CFFILE at offset ${entryOffset} refers to folder ${folderIndex} but the cabinet has ${cFolders}`,
    );
  }

  const name =
    attributes & CAB_ATTRIB_NAME_IS_UTF ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
  return {
    name,
    nameBytes,
    entryOffset,
    size,
    folderOffset,
    folderIndex,
    folder,
    continuation,
    date,
    time,
    attributes,
    modified: decodeDosDateTime(date, time),
  };
}

/**
 * A folder's data must start after the directory (after the last CFFILE) and inside the
 * cabinet, with room for its declared CFDATA headers. Catches osslsigncode 2.6's unshifted
 * coffCabStart (docs/formats.md §8.3).
 */
function checkFolderData(
  folder: Omit<CabFolder, 'compression'>,
  directoryEnd: number,
  cbCabinet: number,
  cbCFData: number,
): void {
  const { index, coffCabStart, cCFData } = folder;
  const endLimit = cCFData === 0 ? cbCabinet + 1 : cbCabinet;
  if (coffCabStart < directoryEnd || coffCabStart >= endLimit) {
    throw malformed(
      `CFFOLDER ${index} data offset ${coffCabStart} is outside [end of CFFILEs ${directoryEnd}, cbCabinet ${cbCabinet})`,
    );
  }
  if (cCFData * (CFDATA_HEADER_SIZE + cbCFData) > cbCabinet - coffCabStart) {
    throw malformed(
      `CFFOLDER ${index} declares ${cCFData} CFDATA blocks that do not fit between offset ${coffCabStart} and cbCabinet ${cbCabinet}`,
    );
  }
}
