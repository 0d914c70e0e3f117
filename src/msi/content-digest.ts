/**
 * The MSI/MSP Authenticode content digest and the MsiDigitalSignatureEx metadata pre-hash.
 * docs/formats.md §5.2–§5.4.
 */
import { createHash, type Hash } from 'node:crypto';
import type { CompoundFile, DirectoryEntry } from '../cfb/index.js';
import { MultiHash, type DigestAlgorithm } from '../digest.js';
import { MalformedPackageError } from '../errors.js';
import { HASH_READ_BYTES, type HashSegment, type SegmentHasher } from '../io/hash-plan.js';

/** Raw stored names of the two signature streams (not MSI-mangled, docs/formats.md §5.1). */
export const DIGITAL_SIGNATURE_STREAM = '\u0005DigitalSignature';
export const DIGITAL_SIGNATURE_EX_STREAM = '\u0005MsiDigitalSignatureEx';

/** A real signature is a few KiB; nested signatures and long chains stay far below this. */
const MAX_SIGNATURE_BYTES = 16 * 1024 * 1024;
/** A real pre-hash is one digest (≤ 64 bytes); Windows accepts any length, we stop somewhere. */
const MAX_PREHASH_BYTES = 1024 * 1024;

const SIGNATURE_STREAM_NAMES: ReadonlySet<string> = new Set([
  DIGITAL_SIGNATURE_STREAM,
  DIGITAL_SIGNATURE_EX_STREAM,
]);

/**
 * Sibling order for MSI hashing (docs/formats.md §5.3): the names' UTF-16LE bytes compared as
 * unsigned bytes, a proper prefix first. Not code-unit order, not CFB tree order.
 */
export function byteWiseNameCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

function sortedChildren(cfb: CompoundFile, storage: DirectoryEntry): DirectoryEntry[] {
  return [...cfb.children(storage)].sort((x, y) => byteWiseNameCompare(x.nameBytes, y.nameBytes));
}

/** Excluded from both hashes, at the root only (osslsigncode's rule, docs/formats.md §5.2). */
function isExcluded(entry: DirectoryEntry, parentIsRoot: boolean): boolean {
  return parentIsRoot && SIGNATURE_STREAM_NAMES.has(entry.name);
}

function rootSignatureStream(cfb: CompoundFile, name: string): DirectoryEntry | null {
  const entry = cfb.child(cfb.root, name);
  if (entry === undefined) return null;
  if (entry.kind !== 'stream') {
    throw new MalformedPackageError(
      `${JSON.stringify(name)} at the root is a ${entry.kind}, not a stream`,
    );
  }
  return entry;
}

/**
 * The two signature streams of the root storage. An empty `\x05DigitalSignature` comes back as
 * an empty buffer so the caller can call it malformed (docs/formats.md §8.1).
 */
export async function readMsiSignatureStreams(
  cfb: CompoundFile,
): Promise<{ signature: Buffer | null; prehash: Buffer | null }> {
  const signature = rootSignatureStream(cfb, DIGITAL_SIGNATURE_STREAM);
  const prehash = rootSignatureStream(cfb, DIGITAL_SIGNATURE_EX_STREAM);
  return {
    signature: signature === null ? null : await cfb.readStream(signature, MAX_SIGNATURE_BYTES),
    prehash: prehash === null ? null : await cfb.readStream(prehash, MAX_PREHASH_BYTES),
  };
}

/** One level of the explicit depth-first walk (no recursion: nesting is file-controlled). */
interface Frame {
  readonly storage: DirectoryEntry;
  readonly isRoot: boolean;
  readonly children: DirectoryEntry[];
  next: number;
}

/**
 * Visits the storage tree in MSI hashing order: each storage's children sorted byte-wise, the
 * two signature streams skipped at the root, sub-storages entered at their sorted position.
 * `enter` runs before a storage's children, `leave` after them. Each storage is visited once
 * (the reader rejects shared entries and cycles), so the stack depth is bounded by the
 * number of directory entries.
 */
async function walkInHashOrder(
  cfb: CompoundFile,
  visit: {
    enter(storage: DirectoryEntry, isRoot: boolean): void;
    stream(stream: DirectoryEntry, parentIsRoot: boolean): Promise<void> | void;
    leave(storage: DirectoryEntry): void;
  },
): Promise<void> {
  const frame = (storage: DirectoryEntry, isRoot: boolean): Frame => {
    visit.enter(storage, isRoot);
    return { storage, isRoot, children: sortedChildren(cfb, storage), next: 0 };
  };
  const stack: Frame[] = [frame(cfb.root, true)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.children.length) {
      visit.leave(top.storage);
      stack.pop();
      continue;
    }
    const entry = top.children[top.next++]!;
    if (isExcluded(entry, top.isRoot)) continue;
    if (entry.kind === 'stream') await visit.stream(entry, top.isRoot);
    else if (entry.kind === 'storage') stack.push(frame(entry, false));
  }
}

/**
 * The content digests of an MSI/MSP for every algorithm, in one read of the data
 * (docs/formats.md §5.2): the stored MsiDigitalSignatureEx bytes verbatim (§5.4 — Windows never
 * validates them), then every stream's bytes in sorted order, each storage's CLSID after its
 * children, the root CLSID last.
 *
 * `signatureInSubStorage` is true when a sub-storage holds a stream named like a signature
 * stream: osslsigncode hashes it (our rule), jsign skips it; Windows is unverified.
 *
 * With a `hasher` (and a reader that knows where streams lie), the bytes are handed over as a
 * plan instead of being read here.
 */
export async function msiContentDigests(
  cfb: CompoundFile,
  algorithms: readonly DigestAlgorithm[],
  hasher?: SegmentHasher,
): Promise<{
  digests: Map<DigestAlgorithm, Buffer>;
  storedPrehash: Buffer | null;
  signatureInSubStorage: boolean;
}> {
  const prehashEntry = rootSignatureStream(cfb, DIGITAL_SIGNATURE_EX_STREAM);
  const storedPrehash =
    prehashEntry === null ? null : await cfb.readStream(prehashEntry, MAX_PREHASH_BYTES);
  let signatureInSubStorage = false;
  const noteSignatureName = (stream: DirectoryEntry, parentIsRoot: boolean) => {
    if (!parentIsRoot && SIGNATURE_STREAM_NAMES.has(stream.name)) signatureInSubStorage = true;
  };

  // By plan: the same bytes in the same order, described as file ranges and literal bytes,
  // for a hasher that may run elsewhere (a worker thread).
  if (hasher && cfb.fileSegments) {
    const fileSegments = cfb.fileSegments.bind(cfb);
    const segments: HashSegment[] = storedPrehash === null ? [] : [{ bytes: storedPrehash }];
    await walkInHashOrder(cfb, {
      enter() {},
      stream(stream, parentIsRoot) {
        noteSignatureName(stream, parentIsRoot);
        for (const segment of fileSegments(stream)) segments.push(segment);
      },
      leave(storage) {
        segments.push({ bytes: storage.clsid });
      },
    });
    return { digests: await hasher(segments, algorithms), storedPrehash, signatureInSubStorage };
  }

  const hash = new MultiHash(algorithms);
  if (storedPrehash !== null) hash.update(storedPrehash);
  await walkInHashOrder(cfb, {
    enter() {},
    async stream(stream, parentIsRoot) {
      noteSignatureName(stream, parentIsRoot);
      // An empty stream yields no chunk: it adds nothing (osslsigncode skips it, §5.2).
      for await (const chunk of cfb.streamChunks(stream, HASH_READ_BYTES)) hash.update(chunk);
    },
    leave(storage) {
      hash.update(storage.clsid);
    },
  });
  return { digests: hash.digest(), storedPrehash, signatureInSubStorage };
}

function u32le(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  // Low 32 bits of the size field, without 32-bit bitwise operators on a 53-bit number.
  new DataView(bytes.buffer).setUint32(0, value % 0x1_0000_0000, true);
  return bytes;
}

function updateEntryMetadata(hash: Hash, entry: DirectoryEntry): void {
  if (entry.kind !== 'root') hash.update(entry.nameBytes);
  hash.update(entry.kind === 'stream' ? u32le(entry.size) : entry.clsid);
  hash.update(entry.stateBits);
  if (entry.kind !== 'root') {
    hash.update(entry.creationTime);
    hash.update(entry.modifiedTime);
  }
}

/**
 * Recomputes the MsiDigitalSignatureEx value (docs/formats.md §5.4): per entry, in hashing order,
 * root = CLSID ‖ state bits; storage = name ‖ CLSID ‖ state bits ‖ ctime ‖ mtime, then its
 * children; stream = name ‖ low u32 of size ‖ state bits ‖ ctime ‖ mtime. Only useful to tell
 * whether the metadata changed since signing: Windows uses the stored bytes.
 */
export async function msiMetadataPrehash(
  cfb: CompoundFile,
  algorithm: DigestAlgorithm,
): Promise<Buffer> {
  const hash = createHash(algorithm);
  await walkInHashOrder(cfb, {
    enter(storage) {
      updateEntryMetadata(hash, storage);
    },
    stream(stream) {
      updateEntryMetadata(hash, stream);
    },
    leave() {},
  });
  return hash.digest();
}
