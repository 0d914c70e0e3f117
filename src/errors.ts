/**
 * Typed errors thrown by the format readers. The pipeline turns each into a finding
 * (formats never produce findings themselves; they only describe what is wrong).
 */

/** The file is not a compound file or a cabinet at all (wrong magic, empty, too short). */
export class NotAPackageError extends Error {
  readonly code = 'not-a-package' as const;
  constructor(message: string) {
    super(message);
    this.name = 'NotAPackageError';
  }
}

/** The file claims to be a compound file or cabinet but its structure is damaged or hostile. */
export class MalformedPackageError extends Error {
  readonly code = 'malformed-package' as const;
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPackageError';
  }
}

/** The signature blob is present but cannot be decoded as an Authenticode SignedData. */
export class MalformedSignatureError extends Error {
  readonly code = 'malformed-signature' as const;
  constructor(message: string) {
    super(message);
    this.name = 'MalformedSignatureError';
  }
}

export type FormatError = NotAPackageError | MalformedPackageError | MalformedSignatureError;

export function isFormatError(error: unknown): error is FormatError {
  return (
    error instanceof NotAPackageError ||
    error instanceof MalformedPackageError ||
    error instanceof MalformedSignatureError
  );
}
