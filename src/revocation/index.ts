export {
  crlUrls,
  describeSource,
  ocspUrls,
  RevocationChecker,
  revocationCheckerFor,
  type RevocationQuery,
} from './checker.js';
export { CrlFormatError, iso, RevocationList } from './crl.js';
export { revocationFinding, type RevocationRole } from './decision.js';
export { RevocationFetcher, type FetchLimits, type FetchResult } from './http.js';
export { ocspRequest, readOcspResponse } from './ocsp.js';
export { keepsEarlierSignatures, reasonName } from './reasons.js';
export {
  defaultRevocationSettings,
  DEFAULT_REVOCATION,
  revocationActive,
  REVOCATION_MODES,
  type CertificateRevocation,
  type LoadedCrl,
  type RevocationMode,
  type RevocationSettings,
  type RevocationSource,
  type RevocationStatus,
} from './types.js';
