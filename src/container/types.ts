import type { AuthenticodeSignature } from '../authenticode/index.js';
import type { CabHeader, Cabinet } from '../cab/index.js';
import type { CompoundFile } from '../cfb/index.js';
import type { MsiDatabase } from '../msi/index.js';
import type { DigestAlgorithm } from '../digest.js';
import type { Finding } from '../findings.js';
import type { SegmentHasher } from '../io/hash-plan.js';
import type { ArtifactKind } from '../report/model.js';
import type { CertificateTable, PeImage } from '../pe/index.js';
import type { PackageFacts } from '../verify/package-facts.js';

/** What the first bytes say the file is. The extension is never consulted. */
export type ContainerFormat = 'compound-file' | 'cabinet' | 'portable-executable';

/** The structures a container was read from, for views that show them (inspect). */
export type ContainerStructure =
  | {
      format: 'compound-file';
      cfb: CompoundFile;
      /** The stored \x05MsiDigitalSignatureEx bytes; null when absent. */
      prehash: Buffer | null;
      /** The installer database, when the package facts were read from it. */
      database: MsiDatabase | null;
    }
  | { format: 'cabinet'; header: CabHeader; cabinet: Cabinet | null }
  | {
      format: 'portable-executable';
      image: PeImage;
      /** The attribute certificate table; null when absent or unreadable. */
      table: CertificateTable | null;
    };

/** Which part a deferred read error belongs to (see {@link SignedContainer.deferredError}). */
export interface DeferredError {
  part: 'container' | 'signature';
  error: unknown;
}

/** A container's content digests and the findings the digest pass produced. */
export interface ContentDigests {
  digests: Map<DigestAlgorithm, Buffer>;
  findings: Finding[];
}

/** The result of one container-specific check of a decoded signature (PE page hashes). */
export interface SignatureCheck {
  /** Stable name of the check, e.g. `page-hashes`. */
  name: 'page-hashes';
  state: 'pass' | 'fail';
  message: string;
  /** When failing: the finding verification reports. */
  finding?: Finding;
}

/**
 * One signed file, whatever its container: the signature blob, how to hash what it signs, and
 * what is wrong with the container. Verification (src/verify/artifact.ts) and inspection
 * (src/inspect/inspect-file.ts) both read this one evaluation, so a container format is added
 * once, here, and both views see it.
 */
export interface SignedContainer {
  readonly kind: ArtifactKind;
  readonly structure: ContainerStructure;
  /**
   * Something that stopped reading the signature after the container's own structure was read
   * (a truncated CAB signature area, an unreadable signature stream). Inspection shows the
   * structure and then the error; verification stops at it.
   */
  readonly deferredError: DeferredError | null;
  /** The signature blob; null when the file carries none. */
  readonly signature: Buffer | null;
  /** Why the file counts as unsigned, in words (the `unsigned` finding's message). */
  readonly unsignedMessage: string;
  /** Findings about the container itself (trailing data, unusual layout), in the order found. */
  readonly findings: Finding[];
  /** MSI/MSP facts for cross-artifact checks; null for other containers or when not read. */
  readonly package: PackageFacts | null;
  /**
   * Why `signature` was not made for this kind of file (its SpcIndirectDataContent type or SIP),
   * or null when it was. Windows picks the subject interface package by the file's format, so a
   * signature made for another one does not verify (TRUST_E_SUBJECT_FORM_UNKNOWN).
   */
  signatureTypeProblem(signature: AuthenticodeSignature): string | null;
  /** What the signature is expected to hold, in words (for inspection's passing check). */
  readonly signatureTypeDescription: string;
  /**
   * The Authenticode content digest for each algorithm, in one pass over the file, with what
   * hashing learned about the file (metadata drift, digest rules implementations disagree on):
   * findings that exist only once the digest pass has run.
   */
  digests(algorithms: readonly DigestAlgorithm[]): Promise<ContentDigests>;
  /** Checks of one decoded signature beyond the file digest (PE page hashes); [] when none. */
  checkSignature(signature: AuthenticodeSignature): Promise<SignatureCheck[]>;
}

export interface OpenContainerOptions {
  /** Hashes digest plans (possibly on a worker thread); without one they are hashed inline. */
  hasher?: SegmentHasher;
  /** Read the MSI database facts cross-artifact checks need (verification does; inspect not). */
  packageFacts?: boolean;
}
