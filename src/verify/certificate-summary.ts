import type { CertificateSummary } from '../report/model.js';
import type { Certificate } from '../x509/certificate.js';

export function summarizeCertificate(certificate: Certificate): CertificateSummary {
  return {
    subject: certificate.subject,
    commonName: certificate.commonName,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    sha1: certificate.sha1,
    sha256: certificate.sha256,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
  };
}

/** "CN (sha256 0123456789abcdef…)" for messages. */
export function nameCertificate(certificate: Certificate): string {
  return `"${certificate.subject}" (SHA-256 ${certificate.sha256})`;
}
