import { describe, expect, it } from 'vitest';
import { MalformedPackageError } from '../../src/errors.js';
import {
  Catalog,
  COLUMNS_COLUMNS,
  encodeCatalogRows,
  TABLES_COLUMNS,
} from '../../src/msi/catalog.js';
import { encodeInt16Cell } from '../../src/msi/column.js';
import { StringPool } from '../../src/msi/string-pool.js';
import { decodeTableStream, encodeTableStream, type RawRow } from '../../src/msi/table.js';

describe('catalog (docs/formats.md §3.3)', () => {
  it('writes _Tables and _Columns rows with exact refcounts and reads them back', () => {
    const pool = StringPool.create(1252);
    const certificate = encodeCatalogRows(
      {
        name: 'MsiDigitalCertificate',
        columns: [
          { number: 1, name: 'DigitalCertificate', type: 0x2d48 },
          { number: 2, name: 'CertData', type: 0x0900 },
        ],
      },
      pool,
    );
    const patch = encodeCatalogRows(
      {
        name: 'MsiPatchCertificate',
        columns: [
          { number: 1, name: 'PatchCertificate', type: 0x2d48 },
          { number: 2, name: 'DigitalCertificate_', type: 0x0d48 },
        ],
      },
      pool,
    );
    // §3.12 step 2: table name once in _Tables and once per column, each column name once.
    expect(pool.refCount(pool.find('MsiDigitalCertificate')!)).toBe(3);
    expect(pool.refCount(pool.find('MsiPatchCertificate')!)).toBe(3);
    expect(pool.refCount(pool.find('CertData')!)).toBe(1);

    const tables = encodeTableStream(TABLES_COLUMNS, [patch.tablesRow, certificate.tablesRow], 2);
    const columns = encodeTableStream(
      COLUMNS_COLUMNS,
      [...patch.columnsRows, ...certificate.columnsRows],
      2,
    );
    // _Tables sorted by string ID (certificate table interned first → ID 1)
    expect(tables).toEqual(Buffer.from('01000400', 'hex'));
    // _Columns column-major: Table IDs, Numbers, Names, Types
    expect(columns).toEqual(
      Buffer.from(
        '0100 0100 0400 0400 0180 0280 0180 0280 0200 0300 0500 0600 48ad 0089 48ad 488d'.replace(
          / /g,
          '',
        ),
        'hex',
      ),
    );

    const catalog = Catalog.parse(
      decodeTableStream('_Tables', tables, TABLES_COLUMNS, 2),
      decodeTableStream('_Columns', columns, COLUMNS_COLUMNS, 2),
      StringPool.parse(pool.serialize().pool, pool.serialize().data),
    );
    expect(catalog.tableNames).toEqual(['MsiDigitalCertificate', 'MsiPatchCertificate']);
    expect(catalog.columns('MsiPatchCertificate')).toEqual([
      { number: 1, name: 'PatchCertificate', type: 0x2d48 },
      { number: 2, name: 'DigitalCertificate_', type: 0x0d48 },
    ]);
    expect(catalog.columns('Nope')).toBeUndefined();
  });

  describe('damaged catalogs', () => {
    const pool = StringPool.create();
    const id = (text: string): number => pool.find(text) ?? pool.intern(text);
    const column = (tableName: string, number: number, name: string, type = 0x0d48): RawRow => [
      id(tableName),
      encodeInt16Cell(number),
      id(name),
      encodeInt16Cell(type),
    ];
    const parse = (tables: string[], columns: RawRow[]): Catalog =>
      Catalog.parse(
        tables.map((name) => [id(name)]),
        columns,
        pool,
      );

    it('accepts columns 1..N in any stored order', () => {
      const catalog = parse(['T'], [column('T', 2, 'B'), column('T', 1, 'A')]);
      expect(catalog.columns('T')!.map((c) => c.name)).toEqual(['A', 'B']);
    });

    it.each([
      ['a gap in Number', [column('T', 1, 'A'), column('T', 3, 'C')]],
      ['a repeated Number', [column('T', 1, 'A'), column('T', 1, 'B')]],
      ['a repeated column name', [column('T', 1, 'A'), column('T', 2, 'A')]],
      ['a Number above 32', [column('T', 33, 'A')]],
      ['a Number of 0', [column('T', 0, 'A')]],
      ['no columns', []],
      ['more than 32 columns', Array.from({ length: 33 }, (_, i) => column('T', i + 1, `C${i}`))],
      ['a NULL Type', [[id('T'), encodeInt16Cell(1), id('A'), 0]]],
      ['a NULL Name', [[id('T'), encodeInt16Cell(1), 0, encodeInt16Cell(0x0d48)]]],
      [
        'a string ID beyond the pool',
        [[id('T'), encodeInt16Cell(1), 9999, encodeInt16Cell(0x0d48)]],
      ],
    ])('rejects %s', (_, columns) => {
      expect(() => parse(['T'], columns as RawRow[])).toThrow(MalformedPackageError);
    });

    it('rejects a table listed twice', () => {
      expect(() => parse(['T', 'T'], [column('T', 1, 'A')])).toThrow(MalformedPackageError);
    });

    it('ignores columns of tables _Tables does not list', () => {
      expect(parse(['T'], [column('T', 1, 'A'), column('Ghost', 5, 'X')]).has('Ghost')).toBe(false);
    });
  });
});
