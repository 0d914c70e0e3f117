/** Filling MsiPatchCertificate before signing: what the CLI and the fill action use. */
export {
  DIGITAL_SIGNATURE_STREAM,
  fillPatchCertificate,
  MSI_DIGITAL_SIGNATURE_EX_STREAM,
  type AddedCertificate,
  type FillOptions,
  type FillResult,
  type ListedCertificate,
} from './fill-patch-certificate.js';
export { deriveKeys, type CertificateKeys } from './certificate-tables.js';
export { FillError, type FillErrorCode } from './errors.js';
export { describeFill } from './describe.js';
export { patchCertificatesFrom } from './signer-certificates.js';
