/**
 * Canonical prefix codes as LZX stores them: code lengths only (at most 16 bits), codes assigned
 * in order of length and then of symbol, read most significant bit first. This is the same
 * canonical construction as deflate's (RFC 1951 §3.2.2); the LZX specification ([MS-PATCH]
 * §2.2, "Huffman trees") requires every tree to be complete.
 */
import { DecompressionError } from './errors.js';

export const MAX_CODE_LENGTH = 16;

/** Result of {@link HuffmanCode.build}: a usable code, or a tree with no symbols at all. */
export type BuildResult = 'ok' | 'empty';

/**
 * One decoding table. Codes of up to `primaryBits` bits are found with one lookup of the next
 * `primaryBits` input bits; longer codes (rare) fall back to a walk over the canonical
 * first-code-per-length table, so building costs O(2^primaryBits + symbols) and never 2^16.
 */
export class HuffmanCode {
  /** Code length of each symbol; LZX updates these in place as deltas from block to block. */
  readonly lengths: Uint8Array;
  /**
   * Indexed by the next `primaryBits` input bits: `symbol << 5 | length`, or 0 when the code is
   * longer than `primaryBits` (then {@link decode} finds it). Public for the LZX hot loop.
   */
  readonly table: Uint32Array;
  private readonly countPerLength = new Int32Array(MAX_CODE_LENGTH + 1);
  private readonly firstCode = new Int32Array(MAX_CODE_LENGTH + 1);
  private readonly firstIndex = new Int32Array(MAX_CODE_LENGTH + 1);
  private readonly nextIndex = new Int32Array(MAX_CODE_LENGTH + 1);
  private readonly sortedSymbols: Uint16Array;
  private longestCode = 0;

  /**
   * @param symbols number of symbols
   * @param primaryBits bits resolved by the single-lookup table
   * @param slack extra length entries past `symbols`: LZX's run codes may write past the range
   *   they were asked for (as libmspack tolerates), and those entries must exist.
   */
  constructor(
    readonly symbols: number,
    readonly primaryBits: number,
    slack = 0,
  ) {
    this.lengths = new Uint8Array(symbols + slack);
    this.table = new Uint32Array(1 << primaryBits);
    this.sortedSymbols = new Uint16Array(symbols);
  }

  /**
   * Builds the decoding table from `lengths[0..symbols)`. An over-subscribed or incomplete set
   * of lengths is a {@link DecompressionError} ('bad-huffman-table'); all-zero lengths give
   * 'empty' (LZX allows an empty length tree in blocks without long matches).
   */
  build(what: string): BuildResult {
    const { lengths, symbols, countPerLength, firstCode, firstIndex, sortedSymbols } = this;
    countPerLength.fill(0);
    for (let symbol = 0; symbol < symbols; symbol++) {
      const length = lengths[symbol]!;
      if (length > MAX_CODE_LENGTH) {
        throw new DecompressionError('bad-huffman-table', `${what}: code length ${length} > 16`);
      }
      countPerLength[length]!++;
    }
    countPerLength[0] = 0;
    let left = 1;
    let longest = 0;
    for (let length = 1; length <= MAX_CODE_LENGTH; length++) {
      left = left * 2 - countPerLength[length]!;
      if (left < 0) {
        throw new DecompressionError('bad-huffman-table', `${what}: over-subscribed code lengths`);
      }
      if (countPerLength[length]! > 0) longest = length;
    }
    if (longest === 0) return 'empty';
    if (left !== 0) {
      throw new DecompressionError('bad-huffman-table', `${what}: incomplete code lengths`);
    }

    // Canonical codes: firstCode[l] is the code of the first symbol of length l.
    let code = 0;
    let index = 0;
    for (let length = 1; length <= MAX_CODE_LENGTH; length++) {
      code = (code + countPerLength[length - 1]!) << 1;
      firstCode[length] = code;
      firstIndex[length] = index;
      index += countPerLength[length]!;
    }
    // Symbols sorted by (length, symbol): a counting sort over the lengths.
    const next = this.nextIndex;
    for (let length = 1; length <= MAX_CODE_LENGTH; length++) next[length] = firstIndex[length]!;
    for (let symbol = 0; symbol < symbols; symbol++) {
      const length = lengths[symbol]!;
      if (length !== 0) sortedSymbols[next[length]!++] = symbol;
    }

    const { table: primary, primaryBits } = this;
    primary.fill(0);
    for (let length = 1; length <= Math.min(longest, primaryBits); length++) {
      const count = countPerLength[length]!;
      const span = 1 << (primaryBits - length);
      for (let i = 0; i < count; i++) {
        const symbol = sortedSymbols[firstIndex[length]! + i]!;
        const start = (firstCode[length]! + i) * span;
        primary.fill((symbol << 5) | length, start, start + span);
      }
    }
    this.longestCode = longest;
    return 'ok';
  }

  /**
   * Decodes one symbol from `bits16`, the next 16 input bits (most significant first). Returns
   * `symbol << 5 | codeLength`; the caller consumes `codeLength` bits.
   */
  decode(bits16: number): number {
    const entry = this.table[bits16 >>> (MAX_CODE_LENGTH - this.primaryBits)]!;
    if (entry !== 0) return entry;
    return this.decodeLong(bits16);
  }

  private decodeLong(bits16: number): number {
    for (let length = this.primaryBits + 1; length <= this.longestCode; length++) {
      const offset = (bits16 >>> (MAX_CODE_LENGTH - length)) - this.firstCode[length]!;
      if (offset >= 0 && offset < this.countPerLength[length]!) {
        return (this.sortedSymbols[this.firstIndex[length]! + offset]! << 5) | length;
      }
    }
    // Unreachable for a complete code; kept as a typed error rather than an assertion.
    throw new DecompressionError('bad-huffman-table', 'no code matches the input bits');
  }
}
