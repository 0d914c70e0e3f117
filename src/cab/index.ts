/**
 * Cabinet (.cab) reader: directory, set links, signature location and the Authenticode content
 * digest. docs/formats.md §6.
 */
import type { RandomAccessSource } from '../io/random-access-file.js';
import {
  parseCabHeader,
  type CabFile,
  type CabFolder,
  type CabHeader,
  type CabSetLink,
} from './header.js';
import { osslsigncodeCabDigestRanges } from './digest-ranges.js';
import {
  locateCabSignature,
  type CabSignatureInfo,
  type CabSignatureLocation,
} from './signature-locator.js';

export {
  CAB_ATTRIB_NAME_IS_UTF,
  CAB_FLAG_NEXT_CABINET,
  CAB_FLAG_PREV_CABINET,
  CAB_FLAG_RESERVE_PRESENT,
  parseCabHeader,
  type CabCompression,
  type CabFile,
  type CabFileContinuation,
  type CabFolder,
  type CabHeader,
  type CabSetLink,
  type DosDateTime,
} from './header.js';
export {
  locateCabSignature,
  readCabSignature,
  type CabReserveStructures,
  type CabSignatureInfo,
  type CabSignatureLocation,
  type CabUnsignedReason,
} from './signature-locator.js';
export {
  cabDigestRanges,
  osslsigncodeCabDigestRanges,
  type ByteRange,
  type CabDigestLayout,
} from './digest-ranges.js';
export { cabContentDigests, hashFileRanges, DIGEST_READ_BYTES } from './content-digest.js';

/** Position of a cabinet in a multi-cabinet set (docs/formats.md §6.4). */
export interface CabSetInfo {
  readonly setID: number;
  /** 0-based index of this cabinet in its set (iCabinet). */
  readonly index: number;
  readonly previous: CabSetLink | null;
  readonly next: CabSetLink | null;
}

/**
 * Conditions that leave the cabinet readable but that a verifier may want to report.
 * None of them changes what {@link cabContentDigests} hashes.
 */
export type CabAnomalyCode =
  /** reserved1 (old "csumHeader", not hashed) is not zero; osslsigncode refuses such files. */
  | 'reserved1-nonzero'
  /** Version is not 1.3 (Wine rejects anything above 1.3). */
  | 'unexpected-version'
  /** coffFiles is not right after the CFFOLDERs: unlisted bytes in the directory. */
  | 'directory-gap'
  /** The appended signature does not start at cbCabinet (docs/formats.md §6.2 sanity checks). */
  | 'signature-offset-mismatch'
  /** Bytes after the signature (or after cbCabinet when unsigned): neither hashed nor signed. */
  | 'trailing-data'
  /** The locator's 8 filler bytes are not zero. */
  | 'locator-filler-nonzero'
  /** The PKCS#7 is stored inside the reserve (pre-Authenticode-2 signcode layout). */
  | 'legacy-in-reserve-signature'
  /**
   * osslsigncode's formula (which hashes bytes 56..60 in place of iCabinet ‖ cbJunk) gives a
   * different digest for this file than the consensus rule (docs/formats.md §6.3, Appendix C 3):
   * osslsigncode signs such files (e.g. iCabinet ≠ 0) with a digest only its own rule
   * reproduces. See osslsigncodeCabDigestRanges.
   */
  | 'osslsigncode-digest-differs';

export interface CabAnomaly {
  readonly code: CabAnomalyCode;
  readonly message: string;
}

export interface Cabinet {
  readonly header: CabHeader;
  readonly folders: readonly CabFolder[];
  readonly files: readonly CabFile[];
  readonly set: CabSetInfo;
  readonly signature: CabSignatureInfo;
  /** Shorthand for `signature.location`: `null` when the cabinet is unsigned. */
  readonly signatureLocation: CabSignatureLocation | null;
  /** Bytes after everything the header and signature account for (see CabSignatureInfo). */
  readonly trailingBytes: number;
  readonly anomalies: readonly CabAnomaly[];
}

/**
 * Reads a cabinet's directory and locates its signature, with bounded reads of the header
 * region only. Throws NotAPackageError (not a cabinet) or MalformedPackageError (damaged or
 * hostile structure); everything else unusual is returned as data.
 */
export async function openCabinet(source: RandomAccessSource): Promise<Cabinet> {
  const header = await parseCabHeader(source);
  const signature = locateCabSignature(header);
  return {
    header,
    folders: header.folders,
    files: header.files,
    set: {
      setID: header.setID,
      index: header.iCabinet,
      previous: header.previous,
      next: header.next,
    },
    signature,
    signatureLocation: signature.location,
    trailingBytes: signature.trailingBytes,
    anomalies: cabinetAnomalies(header, signature),
  };
}

function cabinetAnomalies(header: CabHeader, signature: CabSignatureInfo): CabAnomaly[] {
  const anomalies: CabAnomaly[] = [];
  const add = (code: CabAnomalyCode, message: string): void => {
    anomalies.push({ code, message });
  };
  if (header.reserved1 !== 0) {
    add('reserved1-nonzero', `reserved1 is 0x${header.reserved1.toString(16)}, expected 0`);
  }
  if (header.versionMajor !== 1 || header.versionMinor !== 3) {
    add(
      'unexpected-version',
      `version ${header.versionMajor}.${header.versionMinor}, expected 1.3`,
    );
  }
  if (header.coffFiles !== header.foldersEnd) {
    add(
      'directory-gap',
      `${header.coffFiles - header.foldersEnd} bytes between the CFFOLDERs and the first CFFILE`,
    );
  }
  const { location } = signature;
  if (location?.kind === 'in-reserve') {
    add('legacy-in-reserve-signature', 'the signature is stored inside the header reserve');
  }
  if (location?.kind === 'appended') {
    if (!location.offsetMatchesCabinet) {
      add(
        'signature-offset-mismatch',
        `the signature starts at offset ${location.offset}, not at the cabinet end ${header.cbCabinet}`,
      );
    }
    if (!location.fillerIsZero) {
      add('locator-filler-nonzero', 'the signature locator filler bytes are not zero');
    }
    if (
      osslsigncodeCabDigestRanges(header, location.offset) !== null &&
      (!location.offsetMatchesCabinet || !osslsigncodeBytesAgree(header))
    ) {
      add(
        'osslsigncode-digest-differs',
        'osslsigncode hashes bytes 56..60 where the consensus rule hashes iCabinet and cbJunk (and hashes up to the signature offset); the two rules give different digests for this file',
      );
    }
  }
  if (signature.trailingBytes > 0) {
    add(
      'trailing-data',
      `${signature.trailingBytes} bytes after offset ${signature.trailingOffset} are neither signed nor the signature`,
    );
  }
  return anomalies;
}

/**
 * For a 20-byte reserve, osslsigncode's input differs from ours only in hashing file[56..60)
 * (reserve bytes 16..20) where we hash iCabinet ‖ cbJunk (docs/formats.md §6.3 "Disagreement").
 */
function osslsigncodeBytesAgree(header: CabHeader): boolean {
  const ours = Buffer.alloc(4);
  ours.writeUInt16LE(header.iCabinet, 0);
  header.reserve.copy(ours, 2, 0, 2);
  return ours.equals(header.reserve.subarray(16, 20));
}
