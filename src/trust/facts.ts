import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Certificate } from '../x509/certificate.js';
import {
  readAuthorityKeyIdentifier,
  readBasicConstraints as readBasicConstraintsFast,
  readKeyIdentifier,
  readKeyUsageBits,
  RSA_ENCRYPTION,
} from '../x509/der-fields.js';
import { checkTimeBudget } from '../work-budget.js';

/**
 * What chain building needs to know about one certificate, read once from the pkijs structure:
 * exact Name and key encodings, key identifiers, CA constraints and key usage. Kept here rather
 * than on Certificate so the shared class stays small.
 */
export interface CertificateFacts {
  /** DER of the subject Name exactly as encoded in the certificate. */
  subjectDer: Buffer;
  /** DER of the issuer Name exactly as encoded in the certificate. */
  issuerDer: Buffer;
  /** DER of SubjectPublicKeyInfo. */
  spkiDer: Buffer;
  subjectKeyId: Buffer | undefined;
  authorityKeyId: Buffer | undefined;
  basicConstraints: BasicConstraintsFacts | undefined;
  keyUsage: KeyUsageFacts | undefined;
  /** OIDs of critical extensions this verifier does not process (docs/formats.md §7.7). */
  unsupportedCritical: string[];
  /**
   * Critical extensions whose semantics Windows applies but this verifier does not evaluate
   * (name constraints, policy constraints, inhibitAnyPolicy): a chain carrying one is refused
   * rather than accepted without the check (docs/finding-codes.md, unevaluated-constraint).
   */
  unevaluatedCritical: string[];
  /** RSA key size and public-exponent size in bits; undefined for other key types. */
  rsa: { modulusBits: number; exponentBits: number } | undefined;
  /** The algorithm OID of the issuer's signature on this certificate. */
  signatureAlgorithm: string;
}

export interface BasicConstraintsFacts {
  cA: boolean;
  pathLen: number | undefined;
  /** The extension is present but its value does not decode. */
  malformed: boolean;
}

export interface KeyUsageFacts {
  digitalSignature: boolean;
  keyCertSign: boolean;
  malformed: boolean;
}

const OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
} as const;

/**
 * Critical extensions a certificate may carry without making the chain unusable. Anything else
 * marked critical → CERT_E_CRITICAL, as CryptoAPI does for extensions it does not implement.
 */
const SUPPORTED_CRITICAL: ReadonlySet<string> = new Set(Object.values(OID));

/** Processed by CryptoAPI, not by us: refused when critical (see CertificateFacts). */
const UNEVALUATED: ReadonlySet<string> = new Set([
  OID.nameConstraints,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
]);

/** Reads the RSA parameters from the SubjectPublicKeyInfo without building a key object. */
function readRsa(cert: Certificate): CertificateFacts['rsa'] {
  const fields = cert.fields;
  if (fields) {
    if (fields.keyAlgorithm !== RSA_ENCRYPTION || !fields.rsa) return undefined;
    return {
      modulusBits: integerBits(fields.rsa.modulus),
      exponentBits: integerBits(fields.rsa.exponent),
    };
  }
  const spki = cert.pki.subjectPublicKeyInfo;
  if (spki.algorithm.algorithmId !== '1.2.840.113549.1.1.1') return undefined;
  const parsed = spki.parsedKey as unknown;
  if (!(parsed instanceof pkijs.RSAPublicKey)) return undefined;
  return {
    modulusBits: integerBits(parsed.modulus),
    exponentBits: integerBits(parsed.publicExponent),
  };
}

/** Bit length of a non-negative DER INTEGER (leading zero octets ignored). */
function integerBits(value: asn1js.Integer | Uint8Array): number {
  const bytes = value instanceof Uint8Array ? value : value.valueBlock.valueHexView;
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const first = bytes[i] ?? 0;
  return first === 0 ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(first));
}

function hasParsingError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'parsingError' in value;
}

function readBasicConstraints(cert: Certificate): BasicConstraintsFacts | undefined {
  const raw = cert.rawExtension(OID.basicConstraints);
  if (raw === null) return undefined;
  const fast = raw && readBasicConstraintsFast(raw.value);
  if (fast) return { ...fast, malformed: false };
  const ext = cert.extension(OID.basicConstraints);
  if (!ext) return undefined;
  const parsed = ext.parsedValue;
  if (!(parsed instanceof pkijs.BasicConstraints) || hasParsingError(parsed)) {
    return { cA: false, pathLen: undefined, malformed: true };
  }
  let pathLen: number | undefined;
  const constraint = parsed.pathLenConstraint;
  if (typeof constraint === 'number') pathLen = constraint;
  else if (constraint instanceof asn1js.Integer) pathLen = constraint.valueBlock.valueDec;
  return { cA: parsed.cA === true, pathLen, malformed: false };
}

function bit(bytes: Uint8Array, index: number): boolean {
  const byte = bytes[index >> 3];
  return byte !== undefined && (byte & (0x80 >> (index & 7))) !== 0;
}

function readKeyUsage(cert: Certificate): KeyUsageFacts | undefined {
  const raw = cert.rawExtension(OID.keyUsage);
  if (raw === null) return undefined;
  const fast = raw && readKeyUsageBits(raw.value);
  if (fast) {
    return { digitalSignature: bit(fast, 0), keyCertSign: bit(fast, 5), malformed: false };
  }
  const ext = cert.extension(OID.keyUsage);
  if (!ext) return undefined;
  const parsed = ext.parsedValue as unknown;
  if (!(parsed instanceof asn1js.BitString)) {
    return { digitalSignature: false, keyCertSign: false, malformed: true };
  }
  const bytes = parsed.valueBlock.valueHexView;
  // RFC 5280 §4.2.1.3 bit numbers: digitalSignature(0), keyCertSign(5).
  return { digitalSignature: bit(bytes, 0), keyCertSign: bit(bytes, 5), malformed: false };
}

function readSubjectKeyId(cert: Certificate): Buffer | undefined {
  const raw = cert.rawExtension(OID.subjectKeyIdentifier);
  if (raw === null) return undefined;
  const fast = raw && readKeyIdentifier(raw.value);
  if (fast) return fast;
  const parsed = cert.extension(OID.subjectKeyIdentifier)?.parsedValue as unknown;
  if (parsed instanceof asn1js.OctetString) return Buffer.from(parsed.valueBlock.valueHexView);
  return undefined;
}

function readAuthorityKeyId(cert: Certificate): Buffer | undefined {
  const raw = cert.rawExtension(OID.authorityKeyIdentifier);
  if (raw === null) return undefined;
  const fast = raw && readAuthorityKeyIdentifier(raw.value);
  if (fast) return fast;
  const parsed = cert.extension(OID.authorityKeyIdentifier)?.parsedValue as unknown;
  if (!(parsed instanceof pkijs.AuthorityKeyIdentifier) || hasParsingError(parsed))
    return undefined;
  const id = parsed.keyIdentifier;
  return id ? Buffer.from(id.valueBlock.valueHexView) : undefined;
}

const factsCache = new WeakMap<Certificate, CertificateFacts>();

export function factsOf(cert: Certificate): CertificateFacts {
  let facts = factsCache.get(cert);
  if (!facts) {
    const extensions = cert.fields
      ? cert.fields.extensions.map((e) => ({ extnID: e.oid, critical: e.critical }))
      : (cert.pki.extensions ?? []);
    facts = {
      subjectDer: cert.subjectDer,
      issuerDer: cert.issuerDer,
      spkiDer: cert.spkiDer,
      subjectKeyId: readSubjectKeyId(cert),
      authorityKeyId: readAuthorityKeyId(cert),
      basicConstraints: readBasicConstraints(cert),
      keyUsage: readKeyUsage(cert),
      unsupportedCritical: extensions
        .filter((e) => e.critical && !SUPPORTED_CRITICAL.has(e.extnID))
        .map((e) => e.extnID),
      unevaluatedCritical: extensions
        .filter((e) => e.critical && UNEVALUATED.has(e.extnID))
        .map((e) => e.extnID),
      rsa: readRsa(cert),
      signatureAlgorithm:
        cert.fields?.signatureAlgorithm ?? cert.pki.signatureAlgorithm.algorithmId,
    };
    factsCache.set(cert, facts);
  }
  return facts;
}

const nodeCertCache = new WeakMap<Certificate, X509Certificate | null>();
const signatureCache = new WeakMap<Certificate, Map<string, boolean>>();

function nodeCertificate(cert: Certificate): X509Certificate | null {
  let node = nodeCertCache.get(cert);
  if (node === undefined) {
    try {
      node = new X509Certificate(cert.der);
    } catch {
      node = null;
    }
    nodeCertCache.set(cert, node);
  }
  return node;
}

/**
 * Largest RSA public exponent, in bits, used to verify anything. Real keys use 3, 17 or 65537;
 * a huge exponent makes every verification cost as much as a private-key operation, which a
 * hostile file multiplies over many same-named issuers. CryptoAPI's own RSAPUBKEY holds a
 * 32-bit exponent; 64 bits leaves room for unusual but honest keys.
 */
export const MAX_RSA_EXPONENT_BITS = 64;

/** Whether the key may be used to verify signatures at all (see MAX_RSA_EXPONENT_BITS). */
export function hasUsableKey(cert: Certificate): boolean {
  const rsa = factsOf(cert).rsa;
  return !rsa || rsa.exponentBits <= MAX_RSA_EXPONENT_BITS;
}

/**
 * Signature checks one file may spend on chain building (signer, nested signers and every
 * timestamp authority together). Cached results are free. When the budget is spent, further
 * checks fail and the chain is reported incomplete rather than built at unbounded cost.
 */
export class SignatureCheckBudget {
  private used = 0;
  /** Set once a check was refused because the budget was spent. */
  refused = false;

  constructor(readonly limit: number) {}

  take(): boolean {
    if (this.used >= this.limit) {
      this.refused = true;
      return false;
    }
    this.used++;
    return true;
  }

  get spent(): number {
    return this.used;
  }
}

/**
 * Certificate signature checks one file may spend on all its chains (signers, nested signers,
 * timestamp authorities). A real file needs a few per chain; a hostile one offering hundreds of
 * same-named issuers with costly keys is stopped here.
 */
export const SIGNATURE_CHECKS_PER_FILE = 256;

/** A fresh per-file budget. */
export function newSignatureCheckBudget(): SignatureCheckBudget {
  return new SignatureCheckBudget(SIGNATURE_CHECKS_PER_FILE);
}

/** Whether `issuer`'s public key verifies the signature on `child`. Cached per pair. */
export function isSignedBy(
  child: Certificate,
  issuer: Certificate,
  budget?: SignatureCheckBudget,
): boolean {
  let results = signatureCache.get(child);
  if (!results) {
    results = new Map();
    signatureCache.set(child, results);
  }
  const known = results.get(issuer.sha256);
  if (known !== undefined) return known;
  if (!hasUsableKey(issuer)) {
    results.set(issuer.sha256, false);
    return false;
  }
  // A signature check is the expensive step of chain building (huge RSA exponents, many
  // same-named candidates): the file's time budget is checked before each one.
  checkTimeBudget();
  // Not cached when refused: the pair was never checked.
  if (budget && !budget.take()) return false;
  let verified = false;
  const node = nodeCertificate(child);
  if (node) {
    try {
      verified = node.verify(issuer.publicKey);
    } catch {
      verified = false;
    }
  }
  results.set(issuer.sha256, verified);
  return verified;
}

/** Self-issued (subject = issuer) and its signature verifies under its own key. */
export function isSelfSigned(cert: Certificate, budget?: SignatureCheckBudget): boolean {
  const facts = factsOf(cert);
  return facts.subjectDer.equals(facts.issuerDer) && isSignedBy(cert, cert, budget);
}

export function isSelfIssued(cert: Certificate): boolean {
  const facts = factsOf(cert);
  return facts.subjectDer.equals(facts.issuerDer);
}
