/**
 * The attribute certificate table (Microsoft "PE Format", "The Attribute Certificate Table"):
 * WIN_CERTIFICATE entries { dwLength, wRevision, wCertificateType, bCertificate[] }, each
 * starting on an 8-byte boundary. Windows verifies the first entry only. Everything about the
 * table is read here with bounded reads; what is odd but readable comes back as data.
 */
import { MAX_SIGNATURE_BYTES } from '../authenticode/asn1.js';
import { MalformedSignatureError } from '../errors.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import type { CertificateDirectory, PeImage } from './headers.js';

export const WIN_CERT_REVISION_2_0 = 0x0200;
export const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;
const ENTRY_HEADER_BYTES = 8;
/** Zero checks read the table in chunks of this size (the table may be large and hostile). */
const CHECK_CHUNK_BYTES = 64 * 1024;

export interface WinCertificate {
  offset: number;
  /** dwLength: header and certificate, without the alignment padding after it. */
  length: number;
  revision: number;
  type: number;
}

export interface CertificateTable {
  offset: number;
  size: number;
  /** Every entry that parses, in order; the first is the signature Windows verifies. */
  entries: WinCertificate[];
  /**
   * Non-zero bytes inside the table that belong to no entry (alignment padding or space after
   * the last entry): the bytes MS13-098 hardening rejects. Null when there are none.
   */
  unaccountedBytes: { offset: number; count: number } | null;
  /** Bytes between the end of the table and the end of the file. */
  trailingBytes: number;
}

export type CertificateTableRead =
  | { present: false; reason: string }
  | { present: true; table: CertificateTable; signature: Buffer };

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/**
 * Locates the table from its directory entry and reads the first entry's signature. Throws
 * MalformedSignatureError when the table or its first entry cannot be a signature (outside
 * the file, overlapping the image, wrong revision or type, impossible length).
 */
export async function readCertificateTable(
  source: RandomAccessSource,
  image: PeImage,
): Promise<CertificateTableRead> {
  const directory = image.certificateDirectory;
  if (directory === null) {
    return {
      present: false,
      reason: `the optional header has ${image.numberOfRvaAndSizes} data directories, too few for a Certificate Table entry`,
    };
  }
  if (directory.size === 0) {
    return { present: false, reason: 'its Certificate Table directory entry is empty' };
  }
  checkBounds(directory, image);
  const end = directory.offset + directory.size;
  const first = await readEntryHeader(source, directory.offset, end);
  if (!first) {
    throw new MalformedSignatureError(
      `the first WIN_CERTIFICATE at offset ${directory.offset} has an impossible length (it must be at least 8 bytes and fit in the ${directory.size}-byte certificate table)`,
    );
  }
  if (first.revision !== WIN_CERT_REVISION_2_0) {
    throw new MalformedSignatureError(
      `the first WIN_CERTIFICATE has revision 0x${first.revision.toString(16).padStart(4, '0')}; Authenticode needs WIN_CERT_REVISION_2_0 (0x0200)`,
    );
  }
  if (first.type !== WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
    throw new MalformedSignatureError(
      `the first WIN_CERTIFICATE has type 0x${first.type.toString(16).padStart(4, '0')}; Authenticode needs WIN_CERT_TYPE_PKCS_SIGNED_DATA (0x0002)`,
    );
  }
  const blobLength = first.length - ENTRY_HEADER_BYTES;
  if (blobLength > MAX_SIGNATURE_BYTES) {
    throw new MalformedSignatureError(
      `the signature is ${blobLength} bytes long, more than the ${MAX_SIGNATURE_BYTES} we decode`,
    );
  }
  const signature = await source.read(first.offset + ENTRY_HEADER_BYTES, blobLength);

  // The rest of the table: further entries (reported, never verified) and padding.
  const entries: WinCertificate[] = [first];
  let unaccounted: { offset: number; count: number } | null = null;
  const note = (offset: number, count: number) => {
    if (count === 0) return;
    if (unaccounted) unaccounted.count += count;
    else unaccounted = { offset, count };
  };
  let position = first.offset + first.length;
  // Bounded: every entry is at least 8 bytes long, so at most size / 8 of them.
  while (position < end) {
    const padded = Math.min(end, align8(position));
    note(position, await countNonZero(source, position, padded - position));
    position = padded;
    if (position >= end) break;
    const entry = await readEntryHeader(source, position, end);
    if (!entry) {
      note(position, await countNonZero(source, position, end - position));
      break;
    }
    entries.push(entry);
    position = entry.offset + entry.length;
  }
  return {
    present: true,
    signature,
    table: {
      offset: directory.offset,
      size: directory.size,
      entries,
      unaccountedBytes: unaccounted,
      trailingBytes: image.size - end,
    },
  };
}

function checkBounds(directory: CertificateDirectory, image: PeImage): void {
  const end = directory.offset + directory.size;
  if (directory.offset === 0) {
    throw new MalformedSignatureError(
      `the Certificate Table directory entry has a size of ${directory.size} bytes but no offset`,
    );
  }
  if (end > image.size) {
    throw new MalformedSignatureError(
      `the certificate table (${directory.size} bytes at offset ${directory.offset}) runs past the end of the ${image.size}-byte file; it is truncated`,
    );
  }
  if (directory.offset < image.endOfSections) {
    throw new MalformedSignatureError(
      `the certificate table at offset ${directory.offset} overlaps the headers or section data (which end at ${image.endOfSections})`,
    );
  }
}

/** An entry header at `offset`, or null when no entry of a possible length starts there. */
async function readEntryHeader(
  source: RandomAccessSource,
  offset: number,
  end: number,
): Promise<WinCertificate | null> {
  if (offset + ENTRY_HEADER_BYTES > end) return null;
  const header = await source.read(offset, ENTRY_HEADER_BYTES);
  const length = header.readUInt32LE(0);
  if (length < ENTRY_HEADER_BYTES || offset + length > end) return null;
  return { offset, length, revision: header.readUInt16LE(4), type: header.readUInt16LE(6) };
}

async function countNonZero(
  source: RandomAccessSource,
  offset: number,
  length: number,
): Promise<number> {
  let count = 0;
  for (let done = 0; done < length; done += CHECK_CHUNK_BYTES) {
    const chunk = await source.read(offset + done, Math.min(CHECK_CHUNK_BYTES, length - done));
    for (const byte of chunk) if (byte !== 0) count++;
  }
  return count;
}
