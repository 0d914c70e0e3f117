import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { summarizeCertificate } from '../verify/certificate-summary.js';
import { ekuName, type Certificate } from '../x509/certificate.js';
import type { CertificateDetails } from './model.js';

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

/** Everything `inspect` shows about a certificate. File-controlled text is returned raw. */
export function certificateDetails(certificate: Certificate): CertificateDetails {
  const eku = certificate.extendedKeyUsages;
  return {
    ...summarizeCertificate(certificate),
    commonName: certificate.commonName,
    selfIssued: certificate.isSelfIssued,
    publicKey: publicKey(certificate),
    extendedKeyUsage: eku ? eku.map((oid) => ({ oid, name: ekuName(oid) ?? oid })) : null,
    keyUsage: keyUsage(certificate),
    basicConstraints: basicConstraints(certificate),
  };
}
