import type { FileSegment } from '../io/hash-plan.js';
import type { PeImage } from './headers.js';

/**
 * The byte ranges of the PE Authenticode digest (Microsoft "Windows Authenticode Portable
 * Executable Signature Format", "Calculating the PE Image Hash"): the whole file except the
 * CheckSum field, the Certificate Table directory entry and the attribute certificate table.
 *
 * The specification hashes the headers, then each section's raw data sorted by file offset,
 * then what follows the last section; for a file whose sections are contiguous (what linkers
 * write) that is every byte from the end of the directory entry to the table. We hash that span
 * whole, as Windows' ImageGetDigestStream, osslsigncode and jsign do, so bytes between sections
 * are covered too. Bytes after the table are hashed (the specification excludes only the table
 * itself): data appended after signing changes the digest, as it does on Windows.
 *
 * `table` is the certificate table's range, or null for an unsigned file. No padding is added:
 * signing tools pad the file to 8 bytes before they append the table, and those bytes are in
 * the file, before the table, and hashed like any other.
 */
export function peDigestRanges(
  image: PeImage,
  table: { offset: number; size: number } | null,
): FileSegment[] {
  const directory = image.certificateDirectory;
  if (directory === null) {
    // No directory entry to skip: everything but the CheckSum.
    return [
      { offset: 0, length: image.checksumOffset, what: 'PE headers' },
      {
        offset: image.checksumOffset + 4,
        length: image.size - image.checksumOffset - 4,
        what: 'PE image',
      },
    ];
  }
  const afterEntry = directory.entryOffset + 8;
  const imageEnd = table ? table.offset : image.size;
  const ranges: FileSegment[] = [
    { offset: 0, length: image.checksumOffset, what: 'PE headers' },
    {
      offset: image.checksumOffset + 4,
      length: directory.entryOffset - image.checksumOffset - 4,
      what: 'PE optional header',
    },
    { offset: afterEntry, length: imageEnd - afterEntry, what: 'PE image' },
  ];
  if (table && table.offset + table.size < image.size) {
    const after = table.offset + table.size;
    ranges.push({
      offset: after,
      length: image.size - after,
      what: 'bytes after the certificate table',
    });
  }
  return ranges.filter((r) => r.length > 0);
}
