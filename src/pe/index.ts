/** PE/COFF images: headers, the attribute certificate table, the Authenticode digest ranges and page hashes. */
export {
  isDll,
  machineName,
  parsePeHeaders,
  probePe,
  subsystemName,
  type PeFormat,
  type PeImage,
  type PeProbe,
  type PeSection,
  type CertificateDirectory,
} from './headers.js';
export {
  readCertificateTable,
  type CertificateTable,
  type CertificateTableRead,
  type WinCertificate,
} from './certificate-table.js';
export { peDigestRanges } from './digest-ranges.js';
export { verifyPageHashes, type PageHashResult } from './page-hashes.js';
