import type { CertificateSummary } from '../report/model.js';
import type { Certificate } from '../x509/certificate.js';

/** ISO 8601, or a placeholder for a time that did not decode: shown, never thrown. */
export function isoTime(date: Date): string {
  return date instanceof Date && !Number.isNaN(date.getTime())
    ? date.toISOString()
    : 'invalid time';
}

export function summarizeCertificate(certificate: Certificate): CertificateSummary {
  return {
    subject: certificate.subject,
    commonName: certificate.commonName,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    sha1: certificate.sha1,
    sha256: certificate.sha256,
    notBefore: isoTime(certificate.notBefore),
    notAfter: isoTime(certificate.notAfter),
  };
}

/** "CN (sha256 0123456789abcdef…)" for messages. */
export function nameCertificate(certificate: Certificate): string {
  return `"${certificate.subject}" (SHA-256 ${certificate.sha256})`;
}
