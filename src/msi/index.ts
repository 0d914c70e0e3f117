/** The MSI database layer: what the rest of the library uses (docs/formats.md §2–§4). */
export {
  decodeStreamName,
  encodeStreamName,
  isValidStreamName,
  MAX_STREAM_NAME_LENGTH,
  TABLE_STREAM_PREFIX,
  type DecodedStreamName,
} from './stream-name.js';
export { codecForCodePage, type CodePageCodec } from './code-page.js';
export {
  LONG_STRING_REFERENCES_FLAG,
  MAX_LONG_STRING_ID,
  MAX_REF_COUNT,
  MAX_SHORT_STRING_ID,
  StringPool,
  type SerializedStringPool,
} from './string-pool.js';
export {
  cellWidth,
  columnKind,
  ColumnTypeBits,
  formatIdtType,
  isBinaryType,
  isKeyType,
  isLocalizableType,
  isNullableType,
  parseIdtType,
  type ColumnDefinition,
  type ColumnKind,
} from './column.js';
export {
  BINARY_CELL_MARKER,
  BinaryRef,
  binaryStreamName,
  decodeRows,
  decodeTableStream,
  encodeRow,
  encodeTableStream,
  rowSize,
  sortRowsByKey,
  type CellInput,
  type CellValue,
  type RawRow,
  type Row,
} from './table.js';
export {
  Catalog,
  COLUMNS_COLUMNS,
  COLUMNS_TABLE,
  encodeCatalogRows,
  MAX_TABLE_COLUMNS,
  TABLES_COLUMNS,
  TABLES_TABLE,
  type CatalogRows,
  type TableSchema,
} from './catalog.js';
export {
  dateToFiletime,
  encodeSummaryInformation,
  filetimeToDate,
  parseSummaryInformation,
  SUMMARY_INFORMATION_STREAM,
  SummaryPropertyId,
  type SummaryInformation,
  type SummaryValue,
} from './summary-information.js';
export {
  CLSID_MSI_DATABASE,
  CLSID_MSI_PATCH,
  CLSID_MSI_TRANSFORM,
  detectPackageKind,
  packageKindFromClsid,
  type PackageKind,
} from './package-kind.js';
export {
  DEFAULT_MAX_ROWS,
  DEFAULT_MAX_STRING_DATA_BYTES,
  DEFAULT_MAX_TABLE_BYTES,
  MsiDatabase,
  openMsiDatabase,
  STRING_DATA_TABLE,
  STRING_POOL_TABLE,
  type MsiStream,
  type OpenMsiDatabaseOptions,
} from './database.js';
export {
  readDigitalCertificates,
  readDigitalSignatures,
  readMedia,
  readPatchCertificates,
  readPatchMetadata,
  readPatchSequence,
  readProperties,
  type DigitalCertificateRow,
  type DigitalSignatureRow,
  type MediaRow,
  type PatchCertificateRow,
  type PatchMetadataRow,
  type PatchSequenceRow,
} from './signing-tables.js';
export { readTransform, type TransformContents } from './transform.js';
