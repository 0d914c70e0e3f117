/**
 * Typed readers for the tables the signature checks need (docs/formats.md §3.9–§3.11, §4.2).
 * Each returns undefined when the table does not exist and an empty list when it exists
 * without rows: Windows Installer treats those differently (UAC patching needs the
 * MsiPatchCertificate table to exist).
 */
import { MalformedPackageError } from '../errors.js';
import { columnKind, type ColumnDefinition, type ColumnKind } from './column.js';
import type { MsiDatabase } from './database.js';
import { BinaryRef, type CellValue, type Row } from './table.js';

/** Certificates and cabinet hashes are small; refuse streams beyond this. */
const MAX_SIGNING_BLOB_BYTES = 1024 * 1024;

export interface MediaRow {
  readonly diskId: number;
  readonly lastSequence: number;
  readonly diskPrompt: string | null;
  /** `#name`: cabinet embedded as stream `name`; other text: external cabinet path; NULL: none. */
  readonly cabinet: string | null;
  readonly volumeLabel: string | null;
  readonly source: string | null;
  /** Logical stream name of an embedded cabinet (Cabinet without its leading `#`), else null. */
  readonly embeddedCabinetStream: string | null;
}

export interface DigitalCertificateRow {
  /** The DigitalCertificate key. */
  readonly id: string;
  /** DER of the certificate, from stream `MsiDigitalCertificate.<id>`. */
  readonly certData: Buffer;
}

export interface PatchCertificateRow {
  /** The PatchCertificate key. */
  readonly id: string;
  /** Key into MsiDigitalCertificate. */
  readonly digitalCertificate: string;
}

export interface DigitalSignatureRow {
  /** Always `Media` in a valid package. */
  readonly table: string;
  /** The Media.DiskId as text. */
  readonly signObject: string;
  readonly digitalCertificate: string;
  /** The cabinet's Authenticode digest, or null when only the certificate is checked. */
  readonly hash: Buffer | null;
}

export interface PatchMetadataRow {
  /** NULL for the standard Microsoft properties. */
  readonly company: string | null;
  readonly property: string;
  readonly value: string | null;
}

export interface PatchSequenceRow {
  readonly patchFamily: string;
  readonly productCode: string | null;
  readonly sequence: string;
  readonly attributes: number | null;
}

type Expected = 'string' | 'integer' | 'binary';

/** Column access by name, checking the column's kind against what the reader expects. */
class TypedTable {
  private constructor(
    private readonly table: string,
    private readonly columns: ReadonlyMap<string, ColumnKind>,
    readonly rows: readonly Row[],
  ) {}

  static async open(db: MsiDatabase, table: string): Promise<TypedTable | undefined> {
    const rows = await db.readTable(table);
    if (!rows) return undefined;
    const columns = new Map<string, ColumnKind>();
    for (const column of db.columns(table) as readonly ColumnDefinition[]) {
      columns.set(column.name, columnKind(column.type));
    }
    return new TypedTable(table, columns, rows);
  }

  /** Throws unless the column exists with the expected kind; `optional` columns may be absent. */
  check(column: string, expected: Expected, optional = false): boolean {
    const kind = this.columns.get(column);
    if (kind === undefined) {
      if (optional) return false;
      throw new MalformedPackageError(`table ${this.table} has no ${column} column`);
    }
    const actual: Expected = kind === 'int16' || kind === 'int32' ? 'integer' : kind;
    if (actual !== expected) {
      throw new MalformedPackageError(
        `${this.table}.${column} is a ${actual} column, not ${expected}`,
      );
    }
    return true;
  }

  string(row: Row, column: string): string | null {
    return this.has(column) ? (row[column] as string | null) : null;
  }

  requiredString(row: Row, column: string): string {
    return this.required(this.string(row, column), column);
  }

  integer(row: Row, column: string): number | null {
    return this.has(column) ? (row[column] as number | null) : null;
  }

  requiredInteger(row: Row, column: string): number {
    return this.required(this.integer(row, column), column);
  }

  binary(row: Row, column: string): BinaryRef | null {
    const value: CellValue = this.has(column) ? row[column]! : null;
    return value instanceof BinaryRef ? value : null;
  }

  requiredBinary(row: Row, column: string): BinaryRef {
    return this.required(this.binary(row, column), column);
  }

  private has(column: string): boolean {
    return this.columns.has(column);
  }

  private required<T>(value: T | null, column: string): T {
    if (value === null) throw new MalformedPackageError(`${this.table}.${column} is NULL`);
    return value;
  }
}

/**
 * The Property table as a map. A missing table gives an empty map; a NULL value (how an empty
 * string is stored) reads as ''.
 */
export async function readProperties(db: MsiDatabase): Promise<Map<string, string>> {
  const table = await TypedTable.open(db, 'Property');
  const properties = new Map<string, string>();
  if (!table) return properties;
  table.check('Property', 'string');
  table.check('Value', 'string');
  for (const row of table.rows) {
    properties.set(table.requiredString(row, 'Property'), table.string(row, 'Value') ?? '');
  }
  return properties;
}

export async function readMedia(db: MsiDatabase): Promise<MediaRow[] | undefined> {
  const table = await TypedTable.open(db, 'Media');
  if (!table) return undefined;
  table.check('DiskId', 'integer');
  table.check('LastSequence', 'integer');
  for (const column of ['DiskPrompt', 'Cabinet', 'VolumeLabel', 'Source'])
    table.check(column, 'string', true);
  return table.rows.map((row) => {
    const cabinet = table.string(row, 'Cabinet');
    return {
      diskId: table.requiredInteger(row, 'DiskId'),
      lastSequence: table.requiredInteger(row, 'LastSequence'),
      diskPrompt: table.string(row, 'DiskPrompt'),
      cabinet,
      volumeLabel: table.string(row, 'VolumeLabel'),
      source: table.string(row, 'Source'),
      embeddedCabinetStream: cabinet?.startsWith('#') ? cabinet.slice(1) : null,
    };
  });
}

/**
 * Reads binary cells once per stream. Rows with the same key name the same stream (keys are not
 * checked for uniqueness), so without this a file with a thousand duplicate rows would have us
 * read and hold one 1 MiB stream a thousand times; with it, what is read is bounded by the file.
 */
function onceEachStream(db: MsiDatabase): (ref: BinaryRef) => Promise<Buffer> {
  const streams = new Map<string, Promise<Buffer>>();
  return (ref) => {
    let bytes = streams.get(ref.streamName);
    if (!bytes) {
      bytes = db.readBinary(ref, MAX_SIGNING_BLOB_BYTES);
      streams.set(ref.streamName, bytes);
    }
    return bytes;
  };
}

/** MsiDigitalCertificate rows with their certificate bytes. */
export async function readDigitalCertificates(
  db: MsiDatabase,
): Promise<DigitalCertificateRow[] | undefined> {
  const table = await TypedTable.open(db, 'MsiDigitalCertificate');
  if (!table) return undefined;
  table.check('DigitalCertificate', 'string');
  table.check('CertData', 'binary');
  const rows: DigitalCertificateRow[] = [];
  const readBinary = onceEachStream(db);
  for (const row of table.rows) {
    rows.push({
      id: table.requiredString(row, 'DigitalCertificate'),
      certData: await readBinary(table.requiredBinary(row, 'CertData')),
    });
  }
  return rows;
}

/**
 * MsiPatchCertificate rows. Both definitions are accepted: Microsoft's (PatchCertificate is the
 * only key) and WiX's (both columns are keys), §3.9.
 */
export async function readPatchCertificates(
  db: MsiDatabase,
): Promise<PatchCertificateRow[] | undefined> {
  const table = await TypedTable.open(db, 'MsiPatchCertificate');
  if (!table) return undefined;
  table.check('PatchCertificate', 'string');
  table.check('DigitalCertificate_', 'string');
  return table.rows.map((row) => ({
    id: table.requiredString(row, 'PatchCertificate'),
    digitalCertificate: table.requiredString(row, 'DigitalCertificate_'),
  }));
}

/** MsiDigitalSignature rows with the optional cabinet hash. */
export async function readDigitalSignatures(
  db: MsiDatabase,
): Promise<DigitalSignatureRow[] | undefined> {
  const table = await TypedTable.open(db, 'MsiDigitalSignature');
  if (!table) return undefined;
  table.check('Table', 'string');
  table.check('SignObject', 'string');
  table.check('DigitalCertificate_', 'string');
  table.check('Hash', 'binary', true);
  const rows: DigitalSignatureRow[] = [];
  const readBinary = onceEachStream(db);
  for (const row of table.rows) {
    const hash = table.binary(row, 'Hash');
    rows.push({
      table: table.requiredString(row, 'Table'),
      signObject: table.requiredString(row, 'SignObject'),
      digitalCertificate: table.requiredString(row, 'DigitalCertificate_'),
      hash: hash ? await readBinary(hash) : null,
    });
  }
  return rows;
}

/** MSP: the MsiPatchMetadata table. */
export async function readPatchMetadata(db: MsiDatabase): Promise<PatchMetadataRow[] | undefined> {
  const table = await TypedTable.open(db, 'MsiPatchMetadata');
  if (!table) return undefined;
  table.check('Company', 'string', true);
  table.check('Property', 'string');
  table.check('Value', 'string');
  return table.rows.map((row) => ({
    company: table.string(row, 'Company'),
    property: table.requiredString(row, 'Property'),
    value: table.string(row, 'Value'),
  }));
}

/** MSP: the MsiPatchSequence table. */
export async function readPatchSequence(db: MsiDatabase): Promise<PatchSequenceRow[] | undefined> {
  const table = await TypedTable.open(db, 'MsiPatchSequence');
  if (!table) return undefined;
  table.check('PatchFamily', 'string');
  table.check('ProductCode', 'string', true);
  table.check('Sequence', 'string');
  table.check('Attributes', 'integer', true);
  return table.rows.map((row) => ({
    patchFamily: table.requiredString(row, 'PatchFamily'),
    productCode: table.string(row, 'ProductCode'),
    sequence: table.requiredString(row, 'Sequence'),
    attributes: table.integer(row, 'Attributes'),
  }));
}
