/**
 * The decoders' fuzz target (issue 17): mutated payload cabinets (fixtures/payload/: LZX of
 * every block type and window, MSZIP, stored) go through the streaming extraction
 * (src/cab/extract.ts → src/decompress/). Mutations aim at the compressed bytes: flipped bits,
 * overwritten runs, cut or stretched blocks, hostile block sizes; most inputs also get their
 * CFDATA checksums zeroed (or recomputed) so that damage reaches the decoders rather than
 * stopping at the checksum.
 *
 * Invariants checked for every input:
 *  - nothing but a typed format or extraction error comes out (no TypeError, RangeError…);
 *  - every file delivered gets exactly its declared size, never more;
 *  - it completes within a time bound;
 *  - no single allocation is out of proportion to the cabinet (the LZX window, at most 2 MiB,
 *    is the largest thing the decoders allocate).
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openCabinet } from '../../src/cab/index.js';
import { extractCabinet, extractLimitsFor, isExtractFailure } from '../../src/cab/extract.js';
import { extractFailureCode } from '../../src/payload/extraction-findings.js';
import { isFormatError } from '../../src/errors.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import { REPO } from '../support/manifest.js';
import { startAllocationProbe, stopAllocationProbe } from './allocation-probe.js';
import type { InputResult } from './harness.js';
import { Rng } from './rng.js';

export interface DecoderSeed {
  readonly name: string;
  readonly extension: '.cab';
  readonly bytes: Buffer;
}

export interface DecoderMutation {
  readonly op: string;
  readonly detail: string;
}

export interface DecoderFuzzInput {
  readonly index: number;
  readonly seed: DecoderSeed;
  readonly bytes: Buffer;
  readonly mutations: readonly DecoderMutation[];
}

export interface DecoderFuzzContext {
  readonly seeds: readonly DecoderSeed[];
  readonly timeBoundMs: number;
}

/** Largest single allocation allowed: the 2 MiB LZX window plus slack, or 4× the input. */
export function decoderAllocationBound(size: number): number {
  return 3 * 1024 * 1024 + 4 * size;
}

export function createDecoderFuzzContext(options: { timeBoundMs: number }): DecoderFuzzContext {
  const { cabinets } = JSON.parse(
    readFileSync(join(REPO, 'fixtures/payload/expected.json'), 'utf8'),
  ) as { cabinets: { path: string }[] };
  const seeds = cabinets
    .filter((c) => c.path.endsWith('.cab'))
    .map((c): DecoderSeed => ({
      name: basename(c.path),
      extension: '.cab',
      bytes: readFileSync(join(REPO, c.path)),
    }));
  return { seeds, timeBoundMs: options.timeBoundMs };
}

interface Block {
  /** Offset of the CFDATA header. */
  readonly at: number;
  readonly cbData: number;
}

/** The CFDATA blocks of every folder, as far as the headers can be followed. */
function blocksOf(bytes: Buffer): Block[] {
  const blocks: Block[] = [];
  if (bytes.length < 36) return blocks;
  const folders = bytes.readUInt16LE(26);
  const flags = bytes.readUInt16LE(30);
  if (flags !== 0) return blocks; // the payload seeds have no reserve and no set links
  for (let f = 0; f < folders && 36 + f * 8 + 8 <= bytes.length; f++) {
    let at = bytes.readUInt32LE(36 + f * 8);
    const count = bytes.readUInt16LE(36 + f * 8 + 4);
    for (let i = 0; i < count && at + 8 <= bytes.length; i++) {
      const cbData = bytes.readUInt16LE(at + 4);
      blocks.push({ at, cbData });
      at += 8 + cbData;
    }
  }
  return blocks;
}

function checksum(bytes: Uint8Array, seed: number): number {
  let sum = seed | 0;
  const words = bytes.length >>> 2;
  let p = 0;
  for (let i = 0; i < words; i++, p += 4) {
    sum ^= bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
  }
  let tail = 0;
  const rest = bytes.length & 3;
  if (rest === 3) tail |= bytes[p++]! << 16;
  if (rest >= 2) tail |= bytes[p++]! << 8;
  if (rest >= 1) tail |= bytes[p]!;
  return (sum ^ tail) >>> 0;
}

/** One mutation of the compressed data; returns the new bytes and what was done. */
function mutateOnce(rng: Rng, bytes: Buffer): { bytes: Buffer; mutation: DecoderMutation } {
  const blocks = blocksOf(bytes);
  const block = blocks.length > 0 ? rng.pick(blocks) : null;
  const dataStart = block ? block.at + 8 : 0;
  const dataLength = block ? Math.min(block.cbData, bytes.length - dataStart) : bytes.length;
  const inData = () => dataStart + rng.below(Math.max(1, dataLength));
  const out = Buffer.from(bytes);
  const op = rng.weighted([
    [5, 'flip-bits'],
    [2, 'overwrite'],
    [2, 'block-uncomp'],
    [1, 'block-cbdata'],
    [1, 'window-bits'],
    [1, 'cut-block'],
    [1, 'anywhere'],
  ] as const);
  switch (op) {
    case 'flip-bits': {
      const n = rng.between(1, 4);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = Math.min(out.length - 1, inData());
        out[p]! ^= 1 << rng.below(8);
        at.push(p);
      }
      return { bytes: out, mutation: { op, detail: at.join(',') } };
    }
    case 'overwrite': {
      const p = Math.min(out.length - 1, inData());
      const n = Math.min(out.length - p, rng.between(1, 64));
      const fill = rng.pick([0x00, 0xff, -1]);
      for (let i = 0; i < n; i++) out[p + i] = fill < 0 ? rng.below(256) : fill;
      return { bytes: out, mutation: { op, detail: `${p}+${n}=${fill}` } };
    }
    case 'block-uncomp': {
      if (!block) break;
      const value = rng.pick([0, 1, 2, 10, 11, 32767, 32768, 32769, 65535, rng.below(65536)]);
      out.writeUInt16LE(value, block.at + 6);
      return { bytes: out, mutation: { op, detail: `${block.at}:${value}` } };
    }
    case 'block-cbdata': {
      if (!block) break;
      const value = Math.max(0, block.cbData + rng.between(-16, 16));
      out.writeUInt16LE(value & 0xffff, block.at + 4);
      return { bytes: out, mutation: { op, detail: `${block.at}:${value}` } };
    }
    case 'window-bits': {
      // The folder count may itself be mutated: only entries inside the file are edited.
      const folders = Math.min(out.readUInt16LE(26), Math.floor((out.length - 36) / 8));
      if (folders <= 0) break;
      const f = rng.below(folders);
      const type = rng.pick([0x0003, 0x0e03, 0x0f03, 0x1503, 0x1603, 0x1f03, 0x0001, 0x0000]);
      out.writeUInt16LE(type, 36 + f * 8 + 6);
      return { bytes: out, mutation: { op, detail: `folder ${f}: 0x${type.toString(16)}` } };
    }
    case 'cut-block': {
      if (!block) break;
      // Remove bytes from inside a block's data and shrink cbData to match.
      const n = Math.min(block.cbData, rng.between(1, 200));
      const p = block.at + 8 + rng.below(Math.max(1, block.cbData - n + 1));
      const cut = Buffer.concat([out.subarray(0, p), out.subarray(p + n)]);
      cut.writeUInt16LE(block.cbData - n, block.at + 4);
      return { bytes: cut, mutation: { op, detail: `${p}-${n}` } };
    }
    case 'anywhere': {
      const p = rng.below(out.length);
      out[p] = rng.below(256);
      return { bytes: out, mutation: { op, detail: String(p) } };
    }
  }
  const p = rng.below(out.length);
  out[p]! ^= 0x80;
  return { bytes: out, mutation: { op: 'flip-bits', detail: String(p) } };
}

/** Input `index` of a run seeded with `runSeed`: a pure function of both. */
export function generateDecoderInput(
  context: DecoderFuzzContext,
  runSeed: number,
  index: number,
): DecoderFuzzInput {
  const rng = Rng.forInput(runSeed ^ 0x1a7, index);
  const seed = rng.pick(context.seeds);
  let bytes = seed.bytes;
  const mutations: DecoderMutation[] = [];
  const count = rng.weighted([
    [6, 1],
    [3, 2],
    [1, 3],
  ] as const);
  for (let i = 0; i < count; i++) {
    const next = mutateOnce(rng, bytes);
    bytes = next.bytes;
    mutations.push(next.mutation);
  }
  const sums = rng.weighted([
    [5, 'zero'],
    [3, 'recompute'],
    [2, 'keep'],
  ] as const);
  if (sums !== 'keep') {
    bytes = Buffer.from(bytes);
    for (const block of blocksOf(bytes)) {
      const end = block.at + 8 + block.cbData;
      if (end > bytes.length) break;
      const value =
        sums === 'zero'
          ? 0
          : checksum(
              bytes.subarray(block.at + 4, block.at + 8),
              checksum(bytes.subarray(block.at + 8, end), 0),
            );
      bytes.writeUInt32LE(value, block.at);
    }
    mutations.push({ op: 'checksums', detail: sums });
  }
  return { index, seed, bytes, mutations };
}

/** Runs one input through the extraction and checks the invariants. */
export async function checkDecoderInput(
  context: DecoderFuzzContext,
  input: DecoderFuzzInput,
): Promise<InputResult> {
  const problems: string[] = [];
  startAllocationProbe(true);
  const started = performance.now();
  let verdict: InputResult['verdict'] = 'fail';
  let status = '';
  try {
    const source = new MemorySource(input.bytes);
    const cabinet = await openCabinet(source);
    const delivered = new Map<string, number>();
    const extraction = await extractCabinet(
      { name: input.seed.name, source, cabinet },
      {
        fileData: (entry, chunk) => {
          const key = `${entry.file.entryOffset}`;
          const total = (delivered.get(key) ?? 0) + chunk.length;
          if (total > entry.file.size) {
            problems.push(
              `${entry.file.name}: ${total} bytes delivered, ${entry.file.size} declared`,
            );
          }
          delivered.set(key, total);
        },
        fileEnd: (entry) => {
          const got = delivered.get(`${entry.file.entryOffset}`) ?? 0;
          if (got !== entry.file.size && entry.file.size > 0) {
            problems.push(`${entry.file.name}: ended after ${got} of ${entry.file.size} bytes`);
          }
        },
      },
      extractLimitsFor(input.bytes.length),
    );
    const failure = extraction.failures[0];
    verdict = failure ? 'fail' : 'pass';
    status = failure
      ? `${extractFailureCode(failure.error)}/${(failure.error as { reason?: string }).reason ?? failure.error.name}`
      : 'extracted';
  } catch (error) {
    if (isExtractFailure(error)) status = `${extractFailureCode(error)}/${error.name}`;
    else if (isFormatError(error)) status = error.code;
    else {
      verdict = 'threw';
      problems.push(
        `threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }
  const elapsedMs = performance.now() - started;
  const allocation = stopAllocationProbe();
  if (elapsedMs > context.timeBoundMs) {
    problems.push(`took ${Math.round(elapsedMs)} ms (bound ${context.timeBoundMs} ms)`);
  }
  if (allocation > decoderAllocationBound(input.bytes.length)) {
    problems.push(`allocated ${allocation} bytes at once for a ${input.bytes.length}-byte file`);
  }
  return {
    index: input.index,
    seed: input.seed.name,
    kind: 'cab',
    verdict,
    status,
    passReason: '',
    elapsedMs,
    largestAllocation: allocation,
    size: input.bytes.length,
    problems,
  };
}

export function describeDecoderInput(input: DecoderFuzzInput): string {
  return `#${input.index} ${input.seed.name}: ${input.mutations.map((m) => `${m.op}(${m.detail})`).join(', ')}`;
}
