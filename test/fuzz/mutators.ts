/**
 * Structure-aware mutation of seed files: bit flips, hostile 32-bit (and 16/8-bit) values planted
 * in the fields a layout names (CFB header, FAT/DIFAT/mini FAT entries, directory entries; CAB
 * header, reserve, locator, CFFOLDER/CFFILE/CFDATA), truncation, extension, duplicated and zeroed
 * ranges, and signatures transplanted from one package onto another; and the resource shapes
 * of the issue-20 review: directory entries cross-linked onto one sector chain, and signing
 * tables flooded with copies of their row (MsiPatchCertificate, MsiDigitalCertificate,
 * MsiDigitalSignature, Media — up to 100,000 rows naming one certificate or one cabinet).
 *
 * Every mutation records the file ranges it touched, so the oracle can tell a change that no
 * digest reads from one that a signature must catch. `touched: null` means "cannot say" (bytes
 * moved, or the file was rewritten).
 */
import { openCompoundFile, type CompoundFile, type DirectoryEntry } from '../../src/cfb/index.js';
import { MemorySource } from '../../src/io/random-access-file.js';
import { decodeStreamName } from '../../src/msi/stream-name.js';
import { buildCfb, storage, stream, type NodeSpec } from '../support/cfb-builder.js';
import { normalize, type ByteRange, type Field, type Layout } from './layout.js';
import type { Rng } from './rng.js';

export interface Mutation {
  readonly op: string;
  readonly detail: string;
  /** File ranges changed (offsets in the file before this mutation); null when unknown. */
  readonly touched: readonly ByteRange[] | null;
}

/** A seed as the mutators see it. */
export interface MutationSeed {
  readonly name: string;
  readonly bytes: Buffer;
  readonly layout: Layout;
}

export interface MutatedBytes {
  readonly bytes: Buffer;
  readonly mutations: readonly Mutation[];
}

/** Supplies signature donors for transplants (built lazily and cached by the caller). */
export interface TransplantSource {
  /** Primary signature blobs of the signed seeds other than `except`. */
  donors(except: string): readonly { container: 'cfb' | 'cab'; name: string; blob: Buffer }[];
  /** `recipient` with its primary signature replaced by `blob` (null when it cannot be done). */
  transplant(recipient: MutationSeed, donor: { name: string; blob: Buffer }): Buffer | null;
  /**
   * A compound-file seed rewritten with its root streams edited by `edit` (which returns null
   * to leave the seed alone); null when the seed is no readable compound file.
   */
  rewrite(
    recipient: MutationSeed,
    edit: (children: NodeSpec[]) => NodeSpec[] | null,
  ): Buffer | null;
}

const HOSTILE_U32 = [
  0, 1, 2, 3, 0x7f, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffa, 0xfffffffb,
  0xfffffffc, 0xfffffffd, 0xfffffffe, 0xffffffff,
];
const HOSTILE_U16 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const HOSTILE_U8 = [0, 1, 2, 0x7f, 0x80, 0xfe, 0xff];

function readField(bytes: Buffer, field: Field): number {
  if (field.width === 1) return bytes[field.offset]!;
  if (field.width === 2) return bytes.readUInt16LE(field.offset);
  return bytes.readUInt32LE(field.offset);
}

function writeField(bytes: Buffer, field: Field, value: number): void {
  if (field.offset + field.width > bytes.length) return;
  if (field.width === 1) bytes[field.offset] = value & 0xff;
  else if (field.width === 2) bytes.writeUInt16LE(value & 0xffff, field.offset);
  else bytes.writeUInt32LE(value >>> 0, field.offset);
}

/** A value that stresses the bounds checks around `field`. */
function hostileValue(rng: Rng, seed: MutationSeed, bytes: Buffer, field: Field): number {
  const current = readField(bytes, field);
  const size = bytes.length;
  const ss = seed.layout.sectorSize || 512;
  const sectors = Math.max(0, Math.floor((size - ss) / ss));
  const k = rng.between(1, 16);
  const max = field.width === 4 ? 0xffffffff : field.width === 2 ? 0xffff : 0xff;
  const table = field.width === 4 ? HOSTILE_U32 : field.width === 2 ? HOSTILE_U16 : HOSTILE_U8;
  const choice = rng.weighted<() => number>([
    [6, () => rng.pick(table)],
    [3, () => current + k],
    [3, () => current - k],
    [2, () => size + rng.between(-k, k)],
    [2, () => sectors + rng.between(-2, 2)],
    [1, () => Math.floor(size / 2)],
    [1, () => rng.u32()],
    [
      1,
      () =>
        readField(
          bytes,
          rng.pick(seed.layout.fields.filter((f) => f.offset + f.width <= bytes.length)),
        ),
    ],
  ]);
  const value = choice();
  return ((value % (max + 1)) + (max + 1)) % (max + 1);
}

function randomRange(rng: Rng, bytes: Buffer, seed: MutationSeed): ByteRange {
  const ss = seed.layout.sectorSize;
  if (ss > 0 && bytes.length > ss && rng.chance(0.5)) {
    const sectors = Math.floor(bytes.length / ss);
    const sector = rng.below(sectors);
    return { offset: sector * ss, length: Math.min(ss, bytes.length - sector * ss) };
  }
  const offset = rng.below(Math.max(1, bytes.length));
  const length = Math.min(bytes.length - offset, rng.pick([1, 2, 4, 8, 16, 64, 512, 4096]));
  return { offset, length: Math.max(0, length) };
}

/** An offset: mostly inside metadata or fields, sometimes anywhere. */
function interestingOffset(rng: Rng, bytes: Buffer, seed: MutationSeed): number {
  const { structure, fields, signature } = seed.layout;
  const pick = rng.weighted<string>([
    [4, 'structure'],
    [3, 'field'],
    [1, 'signature'],
    [3, 'anywhere'],
  ]);
  if (pick === 'structure' && structure.length > 0) {
    const r = rng.pick(structure);
    return r.offset + rng.below(r.length);
  }
  if (pick === 'field' && fields.length > 0) {
    const f = rng.pick(fields);
    return f.offset + rng.below(f.width);
  }
  if (pick === 'signature' && signature.length > 0) {
    const r = rng.pick(signature);
    return r.offset + rng.below(r.length);
  }
  return rng.below(Math.max(1, bytes.length));
}

type Operator = (
  rng: Rng,
  seed: MutationSeed,
  bytes: Buffer,
  transplants: TransplantSource,
) => {
  bytes: Buffer;
  mutation: Mutation;
} | null;

const bitFlip: Operator = (rng, seed, bytes) => {
  if (bytes.length === 0) return null;
  const out = Buffer.from(bytes);
  const touched: ByteRange[] = [];
  const flips = rng.weighted([
    [6, 1],
    [2, 2],
    [1, rng.between(3, 8)],
  ]);
  const where: string[] = [];
  for (let i = 0; i < flips; i++) {
    const offset = interestingOffset(rng, out, seed) % out.length;
    const bit = rng.below(8);
    out[offset]! ^= 1 << bit;
    touched.push({ offset, length: 1 });
    where.push(`${offset}.${bit}`);
  }
  return { bytes: out, mutation: { op: 'bit-flip', detail: where.join(' '), touched } };
};

/** The structure a field belongs to (`header`, `fat`, `dir`, `sig`, `cab`, `folder`…). */
const groupOf = (field: Field): string => /^[a-z]+/i.exec(field.name)?.[0] ?? '';

const plantHostile: Operator = (rng, seed, bytes) => {
  const fields = seed.layout.fields.filter((f) => f.offset + f.width <= bytes.length);
  if (fields.length === 0) return null;
  // A structure first, then one of its fields: a signature's hundreds of DER headers must not
  // crowd out the dozen header fields.
  const groups = [...new Set(fields.map(groupOf))];
  const group = rng.pick(groups);
  const field = rng.pick(fields.filter((f) => groupOf(f) === group));
  const value = hostileValue(rng, seed, bytes, field);
  const out = Buffer.from(bytes);
  writeField(out, field, value);
  return {
    bytes: out,
    mutation: {
      op: 'hostile-value',
      detail: `${field.name}@${field.offset} = 0x${value.toString(16)}`,
      touched: [{ offset: field.offset, length: field.width }],
    },
  };
};

const truncate: Operator = (rng, seed, bytes) => {
  if (bytes.length === 0) return null;
  const ss = seed.layout.sectorSize;
  const cut = rng.weighted<() => number>([
    [3, () => rng.below(bytes.length)],
    [2, () => bytes.length - rng.between(1, Math.min(64, bytes.length))],
    [2, () => (ss > 0 ? ss * rng.below(Math.ceil(bytes.length / ss)) : rng.below(bytes.length))],
    [1, () => rng.below(Math.min(bytes.length, 600))],
  ])();
  const at = Math.max(0, Math.min(bytes.length - 1, cut));
  return {
    bytes: Buffer.from(bytes.subarray(0, at)),
    mutation: {
      op: 'truncate',
      detail: `to ${at} of ${bytes.length}`,
      touched: [{ offset: at, length: bytes.length - at }],
    },
  };
};

const extend: Operator = (rng, seed, bytes) => {
  const ss = seed.layout.sectorSize || 512;
  const length = rng.pick([1, 7, 8, ss - 1, ss, ss + 1, 2 * ss]);
  const fill = rng.pick(['zero', 'random', 'copy'] as const);
  const extra = Buffer.alloc(length);
  if (fill === 'random') for (let i = 0; i < length; i++) extra[i] = rng.below(256);
  if (fill === 'copy' && bytes.length > 0) {
    const from = rng.below(bytes.length);
    bytes.copy(extra, 0, from, Math.min(bytes.length, from + length));
  }
  return {
    bytes: Buffer.concat([bytes, extra]),
    mutation: {
      op: 'extend',
      detail: `${length} ${fill} bytes`,
      touched: [{ offset: bytes.length, length }],
    },
  };
};

const duplicateRange: Operator = (rng, seed, bytes) => {
  if (bytes.length < 2) return null;
  const from = randomRange(rng, bytes, seed);
  const to = randomRange(rng, bytes, seed);
  const length = Math.min(from.length, bytes.length - to.offset);
  if (length <= 0) return null;
  if (rng.chance(0.25)) {
    // Insert a copy: everything after it moves.
    const copy = bytes.subarray(from.offset, from.offset + length);
    return {
      bytes: Buffer.concat([bytes.subarray(0, to.offset), copy, bytes.subarray(to.offset)]),
      mutation: {
        op: 'insert-copy',
        detail: `${length} bytes from ${from.offset} at ${to.offset}`,
        touched: null,
      },
    };
  }
  const out = Buffer.from(bytes);
  bytes.copy(out, to.offset, from.offset, from.offset + length);
  return {
    bytes: out,
    mutation: {
      op: 'copy-range',
      detail: `${length} bytes from ${from.offset} over ${to.offset}`,
      touched: [{ offset: to.offset, length }],
    },
  };
};

const zeroRange: Operator = (rng, seed, bytes) => {
  if (bytes.length === 0) return null;
  const range = randomRange(rng, bytes, seed);
  const value = rng.chance(0.8) ? 0 : 0xff;
  const out = Buffer.from(bytes);
  out.fill(value, range.offset, range.offset + range.length);
  return {
    bytes: out,
    mutation: {
      op: value === 0 ? 'zero-range' : 'fill-ff',
      detail: `${range.length} bytes at ${range.offset}`,
      touched: [range],
    },
  };
};

const transplant: Operator = (rng, seed, bytes, transplants) => {
  const container = seed.layout.container;
  if (container === 'other') return null;
  const donors = transplants.donors(seed.name);
  // Mostly a signature of the same container kind; now and then a cabinet's on a package and back.
  const sameKind = donors.filter((d) => d.container === container);
  const pool = sameKind.length > 0 && rng.chance(0.9) ? sameKind : donors;
  if (pool.length === 0) return null;
  const donor = rng.pick(pool);
  const result = transplants.transplant({ ...seed, bytes }, donor);
  if (!result) return null;
  return {
    bytes: result,
    mutation: { op: 'transplant', detail: `signature of ${donor.name}`, touched: null },
  };
};

/** The dir[sid:name].start and .size fields of each directory entry, by entry. */
function directoryChains(seed: MutationSeed): { start: Field; size: Field }[] {
  const byEntry = new Map<string, { start?: Field; size?: Field }>();
  for (const field of seed.layout.fields) {
    const match = /^(dir\[[^\]]*\])\.(start|size)$/.exec(field.name);
    if (!match) continue;
    const entry = byEntry.get(match[1]!) ?? {};
    entry[match[2] as 'start' | 'size'] = field;
    byEntry.set(match[1]!, entry);
  }
  return [...byEntry.values()].filter(
    (e): e is { start: Field; size: Field } => e.start !== undefined && e.size !== undefined,
  );
}

/**
 * Issue 20, item 1: several directory entries pointed at one entry's sector chain (start and
 * size copied), so that a few KB declare the same content many times over.
 */
const crossLink: Operator = (rng, seed, bytes) => {
  if (seed.layout.container !== 'cfb') return null;
  const entries = directoryChains(seed).filter(
    (e) => e.start.offset + 4 <= bytes.length && e.size.offset + 4 <= bytes.length,
  );
  if (entries.length < 2) return null;
  const donor = rng.pick(entries);
  const start = readField(bytes, donor.start);
  const size = readField(bytes, donor.size);
  const out = Buffer.from(bytes);
  const touched: ByteRange[] = [];
  const count = rng.between(1, entries.length - 1);
  for (let i = 0; i < count; i++) {
    const entry = rng.pick(entries);
    if (entry === donor) continue;
    writeField(out, entry.start, start);
    writeField(out, entry.size, size);
    touched.push(
      { offset: entry.start.offset, length: 4 },
      { offset: entry.size.offset, length: 4 },
    );
  }
  if (touched.length === 0) return null;
  return {
    bytes: out,
    mutation: {
      op: 'cross-link',
      detail: `${touched.length / 2} entries onto the chain of ${donor.start.name} (start ${start}, size ${size})`,
      touched,
    },
  };
};

/**
 * Column widths of one row of the signing tables with 2-byte string references (a binary
 * column is a 2-byte marker). A single-row table stream of exactly this length can be flooded
 * column by column: table streams are column-major (docs/formats.md §3.5).
 */
const FLOODABLE_TABLES: Readonly<Record<string, readonly number[]>> = {
  MsiPatchCertificate: [2, 2],
  MsiDigitalCertificate: [2, 2],
  MsiDigitalSignature: [2, 2, 2, 2],
  Media: [2, 4, 2, 2, 2, 2],
};

/**
 * Issue 20, items 3 and 4: signing tables flooded with copies of their only row — 100,000
 * MsiPatchCertificate rows naming one certificate, thousands of Media rows naming one cabinet,
 * MsiDigitalSignature rows for each. The rewrite changes digested bytes: a pass is impossible;
 * what matters is bounded time, memory and report size.
 */
const tableFlood: Operator = (rng, seed, _bytes, transplants) => {
  if (seed.layout.container !== 'cfb') return null;
  const copies = rng.weighted([
    [6, 1_000],
    [3, 20_000],
    [1, 100_000],
  ]);
  const flooded: string[] = [];
  const result = transplants.rewrite(seed, (children) => {
    const out = children.map((child) => {
      if (child.kind !== 'stream') return child;
      const { name, isTable } = decodeStreamName(child.name);
      const widths = isTable ? FLOODABLE_TABLES[name] : undefined;
      const rowSize = widths?.reduce((a, b) => a + b, 0);
      if (!widths || child.data.length !== rowSize) return child;
      const data = Buffer.alloc(rowSize * copies);
      let at = 0;
      let column = 0;
      for (const width of widths) {
        const value = child.data.subarray(column, column + width);
        for (let i = 0; i < copies; i++, at += width) data.set(value, at);
        column += width;
      }
      flooded.push(name);
      return { ...child, data };
    });
    return flooded.length > 0 ? out : null;
  });
  if (!result) return null;
  return {
    bytes: result,
    mutation: { op: 'table-flood', detail: `${flooded.join(', ')} × ${copies}`, touched: null },
  };
};

const OPERATORS: readonly (readonly [number, string, Operator])[] = [
  [5, 'bit-flip', bitFlip],
  [6, 'hostile-value', plantHostile],
  [2, 'truncate', truncate],
  [1, 'extend', extend],
  [2, 'duplicate', duplicateRange],
  [2, 'zero', zeroRange],
  [1, 'transplant', transplant],
  [1, 'cross-link', crossLink],
  [1, 'table-flood', tableFlood],
];

/** One to three mutations of `seed`. Deterministic for a given generator state. */
export function mutate(rng: Rng, seed: MutationSeed, transplants: TransplantSource): MutatedBytes {
  let bytes = seed.bytes;
  const mutations: Mutation[] = [];
  const count = rng.weighted([
    [7, 1],
    [2, 2],
    [1, 3],
  ]);
  for (let attempt = 0; mutations.length < count && attempt < 10; attempt++) {
    const operator = rng.weighted(OPERATORS.map(([w, , op]) => [w, op] as const));
    const result = operator(rng, seed, bytes, transplants);
    if (!result) continue;
    bytes = result.bytes;
    mutations.push(result.mutation);
  }
  return { bytes, mutations };
}

/**
 * The union of the ranges the mutations touched, in the seed's coordinates; null when any
 * mutation moved bytes or rewrote the file. A truncation touches everything after the cut.
 */
export function touchedRanges(mutations: readonly Mutation[]): ByteRange[] | null {
  const all: ByteRange[] = [];
  for (const m of mutations) {
    if (m.touched === null) return null;
    all.push(...m.touched);
  }
  return normalize(all);
}

// ---- Transplants -----------------------------------------------------------------------------

const DIGITAL_SIGNATURE = '\u0005DigitalSignature';
const DIGITAL_SIGNATURE_EX = '\u0005MsiDigitalSignatureEx';

async function treeOf(cfb: CompoundFile, storageEntry: DirectoryEntry): Promise<NodeSpec[]> {
  const out: NodeSpec[] = [];
  for (const entry of cfb.children(storageEntry)) {
    const metadata = {
      clsid: entry.clsid,
      stateBits: entry.stateBits,
      creationTime: entry.creationTime,
      modifiedTime: entry.modifiedTime,
    };
    if (entry.kind === 'storage') {
      out.push(storage(entry.name, await treeOf(cfb, entry), metadata));
    } else {
      out.push(stream(entry.name, await cfb.readStream(entry), metadata));
    }
  }
  return out;
}

/** A well-formed compound file read into a builder tree (streams in memory). */
export async function readCompoundTree(bytes: Uint8Array): Promise<{
  children: NodeSpec[];
  rootClsid: Uint8Array;
  rootStateBits: Uint8Array;
  rootModifiedTime: Uint8Array;
}> {
  const cfb = await openCompoundFile(new MemorySource(bytes));
  return {
    children: await treeOf(cfb, cfb.root),
    rootClsid: cfb.root.clsid,
    rootStateBits: cfb.root.stateBits,
    rootModifiedTime: cfb.root.modifiedTime,
  };
}

/**
 * The compound file rewritten (any layout) with its root `\x05DigitalSignature` replaced by
 * `signature` (added when absent) and its `\x05MsiDigitalSignatureEx` replaced by `prehash`
 * (removed when null).
 */
export function rewriteCompound(
  tree: Awaited<ReturnType<typeof readCompoundTree>>,
  options: {
    signature?: Uint8Array | null;
    prehash?: Uint8Array | null;
    version?: 3 | 4;
    layout?: 'sequential' | 'gapped' | 'reversed';
    extraFatSectors?: number;
  },
): Buffer {
  let children = tree.children;
  if (options.signature !== undefined) {
    children = children.filter((c) => c.name !== DIGITAL_SIGNATURE);
    if (options.signature) children.push(stream(DIGITAL_SIGNATURE, options.signature));
  }
  if (options.prehash !== undefined) {
    children = children.filter((c) => c.name !== DIGITAL_SIGNATURE_EX);
    if (options.prehash) children.push(stream(DIGITAL_SIGNATURE_EX, options.prehash));
  }
  const image = buildCfb(children, {
    version: options.version ?? 3,
    layout: options.layout ?? 'sequential',
    extraFatSectors: options.extraFatSectors ?? 0,
    rootClsid: tree.rootClsid,
    rootStateBits: tree.rootStateBits,
    rootModifiedTime: tree.rootModifiedTime,
  });
  return Buffer.from(image.toBytes());
}

/** A cabinet with its appended signature replaced by `blob` (locator length updated). */
export function transplantCabSignature(
  recipient: Buffer,
  layout: Layout,
  blob: Buffer,
): Buffer | null {
  const signature = layout.signature[0];
  const locator = layout.fields.find((f) => f.name === 'locator.length');
  if (!signature || !locator) return null;
  const out = Buffer.concat([recipient.subarray(0, signature.offset), blob]);
  out.writeUInt32LE(blob.length, locator.offset);
  return out;
}
