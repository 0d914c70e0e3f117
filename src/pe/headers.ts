/**
 * PE/COFF headers as the Authenticode digest and the loader read them (Microsoft "PE Format":
 * MS-DOS stub, signature, COFF file header, optional header, data directories, section table).
 * Everything is read by position and checked against the file size here, once; what comes
 * back can be trusted by the digest plan and the page hashes.
 */
import { MalformedPackageError, NotAPackageError } from '../errors.js';
import type { RandomAccessSource } from '../io/random-access-file.js';

/** Size of the MS-DOS header; e_lfanew is its last field (offset 0x3C). */
const DOS_HEADER_BYTES = 64;
/** "PE\0\0" and the 20-byte COFF file header. */
const PE_SIGNATURE_AND_FILE_HEADER_BYTES = 24;
const SECTION_HEADER_BYTES = 40;
/** Optional header bytes before the data directories: PE32 and PE32+. */
const OPTIONAL_HEADER_FIXED = { PE32: 96, 'PE32+': 112 } as const;
/** The Certificate Table is data directory 4 (IMAGE_DIRECTORY_ENTRY_SECURITY). */
const CERTIFICATE_DIRECTORY_INDEX = 4;
/** Windows loads at most 65535 sections (the COFF field is 16 bits). */
export const MAX_SECTIONS = 0xffff;

export type PeFormat = 'PE32' | 'PE32+';

export interface PeSection {
  /** Up to 8 bytes of the name, as Latin-1, without trailing NULs. */
  name: string;
  virtualAddress: number;
  virtualSize: number;
  pointerToRawData: number;
  sizeOfRawData: number;
  characteristics: number;
}

/** Where the attribute certificate table is, from its data directory entry. */
export interface CertificateDirectory {
  /** File offset of the directory entry itself (8 bytes the digest skips). */
  entryOffset: number;
  /** VirtualAddress: for this directory a file offset, not an RVA. */
  offset: number;
  size: number;
}

export interface PeImage {
  /** File size. */
  size: number;
  /** e_lfanew: where "PE\0\0" is. */
  peOffset: number;
  machine: number;
  numberOfSections: number;
  timeDateStamp: number;
  characteristics: number;
  format: PeFormat;
  /** File offset of the optional header and its declared size. */
  optionalHeaderOffset: number;
  sizeOfOptionalHeader: number;
  /** File offset of the 4-byte CheckSum field (the digest skips it). */
  checksumOffset: number;
  checksum: number;
  subsystem: number;
  dllCharacteristics: number;
  fileAlignment: number;
  sectionAlignment: number;
  sizeOfHeaders: number;
  numberOfRvaAndSizes: number;
  /** Null when the optional header has fewer than 5 data directories (no Certificate Table). */
  certificateDirectory: CertificateDirectory | null;
  sections: PeSection[];
  /** End of the last section's raw data (at least the end of the section table). */
  endOfSections: number;
}

/** What detection needs: does the file start like a PE image? */
export type PeProbe = 'pe' | 'truncated' | 'not-pe';

/**
 * "MZ" and, where e_lfanew points, "PE\0\0". A file cut short before either can be read is
 * `truncated` (a damaged PE); a DOS or 16-bit executable (NE, LE) is `not-pe`.
 */
export async function probePe(source: RandomAccessSource): Promise<PeProbe> {
  if (source.size < DOS_HEADER_BYTES) return 'truncated';
  const dos = await source.read(0, DOS_HEADER_BYTES);
  if (dos[0] !== 0x4d || dos[1] !== 0x5a) return 'not-pe';
  const peOffset = dos.readUInt32LE(0x3c);
  if (peOffset + 4 > source.size) return 'truncated';
  const signature = await source.read(peOffset, 4);
  return signature.equals(PE_SIGNATURE) ? 'pe' : 'not-pe';
}

const PE_SIGNATURE = Buffer.from('PE\0\0', 'latin1');

/**
 * Reads and checks the headers and the section table. Throws MalformedPackageError naming
 * the first inconsistency (truncation, a header larger than the file, raw data past the end).
 */
export async function parsePeHeaders(source: RandomAccessSource): Promise<PeImage> {
  const size = source.size;
  const malformed = (message: string) => new MalformedPackageError(`PE file: ${message}`);
  if (size < DOS_HEADER_BYTES) {
    throw malformed(
      `${size} bytes is shorter than the 64-byte MS-DOS header; the file is truncated`,
    );
  }
  const dos = await source.read(0, DOS_HEADER_BYTES);
  if (dos[0] !== 0x4d || dos[1] !== 0x5a)
    throw new NotAPackageError('the file does not start with "MZ"');
  const peOffset = dos.readUInt32LE(0x3c);
  if (peOffset + PE_SIGNATURE_AND_FILE_HEADER_BYTES > size) {
    throw malformed(
      `e_lfanew points to offset ${peOffset}, but the PE signature and COFF header need ${PE_SIGNATURE_AND_FILE_HEADER_BYTES} bytes there and the file has ${size}; it is truncated or damaged`,
    );
  }
  const fileHeader = await source.read(peOffset, PE_SIGNATURE_AND_FILE_HEADER_BYTES);
  if (!fileHeader.subarray(0, 4).equals(PE_SIGNATURE)) {
    throw new NotAPackageError(
      'an MS-DOS or 16-bit executable (no "PE\\0\\0" where e_lfanew points)',
    );
  }
  const machine = fileHeader.readUInt16LE(4);
  const numberOfSections = fileHeader.readUInt16LE(6);
  const timeDateStamp = fileHeader.readUInt32LE(8);
  const sizeOfOptionalHeader = fileHeader.readUInt16LE(20);
  const characteristics = fileHeader.readUInt16LE(22);
  const optionalHeaderOffset = peOffset + PE_SIGNATURE_AND_FILE_HEADER_BYTES;
  if (sizeOfOptionalHeader < 2 || optionalHeaderOffset + sizeOfOptionalHeader > size) {
    throw malformed(
      `the optional header (${sizeOfOptionalHeader} bytes at offset ${optionalHeaderOffset}) does not fit in the ${size}-byte file`,
    );
  }
  const optional = await source.read(optionalHeaderOffset, sizeOfOptionalHeader);
  const magic = optional.readUInt16LE(0);
  const format: PeFormat | null = magic === 0x10b ? 'PE32' : magic === 0x20b ? 'PE32+' : null;
  if (format === null) {
    throw malformed(
      `optional header magic 0x${magic.toString(16)} is neither PE32 (0x10b) nor PE32+ (0x20b)`,
    );
  }
  const fixed = OPTIONAL_HEADER_FIXED[format];
  if (sizeOfOptionalHeader < fixed) {
    throw malformed(
      `SizeOfOptionalHeader is ${sizeOfOptionalHeader}, smaller than the ${fixed} bytes a ${format} optional header needs`,
    );
  }
  const numberOfRvaAndSizes = optional.readUInt32LE(fixed - 4);
  const directories = Math.floor((sizeOfOptionalHeader - fixed) / 8);
  if (numberOfRvaAndSizes > directories) {
    throw malformed(
      `NumberOfRvaAndSizes is ${numberOfRvaAndSizes}, but the optional header has room for ${directories} data directories`,
    );
  }
  let certificateDirectory: CertificateDirectory | null = null;
  if (numberOfRvaAndSizes > CERTIFICATE_DIRECTORY_INDEX) {
    const at = fixed + CERTIFICATE_DIRECTORY_INDEX * 8;
    certificateDirectory = {
      entryOffset: optionalHeaderOffset + at,
      offset: optional.readUInt32LE(at),
      size: optional.readUInt32LE(at + 4),
    };
  }
  const sizeOfHeaders = optional.readUInt32LE(60);
  const sectionTableOffset = optionalHeaderOffset + sizeOfOptionalHeader;
  const sectionTableEnd = sectionTableOffset + numberOfSections * SECTION_HEADER_BYTES;
  if (sectionTableEnd > size) {
    throw malformed(
      `the section table (${numberOfSections} sections at offset ${sectionTableOffset}) runs past the end of the ${size}-byte file`,
    );
  }
  if (sizeOfHeaders > size) {
    throw malformed(`SizeOfHeaders is ${sizeOfHeaders}, larger than the ${size}-byte file`);
  }
  const table =
    numberOfSections > 0
      ? await source.read(sectionTableOffset, numberOfSections * SECTION_HEADER_BYTES)
      : Buffer.alloc(0);
  const sections: PeSection[] = [];
  let endOfSections = Math.max(sectionTableEnd, sizeOfHeaders);
  for (let i = 0; i < numberOfSections; i++) {
    const at = i * SECTION_HEADER_BYTES;
    const name = table
      .subarray(at, at + 8)
      .toString('latin1')
      .replace(/\0+$/, '');
    const section: PeSection = {
      name,
      virtualSize: table.readUInt32LE(at + 8),
      virtualAddress: table.readUInt32LE(at + 12),
      sizeOfRawData: table.readUInt32LE(at + 16),
      pointerToRawData: table.readUInt32LE(at + 20),
      characteristics: table.readUInt32LE(at + 36),
    };
    if (section.sizeOfRawData > 0) {
      const end = section.pointerToRawData + section.sizeOfRawData;
      if (end > size) {
        throw malformed(
          `section ${i + 1} ("${name}") has raw data at ${section.pointerToRawData}..${end}, past the end of the ${size}-byte file; it is truncated`,
        );
      }
      endOfSections = Math.max(endOfSections, end);
    }
    sections.push(section);
  }
  return {
    size,
    peOffset,
    machine,
    numberOfSections,
    timeDateStamp,
    characteristics,
    format,
    optionalHeaderOffset,
    sizeOfOptionalHeader,
    checksumOffset: optionalHeaderOffset + 64,
    checksum: optional.readUInt32LE(64),
    subsystem: optional.readUInt16LE(68),
    dllCharacteristics: optional.readUInt16LE(70),
    sectionAlignment: optional.readUInt32LE(32),
    fileAlignment: optional.readUInt32LE(36),
    sizeOfHeaders,
    numberOfRvaAndSizes,
    certificateDirectory,
    sections,
    endOfSections,
  };
}

const MACHINES: Readonly<Record<number, string>> = {
  0x0: 'unknown',
  0x14c: 'x86 (i386)',
  0x166: 'MIPS R4000',
  0x1c0: 'ARM',
  0x1c4: 'ARM Thumb-2 (ARMNT)',
  0x200: 'Itanium (IA-64)',
  0x5032: 'RISC-V 32',
  0x5064: 'RISC-V 64',
  0x8664: 'x64 (AMD64)',
  0xa641: 'ARM64EC',
  0xa64e: 'ARM64X',
  0xaa64: 'ARM64',
  0xebc: 'EFI byte code',
};

/** "x64 (AMD64)"; unknown values as hex. */
export function machineName(machine: number): string {
  const hex = `0x${machine.toString(16).padStart(4, '0')}`;
  const name = MACHINES[machine];
  return name ? `${name}, ${hex}` : hex;
}

const SUBSYSTEMS: Readonly<Record<number, string>> = {
  0: 'unknown',
  1: 'native (driver or native process)',
  2: 'Windows GUI',
  3: 'Windows console',
  5: 'OS/2 console',
  7: 'POSIX console',
  9: 'Windows CE GUI',
  10: 'EFI application',
  11: 'EFI boot service driver',
  12: 'EFI runtime driver',
  13: 'EFI ROM',
  14: 'Xbox',
  16: 'Windows boot application',
};

export function subsystemName(subsystem: number): string {
  return SUBSYSTEMS[subsystem] ?? `subsystem ${subsystem}`;
}

/** IMAGE_FILE_DLL in the COFF characteristics. */
export function isDll(image: PeImage): boolean {
  return (image.characteristics & 0x2000) !== 0;
}
