import { describe, expect, it } from 'vitest';
import { codecForCodePage } from '../../src/msi/code-page.js';

const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('code pages', () => {
  it('decodes Windows-1252 0x80–0x9F as the Windows characters, not C1 controls', () => {
    const codec = codecForCodePage(1252);
    expect(codec.decode(Uint8Array.of(0x80, 0x85, 0x99, 0x9f))).toBe('€…™Ÿ');
    expect(codec.decode(Uint8Array.of(0x81, 0x8d))).toBe('\u0081\u008d'); // unassigned: pass through
  });

  it.each([0, 1252, 1250, 1251, 1253, 1254, 1257, 866, 874, 20866])(
    'round-trips every decodable byte of code page %i',
    (codePage) => {
      const codec = codecForCodePage(codePage);
      for (const byte of allBytes) {
        const text = codec.decode(Uint8Array.of(byte));
        if (text === '\ufffd') continue;
        expect(codec.encode(text)).toEqual(Buffer.of(byte));
      }
    },
  );

  it('uses UTF-8 for 65001 and the multi-byte decoders for CJK code pages', () => {
    expect(codecForCodePage(65001).decode(Buffer.from('日本'))).toBe('日本');
    expect(codecForCodePage(65001).encode('日本')).toEqual(Buffer.from('日本'));
    expect(codecForCodePage(936).decode(Uint8Array.of(0xc4, 0xe3))).toBe('你');
    expect(codecForCodePage(949).decode(Uint8Array.of(0xc7, 0xd1))).toBe('한');
    expect(codecForCodePage(950).decode(Uint8Array.of(0xa4, 0xa4))).toBe('中');
  });

  it('falls back to Latin-1 for code pages without a decoder', () => {
    for (const codePage of [37, 437, 850, 28591, 123456]) {
      const codec = codecForCodePage(codePage);
      expect(codec.encoding).toBe('latin1');
      expect(codec.decode(allBytes)).toBe(Buffer.from(allBytes).toString('latin1'));
      expect(() => codec.encode('€')).toThrow(RangeError);
    }
  });
});
