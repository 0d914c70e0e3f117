import { describe, expect, it } from 'vitest';
import { decodeExact } from '../../src/authenticode/asn1.js';
import {
  decodeIndirectData,
  decodeIndirectDataDer,
  PAGE_HASHES_CLASS_ID,
  readCommonShape,
  type IndirectData,
} from '../../src/authenticode/indirect-data.js';
import { MSI_SIP_GUID, OID } from '../../src/authenticode/oids.js';
import { decodeSignedData } from '../../src/authenticode/signed-data.js';
import { seededRandom } from '../support/seeded-random.js';
import { tlv, oid } from './support/der.js';
import { fixtureSignatures } from './support/fixture-signer-infos.js';

// The SpcIndirectDataContent read from its bytes (readCommonShape) against the asn1js + pkijs
// decoding it stands in for (decodeIndirectData): where the byte reader answers, both agree;
// where it does not (null), the old decoder decides, so decodeIndirectDataDer is unchanged.

const SEED = 0x1d_2019;

const SEQ = 0x30;
const NULL = Buffer.from([0x05, 0x00]);
const MSI_GUID = MSI_SIP_GUID;

type Outcome = { ok: true; value: IndirectData } | { ok: false; message: string };

function slow(der: Buffer): Outcome {
  try {
    return { ok: true, value: decodeIndirectData(decodeExact(der, 'eContent')) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Checks the rule on one element; returns whether the byte reader answered. */
function compare(der: Buffer, label: string): boolean {
  const reference = slow(der);
  const context = `${label}: ${der.toString('hex')}`;
  let fast: IndirectData | null;
  try {
    fast = readCommonShape(der);
  } catch (error) {
    // A refusal only where the old decoder refuses too (a malformed SpcPeImageData), in its words.
    expect(reference, context).toEqual({ ok: false, message: (error as Error).message });
    return true;
  }
  if (fast === null) return false;
  expect(reference, context).toEqual({ ok: true, value: fast });
  expect(decodeIndirectDataDer(der), context).toEqual(fast);
  return true;
}

/** One generated SpcIndirectDataContent, now and then with an unusual part. */
function generate(random: (n: number) => number): Buffer {
  // Half of them the common shape throughout (every pick's first item), half anything.
  const usual = random(2) === 0;
  const pick = <T>(items: readonly T[]): T => items[usual ? 0 : random(items.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => random(256)));
  const integer = () =>
    pick([
      tlv(0x02, Buffer.from([random(3)])),
      tlv(0x02, Buffer.from([0x80])),
      tlv(0x02, Buffer.alloc(0)),
      tlv(0x02, bytes(7)),
      tlv(0x22, tlv(0x02, Buffer.from([1]))),
      NULL,
    ]);
  const guid = () =>
    pick([
      tlv(0x04, MSI_GUID),
      tlv(0x04, bytes(16)),
      tlv(0x24, tlv(0x04, MSI_GUID.subarray(0, 8)), tlv(0x04, MSI_GUID.subarray(8))),
      tlv(0x0c, bytes(4)),
    ]);
  const sipInfo = () =>
    pick([
      tlv(SEQ, integer(), guid(), ...Array.from({ length: 5 }, () => tlv(0x02, Buffer.from([0])))),
      tlv(SEQ, integer(), guid()),
      tlv(SEQ, integer()),
      tlv(0x31, integer(), guid()),
      tlv(0x04, bytes(4)),
    ]);
  const link = () =>
    pick([
      tlv(
        0xa1,
        tlv(0x04, PAGE_HASHES_CLASS_ID),
        tlv(
          0x04,
          tlv(
            0x31,
            tlv(
              SEQ,
              oid(pick([OID.spcPeImagePageHashesV2, OID.spcPeImagePageHashesV1, '1.2.3'])),
              tlv(0x31, tlv(0x04, bytes(36))),
            ),
          ),
        ),
      ),
      tlv(0xa2, tlv(0x80, Buffer.from('<<<Obsolete>>>', 'utf16le'))),
      tlv(0x80, Buffer.from('http://example.com')),
      tlv(0xa1, tlv(0x04, bytes(16)), tlv(0x04, bytes(8))),
      tlv(0xa1, tlv(0x04, PAGE_HASHES_CLASS_ID), tlv(0x04, bytes(8))),
      tlv(0xa1, tlv(0x04, PAGE_HASHES_CLASS_ID)),
      tlv(0xa3, NULL),
    ]);
  const peImageData = () =>
    pick([
      tlv(SEQ, tlv(0x03, Buffer.from([0])), tlv(0xa0, link())),
      tlv(SEQ, tlv(0x03, Buffer.from([0]))),
      tlv(SEQ, tlv(0xa0, link())),
      tlv(SEQ, tlv(0xa0)),
      tlv(0x31, tlv(0xa0, link())),
      NULL,
    ]);
  const type = (usual ? (items: string[]) => items[random(items.length)]! : pick)([
    OID.spcSipInfo,
    OID.spcSipInfo,
    OID.spcCabData,
    OID.spcLink,
    OID.spcPeImageData,
    '1.2.3.4',
  ]);
  const dataParts = pick([
    [oid(type), type === OID.spcPeImageData ? peImageData() : sipInfo()],
    [oid(type)],
    [oid(type), sipInfo(), NULL],
    [NULL],
  ]);
  const algorithm = pick([
    tlv(SEQ, oid('2.16.840.1.101.3.4.2.1'), NULL),
    tlv(SEQ, oid('1.3.14.3.2.26')),
    tlv(SEQ, oid('2.16.840.1.101.3.4.2.1'), NULL, NULL),
    tlv(SEQ),
    tlv(SEQ, NULL),
  ]);
  const digest = pick([
    tlv(0x04, bytes(32)),
    tlv(0x04, bytes(20)),
    tlv(0x24, tlv(0x04, bytes(10)), tlv(0x04, bytes(10))),
    tlv(0x03, Buffer.from([0, 1, 2])),
  ]);
  const digestInfo = pick([
    tlv(SEQ, algorithm, digest),
    tlv(SEQ, algorithm, digest),
    tlv(SEQ, algorithm),
    tlv(SEQ, algorithm, digest, NULL),
  ]);
  const parts = pick([
    [tlv(SEQ, ...dataParts), digestInfo],
    [tlv(SEQ, ...dataParts), digestInfo],
    [tlv(SEQ, ...dataParts)],
    [tlv(SEQ, ...dataParts), digestInfo, NULL],
  ]);
  const whole = tlv(SEQ, ...parts);
  // Now and then a byte changed, for shapes nobody planned.
  if (random(5) === 0) whole[random(whole.length)] = random(256);
  return whole;
}

describe('SpcIndirectDataContent read from its bytes', () => {
  it('agrees with asn1js and pkijs on every fixture signature, and reads every one itself', async () => {
    const { contentInfos } = await fixtureSignatures();
    let authenticode = 0;
    let read = 0;
    for (const { label, der } of contentInfos) {
      const signedData = decodeSignedData(der, label);
      if (signedData.contentType !== OID.spcIndirectData || !signedData.contentDer) continue;
      authenticode++;
      const content = Buffer.from(signedData.contentDer);
      const answered = compare(content, label);
      // Every signer's shape is the common one, PE signatures' included.
      expect(answered, label).toBe(true);
      if (answered) read++;
    }
    console.log(`${read} of ${authenticode} fixture SpcIndirectDataContents read from their bytes`);
    expect(read).toBeGreaterThan(40);
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
