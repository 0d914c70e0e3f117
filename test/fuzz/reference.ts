/**
 * Independent statements of the content digests, used only to judge a mutated file that
 * verified. If none of them computes the digest the signature signs, the verifier was talked
 * into a pass. For compound files, in order:
 *  - the fixture tool's reader (fixtures/tools/cfb.mjs): names as raw bytes, strict chains;
 *  - the `cfb` package (SheetJS): a third-party reader (it drops NULs from names);
 *  - osslsigncode itself, when installed (the reference implementation of the MSI digest).
 * For cabinets: the sequential field walk of test/cab/support/reference-digest.ts.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CFB from 'cfb';
import { referenceCabDigest } from '../cab/support/reference-digest.js';

const SIGNATURE = '\u0005DigitalSignature';
const SIGNATURE_EX = '\u0005MsiDigitalSignatureEx';

/** A storage tree as a reference reader sees it. */
interface Node {
  /** Raw name bytes (UTF-16LE), the hashing sort key. */
  nameBytes: Buffer;
  type: 'root' | 'storage' | 'stream';
  content: Buffer;
  clsid: Buffer;
  children: Node[];
}

const SIGNATURE_BYTES = Buffer.from(SIGNATURE, 'utf16le');
const SIGNATURE_EX_BYTES = Buffer.from(SIGNATURE_EX, 'utf16le');

function compareBytes(x: Buffer, y: Buffer): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** The MSI Authenticode digest (docs/formats.md §5.2) over a reference reader's tree. */
function digestOfTree(root: Node, algorithm: string): Buffer {
  const hash = createHash(algorithm);
  const ex = root.children.find(
    (c) => c.type === 'stream' && c.nameBytes.equals(SIGNATURE_EX_BYTES),
  );
  if (ex) hash.update(ex.content);
  const visit = (storage: Node, isRoot: boolean): void => {
    const children = [...storage.children].sort((a, b) => compareBytes(a.nameBytes, b.nameBytes));
    for (const child of children) {
      const excluded =
        isRoot &&
        (child.nameBytes.equals(SIGNATURE_BYTES) || child.nameBytes.equals(SIGNATURE_EX_BYTES));
      if (excluded) continue;
      if (child.type === 'stream') hash.update(child.content);
      else if (child.type === 'storage') visit(child, false);
    }
    hash.update(storage.clsid);
  };
  visit(root, true);
  return hash.digest();
}

// ---- the fixture tool's reader ---------------------------------------------------------------

interface ToolEntry {
  sid: number;
  nameBytes: Buffer;
  type: number;
  clsid: Buffer;
}
interface ToolCfb {
  root: ToolEntry;
  readStream(entry: ToolEntry): Buffer;
  children(sid: number): ToolEntry[];
}
type ReadCfb = (bytes: Buffer) => ToolCfb;

let toolReader: ReadCfb | undefined;
/** Loads fixtures/tools/cfb.mjs (plain JavaScript, so imported by URL and typed here). */
export async function loadReferenceReaders(): Promise<void> {
  const url = new URL('../../fixtures/tools/cfb.mjs', import.meta.url).href;
  toolReader = ((await import(url)) as { readCfb: ReadCfb }).readCfb;
}

function toolTree(bytes: Buffer): Node {
  if (!toolReader) throw new Error('loadReferenceReaders() was not called');
  const cfb = toolReader(bytes);
  const node = (entry: ToolEntry, depth: number): Node => {
    if (depth > 64) throw new Error('storages nested too deeply');
    const type = entry.type === 5 ? 'root' : entry.type === 1 ? 'storage' : 'stream';
    return {
      nameBytes: Buffer.from(entry.nameBytes),
      type,
      clsid: Buffer.from(entry.clsid),
      content: type === 'stream' ? cfb.readStream(entry) : Buffer.alloc(0),
      children: type === 'stream' ? [] : cfb.children(entry.sid).map((e) => node(e, depth + 1)),
    };
  };
  return node(cfb.root, 0);
}

// ---- SheetJS ---------------------------------------------------------------------------------

function sheetTree(bytes: Buffer): Node {
  const container = CFB.read(bytes, { type: 'buffer' });
  const nodes = new Map<string, Node>();
  let root: Node | undefined;
  container.FileIndex.forEach((entry, i) => {
    // Unused directory slots (object type 0) are listed too; they are nobody's children.
    if (entry.type !== 1 && entry.type !== 2 && entry.type !== 5) return;
    const raw = entry as unknown as { clsid?: string; content?: ArrayLike<number> };
    const node: Node = {
      nameBytes: Buffer.from(entry.name, 'utf16le'),
      type: entry.type === 5 ? 'root' : entry.type === 1 ? 'storage' : 'stream',
      content: Buffer.from((raw.content ?? []) as Uint8Array),
      clsid: raw.clsid ? Buffer.from(raw.clsid, 'hex') : Buffer.alloc(16),
      children: [],
    };
    if (entry.type === 5) root = node;
    nodes.set(container.FullPaths[i]!, node);
  });
  if (!root) throw new Error('no root entry');
  for (const [path, node] of nodes) {
    if (node === root) continue;
    const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
    const parent = nodes.get(trimmed.slice(0, trimmed.lastIndexOf('/') + 1));
    if (!parent) throw new Error(`no parent for ${JSON.stringify(path)}`);
    parent.children.push(node);
  }
  return root;
}

// ---- osslsigncode ----------------------------------------------------------------------------

let osslsigncode: boolean | undefined;
function hasOsslsigncode(): boolean {
  osslsigncode ??=
    spawnSync('osslsigncode', ['--version'], { stdio: 'ignore' }).error === undefined;
  return osslsigncode;
}

/** osslsigncode's stored and calculated MSI digests of the primary signature. */
function osslsigncodeDigests(bytes: Buffer): { current: string; calculated: string } {
  const dir = mkdtempSync(join(tmpdir(), 'va-ref-'));
  try {
    const file = join(dir, 'input.msi');
    writeFileSync(file, bytes);
    const run = spawnSync('osslsigncode', ['verify', '-in', file], {
      encoding: 'latin1',
      timeout: 30_000,
    });
    const out = `${run.stdout}\n${run.stderr}`;
    const current = /Current DigitalSignature\s*:\s*([0-9A-F]+)/.exec(out)?.[1];
    const calculated = /Calculated DigitalSignature\s*:\s*([0-9A-F]+)/.exec(out)?.[1];
    if (!current || !calculated)
      throw new Error(`osslsigncode computed no digest: ${out.trim().split('\n')[0]}`);
    return { current: current.toLowerCase(), calculated: calculated.toLowerCase() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ReferenceVerdict {
  /** The reference that computed the signed digest, or null when none did. */
  agreed: string | null;
  /** What each reference said. */
  notes: string[];
}

/**
 * Whether an independent reader computes `expected` as the MSI digest of `bytes`. The readers
 * are tried in turn; the first that agrees explains the pass.
 */
export function msiReferenceAgrees(
  bytes: Buffer,
  algorithm: string,
  expected: Buffer,
): ReferenceVerdict {
  const notes: string[] = [];
  for (const [name, read] of [
    ['fixture tool', toolTree],
    ['cfb package', sheetTree],
  ] as const) {
    try {
      const digest = digestOfTree(read(bytes), algorithm);
      if (digest.equals(expected)) return { agreed: name, notes };
      notes.push(`${name}: ${algorithm} ${digest.toString('hex')}`);
    } catch (error) {
      notes.push(`${name}: cannot read (${(error as Error).message})`);
    }
  }
  if (hasOsslsigncode()) {
    try {
      const { current, calculated } = osslsigncodeDigests(bytes);
      if (current === expected.toString('hex') && calculated === current)
        return { agreed: 'osslsigncode', notes };
      notes.push(`osslsigncode: current ${current}, calculated ${calculated}`);
    } catch (error) {
      notes.push(`osslsigncode: ${(error as Error).message}`);
    }
  }
  return { agreed: null, notes };
}

/** The signature osslsigncode extracts (`extract-signature`), or null when it finds none. */
function osslsigncodeSignature(bytes: Buffer): Buffer | null {
  const dir = mkdtempSync(join(tmpdir(), 'va-ref-'));
  try {
    const file = join(dir, 'input.msi');
    const out = join(dir, 'signature.der');
    writeFileSync(file, bytes);
    const run = spawnSync('osslsigncode', ['extract-signature', '-in', file, '-out', out], {
      stdio: 'ignore',
      timeout: 30_000,
    });
    return run.status === 0 ? readFileSync(out) : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The root `\x05DigitalSignature` bytes as a reference reader sees them, or null. */
export function referenceMsiSignature(bytes: Buffer): Buffer | null {
  const errors: string[] = [];
  for (const read of [toolTree, sheetTree]) {
    try {
      const entry = read(bytes).children.find(
        (c) => c.type === 'stream' && c.nameBytes.equals(SIGNATURE_BYTES),
      );
      return entry ? entry.content : null;
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  if (hasOsslsigncode()) return osslsigncodeSignature(bytes);
  throw new Error(errors.join('; '));
}

/** Whether the sequential field walk computes `expected` as the CAB digest of `bytes`. */
export function cabReferenceAgrees(
  bytes: Buffer,
  algorithm: string,
  expected: Buffer,
): ReferenceVerdict {
  try {
    const digest = referenceCabDigest(bytes, algorithm);
    if (digest.equals(expected)) return { agreed: 'cab field walk', notes: [] };
    return { agreed: null, notes: [`cab field walk: ${algorithm} ${digest.toString('hex')}`] };
  } catch (error) {
    return { agreed: null, notes: [`cab field walk: ${(error as Error).message}`] };
  }
}

/** The appended CAB signature as the locator describes it, or null. */
export function referenceCabSignature(bytes: Buffer): Buffer | null {
  if (bytes.length < 60 || !(bytes.readUInt16LE(30) & 4)) return null;
  const cbCFHeader = bytes.readUInt16LE(36);
  const cbJunk = bytes.readUInt16LE(40);
  const cbSig = bytes.readUInt16LE(42);
  if (cbCFHeader < 20 || cbSig !== 16) return null;
  const locator = 44 + cbJunk;
  if (locator + 8 > bytes.length) return null;
  const offset = bytes.readUInt32LE(locator);
  const length = bytes.readUInt32LE(locator + 4);
  if (offset + length > bytes.length) return null;
  return bytes.subarray(offset, offset + length);
}

/**
 * The PE digest straight from the specification's wording, on the whole buffer: every byte but
 * the CheckSum, the Certificate Table entry and the table. Written apart from src/pe/.
 */
function referencePeDigest(bytes: Buffer, algorithm: string): Buffer {
  const pe = bytes.readUInt32LE(0x3c);
  const optional = pe + 24;
  const entry = optional + (bytes.readUInt16LE(optional) === 0x20b ? 112 : 96) + 32;
  const offset = bytes.readUInt32LE(entry);
  const size = bytes.readUInt32LE(entry + 4);
  if (offset + size > bytes.length) throw new Error('certificate table outside the file');
  const hash = createHash(algorithm);
  hash.update(bytes.subarray(0, optional + 64));
  hash.update(bytes.subarray(optional + 68, entry));
  hash.update(bytes.subarray(entry + 8, size > 0 ? offset : bytes.length));
  if (size > 0) hash.update(bytes.subarray(offset + size));
  return hash.digest();
}

/** Whether the specification's PE digest of `bytes` is `expected`. */
export function peReferenceAgrees(
  bytes: Buffer,
  algorithm: string,
  expected: Buffer,
): ReferenceVerdict {
  try {
    const digest = referencePeDigest(bytes, algorithm);
    if (digest.equals(expected)) return { agreed: 'pe specification', notes: [] };
    return { agreed: null, notes: [`pe specification: ${algorithm} ${digest.toString('hex')}`] };
  } catch (error) {
    return { agreed: null, notes: [`pe specification: ${(error as Error).message}`] };
  }
}

/** The first WIN_CERTIFICATE's certificate, as the directory entry describes it, or null. */
export function referencePeSignature(bytes: Buffer): Buffer | null {
  const pe = bytes.readUInt32LE(0x3c);
  const optional = pe + 24;
  const entry = optional + (bytes.readUInt16LE(optional) === 0x20b ? 112 : 96) + 32;
  if (entry + 8 > bytes.length) return null;
  const offset = bytes.readUInt32LE(entry);
  const size = bytes.readUInt32LE(entry + 4);
  if (size < 8 || offset + size > bytes.length) return null;
  const length = bytes.readUInt32LE(offset);
  if (length < 8 || length > size) return null;
  return bytes.subarray(offset + 8, offset + length);
}
