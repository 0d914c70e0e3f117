/**
 * A fast reader of the X.509 fields verification uses, for certificates in plain DER (what every
 * real CA issues). Decoding a certificate with asn1js and matching pkijs' schema cost about 15 ms
 * of cold code per run and most of the per-certificate time (issue 19); this reads the same
 * fields straight from the bytes.
 *
 * It is deliberately narrower than asn1js + pkijs, never wider: any form it does not recognise
 * exactly (long or non-minimal lengths, the indefinite form, high tag numbers, string types other
 * than PrintableString, IA5String and ASCII UTF8String, times outside the strict
 * YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ forms, anything unexpected) makes it return undefined, and the
 * caller decodes with asn1js + pkijs as before. So a certificate is accepted or refused exactly as
 * before, and the fields of an accepted one are the ones pkijs gives (test/x509/der-fields.test.ts
 * checks both on real and mutated certificates).
 */

interface Element {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** Reads one element with a low tag number and a minimal definite length, ending by `limit`. */
function element(bytes: Uint8Array, at: number, limit: number): Element | undefined {
  if (at + 2 > limit) return undefined;
  const tag = bytes[at]!;
  if ((tag & 0x1f) === 0x1f) return undefined;
  const first = bytes[at + 1]!;
  let contentStart = at + 2;
  let length = first;
  if (first & 0x80) {
    const octets = first & 0x7f;
    if (octets === 0 || octets > 3 || contentStart + octets > limit) return undefined;
    if (bytes[contentStart] === 0) return undefined;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[contentStart + i]!;
    if (length < 0x80) return undefined;
    contentStart += octets;
  }
  if (length > limit - contentStart) return undefined;
  const end = contentStart + length;
  // SEQUENCE and SET in the primitive form (asn1js reads them as constructed; tlv.ts refuses).
  if (tag === 0x10 || tag === 0x11) return undefined;
  return { tag, start: at, contentStart, end };
}

/** The elements filling `parent`'s contents exactly, or undefined. */
function childrenOf(bytes: Uint8Array, parent: Element, max = 64): Element[] | undefined {
  const list: Element[] = [];
  for (let at = parent.contentStart; at < parent.end;) {
    if (list.length >= max) return undefined;
    const child = element(bytes, at, parent.end);
    if (!child) return undefined;
    list.push(child);
    at = child.end;
  }
  return list;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const NULL = 0x05;
const OID = 0x06;
const BOOLEAN = 0x01;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const UTF8_STRING = 0x0c;
const PRINTABLE_STRING = 0x13;
const IA5_STRING = 0x16;

function content(bytes: Uint8Array, e: Element): Uint8Array {
  return bytes.subarray(e.contentStart, e.end);
}

/** Dotted OID text as asn1js renders it, for minimally encoded arcs below 2^32. */
export function oidText(value: Uint8Array): string | undefined {
  if (value.length === 0 || value.length > 64) return undefined;
  const arcs: number[] = [];
  let current = 0;
  let started = false;
  for (const b of value) {
    if (!started && b === 0x80) return undefined;
    started = true;
    current = current * 128 + (b & 0x7f);
    if (current > 0xffffffff) return undefined;
    if ((b & 0x80) === 0) {
      arcs.push(current);
      current = 0;
      started = false;
    }
  }
  if (started) return undefined;
  const first = arcs[0]!;
  const head = first < 40 ? `0.${first}` : first < 80 ? `1.${first - 40}` : `2.${first - 80}`;
  return [head, ...arcs.slice(1)].join('.');
}

/** A DER INTEGER's content octets: at least one, minimal. */
function integerContent(bytes: Uint8Array, e: Element): Uint8Array | undefined {
  if (e.tag !== INTEGER) return undefined;
  const value = content(bytes, e);
  if (value.length === 0) return undefined;
  if (value.length > 1 && value[0] === 0 && (value[1]! & 0x80) === 0) return undefined;
  if (value.length > 1 && value[0] === 0xff && (value[1]! & 0x80) !== 0) return undefined;
  return value;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(text: string, from: number, count: number): number | undefined {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n;
}

/** UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ with every field in range. */
function timeOf(bytes: Uint8Array, e: Element): Date | undefined {
  const text = Buffer.from(content(bytes, e)).toString('latin1');
  let year: number | undefined;
  let rest: number;
  if (e.tag === UTC_TIME && text.length === 13) {
    const yy = digits(text, 0, 2);
    if (yy === undefined) return undefined;
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = 2;
  } else if (e.tag === GENERALIZED_TIME && text.length === 15) {
    year = digits(text, 0, 4);
    if (year === undefined || year < 1000) return undefined;
    rest = 4;
  } else {
    return undefined;
  }
  if (text[text.length - 1] !== 'Z') return undefined;
  const month = digits(text, rest, 2);
  const day = digits(text, rest + 2, 2);
  const hour = digits(text, rest + 4, 2);
  const minute = digits(text, rest + 6, 2);
  const second = digits(text, rest + 8, 2);
  if (month === undefined || day === undefined || hour === undefined) return undefined;
  if (minute === undefined || second === undefined) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > DAYS[month - 1]!) return undefined;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) {
    return undefined;
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

export interface NameFields {
  /** Exact DER of the Name. */
  der: Buffer;
  /** Attribute types (dotted OIDs) and their text values, in encoded order. */
  attributes: { type: string; value: string }[];
}

/** A Name whose attribute values are all PrintableString, IA5String or ASCII UTF8String. */
function nameOf(bytes: Uint8Array, e: Element): NameFields | undefined {
  if (e.tag !== SEQUENCE) return undefined;
  const sets = childrenOf(bytes, e);
  if (!sets) return undefined;
  const attributes: NameFields['attributes'] = [];
  for (const set of sets) {
    if (set.tag !== SET) return undefined;
    const pairs = childrenOf(bytes, set);
    if (!pairs || pairs.length === 0) return undefined;
    for (const pair of pairs) {
      if (pair.tag !== SEQUENCE) return undefined;
      const parts = childrenOf(bytes, pair, 2);
      if (!parts || parts.length !== 2 || parts[0]!.tag !== OID) return undefined;
      const type = oidText(content(bytes, parts[0]!));
      const value = parts[1]!;
      if (type === undefined) return undefined;
      if (value.tag !== PRINTABLE_STRING && value.tag !== IA5_STRING && value.tag !== UTF8_STRING) {
        return undefined;
      }
      const raw = content(bytes, value);
      // Non-ASCII text is decoded differently per string type by asn1js: left to it.
      for (const b of raw) if (b >= 0x80) return undefined;
      attributes.push({ type, value: Buffer.from(raw).toString('latin1') });
    }
  }
  return { der: Buffer.from(bytes.subarray(e.start, e.end)), attributes };
}

/** AlgorithmIdentifier ::= SEQUENCE { OID, parameters ANY OPTIONAL }: the OID. */
function algorithmOf(bytes: Uint8Array, e: Element): string | undefined {
  if (e.tag !== SEQUENCE) return undefined;
  const parts = childrenOf(bytes, e, 3);
  if (!parts || parts.length < 1 || parts.length > 2 || parts[0]!.tag !== OID) return undefined;
  // Parameters: absent, NULL, or a named curve. Structured ones (RSASSA-PSS) go to pkijs.
  const parameters = parts[1];
  if (parameters) {
    if (parameters.tag === NULL) {
      if (parameters.end !== parameters.contentStart) return undefined;
    } else if (parameters.tag !== OID || oidText(content(bytes, parameters)) === undefined) {
      return undefined;
    }
  }
  return oidText(content(bytes, parts[0]!));
}

export interface ExtensionFields {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING's contents. */
  value: Buffer;
}

export interface CertificateFields {
  /** Length of the certificate's encoding at the start of the bytes. */
  length: number;
  subject: NameFields;
  issuer: NameFields;
  /** INTEGER content octets of the serial number. */
  serial: Buffer;
  notBefore: Date;
  notAfter: Date;
  spkiDer: Buffer;
  /** SubjectPublicKeyInfo's algorithm OID. */
  keyAlgorithm: string;
  /** The subjectPublicKey BIT STRING's bytes after its unused-bits octet. */
  publicKeyBits: Buffer;
  /** RSA modulus and exponent INTEGER contents, when the key is rsaEncryption in plain DER. */
  rsa: { modulus: Uint8Array; exponent: Uint8Array } | undefined;
  extensions: ExtensionFields[];
  signatureAlgorithm: string;
}

export const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

/**
 * The fields of the DER certificate at the start of `bytes`, or undefined when its encoding is
 * anything but the plain DER this reader knows (the caller then decodes it with pkijs).
 */
export function readCertificateFields(bytes: Uint8Array): CertificateFields | undefined {
  const certificate = element(bytes, 0, bytes.length);
  if (!certificate || certificate.tag !== SEQUENCE) return undefined;
  const top = childrenOf(bytes, certificate, 3);
  if (!top || top.length !== 3) return undefined;
  const [tbs, outerAlgorithm, signature] = top as [Element, Element, Element];
  if (tbs.tag !== SEQUENCE || signature.tag !== BIT_STRING) return undefined;
  if (signature.end === signature.contentStart || bytes[signature.contentStart] !== 0) {
    return undefined;
  }
  const signatureAlgorithm = algorithmOf(bytes, outerAlgorithm);
  if (signatureAlgorithm === undefined) return undefined;

  const fields = childrenOf(bytes, tbs, 10);
  if (!fields) return undefined;
  let i = 0;
  // version [0] EXPLICIT INTEGER: v1 (absent), v2 or v3.
  if (fields[0]?.tag === 0xa0) {
    const inner = childrenOf(bytes, fields[0], 1);
    const version = inner?.length === 1 ? integerContent(bytes, inner[0]!) : undefined;
    if (!version || version.length !== 1 || version[0]! > 2) return undefined;
    i++;
  }
  const [serialElement, innerAlgorithm, issuerElement, validity, subjectElement, spki] =
    fields.slice(i, i + 6);
  if (!serialElement || !innerAlgorithm || !issuerElement || !validity) return undefined;
  if (!subjectElement || !spki) return undefined;
  const serial = integerContent(bytes, serialElement);
  if (!serial || algorithmOf(bytes, innerAlgorithm) === undefined) return undefined;
  const issuer = nameOf(bytes, issuerElement);
  const subject = nameOf(bytes, subjectElement);
  if (!issuer || !subject || validity.tag !== SEQUENCE) return undefined;
  const times = childrenOf(bytes, validity, 2);
  if (!times || times.length !== 2) return undefined;
  const notBefore = timeOf(bytes, times[0]!);
  const notAfter = timeOf(bytes, times[1]!);
  if (!notBefore || !notAfter) return undefined;

  if (spki.tag !== SEQUENCE) return undefined;
  const keyParts = childrenOf(bytes, spki, 2);
  if (!keyParts || keyParts.length !== 2 || keyParts[1]!.tag !== BIT_STRING) return undefined;
  const keyAlgorithm = algorithmOf(bytes, keyParts[0]!);
  const keyBits = content(bytes, keyParts[1]!);
  if (keyAlgorithm === undefined || keyBits.length === 0 || keyBits[0] !== 0) return undefined;
  const publicKeyBits = Buffer.from(keyBits.subarray(1));
  let rsa: CertificateFields['rsa'];
  if (keyAlgorithm === RSA_ENCRYPTION) {
    rsa = rsaKey(publicKeyBits);
    if (!rsa) return undefined;
  }

  // issuerUniqueID [1] and subjectUniqueID [2] are not read: such certificates go to pkijs.
  const extensions: ExtensionFields[] = [];
  const remaining = fields.slice(i + 6);
  if (remaining.length > 1) return undefined;
  if (remaining.length === 1) {
    const wrapper = remaining[0]!;
    if (wrapper.tag !== 0xa3) return undefined;
    const inner = childrenOf(bytes, wrapper, 1);
    if (!inner || inner.length !== 1 || inner[0]!.tag !== SEQUENCE) return undefined;
    const list = childrenOf(bytes, inner[0]!, 64);
    if (!list || list.length === 0) return undefined;
    for (const extension of list) {
      if (extension.tag !== SEQUENCE) return undefined;
      const parts = childrenOf(bytes, extension, 3);
      if (!parts || parts.length < 2 || parts[0]!.tag !== OID) return undefined;
      const oid = oidText(content(bytes, parts[0]!));
      let critical = false;
      if (parts.length === 3) {
        const flag = content(bytes, parts[1]!);
        if (parts[1]!.tag !== BOOLEAN || flag.length !== 1 || flag[0] !== 0xff) return undefined;
        critical = true;
      }
      const value = parts[parts.length - 1]!;
      if (oid === undefined || value.tag !== OCTET_STRING) return undefined;
      extensions.push({ oid, critical, value: Buffer.from(content(bytes, value)) });
    }
  }
  return {
    length: certificate.end,
    subject,
    issuer,
    serial: Buffer.from(serial),
    notBefore,
    notAfter,
    spkiDer: Buffer.from(bytes.subarray(spki.start, spki.end)),
    keyAlgorithm,
    publicKeyBits,
    rsa,
    extensions,
    signatureAlgorithm,
  };
}

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }, filling the key bits. */
function rsaKey(bits: Uint8Array): CertificateFields['rsa'] {
  const key = element(bits, 0, bits.length);
  if (!key || key.tag !== SEQUENCE || key.end !== bits.length) return undefined;
  const parts = childrenOf(bits, key, 2);
  if (!parts || parts.length !== 2) return undefined;
  const modulus = integerContent(bits, parts[0]!);
  const exponent = integerContent(bits, parts[1]!);
  return modulus && exponent ? { modulus, exponent } : undefined;
}

/** A value that must be exactly one element filling `bytes`. */
function only(bytes: Uint8Array): Element | undefined {
  const e = element(bytes, 0, bytes.length);
  return e && e.end === bytes.length ? e : undefined;
}

/** subjectKeyIdentifier ::= OCTET STRING; undefined for anything else (pkijs then decides). */
export function readKeyIdentifier(value: Uint8Array): Buffer | undefined {
  const e = only(value);
  return e && e.tag === OCTET_STRING ? Buffer.from(content(value, e)) : undefined;
}

/** authorityKeyIdentifier holding just [0] keyIdentifier; undefined for any other form. */
export function readAuthorityKeyIdentifier(value: Uint8Array): Buffer | undefined {
  const e = only(value);
  if (!e || e.tag !== SEQUENCE) return undefined;
  const parts = childrenOf(value, e, 1);
  if (!parts || parts.length !== 1 || parts[0]!.tag !== 0x80) return undefined;
  return Buffer.from(content(value, parts[0]!));
}

/** basicConstraints with DER BOOLEAN cA TRUE and a small pathLen; undefined otherwise. */
export function readBasicConstraints(
  value: Uint8Array,
): { cA: boolean; pathLen: number | undefined } | undefined {
  const e = only(value);
  if (!e || e.tag !== SEQUENCE) return undefined;
  const parts = childrenOf(value, e, 2);
  if (!parts) return undefined;
  let cA = false;
  let next = 0;
  if (parts[0]?.tag === BOOLEAN) {
    const flag = content(value, parts[0]);
    if (flag.length !== 1 || flag[0] !== 0xff) return undefined;
    cA = true;
    next = 1;
  }
  let pathLen: number | undefined;
  if (parts[next]) {
    const n = integerContent(value, parts[next]!);
    if (!n || n.length > 2 || (n[0]! & 0x80) !== 0) return undefined;
    pathLen = n.length === 1 ? n[0]! : n[0]! * 256 + n[1]!;
    next++;
  }
  return next === parts.length ? { cA, pathLen } : undefined;
}

/** keyUsage BIT STRING (bytes after the unused-bits octet); undefined for other forms. */
export function readKeyUsageBits(value: Uint8Array): Uint8Array | undefined {
  const e = only(value);
  if (!e || e.tag !== BIT_STRING) return undefined;
  const bits = content(value, e);
  if (bits.length < 2 || bits[0]! > 7) return undefined;
  return bits.subarray(1);
}

/** extKeyUsage SEQUENCE of one or more OIDs; undefined for other forms. */
export function readExtendedKeyUsages(value: Uint8Array): string[] | undefined {
  const e = only(value);
  if (!e || e.tag !== SEQUENCE) return undefined;
  const parts = childrenOf(value, e, 64);
  if (!parts || parts.length === 0) return undefined;
  const oids: string[] = [];
  for (const part of parts) {
    const text = part.tag === OID ? oidText(content(value, part)) : undefined;
    if (text === undefined) return undefined;
    oids.push(text);
  }
  return oids;
}
