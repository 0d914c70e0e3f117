/**
 * Issue #17: the short, fixed-seed fuzz run of the decoders. Mutated payload cabinets (LZX of
 * every block type and window, MSZIP, stored) go through the streaming extraction; see
 * decompress-harness.ts for the invariants. The long run is
 * `npx tsx scripts/fuzz.ts --target decoders --count 100000`.
 */
import { describe, expect, it } from 'vitest';
import {
  checkDecoderInput,
  createDecoderFuzzContext,
  describeDecoderInput,
  generateDecoderInput,
} from './decompress-harness.js';

/** Fixed: the same inputs on every run. */
const RUN_SEED = 20261204;
const INPUTS = 400;

describe('decoder fuzzing (fixed seed)', () => {
  it(`keeps every invariant for ${INPUTS} mutated payload cabinets`, async () => {
    const context = createDecoderFuzzContext({ timeBoundMs: 10_000 });
    const problems: string[] = [];
    const statuses = new Set<string>();
    for (let index = 0; index < INPUTS; index++) {
      const input = generateDecoderInput(context, RUN_SEED, index);
      const result = await checkDecoderInput(context, input);
      statuses.add(result.status.split('/')[1] ?? result.status);
      if (result.problems.length > 0) {
        problems.push(`${describeDecoderInput(input)}: ${result.problems.join(' | ')}`);
      }
    }
    expect(problems).toEqual([]);
    // The mutations reach the decoders, not only the checksums and headers.
    for (const reason of [
      'truncated',
      'bad-huffman-table',
      'match-past-block',
      'bad-deflate-data',
    ]) {
      expect(statuses, reason).toContain(reason);
    }
  }, 300_000);
});
