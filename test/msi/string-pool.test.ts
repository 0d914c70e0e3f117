import { describe, expect, it } from 'vitest';
import { MalformedPackageError } from '../../src/errors.js';
import { StringPool } from '../../src/msi/string-pool.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/[\s|]/g, ''), 'hex');

describe('StringPool (docs/formats.md §3.2)', () => {
  it('serializes the §3.2 example: code page 1252, Foo ×2, Quux ×1', () => {
    const pool = StringPool.create(1252);
    expect(pool.intern('Foo')).toBe(1);
    expect(pool.intern('Quux')).toBe(2);
    expect(pool.intern('Foo')).toBe(1);
    const { pool: poolBytes, data } = pool.serialize();
    expect(poolBytes).toEqual(hex('E4 04 00 00 | 03 00 02 00 | 04 00 01 00'));
    expect(data.toString('latin1')).toBe('FooQuux');
  });

  it('parses the §3.2 example back', () => {
    const pool = StringPool.parse(hex('E4040000 03000200 04000100'), Buffer.from('FooQuux'));
    expect(pool.codePage).toBe(1252);
    expect(pool.longStringReferences).toBe(false);
    expect(pool.referenceWidth).toBe(2);
    expect(pool.count).toBe(2);
    expect(pool.get(1)).toBe('Foo');
    expect(pool.refCount(1)).toBe(2);
    expect(pool.get(2)).toBe('Quux');
    expect(pool.refCount(2)).toBe(1);
    expect(pool.resolve(0)).toBeNull();
    expect(pool.unusedDataBytes).toBe(0);
  });

  it('reads the long-reference flag (bit 31) as 3-byte references', () => {
    const pool = StringPool.parse(hex('E4040080 03000200 04000700'), Buffer.from('FooQuux'));
    expect(pool.codePage).toBe(1252);
    expect(pool.longStringReferences).toBe(true);
    expect(pool.referenceWidth).toBe(3);
    expect(pool.serialize().pool).toEqual(hex('E4040080 03000200 04000700'));
  });

  it('gives free slots (0, 0) an ID without a string', () => {
    const pool = StringPool.parse(
      hex('00000000 03000100 00000000 03000200'),
      Buffer.from('AbcXyz'),
    );
    expect(pool.count).toBe(3);
    expect(pool.get(1)).toBe('Abc');
    expect(pool.isFree(2)).toBe(true);
    expect(pool.has(2)).toBe(false);
    expect(() => pool.get(2)).toThrow(MalformedPackageError);
    expect(pool.get(3)).toBe('Xyz');
  });

  it('reuses the first free slot before appending', () => {
    const pool = StringPool.parse(
      hex('E4040000 03000100 00000000 03000200'),
      Buffer.from('AbcXyz'),
    );
    expect(pool.intern('Xyz')).toBe(3); // an existing string wins over a free slot
    expect(pool.refCount(3)).toBe(3);
    expect(pool.intern('New')).toBe(2);
    expect(pool.intern('Newer')).toBe(4);
    const { pool: poolBytes, data } = pool.serialize();
    expect(poolBytes).toEqual(hex('E4040000 03000100 03000100 03000300 05000100'));
    expect(data.toString('latin1')).toBe('AbcNewXyzNewer');
  });

  it('frees an entry when its last reference goes and reuses the slot', () => {
    const pool = StringPool.create(1252);
    pool.intern('One');
    pool.intern('Two');
    pool.removeReference(1);
    expect(pool.isFree(1)).toBe(true);
    expect(pool.find('One')).toBeUndefined();
    expect(pool.intern('Three')).toBe(1);
    expect(pool.serialize().pool).toEqual(hex('E4040000 05000100 03000100'));
  });

  it('reads a ≥ 64 KiB string from an 8-byte entry that counts as one ID', () => {
    const long = 'rustmsi'.repeat(10000); // 70000 = 0x11170 bytes
    const data = Buffer.concat([Buffer.from(long), Buffer.from('After')]);
    // (0, high = 1) (low = 0x1170, refcount 1), then a normal entry
    const pool = StringPool.parse(hex('E9FD0000 00000100 70110100 05000200'), data);
    expect(pool.codePage).toBe(65001);
    expect(pool.count).toBe(2);
    expect(pool.get(1)).toBe(long);
    expect(pool.refCount(1)).toBe(1);
    expect(pool.get(2)).toBe('After');
    expect(pool.refCount(2)).toBe(2);
  });

  it('writes a ≥ 64 KiB string as the 8-byte entry and reads it back', () => {
    const pool = StringPool.create(1252);
    const long = 'x'.repeat(0x12345);
    expect(pool.intern('Short')).toBe(1);
    expect(pool.intern(long)).toBe(2);
    expect(pool.intern('Tail')).toBe(3);
    const { pool: poolBytes, data } = pool.serialize();
    expect(poolBytes).toEqual(hex('E4040000 05000100 00000100 45230100 04000100'));
    const back = StringPool.parse(poolBytes, data);
    expect(back.count).toBe(3);
    expect(back.get(2)).toBe(long);
    expect(back.get(3)).toBe('Tail');
  });

  it('allocates a duplicate entry once a refcount reaches 0xFFFF', () => {
    const pool = StringPool.parse(hex('E4040000 0600FEFF'), Buffer.from('Foobar'));
    expect(pool.intern('Foobar')).toBe(1);
    expect(pool.refCount(1)).toBe(0xffff);
    expect(pool.intern('Foobar')).toBe(2);
    expect(pool.refCount(2)).toBe(1);
    expect(() => pool.addReference(1)).toThrow(RangeError);
  });

  it('stores the empty string as NULL (ID 0) without touching the pool', () => {
    const pool = StringPool.create(1252);
    expect(pool.intern('')).toBe(0);
    expect(pool.count).toBe(0);
  });

  it('keeps strings with identical text distinct and finds the first', () => {
    const pool = StringPool.parse(hex('E9FD0000 03000200 03000700'), Buffer.from('FooFoo'));
    expect(pool.get(1)).toBe('Foo');
    expect(pool.get(2)).toBe('Foo');
    expect(pool.find('Foo')).toBe(1);
  });

  it('decodes with the database code page', () => {
    const cp1252 = StringPool.parse(
      hex('E4040000 04000100'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    );
    expect(cp1252.get(1)).toBe('café');
    const cp932 = StringPool.parse(hex('A4030000 02000100'), Buffer.from([0x82, 0xa0]));
    expect(cp932.get(1)).toBe('あ');
    const cp1251 = StringPool.parse(hex('E3040000 01000100'), Buffer.from([0xc6]));
    expect(cp1251.get(1)).toBe('Ж');
    const utf8 = StringPool.parse(hex('E9FD0000 02000100'), Buffer.from('é'));
    expect(utf8.get(1)).toBe('é');
  });

  it('reads code page 0 (neutral) as Windows-1252, like msitools', () => {
    const pool = StringPool.parse(hex('00000000 04000100'), Buffer.from([0x54, 0xe9, 0x73, 0x74]));
    expect(pool.codePage).toBe(0);
    expect(pool.get(1)).toBe('Tést');
  });

  it('decodes an unknown code page as Latin-1 instead of failing', () => {
    const pool = StringPool.parse(hex('39300000 02000100'), Buffer.from([0x41, 0xe9])); // 12345
    expect(pool.codePage).toBe(12345);
    expect(pool.get(1)).toBe('Aé');
  });

  it('encodes new strings in the code page and refuses characters it cannot represent', () => {
    const pool = StringPool.create(1252);
    pool.intern('Ünïcode €');
    expect(pool.serialize().data).toEqual(
      Buffer.from([0xdc, 0x6e, 0xef, 0x63, 0x6f, 0x64, 0x65, 0x20, 0x80]),
    );
    expect(() => pool.intern('日本')).toThrow(RangeError);
    expect(() => StringPool.create(932).intern('日本')).toThrow(RangeError);
    expect(StringPool.create(932).intern('ascii')).toBe(1);
  });

  it('preserves the bytes of existing strings when serializing unchanged', () => {
    // 0x81 is unassigned in 1252: it must survive a parse/serialize cycle unchanged.
    const poolBytes = hex('E4040000 02000300 00000000 03000100');
    const data = Buffer.from([0x81, 0x41, 0x42, 0x43, 0x44]);
    const round = StringPool.parse(poolBytes, data).serialize();
    expect(round.pool).toEqual(poolBytes);
    expect(round.data).toEqual(data);
  });

  it('reports _StringData bytes no entry claims', () => {
    expect(
      StringPool.parse(hex('E4040000 03000100'), Buffer.from('Foo+junk')).unusedDataBytes,
    ).toBe(5);
  });

  it('reads an empty _StringPool as no strings', () => {
    const pool = StringPool.parse(new Uint8Array(0), new Uint8Array(0));
    expect(pool.count).toBe(0);
  });

  it('refuses to grow past 65535 IDs with 2-byte references', () => {
    const entries = Buffer.alloc(4 + 0xffff * 4);
    for (let i = 0; i < 0xffff; i++) entries.writeUInt32LE(0x00010001, 4 + 4 * i);
    const pool = StringPool.parse(entries, Buffer.alloc(0xffff, 0x61));
    expect(pool.count).toBe(0xffff);
    expect(() => pool.intern('new')).toThrow(RangeError);
    const long = StringPool.parse(
      Buffer.from(entries).fill(0x80, 3, 4),
      Buffer.alloc(0xffff, 0x61),
    );
    expect(long.intern('new')).toBe(0x10000);
  });

  describe('damaged pools', () => {
    it('rejects lengths that run past _StringData', () => {
      expect(() =>
        StringPool.parse(hex('E4040000 03000100 04000100'), Buffer.from('FooQu')),
      ).toThrow(MalformedPackageError);
    });

    it('rejects a long-string entry whose length runs past _StringData', () => {
      expect(() => StringPool.parse(hex('E4040000 0000FFFF FFFF0100'), Buffer.from('abc'))).toThrow(
        MalformedPackageError,
      );
    });

    it('rejects a pool that ends inside a long-string entry', () => {
      expect(() => StringPool.parse(hex('E4040000 00000100'), Buffer.alloc(0x10000))).toThrow(
        MalformedPackageError,
      );
    });

    it('rejects a pool whose size is not header + 4-byte entries', () => {
      expect(() => StringPool.parse(hex('E404'), Buffer.alloc(0))).toThrow(MalformedPackageError);
      expect(() => StringPool.parse(hex('E4040000 0300'), Buffer.from('Foo'))).toThrow(
        MalformedPackageError,
      );
    });

    it('rejects references outside the pool', () => {
      const pool = StringPool.parse(hex('E4040000 03000100'), Buffer.from('Foo'));
      expect(() => pool.get(2)).toThrow(MalformedPackageError);
      expect(() => pool.get(0xffffff)).toThrow(MalformedPackageError);
      expect(() => pool.get(0)).toThrow(MalformedPackageError);
    });

    it('bounds the work by the pool size, not by the lengths it claims', () => {
      // 1000 entries each claiming 0xFFFF bytes against 10 bytes of data: fails on the first.
      const entries = Buffer.alloc(4 + 1000 * 4, 0xff).fill(0, 0, 4);
      expect(() => StringPool.parse(entries, Buffer.alloc(10))).toThrow(MalformedPackageError);
    });
  });
});
