/**
 * Walking what a package carries (issue 17): the files of an MSI's cabinets (embedded `#name`
 * streams and external cabinets beside the package, named by their install path through the
 * File/Component/Directory tables), its Binary table streams, an MSM's `MergeModule.CABinet`,
 * an MSP's embedded cabinet streams, and the files of a CAB artifact. Inner MSI/MSM/CAB files are walked in turn, up to a depth
 * limit. Streaming and constant memory: cabinet data is decompressed block by block
 * (src/cab/extract.ts); only an inner file that is itself a PE, an MSI or a cabinet is held in
 * memory (up to {@link PayloadLimits.maxInnerFileBytes}), to be verified or walked without a
 * temporary file.
 *
 * The walk knows nothing of signatures: it hands each inner executable to `onExecutable`
 * (the PE engine's hook) and returns what it found, with findings for what it could not open.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  extractCabinet,
  extractLimitsFor,
  isExtractFailure,
  type CabinetVolume,
} from '../cab/extract.js';
import { openCabinet, type CabCompression } from '../cab/index.js';
import { openCompoundFile } from '../cfb/index.js';
import type { CompoundFile, DirectoryEntry } from '../cfb/types.js';
import { isFormatError } from '../errors.js';
import type { Finding, Severity } from '../findings.js';
import {
  MemorySource,
  RandomAccessFile,
  type RandomAccessSource,
} from '../io/random-access-file.js';
import { installedFiles, mediaCabinets } from '../msi/install-paths.js';
import { openMsiDatabase, type MsiDatabase } from '../msi/database.js';
import { detectPackageKind } from '../msi/package-kind.js';
import { BinaryRef } from '../msi/table.js';
import { findExternalCabinet } from '../verify/cross-artifact.js';
import { TimeBudgetExceededError } from '../verify/time-budget.js';
import { extractionErrorFinding, extractionFindings } from './extraction-findings.js';

/** What an inner file is, by its first bytes. */
export type PayloadKind = 'pe' | 'msi' | 'cab' | 'other';

export type PayloadOrigin = 'cabinet' | 'binary-table' | 'merge-module';

export interface PayloadFile {
  /**
   * Where the file is, from the artifact down: `['[ProgramFilesFolder]/App/app.exe']` for a
   * file of the package's cabinet, `['[ProgramFilesFolder]/App/inner.msi', '[…]/x.dll']` for a
   * file of an inner package.
   */
  readonly path: readonly string[];
  readonly size: number;
  readonly origin: PayloadOrigin;
  /** The cabinet (`#product.cab`, `data1.cab`) or stream (`Binary.CustomActions`) holding it. */
  readonly container: string;
  readonly compression: CabCompression | 'stream';
  readonly kind: PayloadKind;
}

export interface PayloadLimits {
  /** Uncompressed bytes allowed for the whole walk (see extractLimitsFor). */
  readonly maxTotalBytes: number;
  /** Containers below the artifact (an MSI in a cabinet of the artifact is depth 1). */
  readonly maxDepth: number;
  /** Largest inner PE/MSI/CAB held in memory to be verified or walked. */
  readonly maxInnerFileBytes: number;
}

export const MAX_PAYLOAD_DEPTH = 3;
export const MAX_INNER_FILE_BYTES = 128 * 1024 * 1024;

export function payloadLimitsFor(packageSize: number): PayloadLimits {
  return {
    maxTotalBytes: extractLimitsFor(packageSize).maxTotalBytes,
    maxDepth: MAX_PAYLOAD_DEPTH,
    maxInnerFileBytes: MAX_INNER_FILE_BYTES,
  };
}

export interface PayloadWalkOptions {
  readonly limits: PayloadLimits;
  /** Severity of the walk's own findings (payload policy: warn → warning, require → error). */
  readonly severity: Severity;
  /** Called with every inner PE and its bytes (the PE engine verifies it from memory). */
  readonly onExecutable?: (file: PayloadFile, bytes: Buffer) => Promise<void>;
  /** Called with every inner file as it completes. */
  readonly onFile?: (file: PayloadFile) => void;
  /**
   * Wraps every source the walk reads (the artifact, cabinets beside it, inner containers held
   * in memory): the verifier passes its time budget's guard, so that the walk stops at its next
   * read once the artifact's budget is spent.
   */
  readonly guard?: (source: RandomAccessSource) => RandomAccessSource;
  /**
   * Where files and findings are collected: a caller that stops waiting for the walk (its time
   * budget ran out) still reports what the walk found until then. Default: new arrays.
   */
  readonly into?: PayloadWalk;
  /**
   * The artifact's compound file (and installer database) as the verifier already parsed them:
   * the walk reads them again through its own source (CompoundFile.through) instead of parsing
   * the package a second time. Only for the artifact itself, never for inner containers.
   */
  readonly opened?: OpenedPackage;
}

export interface OpenedPackage {
  readonly cfb: CompoundFile;
  readonly database: MsiDatabase | null;
}

export interface PayloadWalk {
  readonly files: PayloadFile[];
  readonly findings: Finding[];
}

const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** Sniffs the first bytes of an inner file. */
export function payloadKind(head: Uint8Array): PayloadKind {
  if (head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) return 'pe';
  if (head.length >= 4 && Buffer.from(head.subarray(0, 4)).equals(Buffer.from('MSCF', 'latin1'))) {
    return 'cab';
  }
  if (head.length >= 8 && Buffer.from(head.subarray(0, 8)).equals(CFB_MAGIC)) return 'msi';
  return 'other';
}

/**
 * Opens a cabinet beside the package, or null when it is absent or not a regular file: opening
 * a FIFO named like a cabinet would block the run (the cross-artifact checks report it).
 */
async function openRegularFile(path: string): Promise<RandomAccessFile | null> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  return RandomAccessFile.open(path).catch(() => null);
}

function guarded(state: WalkState, source: RandomAccessSource): RandomAccessSource {
  return state.options.guard?.(source) ?? source;
}

/**
 * The verifier's time budget ran out: the walk stops and the verifier reports it. It is a
 * MalformedPackageError, which the walk would otherwise turn into a finding about the
 * container it was reading.
 */
function isStop(error: unknown): boolean {
  return error instanceof TimeBudgetExceededError;
}

interface WalkState {
  readonly options: PayloadWalkOptions;
  readonly files: PayloadFile[];
  readonly findings: Finding[];
  /** Bytes decoded so far, against limits.maxTotalBytes. */
  decoded: number;
  /** Directory listings read to find cabinets without regard to case, once per directory. */
  readonly listings: Map<string, Promise<string[]>>;
}

/**
 * Walks the payload of the artifact at `path` (opened as `source`). `kind` is what the
 * container detection found.
 */
export async function walkPayload(
  path: string,
  source: RandomAccessSource,
  kind: 'msi' | 'cab',
  options: PayloadWalkOptions,
): Promise<PayloadWalk> {
  const into = options.into ?? { files: [], findings: [] };
  const state: WalkState = {
    options,
    files: into.files,
    findings: into.findings,
    decoded: 0,
    listings: new Map(),
  };
  await walkContainer(state, {
    path,
    source: guarded(state, source),
    kind,
    chain: [],
    depth: 0,
    external: true,
    opened: options.opened,
  });
  return { files: state.files, findings: state.findings };
}

interface ContainerAt {
  /** File path (for external cabinets beside it), or the inner name. */
  readonly path: string;
  readonly source: RandomAccessSource;
  readonly kind: 'msi' | 'cab';
  /** Inner path of this container ([] for the artifact). */
  readonly chain: readonly string[];
  readonly depth: number;
  /** Whether cabinets beside `path` may be opened (only for files on disk). */
  readonly external: boolean;
  /** This container already parsed (PayloadWalkOptions.opened). */
  readonly opened?: OpenedPackage;
}

async function walkContainer(state: WalkState, at: ContainerAt): Promise<void> {
  const label = at.chain.at(-1) ?? basename(at.path);
  // A damaged inner container is itself the inner file the finding is about.
  const about = at.chain.length > 0 ? { innerPaths: [at.chain.join(' ▸ ')] } : {};
  try {
    if (at.kind === 'cab') {
      const cabinet = await openCabinet(at.source);
      await walkCabinet(
        state,
        at,
        { name: basename(at.path), source: at.source, cabinet },
        (n) => n,
        label,
      );
    } else {
      await walkPackage(state, at);
    }
  } catch (error) {
    if (isStop(error)) throw error;
    if (isExtractFailure(error)) {
      state.findings.push({
        ...extractionErrorFinding(label, error, state.options.severity),
        ...about,
      });
    } else if (isFormatError(error)) {
      state.findings.push({
        severity: state.options.severity,
        code: 'corrupt-payload',
        message: `${label}: ${error.message}`,
        ...about,
      });
    } else throw error;
  }
}

async function walkPackage(state: WalkState, at: ContainerAt): Promise<void> {
  const cfb = at.opened ? at.opened.cfb.through(at.source) : await openCompoundFile(at.source);
  const db = at.opened?.database ? at.opened.database.through(cfb) : await openMsiDatabase(cfb);
  const installed = await installedFiles(db);
  const nameOf = (key: string): string => installed.get(key)?.path ?? key;
  const walked = new Set<string>();

  for (const media of await mediaCabinets(db)) {
    const name = media.cabinet;
    if (walked.has(name.toLowerCase())) continue;
    walked.add(name.toLowerCase());
    if (name.startsWith('#')) {
      const entry = db.streamEntry(name.slice(1));
      if (!entry) continue; // reported by the container checks (a missing cabinet stream)
      const source = cfbStreamSource(cfb, entry);
      const cabinet = await openCabinet(source);
      await walkCabinet(state, at, { name, source, cabinet }, nameOf, name);
    } else if (at.external) {
      // External cabinets: their presence and signature are checked by the cross-artifact
      // checks; here only their content matters.
      // Found as Windows Installer finds it (the name without regard to case); the
      // cross-artifact checks report a name that differs in case, or no file at all.
      const found = await findExternalCabinet(at.path, name, state.listings);
      if (found.kind !== 'file') continue;
      const file = await openRegularFile(found.path);
      if (!file) continue;
      try {
        const source = guarded(state, file);
        const cabinet = await openCabinet(source);
        await walkCabinet(state, at, { name, source, cabinet }, nameOf, name, at.path);
      } finally {
        await file.close();
      }
    }
  }

  const mergeModule = db.streamEntry('MergeModule.CABinet');
  if (mergeModule) {
    const source = cfbStreamSource(cfb, mergeModule);
    const cabinet = await openCabinet(source);
    await walkCabinet(
      state,
      at,
      { name: 'MergeModule.CABinet', source, cabinet },
      nameOf,
      'MergeModule.CABinet',
    );
  }

  if (detectPackageKind(cfb, db.tableNames) === 'msp')
    await walkPatchCabinets(state, at, db, walked);
  await walkBinaryTable(state, at, db);
}

/**
 * A patch's payload: the cabinets it embeds as root streams (`PATCH.cab`, named by Media rows
 * that live in the patch's transforms, not in a table of its own). Every non-table root stream
 * that starts like a cabinet is walked; its files are named `#PATCH.cab/helper.dll`, as a
 * patch's File rows too live in its transforms.
 */
async function walkPatchCabinets(
  state: WalkState,
  at: ContainerAt,
  db: MsiDatabase,
  walked: Set<string>,
): Promise<void> {
  for (const stream of db.streams()) {
    if (stream.isTable || stream.entry.size < 4) continue;
    const name = `#${stream.name}`;
    if (walked.has(name.toLowerCase())) continue;
    const head = await db.cfb.readStreamRange(stream.entry, 0, 4);
    if (payloadKind(head) !== 'cab') continue;
    walked.add(name.toLowerCase());
    const source = cfbStreamSource(db.cfb, stream.entry);
    const cabinet = await openCabinet(source);
    await walkCabinet(state, at, { name, source, cabinet }, (file) => `${name}/${file}`, name);
  }
}

/** Binary table streams: custom action DLLs and EXEs, icons, bitmaps (only PEs matter). */
async function walkBinaryTable(state: WalkState, at: ContainerAt, db: MsiDatabase): Promise<void> {
  for (const row of (await db.readTable('Binary')) ?? []) {
    const data = row['Data'];
    const name = typeof row['Name'] === 'string' ? row['Name'] : '';
    if (!(data instanceof BinaryRef)) continue;
    const entry = db.binaryEntry(data);
    if (!entry) continue;
    const head = await db.cfb.readStreamRange(entry, 0, Math.min(8, entry.size));
    const file: PayloadFile = {
      path: [...at.chain, `[Binary]/${name}`],
      size: entry.size,
      origin: 'binary-table',
      container: data.streamName,
      compression: 'stream',
      kind: payloadKind(head),
    };
    if (file.kind !== 'other') {
      const bytes = await readInner(state, file, () =>
        db.cfb.readStream(entry, state.options.limits.maxInnerFileBytes),
      );
      if (bytes) await handleInner(state, at, file, bytes);
    }
    state.files.push(file);
    state.options.onFile?.(file);
  }
}

function tooLarge(state: WalkState, file: PayloadFile): void {
  state.findings.push({
    severity: state.options.severity,
    code: 'payload-too-large',
    message: `${file.path.join(' ▸ ')} (${file.size} bytes) is larger than the ${state.options.limits.maxInnerFileBytes} bytes an inner file may have to be checked`,
    innerPaths: [file.path.join(' ▸ ')],
  });
}

async function readInner(
  state: WalkState,
  file: PayloadFile,
  read: () => Promise<Buffer>,
): Promise<Buffer | null> {
  if (file.size > state.options.limits.maxInnerFileBytes) {
    tooLarge(state, file);
    return null;
  }
  return read();
}

/** An inner PE goes to the PE hook; an inner MSI/MSM or cabinet is walked in turn. */
async function handleInner(
  state: WalkState,
  at: ContainerAt,
  file: PayloadFile,
  bytes: Buffer,
): Promise<void> {
  if (file.kind === 'pe') {
    await state.options.onExecutable?.(file, bytes);
    return;
  }
  if (file.kind === 'other') return;
  if (at.depth + 1 > state.options.limits.maxDepth) {
    state.findings.push({
      severity: state.options.severity,
      code: 'payload-too-large',
      message: `${file.path.join(' ▸ ')} is nested ${at.depth + 1} containers deep; its content was not walked (limit ${state.options.limits.maxDepth})`,
      innerPaths: [file.path.join(' ▸ ')],
    });
    return;
  }
  await walkContainer(state, {
    path: file.path.at(-1)!,
    source: guarded(state, new MemorySource(bytes)),
    kind: file.kind,
    chain: file.path,
    depth: at.depth + 1,
    external: false,
  });
}

/**
 * Extracts one cabinet (and the set volumes beside `setBase`, when it is on disk), naming each
 * file with `nameOf` (install paths for a package's cabinets).
 */
async function walkCabinet(
  state: WalkState,
  at: ContainerAt,
  first: CabinetVolume,
  nameOf: (cabinetFileName: string) => string,
  label: string,
  setBase: string | null = at.external ? at.path : null,
): Promise<void> {
  const { limits } = state.options;
  interface Pending {
    file: PayloadFile | null;
    early: Buffer[];
    earlyLength: number;
    /** The whole file, for an inner PE, MSI or cabinet small enough to check. */
    chunks: Buffer[] | null;
  }
  const pending = new Map<number, Pending>();
  const keyOf = (entry: { file: { entryOffset: number }; volume: string }) =>
    entry.file.entryOffset;

  const openVolume = async (name: string): Promise<CabinetVolume | null> => {
    if (!setBase) return null;
    // The next cabinet of a set, named in the cabinet header: Windows opens it on a
    // case-insensitive file system, so it is found here the same way.
    const found = await findExternalCabinet(setBase, name, state.listings);
    if (found.kind !== 'file') return null;
    const file = await openRegularFile(found.path);
    if (!file) return null;
    opened.push(file);
    const source = guarded(state, file);
    try {
      return { name, source, cabinet: await openCabinet(source) };
    } catch (error) {
      if (isFormatError(error) && !isStop(error)) return null;
      throw error;
    }
  };
  const opened: RandomAccessFile[] = [];
  try {
    const extraction = await extractCabinet(
      first,
      {
        fileStart: (entry) => {
          pending.set(keyOf(entry), { file: null, early: [], earlyLength: 0, chunks: null });
          return true;
        },
        fileData: (entry, chunk) => {
          const p = pending.get(keyOf(entry))!;
          if (p.file) {
            p.chunks?.push(Buffer.from(chunk));
            return;
          }
          // Until the first 8 bytes are known, keep the (few) early bytes.
          p.early.push(Buffer.from(chunk));
          p.earlyLength += chunk.length;
          if (p.earlyLength < 8 && p.earlyLength < entry.file.size) return;
          const file: PayloadFile = {
            path: [...at.chain, nameOf(entry.file.name)],
            size: entry.file.size,
            origin: label === 'MergeModule.CABinet' ? 'merge-module' : 'cabinet',
            container: label,
            compression: entry.compression,
            kind: payloadKind(Buffer.concat(p.early).subarray(0, 8)),
          };
          p.file = file;
          if (file.kind !== 'other') {
            if (file.size > limits.maxInnerFileBytes) tooLarge(state, file);
            else p.chunks = p.early;
          }
          p.early = [];
        },
        fileEnd: async (entry) => {
          const p = pending.get(keyOf(entry))!;
          pending.delete(keyOf(entry));
          const file =
            p.file ??
            ({
              path: [...at.chain, nameOf(entry.file.name)],
              size: entry.file.size,
              origin: label === 'MergeModule.CABinet' ? 'merge-module' : 'cabinet',
              container: label,
              compression: entry.compression,
              kind: 'other',
            } satisfies PayloadFile);
          if (p.chunks) await handleInner(state, at, file, Buffer.concat(p.chunks));
          state.files.push(file);
          state.options.onFile?.(file);
        },
      },
      {
        maxTotalBytes: Math.max(0, limits.maxTotalBytes - state.decoded),
        maxVolumes: extractLimitsFor(0).maxVolumes,
      },
      openVolume,
    );
    state.decoded += extraction.bytesDecoded;
    state.findings.push(
      ...extractionFindings(label, extraction, state.options.severity, (name) =>
        [...at.chain, nameOf(name)].join(' ▸ '),
      ),
    );
  } finally {
    for (const source of opened) await source.close();
  }
}

/** A compound-file stream as a positional source, so a cabinet stream is read in place. */
function cfbStreamSource(cfb: CompoundFile, entry: DirectoryEntry): RandomAccessSource {
  return {
    size: entry.size,
    read: (position, length) => cfb.readStreamRange(entry, position, length),
    readInto: (target, offset, length, position) =>
      cfb.readStreamRangeInto(entry, target, offset, length, position),
    close: () => Promise.resolve(),
  };
}
