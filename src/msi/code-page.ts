/**
 * Windows code pages used by the MSI string pool (docs/formats.md §3.2) and by summary-information
 * strings (§4.1). Decoding goes through the WHATWG `TextDecoder` (full ICU in Node); code pages
 * it does not know decode as Latin-1 so a strange code page never stops verification.
 */

/** Code page 0 is "neutral" (CP_ACP): msitools and Western Windows both read it as 1252. */
const NEUTRAL_CODE_PAGE_LABEL = 'windows-1252';

const LABELS: ReadonlyMap<number, string> = new Map<number, string>([
  [0, NEUTRAL_CODE_PAGE_LABEL],
  [866, 'ibm866'],
  [874, 'windows-874'],
  [932, 'shift_jis'],
  [936, 'gbk'],
  [949, 'euc-kr'],
  [950, 'big5'],
  [1250, 'windows-1250'],
  [1251, 'windows-1251'],
  [1252, 'windows-1252'],
  [1253, 'windows-1253'],
  [1254, 'windows-1254'],
  [1255, 'windows-1255'],
  [1256, 'windows-1256'],
  [1257, 'windows-1257'],
  [1258, 'windows-1258'],
  [10000, 'macintosh'],
  [10007, 'x-mac-cyrillic'],
  [20127, 'windows-1252'], // WHATWG reads US-ASCII as windows-1252 too
  [20866, 'koi8-r'],
  [20932, 'euc-jp'],
  [21866, 'koi8-u'],
  [28592, 'iso-8859-2'],
  [28593, 'iso-8859-3'],
  [28594, 'iso-8859-4'],
  [28595, 'iso-8859-5'],
  [28596, 'iso-8859-6'],
  [28597, 'iso-8859-7'],
  [28598, 'iso-8859-8'],
  [28599, 'iso-8859-9'],
  [28600, 'iso-8859-10'],
  [28603, 'iso-8859-13'],
  [28604, 'iso-8859-14'],
  [28605, 'iso-8859-15'],
  [28606, 'iso-8859-16'],
  [54936, 'gb18030'],
  [65001, 'utf-8'],
]);

/** Code pages whose characters may take more than one byte. */
const MULTI_BYTE = new Set([932, 936, 949, 950, 20932, 54936, 65001]);

/** Turns strings of one code page into JS strings and back. */
export interface CodePageCodec {
  readonly codePage: number;
  /** The WHATWG encoding used, or `latin1` for code pages without one. */
  readonly encoding: string;
  decode(bytes: Uint8Array): string;
  /** Throws RangeError when `text` has a character the code page cannot represent. */
  encode(text: string): Buffer;
}

function createDecoder(label: string | undefined): InstanceType<typeof TextDecoder> | undefined {
  if (label === undefined) return undefined;
  try {
    return new TextDecoder(label);
  } catch {
    return undefined; // a label this Node build lacks (e.g. iso-8859-16 without full ICU)
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function unencodable(codePage: number, text: string): RangeError {
  return new RangeError(
    `code page ${codePage} cannot represent the string ${JSON.stringify(text)}`,
  );
}

class Latin1Codec implements CodePageCodec {
  readonly encoding = 'latin1';
  constructor(readonly codePage: number) {}
  decode(bytes: Uint8Array): string {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
  encode(text: string): Buffer {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > 0xff) throw unencodable(this.codePage, text);
    }
    return Buffer.from(text, 'latin1');
  }
}

class DecoderCodec implements CodePageCodec {
  readonly encoding: string;
  /** Reverse table for single-byte code pages, built on first encode. */
  private reverse: Map<number, number> | undefined;

  constructor(
    readonly codePage: number,
    private readonly decoder: InstanceType<typeof TextDecoder>,
  ) {
    this.encoding = decoder.encoding;
  }

  decode(bytes: Uint8Array): string {
    return this.decoder.decode(bytes);
  }

  encode(text: string): Buffer {
    if (this.encoding === 'utf-8') return Buffer.from(text, 'utf8');
    if (MULTI_BYTE.has(this.codePage)) {
      // Multi-byte legacy encoders are not in Node; the identifiers we write are ASCII anyway.
      if (isAscii(text)) return Buffer.from(text, 'latin1');
      throw unencodable(this.codePage, text);
    }
    // Single-byte: always through the table, as some (ICU's IBM866) move even ASCII controls.
    const reverse = (this.reverse ??= this.buildReverseTable());
    const out = Buffer.alloc(text.length);
    for (let i = 0; i < text.length; i++) {
      const byte = reverse.get(text.charCodeAt(i));
      if (byte === undefined) throw unencodable(this.codePage, text);
      out[i] = byte;
    }
    return out;
  }

  private buildReverseTable(): Map<number, number> {
    const table = new Map<number, number>();
    for (let byte = 0xff; byte >= 0; byte--) {
      const decoded = this.decoder.decode(Uint8Array.of(byte));
      if (decoded.length === 1 && decoded !== '\ufffd') table.set(decoded.charCodeAt(0), byte);
    }
    return table;
  }
}

/**
 * Windows-1252 by hand: Node 20's TextDecoder takes a Latin-1 shortcut for this label and turns
 * 0x80–0x9F into C1 controls instead of €, ‚, ƒ… (fixed in later Node releases).
 */
const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

class Windows1252Codec implements CodePageCodec {
  readonly encoding = 'windows-1252';
  private readonly reverse = new Map<number, number>(
    [...WINDOWS_1252_HIGH].map((char, i) => [char.charCodeAt(0), 0x80 + i]),
  );
  constructor(readonly codePage: number) {}

  decode(bytes: Uint8Array): string {
    const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    return latin1.replace(
      /[\u0080-\u009f]/g,
      (char) => WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80]!,
    );
  }

  encode(text: string): Buffer {
    const out = Buffer.alloc(text.length);
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      const byte = unit < 0x80 || (unit >= 0xa0 && unit <= 0xff) ? unit : this.reverse.get(unit);
      if (byte === undefined) throw unencodable(this.codePage, text);
      out[i] = byte;
    }
    return out;
  }
}

const cache = new Map<number, CodePageCodec>();

/** The codec for a database or summary code page; unknown code pages get Latin-1. */
export function codecForCodePage(codePage: number): CodePageCodec {
  let codec = cache.get(codePage);
  if (codec === undefined) {
    if (LABELS.get(codePage) === 'windows-1252') {
      codec = new Windows1252Codec(codePage);
      cache.set(codePage, codec);
      return codec;
    }
    const decoder = createDecoder(LABELS.get(codePage));
    if (decoder === undefined) return new Latin1Codec(codePage); // not cached: file-controlled
    codec = new DecoderCodec(codePage, decoder);
    cache.set(codePage, codec);
  }
  return codec;
}
