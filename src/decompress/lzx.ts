/**
 * LZX decoder for cabinet folders (typeCompress 3), written from Microsoft's published
 * descriptions: the cabinet LZX format as corrected by [MS-PATCH] "LZX DELTA Compression and
 * Decompression" §2 (bitstream, block types, trees, position slots, E8 translation), without
 * the DELTA extensions (reference data, chunk sizes, matches longer than 257 bytes).
 *
 * The cabinet framing: the output is cut into 32 KiB frames, one per CFDATA block, and Windows'
 * decoder is called once per block with that block's compressed bytes, so the bit stream
 * restarts (16-bit aligned) at every block. Blocks (verbatim, aligned offset, uncompressed) may
 * span frames; the window, the repeated-offset queue R0..R2, the tree lengths and the E8 header
 * persist until the folder ends (a new decoder per folder is the cabinet's reset).
 *
 * Bounded: memory is the window (at most 2 MiB) plus one 32 KiB frame buffer; each call writes
 * exactly the frame size the container declared or throws a {@link DecompressionError}.
 */
import { DecompressionError } from './errors.js';
import { HuffmanCode } from './huffman.js';

export const LZX_FRAME_SIZE = 32_768;
export const LZX_MIN_WINDOW_BITS = 15;
export const LZX_MAX_WINDOW_BITS = 21;

const BLOCK_VERBATIM = 1;
const BLOCK_ALIGNED = 2;
const BLOCK_UNCOMPRESSED = 3;

const NUM_CHARS = 256;
const MIN_MATCH = 2;
const NUM_PRIMARY_LENGTHS = 7;
const LENGTH_SYMBOLS = 249;
const PRETREE_SYMBOLS = 20;
const ALIGNED_SYMBOLS = 8;
/** Run codes 17..19 write at most 20 + 31 lengths; entries past the tree absorb an overrun. */
const LENGTH_SLACK = 64;
/** E8 translation applies to the first 2^30 bytes only (32768 frames). */
const E8_MAX_FRAMES = 32_768;

/** Position slots per window size 2^15..2^21 ([MS-PATCH] §2.2.2: first slot base ≥ window). */
const POSITION_SLOTS = [30, 32, 34, 36, 38, 42, 50] as const;
const MAX_SLOTS = 50;
/** extra_bits[s]: 0 for s < 4, s/2 - 1 up to 17 bits. */
const EXTRA_BITS = new Uint8Array(MAX_SLOTS);
/** position_base[s]: the smallest formatted offset of slot s. */
const POSITION_BASE = new Uint32Array(MAX_SLOTS);
for (let slot = 0; slot < MAX_SLOTS; slot++) {
  EXTRA_BITS[slot] = slot < 4 ? 0 : Math.min(17, (slot >>> 1) - 1);
  if (slot > 0) POSITION_BASE[slot] = POSITION_BASE[slot - 1]! + (1 << EXTRA_BITS[slot - 1]!);
}

export function lzxPositionSlots(windowBits: number): number {
  const slots = POSITION_SLOTS[windowBits - LZX_MIN_WINDOW_BITS];
  if (slots === undefined) {
    throw new DecompressionError(
      'bad-parameters',
      `LZX window 2^${windowBits} is outside 2^${LZX_MIN_WINDOW_BITS}..2^${LZX_MAX_WINDOW_BITS}`,
    );
  }
  return slots;
}

/** Position bases and extra bits, shared with the fixture encoder's tests. */
export const LZX_POSITION_BASE: Readonly<Uint32Array> = POSITION_BASE;
export const LZX_EXTRA_BITS: Readonly<Uint8Array> = EXTRA_BITS;

export class LzxDecoder {
  private readonly window: Uint8Array;
  private readonly windowSize: number;
  private readonly mainSymbols: number;
  private readonly main: HuffmanCode;
  private readonly lengthCode = new HuffmanCode(LENGTH_SYMBOLS, 12, LENGTH_SLACK);
  private readonly aligned = new HuffmanCode(ALIGNED_SYMBOLS, 7);
  private readonly pretree = new HuffmanCode(PRETREE_SYMBOLS, 8);
  private readonly e8Buffer = new Uint8Array(LZX_FRAME_SIZE);
  private lengthTreeEmpty = true;

  private windowPos = 0;
  /** Window position of the current frame's first byte. */
  private frameStart = 0;
  /** Bytes produced since the reset (the start of the folder). */
  private produced = 0;
  private frames = 0;
  private shortFrameSeen = false;
  private r0 = 1;
  private r1 = 1;
  private r2 = 1;
  private headerRead = false;
  private e8FileSize = 0;
  private blockType = 0;
  private blockLength = 0;
  private blockRemaining = 0;

  // Bit reader over the current frame's input: 16-bit little-endian words, most significant
  // bit first, held left-aligned in a 32-bit buffer. Reads past the end yield zero bits; the
  // consumed position is checked against the input length after every header and frame.
  private data: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private end = 0;
  private bitBuffer = 0;
  private bitCount = 0;

  constructor(readonly windowBits: number) {
    const slots = lzxPositionSlots(windowBits);
    this.windowSize = 1 << windowBits;
    this.window = new Uint8Array(this.windowSize);
    this.mainSymbols = NUM_CHARS + slots * 8;
    this.main = new HuffmanCode(this.mainSymbols, 12, LENGTH_SLACK);
  }

  /**
   * Decodes one frame: the compressed bytes of one CFDATA block into exactly `outputSize`
   * bytes (32768 except for the folder's last block). The returned view is valid until the
   * next call.
   */
  decodeFrame(input: Uint8Array, outputSize: number): Uint8Array {
    if (!Number.isInteger(outputSize) || outputSize < 1 || outputSize > LZX_FRAME_SIZE) {
      throw new DecompressionError(
        'bad-parameters',
        `an LZX frame of ${outputSize} bytes (frames are 1..${LZX_FRAME_SIZE} bytes)`,
      );
    }
    if (this.shortFrameSeen) {
      throw new DecompressionError(
        'bad-parameters',
        'an LZX frame follows a frame shorter than 32768 bytes (only the last may be short)',
      );
    }
    this.data = input;
    this.pos = 0;
    this.end = input.length;
    this.bitBuffer = 0;
    this.bitCount = 0;
    try {
      return this.decodeFrameBody(outputSize);
    } catch (error) {
      // Decoding zero bits past the end of a cut-off block fails in arbitrary ways; the cause
      // is the truncation.
      if (error instanceof DecompressionError && this.consumedBits() > this.end * 8) {
        throw this.truncated();
      }
      throw error;
    }
  }

  private decodeFrameBody(outputSize: number): Uint8Array {
    if (!this.headerRead) {
      // [MS-PATCH] §2.2.1: one bit, then the E8 translation size (high 16 bits, low 16 bits).
      let fileSize = 0;
      if (this.readBits(1) === 1) {
        const high = this.readBits(16);
        fileSize = (high << 16) | this.readBits(16) | 0;
      }
      this.e8FileSize = fileSize;
      this.headerRead = true;
    }

    const frameStart = this.windowPos;
    this.frameStart = frameStart;
    const frameEnd = frameStart + outputSize;
    while (this.windowPos < frameEnd) {
      if (this.blockRemaining === 0) {
        this.readBlockHeader();
        this.checkNotTruncated();
        continue;
      }
      const run = Math.min(this.blockRemaining, frameEnd - this.windowPos);
      if (this.blockType === BLOCK_UNCOMPRESSED) this.copyStored(run);
      else this.decodeSymbols(this.windowPos + run, this.blockType === BLOCK_ALIGNED);
      this.blockRemaining -= run;
    }
    this.checkNotTruncated();

    let output = this.window.subarray(frameStart, frameEnd);
    if (this.e8FileSize !== 0 && this.frames < E8_MAX_FRAMES && outputSize > 10) {
      this.e8Buffer.set(output);
      output = this.e8Buffer.subarray(0, outputSize);
      undoE8Translation(output, this.produced, this.e8FileSize);
    }
    this.produced += outputSize;
    this.frames++;
    if (outputSize < LZX_FRAME_SIZE) this.shortFrameSeen = true;
    if (this.windowPos === this.windowSize) this.windowPos = 0;
    return output;
  }

  private readBlockHeader(): void {
    if (this.blockType === BLOCK_UNCOMPRESSED && (this.blockLength & 1) === 1) {
      // An odd-sized uncompressed block is followed by one padding byte.
      this.pos++;
    }
    const type = this.readBits(3);
    const high = this.readBits(16);
    const length = (high << 8) | this.readBits(8);
    switch (type) {
      case BLOCK_ALIGNED:
      case BLOCK_VERBATIM:
        if (type === BLOCK_ALIGNED) {
          // The aligned offset tree comes first; the rest is a verbatim block's header.
          for (let i = 0; i < ALIGNED_SYMBOLS; i++) this.aligned.lengths[i] = this.readBits(3);
          if (this.aligned.build('aligned offset tree') === 'empty') {
            throw new DecompressionError('bad-huffman-table', 'aligned offset tree is empty');
          }
        }
        this.readLengths(this.main, 0, NUM_CHARS);
        this.readLengths(this.main, NUM_CHARS, this.mainSymbols);
        if (this.main.build('main tree') === 'empty') {
          throw new DecompressionError('bad-huffman-table', 'main tree is empty');
        }
        this.readLengths(this.lengthCode, 0, LENGTH_SYMBOLS);
        this.lengthTreeEmpty = this.lengthCode.build('length tree') === 'empty';
        break;
      case BLOCK_UNCOMPRESSED: {
        // Align to 16 bits, always consuming 1..16 bits, then R0, R1, R2 as 32-bit LE values.
        if (this.bitCount === 0) this.pos += 2;
        this.bitBuffer = 0;
        this.bitCount = 0;
        if (this.pos + 12 > this.end) throw this.truncated();
        const view = this.data;
        const at = this.pos;
        const u32 = (o: number) =>
          (view[at + o]! | (view[at + o + 1]! << 8) | (view[at + o + 2]! << 16)) +
          view[at + o + 3]! * 0x1000000;
        this.r0 = u32(0);
        this.r1 = u32(4);
        this.r2 = u32(8);
        this.pos += 12;
        break;
      }
      default:
        throw new DecompressionError('bad-block-type', `LZX block type ${type}`);
    }
    this.blockType = type;
    this.blockLength = length;
    this.blockRemaining = length;
  }

  /** Pretree-coded length deltas for symbols [first, last) ([MS-PATCH] §2.2.3.1). */
  private readLengths(code: HuffmanCode, first: number, last: number): void {
    const pretree = this.pretree;
    for (let i = 0; i < PRETREE_SYMBOLS; i++) pretree.lengths[i] = this.readBits(4);
    if (pretree.build('pretree') === 'empty') {
      throw new DecompressionError('bad-huffman-table', 'pretree is empty');
    }
    const lengths = code.lengths;
    let x = first;
    while (x < last) {
      const symbol = this.readSymbol(pretree);
      if (symbol === 17) {
        let run = this.readBits(4) + 4;
        while (run-- > 0) lengths[x++] = 0;
      } else if (symbol === 18) {
        let run = this.readBits(5) + 20;
        while (run-- > 0) lengths[x++] = 0;
      } else if (symbol === 19) {
        let run = this.readBits(1) + 4;
        const delta = this.readSymbol(pretree);
        if (delta > 16) {
          throw new DecompressionError('bad-huffman-table', `pretree run of code ${delta}`);
        }
        const value = (lengths[x]! - delta + 17) % 17;
        while (run-- > 0) lengths[x++] = value;
      } else {
        lengths[x] = (lengths[x]! - symbol + 17) % 17;
        x++;
      }
    }
  }

  private copyStored(run: number): void {
    if (this.pos + run > this.end) throw this.truncated();
    this.window.set(this.data.subarray(this.pos, this.pos + run), this.windowPos);
    this.pos += run;
    this.windowPos += run;
  }

  /**
   * The hot loop: literals and matches of a verbatim or aligned-offset block until the window
   * position reaches `limit` (the end of the block or of the frame, whichever comes first).
   */
  private decodeSymbols(limit: number, alignedBlock: boolean): void {
    const { window, windowSize, data, end, main, lengthCode, aligned } = this;
    const mainTable = main.table;
    const mainShift = 32 - main.primaryBits;
    const lengthTreeEmpty = this.lengthTreeEmpty;
    let pos = this.pos;
    let buffer = this.bitBuffer;
    let count = this.bitCount;
    let windowPos = this.windowPos;
    let r0 = this.r0;
    let r1 = this.r1;
    let r2 = this.r2;
    // Bytes decoded before this frame started, so `base + windowPos` counts every byte since
    // the reset.
    const base = this.produced - this.frameStart;

    while (windowPos < limit) {
      if (count < 16) {
        const word = pos + 1 < end ? data[pos]! | (data[pos + 1]! << 8) : tailWord(data, pos);
        buffer |= word << (16 - count);
        count += 16;
        pos += 2;
      }
      let entry = mainTable[buffer >>> mainShift]!;
      if (entry === 0) entry = main.decode(buffer >>> 16);
      let used = entry & 31;
      buffer <<= used;
      count -= used;
      const symbol = entry >>> 5;
      if (symbol < NUM_CHARS) {
        window[windowPos++] = symbol;
        continue;
      }

      const element = symbol - NUM_CHARS;
      let length = element & NUM_PRIMARY_LENGTHS;
      if (length === NUM_PRIMARY_LENGTHS) {
        if (lengthTreeEmpty) {
          throw new DecompressionError(
            'bad-huffman-table',
            'a long match with an empty length tree',
          );
        }
        if (count < 16) {
          const word = pos + 1 < end ? data[pos]! | (data[pos + 1]! << 8) : tailWord(data, pos);
          buffer |= word << (16 - count);
          count += 16;
          pos += 2;
        }
        entry = lengthCode.decode(buffer >>> 16);
        used = entry & 31;
        buffer <<= used;
        count -= used;
        length += entry >>> 5;
      }
      length += MIN_MATCH;

      const slot = element >>> 3;
      let offset: number;
      if (slot === 0) {
        offset = r0;
      } else if (slot === 1) {
        offset = r1;
        r1 = r0;
        r0 = offset;
      } else if (slot === 2) {
        offset = r2;
        r2 = r0;
        r0 = offset;
      } else {
        const extra = EXTRA_BITS[slot]!;
        offset = POSITION_BASE[slot]! - 2;
        if (alignedBlock && extra >= 3) {
          // [MS-PATCH] §2.2.4.2: the top extra-3 bits verbatim, the low 3 from the aligned tree.
          if (extra > 3) {
            const n = extra - 3;
            while (count < n) {
              const word = pos + 1 < end ? data[pos]! | (data[pos + 1]! << 8) : tailWord(data, pos);
              buffer |= word << (16 - count);
              count += 16;
              pos += 2;
            }
            offset += (buffer >>> (32 - n)) << 3;
            buffer <<= n;
            count -= n;
          }
          if (count < 16) {
            const word = pos + 1 < end ? data[pos]! | (data[pos + 1]! << 8) : tailWord(data, pos);
            buffer |= word << (16 - count);
            count += 16;
            pos += 2;
          }
          entry = aligned.decode(buffer >>> 16);
          used = entry & 31;
          buffer <<= used;
          count -= used;
          offset += entry >>> 5;
        } else if (extra > 0) {
          while (count < extra) {
            const word = pos + 1 < end ? data[pos]! | (data[pos + 1]! << 8) : tailWord(data, pos);
            buffer |= word << (16 - count);
            count += 16;
            pos += 2;
          }
          offset += buffer >>> (32 - extra);
          buffer <<= extra;
          count -= extra;
        }
        r2 = r1;
        r1 = r0;
        r0 = offset;
      }

      if (windowPos + length > limit) {
        this.pos = pos;
        this.bitCount = count;
        throw new DecompressionError(
          'match-past-block',
          `a ${length}-byte match at window position ${windowPos} runs past the end of its block or frame (${limit})`,
        );
      }
      const available = Math.min(base + windowPos, windowSize);
      if (offset === 0 || offset > available) {
        this.pos = pos;
        this.bitCount = count;
        throw new DecompressionError(
          'match-before-window',
          `a match at offset ${offset} reaches before the ${available} bytes decoded so far`,
        );
      }
      let source = windowPos - offset;
      if (source < 0) source += windowSize;
      if (source + length <= windowSize) {
        if (length >= 32 && offset >= length) {
          // Non-overlapping and long: a native copy.
          window.copyWithin(windowPos, source, source + length);
          windowPos += length;
        } else {
          for (let i = 0; i < length; i++) window[windowPos++] = window[source++]!;
        }
      } else {
        for (let i = 0; i < length; i++) {
          window[windowPos++] = window[source++]!;
          if (source === windowSize) source = 0;
        }
      }
    }

    this.pos = pos;
    this.bitBuffer = buffer;
    this.bitCount = count;
    this.windowPos = windowPos;
    this.r0 = r0;
    this.r1 = r1;
    this.r2 = r2;
  }

  private readBits(n: number): number {
    while (this.bitCount < n) {
      const pos = this.pos;
      const word =
        pos + 1 < this.end
          ? this.data[pos]! | (this.data[pos + 1]! << 8)
          : tailWord(this.data, pos);
      this.bitBuffer |= word << (16 - this.bitCount);
      this.bitCount += 16;
      this.pos = pos + 2;
    }
    const value = this.bitBuffer >>> (32 - n);
    this.bitBuffer <<= n;
    this.bitCount -= n;
    return value;
  }

  private readSymbol(code: HuffmanCode): number {
    if (this.bitCount < 16) {
      const pos = this.pos;
      const word =
        pos + 1 < this.end
          ? this.data[pos]! | (this.data[pos + 1]! << 8)
          : tailWord(this.data, pos);
      this.bitBuffer |= word << (16 - this.bitCount);
      this.bitCount += 16;
      this.pos = pos + 2;
    }
    const entry = code.decode(this.bitBuffer >>> 16);
    const used = entry & 31;
    this.bitBuffer <<= used;
    this.bitCount -= used;
    return entry >>> 5;
  }

  private consumedBits(): number {
    return this.pos * 8 - this.bitCount;
  }

  private checkNotTruncated(): void {
    if (this.consumedBits() > this.end * 8) throw this.truncated();
  }

  private truncated(): DecompressionError {
    return new DecompressionError(
      'truncated',
      `the ${this.end}-byte LZX block ends before its frame is complete`,
    );
  }
}

/** The last word of the input, or zero bits past its end (checked by the caller afterwards). */
function tailWord(data: Uint8Array, pos: number): number {
  return pos < data.length ? data[pos]! : 0;
}

/**
 * Undoes the encoder's E8 call translation in one frame ([MS-PATCH] §2.2.5): a 0xE8 byte at
 * frame position i < size - 10 is followed by an absolute 32-bit target that becomes relative
 * to the byte's position in the output stream again.
 */
export function undoE8Translation(
  frame: Uint8Array,
  framePosition: number,
  fileSize: number,
): void {
  const limit = frame.length - 10;
  let i = 0;
  for (;;) {
    // indexOf is a native scan: most bytes are not 0xE8.
    const at = frame.indexOf(0xe8, i);
    if (at < 0 || at >= limit) return;
    const current = framePosition + at;
    const absolute =
      frame[at + 1]! | (frame[at + 2]! << 8) | (frame[at + 3]! << 16) | (frame[at + 4]! << 24);
    if (absolute >= -current && absolute < fileSize) {
      const relative = absolute >= 0 ? absolute - current : absolute + fileSize;
      frame[at + 1] = relative & 0xff;
      frame[at + 2] = (relative >>> 8) & 0xff;
      frame[at + 3] = (relative >>> 16) & 0xff;
      frame[at + 4] = (relative >>> 24) & 0xff;
    }
    i = at + 5;
  }
}
