/**
 * `fill-patch-certificate`: lists signer certificates in an MSI's MsiDigitalCertificate and
 * MsiPatchCertificate tables before the MSI is signed, so that patches signed with them apply
 * without elevation (UAC patching, docs/formats.md §3.11). Implements §3.12 on top of the database
 * reader and the full-rewrite compound file writer (§1.9).
 *
 * Only the string pool, the catalog (when a table is created), the two tables, `_Validation`
 * (when present) and the new CertData streams are written anew; every other stream is copied
 * byte for byte, every entry keeps its name and metadata, string IDs already in use never move.
 */
import { copyFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openCompoundFile, type CompoundFile } from '../cfb/index.js';
import {
  bufferContent,
  specFromCompoundFile,
  writeCompoundFileToPath,
  type NodeSpec,
  type RootSpec,
} from '../cfb/writer.js';
import { RandomAccessFile } from '../io/random-access-file.js';
import {
  binaryStreamName,
  columnKind,
  COLUMNS_COLUMNS,
  COLUMNS_TABLE,
  detectPackageKind,
  encodeCatalogRows,
  encodeRow,
  encodeStreamName,
  encodeTableStream,
  isKeyType,
  isNullableType,
  openMsiDatabase,
  readDigitalCertificates,
  readPatchCertificates,
  STRING_DATA_TABLE,
  STRING_POOL_TABLE,
  TABLES_COLUMNS,
  TABLES_TABLE,
  type CellInput,
  type ColumnDefinition,
  type MsiDatabase,
  type RawRow,
  type TableSchema,
} from '../msi/index.js';
import type { Certificate } from '../x509/certificate.js';
import { existingMode, writeFileAtomically } from './atomic-file.js';
import {
  deriveKeys,
  DIGITAL_CERTIFICATE_SCHEMA,
  DIGITAL_CERTIFICATE_TABLE,
  PATCH_CERTIFICATE_SCHEMA,
  PATCH_CERTIFICATE_TABLE,
  VALIDATION_ROWS,
  VALIDATION_TABLE,
  type CertificateKeys,
} from './certificate-tables.js';
import { FillError } from './errors.js';

/** Raw names of the signature streams (§5.1); stored unmangled. */
export const DIGITAL_SIGNATURE_STREAM = '\u0005DigitalSignature';
export const MSI_DIGITAL_SIGNATURE_EX_STREAM = '\u0005MsiDigitalSignatureEx';

export interface FillOptions {
  /** Row key for the certificate(s); see {@link deriveKeys}. */
  readonly id?: string;
  /** Write the result here instead of replacing the input. */
  readonly out?: string;
  /** Fill a signed package by removing its signature streams (it must be signed again). */
  readonly removeSignature?: boolean;
}

/** A certificate as the package lists it. */
export interface ListedCertificate {
  readonly certificate: Certificate;
  /** Key of its MsiDigitalCertificate row. */
  readonly digitalCertificate: string;
  /** Key of the MsiPatchCertificate row pointing at it. */
  readonly patchCertificate: string;
}

export interface AddedCertificate extends ListedCertificate {
  /**
   * False when MsiDigitalCertificate already held this certificate (e.g. for an external
   * cabinet's MsiDigitalSignature) and only the MsiPatchCertificate row was added.
   */
  readonly addedDigitalCertificateRow: boolean;
}

export interface FillResult {
  readonly input: string;
  /** Where the package is now: the input itself, or `out`. */
  readonly output: string;
  /** False when every certificate was already listed: the input was not touched. */
  readonly changed: boolean;
  readonly added: readonly AddedCertificate[];
  readonly alreadyListed: readonly ListedCertificate[];
  /** Tables created (a subset of MsiDigitalCertificate, MsiPatchCertificate). */
  readonly createdTables: readonly string[];
  /** `_Validation` rows added (0 when the package has no `_Validation` table). */
  readonly validationRowsAdded: number;
  /** Raw names of the signature streams removed (`\x05DigitalSignature`, …). */
  readonly removedStreams: readonly string[];
  /** Compound file major version of the output. */
  readonly version: 3 | 4;
}

interface PlannedRow {
  readonly certificate: Certificate;
  readonly keys: CertificateKeys;
  readonly addDigitalCertificateRow: boolean;
}

interface FillPlan {
  readonly additions: readonly PlannedRow[];
  readonly alreadyListed: readonly ListedCertificate[];
}

/** The package's changes: streams to write (raw name → bytes) and what they mean. */
interface DatabaseEdit {
  readonly streams: ReadonlyMap<string, Uint8Array>;
  readonly createdTables: readonly string[];
  readonly validationRowsAdded: number;
}

/**
 * Adds each certificate (deduplicated by DER) to MsiDigitalCertificate and MsiPatchCertificate,
 * creating the tables when needed. Idempotent: when every certificate is already listed the
 * input is left untouched (with `out`, an identical copy is written there) — even when it is
 * signed, since nothing that the signature covers changes.
 *
 * Throws FillError for packages it refuses (signed without `removeSignature`, not an MSI, key
 * conflicts, unexpected table definitions), NotAPackageError / MalformedPackageError for files
 * that are not readable installer databases, and I/O errors as they come. On any failure the
 * target file is unchanged.
 */
export async function fillPatchCertificate(
  input: string,
  certificates: readonly Certificate[],
  options: FillOptions = {},
): Promise<FillResult> {
  const unique = uniqueCertificates(certificates);
  if (unique.length === 0) throw new RangeError('no certificate to fill in');
  const keys = deriveKeys(unique, options.id);
  const inputPath = resolve(input);
  const outputPath = resolve(options.out ?? input);

  const source = await RandomAccessFile.open(inputPath);
  let open = true;
  const close = async (): Promise<void> => {
    if (open) {
      open = false;
      await source.close();
    }
  };
  try {
    const cfb = await openCompoundFile(source);
    const kind = detectPackageKind(cfb);
    if (kind !== 'msi') {
      throw new FillError(
        'not-an-msi',
        kind === 'unknown-cfb'
          ? 'the compound file is not a Windows Installer database (unknown root CLSID)'
          : `the file is an .${kind}, not an .msi`,
      );
    }
    const db = await openMsiDatabase(cfb);
    const plan = await planFill(db, unique, keys);
    const base = {
      input: inputPath,
      output: outputPath,
      alreadyListed: plan.alreadyListed,
      version: cfb.version,
    };

    if (plan.additions.length === 0) {
      if (outputPath !== inputPath) {
        await writeFileAtomically(outputPath, (temporary) => copyFile(inputPath, temporary), {
          mode: await existingMode(outputPath),
        });
      }
      return {
        ...base,
        changed: false,
        added: [],
        createdTables: [],
        validationRowsAdded: 0,
        removedStreams: [],
      };
    }

    const signatureStreams = [DIGITAL_SIGNATURE_STREAM, MSI_DIGITAL_SIGNATURE_EX_STREAM].filter(
      (name) => cfb.child(cfb.root, name) !== undefined,
    );
    if (cfb.child(cfb.root, DIGITAL_SIGNATURE_STREAM) && !options.removeSignature) {
      throw new FillError(
        'signed',
        'the package is signed and filling it would invalidate the signature; fill it before ' +
          'signing, or have the signature removed and sign again afterwards',
      );
    }
    const removedStreams = options.removeSignature ? signatureStreams : [];

    const edit = await editDatabase(db, plan.additions);
    const spec = rewrittenTree(cfb, edit.streams, new Set(removedStreams));
    let version: 3 | 4 = cfb.version;
    await writeFileAtomically(
      outputPath,
      async (temporary) => {
        version = (await writeCompoundFileToPath(spec, temporary, { version: cfb.version }))
          .version;
        await checkListed(temporary, unique);
      },
      { mode: await existingMode(outputPath), beforeRename: close },
    );

    return {
      ...base,
      version,
      changed: true,
      added: plan.additions.map((row) => ({
        certificate: row.certificate,
        digitalCertificate: row.keys.digitalCertificate,
        patchCertificate: row.keys.patchCertificate,
        addedDigitalCertificateRow: row.addDigitalCertificateRow,
      })),
      createdTables: edit.createdTables,
      validationRowsAdded: edit.validationRowsAdded,
      removedStreams,
    };
  } finally {
    await close();
  }
}

function uniqueCertificates(certificates: readonly Certificate[]): Certificate[] {
  const unique: Certificate[] = [];
  for (const certificate of certificates) {
    if (!unique.some((other) => other.der.equals(certificate.der))) unique.push(certificate);
  }
  return unique;
}

/** Decides, per certificate, whether it is listed already and which rows it needs. */
async function planFill(
  db: MsiDatabase,
  certificates: readonly Certificate[],
  keys: readonly CertificateKeys[],
): Promise<FillPlan> {
  const dcColumns = db.columns(DIGITAL_CERTIFICATE_TABLE);
  const pcColumns = db.columns(PATCH_CERTIFICATE_TABLE);
  if (dcColumns) checkDigitalCertificateColumns(dcColumns);
  if (pcColumns) checkPatchCertificateColumns(pcColumns);
  const digitalCertificates = (await readDigitalCertificates(db)) ?? [];
  const patchCertificates = (await readPatchCertificates(db)) ?? [];

  const additions: PlannedRow[] = [];
  const alreadyListed: ListedCertificate[] = [];
  certificates.forEach((certificate, index) => {
    const sameCertificate = digitalCertificates.filter((row) =>
      row.certData.equals(certificate.der),
    );
    const listing = patchCertificates.find((row) =>
      sameCertificate.some((dc) => dc.id === row.digitalCertificate),
    );
    if (listing) {
      alreadyListed.push({
        certificate,
        digitalCertificate: listing.digitalCertificate,
        patchCertificate: listing.id,
      });
      return;
    }
    const derived = keys[index]!;
    const existingRow = sameCertificate[0];
    const digitalCertificate = existingRow?.id ?? derived.digitalCertificate;
    if (!existingRow && digitalCertificates.some((row) => row.id === digitalCertificate)) {
      throw new FillError(
        'key-conflict',
        `MsiDigitalCertificate already has a row ${JSON.stringify(digitalCertificate)} holding another ` +
          `certificate; choose another --id`,
      );
    }
    const patchCertificate = derived.patchCertificate;
    if (patchCertificates.some((row) => row.id === patchCertificate)) {
      throw new FillError(
        'key-conflict',
        `MsiPatchCertificate already has a row ${JSON.stringify(patchCertificate)} for another ` +
          `certificate; choose another --id`,
      );
    }
    additions.push({
      certificate,
      keys: { digitalCertificate, patchCertificate },
      addDigitalCertificateRow: !existingRow,
    });
  });
  return { additions, alreadyListed };
}

function unexpected(table: string, detail: string): FillError {
  return new FillError('unexpected-schema', `the existing ${table} table ${detail}`);
}

/** Columns we fill must exist with the right kind; any other column must accept NULL. */
function checkColumns(
  table: string,
  columns: readonly ColumnDefinition[],
  required: Readonly<Record<string, 'string' | 'binary'>>,
): void {
  for (const [name, kind] of Object.entries(required)) {
    const column = columns.find((c) => c.name === name);
    if (!column) throw unexpected(table, `has no ${name} column`);
    if (columnKind(column.type) !== kind) {
      throw unexpected(table, `has a ${columnKind(column.type)} ${name} column, not ${kind}`);
    }
  }
  for (const column of columns) {
    if (!(column.name in required) && !isNullableType(column.type)) {
      throw unexpected(table, `has an extra non-nullable column ${column.name}`);
    }
  }
}

function checkDigitalCertificateColumns(columns: readonly ColumnDefinition[]): void {
  checkColumns(DIGITAL_CERTIFICATE_TABLE, columns, {
    DigitalCertificate: 'string',
    CertData: 'binary',
  });
  // The CertData stream is named after every key column (§3.7): the key must be the identifier alone.
  const keys = columns.filter((c) => isKeyType(c.type)).map((c) => c.name);
  if (keys.length !== 1 || keys[0] !== 'DigitalCertificate') {
    throw unexpected(
      DIGITAL_CERTIFICATE_TABLE,
      `has primary key (${keys.join(', ')}), not (DigitalCertificate)`,
    );
  }
}

function checkPatchCertificateColumns(columns: readonly ColumnDefinition[]): void {
  checkColumns(PATCH_CERTIFICATE_TABLE, columns, {
    PatchCertificate: 'string',
    DigitalCertificate_: 'string',
  });
  // Microsoft: PatchCertificate alone; WiX: both columns (§3.9). Both are accepted.
  const keys = columns.filter((c) => isKeyType(c.type)).map((c) => c.name);
  if (
    !keys.includes('PatchCertificate') ||
    keys.some((k) => k !== 'PatchCertificate' && k !== 'DigitalCertificate_')
  ) {
    throw unexpected(PATCH_CERTIFICATE_TABLE, `has primary key (${keys.join(', ')})`);
  }
}

/** One row's values in column order, NULL where we have nothing. */
function rowValues(
  columns: readonly ColumnDefinition[],
  values: Readonly<Record<string, CellInput>>,
): CellInput[] {
  return columns.map((column) => values[column.name] ?? null);
}

/** Interns and encodes; the string pool's "full" RangeError becomes a FillError. */
function encode(
  table: string,
  columns: readonly ColumnDefinition[],
  values: Readonly<Record<string, CellInput>>,
  db: MsiDatabase,
): number[] {
  try {
    return encodeRow(columns, rowValues(columns, values), db.stringPool);
  } catch (error) {
    throw translateEncodingError(table, error);
  }
}

function translateEncodingError(table: string, error: unknown): unknown {
  if (error instanceof RangeError && /string pool is full/.test(error.message)) {
    return new FillError('string-pool-full', error.message);
  }
  if (error instanceof TypeError || error instanceof RangeError) {
    return unexpected(table, `cannot hold the new row (${error.message})`);
  }
  return error;
}

/** Rows, catalog entries and strings for the additions; returns the streams to write. */
async function editDatabase(
  db: MsiDatabase,
  additions: readonly PlannedRow[],
): Promise<DatabaseEdit> {
  const pool = db.stringPool;
  const width = pool.referenceWidth;
  const streams = new Map<string, Uint8Array>();
  const createdTables: string[] = [];
  const tablesRows: RawRow[] = [...((await db.readRawTable(TABLES_TABLE)) ?? [])];
  const columnsRows: RawRow[] = [...((await db.readRawTable(COLUMNS_TABLE)) ?? [])];

  const tableColumns = (schema: TableSchema): readonly ColumnDefinition[] => {
    const existing = db.columns(schema.name);
    if (existing) return existing;
    try {
      const rows = encodeCatalogRows(schema, pool);
      tablesRows.push(rows.tablesRow);
      columnsRows.push(...rows.columnsRows);
    } catch (error) {
      throw translateEncodingError(schema.name, error);
    }
    createdTables.push(schema.name);
    return schema.columns;
  };
  const dcColumns = tableColumns(DIGITAL_CERTIFICATE_SCHEMA);
  const pcColumns = tableColumns(PATCH_CERTIFICATE_SCHEMA);

  const dcRows: RawRow[] = [...((await db.readRawTable(DIGITAL_CERTIFICATE_TABLE)) ?? [])];
  const pcRows: RawRow[] = [...((await db.readRawTable(PATCH_CERTIFICATE_TABLE)) ?? [])];
  let dcChanged = false;
  for (const row of additions) {
    if (row.addDigitalCertificateRow) {
      const raw = encode(
        DIGITAL_CERTIFICATE_TABLE,
        dcColumns,
        { DigitalCertificate: row.keys.digitalCertificate, CertData: row.certificate.der },
        db,
      );
      dcRows.push(raw);
      dcChanged = true;
      const streamName = binaryStreamName(DIGITAL_CERTIFICATE_TABLE, dcColumns, raw, pool);
      streams.set(encodeStreamName(streamName, false), row.certificate.der);
    }
    pcRows.push(
      encode(
        PATCH_CERTIFICATE_TABLE,
        pcColumns,
        {
          PatchCertificate: row.keys.patchCertificate,
          DigitalCertificate_: row.keys.digitalCertificate,
        },
        db,
      ),
    );
  }

  const validationRowsAdded = await addValidationRows(
    db,
    [
      [DIGITAL_CERTIFICATE_TABLE, dcColumns],
      [PATCH_CERTIFICATE_TABLE, pcColumns],
    ],
    streams,
  );

  const table = (name: string, columns: readonly ColumnDefinition[], rows: readonly RawRow[]) =>
    streams.set(encodeStreamName(name, true), encodeTableStream(columns, rows, width));
  if (dcChanged) table(DIGITAL_CERTIFICATE_TABLE, dcColumns, dcRows);
  table(PATCH_CERTIFICATE_TABLE, pcColumns, pcRows);
  if (createdTables.length > 0) {
    table(TABLES_TABLE, TABLES_COLUMNS, tablesRows);
    table(COLUMNS_TABLE, COLUMNS_COLUMNS, columnsRows);
  }
  // Last: every reference above has been counted.
  const serialized = pool.serialize();
  streams.set(encodeStreamName(STRING_POOL_TABLE, true), serialized.pool);
  streams.set(encodeStreamName(STRING_DATA_TABLE, true), serialized.data);
  return { streams, createdTables, validationRowsAdded };
}

/**
 * When the package has `_Validation`, adds the rows it lacks for the columns of both tables
 * (ICE validation reads them; msiexec does not need them, §3.8).
 */
async function addValidationRows(
  db: MsiDatabase,
  tables: readonly (readonly [string, readonly ColumnDefinition[]])[],
  streams: Map<string, Uint8Array>,
): Promise<number> {
  const columns = db.columns(VALIDATION_TABLE);
  if (!columns) return 0;
  for (const name of ['Table', 'Column']) {
    const column = columns.find((c) => c.name === name);
    if (!column || columnKind(column.type) !== 'string') {
      throw unexpected(VALIDATION_TABLE, `has no string ${name} column`);
    }
  }
  const present = new Set(
    ((await db.readTable(VALIDATION_TABLE)) ?? []).map((row) => `${row.Table}.${row.Column}`),
  );
  const rows: RawRow[] = [...((await db.readRawTable(VALIDATION_TABLE)) ?? [])];
  let added = 0;
  for (const [table, tableColumns] of tables) {
    for (const column of tableColumns) {
      const key = `${table}.${column.name}`;
      const values = VALIDATION_ROWS[key];
      if (!values || present.has(key)) continue;
      rows.push(
        encode(VALIDATION_TABLE, columns, { Table: table, Column: column.name, ...values }, db),
      );
      added++;
    }
  }
  if (added > 0) {
    streams.set(
      encodeStreamName(VALIDATION_TABLE, true),
      encodeTableStream(columns, rows, db.stringPool.referenceWidth),
    );
  }
  return added;
}

/** The input's tree with streams replaced, added (zero metadata, as msitools writes) and removed. */
function rewrittenTree(
  cfb: CompoundFile,
  streams: ReadonlyMap<string, Uint8Array>,
  removed: ReadonlySet<string>,
): RootSpec {
  const spec = specFromCompoundFile(cfb);
  const children: NodeSpec[] = [];
  const replaced = new Set<string>();
  for (const child of spec.children) {
    if (removed.has(child.name)) continue;
    const bytes = streams.get(child.name);
    if (bytes === undefined) {
      children.push(child);
      continue;
    }
    if (child.kind !== 'stream') {
      throw new FillError(
        'unexpected-schema',
        `the package has a storage where stream ${JSON.stringify(child.name)} belongs`,
      );
    }
    children.push({ ...child, content: bufferContent(bytes) });
    replaced.add(child.name);
  }
  for (const [name, bytes] of streams) {
    if (!replaced.has(name)) children.push({ kind: 'stream', name, content: bufferContent(bytes) });
  }
  return { ...spec, children };
}

/** Reads the written file back: each certificate must be reachable from MsiPatchCertificate. */
async function checkListed(path: string, certificates: readonly Certificate[]): Promise<void> {
  const source = await RandomAccessFile.open(path);
  try {
    const db = await openMsiDatabase(await openCompoundFile(source));
    const digitalCertificates = (await readDigitalCertificates(db)) ?? [];
    const patchCertificates = (await readPatchCertificates(db)) ?? [];
    for (const certificate of certificates) {
      const listed = patchCertificates.some((row) =>
        digitalCertificates.some(
          (dc) => dc.id === row.digitalCertificate && dc.certData.equals(certificate.der),
        ),
      );
      if (!listed) {
        throw new Error(
          `internal error: the written package does not list ${certificate.subject} in MsiPatchCertificate`,
        );
      }
    }
  } finally {
    await source.close();
  }
}
