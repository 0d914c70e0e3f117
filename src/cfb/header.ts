import { MalformedPackageError, NotAPackageError } from '../errors.js';
import { CFB_SIGNATURE, HEADER_DIFAT_SLOTS, HEADER_SIZE, MINI_STREAM_CUTOFF } from './constants.js';

/** The compound file header, validated. docs/formats.md §1.2 */
export interface CfbHeader {
  readonly majorVersion: 3 | 4;
  readonly minorVersion: number;
  readonly sectorSize: 512 | 4096;
  /** Header field 0x28: must be 0 in v3; the directory chain length in v4 (§1.9 rule 1). */
  readonly directorySectorCount: number;
  readonly fatSectorCount: number;
  readonly firstDirectorySector: number;
  readonly firstMiniFatSector: number;
  readonly miniFatSectorCount: number;
  readonly firstDifatSector: number;
  readonly difatSectorCount: number;
  /** The 109 DIFAT slots of the header, raw. */
  readonly headerDifat: Uint32Array;
}

/** True when `bytes` starts with the compound file signature. */
export function hasCompoundFileSignature(bytes: Uint8Array): boolean {
  if (bytes.length < CFB_SIGNATURE.length) return false;
  return CFB_SIGNATURE.every((b, i) => bytes[i] === b);
}

/**
 * Parses the first 512 bytes of a file. Throws NotAPackageError when the file is not a compound
 * file at all and MalformedPackageError when it claims to be one but the header is inconsistent.
 */
export function parseHeader(bytes: Uint8Array): CfbHeader {
  if (bytes.length < HEADER_SIZE) {
    throw new NotAPackageError(
      `file is ${bytes.length} bytes, shorter than a ${HEADER_SIZE}-byte compound file header`,
    );
  }
  if (!hasCompoundFileSignature(bytes)) {
    throw new NotAPackageError('no compound file signature (D0 CF 11 E0 A1 B1 1A E1) at offset 0');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const u16 = (offset: number): number => view.getUint16(offset, true);
  const u32 = (offset: number): number => view.getUint32(offset, true);

  const majorVersion = u16(0x1a);
  if (majorVersion !== 3 && majorVersion !== 4) {
    throw new MalformedPackageError(`compound file major version ${majorVersion} is not 3 or 4`);
  }
  const byteOrder = u16(0x1c);
  if (byteOrder !== 0xfffe) {
    throw new MalformedPackageError(
      `compound file byte order mark 0x${byteOrder.toString(16)} is not 0xfffe`,
    );
  }
  const sectorShift = u16(0x1e);
  const expectedShift = majorVersion === 3 ? 9 : 12;
  if (sectorShift !== expectedShift) {
    throw new MalformedPackageError(
      `compound file version ${majorVersion} has sector shift ${sectorShift}, expected ${expectedShift}`,
    );
  }
  const miniSectorShift = u16(0x20);
  if (miniSectorShift !== 6) {
    throw new MalformedPackageError(`compound file mini sector shift ${miniSectorShift} is not 6`);
  }
  const cutoff = u32(0x38);
  if (cutoff !== MINI_STREAM_CUTOFF) {
    throw new MalformedPackageError(`compound file mini stream cutoff ${cutoff} is not 4096`);
  }

  const headerDifat = new Uint32Array(HEADER_DIFAT_SLOTS);
  for (let i = 0; i < HEADER_DIFAT_SLOTS; i++) headerDifat[i] = u32(0x4c + 4 * i);

  return {
    majorVersion,
    minorVersion: u16(0x18),
    sectorSize: majorVersion === 3 ? 512 : 4096,
    directorySectorCount: u32(0x28),
    fatSectorCount: u32(0x2c),
    firstDirectorySector: u32(0x30),
    firstMiniFatSector: u32(0x3c),
    miniFatSectorCount: u32(0x40),
    firstDifatSector: u32(0x44),
    difatSectorCount: u32(0x48),
    headerDifat,
  };
}
