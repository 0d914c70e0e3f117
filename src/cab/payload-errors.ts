/**
 * Why a cabinet's files could not be extracted. Thrown (or returned per folder) by the
 * extraction; the payload walk turns each into a finding.
 */
import { MalformedPackageError } from '../errors.js';

/** A folder compressed with a method this verifier does not decode (Quantum, unknown). */
export class UnsupportedCompressionError extends Error {
  readonly code = 'unsupported-compression' as const;
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnsupportedCompressionError';
  }
}

export type CabinetDataFailure =
  /** A CFDATA block's checksum does not match its bytes. */
  | 'bad-checksum'
  /** A CFDATA block lies (partly) outside the cabinet or declares impossible sizes. */
  | 'bad-block'
  /** A file's bytes lie past the end of its folder's data. */
  | 'file-past-folder-end';

/** Damaged cabinet data outside the compressed bit stream itself. */
export class CabinetDataError extends MalformedPackageError {
  constructor(
    readonly reason: CabinetDataFailure,
    message: string,
  ) {
    super(message);
    this.name = 'CabinetDataError';
  }
}

export type PayloadLimitKind = 'total-bytes' | 'depth' | 'volumes';

/** The payload is larger (or nested deeper) than the limits allow: a decompression bomb. */
export class PayloadLimitError extends MalformedPackageError {
  constructor(
    readonly limit: PayloadLimitKind,
    message: string,
  ) {
    super(message);
    this.name = 'PayloadLimitError';
  }
}

/** A cabinet of a set that the data continues into (or from) is not beside the package. */
export class ContinuationMissingError extends Error {
  readonly code = 'continuation-cabinet-missing' as const;
  constructor(
    readonly cabinetName: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContinuationMissingError';
  }
}
