import type { Certificate } from '../x509/certificate.js';
import { FillError } from './errors.js';

/**
 * The certificates to list in MsiPatchCertificate from what the user gave: a chain file's CA
 * certificates (basicConstraints CA:TRUE) are left out. Windows Installer compares a patch's
 * signer certificate with each listed one, and a CA certificate never signs a patch, so listing
 * it adds nothing the table should say. Refuses a list of only CA certificates.
 */
export function patchCertificatesFrom(certificates: readonly Certificate[]): {
  certificates: Certificate[];
  skipped: Certificate[];
} {
  const kept = certificates.filter((certificate) => !certificate.isCa);
  const skipped = certificates.filter((certificate) => certificate.isCa);
  if (kept.length === 0 && skipped.length > 0) {
    throw new FillError(
      'no-certificates',
      'every certificate given is a CA certificate (basicConstraints CA:TRUE); give the signer certificate itself',
    );
  }
  return { certificates: kept, skipped };
}
