/**
 * Table streams: column-major cells, sorted by primary key (docs/formats.md §3.5–§3.7).
 *
 * Two layers: raw rows (the stored unsigned cell values — string IDs, biased integers, binary
 * markers — exactly what sorting and writing need) and decoded rows (strings, numbers, NULL and
 * references to binary streams).
 */
import { MalformedPackageError } from '../errors.js';
import {
  cellWidth,
  columnKind,
  decodeInt16Cell,
  decodeInt32Cell,
  encodeInt16Cell,
  encodeInt32Cell,
  isKeyType,
  type ColumnDefinition,
} from './column.js';
import { encodeStreamName } from './stream-name.js';
import type { StringPool } from './string-pool.js';

/** Stored cell values of one row in column order, as unsigned integers. */
export type RawRow = readonly number[];

/** Marker written into a non-NULL binary cell (Wine/msitools and rust-msi write 1, §3.5). */
export const BINARY_CELL_MARKER = 1;

/** A non-NULL binary cell: its bytes live in a separate stream named after the row's keys. */
export class BinaryRef {
  constructor(
    /** Table holding the cell. */
    readonly table: string,
    /** Column holding the cell. */
    readonly column: string,
    /** Logical stream name `Table.Key1[.Key2…]` (§3.7). */
    readonly streamName: string,
  ) {}

  /** The CFB name of the stream: mangled, without the table prefix. */
  get rawStreamName(): string {
    return encodeStreamName(this.streamName, false);
  }

  toString(): string {
    return this.streamName;
  }
}

export type CellValue = string | number | null | BinaryRef;

/** A decoded row keyed by column name. */
export type Row = Readonly<Record<string, CellValue>>;

/** Bytes per row: the sum of the cell widths. */
export function rowSize(columns: readonly ColumnDefinition[], referenceWidth: 2 | 3): number {
  let size = 0;
  for (const column of columns) size += cellWidth(column.type, referenceWidth);
  return size;
}

export interface DecodeTableOptions {
  /** Refuse tables with more rows (MalformedPackageError). Default: no limit beyond the size. */
  readonly maxRows?: number;
}

/**
 * Splits a table stream into raw rows. The row count is `size / rowSize` and must be exact; an
 * absent stream is an empty table, which callers express by passing zero bytes.
 */
export function decodeTableStream(
  table: string,
  bytes: Uint8Array,
  columns: readonly ColumnDefinition[],
  referenceWidth: 2 | 3,
  options: DecodeTableOptions = {},
): RawRow[] {
  const size = rowSize(columns, referenceWidth);
  if (size === 0) throw new MalformedPackageError(`table ${table} has no columns`);
  if (bytes.length % size !== 0) {
    throw new MalformedPackageError(
      `table ${table} stream is ${bytes.length} bytes, not a multiple of its ${size}-byte rows`,
    );
  }
  const rowCount = bytes.length / size;
  if (options.maxRows !== undefined && rowCount > options.maxRows) {
    throw new MalformedPackageError(
      `table ${table} has ${rowCount} rows, more than the limit of ${options.maxRows}`,
    );
  }
  const rows: number[][] = Array.from(
    { length: rowCount },
    () => new Array<number>(columns.length),
  );
  let columnStart = 0;
  columns.forEach((column, c) => {
    const width = cellWidth(column.type, referenceWidth);
    for (let r = 0; r < rowCount; r++) {
      rows[r]![c] = readCell(bytes, columnStart + r * width, width);
    }
    columnStart += rowCount * width;
  });
  return rows;
}

/**
 * Serializes raw rows into a table stream, sorted by the raw values of the key columns in
 * column order (§3.6: msiexec rejects unsorted tables with error 2219).
 */
export function encodeTableStream(
  columns: readonly ColumnDefinition[],
  rows: readonly RawRow[],
  referenceWidth: 2 | 3,
): Buffer {
  for (const row of rows) {
    if (row.length !== columns.length) {
      throw new RangeError(
        `row has ${row.length} cells but the table has ${columns.length} columns`,
      );
    }
  }
  const sorted = sortRowsByKey(columns, rows);
  const out = Buffer.alloc(rowSize(columns, referenceWidth) * sorted.length);
  let columnStart = 0;
  columns.forEach((column, c) => {
    const width = cellWidth(column.type, referenceWidth);
    sorted.forEach((row, r) => writeCell(out, columnStart + r * width, width, row[c]!));
    columnStart += sorted.length * width;
  });
  return out;
}

/** Rows in stored order: ascending raw key values, key columns compared in column order. */
export function sortRowsByKey(
  columns: readonly ColumnDefinition[],
  rows: readonly RawRow[],
): RawRow[] {
  const keys = keyIndexes(columns);
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const difference = a[k]! - b[k]!;
      if (difference !== 0) return difference;
    }
    return 0;
  });
}

function keyIndexes(columns: readonly ColumnDefinition[]): number[] {
  const keys: number[] = [];
  columns.forEach((column, index) => {
    if (isKeyType(column.type)) keys.push(index);
  });
  return keys;
}

function readCell(bytes: Uint8Array, offset: number, width: 2 | 3 | 4): number {
  const low = bytes[offset]! | (bytes[offset + 1]! << 8);
  if (width === 2) return low;
  if (width === 3) return low + bytes[offset + 2]! * 0x10000;
  return low + (bytes[offset + 2]! | (bytes[offset + 3]! << 8)) * 0x10000;
}

function writeCell(out: Buffer, offset: number, width: 2 | 3 | 4, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** (8 * width)) {
    throw new RangeError(`cell value ${value} does not fit ${width} bytes`);
  }
  out.writeUIntLE(value, offset, width);
}

/**
 * Decodes one stored cell. A binary cell decodes to its marker or NULL; {@link decodeRows}
 * turns it into a {@link BinaryRef}.
 */
export function decodeCell(
  column: ColumnDefinition,
  raw: number,
  pool: StringPool,
): string | number | null {
  switch (columnKind(column.type)) {
    case 'int16':
      return decodeInt16Cell(raw);
    case 'int32':
      return decodeInt32Cell(raw);
    case 'string':
      return pool.resolve(raw);
    case 'binary':
      return raw === 0 ? null : raw;
  }
}

/** The logical name of the stream behind a row's binary cells: `Table.Key1.Key2…` (§3.7). */
export function binaryStreamName(
  table: string,
  columns: readonly ColumnDefinition[],
  row: RawRow,
  pool: StringPool,
): string {
  let name = table;
  columns.forEach((column, c) => {
    if (!isKeyType(column.type)) return;
    const value = columnKind(column.type) === 'binary' ? null : decodeCell(column, row[c]!, pool);
    name += '.' + (value === null ? '' : String(value));
  });
  return name;
}

/** Raw rows to rows keyed by column name; binary cells become {@link BinaryRef}s. */
export function decodeRows(
  table: string,
  columns: readonly ColumnDefinition[],
  rows: readonly RawRow[],
  pool: StringPool,
): Row[] {
  // Per table, not per cell: tables can hold a million rows (DEFAULT_MAX_ROWS).
  const kinds = columns.map((column) => columnKind(column.type));
  const names = columns.map((column) => column.name);
  // A column named `__proto__` would set the prototype of a plain object: such a table's rows
  // get no prototype at all (slower dictionary objects, only for such a file).
  const plain = !names.includes('__proto__');
  const out = new Array<Row>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const raw = rows[r]!;
    const row = (plain ? {} : Object.create(null)) as Record<string, CellValue>;
    let streamName: string | undefined;
    for (let c = 0; c < columns.length; c++) {
      const stored = raw[c]!;
      if (kinds[c] === 'binary') {
        // The marker's value carries no meaning; only NULL (0) versus not (§8.2 item 26).
        if (stored === 0) row[names[c]!] = null;
        else {
          streamName ??= binaryStreamName(table, columns, raw, pool);
          row[names[c]!] = new BinaryRef(table, names[c]!, streamName);
        }
      } else {
        row[names[c]!] = decodeCell(columns[c]!, stored, pool);
      }
    }
    out[r] = row;
  }
  return out;
}

/** A value to store: binary cells take any non-NULL value (the bytes go to a stream). */
export type CellInput = string | number | null | BinaryRef | Uint8Array;

/**
 * Turns values (in column order) into a raw row, interning strings into `pool` — each
 * non-NULL string cell adds one reference, keeping refcounts exact (§3.12 step 2).
 */
export function encodeRow(
  columns: readonly ColumnDefinition[],
  values: readonly CellInput[],
  pool: StringPool,
): number[] {
  if (values.length !== columns.length) {
    throw new RangeError(`${values.length} values for ${columns.length} columns`);
  }
  return columns.map((column, c) => {
    const value = values[c]!;
    const kind = columnKind(column.type);
    if (kind === 'binary') return value === null ? 0 : BINARY_CELL_MARKER;
    if (value === null) return 0;
    if (kind === 'string' && typeof value === 'string') return pool.intern(value);
    if (kind === 'int16' && typeof value === 'number') return encodeInt16Cell(value);
    if (kind === 'int32' && typeof value === 'number') return encodeInt32Cell(value);
    throw new TypeError(`column ${column.name} (${kind}) cannot hold ${String(value)}`);
  });
}
