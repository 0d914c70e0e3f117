/**
 * The table catalog: `_Tables` (one row per table) and `_Columns` (one row per column),
 * whose own schemas are hard-coded (docs/formats.md §3.3).
 */
import { MalformedPackageError } from '../errors.js';
import { decodeInt16Cell, encodeInt16Cell, type ColumnDefinition } from './column.js';
import type { StringPool } from './string-pool.js';
import type { RawRow } from './table.js';

export const TABLES_TABLE = '_Tables';
export const COLUMNS_TABLE = '_Columns';

/** At most 32 columns per table (rust-msi `MAX_NUM_TABLE_COLUMNS`). */
export const MAX_TABLE_COLUMNS = 32;

/** `_Tables`: Name s64 key (msitools built-in type bits; never stored on disk). */
export const TABLES_COLUMNS: readonly ColumnDefinition[] = Object.freeze([
  { number: 1, name: 'Name', type: 0x2940 },
]);

/** `_Columns`: Table s64 key, Number i2 key, Name s64, Type i2. */
export const COLUMNS_COLUMNS: readonly ColumnDefinition[] = Object.freeze([
  { number: 1, name: 'Table', type: 0x2940 },
  { number: 2, name: 'Number', type: 0x2102 },
  { number: 3, name: 'Name', type: 0x0940 },
  { number: 4, name: 'Type', type: 0x0102 },
]);

export interface TableSchema {
  readonly name: string;
  /** In column order, numbered 1..N. */
  readonly columns: readonly ColumnDefinition[];
}

/** The validated catalog: every table's columns numbered 1..N without gaps, N ≤ 32. */
export class Catalog {
  private constructor(
    /** User tables in `_Tables` order (which is string-ID order in a well-formed file). */
    readonly tableNames: readonly string[],
    private readonly schemas: ReadonlyMap<string, readonly ColumnDefinition[]>,
  ) {}

  /** Builds the catalog from the raw rows of `_Tables` and `_Columns`. */
  static parse(
    tablesRows: readonly RawRow[],
    columnsRows: readonly RawRow[],
    pool: StringPool,
  ): Catalog {
    const names: string[] = [];
    const listed = new Set<string>();
    for (const [nameId] of tablesRows) {
      const name = requiredString(pool, nameId!, '_Tables.Name');
      if (name === TABLES_TABLE || name === COLUMNS_TABLE) continue;
      if (listed.has(name)) throw new MalformedPackageError(`_Tables lists ${name} twice`);
      listed.add(name);
      names.push(name);
    }

    const byTable = new Map<string, ColumnDefinition[]>();
    for (const [tableId, numberRaw, nameId, typeRaw] of columnsRows) {
      const table = requiredString(pool, tableId!, '_Columns.Table');
      if (!listed.has(table)) continue; // msi.dll only looks columns up by listed table
      const number = decodeInt16Cell(numberRaw!);
      const type = decodeInt16Cell(typeRaw!);
      const name = requiredString(pool, nameId!, `_Columns.Name of ${table}`);
      if (number === null || type === null) {
        throw new MalformedPackageError(
          `_Columns row for ${table}.${name} has a NULL Number or Type`,
        );
      }
      if (number < 1 || number > MAX_TABLE_COLUMNS) {
        throw new MalformedPackageError(
          `column ${table}.${name} has number ${number}, outside 1..${MAX_TABLE_COLUMNS}`,
        );
      }
      const columns = byTable.get(table) ?? [];
      columns.push({ number, name, type: type & 0xffff });
      byTable.set(table, columns);
    }

    const schemas = new Map<string, readonly ColumnDefinition[]>();
    schemas.set(TABLES_TABLE, TABLES_COLUMNS);
    schemas.set(COLUMNS_TABLE, COLUMNS_COLUMNS);
    for (const table of names) {
      const columns = (byTable.get(table) ?? []).sort((a, b) => a.number - b.number);
      if (columns.length === 0) throw new MalformedPackageError(`table ${table} has no columns`);
      const seen = new Set<string>();
      columns.forEach((column, index) => {
        if (column.number !== index + 1) {
          throw new MalformedPackageError(
            `table ${table} column numbers are not 1..${columns.length} without gaps or repeats`,
          );
        }
        if (seen.has(column.name)) {
          throw new MalformedPackageError(`table ${table} has two columns named ${column.name}`);
        }
        seen.add(column.name);
      });
      schemas.set(table, Object.freeze(columns));
    }
    return new Catalog(Object.freeze(names), schemas);
  }

  /** True for listed tables and for `_Tables` / `_Columns` themselves. */
  has(table: string): boolean {
    return this.schemas.has(table);
  }

  columns(table: string): readonly ColumnDefinition[] | undefined {
    return this.schemas.get(table);
  }
}

function requiredString(pool: StringPool, id: number, what: string): string {
  if (id === 0) throw new MalformedPackageError(`${what} is NULL`);
  return pool.get(id);
}

/** Catalog rows describing a new table, interning its strings (§3.12 steps 2–4). */
export interface CatalogRows {
  /** The `_Tables` row. */
  readonly tablesRow: RawRow;
  /** The `_Columns` rows, one per column. */
  readonly columnsRows: readonly RawRow[];
}

/**
 * Encodes a table definition as `_Tables`/`_Columns` raw rows, adding one string reference per
 * cell (table name once in `_Tables` and once per column; each column name once).
 */
export function encodeCatalogRows(schema: TableSchema, pool: StringPool): CatalogRows {
  if (schema.columns.length === 0 || schema.columns.length > MAX_TABLE_COLUMNS) {
    throw new RangeError(
      `a table has 1..${MAX_TABLE_COLUMNS} columns, not ${schema.columns.length}`,
    );
  }
  schema.columns.forEach((column, index) => {
    if (column.number !== index + 1) throw new RangeError(`columns must be numbered 1..N in order`);
  });
  const tablesRow = [pool.intern(schema.name)];
  const columnsRows = schema.columns.map((column) => [
    pool.intern(schema.name),
    encodeInt16Cell(column.number),
    pool.intern(column.name),
    encodeInt16Cell(column.type),
  ]);
  return { tablesRow, columnsRows };
}
