import { readdirSync, readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { decodeExact } from '../../src/authenticode/asn1.js';
import { decodeSignedData } from '../../src/authenticode/signed-data.js';
import { loadCertificateFile } from '../../src/trust/bundle.js';
import { factsOf } from '../../src/trust/facts.js';
import { Certificate, internCertificate } from '../../src/x509/certificate.js';
import { readCertificateFields } from '../../src/x509/der-fields.js';
import { fixtureSignatures } from '../authenticode/support/fixture-signer-infos.js';
import { seededRandom } from '../support/seeded-random.js';

// The fast certificate reader (src/x509/der-fields.ts) against the asn1js + pkijs decoding it
// replaced on the hot path: for every input, the same accept/refuse decision, and for accepted
// ones the same fields, names, times, keys, extensions and chain-building facts. The reference
// is Certificate.fromDecoded over pkijs' own structure, which reads every field through pkijs.
// The fast reader is narrower by design (only plain DER): what it declines, pkijs decodes as
// before, so no deliberate difference in decisions exists; the test also counts how many
// mutated inputs the fast reader itself read, so it cannot pass by declining everything.

const SEED = 0x0c19_2026;

type Summary = Record<string, unknown>;

function hex(value: Uint8Array | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value).toString('hex');
}

/** Everything callers read from a Certificate, as plain values. */
function summary(c: Certificate): Summary {
  const facts = factsOf(c);
  return {
    der: hex(c.der),
    subject: c.subject,
    issuer: c.issuer,
    commonName: c.commonName,
    serialNumber: c.serialNumber,
    notBefore: String(c.notBefore.getTime()),
    notAfter: String(c.notAfter.getTime()),
    sha256: c.sha256,
    subjectDer: hex(c.subjectDer),
    issuerDer: hex(c.issuerDer),
    spkiDer: hex(c.spkiDer),
    publicKeyBits: hex(c.publicKeyBits),
    subjectKeyIdentifier: hex(c.subjectKeyIdentifier),
    isCa: c.isCa,
    isSelfIssued: c.isSelfIssued,
    extendedKeyUsages: c.extendedKeyUsages,
    facts: {
      ...facts,
      subjectDer: hex(facts.subjectDer),
      issuerDer: hex(facts.issuerDer),
      spkiDer: hex(facts.spkiDer),
      subjectKeyId: hex(facts.subjectKeyId),
      authorityKeyId: hex(facts.authorityKeyId),
    },
  };
}

type Outcome = { accepted: true; summary: Summary } | { accepted: false };

/** The decoding before the fast reader: asn1js, then pkijs' Certificate schema. */
function reference(der: Uint8Array): Outcome {
  let certificate: Certificate;
  try {
    const asn1 = asn1js.fromBER(der);
    if (asn1.offset === -1) return { accepted: false };
    const pki = new pkijs.Certificate({ schema: asn1.result });
    certificate = Certificate.fromDecoded(der.subarray(0, asn1.offset), pki);
  } catch {
    return { accepted: false };
  }
  return { accepted: true, summary: summary(certificate) };
}

function candidate(der: Uint8Array): Outcome {
  let certificate: Certificate;
  try {
    certificate = Certificate.fromDer(der);
  } catch {
    return { accepted: false };
  }
  return { accepted: true, summary: summary(certificate) };
}

/** The SignedData path: the strict decoder, then pkijs, before; internCertificate now. */
function strictReference(der: Uint8Array): boolean {
  try {
    new pkijs.Certificate({ schema: decodeExact(der, 'certificate') });
    return true;
  } catch {
    return false;
  }
}

function strictCandidate(der: Uint8Array): boolean {
  try {
    internCertificate(der, (copy) => decodeExact(copy, 'certificate'));
    return true;
  } catch {
    return false;
  }
}

let fastRead = 0;

function agree(der: Uint8Array, label: string): void {
  if (readCertificateFields(der)) fastRead++;
  const before = reference(der);
  const after = candidate(der);
  expect(after, label).toEqual(before);
  expect(strictCandidate(der), `${label} (strict)`).toBe(strictReference(der));
}

function pemCertificates(): Buffer[] {
  const found: Buffer[] = [];
  for (const name of readdirSync('fixtures/pki')) {
    if (!name.endsWith('.pem')) continue;
    try {
      for (const c of loadCertificateFile(`fixtures/pki/${name}`)) found.push(c.der);
    } catch {
      // a key file, not certificates
    }
  }
  return found;
}

/** Certificates of every signature in the fixtures, with nested signatures and timestamps. */
async function signedFixtureCertificates(): Promise<Buffer[]> {
  const { contentInfos } = await fixtureSignatures();
  return contentInfos.flatMap(({ der, label }) =>
    decodeSignedData(der, label).certificates.map((c) => c.der),
  );
}

function windowsRoots(): Buffer[] {
  const data = JSON.parse(readFileSync('src/trust/windows-roots-certificates.json', 'utf8')) as {
    certificates: Record<string, string>;
  };
  return Object.values(data.certificates).map((b64) => Buffer.from(b64, 'base64'));
}

/** Offsets of every element's identifier octet in a DER certificate (definite lengths only). */
function elementOffsets(der: Uint8Array): number[] {
  const offsets: number[] = [];
  const walk = (start: number, end: number, depth: number): void => {
    for (let at = start; at < end && depth < 12;) {
      offsets.push(at);
      const tag = der[at]!;
      let length = der[at + 1]!;
      let content = at + 2;
      if (length & 0x80) {
        const n = length & 0x7f;
        length = 0;
        for (let i = 0; i < n; i++) length = length * 256 + der[content + i]!;
        content += n;
      }
      if (tag & 0x20) walk(content, content + length, depth + 1);
      at = content + length;
    }
  };
  walk(0, der.length, 0);
  return offsets;
}

const TAGS = [
  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1e, 0x30, 0x31, 0x10,
  0x11, 0x80, 0x81, 0xa0, 0xa1, 0xa3, 0x2c, 0x24, 0x1f,
];
const CHARS = Buffer.from('0123456789Z+-.\u00e9\u0000\u00ff');

function mutate(random: (n: number) => number, der: Buffer): Buffer {
  const copy = Buffer.from(der);
  const offsets = elementOffsets(der);
  const at = offsets[random(offsets.length)]!;
  switch (random(8)) {
    case 0: // any byte, anywhere
      copy[random(copy.length)] = random(256);
      return copy;
    case 1: // an element's tag
      copy[at] = TAGS[random(TAGS.length)]!;
      return copy;
    case 2: // an element's length, one up or down
      copy[at + 1] = (copy[at + 1]! + (random(2) ? 1 : 255)) & 0xff;
      return copy;
    case 3: // truncated
      return copy.subarray(0, random(copy.length));
    case 4: {
      // a byte inserted
      const where = random(copy.length);
      return Buffer.concat([
        copy.subarray(0, where),
        Buffer.from([random(256)]),
        copy.subarray(where),
      ]);
    }
    case 5: // a character of an element's contents (times, strings)
      copy[Math.min(copy.length - 1, at + 2 + random(16))] = CHARS[random(CHARS.length)]!;
      return copy;
    case 6: {
      // a length in the long form with a leading zero octet or one more octet
      if ((copy[at + 1]! & 0x80) === 0) {
        return Buffer.concat([
          copy.subarray(0, at + 1),
          Buffer.from([0x81, copy[at + 1]!]),
          copy.subarray(at + 2),
        ]);
      }
      return Buffer.concat([
        copy.subarray(0, at + 1),
        Buffer.from([copy[at + 1]! + 1, 0]),
        copy.subarray(at + 2),
      ]);
    }
    default: // trailing bytes
      return Buffer.concat([copy, Buffer.from([random(256)])]);
  }
}

describe('the fast certificate reader agrees with asn1js + pkijs', () => {
  it('on every fixture certificate, every Windows root and mutated ones', async () => {
    const bases = [...pemCertificates(), ...(await signedFixtureCertificates()), ...windowsRoots()];
    const distinct = [...new Map(bases.map((b) => [b.toString('hex'), b])).values()];
    console.log(`${distinct.length} distinct certificates; mutation seed 0x${SEED.toString(16)}`);
    expect(distinct.length).toBeGreaterThan(380);

    fastRead = 0;
    distinct.forEach((der, i) => agree(der, `certificate ${i}`));
    const fastBases = fastRead;
    console.log(`${fastBases} of ${distinct.length} read by the fast reader`);
    // Every fixture certificate is plain DER; Windows roots with non-ASCII names go to pkijs.
    expect(fastBases).toBeGreaterThan(distinct.length * 0.7);

    const random = seededRandom(SEED);
    const MUTATIONS = 4000;
    fastRead = 0;
    for (let i = 0; i < MUTATIONS; i++) {
      const base = distinct[random(distinct.length)]!;
      agree(mutate(random, base), `mutation ${i} (seed 0x${SEED.toString(16)})`);
    }
    console.log(`${MUTATIONS} mutated certificates compared, ${fastRead} read by the fast reader`);
    expect(fastRead).toBeGreaterThan(MUTATIONS / 10);
  }, 120_000);
});
