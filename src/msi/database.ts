/**
 * An MSI/MSP database opened over a compound file: string pool, catalog, tables on demand,
 * binary streams, summary information (docs/formats.md §3, §4).
 */
import type { CompoundFile, DirectoryEntry } from '../cfb/types.js';
import { MalformedPackageError } from '../errors.js';
import {
  Catalog,
  COLUMNS_COLUMNS,
  COLUMNS_TABLE,
  TABLES_COLUMNS,
  TABLES_TABLE,
} from './catalog.js';
import type { ColumnDefinition } from './column.js';
import { decodeStreamName, encodeStreamName, MAX_STREAM_NAME_LENGTH } from './stream-name.js';
import { StringPool } from './string-pool.js';
import {
  parseSummaryInformation,
  SUMMARY_INFORMATION_STREAM,
  type SummaryInformation,
} from './summary-information.js';
import { BinaryRef, decodeRows, decodeTableStream, type RawRow, type Row } from './table.js';

/** Size limit for table streams and `_StringPool` (a real MSI's largest table is a few MiB). */
export const DEFAULT_MAX_TABLE_BYTES = 16 * 1024 * 1024;
/** Size limit for `_StringData`. */
export const DEFAULT_MAX_STRING_DATA_BYTES = 64 * 1024 * 1024;
/** Row limit per table, so a hostile stream of tiny rows cannot exhaust memory. */
export const DEFAULT_MAX_ROWS = 1 << 20;
/** Size limit for the summary information stream (real ones are under 4 KiB). */
const MAX_SUMMARY_BYTES = 1024 * 1024;

export const STRING_POOL_TABLE = '_StringPool';
export const STRING_DATA_TABLE = '_StringData';

export interface OpenMsiDatabaseOptions {
  readonly maxTableBytes?: number;
  readonly maxStringDataBytes?: number;
  readonly maxRows?: number;
}

/** A stream of the root storage with its decoded name. */
export interface MsiStream {
  /** Logical name (`Binary.Icon`, `Property`, `\x05SummaryInformation`). */
  readonly name: string;
  /** True for table streams (raw name starts with 0x4840). */
  readonly isTable: boolean;
  readonly entry: DirectoryEntry;
}

/** An open installer database. Tables are read when first asked for, then cached. */
export class MsiDatabase {
  private rawTables = new Map<string, Promise<readonly RawRow[]>>();
  private tables = new Map<string, Promise<readonly Row[]>>();
  private readonly limits: Required<OpenMsiDatabaseOptions>;

  /** @internal use {@link openMsiDatabase} */
  constructor(
    readonly cfb: CompoundFile,
    readonly stringPool: StringPool,
    readonly catalog: Catalog,
    /** Undefined when the package has no `\x05SummaryInformation` stream. */
    readonly summaryInformation: SummaryInformation | undefined,
    limits: Required<OpenMsiDatabaseOptions>,
    catalogRows: { readonly tables: RawRow[]; readonly columns: RawRow[] },
  ) {
    this.limits = limits;
    this.rawTables.set(TABLES_TABLE, Promise.resolve(catalogRows.tables));
    this.rawTables.set(COLUMNS_TABLE, Promise.resolve(catalogRows.columns));
  }

  /**
   * The same database read through `cfb`, the same compound file through another source
   * (CompoundFile.through): the string pool, catalog and tables already read are shared, not
   * read again (issue 19).
   */
  through(cfb: CompoundFile): MsiDatabase {
    const copy = new MsiDatabase(
      cfb,
      this.stringPool,
      this.catalog,
      this.summaryInformation,
      this.limits,
      { tables: [], columns: [] },
    );
    copy.rawTables = this.rawTables;
    copy.tables = this.tables;
    return copy;
  }

  /** User tables listed in `_Tables` (not `_Tables`/`_Columns` themselves), in stored order. */
  get tableNames(): readonly string[] {
    return this.catalog.tableNames;
  }

  hasTable(name: string): boolean {
    return this.catalog.has(name);
  }

  /** The table's columns in order, or undefined when the database has no such table. */
  columns(table: string): readonly ColumnDefinition[] | undefined {
    return this.catalog.columns(table);
  }

  /**
   * Stored cell values (string IDs, biased integers, binary markers) in stored order, or
   * undefined when the table does not exist. A listed table without a stream has no rows.
   */
  async readRawTable(name: string): Promise<readonly RawRow[] | undefined> {
    const columns = this.catalog.columns(name);
    if (!columns) return undefined;
    let rows = this.rawTables.get(name);
    if (!rows) {
      rows = this.loadRawTable(name, columns);
      this.rawTables.set(name, rows);
    }
    return rows;
  }

  /** Decoded rows keyed by column name, or undefined when the table does not exist. */
  async readTable(name: string): Promise<readonly Row[] | undefined> {
    const columns = this.catalog.columns(name);
    if (!columns) return undefined;
    let rows = this.tables.get(name);
    if (!rows) {
      rows = this.readRawTable(name).then((raw) =>
        decodeRows(name, columns, raw!, this.stringPool),
      );
      this.tables.set(name, rows);
    }
    return rows;
  }

  /** The directory entry of a binary cell's stream, or undefined when it does not exist. */
  binaryEntry(ref: BinaryRef): DirectoryEntry | undefined {
    return this.streamEntry(ref.streamName);
  }

  /** A non-table stream of the root storage by logical name. */
  streamEntry(logicalName: string): DirectoryEntry | undefined {
    const raw = encodeStreamName(logicalName, false);
    if (raw.length > MAX_STREAM_NAME_LENGTH) return undefined;
    const entry = this.cfb.child(this.cfb.root, raw);
    return entry?.kind === 'stream' ? entry : undefined;
  }

  /**
   * The bytes behind a binary cell. Throws MalformedPackageError when the stream is missing or
   * larger than `maxBytes` (default: the compound file reader's limit).
   */
  async readBinary(ref: BinaryRef, maxBytes?: number): Promise<Buffer> {
    const entry = this.binaryEntry(ref);
    if (!entry) {
      throw new MalformedPackageError(
        `${ref.table}.${ref.column} refers to stream ${ref.streamName}, which does not exist`,
      );
    }
    return this.cfb.readStream(entry, maxBytes);
  }

  /** Every stream of the root storage with its decoded name. */
  streams(): MsiStream[] {
    return this.cfb
      .children(this.cfb.root)
      .filter((entry) => entry.kind === 'stream')
      .map((entry) => ({ ...decodeStreamName(entry.name), entry }));
  }

  private async loadRawTable(
    name: string,
    columns: readonly ColumnDefinition[],
  ): Promise<RawRow[]> {
    const bytes = await readOptionalStream(
      this.cfb,
      encodeStreamName(name, true),
      this.limits.maxTableBytes,
    );
    return decodeTableStream(
      name,
      bytes ?? new Uint8Array(0),
      columns,
      this.stringPool.referenceWidth,
      {
        maxRows: this.limits.maxRows,
      },
    );
  }
}

async function readOptionalStream(
  cfb: CompoundFile,
  rawName: string,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const entry = cfb.child(cfb.root, rawName);
  if (!entry) return undefined;
  if (entry.kind !== 'stream') {
    throw new MalformedPackageError(
      `${JSON.stringify(decodeStreamName(rawName).name)} is a storage, not a stream`,
    );
  }
  return cfb.readStream(entry, maxBytes);
}

/**
 * Opens the database of an MSI, MSP, MST or MSM: reads the string pool, the catalog and the
 * summary information. Throws MalformedPackageError when the string pool is missing or any of
 * these is damaged.
 */
export async function openMsiDatabase(
  cfb: CompoundFile,
  options: OpenMsiDatabaseOptions = {},
): Promise<MsiDatabase> {
  const limits: Required<OpenMsiDatabaseOptions> = {
    maxTableBytes: options.maxTableBytes ?? DEFAULT_MAX_TABLE_BYTES,
    maxStringDataBytes: options.maxStringDataBytes ?? DEFAULT_MAX_STRING_DATA_BYTES,
    maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
  };
  const poolBytes = await readOptionalStream(
    cfb,
    encodeStreamName(STRING_POOL_TABLE, true),
    limits.maxTableBytes,
  );
  const dataBytes = await readOptionalStream(
    cfb,
    encodeStreamName(STRING_DATA_TABLE, true),
    limits.maxStringDataBytes,
  );
  if (!poolBytes || !dataBytes) {
    throw new MalformedPackageError(
      'the package has no string pool (_StringPool/_StringData streams)',
    );
  }
  const pool = StringPool.parse(poolBytes, dataBytes);

  const readCatalogTable = async (
    name: string,
    columns: readonly ColumnDefinition[],
  ): Promise<RawRow[]> => {
    const bytes = await readOptionalStream(cfb, encodeStreamName(name, true), limits.maxTableBytes);
    return decodeTableStream(name, bytes ?? new Uint8Array(0), columns, pool.referenceWidth, {
      maxRows: limits.maxRows,
    });
  };
  const catalogRows = {
    tables: await readCatalogTable(TABLES_TABLE, TABLES_COLUMNS),
    columns: await readCatalogTable(COLUMNS_TABLE, COLUMNS_COLUMNS),
  };
  const catalog = Catalog.parse(catalogRows.tables, catalogRows.columns, pool);

  const summaryBytes = await readOptionalStream(cfb, SUMMARY_INFORMATION_STREAM, MAX_SUMMARY_BYTES);
  const summaryInformation = summaryBytes ? parseSummaryInformation(summaryBytes) : undefined;

  return new MsiDatabase(cfb, pool, catalog, summaryInformation, limits, catalogRows);
}
