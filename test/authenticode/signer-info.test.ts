import { describe, expect, it } from 'vitest';
import {
  decodeExact,
  decodeExactShared,
  objectIdentifier,
  objectIdentifierOf,
} from '../../src/authenticode/asn1.js';
import { OID } from '../../src/authenticode/oids.js';
import { parseAuthenticode } from '../../src/authenticode/parse.js';
import { decodeSignerInfo, type DecodedSignerInfo } from '../../src/authenticode/signer-info.js';
import { readTlv, tlvBytes, tlvChildren } from '../../src/authenticode/tlv.js';
import { openContainer } from '../../src/container/open.js';
import { detectContainer } from '../../src/container/detect.js';
import { MalformedSignatureError } from '../../src/errors.js';
import { RandomAccessFile } from '../../src/io/random-access-file.js';
import { fixtureSignerInfos } from './support/fixture-signer-infos.js';
import { decodeSignerInfoWithPkijs } from './support/signer-info-pkijs.js';
import { seededRandom } from '../support/seeded-random.js';
import { tlv, indefinite, oid } from './support/der.js';

// The hand-written SignerInfo decoder (src/authenticode/signer-info.ts) against the pkijs schema
// path it replaced (support/signer-info-pkijs.ts): the same input must give the same decoded
// SignerInfo or both must refuse it. The one deliberate difference: elements after the last
// SignerInfo field, which pkijs ignored, are refused.

const SEED = 0x5157_2019;

const SEQ = 0x30;
const SET = 0x31;
const NULL = Buffer.from([0x05, 0x00]);

const NAME_TYPES = ['2.5.4.3', '2.5.4.6', '2.5.4.10', '1.2.840.113549.1.9.1'];
const DIGESTS = ['2.16.840.1.101.3.4.2.1', '1.3.14.3.2.26', '2.16.840.1.101.3.4.2.2'];
const SIGNATURES = ['1.2.840.113549.1.1.1', '1.2.840.113549.1.1.11', '1.2.840.10045.4.3.2'];
const ATTRIBUTES = [
  OID.contentType,
  OID.messageDigest,
  OID.signingTime,
  OID.countersignature,
  '1.3.6.1.4.1.311.2.1.12',
];

/** One generated SignerInfo, as its top-level elements (so that mutations can work on them). */
function generateFields(random: (n: number) => number): Buffer[] {
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => random(256)));
  const integer = (n: number) => {
    const value = bytes(n);
    value[0] = value[0]! & 0x7f;
    return tlv(0x02, value);
  };
  const name = () =>
    tlv(
      SEQ,
      ...Array.from({ length: random(4) }, () =>
        tlv(
          SET,
          ...Array.from({ length: 1 + random(2) }, () =>
            tlv(SEQ, oid(NAME_TYPES[random(NAME_TYPES.length)]!), tlv(0x0c, bytes(1 + random(12)))),
          ),
        ),
      ),
    );
  const attribute = () =>
    tlv(
      SEQ,
      oid(ATTRIBUTES[random(ATTRIBUTES.length)]!),
      tlv(
        SET,
        ...Array.from({ length: 1 + random(3) }, () =>
          [
            () => tlv(0x04, bytes(random(40))),
            () => tlv(SEQ, oid(DIGESTS[random(DIGESTS.length)]!)),
            () => tlv(0x17, Buffer.from('250101000000Z')),
          ][random(3)]!(),
        ),
      ),
    );
  const algorithm = (oids: string[]) =>
    random(2) ? tlv(SEQ, oid(oids[random(oids.length)]!), NULL) : tlv(SEQ, oid(oids[random(3)]!));

  const sidKind = random(20);
  const sid =
    sidKind < 12
      ? tlv(SEQ, name(), integer(1 + random(20)))
      : sidKind < 17
        ? tlv(0x80, bytes(random(21)))
        : tlv(0xa0, tlv(0x04, bytes(20)));
  const fields = [tlv(0x02, Buffer.from([[1, 3, 0, 2][random(4)]!])), sid, algorithm(DIGESTS)];
  if (random(10) < 7) fields.push(tlv(0xa0, ...Array.from({ length: 1 + random(5) }, attribute)));
  fields.push(algorithm(SIGNATURES), tlv(0x04, bytes(16 + random(240))));
  if (random(10) < 4) fields.push(tlv(0xa1, ...Array.from({ length: random(4) }, attribute)));
  return fields;
}

const TAGS = [0x02, 0x04, 0x05, 0x06, 0x30, 0x31, 0x80, 0x81, 0xa0, 0xa1, 0x24, 0xa2];

/** One of a few structural damages: wrong tags, missing, extra, swapped or re-formed fields. */
function mutate(random: (n: number) => number, fields: Buffer[]): Buffer[] {
  const out: Buffer[] = fields.map((f) => Buffer.from(f));
  const at = random(out.length);
  switch (random(8)) {
    case 0: // another tag (and form) on one field
      out[at]![0] = TAGS[random(TAGS.length)]!;
      break;
    case 1:
      out.splice(at, 1);
      break;
    case 2:
      out.splice(at, 0, out[random(out.length)]!);
      break;
    case 3: // an element after the last field
      out.push(tlv(TAGS[random(TAGS.length)]! & ~0x20, Buffer.from([1, 2, 3])));
      break;
    case 4: {
      const other = random(out.length);
      [out[at], out[other]] = [out[other]!, out[at]!];
      break;
    }
    case 5: // an empty attribute set
      out.splice(3, 0, Buffer.from([[0xa0, 0xa1][random(2)]!, 0x00]));
      break;
    case 6: {
      // the same field in the indefinite-length form, when it is constructed
      const field = out[at]!;
      const head = readTlv(field, 0, field.length, 'field');
      if (head.constructed) {
        out[at] = indefinite(field[0]!, field.subarray(head.contentStart, head.contentEnd));
      }
      break;
    }
    default: {
      // an attribute of one or three parts instead of {type, values}
      const attribute =
        random(2) === 0
          ? tlv(SEQ, oid(OID.contentType))
          : tlv(SEQ, oid(OID.contentType), tlv(SET, NULL), NULL);
      out.splice(3, 0, tlv(0xa0, attribute));
      break;
    }
  }
  return out;
}

type Outcome =
  { ok: true; value: DecodedSignerInfo } | { ok: false; error: unknown; message: string };

function outcome(decode: () => DecodedSignerInfo): Outcome {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    return { ok: false, error, message: (error as Error).message };
  }
}

interface Comparison {
  /** Both decoded it, to the same SignerInfo. */
  agreed: 'decoded' | 'refused' | 'trailing-elements' | 'not-ber';
}

/**
 * Compares the two decoders on one SignerInfo encoding. Both refuse with MalformedSignatureError
 * (finding code malformed-signature) or both decode it identically; where only the new decoder
 * refuses, the input must be a SignerInfo both accept followed by elements pkijs ignored.
 */
function compare(der: Buffer, label: string): Comparison {
  let block;
  try {
    // The strict decoder runs first on every path (signed-data.ts); what it refuses never
    // reaches either SignerInfo decoder.
    block = decodeExact(der, 'SignerInfo');
  } catch {
    return { agreed: 'not-ber' };
  }
  const reference = outcome(() => decodeSignerInfoWithPkijs(block, 'SignerInfo'));
  const decoded = outcome(() => decodeSignerInfo(der, 'SignerInfo'));
  const context = `${label}: ${der.toString('hex')}`;
  if (!decoded.ok) {
    expect(decoded.error, context).toBeInstanceOf(MalformedSignatureError);
    expect((decoded.error as MalformedSignatureError).code, context).toBe('malformed-signature');
  }
  if (!reference.ok) {
    expect(reference.error, context).toBeInstanceOf(MalformedSignatureError);
    expect(decoded.ok, `${context} (pkijs: ${reference.message})`).toBe(false);
    return { agreed: 'refused' };
  }
  if (decoded.ok) {
    expect(decoded.value, context).toEqual(reference.value);
    return { agreed: 'decoded' };
  }
  // pkijs decoded it and the new decoder did not: only elements after the last field may be why.
  expect(decoded.message, context).toBe(
    'cannot decode SignerInfo: its fields are not those of a SignerInfo',
  );
  const root = readTlv(der, 0, der.length, 'SignerInfo');
  const elements = tlvChildren(der, root, 'SignerInfo', 64);
  for (let keep = elements.length - 1; keep >= 5; keep--) {
    const shorter = tlv(SEQ, ...elements.slice(0, keep).map((e) => tlvBytes(der, e)));
    const block2 = decodeExact(shorter, 'SignerInfo');
    const cut = outcome(() => decodeSignerInfo(shorter, 'SignerInfo'));
    if (cut.ok) {
      expect(cut.value, `${context} cut to ${keep}`).toEqual(
        decodeSignerInfoWithPkijs(block2, 'SignerInfo'),
      );
      return { agreed: 'trailing-elements' };
    }
  }
  throw new Error(`${context}: pkijs decoded it, the new decoder refused it: ${decoded.message}`);
}

describe('decodeSignerInfo', () => {
  it(`agrees with pkijs on 1,000 generated SignerInfos, half of them damaged (seed 0x${SEED.toString(16)})`, () => {
    const random = seededRandom(SEED);
    const counts: Record<Comparison['agreed'], number> = {
      decoded: 0,
      refused: 0,
      'trailing-elements': 0,
      'not-ber': 0,
    };
    for (let i = 0; i < 1000; i++) {
      const fields = generateFields(random);
      const damaged = i % 2 === 1;
      const der = tlv(SEQ, ...(damaged ? mutate(random, fields) : fields));
      const { agreed } = compare(der, `SignerInfo ${i} (seed 0x${SEED.toString(16)})`);
      if (!damaged) expect(agreed, `undamaged SignerInfo ${i}`).toBe('decoded');
      counts[agreed]++;
    }
    console.log(`seed 0x${SEED.toString(16)}: ${JSON.stringify(counts)}`);
    // Both sides of the comparison are exercised, not only the easy one.
    expect(counts.decoded).toBeGreaterThan(550);
    expect(counts.refused).toBeGreaterThan(100);
    expect(counts['trailing-elements']).toBeGreaterThan(10);
  });

  it('agrees with pkijs on every SignerInfo of every fixture (signers, timestamps, countersignatures, nested signatures)', async () => {
    const signerInfos = await fixtureSignerInfos();
    for (const { label, der } of signerInfos) expect(compare(der, label).agreed).toBe('decoded');
    console.log(`${signerInfos.length} fixture SignerInfos compared`);
    expect(signerInfos.length).toBeGreaterThan(100);
  });
});

describe('hostile SignerInfos', () => {
  const signature = (() => {
    const random = seededRandom(SEED + 1);
    let fields: Buffer[];
    do fields = generateFields(random);
    while (fields.length !== 7 || fields[1]![0] !== SEQ);
    return fields;
  })();
  const refusal = (fields: Buffer[] | Buffer): string => {
    const der = Array.isArray(fields) ? tlv(SEQ, ...fields) : fields;
    try {
      decodeSignerInfo(decodeExact(der, 'SignerInfo').valueBeforeDecodeView, 'SignerInfo');
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedSignatureError);
      expect((error as MalformedSignatureError).code).toBe('malformed-signature');
      return (error as Error).message;
    }
    throw new Error('decoded');
  };
  const replaced = (at: number, field: Buffer) => signature.map((f, i) => (i === at ? field : f));

  it('decodes the well-formed base case', () => {
    const decoded = decodeSignerInfo(
      decodeExact(tlv(SEQ, ...signature), 'SignerInfo').valueBeforeDecodeView,
      'x',
    );
    expect(decoded.identifier.kind).toBe('issuerAndSerialNumber');
    expect(decoded.signedAttributes?.der[0]).toBe(0xa0);
  });

  it('refuses wrong tags with malformed-signature', () => {
    const fieldsRefused = 'cannot decode SignerInfo: its fields are not those of a SignerInfo';
    // version as an OCTET STRING, the signature as an INTEGER, the digest algorithm as a SET
    expect(refusal(replaced(0, tlv(0x04, Buffer.from([1]))))).toBe(fieldsRefused);
    expect(refusal(replaced(5, tlv(0x02, Buffer.from([1]))))).toBe(fieldsRefused);
    expect(refusal(replaced(2, tlv(SET, oid(DIGESTS[0]!))))).toBe(fieldsRefused);
    // a constructed OCTET STRING as the signature (pkijs' schema wants the primitive form)
    expect(refusal(replaced(5, tlv(0x24, tlv(0x04, Buffer.from([1])))))).toBe(fieldsRefused);
    // the SignerInfo itself as a SET
    expect(refusal(tlv(SET, ...signature))).toBe('cannot decode SignerInfo: not a SEQUENCE');
  });

  it('refuses indefinite lengths where the strict decoder does, and reads them where BER allows', () => {
    // A primitive element in the indefinite form is not BER at all.
    expect(() =>
      decodeExact(tlv(SEQ, ...replaced(5, Buffer.from([0x04, 0x80, 1, 2, 0, 0]))), 'SignerInfo'),
    ).toThrow(MalformedSignatureError);
    // A constructed one is BER: the same SignerInfo as the definite form.
    const signed = signature[3]!;
    const head = readTlv(signed, 0, signed.length, 'x');
    const berForm = replaced(3, indefinite(0xa0, signed.subarray(head.contentStart)));
    const decoded = decodeSignerInfo(
      decodeExact(tlv(SEQ, ...berForm), 'x').valueBeforeDecodeView,
      'x',
    );
    expect(decoded.signedAttributes?.attributes).toEqual(
      decodeSignerInfo(decodeExact(tlv(SEQ, ...signature), 'x').valueBeforeDecodeView, 'x')
        .signedAttributes?.attributes,
    );
  });

  it('refuses trailing bytes and trailing elements', () => {
    // Bytes after the SignerInfo: the strict decoder's refusal, before any field is read.
    expect(() =>
      decodeExact(Buffer.concat([tlv(SEQ, ...signature), Buffer.from([0])]), 'SignerInfo'),
    ).toThrow('SignerInfo has 1 bytes after its end');
    // An element after the unauthenticated attributes: pkijs ignored it; OpenSSL and Windows do not.
    expect(refusal([...signature, tlv(0xa1)])).toBe(
      'cannot decode SignerInfo: its fields are not those of a SignerInfo',
    );
  });

  it('refuses empty authenticated attributes, and malformed attributes, with their own reasons', () => {
    expect(refusal(replaced(3, Buffer.from([0xa0, 0x00])))).toBe(
      'cannot decode SignerInfo: its authenticated attributes are an empty set',
    );
    expect(
      refusal(replaced(3, tlv(0xa0, tlv(SEQ, oid(OID.contentType), tlv(SET, NULL), NULL)))),
    ).toBe('SignerInfo authenticated attributes contain an attribute that is not {type, values}');
    const many = tlv(
      0xa0,
      ...Array.from({ length: 65 }, () => tlv(SEQ, oid(OID.contentType), tlv(SET))),
    );
    expect(refusal(replaced(3, many))).toBe(
      'SignerInfo authenticated attributes hold 65 attributes (limit 64)',
    );
  });

  it('turns a damaged SignerInfo inside a real signature into malformed-signature', async () => {
    const file = await RandomAccessFile.open('fixtures/msi/signed-sha256.msi');
    let blob: Buffer;
    try {
      const detection = await detectContainer(file);
      if (!('container' in detection) || detection.container === 'other') throw new Error('no');
      blob = (await openContainer(file, detection)).signature!;
    } finally {
      await file.close();
    }
    expect(parseAuthenticode(blob).signerCertificate).not.toBeNull();
    // Rebuild ContentInfo → [0] → SignedData with its SignerInfo's version turned into an
    // OCTET STRING (same length, so only the identifier octet changes).
    const contentInfo = readTlv(blob, 0, blob.length, 'x');
    const [type, explicit] = tlvChildren(blob, contentInfo, 'x', 8);
    const signedData = readTlv(blob, explicit!.contentStart, explicit!.contentEnd, 'x');
    const parts = tlvChildren(blob, signedData, 'x', 8);
    const signerInfos = parts.at(-1)!;
    const signerInfo = tlvChildren(blob, signerInfos, 'x', 8)[0]!;
    const damaged = Buffer.from(tlvBytes(blob, signerInfo));
    const first = readTlv(damaged, 0, damaged.length, 'x');
    damaged[first.contentStart] = 0x04;
    const rebuilt = tlv(
      SEQ,
      tlvBytes(blob, type!),
      tlv(0xa0, tlv(SEQ, ...parts.slice(0, -1).map((p) => tlvBytes(blob, p)), tlv(SET, damaged))),
    );
    expect(() => parseAuthenticode(rebuilt)).toThrow(MalformedSignatureError);
    try {
      parseAuthenticode(rebuilt);
    } catch (error) {
      expect((error as MalformedSignatureError).code).toBe('malformed-signature');
      expect((error as Error).message).toContain('its fields are not those of a SignerInfo');
    }
  });
});

describe('objectIdentifierOf (decoded once per distinct encoding)', () => {
  it('gives each encoding its own text, as the strict decoder reads it, and never keeps a refusal', () => {
    const sha256 = oid('2.16.840.1.101.3.4.2.1');
    const sha384 = oid('2.16.840.1.101.3.4.2.2');
    for (let round = 0; round < 2; round++) {
      expect(objectIdentifierOf(sha256, 'x')).toBe('2.16.840.1.101.3.4.2.1');
      // The same bytes but the last: another OID, not the one decoded before.
      expect(objectIdentifierOf(sha384, 'x')).toBe('2.16.840.1.101.3.4.2.2');
      expect(objectIdentifierOf(sha384.subarray(0), 'x')).toBe(
        objectIdentifier(decodeExact(sha384, 'x'), 'x'),
      );
      // An INTEGER with an OID's contents is refused every time, naming the caller's `what`.
      const integer = Buffer.from(sha256);
      integer[0] = 0x02;
      expect(() => objectIdentifierOf(integer, `round ${round}`)).toThrow(
        `round ${round} is not an OBJECT IDENTIFIER`,
      );
    }
  });
});

describe('decodeExactShared (attribute values decoded once per distinct encoding)', () => {
  it('shares an element between identical encodings only, and never keeps a refusal', () => {
    const value = tlv(SEQ, tlv(0xa0, tlv(0x80, Buffer.from('00410042', 'hex'))));
    const first = decodeExactShared(Buffer.from(value), 'x');
    expect(decodeExactShared(Buffer.from(value), 'x')).toBe(first);
    expect(first.valueBeforeDecodeView).toEqual(new Uint8Array(value));
    // One byte different: its own element, as the strict decoder reads it.
    const other = Buffer.from(value);
    other[other.length - 1] = 0x43;
    const second = decodeExactShared(other, 'x');
    expect(second).not.toBe(first);
    expect(Buffer.from(second.valueBeforeDecodeView)).toEqual(other);
    // A refusal throws each time, naming the caller's `what`.
    const broken = Buffer.from(value.subarray(0, value.length - 1));
    for (const what of ['first try', 'second try']) {
      expect(() => decodeExactShared(broken, what)).toThrow(`cannot decode ${what}`);
    }
  });
});
