import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { verifyIssuedSignature } from '../authenticode/index.js';
import { factsOf } from '../trust/facts.js';
import { formatName, type Certificate } from '../x509/certificate.js';
import { REMOVE_FROM_CRL } from './reasons.js';
import { iso } from './types.js';

export { iso };

/**
 * Certificate revocation lists (RFC 5280 §5): parsed once from DER or PEM into the facts the
 * checker needs, then checked against one certificate and its issuer.
 */

const OID = {
  authorityKeyIdentifier: '2.5.29.35',
  crlNumber: '2.5.29.20',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  freshestCrl: '2.5.29.46',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  certificateIssuer: '2.5.29.29',
} as const;

/** CRL extensions we process or may ignore; any other critical one makes the CRL unusable. */
const KNOWN_CRL_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.authorityKeyIdentifier,
  OID.crlNumber,
  OID.issuingDistributionPoint,
  OID.freshestCrl,
]);
const KNOWN_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set([OID.reasonCode, OID.invalidityDate]);

/** A CRL whose thisUpdate is at most this far in the future still counts (clock skew). */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** Bounds what a hostile CRL can make us hold: the entry count and the input size. */
const MAX_CRL_BYTES = 64 * 1024 * 1024;

export class CrlFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrlFormatError';
  }
}

interface Entry {
  revokedAt: Date;
  reason?: number;
}

interface Scope {
  onlyUser: boolean;
  onlyCa: boolean;
  onlyAttribute: boolean;
  indirect: boolean;
  someReasons: boolean;
}

export class RevocationList {
  readonly issuer: string;
  readonly issuerDer: Buffer;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly isDelta: boolean;
  /** Critical CRL or entry extensions we do not process (RFC 5280 §5.2: the CRL must not be used). */
  readonly unsupportedCritical: string[];
  private readonly entries = new Map<string, Entry>();
  private readonly scope: Scope;

  private constructor(private readonly pki: pkijs.CertificateRevocationList) {
    this.issuer = formatName(pki.issuer);
    this.issuerDer = Buffer.from(pki.issuer.toSchema().toBER(false));
    const before = pki.issuer.valueBeforeDecode;
    if (before && before.byteLength > 0) this.issuerDer = Buffer.from(before);
    this.thisUpdate = pki.thisUpdate.value;
    this.nextUpdate = pki.nextUpdate?.value;
    const extensions = pki.crlExtensions?.extensions ?? [];
    this.isDelta = extensions.some((e) => e.extnID === OID.deltaCrlIndicator);
    this.unsupportedCritical = extensions
      .filter(
        (e) =>
          e.critical && e.extnID !== OID.deltaCrlIndicator && !KNOWN_CRL_EXTENSIONS.has(e.extnID),
      )
      .map((e) => e.extnID);
    this.scope = readScope(extensions.find((e) => e.extnID === OID.issuingDistributionPoint));
    for (const revoked of pki.revokedCertificates ?? []) {
      const entryExtensions = revoked.crlEntryExtensions?.extensions ?? [];
      for (const e of entryExtensions) {
        if (e.critical && !KNOWN_ENTRY_EXTENSIONS.has(e.extnID)) {
          // certificateIssuer (indirect CRLs) is always critical and lands here too.
          this.unsupportedCritical.push(
            `${e.extnID} (on the entry for serial ${serialOf(revoked.userCertificate)})`,
          );
        }
      }
      const reasonExtension = entryExtensions.find((e) => e.extnID === OID.reasonCode);
      const reason = readReason(reasonExtension);
      this.entries.set(serialOf(revoked.userCertificate), {
        revokedAt: revoked.revocationDate.value,
        ...(reason !== undefined ? { reason } : {}),
      });
    }
  }

  /** DER, or PEM with one "X509 CRL" block. Throws CrlFormatError. */
  static parse(bytes: Buffer): RevocationList {
    if (bytes.length > MAX_CRL_BYTES)
      throw new CrlFormatError(
        `it is ${bytes.length} bytes long, more than a CRL can reasonably be`,
      );
    const der = pemBody(bytes) ?? bytes;
    const asn1 = asn1js.fromBER(der);
    if (asn1.offset === -1) throw new CrlFormatError(`not DER or PEM: ${asn1.result.error}`);
    try {
      return new RevocationList(new pkijs.CertificateRevocationList({ schema: asn1.result }));
    } catch (error) {
      throw new CrlFormatError(`not a CRL: ${(error as Error).message}`);
    }
  }

  get entryCount(): number {
    return this.entries.size;
  }

  /** Whether this CRL claims to speak for `certificate`'s issuer (same issuer Name). */
  names(certificate: Certificate): boolean {
    return factsOf(certificate).issuerDer.equals(this.issuerDer);
  }

  /**
   * Checks this CRL for `certificate` issued by `issuer` at `now`. A CRL that cannot be used
   * (wrong issuer, bad signature, outside its validity, delta, critical extensions, partial
   * scope) gives a problem in words; a usable one gives the certificate's entry or none.
   */
  check(
    certificate: Certificate,
    issuer: Certificate | undefined,
    isCa: boolean,
    now: Date,
  ): { problem: string } | { revoked: Entry | undefined } {
    if (!this.names(certificate))
      return { problem: `it is issued by "${this.issuer}", not by "${certificate.issuer}"` };
    if (this.isDelta)
      return {
        problem:
          'it is a delta CRL (deltaCRLIndicator), which is not read: give or publish the complete base CRL',
      };
    if (this.unsupportedCritical.length > 0)
      return {
        problem: `it carries critical extension${this.unsupportedCritical.length === 1 ? '' : 's'} ${this.unsupportedCritical.join(', ')} that is not processed, so it must not be used (RFC 5280 §5.2)`,
      };
    const scope = this.scope;
    if (scope.indirect) return { problem: 'it is an indirect CRL, which is not read' };
    if (scope.someReasons)
      return {
        problem: 'it covers only some revocation reasons (onlySomeReasons), which is not read',
      };
    if (scope.onlyAttribute || (scope.onlyUser && isCa) || (scope.onlyCa && !isCa))
      return {
        problem: `its issuing distribution point limits it to ${scope.onlyAttribute ? 'attribute' : scope.onlyUser ? 'end-entity' : 'CA'} certificates`,
      };
    if (!issuer)
      return {
        problem: `the issuer certificate "${certificate.issuer}" is not available to verify it`,
      };
    const keyUsage = factsOf(issuer).keyUsage;
    if (keyUsage && !keyUsage.malformed && !cRLSignBit(issuer))
      return { problem: `the keyUsage of its issuer "${issuer.subject}" does not include cRLSign` };
    const signature = verifyIssuedSignature(
      this.pki.signatureAlgorithm,
      this.pki.tbsView,
      this.pki.signatureValue.valueBlock.valueHexView,
      issuer,
    );
    if (!signature.ok)
      return {
        problem: `its signature does not verify under the key of "${issuer.subject}" (${signature.message}): it was not signed by the issuer`,
      };
    if (this.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS)
      return {
        problem: `it is not valid yet (thisUpdate ${iso(this.thisUpdate)}, validation time ${iso(now)})`,
      };
    if (this.nextUpdate && this.nextUpdate.getTime() < now.getTime())
      return {
        problem: `it expired: its nextUpdate ${iso(this.nextUpdate)} is before the validation time ${iso(now)}`,
      };
    const entry = this.entries.get(normalizedSerial(certificate.serialNumber));
    if (entry && entry.reason === REMOVE_FROM_CRL) return { revoked: undefined };
    return { revoked: entry };
  }
}

function pemBody(bytes: Buffer): Buffer | undefined {
  const text = bytes.subarray(0, 64).toString('latin1');
  if (!text.includes('-----BEGIN')) return undefined;
  const match = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(
    bytes.toString('latin1'),
  );
  if (!match) throw new CrlFormatError('PEM without an "X509 CRL" block');
  return Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
}

/** Serial numbers as lower-case hex of the integer's value bytes, without leading zero bytes. */
export function normalizedSerial(hex: string): string {
  return hex.replace(/^(00)+(?=..)/, '');
}

function serialOf(integer: asn1js.Integer): string {
  return normalizedSerial(Buffer.from(integer.valueBlock.valueHexView).toString('hex'));
}

function readReason(extension: pkijs.Extension | undefined): number | undefined {
  if (!extension) return undefined;
  const parsed = extension.parsedValue as unknown;
  if (parsed instanceof asn1js.Enumerated) return parsed.valueBlock.valueDec;
  const asn1 = asn1js.fromBER(extension.extnValue.valueBlock.valueHexView);
  if (asn1.result instanceof asn1js.Enumerated) return asn1.result.valueBlock.valueDec;
  return 0; // an undecodable reason is treated as unspecified: the strictest reading
}

function readScope(extension: pkijs.Extension | undefined): Scope {
  const scope: Scope = {
    onlyUser: false,
    onlyCa: false,
    onlyAttribute: false,
    indirect: false,
    someReasons: false,
  };
  if (!extension) return scope;
  const asn1 = asn1js.fromBER(extension.extnValue.valueBlock.valueHexView);
  if (!(asn1.result instanceof asn1js.Sequence)) {
    // Undecodable scope: read as the narrowest, so the CRL is not used.
    scope.someReasons = true;
    return scope;
  }
  // IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0], onlyContainsUserCerts [1],
  // onlyContainsCACerts [2], onlySomeReasons [3], indirectCRL [4], onlyContainsAttributeCerts [5] }
  for (const element of asn1.result.valueBlock.value) {
    const tag = element.idBlock.tagNumber;
    const set = element.valueBeforeDecodeView.at(-1) !== 0x00;
    if (tag === 1) scope.onlyUser = set;
    else if (tag === 2) scope.onlyCa = set;
    else if (tag === 3) scope.someReasons = true;
    else if (tag === 4) scope.indirect = set;
    else if (tag === 5) scope.onlyAttribute = set;
  }
  return scope;
}

function cRLSignBit(issuer: Certificate): boolean {
  const parsed = issuer.extension('2.5.29.15')?.parsedValue as unknown;
  if (!(parsed instanceof asn1js.BitString)) return false;
  const bytes = parsed.valueBlock.valueHexView;
  // RFC 5280 §4.2.1.3: cRLSign is bit 6.
  return ((bytes[0] ?? 0) & 0x02) !== 0;
}
