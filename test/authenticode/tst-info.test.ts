import { describe, expect, it } from 'vitest';
import { decodeExact, octetStringValue } from '../../src/authenticode/asn1.js';
import { OID } from '../../src/authenticode/oids.js';
import { decodeSignedData } from '../../src/authenticode/signed-data.js';
import {
  readCommonTstInfo,
  readTstInfo,
  readTstInfoWithPkijs,
  type TstInfoFields,
} from '../../src/authenticode/tst-info.js';
import { seededRandom } from '../support/seeded-random.js';
import { oid, tlv } from './support/der.js';
import { fixtureSignatures } from './support/fixture-signer-infos.js';

// The TSTInfo read from its bytes (readCommonTstInfo) against pkijs' reading it stands in for
// (readTstInfoWithPkijs): where the byte reader answers, pkijs accepts the same bytes and gives
// the same fields; where it does not (null), pkijs decides, so readTstInfo is unchanged.

const SEED = 0x3161_2019;
const SEQ = 0x30;
const NULL = Buffer.from([0x05, 0x00]);

type Plain = Omit<TstInfoFields, 'hashedMessage' | 'genTime'> & {
  genTime: number;
  hashedMessage: string | { refused: string };
};

function plain(fields: TstInfoFields): Plain {
  let hashedMessage: Plain['hashedMessage'];
  try {
    hashedMessage = fields.hashedMessage().toString('hex');
  } catch (error) {
    hashedMessage = { refused: (error as Error).message };
  }
  return {
    genTime: fields.genTime.getTime(),
    policy: fields.policy,
    serialNumber: fields.serialNumber,
    hashAlgorithm: fields.hashAlgorithm,
    hashedMessage,
  };
}

type Outcome = { ok: true; value: Plain } | { ok: false; message: string };

function slow(der: Buffer): Outcome {
  try {
    return { ok: true, value: plain(readTstInfoWithPkijs(der)) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Checks the rule on one TSTInfo; returns whether the byte reader answered. */
function compare(der: Buffer, label: string): boolean {
  const context = `${label}: ${der.toString('hex')}`;
  const reference = slow(der);
  let fast: TstInfoFields | null;
  try {
    fast = readCommonTstInfo(der);
  } catch (error) {
    // The byte reader may refuse only what the general path refuses too, with the same words.
    expect(reference, context).toEqual({ ok: false, message: (error as Error).message });
    return false;
  }
  if (fast === null) {
    const whole = (() => {
      try {
        return { ok: true as const, value: plain(readTstInfo(der)) };
      } catch (error) {
        return { ok: false as const, message: (error as Error).message };
      }
    })();
    expect(whole, context).toEqual(reference);
    return false;
  }
  expect(reference, context).toEqual({ ok: true, value: plain(fast) });
  return true;
}

/** GeneralizedTime and UTCTime encodings, usual and not. */
const TIMES = [
  '20261206043000Z',
  '20261206043000.123Z',
  '20261206043000.5Z',
  '20261206043000',
  '202612060430Z',
  '20261306043000Z',
  '20261206043000+0100',
  'garbage',
];

function generate(random: (n: number) => number): Buffer {
  const usual = random(2) === 0;
  const pick = <T>(items: readonly T[]): T => items[usual ? 0 : random(items.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => random(256)));
  const maybe = (element: Buffer) => (random(2) === 0 ? [element] : []);
  const integer = () =>
    pick([
      tlv(0x02, Buffer.from([1 + random(100)])),
      tlv(0x02, bytes(1 + random(20))),
      tlv(0x02, Buffer.alloc(0)),
      tlv(0x22, tlv(0x02, Buffer.from([1]))),
      NULL,
    ]);
  const version = pick([tlv(0x02, Buffer.from([1])), integer()]);
  const policy = pick([oid('1.3.6.1.4.1.4146.2.3'), oid('2.5.29.32.0'), NULL, tlv(0x26, bytes(3))]);
  const algorithm = pick([
    tlv(SEQ, oid('2.16.840.1.101.3.4.2.1'), NULL),
    tlv(SEQ, oid('2.16.840.1.101.3.4.2.1')),
    tlv(SEQ, oid('1.3.14.3.2.26'), NULL),
    tlv(SEQ, oid('2.16.840.1.101.3.4.2.1'), NULL, NULL),
    tlv(SEQ),
    tlv(SEQ, NULL),
    oid('2.16.840.1.101.3.4.2.1'),
  ]);
  const hashed = pick([
    tlv(0x04, bytes(32)),
    tlv(0x04, bytes(20)),
    tlv(0x24, tlv(0x04, bytes(10)), tlv(0x04, bytes(10))),
    tlv(0x03, Buffer.from([0, 1, 2])),
  ]);
  const imprint = pick([
    tlv(SEQ, algorithm, hashed),
    tlv(SEQ, algorithm),
    tlv(SEQ, algorithm, hashed, NULL),
    tlv(0x31, algorithm, hashed),
  ]);
  const time = TIMES[usual ? random(3) : random(TIMES.length)]!;
  const genTime = pick([
    tlv(0x18, Buffer.from(time, 'latin1')),
    tlv(0x17, Buffer.from('261206043000Z', 'latin1')),
    tlv(0x38, tlv(0x18, Buffer.from(time, 'latin1'))),
  ]);
  const accuracy = pick([
    tlv(
      SEQ,
      ...maybe(tlv(0x02, Buffer.from([1]))),
      ...maybe(tlv(0x80, Buffer.from([0x01, 0xf4]))),
      ...maybe(tlv(0x81, Buffer.from([0x64]))),
    ),
    tlv(SEQ, tlv(0x80, Buffer.from([1])), tlv(0x02, Buffer.from([1]))),
    tlv(SEQ, tlv(0xa0, tlv(0x02, Buffer.from([1])))),
    tlv(SEQ, NULL),
  ]);
  const name = () =>
    tlv(SEQ, tlv(0x31, tlv(SEQ, oid('2.5.4.3'), tlv(0x0c, Buffer.from('Fixture TSA')))));
  const tsa = pick([
    tlv(0xa0, tlv(0xa4, name())),
    tlv(0xa0, tlv(0xa4, tlv(SEQ))),
    tlv(0xa0, tlv(0xa4, tlv(SEQ, tlv(0x31)))),
    tlv(0xa0, tlv(0x86, Buffer.from('http://tsa.example'))),
    tlv(0xa0, tlv(0xa4, name()), tlv(0xa4, name())),
    tlv(0xa0, tlv(0xa4, tlv(SEQ, tlv(0x31, tlv(SEQ, NULL, NULL))))),
  ]);
  const extensions = tlv(0xa1, tlv(SEQ, oid('1.2.3.4'), tlv(0x04, bytes(2))));
  const optional = [
    ...(random(3) > 0 ? [accuracy] : []),
    ...(random(3) === 0 ? [tlv(0x01, Buffer.from([random(2) ? 0xff : 0]))] : []),
    ...(random(2) === 0 ? [tlv(0x02, bytes(8))] : []),
    ...(random(2) === 0 ? [tsa] : []),
    ...(!usual && random(4) === 0 ? [extensions] : []),
  ];
  // Now and then out of order, or an element too many.
  if (!usual && random(4) === 0) optional.reverse();
  if (!usual && random(6) === 0) optional.push(NULL);
  const required = [version, policy, imprint, integer(), genTime];
  if (!usual && random(8) === 0) required.splice(random(5), 1);
  const whole = tlv(SEQ, ...required, ...optional);
  if (random(6) === 0) whole[random(whole.length)] = random(256);
  return whole;
}

describe('TSTInfo read from its bytes', () => {
  it('agrees with pkijs on every fixture timestamp token, and reads all of them itself', async () => {
    const { contentInfos } = await fixtureSignatures();
    let tokens = 0;
    let read = 0;
    for (const { label, der } of contentInfos) {
      const signedData = decodeSignedData(der, label);
      if (signedData.contentType !== OID.tstInfo || !signedData.contentDer) continue;
      tokens++;
      const tstInfo = octetStringValue(decodeExact(signedData.contentDer, label), label);
      const answered = compare(tstInfo, label);
      expect(answered, label).toBe(true);
      if (answered) read++;
    }
    console.log(`${read} of ${tokens} fixture TSTInfos read from their bytes`);
    expect(tokens).toBeGreaterThan(5);
  });

  it('reads the shapes of real timestamp authorities: accuracy, nonce and a directoryName tsa', () => {
    const der = tlv(
      SEQ,
      tlv(0x02, Buffer.from([1])),
      oid('2.16.840.1.114412.7.1'),
      tlv(SEQ, tlv(SEQ, oid('2.16.840.1.101.3.4.2.1'), NULL), tlv(0x04, Buffer.alloc(32, 7))),
      tlv(0x02, Buffer.from('00c0ffee', 'hex')),
      tlv(0x18, Buffer.from('20261206043000.123Z', 'latin1')),
      tlv(SEQ, tlv(0x02, Buffer.from([1])), tlv(0x80, Buffer.from([0x01, 0xf4]))),
      tlv(0x02, Buffer.from('0102030405060708', 'hex')),
      tlv(
        0xa0,
        tlv(
          0xa4,
          tlv(SEQ, tlv(0x31, tlv(SEQ, oid('2.5.4.3'), tlv(0x0c, Buffer.from('Example TSA'))))),
        ),
      ),
    );
    const fields = readCommonTstInfo(der);
    expect(fields).not.toBeNull();
    expect(plain(fields!)).toEqual({
      genTime: Date.UTC(2026, 11, 6, 4, 30, 0, 123),
      policy: '2.16.840.1.114412.7.1',
      serialNumber: '00c0ffee',
      hashAlgorithm: '2.16.840.1.101.3.4.2.1',
      hashedMessage: '07'.repeat(32),
    });
    expect(compare(der, 'a real shape')).toBe(true);
  });

  it(`agrees on 5,000 generated ones, unusual and damaged included (seed 0x${SEED.toString(16)})`, () => {
    const random = seededRandom(SEED);
    let answered = 0;
    let declined = 0;
    for (let i = 0; i < 5_000; i++) {
      if (compare(generate(random), `generated ${i}`)) answered++;
      else declined++;
    }
    console.log({ answered, declined });
    expect(answered).toBeGreaterThan(500);
    expect(declined).toBeGreaterThan(500);
  });
});
