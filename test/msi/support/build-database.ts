/**
 * Builds the streams of an installer database with the library's own encode side
 * (StringPool.intern, encodeCatalogRows, encodeRow, encodeTableStream): the same steps the
 * fill-patch-certificate writer takes (docs/formats.md §3.12).
 */
import {
  encodeCatalogRows,
  TABLES_COLUMNS,
  COLUMNS_COLUMNS,
  type TableSchema,
} from '../../../src/msi/catalog.js';
import { parseIdtType, type ColumnDefinition } from '../../../src/msi/column.js';
import { encodeStreamName } from '../../../src/msi/stream-name.js';
import { StringPool } from '../../../src/msi/string-pool.js';
import {
  encodeSummaryInformation,
  SUMMARY_INFORMATION_STREAM,
  type SummaryValue,
} from '../../../src/msi/summary-information.js';
import {
  binaryStreamName,
  encodeRow,
  encodeTableStream,
  type CellInput,
  type RawRow,
} from '../../../src/msi/table.js';

export interface ColumnSpec {
  readonly name: string;
  /** IDT notation: s72, S255, l0, i2, I4, v0, V0. */
  readonly idt: string;
  readonly key?: boolean;
}

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  /** Values in column order; binary cells take the stream bytes (Uint8Array) or null. */
  readonly rows?: readonly (readonly CellInput[])[];
}

export interface DatabaseSpec {
  readonly codePage?: number;
  readonly longStringReferences?: boolean;
  readonly tables: readonly TableSpec[];
  /** Extra non-table streams by logical name. */
  readonly streams?: Readonly<Record<string, Uint8Array>>;
  readonly summary?: ReadonlyMap<number, SummaryValue>;
}

export function schemaOf(table: TableSpec): TableSchema {
  return {
    name: table.name,
    columns: table.columns.map((column, index): ColumnDefinition => ({
      number: index + 1,
      name: column.name,
      type: parseIdtType(column.idt, column.key ?? false),
    })),
  };
}

/** Raw CFB name → bytes for every stream of the database. */
export function buildDatabaseStreams(spec: DatabaseSpec): Map<string, Buffer> {
  const pool = StringPool.create(spec.codePage ?? 1252, {
    longStringReferences: spec.longStringReferences ?? false,
  });
  const tablesRows: RawRow[] = [];
  const columnsRows: RawRow[] = [];
  const streams = new Map<string, Buffer>();
  const tableStreams: { name: string; columns: readonly ColumnDefinition[]; rows: RawRow[] }[] = [];

  for (const table of spec.tables) {
    const schema = schemaOf(table);
    const catalog = encodeCatalogRows(schema, pool);
    tablesRows.push(catalog.tablesRow);
    columnsRows.push(...catalog.columnsRows);
    const rows = (table.rows ?? []).map((values) => encodeRow(schema.columns, values, pool));
    rows.forEach((row, r) => {
      for (const value of table.rows![r]!) {
        if (value instanceof Uint8Array) {
          const name = binaryStreamName(table.name, schema.columns, row, pool);
          streams.set(encodeStreamName(name, false), Buffer.from(value));
        }
      }
    });
    tableStreams.push({ name: table.name, columns: schema.columns, rows });
  }

  const width = pool.referenceWidth;
  for (const table of tableStreams) {
    // Empty tables have no stream (docs/formats.md §8.2).
    if (table.rows.length > 0) {
      streams.set(
        encodeStreamName(table.name, true),
        encodeTableStream(table.columns, table.rows, width),
      );
    }
  }
  streams.set(
    encodeStreamName('_Tables', true),
    encodeTableStream(TABLES_COLUMNS, tablesRows, width),
  );
  streams.set(
    encodeStreamName('_Columns', true),
    encodeTableStream(COLUMNS_COLUMNS, columnsRows, width),
  );
  const { pool: poolBytes, data } = pool.serialize();
  streams.set(encodeStreamName('_StringPool', true), poolBytes);
  streams.set(encodeStreamName('_StringData', true), data);
  for (const [name, bytes] of Object.entries(spec.streams ?? {})) {
    streams.set(encodeStreamName(name, false), Buffer.from(bytes));
  }
  if (spec.summary) streams.set(SUMMARY_INFORMATION_STREAM, encodeSummaryInformation(spec.summary));
  return streams;
}
