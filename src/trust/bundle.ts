import { readFileSync, statSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { Certificate } from '../x509/certificate.js';

/**
 * Certificate bundles as users hand them to us: PEM files with any number of certificates
 * (CRLF, comments and other blocks between them are fine), a DER `.cer`, or a PKCS#7
 * certs-only `.p7b` (DER or PEM). Everything else is a BundleError naming the file.
 */

/** An unreadable, malformed or empty certificate bundle. The message is one line naming it. */
export class BundleError extends Error {
  readonly code = 'bundle-error' as const;
  constructor(
    readonly label: string,
    readonly detail: string,
  ) {
    super(`${label}: ${detail}`);
    this.name = 'BundleError';
  }
}

/** Larger than any sane root store; a bound so a wrong path cannot make us read gigabytes. */
const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

const SIGNED_DATA_OID = '1.2.840.113549.1.7.2';
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS']);

/** Whether text holds PEM armour (so an action input is PEM rather than a path). */
export function looksLikePem(text: string): boolean {
  return /-----BEGIN [A-Z0-9 #]+-----/.test(text);
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split(/\r?\n/)[0] ?? text;
}

/** Certificates of a PKCS#7 SignedData ContentInfo, with their exact encodings. */
function certificatesOfPkcs7(
  contentInfo: asn1js.AsnType,
  where: string,
  label: string,
): Certificate[] {
  let info: pkijs.ContentInfo;
  try {
    info = new pkijs.ContentInfo({ schema: contentInfo });
  } catch (error) {
    throw new BundleError(label, `${where} is not a PKCS#7 ContentInfo (${describeError(error)})`);
  }
  if (info.contentType !== SIGNED_DATA_OID) {
    throw new BundleError(
      label,
      `${where} is PKCS#7 content of type ${info.contentType}, not signedData`,
    );
  }
  const signedData = info.content as asn1js.AsnType;
  if (!(signedData instanceof asn1js.Sequence)) {
    throw new BundleError(label, `${where} holds a malformed SignedData`);
  }
  // certificates [0] IMPLICIT SET OF CertificateChoices; keep only plain X.509 certificates.
  const set = signedData.valueBlock.value.find(
    (item) => item.idBlock.tagClass === 3 && item.idBlock.tagNumber === 0,
  );
  const members = set instanceof asn1js.Constructed ? set.valueBlock.value : [];
  const certificates: Certificate[] = [];
  for (const [index, member] of members.entries()) {
    if (member.idBlock.tagClass !== 1 || member.idBlock.tagNumber !== 16) continue;
    try {
      certificates.push(Certificate.fromDer(member.valueBeforeDecodeView));
    } catch (error) {
      throw new BundleError(
        label,
        `certificate ${index + 1} of ${where} is not a valid X.509 certificate (${describeError(error)})`,
      );
    }
  }
  return certificates;
}

function isPkcs7ContentInfo(element: asn1js.AsnType): boolean {
  if (!(element instanceof asn1js.Sequence)) return false;
  const first = element.valueBlock.value[0];
  return (
    first instanceof asn1js.ObjectIdentifier && first.valueBlock.toString() === SIGNED_DATA_OID
  );
}

/**
 * A PKCS#12 PFX (RFC 7292 §4): SEQUENCE { version INTEGER 3, authSafe ContentInfo, ... }. A
 * certificate starts with a SEQUENCE instead, so the version tells them apart.
 */
function isPkcs12(element: asn1js.AsnType): boolean {
  if (!(element instanceof asn1js.Sequence)) return false;
  const [version, authSafe] = element.valueBlock.value;
  return (
    version instanceof asn1js.Integer &&
    version.valueBlock.valueDec === 3 &&
    authSafe instanceof asn1js.Sequence
  );
}

/** One or more concatenated DER elements, each a certificate or a PKCS#7 bundle. */
function parseDer(bytes: Uint8Array, where: string, label: string): Certificate[] {
  const certificates: Certificate[] = [];
  let position = 0;
  let index = 0;
  while (position < bytes.length) {
    index += 1;
    const rest = bytes.subarray(position);
    const decoded = asn1js.fromBER(rest);
    const elementName = index === 1 && where === 'DER' ? 'the DER data' : `DER element ${index}`;
    if (decoded.offset === -1 || decoded.offset === 0) {
      throw new BundleError(label, `${elementName} is not valid DER (${decoded.result.error})`);
    }
    const element = rest.subarray(0, decoded.offset);
    if (isPkcs12(decoded.result)) {
      throw new BundleError(
        label,
        `is a PKCS#12 (.pfx/.p12) file: it holds the private key, which verification never needs. Export the certificate alone: openssl pkcs12 -in ${label.includes(' ') ? `"${label}"` : label} -nokeys -clcerts -out signer.pem`,
      );
    }
    if (isPkcs7ContentInfo(decoded.result)) {
      certificates.push(...certificatesOfPkcs7(decoded.result, `${elementName} (PKCS#7)`, label));
    } else {
      try {
        certificates.push(Certificate.fromDer(element));
      } catch (error) {
        throw new BundleError(
          label,
          `${elementName} is not an X.509 certificate (${describeError(error)})`,
        );
      }
    }
    position += decoded.offset;
  }
  return certificates;
}

function decodeBase64Body(body: string): Buffer | undefined {
  // RFC 1421 encapsulated headers ("Proc-Type: …") may precede the base64 text.
  const lines = body.split(/\r?\n|\r/).filter((line) => !line.includes(':'));
  const text = lines.join('').replace(/\s+/g, '');
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    return undefined;
  }
  return Buffer.from(text, 'base64');
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parsePem(text: string, label: string): Certificate[] {
  const certificates: Certificate[] = [];
  const skipped = new Set<string>();
  const begin = /-----BEGIN ([A-Z0-9 #]+)-----/g;
  let match: RegExpExecArray | null;
  while ((match = begin.exec(text)) !== null) {
    const blockLabel = match[1] ?? '';
    const endMarker = `-----END ${blockLabel}-----`;
    const bodyStart = match.index + match[0].length;
    const end = text.indexOf(endMarker, bodyStart);
    const line = lineOf(text, match.index);
    if (end === -1) {
      throw new BundleError(label, `PEM block "${blockLabel}" at line ${line} has no END line`);
    }
    begin.lastIndex = end + endMarker.length;
    const isCertificate = CERTIFICATE_LABELS.has(blockLabel);
    const isPkcs7 = PKCS7_LABELS.has(blockLabel);
    if (!isCertificate && !isPkcs7) {
      skipped.add(blockLabel);
      continue;
    }
    const der = decodeBase64Body(text.slice(bodyStart, end));
    if (!der) {
      throw new BundleError(label, `PEM block "${blockLabel}" at line ${line} is not valid base64`);
    }
    const where = `the ${blockLabel} block at line ${line}`;
    if (isPkcs7) {
      const decoded = asn1js.fromBER(der);
      if (decoded.offset === -1 || !isPkcs7ContentInfo(decoded.result)) {
        throw new BundleError(label, `${where} is not a PKCS#7 SignedData`);
      }
      certificates.push(...certificatesOfPkcs7(decoded.result, where, label));
      continue;
    }
    try {
      // TRUSTED CERTIFICATE (OpenSSL) appends trust settings after the certificate; fromDer
      // reads the first element only.
      certificates.push(Certificate.fromDer(der));
    } catch (error) {
      throw new BundleError(
        label,
        `${where} is not a valid X.509 certificate (${describeError(error)})`,
      );
    }
  }
  if (certificates.length === 0) {
    const others = skipped.size > 0 ? ` (only ${[...skipped].join(', ')} blocks)` : '';
    throw new BundleError(label, `contains no certificates${others}`);
  }
  return certificates;
}

/** Text of a bundle file: UTF-8 (BOM stripped) or UTF-16 as PowerShell 5 writes by default. */
function bundleText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString('utf16le');
  if (buffer[0] === 0xfe && buffer[1] === 0xff) {
    const swapped = Buffer.from(buffer.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  // latin1 keeps every byte; PEM armour and base64 are ASCII.
  return buffer.toString('latin1');
}

/**
 * Parses a certificate bundle. `label` names the source in error messages (a path or
 * "input trusted-roots"). Throws BundleError when nothing usable is found.
 */
export function loadCertificates(bytes: Uint8Array, label: string): Certificate[] {
  if (bytes.length === 0) throw new BundleError(label, 'is empty');
  if (bytes.length > MAX_BUNDLE_BYTES) {
    throw new BundleError(
      label,
      `is larger than ${MAX_BUNDLE_BYTES} bytes; not a certificate bundle`,
    );
  }
  const text = bundleText(bytes);
  if (looksLikePem(text)) return parsePem(text, label);
  if (bytes[0] === 0x30) {
    const certificates = parseDer(bytes, 'DER', label);
    if (certificates.length === 0) throw new BundleError(label, 'contains no certificates');
    return certificates;
  }
  if (text.trim().length === 0) throw new BundleError(label, 'is empty');
  throw new BundleError(label, 'is neither PEM (no BEGIN CERTIFICATE line) nor DER');
}

/** Certificates from PEM text given inline (an action input), labelled for messages. */
export function parseInlinePem(text: string, label = 'inline PEM'): Certificate[] {
  if (!looksLikePem(text)) throw new BundleError(label, 'holds no PEM BEGIN line');
  return parsePem(text, label);
}

/** Reads and parses a bundle file; I/O failures become BundleError too. */
export function loadCertificateFile(path: string): Certificate[] {
  let bytes: Buffer;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new BundleError(path, 'is a directory, not a certificate file');
    if (stats.size > MAX_BUNDLE_BYTES) {
      throw new BundleError(
        path,
        `is larger than ${MAX_BUNDLE_BYTES} bytes; not a certificate bundle`,
      );
    }
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof BundleError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : describeError(error);
    throw new BundleError(path, `cannot be read (${reason})`);
  }
  return loadCertificates(bytes, path);
}
