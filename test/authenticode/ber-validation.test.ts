import { describe, expect, it } from 'vitest';
import { decodeExact } from '../../src/authenticode/asn1.js';
import { isSurelyValid, validateExact } from '../../src/authenticode/ber-validation.js';
import { seededRandom } from '../support/seeded-random.js';
import { fixtureSignerInfos } from './support/fixture-signer-infos.js';

// The one-pass check (src/authenticode/ber-validation.ts) against the strict decoder it stands in
// for (asn1.ts decodeExact): whatever the walk calls valid, the decoder must accept; everything
// else goes to the decoder itself, so validateExact throws exactly when, and what, it throws.

const SEED = 0xbe12_0019;

type Random = (n: number) => number;

function lengthOctets(n: number, random: Random): number[] {
  switch (random(8)) {
    case 0: // long form with a needless leading zero (BER; the decoder accepts it)
      return [0x82, n >> 8, n & 0xff];
    case 1: // four length octets
      return [0x84, 0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    case 2: // more length octets than the walk models
      return [0x85, 0, 0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    default:
      return n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  }
}

function encode(identifier: number[], body: Buffer, random: Random, constructed: boolean): Buffer {
  if (constructed && random(12) === 0) {
    return Buffer.concat([Buffer.from([...identifier, 0x80]), body, Buffer.from([0, 0])]);
  }
  let declared = body.length;
  if (random(25) === 0) declared += random(2) ? 1 : -1; // a length that does not fit
  if (declared < 0) declared = 0;
  return Buffer.concat([Buffer.from([...identifier, ...lengthOctets(declared, random)]), body]);
}

const bytes = (random: Random, n: number) =>
  Buffer.from(Array.from({ length: n }, () => random(256)));

const TIMES = [
  '250101000000Z',
  '991231235959Z',
  '20250101000000Z',
  '20250101000000.123Z',
  '2025010100Z',
  '20250101000000+0100',
  '20250101000000',
  '2501010000Z',
  'abcdefghijklZ',
  '2025X101000000Z',
  '',
  'Z',
];

const UNIVERSAL_PRIMITIVES = [
  0, 1, 2, 3, 4, 5, 6, 10, 12, 13, 15, 18, 19, 20, 22, 23, 24, 26, 28, 30,
];

function primitiveContent(random: Random, tag: number): Buffer {
  switch (tag) {
    case 1:
    case 2:
    case 10:
      return bytes(random, random(5));
    case 3:
      return random(4) === 0
        ? Buffer.alloc(0)
        : Buffer.from([random(10), ...bytes(random, random(4))]);
    case 5:
      return bytes(random, random(4) === 0 ? 1 : 0);
    case 6:
    case 13: {
      const arcs = bytes(random, random(6));
      if (arcs.length > 0 && random(3) !== 0) arcs[arcs.length - 1]! &= 0x7f;
      return arcs;
    }
    case 23:
    case 24:
      return random(6) === 0
        ? bytes(random, random(16))
        : Buffer.from(TIMES[random(TIMES.length)]!, 'latin1');
    default:
      // Strings and the rest; now and then one longer than the walk reads itself.
      return bytes(random, random(40) === 0 ? 4100 + random(3) : random(12));
  }
}

/** One random element: mostly what signatures hold, with every kind of oddity now and then. */
function element(random: Random, depth: number): Buffer {
  if (depth < 5 && random(3) === 0) {
    const identifier = [0x30, 0x31, 0xa0, 0xa1, 0x60, 0xe3, 0x24, 0x23, 0x2c, 0x20 | random(31)][
      random(10)
    ]!;
    const children = Array.from({ length: random(4) }, () =>
      random(30) === 0 ? Buffer.from([0, 0]) : element(random, depth + 1),
    );
    return encode([identifier], Buffer.concat(children), random, true);
  }
  const kind = random(20);
  if (kind === 0) return encode([0x1f, 0x81, 0x01], bytes(random, random(4)), random, false); // high tag
  if (kind < 3) {
    // context-specific or private primitive
    return encode(
      [(random(2) ? 0x80 : 0xc0) | random(31)],
      bytes(random, random(8)),
      random,
      false,
    );
  }
  const tag =
    random(4) === 0 ? random(31) : UNIVERSAL_PRIMITIVES[random(UNIVERSAL_PRIMITIVES.length)]!;
  return encode([tag], primitiveContent(random, tag), random, false);
}

/** A few bytes changed, cut off or added. */
function damage(random: Random, input: Buffer): Buffer {
  const out = Buffer.from(input);
  switch (random(4)) {
    case 0:
      return out.subarray(0, random(out.length));
    case 1:
      return Buffer.concat([out, bytes(random, 1 + random(3))]);
    default:
      for (let i = 1 + random(3); i > 0; i--) out[random(out.length)] = random(256);
      return out;
  }
}

type Verdict = { ok: true } | { ok: false; message: string };

function verdict(check: () => unknown): Verdict {
  try {
    check();
    return { ok: true };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Checks the one rule on `input` and returns which way it went. */
function compare(input: Buffer, label: string): 'fast' | 'decoder-accepts' | 'refused' {
  const reference = verdict(() => decodeExact(input, 'element'));
  const fast = isSurelyValid(input);
  const context = `${label}: ${input.toString('hex').slice(0, 400)}`;
  if (fast) expect(reference, context).toEqual({ ok: true });
  expect(
    verdict(() => validateExact(input, 'element')),
    context,
  ).toEqual(reference);
  return fast ? 'fast' : reference.ok ? 'decoder-accepts' : 'refused';
}

describe('validateExact', () => {
  it(`agrees with the strict decoder on 20,000 generated elements (seed 0x${SEED.toString(16)})`, () => {
    const random = seededRandom(SEED);
    const counts = { fast: 0, 'decoder-accepts': 0, refused: 0 };
    for (let i = 0; i < 20_000; i++) counts[compare(element(random, 0), `element ${i}`)]++;
    console.log('generated elements:', counts);
    // Every way is taken often: the walk's own verdicts, and both outcomes of the fallback.
    expect(counts.fast).toBeGreaterThan(5_000);
    expect(counts['decoder-accepts']).toBeGreaterThan(1_000);
    expect(counts.refused).toBeGreaterThan(1_000);
  });

  it('takes the one-pass way for every DER SignerInfo of every fixture, and agrees on damaged ones', async () => {
    const signerInfos = await fixtureSignerInfos();
    const random = seededRandom(SEED + 1);
    let fast = 0;
    const counts = { fast: 0, 'decoder-accepts': 0, refused: 0 };
    for (const { label, der } of signerInfos) {
      if (compare(der, label) === 'fast') fast++;
      for (let i = 0; i < 20; i++) counts[compare(damage(random, der), `${label} damaged`)]++;
    }
    console.log(
      `${fast} of ${signerInfos.length} fixture SignerInfos checked in one pass;`,
      counts,
    );
    // The few that are not are the BER-form fixtures (indefinite lengths), which the decoder reads.
    expect(fast).toBeGreaterThan(signerInfos.length * 0.9);
    expect(counts.refused).toBeGreaterThan(1_000);
  });

  it('hands the decoder what it does not model, and refuses with the decoder’s own messages', () => {
    const cases: [string, string, boolean][] = [
      // [hex, why, decoder accepts]
      ['3080020101' + '0000', 'indefinite length', true],
      ['9f810100', 'context-specific high tag number', true],
      ['1f810100', 'universal tag 129 (reserved)', false],
      ['0400', 'empty OCTET STRING', true],
      ['020100', 'INTEGER', true],
      ['0200', 'empty INTEGER', true],
      ['030108', 'BIT STRING with 8 unused bits', false],
      ['0601ab', 'unterminated OBJECT IDENTIFIER', false],
      ['1e03616263', 'BMPString of odd length', false],
      ['3003020101ff', 'trailing byte', false],
      ['300402010102', 'element longer than its parent', false],
      ['2403040161', 'constructed OCTET STRING', true],
      ['2203020101', 'constructed INTEGER', false],
      ['1801' + '5a', 'GeneralizedTime "Z"', false],
      ['170d' + Buffer.from('250101000000Z').toString('hex'), 'UTCTime', true],
    ];
    for (const [hex, why, accepted] of cases) {
      const input = Buffer.from(hex, 'hex');
      expect(verdict(() => decodeExact(input, 'element')).ok, why).toBe(accepted);
      expect(compare(input, why)).not.toBe(accepted ? 'refused' : 'fast');
    }
  });
});
