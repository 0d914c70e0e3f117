/**
 * The two tables UAC patching reads (docs/formats.md §3.9, §3.12): their definitions as we create
 * them, their `_Validation` rows, and the row keys we derive for a certificate.
 */
import type { TableSchema } from '../msi/catalog.js';
import { encodeStreamName, MAX_STREAM_NAME_LENGTH } from '../msi/stream-name.js';
import type { CellInput } from '../msi/table.js';
import type { Certificate } from '../x509/certificate.js';
import { FillError } from './errors.js';

export const DIGITAL_CERTIFICATE_TABLE = 'MsiDigitalCertificate';
export const PATCH_CERTIFICATE_TABLE = 'MsiPatchCertificate';
export const VALIDATION_TABLE = '_Validation';

/** MsiDigitalCertificate: DigitalCertificate s72 key, CertData v0. */
export const DIGITAL_CERTIFICATE_SCHEMA: TableSchema = {
  name: DIGITAL_CERTIFICATE_TABLE,
  columns: [
    { number: 1, name: 'DigitalCertificate', type: 0x2d48 },
    { number: 2, name: 'CertData', type: 0x0900 },
  ],
};

/**
 * MsiPatchCertificate as Microsoft documents it: PatchCertificate s72 key, DigitalCertificate_
 * s72 (not a key). WiX makes both columns keys; an existing table of either form is accepted.
 */
export const PATCH_CERTIFICATE_SCHEMA: TableSchema = {
  name: PATCH_CERTIFICATE_TABLE,
  columns: [
    { number: 1, name: 'PatchCertificate', type: 0x2d48 },
    { number: 2, name: 'DigitalCertificate_', type: 0x0d48 },
  ],
};

/**
 * `_Validation` rows for the columns of both tables, by `_Validation` column name. Values as in
 * the Windows Installer SDK schema database (and WiX's table definitions).
 */
export const VALIDATION_ROWS: Readonly<Record<string, Readonly<Record<string, CellInput>>>> = {
  'MsiDigitalCertificate.DigitalCertificate': {
    Nullable: 'N',
    Category: 'Identifier',
    Description: 'A unique identifier for the row',
  },
  'MsiDigitalCertificate.CertData': {
    Nullable: 'N',
    Category: 'Binary',
    Description: 'A certificate context blob for a signer certificate',
  },
  'MsiPatchCertificate.PatchCertificate': {
    Nullable: 'N',
    Category: 'Identifier',
    Description: 'Primary key. A unique identifier for the row.',
  },
  'MsiPatchCertificate.DigitalCertificate_': {
    Nullable: 'N',
    KeyTable: DIGITAL_CERTIFICATE_TABLE,
    KeyColumn: 1,
    Category: 'Identifier',
    Description: 'Foreign key to MsiDigitalCertificate table identifying the signer certificate.',
  },
};

/** Windows Installer "Identifier": a letter or underscore, then letters, digits, `_` and `.`. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.]*$/;
/** The key columns are s72. */
const MAX_KEY_LENGTH = 72;

export interface CertificateKeys {
  /** MsiDigitalCertificate.DigitalCertificate (also names the CertData stream). */
  readonly digitalCertificate: string;
  /** MsiPatchCertificate.PatchCertificate. */
  readonly patchCertificate: string;
}

/**
 * Row keys for each certificate, deterministic so that filling twice finds the same rows:
 * without `id`, `Cert_<sha256[0..16]>` and `PatchCert_<sha256[0..16]>`; with `id` and one
 * certificate, `id` in both tables (as WiX does); with `id` and several, `id_<sha256[0..8]>`.
 * Throws FillError('invalid-id') when a key is not an Identifier or its CertData stream name
 * `MsiDigitalCertificate.<key>` would not fit a compound file name (§2.5).
 */
export function deriveKeys(certificates: readonly Certificate[], id?: string): CertificateKeys[] {
  if (id !== undefined) checkIdentifier(id, 'the id');
  const keys = certificates.map((certificate): CertificateKeys => {
    if (id === undefined) {
      const suffix = certificate.sha256.slice(0, 16);
      return { digitalCertificate: `Cert_${suffix}`, patchCertificate: `PatchCert_${suffix}` };
    }
    const key = certificates.length === 1 ? id : `${id}_${certificate.sha256.slice(0, 8)}`;
    return { digitalCertificate: key, patchCertificate: key };
  });
  for (const key of keys) {
    checkIdentifier(key.digitalCertificate, 'the key');
    checkIdentifier(key.patchCertificate, 'the key');
    checkStreamName(key.digitalCertificate, id);
  }
  return keys;
}

function checkIdentifier(key: string, what: string): void {
  if (!IDENTIFIER.test(key)) {
    throw new FillError(
      'invalid-id',
      `${what} ${JSON.stringify(key)} is not a Windows Installer identifier ` +
        `(a letter or _, then letters, digits, _ or .)`,
    );
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw new FillError(
      'invalid-id',
      `${what} ${JSON.stringify(key)} is longer than ${MAX_KEY_LENGTH} characters`,
    );
  }
}

/** The logical name of the stream holding a certificate row's CertData (§3.7). */
export function certDataStreamName(digitalCertificate: string): string {
  return `${DIGITAL_CERTIFICATE_TABLE}.${digitalCertificate}`;
}

function checkStreamName(key: string, id: string | undefined): void {
  const encoded = encodeStreamName(certDataStreamName(key), false);
  if (encoded.length > MAX_STREAM_NAME_LENGTH) {
    throw new FillError(
      'invalid-id',
      `the key ${JSON.stringify(key)} is too long: its CertData stream ` +
        `${JSON.stringify(certDataStreamName(key))} needs ${encoded.length} of at most ` +
        `${MAX_STREAM_NAME_LENGTH} compound file name units` +
        (id === undefined ? '' : '; choose a shorter --id'),
    );
  }
}
