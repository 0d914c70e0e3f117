import { constants, createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CRYPT_E_AUTH_ATTR_MISSING,
  OID,
  parseAuthenticode,
  verifySignerSignature,
} from '../../src/authenticode/index.js';
import { HRESULT } from '../../src/findings.js';
import { Lab } from './support/lab.js';
import { flipInside, resignSignerInfo, rewriteSignedData } from './support/rewrite.js';
import { skipWithout, titled } from '../support/tools.js';

/** The lab makes its PKI with openssl, its MSI with wixl, its cabinet with gcab and signs with osslsigncode (why the suites skip, when they do: test/support/tools.ts). */
const SKIP = skipWithout('openssl', 'wixl', 'gcab', 'osslsigncode');

const SHA256 = '2.16.840.1.101.3.4.2.1';
const SHA1 = '1.3.14.3.2.26';

let lab: Lab;
let leafKey: KeyObject;
const blobs: Record<string, Buffer> = {};

beforeAll(async () => {
  if (SKIP) return;
  lab = Lab.create();
  leafKey = createPrivateKey(readFileSync(lab.path('leaf.key')));
  const variants: [string, Omit<Parameters<Lab['sign']>[0], 'output'>][] = [
    ['sha256.msi', { input: lab.msi }],
    ['sha1.msi', { input: lab.msi, hash: 'sha1' }],
    ['sha384.msi', { input: lab.msi, hash: 'sha384' }],
    ['sha512.msi', { input: lab.msi, hash: 'sha512' }],
    ['signed.cab', { input: lab.cab }],
    ['ecdsa256.msi', { input: lab.msi, signer: 'ec', hash: 'sha256' }],
    ['ecdsa384.cab', { input: lab.cab, signer: 'ec', hash: 'sha384' }],
  ];
  for (const [name, options] of variants) {
    blobs[name] = lab.extract(await lab.sign({ ...options, output: name }));
  }
  const primary = await lab.sign({ input: lab.msi, output: 'primary.msi' });
  const once = await lab.sign({
    input: primary,
    output: 'nested1.msi',
    nest: true,
    signer: 'ec',
    hash: 'sha384',
  });
  blobs['nested.msi'] = lab.extract(
    await lab.sign({ input: once, output: 'nested2.msi', nest: true, hash: 'sha512' }),
  );
});

afterAll(async () => {
  await lab?.close();
});

function check(der: Buffer) {
  return verifySignerSignature(parseAuthenticode(der));
}

function pkcs1(input: Buffer): Buffer {
  return sign('sha256', input, { key: leafKey, padding: constants.RSA_PKCS1_PADDING });
}

function algorithm(oid: string, params?: asn1js.BaseBlock): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({
    algorithmId: oid,
    algorithmParams: params ?? new asn1js.Null(),
  });
}

function pssAlgorithm(
  hash: string,
  mgfHash: string,
  saltLength: number,
): pkijs.AlgorithmIdentifier {
  return algorithm(
    OID.rsassaPss,
    new pkijs.RSASSAPSSParams({
      hashAlgorithm: algorithm(hash),
      maskGenAlgorithm: algorithm(OID.mgf1, algorithm(mgfHash).toSchema()),
      saltLength,
    }).toSchema(),
  );
}

describe.skipIf(SKIP)(titled('verifySignerSignature accepts genuine signatures', SKIP), () => {
  it.each(['sha256.msi', 'sha1.msi', 'sha384.msi', 'sha512.msi', 'signed.cab'])(
    'RSA PKCS#1 v1.5: %s',
    (name) => {
      expect(check(blobs[name]!)).toEqual({
        ok: true,
        contentDigestMatches: true,
        signatureVerified: true,
      });
    },
  );

  it.each(['ecdsa256.msi', 'ecdsa384.cab'])('ECDSA P-256: %s', (name) => {
    const sig = parseAuthenticode(blobs[name]!);
    expect(sig.signatureAlgorithm.name).toMatch(/^ecdsa-with-SHA/);
    expect(verifySignerSignature(sig)).toEqual({
      ok: true,
      contentDigestMatches: true,
      signatureVerified: true,
    });
  });

  it('verifies every nested signature on its own', () => {
    const sig = parseAuthenticode(blobs['nested.msi']!);
    expect(sig.nested).toHaveLength(2);
    for (const s of [sig, ...sig.nested]) expect(verifySignerSignature(s).ok).toBe(true);
  });

  it('verifies RSASSA-PSS with its parameters (hash, MGF1 hash, salt length)', () => {
    const original = parseAuthenticode(blobs['sha256.msi']!);
    const pss = resignSignerInfo(blobs['sha256.msi']!, {
      signerInfo: (si) => {
        si.signatureAlgorithm = pssAlgorithm(SHA256, SHA256, 32);
      },
      sign: (input) =>
        sign('sha256', input, {
          key: leafKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        }),
    });
    const sig = parseAuthenticode(pss);
    expect(
      sig.rawAuthenticatedAttributes!.der.equals(original.rawAuthenticatedAttributes!.der),
    ).toBe(true);
    expect(sig.signatureAlgorithm.name).toBe('RSASSA-PSS');
    expect(verifySignerSignature(sig)).toEqual({
      ok: true,
      contentDigestMatches: true,
      signatureVerified: true,
    });
  });

  it('rejects RSASSA-PSS whose stated salt length differs from the one used', () => {
    const pss = resignSignerInfo(blobs['sha256.msi']!, {
      signerInfo: (si) => {
        si.signatureAlgorithm = pssAlgorithm(SHA256, SHA256, 20);
      },
      sign: (input) =>
        sign('sha256', input, {
          key: leafKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        }),
    });
    expect(check(pss)).toMatchObject({
      ok: false,
      signatureVerified: false,
      problem: { code: 'bad-signature', hresult: HRESULT.TRUST_E_BAD_DIGEST },
    });
  });

  it('reports RSASSA-PSS with a different MGF1 hash as unsupported', () => {
    const pss = resignSignerInfo(blobs['sha256.msi']!, {
      signerInfo: (si) => {
        si.signatureAlgorithm = pssAlgorithm(SHA256, SHA1, 32);
      },
      sign: (input) =>
        sign('sha256', input, {
          key: leafKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        }),
    });
    expect(check(pss)).toMatchObject({
      ok: false,
      signatureVerified: null,
      problem: { code: 'unsupported-algorithm', hresult: HRESULT.NTE_BAD_ALGID },
    });
  });

  it('signs the attributes as stored, not DER-sorted (docs/formats.md §8.4)', () => {
    const reordered = resignSignerInfo(blobs['sha256.msi']!, {
      attributes: (attributes) => [...attributes].reverse(),
      sign: pkcs1,
    });
    const sig = parseAuthenticode(reordered);
    expect(sig.authenticatedAttributes.types[0]).toBe(OID.messageDigest);
    expect(verifySignerSignature(sig).ok).toBe(true);
  });
});

describe.skipIf(SKIP)(
  titled(
    'content binding against the signtool test vector (docs/formats.md §5.5, §5.6, §7.2 step 3)',
    SKIP,
  ),
  () => {
    // The signtool-produced SpcIndirectDataContent (SpcSipInfo version 2, SHA-1) and its
    // messageDigest attribute as observed: SHA-1 over the 87 value bytes, not the 89-byte TLV.
    const SIGNTOOL_CONTENT = Buffer.from(
      '3057' +
        '3032' +
        '060a2b06010401823702011e' +
        '3024' +
        '020102' +
        '0410f1100c0000000000c000000000000046' +
        '020100'.repeat(5) +
        '3021' +
        '3009' +
        '06052b0e03021a0500' +
        '0414f38258e497510ffaa00a55c46751fdafbdea13fb',
      'hex',
    );
    const SIGNTOOL_MESSAGE_DIGEST = '583b58005cc4041d908ab9b4588ae5b3e3d91f53';

    function signtoolShaped(messageDigest: string): Buffer {
      const withContent = rewriteSignedData(blobs['sha1.msi']!, (sd) => {
        sd.encapContentInfo.eContent = asn1js.fromBER(SIGNTOOL_CONTENT).result as never;
      });
      return resignSignerInfo(withContent, {
        attributes: () => [
          new pkijs.Attribute({ type: OID.spcSpOpusInfo, values: [new asn1js.Sequence()] }),
          new pkijs.Attribute({
            type: OID.contentType,
            values: [new asn1js.ObjectIdentifier({ value: OID.spcIndirectData })],
          }),
          new pkijs.Attribute({
            type: OID.spcStatementType,
            values: [
              new asn1js.Sequence({
                value: [new asn1js.ObjectIdentifier({ value: OID.spcIndividualSpKeyPurpose })],
              }),
            ],
          }),
          new pkijs.Attribute({
            type: OID.messageDigest,
            values: [new asn1js.OctetString({ valueHex: Buffer.from(messageDigest, 'hex') })],
          }),
        ],
        sign: (input) =>
          sign('sha1', input, { key: leafKey, padding: constants.RSA_PKCS1_PADDING }),
      });
    }

    it('hashes the value octets of the stored SpcIndirectDataContent', () => {
      const sig = parseAuthenticode(signtoolShaped(SIGNTOOL_MESSAGE_DIGEST));
      expect(sig.indirectDataContent.equals(SIGNTOOL_CONTENT)).toBe(true);
      expect(sig.sipInfo).toMatchObject({ version: 2, isMsiSip: true });
      expect(sig.fileDigest).toMatchObject({
        algorithm: 'sha1',
        digest: Buffer.from('f38258e497510ffaa00a55c46751fdafbdea13fb', 'hex'),
      });
      expect(sig.authenticatedAttributes).toMatchObject({
        hasOpusInfo: true,
        programName: null,
        moreInfoUrl: null,
        signingTime: null,
      });
      expect(verifySignerSignature(sig)).toEqual({
        ok: true,
        contentDigestMatches: true,
        signatureVerified: true,
      });
    });

    it('does not accept the digest of the whole TLV', () => {
      const tlvDigest = createHash('sha1').update(SIGNTOOL_CONTENT).digest('hex');
      expect(check(signtoolShaped(tlvDigest))).toMatchObject({
        ok: false,
        contentDigestMatches: false,
        signatureVerified: true,
      });
    });
  },
);

describe.skipIf(SKIP)(titled('verifySignerSignature rejects', SKIP), () => {
  it('a flipped byte in the encrypted digest: bad-signature, TRUST_E_BAD_DIGEST', () => {
    const sig = parseAuthenticode(blobs['sha256.msi']!);
    const damaged = flipInside(blobs['sha256.msi']!, sig.encryptedDigest, 100);
    expect(check(damaged)).toEqual({
      ok: false,
      contentDigestMatches: true,
      signatureVerified: false,
      problem: {
        code: 'bad-signature',
        hresult: HRESULT.TRUST_E_BAD_DIGEST,
        message: expect.stringMatching(/signature/),
      },
    });
  });

  it('a flipped byte in an ECDSA signature', () => {
    const sig = parseAuthenticode(blobs['ecdsa256.msi']!);
    const damaged = flipInside(
      blobs['ecdsa256.msi']!,
      sig.encryptedDigest,
      sig.encryptedDigest.length - 1,
    );
    expect(check(damaged)).toMatchObject({ ok: false, problem: { code: 'bad-signature' } });
  });

  it('a changed file digest in the SpcIndirectDataContent: messageDigest mismatch', () => {
    const sig = parseAuthenticode(blobs['sha256.msi']!);
    const damaged = flipInside(blobs['sha256.msi']!, sig.fileDigest.digest, 0);
    const result = check(damaged);
    expect(result).toEqual({
      ok: false,
      contentDigestMatches: false,
      signatureVerified: true,
      problem: {
        code: 'bad-signature',
        hresult: HRESULT.TRUST_E_BAD_DIGEST,
        message: 'the messageDigest attribute does not match the SpcIndirectDataContent',
      },
    });
  });

  it('a changed SpcSipInfo (not part of the file digest, but of the signed content)', () => {
    const damaged = Buffer.from(blobs['sha256.msi']!);
    const guid = Buffer.from('f1100c0000000000c000000000000046', 'hex');
    damaged[damaged.indexOf(guid) + 15] ^= 1;
    expect(check(damaged)).toMatchObject({ ok: false, contentDigestMatches: false });
  });

  it('a signature whose signer certificate was removed: TRUST_E_NO_SIGNER_CERT', () => {
    const stripped = rewriteSignedData(blobs['sha256.msi']!, (sd) => {
      sd.certificates = sd.certificates!.filter(
        (c) =>
          Buffer.from((c as pkijs.Certificate).serialNumber.valueBlock.valueHexView).toString(
            'hex',
          ) !== '2001',
      );
    });
    const sig = parseAuthenticode(stripped);
    expect(sig.certificates).toHaveLength(1);
    expect(sig.signerCertificate).toBeNull();
    expect(verifySignerSignature(sig)).toEqual({
      ok: false,
      contentDigestMatches: true,
      signatureVerified: null,
      problem: {
        code: 'malformed-signature',
        hresult: HRESULT.TRUST_E_NO_SIGNER_CERT,
        message: 'the signer certificate is not in the signature',
      },
    });
  });

  it('a signature made by another key than the certificate it names', () => {
    const otherKey = createPrivateKey(readFileSync(lab.path('other.key')));
    const forged = resignSignerInfo(blobs['sha256.msi']!, {
      sign: (input) => sign('sha256', input, otherKey),
    });
    expect(check(forged)).toMatchObject({
      ok: false,
      signatureVerified: false,
      problem: { code: 'bad-signature' },
    });
  });

  it('a missing messageDigest attribute: malformed-signature, CRYPT_E_AUTH_ATTR_MISSING', () => {
    const resigned = resignSignerInfo(blobs['sha256.msi']!, {
      attributes: (attributes) => attributes.filter((a) => a.type !== OID.messageDigest),
      sign: pkcs1,
    });
    expect(check(resigned)).toMatchObject({
      ok: false,
      problem: {
        code: 'malformed-signature',
        hresult: CRYPT_E_AUTH_ATTR_MISSING,
        message: expect.stringMatching(/messageDigest/),
      },
    });
  });

  it('a missing contentType attribute', () => {
    const resigned = resignSignerInfo(blobs['sha256.msi']!, {
      attributes: (attributes) => attributes.filter((a) => a.type !== OID.contentType),
      sign: pkcs1,
    });
    expect(check(resigned)).toMatchObject({
      ok: false,
      problem: {
        code: 'malformed-signature',
        hresult: CRYPT_E_AUTH_ATTR_MISSING,
        message: expect.stringMatching(/contentType/),
      },
    });
  });

  it('a repeated messageDigest attribute', () => {
    const resigned = resignSignerInfo(blobs['sha256.msi']!, {
      attributes: (attributes) => [
        ...attributes,
        attributes.find((a) => a.type === OID.messageDigest)!,
      ],
      sign: pkcs1,
    });
    expect(check(resigned)).toMatchObject({
      ok: false,
      problem: {
        code: 'malformed-signature',
        hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
        message: expect.stringMatching(/repeated/),
      },
    });
  });

  it('a messageDigest attribute with two values', () => {
    const resigned = resignSignerInfo(blobs['sha256.msi']!, {
      attributes: (attributes) =>
        attributes.map((a) =>
          a.type === OID.messageDigest
            ? new pkijs.Attribute({ type: a.type, values: [...a.values, ...a.values] })
            : a,
        ),
      sign: pkcs1,
    });
    expect(check(resigned)).toMatchObject({
      ok: false,
      problem: { code: 'malformed-signature', message: expect.stringMatching(/multi-valued/) },
    });
  });

  it('a contentType attribute that is not SPC_INDIRECT_DATA', () => {
    const resigned = resignSignerInfo(blobs['sha256.msi']!, {
      attributes: (attributes) =>
        attributes.map((a) =>
          a.type === OID.contentType
            ? new pkijs.Attribute({
                type: a.type,
                values: [new asn1js.ObjectIdentifier({ value: OID.data })],
              })
            : a,
        ),
      sign: pkcs1,
    });
    expect(check(resigned)).toMatchObject({
      ok: false,
      problem: {
        code: 'malformed-signature',
        hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
        message: expect.stringMatching(/data/),
      },
    });
  });

  it('a signer without authenticated attributes', () => {
    const bare = rewriteSignedData(blobs['sha256.msi']!, (sd) => {
      delete sd.signerInfos[0]!.signedAttrs;
    });
    const sig = parseAuthenticode(bare);
    expect(sig.rawAuthenticatedAttributes).toBeNull();
    expect(verifySignerSignature(sig)).toMatchObject({
      ok: false,
      problem: { code: 'malformed-signature', hresult: CRYPT_E_AUTH_ATTR_MISSING },
    });
  });

  it('an unknown signer digest algorithm: unsupported-algorithm, NTE_BAD_ALGID', () => {
    const changed = rewriteSignedData(blobs['sha256.msi']!, (sd) => {
      sd.signerInfos[0]!.digestAlgorithm = algorithm('2.16.840.1.101.3.4.2.4'); // SHA-224
    });
    const sig = parseAuthenticode(changed);
    expect(sig.signerDigestAlgorithm).toEqual({
      algorithm: '2.16.840.1.101.3.4.2.4',
      oid: '2.16.840.1.101.3.4.2.4',
    });
    expect(verifySignerSignature(sig)).toMatchObject({
      ok: false,
      problem: { code: 'unsupported-algorithm', hresult: HRESULT.NTE_BAD_ALGID },
    });
  });

  it('an unknown signature algorithm (DSA with SHA-256)', () => {
    const changed = rewriteSignedData(blobs['sha256.msi']!, (sd) => {
      sd.signerInfos[0]!.signatureAlgorithm = algorithm('2.16.840.1.101.3.4.3.2');
    });
    expect(check(changed)).toMatchObject({
      ok: false,
      contentDigestMatches: true,
      signatureVerified: null,
      problem: { code: 'unsupported-algorithm', hresult: HRESULT.NTE_BAD_ALGID },
    });
  });

  it('an ECDSA algorithm on an RSA key', () => {
    const changed = rewriteSignedData(blobs['sha256.msi']!, (sd) => {
      sd.signerInfos[0]!.signatureAlgorithm = algorithm(OID.ecdsaWithSha256);
    });
    expect(check(changed)).toMatchObject({
      ok: false,
      signatureVerified: false,
      problem: { code: 'bad-signature' },
    });
  });
});
