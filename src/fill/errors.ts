/** Why a package could not be filled. The message is one line that names the problem. */
export type FillErrorCode =
  /** The package carries an Authenticode signature that filling would invalidate. */
  | 'signed'
  /** The file is a patch, transform or other compound file, not an installer database. */
  | 'not-an-msi'
  /** `--id` (or a derived key) is not a valid Identifier or does not fit a stream name. */
  | 'invalid-id'
  /** A key we would add is already used by a row for another certificate. */
  | 'key-conflict'
  /** An existing MsiDigitalCertificate/MsiPatchCertificate/_Validation table has columns we cannot fill. */
  | 'unexpected-schema'
  /** The string pool has no room for the new strings (65,535 IDs with 2-byte references). */
  | 'string-pool-full'
  /** Every certificate given is a CA certificate; none can sign a patch. */
  | 'no-certificates';

export class FillError extends Error {
  constructor(
    readonly code: FillErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FillError';
  }
}
