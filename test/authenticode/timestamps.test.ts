import { execFileSync } from 'node:child_process';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OID,
  parseAuthenticode,
  verifySignerSignature,
  verifyTimestamps,
  type AuthenticodeSignature,
} from '../../src/authenticode/index.js';
import { HRESULT } from '../../src/findings.js';
import { Lab, type TimestampServer } from './support/lab.js';
import {
  asn1,
  decodeSignedData,
  encodeSignedData,
  flipInside,
  rewriteSignedData,
} from './support/rewrite.js';
import { skipWithout, titled } from '../support/tools.js';

/** The lab makes its PKI with openssl, its MSI with wixl, its cabinet with gcab and signs with osslsigncode (why the suites skip, when they do: test/support/tools.ts). */
const SKIP = skipWithout('openssl', 'wixl', 'gcab', 'osslsigncode');

let lab: Lab;
let rfc3161: TimestampServer;
let rfc3161EssV1: TimestampServer;
let legacy: TimestampServer;
const blobs: Record<string, Buffer> = {};
let startedAt: number;

beforeAll(async () => {
  if (SKIP) return;
  lab = Lab.create();
  rfc3161 = await lab.startTimestampServer('rfc3161');
  rfc3161EssV1 = await lab.startTimestampServer('rfc3161', { essAlgorithm: 'sha1' });
  legacy = await lab.startTimestampServer('legacy');
  startedAt = Date.now();
  const sign = async (name: string, options: Omit<Parameters<Lab['sign']>[0], 'output'>) => {
    const path = await lab.sign({ ...options, output: name });
    blobs[name] = lab.extract(path);
    return path;
  };
  await sign('rfc3161.msi', { input: lab.msi, rfc3161: rfc3161.url });
  await sign('rfc3161-other.msi', { input: lab.msi, rfc3161: rfc3161.url, hash: 'sha1' });
  await sign('rfc3161-ess1.cab', { input: lab.cab, rfc3161: rfc3161EssV1.url, signer: 'ec' });
  await sign('legacy.msi', { input: lab.msi, legacy: legacy.url });
  await sign('legacy-other.msi', { input: lab.msi, legacy: legacy.url, hash: 'sha1' });
  await sign('untimestamped.msi', { input: lab.msi });
  const primary = await sign('primary.msi', { input: lab.msi, rfc3161: rfc3161.url });
  await sign('nested.msi', {
    input: primary,
    nest: true,
    signer: 'ec',
    hash: 'sha384',
    rfc3161: rfc3161.url,
  });
});

afterAll(async () => {
  await lab?.close();
});

function pemToDer(name: string): Buffer {
  return execFileSync('openssl', ['x509', '-in', lab.path(name), '-outform', 'DER']);
}

function withUnsignedAttributes(der: Buffer, attributes: pkijs.Attribute[]): Buffer {
  return rewriteSignedData(der, (sd) => {
    sd.signerInfos[0]!.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes,
    });
  });
}

/** Replaces the RFC 3161 token of `der` with `edit(token SignedData)`. */
function editToken(der: Buffer, edit: (token: pkijs.SignedData) => void): Buffer {
  const token = parseAuthenticode(der).timestampTokens[0]!;
  const tokenSignedData = decodeSignedData(token.der);
  edit(tokenSignedData);
  return withUnsignedAttributes(der, [
    new pkijs.Attribute({
      type: OID.spcRfc3161,
      values: [asn1(encodeSignedData(tokenSignedData))],
    }),
  ]);
}

function onlyCheck(sig: AuthenticodeSignature) {
  const checks = verifyTimestamps(sig);
  expect(checks).toHaveLength(1);
  return checks[0]!;
}

describe.skipIf(SKIP)(titled('RFC 3161 timestamps', SKIP), () => {
  it('verifies a token from openssl ts (ESS signingCertificateV2)', () => {
    const sig = parseAuthenticode(blobs['rfc3161.msi']!);
    expect(sig.timestampTokens.map((t) => t.kind)).toEqual(['rfc3161']);
    const check = onlyCheck(sig);
    expect(check).toMatchObject({
      kind: 'rfc3161',
      index: 0,
      ok: true,
      policy: '1.2.3.4.1',
      digestAlgorithm: { algorithm: 'sha256' },
    });
    expect(check.problem).toBeUndefined();
    expect(check.serialNumber).toMatch(/^[0-9a-f]+$/);
    expect(check.time).toBeInstanceOf(Date);
    expect(check.time!.getTime()).toBeGreaterThan(startedAt - 60_000);
    expect(check.time!.getTime()).toBeLessThan(Date.now() + 60_000);
    expect(check.signerCertificate?.commonName).toBe('Lab TSA');
    expect(check.signerCertificate?.der.equals(pemToDer('tsa.pem'))).toBe(true);
    expect(check.signerCertificate?.extendedKeyUsages).toEqual([OID.timeStamping]);
    expect(check.certificates.map((c) => c.commonName).sort()).toEqual(['Lab Root CA', 'Lab TSA']);
  });

  it('verifies a token with ESS signingCertificate (SHA-1) on an ECDSA-signed cabinet', () => {
    const sig = parseAuthenticode(blobs['rfc3161-ess1.cab']!);
    expect(verifySignerSignature(sig).ok).toBe(true);
    expect(onlyCheck(sig)).toMatchObject({ ok: true, kind: 'rfc3161' });
  });

  it('verifies the timestamps of nested signatures against their own signer', () => {
    const sig = parseAuthenticode(blobs['nested.msi']!);
    expect(sig.nested).toHaveLength(1);
    const nested = sig.nested[0]!;
    expect(onlyCheck(sig).ok).toBe(true);
    expect(onlyCheck(nested)).toMatchObject({ ok: true, kind: 'rfc3161' });
    // The nested signature's token binds to the nested SignerInfo, not to the primary one.
    const swapped: AuthenticodeSignature = { ...sig, timestampTokens: nested.timestampTokens };
    expect(onlyCheck(swapped)).toMatchObject({
      ok: false,
      problem: { reason: 'imprint-mismatch' },
    });
  });

  it('returns no checks for a signature without timestamps', () => {
    expect(verifyTimestamps(parseAuthenticode(blobs['untimestamped.msi']!))).toEqual([]);
  });

  it('rejects a token transplanted from another signature (imprint mismatch)', () => {
    const foreign = parseAuthenticode(blobs['rfc3161-other.msi']!).timestampTokens[0]!;
    const transplanted = withUnsignedAttributes(blobs['untimestamped.msi']!, [
      new pkijs.Attribute({ type: OID.spcRfc3161, values: [asn1(foreign.der)] }),
    ]);
    const sig = parseAuthenticode(transplanted);
    expect(verifySignerSignature(sig).ok).toBe(true); // unauthenticated attributes are not signed
    const check = onlyCheck(sig);
    expect(check).toMatchObject({
      ok: false,
      problem: { hresult: HRESULT.TRUST_E_TIME_STAMP, reason: 'imprint-mismatch' },
    });
    expect(check.time).toBeInstanceOf(Date);
    expect(check.signerCertificate?.commonName).toBe('Lab TSA');
  });

  it('rejects a token whose signature was damaged', () => {
    const der = blobs['rfc3161.msi']!;
    const tokenSigner = decodeSignedData(parseAuthenticode(der).timestampTokens[0]!.der)
      .signerInfos[0]!;
    const damaged = flipInside(der, Buffer.from(tokenSigner.signature.valueBlock.valueHexView), 7);
    expect(onlyCheck(parseAuthenticode(damaged))).toMatchObject({
      ok: false,
      problem: { hresult: HRESULT.TRUST_E_TIME_STAMP, reason: 'bad-signature' },
    });
  });

  it('rejects a token whose TSTInfo was changed after signing (messageDigest mismatch)', () => {
    const changed = editToken(blobs['rfc3161.msi']!, (token) => {
      const content = token.encapContentInfo.eContent as asn1js.OctetString;
      const tstInfo = new pkijs.TSTInfo({ schema: asn1(Buffer.from(content.getValue())) });
      tstInfo.genTime = new Date('2001-01-01T00:00:00Z');
      token.encapContentInfo.eContent = new asn1js.OctetString({
        valueHex: tstInfo.toSchema().toBER(false),
      });
    });
    const check = onlyCheck(parseAuthenticode(changed));
    expect(check).toMatchObject({ ok: false, problem: { reason: 'digest-mismatch' } });
    expect(check.time?.toISOString()).toBe('2001-01-01T00:00:00.000Z');
  });

  it('rejects a token whose TSA certificate is a twin with the same key, issuer and serial (ESS hash)', () => {
    const twin = new pkijs.Certificate({ schema: asn1(pemToDer('tsa-twin.pem')) });
    const changed = editToken(blobs['rfc3161.msi']!, (token) => {
      token.certificates = token.certificates!.map((c) =>
        (c as pkijs.Certificate).subject.typesAndValues.some(
          (tv) => tv.value.valueBlock.value === 'Lab TSA',
        )
          ? twin
          : c,
      );
    });
    const check = onlyCheck(parseAuthenticode(changed));
    expect(check.signerCertificate?.der.equals(pemToDer('tsa-twin.pem'))).toBe(true);
    expect(check).toMatchObject({ ok: false, problem: { reason: 'signer-cert-mismatch' } });
  });

  it('rejects a token without its TSA certificate', () => {
    const changed = editToken(blobs['rfc3161.msi']!, (token) => {
      token.certificates = [];
    });
    const check = onlyCheck(parseAuthenticode(changed));
    expect(check).toMatchObject({
      ok: false,
      signerCertificate: null,
      problem: { reason: 'no-signer-cert' },
    });
  });

  it('reports an undecodable token as a problem, not an exception', () => {
    const garbage = withUnsignedAttributes(blobs['untimestamped.msi']!, [
      new pkijs.Attribute({
        type: OID.spcRfc3161,
        values: [new asn1js.OctetString({ valueHex: new Uint8Array(8) })],
      }),
      new pkijs.Attribute({ type: OID.spcRfc3161, values: [asn1(blobs['untimestamped.msi']!)] }),
    ]);
    const checks = verifyTimestamps(parseAuthenticode(garbage));
    expect(checks).toHaveLength(2);
    for (const check of checks) {
      expect(check).toMatchObject({
        kind: 'rfc3161',
        ok: false,
        problem: { hresult: HRESULT.TRUST_E_TIME_STAMP, reason: 'malformed' },
      });
    }
    expect(checks[1]!.problem!.message).toMatch(/id-ct-TSTInfo/);
  });
});

describe.skipIf(SKIP)(titled('legacy Authenticode countersignatures', SKIP), () => {
  it('verifies a countersignature from the legacy protocol (certificates in the outer SignedData)', () => {
    const sig = parseAuthenticode(blobs['legacy.msi']!);
    expect(sig.timestampTokens.map((t) => t.kind)).toEqual(['legacy']);
    const check = onlyCheck(sig);
    expect(check).toMatchObject({
      kind: 'legacy',
      ok: true,
      serialNumber: null,
      policy: null,
      digestAlgorithm: { algorithm: 'sha256' },
    });
    expect(check.time!.getTime()).toBeGreaterThan(startedAt - 60_000);
    expect(check.signerCertificate?.commonName).toBe('Lab TSA');
    expect(check.certificates).toBe(sig.certificates);
    expect(sig.certificates.map((c) => c.commonName)).toContain('Lab TSA');
  });

  it('rejects a damaged countersignature with TRUST_E_COUNTER_SIGNER', () => {
    const der = blobs['legacy.msi']!;
    const counter = new pkijs.SignerInfo({
      schema: asn1(parseAuthenticode(der).timestampTokens[0]!.der),
    });
    const damaged = flipInside(der, Buffer.from(counter.signature.valueBlock.valueHexView), 3);
    expect(onlyCheck(parseAuthenticode(damaged))).toMatchObject({
      ok: false,
      problem: { hresult: HRESULT.TRUST_E_COUNTER_SIGNER, reason: 'bad-signature' },
    });
  });

  it('rejects a countersignature transplanted from another signature', () => {
    const foreign = parseAuthenticode(blobs['legacy-other.msi']!).timestampTokens[0]!;
    const transplanted = withUnsignedAttributes(blobs['legacy.msi']!, [
      new pkijs.Attribute({ type: OID.countersignature, values: [asn1(foreign.der)] }),
    ]);
    expect(onlyCheck(parseAuthenticode(transplanted))).toMatchObject({
      ok: false,
      problem: { hresult: HRESULT.TRUST_E_COUNTER_SIGNER, reason: 'digest-mismatch' },
    });
  });

  it('rejects a countersignature whose TSA certificate is not in the outer SignedData', () => {
    const stripped = rewriteSignedData(blobs['legacy.msi']!, (sd) => {
      sd.certificates = sd.certificates!.filter(
        (c) =>
          !(c as pkijs.Certificate).subject.typesAndValues.some(
            (tv) => tv.value.valueBlock.value === 'Lab TSA',
          ),
      );
    });
    expect(onlyCheck(parseAuthenticode(stripped))).toMatchObject({
      ok: false,
      signerCertificate: null,
      problem: { hresult: HRESULT.TRUST_E_COUNTER_SIGNER, reason: 'no-signer-cert' },
    });
  });

  it('checks RFC 3161 tokens and countersignatures in stored order', () => {
    // RSA PKCS#1 v1.5 is deterministic: a token from another SHA-256 signature made in the same
    // second would match. Take one from the SHA-1 signature.
    const rfcToken = parseAuthenticode(blobs['rfc3161-other.msi']!).timestampTokens[0]!;
    const counter = parseAuthenticode(blobs['legacy.msi']!).timestampTokens[0]!;
    const both = withUnsignedAttributes(blobs['legacy.msi']!, [
      new pkijs.Attribute({ type: OID.spcRfc3161, values: [asn1(rfcToken.der)] }),
      new pkijs.Attribute({ type: OID.countersignature, values: [asn1(counter.der)] }),
    ]);
    const checks = verifyTimestamps(parseAuthenticode(both));
    expect(checks.map((c) => [c.index, c.kind, c.ok, c.problem?.reason])).toEqual([
      [0, 'rfc3161', false, 'imprint-mismatch'],
      [1, 'legacy', true, undefined],
    ]);
  });
});
