import { execFileSync } from 'node:child_process';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MSI_SIP_GUID,
  OID,
  parseAuthenticode,
  verifySignerSignature,
  type AuthenticodeSignature,
} from '../../src/authenticode/index.js';
import { MalformedSignatureError } from '../../src/errors.js';
import { Lab } from './support/lab.js';
import { asn1, rewriteSignedData } from './support/rewrite.js';
import { skipWithout, titled } from '../support/tools.js';

/** The lab makes its PKI with openssl, its MSI with wixl, its cabinet with gcab and signs with osslsigncode (why the suites skip, when they do: test/support/tools.ts). */
const SKIP = skipWithout('openssl', 'wixl', 'gcab', 'osslsigncode');

let lab: Lab;
const blobs: Record<string, Buffer> = {};

beforeAll(async () => {
  if (SKIP) return;
  lab = Lab.create();
  const sign = async (name: string, options: Omit<Parameters<Lab['sign']>[0], 'output'>) => {
    const path = await lab.sign({ ...options, output: name });
    blobs[name] = lab.extract(path);
    return path;
  };
  await sign('sha256.msi', { input: lab.msi });
  await sign('sha1.msi', { input: lab.msi, hash: 'sha1' });
  await sign('sha512.msi', { input: lab.msi, hash: 'sha512' });
  await sign('ecdsa.msi', { input: lab.msi, signer: 'ec', hash: 'sha384' });
  await sign('opus.msi', {
    input: lab.msi,
    description: 'Lab Installer',
    url: 'https://example.test/lab',
  });
  const cab = await sign('signed.cab', { input: lab.cab });
  blobs['signed.cab.locator'] = Buffer.from(lab.cabinetBlob(cab));
  const primary = await sign('primary.msi', { input: lab.msi });
  const once = await sign('nested1.msi', {
    input: primary,
    nest: true,
    signer: 'ec',
    hash: 'sha384',
  });
  await sign('nested2.msi', { input: once, nest: true, hash: 'sha1' });
});

afterAll(async () => {
  await lab?.close();
});

function pemToDer(name: string): Buffer {
  return execFileSync('openssl', ['x509', '-in', lab.path(name), '-outform', 'DER']);
}

describe.skipIf(SKIP)(titled('parseAuthenticode on osslsigncode signatures', SKIP), () => {
  it('decodes an MSI SHA-256 RSA signature', () => {
    const der = blobs['sha256.msi']!;
    const sig = parseAuthenticode(der);
    expect(sig.index).toBe(0);
    expect(sig.der.equals(der)).toBe(true);
    expect(sig.paddingLength).toBe(0);
    expect(sig.contentType).toBe(OID.spcIndirectData);
    expect(sig.dataType).toBe(OID.spcSipInfo);
    expect(sig.sipInfo).toEqual({ version: 1, guid: MSI_SIP_GUID, isMsiSip: true });
    expect(sig.fileDigest.algorithm).toBe('sha256');
    expect(sig.fileDigest.oid).toBe('2.16.840.1.101.3.4.2.1');
    expect(sig.fileDigest.digest).toHaveLength(32);
    expect(sig.signerDigestAlgorithm).toEqual({
      algorithm: 'sha256',
      oid: '2.16.840.1.101.3.4.2.1',
    });
    expect(sig.digestAlgorithms.map((a) => a.algorithm)).toEqual(['sha256']);
    expect(sig.signatureAlgorithm.oid).toBe(OID.rsaEncryption);
    expect(sig.signatureAlgorithm.name).toBe('rsaEncryption');
    expect(sig.signerInfoVersion).toBe(1);
    expect(sig.signerIdentifier).toMatchObject({
      kind: 'issuerAndSerialNumber',
      serialNumber: '2001',
    });
    expect(sig.encryptedDigest).toHaveLength(256);
    expect(sig.nested).toEqual([]);
    expect(sig.nestedErrors).toEqual([]);
    expect(sig.timestampTokens).toEqual([]);
    expect(sig.crls).toEqual([]);
  });

  it('keeps the embedded certificates as their exact DER and finds the signer by issuer and serial', () => {
    const sig = parseAuthenticode(blobs['sha256.msi']!);
    const ders = sig.certificates.map((c) => c.der.toString('hex')).sort();
    expect(ders).toEqual(
      [pemToDer('leaf.pem'), pemToDer('inter.pem')].map((d) => d.toString('hex')).sort(),
    );
    expect(sig.signerCertificate?.subject).toBe('O=Lab Org, CN=Lab RSA Signer');
    expect(sig.signerCertificate?.der.equals(pemToDer('leaf.pem'))).toBe(true);
  });

  it('keeps the SpcIndirectDataContent and the authenticated attributes as stored', () => {
    const der = blobs['sha256.msi']!;
    const sig = parseAuthenticode(der);
    expect(sig.indirectDataContent[0]).toBe(0x30);
    expect(der.indexOf(sig.indirectDataContent)).toBeGreaterThan(0);
    expect(sig.rawAuthenticatedAttributes?.der[0]).toBe(0xa0);
    expect(der.indexOf(sig.rawAuthenticatedAttributes!.der)).toBeGreaterThan(0);
    expect(sig.rawAuthenticatedAttributes?.attributes.map((a) => a.type)).toEqual([
      OID.contentType,
      OID.signingTime,
      OID.spcStatementType,
      OID.messageDigest,
    ]);
  });

  it('summarises the authenticated attributes osslsigncode writes', () => {
    const sig = parseAuthenticode(blobs['sha256.msi']!);
    expect(sig.authenticatedAttributes).toMatchObject({
      hasOpusInfo: false,
      programName: null,
      moreInfoUrl: null,
      statementTypes: [OID.spcIndividualSpKeyPurpose],
      sequenceNumber: null,
    });
    const signingTime = sig.authenticatedAttributes.signingTime;
    expect(signingTime).toBeInstanceOf(Date);
    expect(Math.abs(signingTime!.getTime() - Date.now())).toBeLessThan(10 * 60_000);
  });

  it('reads SpcSpOpusInfo program name (BMPString) and URL', () => {
    const sig = parseAuthenticode(blobs['opus.msi']!);
    expect(sig.authenticatedAttributes.hasOpusInfo).toBe(true);
    expect(sig.authenticatedAttributes.programName).toBe('Lab Installer');
    expect(sig.authenticatedAttributes.moreInfoUrl).toBe('https://example.test/lab');
  });

  it.each([
    ['sha1.msi', 'sha1', 20],
    ['sha512.msi', 'sha512', 64],
  ])('decodes %s', (name, algorithm, size) => {
    const sig = parseAuthenticode(blobs[name]!);
    expect(sig.fileDigest.algorithm).toBe(algorithm);
    expect(sig.fileDigest.digest).toHaveLength(size);
    expect(sig.signerDigestAlgorithm.algorithm).toBe(algorithm);
  });

  it('decodes an ECDSA P-256 signature', () => {
    const sig = parseAuthenticode(blobs['ecdsa.msi']!);
    expect(sig.signatureAlgorithm.name).toBe('ecdsa-with-SHA384');
    expect(sig.fileDigest.algorithm).toBe('sha384');
    expect(sig.signerCertificate?.commonName).toBe('Lab ECDSA Signer');
    expect(sig.signerCertificate?.publicKey.asymmetricKeyType).toBe('ec');
  });

  it('decodes a cabinet signature and tolerates the zero padding the locator includes', () => {
    const extracted = blobs['signed.cab']!;
    const located = blobs['signed.cab.locator']!;
    expect(located.length % 8).toBe(0);
    const sig = parseAuthenticode(located);
    expect(sig.dataType).toBe(OID.spcCabData);
    expect(sig.sipInfo).toBeNull();
    expect(sig.paddingLength).toBe(located.length - extracted.length);
    expect(sig.paddingLength).toBeGreaterThan(0);
    expect(sig.der.equals(extracted)).toBe(true);
  });

  it('decodes nested signatures in stored order with indexes 1..n', () => {
    const sig = parseAuthenticode(blobs['nested2.msi']!);
    expect(sig.nested.map((n) => n.index)).toEqual([1, 2]);
    expect(sig.nested.map((n) => n.fileDigest.algorithm)).toEqual(['sha384', 'sha1']);
    expect(sig.nested.map((n) => n.signerCertificate?.commonName)).toEqual([
      'Lab ECDSA Signer',
      'Lab RSA Signer',
    ]);
    expect(sig.nested.every((n) => n.nested.length === 0 && n.dataType === OID.spcSipInfo)).toBe(
      true,
    );
    expect(sig.nestedErrors).toEqual([]);
    // osslsigncode numbers nested signatures with the sequenceNumber attribute (docs/formats.md §7.5).
    expect(sig.authenticatedAttributes.sequenceNumber).toBeNull();
    expect(sig.nested.map((n) => n.authenticatedAttributes.sequenceNumber)).toEqual([1, 2]);
    // The primary is the one signed first; nesting only appends unauthenticated attributes.
    expect(sig.fileDigest.algorithm).toBe('sha256');
    expect(
      sig.unauthenticatedAttributes.filter((a) => a.type === OID.spcNestedSignature),
    ).toHaveLength(1);
  });

  it('reads nested signatures spread over several attributes', () => {
    const split = rewriteSignedData(blobs['nested2.msi']!, (sd) => {
      const attrs = sd.signerInfos[0]!.unsignedAttrs!;
      const nested = attrs.attributes.find((a) => a.type === OID.spcNestedSignature)!;
      attrs.attributes = [
        new pkijs.Attribute({ type: OID.spcNestedSignature, values: [nested.values[0]] }),
        new pkijs.Attribute({ type: '1.3.6.1.4.1.42921.1.2.1', values: [new asn1js.Null()] }),
        new pkijs.Attribute({ type: OID.spcNestedSignature, values: [nested.values[1]] }),
      ];
    });
    const sig = parseAuthenticode(split);
    expect(sig.nested.map((n) => [n.index, n.fileDigest.algorithm])).toEqual([
      [1, 'sha384'],
      [2, 'sha1'],
    ]);
  });

  it('reports an undecodable nested signature as data and keeps the others', () => {
    const damaged = rewriteSignedData(blobs['nested2.msi']!, (sd) => {
      const nested = sd.signerInfos[0]!.unsignedAttrs!.attributes.find(
        (a) => a.type === OID.spcNestedSignature,
      )!;
      nested.values = [
        new asn1js.OctetString({ valueHex: new Uint8Array([1, 2, 3]) }),
        ...nested.values,
      ];
    });
    const sig = parseAuthenticode(damaged);
    expect(sig.nestedErrors).toHaveLength(1);
    expect(sig.nestedErrors[0]!.index).toBe(1);
    expect(sig.nestedErrors[0]!.message).toMatch(/ContentInfo|signature/);
    expect(sig.nested.map((n) => n.index)).toEqual([2, 3]);
    expect(verifySignerSignature(sig).ok).toBe(true);
  });

  it('does not read nested signatures of nested signatures', () => {
    const inner = blobs['nested1.msi']!; // primary + one nested
    const outer = rewriteSignedData(blobs['sha256.msi']!, (sd) => {
      sd.signerInfos[0]!.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
        type: 1,
        attributes: [new pkijs.Attribute({ type: OID.spcNestedSignature, values: [asn1(inner)] })],
      });
    });
    const sig = parseAuthenticode(outer);
    expect(sig.nested).toHaveLength(1);
    expect(sig.nested[0]!.nested).toEqual([]);
    expect(sig.nested[0]!.unauthenticatedAttributes.map((a) => a.type)).toContain(
      OID.spcNestedSignature,
    );
  });

  it('accepts BER indefinite lengths in the outer layers', () => {
    const der = blobs['sha256.msi']!;
    const root = asn1(der) as asn1js.Sequence;
    const oid = root.valueBlock.value[0]!;
    const signedData = (root.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0]!;
    const ber = Buffer.concat([
      Buffer.from([0x30, 0x80]),
      Buffer.from(oid.valueBeforeDecodeView),
      Buffer.from([0xa0, 0x80]),
      Buffer.from(signedData.valueBeforeDecodeView),
      Buffer.from([0, 0, 0, 0]),
    ]);
    const sig = parseAuthenticode(ber);
    expect(sig.der.equals(ber)).toBe(true);
    expect(sig.indirectDataContent.equals(parseAuthenticode(der).indirectDataContent)).toBe(true);
    expect(verifySignerSignature(sig)).toMatchObject({ ok: true });
  });

  it('finds the signer of a version 3 SignerInfo by subjectKeyIdentifier', () => {
    const original = parseAuthenticode(blobs['sha256.msi']!);
    const ski = original.signerCertificate!.subjectKeyIdentifier!;
    const v3 = rewriteSignedData(blobs['sha256.msi']!, (sd) => {
      const signerInfo = sd.signerInfos[0]!;
      signerInfo.version = 3;
      signerInfo.sid = new asn1js.Primitive({
        idBlock: { tagClass: 3, tagNumber: 0 },
        valueHex: ski,
      });
    });
    const sig = parseAuthenticode(v3);
    expect(sig.signerInfoVersion).toBe(3);
    expect(sig.signerIdentifier).toEqual({ kind: 'subjectKeyIdentifier', keyIdentifier: ski });
    expect(sig.signerCertificate?.commonName).toBe('Lab RSA Signer');
    expect(verifySignerSignature(sig).ok).toBe(true);
  });

  it('does not alias the caller buffer', () => {
    const der = Buffer.from(blobs['sha256.msi']!);
    const sig: AuthenticodeSignature = parseAuthenticode(der);
    const before = Buffer.from(sig.der);
    der.fill(0);
    expect(sig.der.equals(before)).toBe(true);
    expect(verifySignerSignature(sig).ok).toBe(true);
  });

  it('throws only MalformedSignatureError for a non-Authenticode blob', () => {
    expect(() => parseAuthenticode(Buffer.from('not a signature'))).toThrow(
      MalformedSignatureError,
    );
  });
});
