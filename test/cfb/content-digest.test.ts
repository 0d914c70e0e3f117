import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MalformedPackageError } from '../../src/errors.js';
import {
  byteWiseNameCompare,
  msiContentDigests,
  msiMetadataPrehash,
  readMsiSignatureStreams,
} from '../../src/msi/content-digest.js';
import { buildCfb, storage, stream } from '../support/cfb-builder.js';
import { openBytes } from './tools.js';

const utf16 = (name: string): Uint8Array => new Uint8Array(Buffer.from(name, 'utf16le'));
const SIG = '\u0005DigitalSignature';
const EX = '\u0005MsiDigitalSignatureEx';

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

describe('byteWiseNameCompare (docs/formats.md §5.3)', () => {
  it('compares UTF-16LE bytes, low byte first — not code units', () => {
    // "Admin…" starts 0x4840 0x41CA, "Install…" 0x4840 0x4452: CA > 52, so Admin sorts after.
    const admin = utf16('\u4840\u41ca');
    const install = utf16('\u4840\u4452');
    expect(byteWiseNameCompare(admin, install)).toBeGreaterThan(0);
    expect('\u4840\u41ca' < '\u4840\u4452').toBe(true); // code-unit order says the opposite
  });

  it('puts a proper prefix first and is case-sensitive', () => {
    expect(byteWiseNameCompare(utf16('ab'), utf16('abc'))).toBeLessThan(0);
    expect(byteWiseNameCompare(utf16('abc'), utf16('ab'))).toBeGreaterThan(0);
    expect(byteWiseNameCompare(utf16('ab'), utf16('ab'))).toBe(0);
    expect(byteWiseNameCompare(utf16('B'), utf16('a'))).toBeLessThan(0);
  });

  it('orders the signtool test vector root as documented', () => {
    const names = [
      '\u4840\u3f7f\u4164\u422f\u4836', // _Tables
      '\u4840\u3b3f\u43f2\u4438\u45b1', // _Columns
      EX,
      '\u0005SummaryInformation',
      SIG,
      '\u4840\u4559\u44f2\u4568\u4737', // Property
      '\u4840\u3fff\u43e4\u41ec\u45e4\u44ac\u4831', // _Validation
    ];
    const sorted = [...names].sort((a, b) => byteWiseNameCompare(utf16(a), utf16(b)));
    expect(sorted).toEqual([
      SIG,
      EX,
      '\u0005SummaryInformation',
      '\u4840\u3b3f\u43f2\u4438\u45b1',
      '\u4840\u4559\u44f2\u4568\u4737',
      '\u4840\u3f7f\u4164\u422f\u4836',
      '\u4840\u3fff\u43e4\u41ec\u45e4\u44ac\u4831',
    ]);
  });
});

describe('msiContentDigests (docs/formats.md §5.2)', () => {
  const rootClsid = Buffer.from('84100c0000000000c000000000000046', 'hex');
  const subClsid = randomBytes(16);
  const deepClsid = randomBytes(16);
  const data = {
    b: randomBytes(5000),
    a: randomBytes(100),
    inner: randomBytes(50),
    leaf: randomBytes(7),
    subSig: Buffer.from('nested signature-like bytes'),
    ex: randomBytes(20), // a SHA-1-sized pre-hash under any algorithm: used verbatim
  };
  const tree = () => [
    stream('b', data.b),
    stream(SIG, randomBytes(300)),
    stream(EX, data.ex),
    stream('a', data.a),
    stream('empty', new Uint8Array(0)),
    storage(
      'sub',
      [
        stream('inner', data.inner),
        stream(SIG, data.subSig),
        storage('deep', [stream('leaf', data.leaf)], { clsid: deepClsid }),
      ],
      { clsid: subClsid },
    ),
  ];

  it('hashes the stored pre-hash, the streams in byte-wise order, storages in place, CLSIDs after children', async () => {
    const cfb = await openBytes(buildCfb(tree(), { rootClsid, layout: 'gapped' }).toBytes());
    // Sorted root: SIG (skipped), EX (skipped), a, b, empty, sub → inner, deep → leaf, \x05DigitalSignature.
    // Inside sub: "\x05Dig…" (05 00) sorts before "deep" (64 00) and "inner".
    const expected = Buffer.concat([
      data.ex,
      data.a,
      data.b,
      data.subSig,
      data.leaf,
      deepClsid,
      data.inner,
      subClsid,
      rootClsid,
    ]);
    const result = await msiContentDigests(cfb, ['sha256', 'sha1', 'sha256']);
    expect(result.digests.get('sha256')).toEqual(createHash('sha256').update(expected).digest());
    expect(result.digests.get('sha1')).toEqual(createHash('sha1').update(expected).digest());
    expect(result.storedPrehash).toEqual(data.ex);
    expect(result.signatureInSubStorage).toBe(true);
  });

  it('does not flag a file whose signature streams are at the root only', async () => {
    const cfb = await openBytes(
      buildCfb([stream(SIG, 'x'), stream('a', 'y'), storage('s', [stream('z', 'q')])]).toBytes(),
    );
    const result = await msiContentDigests(cfb, ['sha256']);
    expect(result.signatureInSubStorage).toBe(false);
    expect(result.storedPrehash).toBeNull();
    expect(result.digests.get('sha256')).toEqual(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from('y'), Buffer.from('q'), Buffer.alloc(32)]))
        .digest(),
    );
  });

  it('is unchanged by empty streams and by the signature streams themselves', async () => {
    const base = await openBytes(buildCfb([stream('a', 'data')]).toBytes());
    const withMore = await openBytes(
      buildCfb([
        stream('a', 'data'),
        stream('zero', new Uint8Array(0)),
        stream(SIG, randomBytes(2000)),
      ]).toBytes(),
    );
    const one = await msiContentDigests(base, ['sha256']);
    const two = await msiContentDigests(withMore, ['sha256']);
    expect(two.digests.get('sha256')).toEqual(one.digests.get('sha256'));
  });

  it('refuses a signature name at the root that is a storage', async () => {
    const cfb = await openBytes(buildCfb([storage(EX, [])]).toBytes());
    await expect(msiContentDigests(cfb, ['sha256'])).rejects.toBeInstanceOf(MalformedPackageError);
  });

  it('reads a deep storage nesting without recursion', async () => {
    let node = storage('s0', [stream('leaf', 'L')]);
    for (let i = 1; i < 60; i++) node = storage(`s${i}`, [node]);
    const cfb = await openBytes(buildCfb([node]).toBytes());
    const result = await msiContentDigests(cfb, ['sha256']);
    expect(result.digests.get('sha256')).toEqual(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from('L'), Buffer.alloc(16 * 61)]))
        .digest(),
    );
  });
});

describe('msiMetadataPrehash (docs/formats.md §5.4)', () => {
  it('hashes root CLSID and state bits, then each entry’s metadata in hashing order', async () => {
    const rootClsid = randomBytes(16);
    const rootState = Uint8Array.of(9, 9, 9, 9);
    const sub = {
      clsid: randomBytes(16),
      stateBits: randomBytes(4),
      creationTime: randomBytes(8),
      modifiedTime: randomBytes(8),
    };
    const s = {
      stateBits: randomBytes(4),
      creationTime: randomBytes(8),
      modifiedTime: randomBytes(8),
    };
    const cfb = await openBytes(
      buildCfb(
        [
          stream('x', randomBytes(5000), s),
          stream(SIG, 'sig'),
          storage('sub', [stream('y', 'abc')], sub),
        ],
        { rootClsid, rootStateBits: rootState },
      ).toBytes(),
    );
    const zeros8 = Buffer.alloc(8);
    const expected = Buffer.concat([
      rootClsid,
      rootState,
      Buffer.from('sub', 'utf16le'),
      sub.clsid,
      sub.stateBits,
      sub.creationTime,
      sub.modifiedTime,
      Buffer.from('y', 'utf16le'),
      u32(3),
      Buffer.alloc(4),
      zeros8,
      zeros8,
      Buffer.from('x', 'utf16le'),
      u32(5000),
      s.stateBits,
      s.creationTime,
      s.modifiedTime,
    ]);
    expect(await msiMetadataPrehash(cfb, 'sha256')).toEqual(
      createHash('sha256').update(expected).digest(),
    );
  });
});

describe('readMsiSignatureStreams', () => {
  it('returns both streams, null when absent, and an empty buffer for an empty signature', async () => {
    const sig = randomBytes(3000);
    const both = await openBytes(buildCfb([stream(SIG, sig), stream(EX, 'ex')]).toBytes());
    const read = await readMsiSignatureStreams(both);
    expect(read.signature).toEqual(sig);
    expect(read.prehash).toEqual(Buffer.from('ex'));

    const none = await readMsiSignatureStreams(
      await openBytes(buildCfb([stream('a', 'b')]).toBytes()),
    );
    expect(none).toEqual({ signature: null, prehash: null });

    const empty = await readMsiSignatureStreams(
      await openBytes(buildCfb([stream(SIG, new Uint8Array(0))]).toBytes()),
    );
    expect(empty.signature).toEqual(Buffer.alloc(0));
  });

  it('ignores signature streams inside sub-storages', async () => {
    const cfb = await openBytes(buildCfb([storage('s', [stream(SIG, 'x')])]).toBytes());
    expect(await readMsiSignatureStreams(cfb)).toEqual({ signature: null, prehash: null });
  });
});
