/**
 * Page hashes (SPC_PE_IMAGE_PAGE_HASHES_V1/V2): a hash of every page of the headers and of each
 * section's raw data, so that the loader can check pages as it maps them. The table is a list
 * of (4-byte little-endian file offset, hash) entries: the headers page, every page of every
 * section with raw data in section-table order, and a final entry at the end of the last
 * section's raw data with a zero hash. A page is hashed zero-padded to the page size; the
 * headers page without the CheckSum and the Certificate Table entry. The page size is the
 * image's SectionAlignment, as osslsigncode computes it (4 KiB, the x86/x64 page, for what
 * linkers write).
 */
import { createHash } from 'node:crypto';
import type { PageHashes } from '../authenticode/index.js';
import type { RandomAccessSource } from '../io/random-access-file.js';
import type { PeImage } from './headers.js';

/** Largest page size we accept: large pages are at most 4 MiB. */
const MAX_PAGE_BYTES = 4 * 1024 * 1024;
const HASH_BYTES = { sha1: 20, sha256: 32 } as const;

export type PageHashResult =
  { ok: true; pages: number } | { ok: false; reason: string; pages: number | null };

interface Page {
  offset: number;
  /** File ranges hashed in order, then `zeros` zero bytes. */
  ranges: { offset: number; length: number }[];
  zeros: number;
}

/** The pages the table must list, in order (the final zero-hash entry excluded). */
function* pages(image: PeImage, pageSize: number): Generator<Page> {
  const directory = image.certificateDirectory!;
  yield {
    offset: 0,
    ranges: [
      { offset: 0, length: image.checksumOffset },
      {
        offset: image.checksumOffset + 4,
        length: directory.entryOffset - image.checksumOffset - 4,
      },
      {
        offset: directory.entryOffset + 8,
        length: image.sizeOfHeaders - directory.entryOffset - 8,
      },
    ],
    // The skipped 12 bytes are not made up for: the headers page hashes pageSize - 12 bytes.
    zeros: pageSize - image.sizeOfHeaders,
  };
  for (const section of image.sections) {
    if (section.sizeOfRawData === 0) continue;
    for (let at = 0; at < section.sizeOfRawData; at += pageSize) {
      const offset = section.pointerToRawData + at;
      const length = Math.min(pageSize, section.sizeOfRawData - at);
      yield { offset, ranges: [{ offset, length }], zeros: pageSize - length };
    }
  }
}

function lastSectionEnd(image: PeImage): number {
  let end = 0;
  for (const s of image.sections)
    if (s.sizeOfRawData > 0) end = s.pointerToRawData + s.sizeOfRawData;
  return end;
}

/** Why page hashes cannot be computed for this layout, or null when they can. */
function layoutProblem(image: PeImage, pageSize: number): string | null {
  const directory = image.certificateDirectory;
  if (!directory) return 'the image has no Certificate Table directory entry';
  if (image.sections.length === 0) return 'the image has no sections';
  if (pageSize === 0 || pageSize < image.fileAlignment || pageSize > MAX_PAGE_BYTES) {
    return `SectionAlignment ${pageSize} is not a page size (FileAlignment ${image.fileAlignment}, at most 4 MiB)`;
  }
  if (image.sizeOfHeaders < directory.entryOffset + 8 || image.sizeOfHeaders > pageSize) {
    return `SizeOfHeaders ${image.sizeOfHeaders} does not fit the first page of ${pageSize} bytes`;
  }
  return null;
}

/**
 * Recomputes the page hashes and compares them with the signed table, entry by entry: one read
 * of the headers and of every section's raw data, one page in memory at a time.
 */
export async function verifyPageHashes(
  source: RandomAccessSource,
  image: PeImage,
  signed: PageHashes,
): Promise<PageHashResult> {
  const pageSize = image.sectionAlignment;
  const problem = layoutProblem(image, pageSize);
  if (problem)
    return { ok: false, reason: `page hashes cannot be computed: ${problem}`, pages: null };
  const entryBytes = 4 + HASH_BYTES[signed.algorithm];
  let count = 2; // the headers page and the final entry
  for (const s of image.sections) {
    if (s.sizeOfRawData > 0) count += Math.ceil(s.sizeOfRawData / pageSize);
  }
  if (signed.table.length !== count * entryBytes) {
    return {
      ok: false,
      reason: `the signed page hash table has ${signed.table.length / entryBytes} entries of ${entryBytes} bytes (${signed.table.length} bytes); the file's headers and sections make ${count}`,
      pages: count - 1,
    };
  }
  const buffer = Buffer.alloc(pageSize);
  const entry = Buffer.alloc(entryBytes);
  let index = 0;
  const compare = (offset: number, hash: Buffer): PageHashResult | null => {
    entry.writeUInt32LE(offset >>> 0, 0);
    hash.copy(entry, 4);
    const stored = signed.table.subarray(index * entryBytes, (index + 1) * entryBytes);
    index++;
    if (stored.equals(entry)) return null;
    const storedOffset = stored.readUInt32LE(0);
    return {
      ok: false,
      reason:
        storedOffset === offset
          ? `the page at file offset ${offset} does not match its signed page hash: the file changed after signing`
          : `page hash entry ${index - 1} is for file offset ${storedOffset}, but the file's page ${index - 1} is at ${offset}`,
      pages: count - 1,
    };
  };
  for (const page of pages(image, pageSize)) {
    const hash = createHash(signed.algorithm);
    for (const range of page.ranges) {
      if (range.length <= 0) continue;
      await source.readInto(buffer, 0, range.length, range.offset);
      hash.update(buffer.subarray(0, range.length));
    }
    buffer.fill(0, 0, page.zeros);
    hash.update(buffer.subarray(0, page.zeros));
    const mismatch = compare(page.offset, hash.digest());
    if (mismatch) return mismatch;
  }
  const mismatch = compare(lastSectionEnd(image), Buffer.alloc(HASH_BYTES[signed.algorithm]));
  if (mismatch) return mismatch;
  return { ok: true, pages: count - 1 };
}
