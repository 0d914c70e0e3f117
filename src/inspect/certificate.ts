import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Certificate } from '../x509/certificate.js';
import type { CertificateDetails } from './model.js';

/** Names for the extended key usages code-signing and timestamping certificates carry. */
const EKU_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '1.3.6.1.4.1.311.10.3.13': 'lifetimeSigning',
  '1.3.6.1.4.1.311.10.3.12': 'documentSigning',
  '1.3.6.1.4.1.311.2.1.21': 'individualCodeSigning',
  '1.3.6.1.4.1.311.2.1.22': 'commercialCodeSigning',
  '1.3.6.1.4.1.311.61.1.1': 'kernelModeCodeSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

/** RFC 5280 §4.2.1.3 bit order. */
const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

const CURVE_NAMES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

export function ekuName(oid: string): string {
  return EKU_NAMES[oid] ?? oid;
}

function keyUsage(certificate: Certificate): string[] | null {
  const ext = certificate.extension('2.5.29.15');
  if (!ext) return null;
  const parsed = ext.parsedValue as unknown;
  if (!(parsed instanceof asn1js.BitString)) return ['(malformed)'];
  const bytes = parsed.valueBlock.valueHexView;
  return KEY_USAGE_BITS.filter((_, i) => ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
}

function basicConstraints(certificate: Certificate): CertificateDetails['basicConstraints'] {
  const ext = certificate.extension('2.5.29.19');
  if (!ext) return null;
  const parsed = ext.parsedValue as unknown;
  if (!(parsed instanceof pkijs.BasicConstraints)) return { ca: false, pathLength: null };
  const raw = parsed.pathLenConstraint as unknown;
  const pathLength =
    typeof raw === 'number' ? raw : raw instanceof asn1js.Integer ? raw.valueBlock.valueDec : null;
  return { ca: parsed.cA === true, pathLength };
}

function publicKey(certificate: Certificate): string | null {
  try {
    const key = certificate.publicKey;
    const details = key.asymmetricKeyDetails ?? {};
    switch (key.asymmetricKeyType) {
      case 'rsa':
        return `RSA ${details.modulusLength ?? '?'}`;
      case 'rsa-pss':
        return `RSA-PSS ${details.modulusLength ?? '?'}`;
      case 'ec': {
        const curve = details.namedCurve ?? '?';
        return `EC ${CURVE_NAMES[curve] ?? curve}`;
      }
      default:
        return key.asymmetricKeyType ? key.asymmetricKeyType.toUpperCase() : null;
    }
  } catch {
    return null;
  }
}

/** A certificate time as ISO 8601; a time that does not decode is shown, not thrown. */
function iso(date: Date): string {
  return date instanceof Date && !Number.isNaN(date.getTime())
    ? date.toISOString()
    : 'invalid time';
}

/** Everything `inspect` shows about a certificate. File-controlled text is returned raw. */
export function certificateDetails(certificate: Certificate): CertificateDetails {
  const eku = certificate.extendedKeyUsages;
  return {
    subject: certificate.subject,
    commonName: certificate.commonName,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    sha1: certificate.sha1,
    sha256: certificate.sha256,
    notBefore: iso(certificate.notBefore),
    notAfter: iso(certificate.notAfter),
    selfIssued: certificate.isSelfIssued,
    publicKey: publicKey(certificate),
    extendedKeyUsage: eku ? eku.map((oid) => ({ oid, name: ekuName(oid) })) : null,
    keyUsage: keyUsage(certificate),
    basicConstraints: basicConstraints(certificate),
  };
}
