import { stat } from 'node:fs/promises';
import { parseAuthenticode, type AuthenticodeSignature } from '../authenticode/index.js';
import {
  claimedKind,
  detectContainer,
  notAPackageMessage,
  openContainer,
  prehashAlgorithm,
  type SignatureCheck,
  type SignedContainer,
} from '../container/index.js';
import { DIGEST_NAMES, DIGEST_SIZES, type DigestAlgorithm } from '../digest.js';
import { isFormatError } from '../errors.js';
import { HRESULT } from '../findings.js';
import { countReads } from '../io/read-counter.js';
import {
  RandomAccessFile,
  ReadPastEndError,
  type RandomAccessSource,
} from '../io/random-access-file.js';
import { msiMetadataPrehash } from '../msi/content-digest.js';
import type { RevocationSettings } from '../revocation/index.js';
import { TOOL } from '../verify/tool.js';
import { inspectCabinet } from './cabinet.js';
import type { DigitalSignatureExInspection, Inspection, InspectionError } from './model.js';
import { inspectPackage, lookUpExternalCabinets } from './package.js';
import { inspectPeImage } from './portable-executable.js';
import { inspectRevocation } from './revocation.js';
import { inspectSignature } from './signature.js';

export interface InspectOptions {
  /** Path shown in the inspection (as the user gave it); default: `path`. */
  displayPath?: string;
  /** Validation time when no timestamp applies; default: now. */
  now?: Date;
  /** Called with the length of every read, for a progress display. */
  onBytes?: (bytes: number) => void;
  /** Check each chain certificate's revocation status (docs/revocation.md); default: not checked. */
  revocation?: RevocationSettings;
}

/** Turns what a reader threw into an error of the inspection; our own bugs are reported too. */
function errorFor(part: InspectionError['part'], error: unknown): InspectionError {
  if (isFormatError(error)) {
    return {
      part: error.code === 'malformed-signature' ? 'signature' : part,
      code: error.code,
      message: error.message,
      hresult:
        error.code === 'malformed-signature'
          ? HRESULT.TRUST_E_MALFORMED_SIGNATURE
          : HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
    };
  }
  if (error instanceof ReadPastEndError) {
    return {
      part: part === 'signature' ? 'container' : part,
      code: 'malformed-package',
      message: `the file's structure points outside the file (${error.message}); it is truncated or damaged`,
      hresult: HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
    };
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return {
      part: 'file',
      code: 'io-error',
      // Node's message quotes the absolute path; the inspection shows the path as given.
      message: `cannot read the file: ${ERRNO_TEXT[code] ?? code}`,
      hresult: HRESULT.CRYPT_E_FILE_ERROR,
    };
  }
  return {
    part: part === 'signature' ? 'container' : part,
    code: 'malformed-package',
    message: `unexpected error while reading the package: ${error instanceof Error ? error.message : String(error)}`,
    hresult: HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
  };
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  ENOTDIR: 'a component of the path is not a directory',
  EIO: 'input/output error',
};

function blank(path: string, now: Date): Inspection {
  return {
    schemaVersion: 1,
    tool: { ...TOOL },
    path,
    size: 0,
    kind: 'unknown',
    container: null,
    containerDescription: 'not read',
    readable: false,
    validationTime: now.toISOString(),
    signed: false,
    digestAlgorithms: [],
    signatures: [],
    nestedSignatureErrors: [],
    msiDigitalSignatureEx: null,
    package: null,
    cabinet: null,
    pe: null,
    errors: [],
  };
}

/**
 * Everything about one file's signatures, without a policy. Never throws for what the file
 * contains: what could not be read is in `errors`, and everything read before it is kept.
 */
export async function inspectFile(path: string, options: InspectOptions = {}): Promise<Inspection> {
  const now = options.now ?? new Date();
  const inspection = blank(options.displayPath ?? path, now);
  let file: RandomAccessFile | undefined;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    file = await RandomAccessFile.open(path);
    inspection.size = file.size;
    const source = options.onBytes ? countReads(file, options.onBytes) : file;
    await inspectOpened(source, inspection, now);
    if (inspection.package) await lookUpExternalCabinets(inspection.package, path);
  } catch (error) {
    inspection.errors.push(errorFor('file', error));
  } finally {
    await file?.close().catch(() => undefined);
  }
  inspection.readable = !inspection.errors.some((e) => e.part !== 'signature');
  if (options.revocation) await inspectRevocation(inspection, options.revocation, now);
  return inspection;
}

/**
 * Everything about one file read from any random-access source (a file inside another one, say),
 * as {@link inspectFile}. The caller owns `source`; `size` is taken from it.
 */
export async function inspectSource(
  source: RandomAccessSource,
  options: InspectOptions & { displayPath: string },
): Promise<Inspection> {
  const now = options.now ?? new Date();
  const inspection = blank(options.displayPath, now);
  inspection.size = source.size;
  try {
    await inspectOpened(
      options.onBytes ? countReads(source, options.onBytes) : source,
      inspection,
      now,
    );
  } catch (error) {
    inspection.errors.push(errorFor('file', error));
  }
  inspection.readable = !inspection.errors.some((e) => e.part !== 'signature');
  return inspection;
}

async function inspectOpened(
  source: RandomAccessSource,
  inspection: Inspection,
  now: Date,
): Promise<void> {
  const detection = await detectContainer(source);
  inspection.container = detection.container;
  inspection.containerDescription = detection.description;
  if (detection.container === 'other') {
    inspection.errors.push({
      part: 'container',
      code: 'not-a-package',
      message: notAPackageMessage(detection),
      hresult: HRESULT.TRUST_E_SUBJECT_FORM_UNKNOWN,
    });
    return;
  }
  inspection.kind = claimedKind(detection.container);
  let container: SignedContainer;
  try {
    container = await openContainer(source, detection);
  } catch (error) {
    inspection.errors.push(errorFor('container', error));
    return;
  }
  inspection.kind = container.kind;
  const structure = container.structure;
  if (structure.format === 'compound-file') {
    inspection.package = await inspectPackage(structure.cfb, inspection.errors);
  } else if (structure.format === 'cabinet') {
    inspection.cabinet = inspectCabinet(structure.header, structure.cabinet);
  } else {
    inspection.pe = inspectPeImage(structure.image, structure.table, undefined);
  }
  if (container.deferredError) {
    if (container.deferredError.part === 'signature') inspection.signed = true;
    inspection.errors.push(errorFor(container.deferredError.part, container.deferredError.error));
    return;
  }
  if (structure.format === 'compound-file') {
    const prehash = structure.prehash;
    inspection.msiDigitalSignatureEx = {
      present: prehash !== null,
      stored: prehash?.toString('hex') ?? null,
      algorithm: null,
      recomputed: null,
      matches: null,
    };
  }
  const signatures = container.signature ? decodeSignatures(container.signature, inspection) : [];
  if (structure.format === 'portable-executable') {
    inspection.pe = inspectPeImage(structure.image, structure.table, signatures[0]);
  }
  try {
    const computed =
      signatures.length > 0
        ? (await container.digests(algorithmsOf(signatures))).digests
        : new Map<DigestAlgorithm, Buffer>();
    const checks: SignatureCheck[][] = [];
    for (const signature of signatures) checks.push(await container.checkSignature(signature));
    inspection.signatures = signatures.map((s, i) =>
      inspectSignature(s, computed, now, container, checks[i] ?? []),
    );
    inspection.digestAlgorithms = [...new Set(inspection.signatures.map((s) => s.digestAlgorithm))];
    if (structure.format === 'compound-file') {
      await recomputePrehash(structure.cfb, inspection.msiDigitalSignatureEx!);
    }
  } catch (error) {
    inspection.errors.push(errorFor('container', error));
  }
}

/** The stored MsiDigitalSignatureEx next to the one the directory gives now (docs/formats.md §5.4). */
async function recomputePrehash(
  cfb: Parameters<typeof msiMetadataPrehash>[0],
  dse: DigitalSignatureExInspection,
): Promise<void> {
  if (dse.stored === null) return;
  const stored = Buffer.from(dse.stored, 'hex');
  const algorithm = prehashAlgorithm(stored);
  if (!algorithm) return;
  const recomputed = await msiMetadataPrehash(cfb, algorithm);
  dse.algorithm = DIGEST_NAMES[algorithm];
  dse.recomputed = recomputed.toString('hex');
  dse.matches = recomputed.equals(stored);
}

/** Parses the blob and every nested signature; a blob that does not decode is a signature error. */
function decodeSignatures(blob: Buffer, inspection: Inspection): AuthenticodeSignature[] {
  inspection.signed = true;
  if (blob.length === 0) {
    inspection.errors.push({
      part: 'signature',
      code: 'malformed-signature',
      message: 'the signature stream is empty',
      hresult: HRESULT.TRUST_E_MALFORMED_SIGNATURE,
    });
    return [];
  }
  try {
    const primary = parseAuthenticode(blob);
    inspection.nestedSignatureErrors = primary.nestedErrors.map((e) => ({ ...e }));
    return [primary, ...primary.nested];
  } catch (error) {
    inspection.errors.push(errorFor('signature', error));
    return [];
  }
}

function algorithmsOf(signatures: readonly AuthenticodeSignature[]): DigestAlgorithm[] {
  return [...new Set(signatures.map((s) => s.fileDigest.algorithm))].filter(
    (a): a is DigestAlgorithm => a in DIGEST_SIZES,
  );
}
