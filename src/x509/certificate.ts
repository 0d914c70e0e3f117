import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  readCertificateFields,
  readExtendedKeyUsages,
  readKeyIdentifier,
  readBasicConstraints,
  type CertificateFields,
  type ExtensionFields,
  type NameFields,
} from './der-fields.js';

/** Short names for the attribute types that appear in code-signing certificate names. */
const NAME_ATTRIBUTES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '1.2.840.113549.1.9.1': 'E',
  '2.5.4.97': 'organizationIdentifier',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
  '2.5.4.15': 'businessCategory',
};

export const EKU = {
  codeSigning: '1.3.6.1.5.5.7.3.3',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  lifetimeSigning: '1.3.6.1.4.1.311.10.3.13',
  any: '2.5.29.37.0',
} as const;

/** Display names of the extended key usages code-signing and timestamping certificates carry. */
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

/** The usage's name, or undefined for an OID we have no name for. */
export function ekuName(oid: string): string | undefined {
  return EKU_NAMES[oid];
}

function attributeText(value: unknown): string {
  const v = value as { valueBlock?: { value?: unknown } };
  const inner = v?.valueBlock?.value;
  return typeof inner === 'string' ? inner : String(inner ?? '');
}

/** RFC 4514-style rendering, most significant RDN last as OpenSSL's -nameopt RFC2253 does not. */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${NAME_ATTRIBUTES[tv.type] ?? tv.type}=${attributeText(tv.value)}`)
    .join(', ');
}

function nameDer(name: pkijs.RelativeDistinguishedNames): Buffer {
  return rawBytes(name);
}

/** The bytes as they were decoded (exact), or a DER re-encoding for objects built in memory. */
export function rawBytes(object: {
  valueBeforeDecode?: ArrayBuffer;
  toSchema(): asn1js.BaseBlock;
}): Buffer {
  const before = object.valueBeforeDecode;
  if (before && before.byteLength > 0) return Buffer.from(before);
  return Buffer.from(object.toSchema().toBER(false));
}

function formatFields(name: NameFields): string {
  return name.attributes.map((a) => `${NAME_ATTRIBUTES[a.type] ?? a.type}=${a.value}`).join(', ');
}

/** Decodes with asn1js + pkijs: the general path, for anything der-fields.ts does not read. */
function decodePkijs(der: Uint8Array): pkijs.Certificate {
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset === -1) throw new Error(`not DER: ${asn1.result.error}`);
  return new pkijs.Certificate({ schema: asn1.result });
}

/**
 * An X.509 certificate: its exact DER (what Windows compares for MsiPatchCertificate and pins),
 * and the fields reports and chain building read. A certificate in plain DER is read by the fast
 * reader (der-fields.ts, `fields`); anything else by pkijs, as the pkijs structure (`pki`) also
 * is, on first use, for the few readers of other extensions (inspect, revocation).
 */
export class Certificate {
  /** The fields as the fast reader read them; undefined when pkijs decoded the certificate. */
  readonly fields: CertificateFields | undefined;
  readonly subject: string;
  readonly issuer: string;
  readonly commonName: string;
  /** Serial number as lower-case hex of the DER integer's value bytes. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly sha1: string;
  readonly sha256: string;
  private pkiValue: pkijs.Certificate | undefined;
  private keyObject: KeyObject | undefined;
  private selfIssued: boolean | undefined;

  private constructor(
    readonly der: Buffer,
    source: { fields: CertificateFields } | { pki: pkijs.Certificate },
  ) {
    // Told apart by shape, not by `instanceof pkijs.Certificate`: the bundle loads pkijs only
    // when something uses it (scripts/bundle.mjs), and the fast reader's certificates do not.
    if ('pki' in source) {
      const { pki } = source;
      this.pkiValue = pki;
      this.fields = undefined;
      this.subject = formatName(pki.subject);
      this.issuer = formatName(pki.issuer);
      const cn = pki.subject.typesAndValues.find((tv) => tv.type === '2.5.4.3');
      this.commonName = cn ? attributeText(cn.value) : this.subject;
      this.serialNumber = Buffer.from(pki.serialNumber.valueBlock.valueHexView).toString('hex');
      this.notBefore = pki.notBefore.value;
      this.notAfter = pki.notAfter.value;
    } else {
      const { fields } = source;
      this.fields = fields;
      this.subject = formatFields(fields.subject);
      this.issuer = formatFields(fields.issuer);
      const cn = fields.subject.attributes.find((a) => a.type === '2.5.4.3');
      this.commonName = cn ? cn.value : this.subject;
      this.serialNumber = fields.serial.toString('hex');
      this.notBefore = fields.notBefore;
      this.notAfter = fields.notAfter;
    }
    this.sha1 = createHash('sha1').update(der).digest('hex');
    this.sha256 = createHash('sha256').update(der).digest('hex');
  }

  /** The pkijs structure, decoded on first use when the fast reader read the certificate. */
  get pki(): pkijs.Certificate {
    this.pkiValue ??= decodePkijs(this.der);
    return this.pkiValue;
  }

  /** Parses one DER certificate. Throws on anything that is not a certificate. */
  static fromDer(der: Uint8Array): Certificate {
    const bytes = Buffer.from(der);
    const fields = readCertificateFields(bytes);
    if (fields) return new Certificate(Buffer.from(bytes.subarray(0, fields.length)), { fields });
    const asn1 = asn1js.fromBER(bytes);
    if (asn1.offset === -1) throw new Error(`not DER: ${asn1.result.error}`);
    const pki = new pkijs.Certificate({ schema: asn1.result });
    return new Certificate(Buffer.from(bytes.subarray(0, asn1.offset)), { pki });
  }

  /**
   * Wraps a certificate pkijs already decoded from `der`, its exact stored encoding (e.g. an
   * element of a SignedData certificate set), without decoding it a second time.
   */
  static fromDecoded(der: Uint8Array, pki: pkijs.Certificate): Certificate {
    return new Certificate(Buffer.from(der), { pki });
  }

  /** A certificate the fast reader read from exactly `der` (a private copy). */
  static fromFields(der: Buffer, fields: CertificateFields): Certificate {
    return new Certificate(der, { fields });
  }

  /** Wraps a certificate pkijs already parsed (e.g. from a SignedData certificate set). */
  static fromPkijs(pki: pkijs.Certificate): Certificate {
    return new Certificate(Buffer.from(pki.toSchema().toBER(false)), { pki });
  }

  /** Exact byte equality of the encoded certificates: Windows' comparison for patch certificates. */
  equals(other: Certificate): boolean {
    return this.der.equals(other.der);
  }

  get publicKey(): KeyObject {
    this.keyObject ??= createPublicKey({ key: this.spkiDer, format: 'der', type: 'spki' });
    return this.keyObject;
  }

  /** DER of SubjectPublicKeyInfo, exactly as stored. */
  get spkiDer(): Buffer {
    return this.fields ? this.fields.spkiDer : rawBytes(this.pki.subjectPublicKeyInfo);
  }

  /** The subjectPublicKey BIT STRING's bytes (after the unused-bits octet). */
  get publicKeyBits(): Uint8Array {
    return (
      this.fields?.publicKeyBits ??
      this.pki.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView
    );
  }

  extension(oid: string): pkijs.Extension | undefined {
    return this.pki.extensions?.find((e) => e.extnID === oid);
  }

  /**
   * The first extension with this OID as the fast reader read it: `null` when the certificate
   * has none, undefined when pkijs decoded the certificate (the caller then asks pkijs).
   */
  rawExtension(oid: string): ExtensionFields | null | undefined {
    if (!this.fields) return undefined;
    return this.fields.extensions.find((e) => e.oid === oid) ?? null;
  }

  /** Extended key usages, or undefined when the certificate has no EKU extension (any usage). */
  get extendedKeyUsages(): string[] | undefined {
    const raw = this.rawExtension('2.5.29.37');
    if (raw === null) return undefined;
    const fast = raw && readExtendedKeyUsages(raw.value);
    if (fast) return fast;
    const ext = this.extension('2.5.29.37');
    if (!ext) return undefined;
    const parsed = ext.parsedValue as pkijs.ExtKeyUsage | undefined;
    return parsed?.keyPurposes ?? [];
  }

  /** Exact DER of the issuer Name as stored (what SignerInfo issuerAndSerialNumber compares). */
  get issuerDer(): Buffer {
    return this.fields ? this.fields.issuer.der : nameDer(this.pki.issuer);
  }

  /** Exact DER of the subject Name as stored. */
  get subjectDer(): Buffer {
    return this.fields ? this.fields.subject.der : nameDer(this.pki.subject);
  }

  /** The subjectKeyIdentifier extension's key identifier, or undefined when absent. */
  get subjectKeyIdentifier(): Buffer | undefined {
    const raw = this.rawExtension('2.5.29.14');
    if (raw === null) return undefined;
    const fast = raw && readKeyIdentifier(raw.value);
    if (fast) return fast;
    const parsed = this.extension('2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
    return parsed instanceof asn1js.OctetString ? Buffer.from(parsed.getValue()) : undefined;
  }

  /**
   * basicConstraints cA=TRUE: a certificate authority. Such a certificate issues certificates;
   * it is never the one that signs a file, so pins and patch-certificate lists leave it out.
   */
  get isCa(): boolean {
    const raw = this.rawExtension('2.5.29.19');
    if (raw === null) return false;
    const fast = raw && readBasicConstraints(raw.value);
    if (fast) return fast.cA;
    const parsed = this.extension('2.5.29.19')?.parsedValue as pkijs.BasicConstraints | undefined;
    return parsed?.cA === true;
  }

  /** Subject and issuer Names are the same bytes (as stored; computed once: reports ask often). */
  get isSelfIssued(): boolean {
    this.selfIssued ??= this.subjectDer.equals(this.issuerDer);
    return this.selfIssued;
  }

  /** Thumbprint prefix for tables and one-line output. */
  get shortThumbprint(): string {
    return this.sha256.slice(0, 16);
  }
}

/**
 * Certificates decoded in this process, by SHA-256 of their exact encoding. A release signs every
 * file with the same chain, so decoding each distinct certificate once (and keeping the keys,
 * signature checks and facts cached on the one object) makes many small files cheap (issue 19).
 * A hit is confirmed by comparing the bytes, so a certificate that differs from a cached one in
 * any byte is a different object with its own decisions. Bounded: the oldest entries go first;
 * 1,024 decoded certificates (with their pkijs trees) stay within about 20 MiB, while a release
 * has a handful of distinct ones.
 */
const interned = new Map<string, Certificate>();
const MAX_INTERNED = 1024;

/**
 * The Certificate for these exact DER bytes, decoded at most once per process while cached.
 * `decode` turns a private copy of the bytes into the element to read (the caller's strict
 * decoder); it runs only on a miss, and must consume the bytes exactly.
 */
export function internCertificate(
  der: Uint8Array,
  decode: (copy: Buffer) => asn1js.BaseBlock,
): Certificate {
  const key = createHash('sha256').update(der).digest('hex');
  const known = interned.get(key);
  if (known && known.der.equals(der)) return known;
  // A private copy: the cache must never hold views into a file's signature blob.
  const copy = Buffer.from(der);
  // Plain DER filling the bytes exactly is what the strict decoder accepts too, so it is read
  // directly; anything else goes through the caller's decoder and pkijs as before.
  const fields = readCertificateFields(copy);
  const certificate =
    fields && fields.length === copy.length
      ? Certificate.fromFields(copy, fields)
      : Certificate.fromDecoded(copy, new pkijs.Certificate({ schema: decode(copy) }));
  if (interned.size >= MAX_INTERNED) interned.delete(interned.keys().next().value!);
  interned.set(key, certificate);
  return certificate;
}
