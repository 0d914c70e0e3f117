import type { AuthenticodeSignature } from '../authenticode/index.js';
import {
  isDll,
  machineName,
  subsystemName,
  type CertificateTable,
  type PeImage,
} from '../pe/index.js';
import type { PeInspection } from './model.js';

/** PE facts from parsed headers, the certificate table and the primary signature's page hashes. */
export function inspectPeImage(
  image: PeImage,
  table: CertificateTable | null,
  primary: AuthenticodeSignature | undefined,
): PeInspection {
  const directory = image.certificateDirectory;
  const imageEnd = table ? table.offset : image.size;
  const pageHashes = primary?.peImageData?.pageHashes ?? null;
  const entryBytes = pageHashes ? 4 + (pageHashes.algorithm === 'sha1' ? 20 : 32) : 0;
  return {
    format: image.format,
    machine: machineName(image.machine),
    machineValue: image.machine,
    subsystem: subsystemName(image.subsystem),
    subsystemValue: image.subsystem,
    dll: isDll(image),
    characteristics: image.characteristics,
    timeDateStamp: image.timeDateStamp,
    checksum: image.checksum,
    sizeOfHeaders: image.sizeOfHeaders,
    fileAlignment: image.fileAlignment,
    sectionAlignment: image.sectionAlignment,
    sections: image.sections.map((s) => ({
      name: s.name,
      virtualAddress: s.virtualAddress,
      virtualSize: s.virtualSize,
      rawOffset: s.pointerToRawData,
      rawSize: s.sizeOfRawData,
      characteristics: s.characteristics,
    })),
    endOfSections: image.endOfSections,
    overlayBytes: Math.max(0, imageEnd - image.endOfSections),
    certificateDirectory: directory ? { offset: directory.offset, size: directory.size } : null,
    certificateTable: table
      ? {
          offset: table.offset,
          size: table.size,
          entries: table.entries.map((e) => ({ ...e })),
          unaccountedBytes: table.unaccountedBytes?.count ?? 0,
          trailingBytes: table.trailingBytes,
        }
      : null,
    pageHashes: pageHashes
      ? {
          version: pageHashes.version,
          algorithm: pageHashes.algorithm === 'sha1' ? 'SHA-1' : 'SHA-256',
          entries: Math.floor(pageHashes.table.length / entryBytes),
        }
      : null,
  };
}
