import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import { contentOctets } from '../../src/authenticode/asn1.js';
import type { Certificate } from '../../src/x509/certificate.js';

/**
 * Writes Certificate Trust Lists the way Microsoft's authroot.stl is laid out (PKCS#7 SignedData,
 * content type szOID_CTL inside `[0] EXPLICIT` with no OCTET STRING, one SignerInfo with
 * contentType and messageDigest over the CTL's contents octets), signed by a test key. Each
 * property value is an OCTET STRING holding the raw property blob.
 */

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  ctl: '1.3.6.1.4.1.311.10.1',
  rootListSigner: '1.3.6.1.4.1.311.10.3.9',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
};

export const PURPOSE = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  timeStamping: '1.3.6.1.5.5.7.3.8',
};

export interface TestEntry {
  certificate: Certificate;
  friendlyName?: string;
  purposes?: string[];
  disallowed?: string[];
  disabledFrom?: Date | 'cleared';
  notBefore?: Date;
  notBeforePurposes?: string[];
}

const seq = (...value: asn1js.BaseBlock[]) => new asn1js.Sequence({ value });
const set = (...value: asn1js.BaseBlock[]) => new asn1js.Set({ value });
const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
const octets = (bytes: Uint8Array) => new asn1js.OctetString({ valueHex: bytes });
const der = (block: asn1js.BaseBlock) => Buffer.from(block.toBER(false));

function fileTime(date: Date): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(BigInt(date.getTime() + 11_644_473_600_000) * 10_000n);
  return out;
}

function property(id: number, value: Uint8Array): asn1js.Sequence {
  return seq(oid(`1.3.6.1.4.1.311.10.11.${id}`), set(octets(value)));
}

function oidList(oids: readonly string[]): Buffer {
  return der(seq(...oids.map(oid)));
}

function trustedSubject(entry: TestEntry): asn1js.Sequence {
  const c = entry.certificate;
  const properties = [
    property(11, Buffer.from(`${entry.friendlyName ?? c.commonName}\0`, 'utf16le')),
    property(29, createHash('md5').update(c.subjectDer).digest()),
    property(98, Buffer.from(c.sha256, 'hex')),
  ];
  if (entry.purposes) properties.push(property(9, oidList(entry.purposes)));
  if (entry.disallowed) properties.push(property(122, oidList(entry.disallowed)));
  if (entry.disabledFrom) {
    properties.push(
      property(
        104,
        entry.disabledFrom === 'cleared' ? Buffer.alloc(0) : fileTime(entry.disabledFrom),
      ),
    );
  }
  if (entry.notBefore) properties.push(property(126, fileTime(entry.notBefore)));
  if (entry.notBeforePurposes) properties.push(property(127, oidList(entry.notBeforePurposes)));
  return seq(octets(Buffer.from(c.sha1, 'hex')), set(...properties));
}

export interface TestListOptions {
  entries: TestEntry[];
  thisUpdate: Date;
  signer: Certificate;
  /** PKCS#8 PEM file of the signer's key. */
  signerKeyPath: string;
  /** Certificates to carry besides the signer (its issuers). */
  certificates?: Certificate[];
}

/** A signed CTL as authroot.stl is one. */
export function buildTrustList(options: TestListOptions): Buffer {
  const ctl = seq(
    seq(oid(OID.rootListSigner)),
    new asn1js.Integer({ valueHex: Buffer.from('01f00d', 'hex') }),
    new asn1js.UTCTime({ valueDate: options.thisUpdate }),
    seq(oid(OID.sha1), new asn1js.Null()),
    seq(...options.entries.map(trustedSubject)),
  );
  const ctlDer = der(ctl);
  const contents = contentOctets(asn1js.fromBER(ctlDer).result);
  const digest = createHash('sha256').update(contents).digest();

  const attributes = [
    seq(oid(OID.contentType), set(oid(OID.ctl))),
    seq(oid(OID.messageDigest), set(octets(digest))),
  ];
  const attributesSet = der(set(...attributes));
  const key = createPrivateKey(readFileSync(options.signerKeyPath));
  const rsa = key.asymmetricKeyType === 'rsa';
  const signature = sign('sha256', attributesSet, key);
  const signer = options.signer;

  const signerInfo = seq(
    new asn1js.Integer({ value: 1 }),
    seq(
      asn1js.fromBER(signer.issuerDer).result,
      new asn1js.Integer({ valueHex: Buffer.from(signer.serialNumber, 'hex') }),
    ),
    seq(oid(OID.sha256), new asn1js.Null()),
    new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: attributes }),
    rsa ? seq(oid(OID.sha256WithRsa), new asn1js.Null()) : seq(oid(OID.ecdsaWithSha256)),
    octets(signature),
  );
  const certificates = [signer, ...(options.certificates ?? [])].map(
    (c) => asn1js.fromBER(c.der).result,
  );
  const signedData = seq(
    new asn1js.Integer({ value: 1 }),
    set(seq(oid(OID.sha256), new asn1js.Null())),
    seq(
      oid(OID.ctl),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [asn1js.fromBER(ctlDer).result],
      }),
    ),
    new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: certificates }),
    set(signerInfo),
  );
  return der(
    seq(
      oid(OID.signedData),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [signedData] }),
    ),
  );
}
