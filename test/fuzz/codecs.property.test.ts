/**
 * Issue #10, property tests of the MSI database codecs: encodings round-trip, and no input —
 * however hostile — makes a decoder throw anything but our typed errors. (The CAB range
 * computation has its properties in test/cab/digest-ranges.property.test.ts: sorted, disjoint,
 * inside cbCabinet, the right exclusions, and equal to an independent field walk.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFormatError } from '../../src/errors.js';
import { Catalog } from '../../src/msi/catalog.js';
import { ColumnTypeBits, columnKind, type ColumnDefinition } from '../../src/msi/column.js';
import { openMsiDatabase } from '../../src/msi/database.js';
import {
  readDigitalCertificates,
  readDigitalSignatures,
  readMedia,
  readPatchCertificates,
  readProperties,
} from '../../src/msi/signing-tables.js';
import {
  decodeStreamName,
  encodeStreamName,
  isValidStreamName,
  MAX_STREAM_NAME_LENGTH,
} from '../../src/msi/stream-name.js';
import { MAX_SHORT_STRING_ID, StringPool } from '../../src/msi/string-pool.js';
import {
  decodeRows,
  decodeTableStream,
  encodeTableStream,
  rowSize,
  sortRowsByKey,
} from '../../src/msi/table.js';
import { parseSummaryInformation } from '../../src/msi/summary-information.js';
import { buildDatabaseStreams } from '../msi/support/build-database.js';
import { memoryCompoundFile } from '../msi/support/memory-compound-file.js';

const RUNS = { numRuns: 300, seed: 20261121 } as const;

/** Runs `decode`; anything thrown must be one of our typed format errors. */
function onlyTypedErrors(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    if (!isFormatError(error)) throw error;
  }
}

async function onlyTypedErrorsAsync(decode: () => Promise<unknown>): Promise<void> {
  try {
    await decode();
  } catch (error) {
    if (!isFormatError(error)) throw error;
  }
}

// ---- stream names ----------------------------------------------------------------------------

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._';

/**
 * Logical names: mostly alphabet characters (which pack), some others. Code units 0x3800–0x4840
 * are the mangled forms themselves and cannot appear in a logical name.
 */
const logicalChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...ALPHABET) },
  { weight: 1, arbitrary: fc.constantFrom('-', ' ', '!', '\u0005', 'é', 'Ü', '中', '\u00ff') },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0x0001, max: 0xffff })
      .filter((u) => (u < 0x3800 || u > 0x4840) && (u < 0xd800 || u > 0xdfff))
      .map((u) => String.fromCharCode(u)),
  },
);
const logicalName = fc.array(logicalChar, { maxLength: 80 }).map((chars) => chars.join(''));

describe('MSI stream-name codec', () => {
  it('decode(encode(name)) = name for every valid logical name, table or not', () => {
    fc.assert(
      fc.property(logicalName, fc.boolean(), (name, isTable) => {
        expect(decodeStreamName(encodeStreamName(name, isTable))).toEqual({ name, isTable });
      }),
      RUNS,
    );
  });

  it('packs: the encoding never has more code units than the name (plus the table prefix)', () => {
    fc.assert(
      fc.property(logicalName, fc.boolean(), (name, isTable) => {
        const encoded = encodeStreamName(name, isTable);
        expect(encoded.length).toBeLessThanOrEqual(name.length + (isTable ? 1 : 0));
        expect(isValidStreamName(name, isTable)).toBe(
          name.length > 0 && encoded.length <= MAX_STREAM_NAME_LENGTH,
        );
      }),
      RUNS,
    );
  });

  it('decodes any raw directory name without throwing, and its re-encoding decodes the same', () => {
    const rawName = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 31 })
      .map((units) => String.fromCharCode(...units));
    fc.assert(
      fc.property(rawName, (raw) => {
        const decoded = decodeStreamName(raw);
        expect(decodeStreamName(encodeStreamName(decoded.name, decoded.isTable))).toEqual(decoded);
      }),
      RUNS,
    );
  });
});

// ---- string pool ---------------------------------------------------------------------------

/** Text code page 1252 can hold (what MSI authoring tools write). */
const cp1252Text = fc
  .array(
    fc.oneof(
      fc.constantFrom(...'abcdefXYZ0123 _.-{}'),
      fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      fc.constantFrom('é', 'ü', '€', 'ß', '…'),
    ),
    { minLength: 1, maxLength: 40 },
  )
  .map((chars) => chars.join(''));

type PoolOp = { kind: 'intern'; text: string } | { kind: 'release'; pick: number };
const poolOps = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: cp1252Text.map((text): PoolOp => ({ kind: 'intern', text })) },
    { weight: 1, arbitrary: fc.nat().map((pick): PoolOp => ({ kind: 'release', pick })) },
  ),
  { maxLength: 60 },
);

function comparePools(a: StringPool, b: StringPool): void {
  expect(b.codePage).toBe(a.codePage);
  expect(b.longStringReferences).toBe(a.longStringReferences);
  expect(b.count).toBe(a.count);
  for (let id = 1; id <= a.count; id++) {
    expect(b.isFree(id)).toBe(a.isFree(id));
    if (a.isFree(id)) continue;
    expect(b.get(id)).toBe(a.get(id));
    expect(b.refCount(id)).toBe(a.refCount(id));
  }
}

describe('MSI string pool', () => {
  it('parse(serialize(pool)) = pool, free slots and refcounts included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1252, 65001),
        fc.boolean(),
        poolOps,
        (codePage, longReferences, ops) => {
          const pool = StringPool.create(codePage, { longStringReferences: longReferences });
          const live: number[] = [];
          for (const op of ops) {
            if (op.kind === 'intern') live.push(pool.intern(op.text));
            else if (live.length > 0)
              pool.removeReference(live.splice(op.pick % live.length, 1)[0]!);
          }
          const { pool: poolBytes, data } = pool.serialize();
          const parsed = StringPool.parse(poolBytes, data);
          comparePools(pool, parsed);
          expect(parsed.unusedDataBytes).toBe(0);
          // Serializing the parsed pool gives the same bytes.
          const again = parsed.serialize();
          expect(again.pool.equals(poolBytes)).toBe(true);
          expect(again.data.equals(data)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('round-trips strings of 64 KiB and more (the 8-byte entry)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x10000, max: 0x30000 }), fc.nat(255), (length, fill) => {
        const pool = StringPool.create(1252);
        const text = String.fromCharCode(0x41 + (fill % 26)).repeat(length);
        const id = pool.intern(text);
        pool.intern('short');
        const { pool: poolBytes, data } = pool.serialize();
        const parsed = StringPool.parse(poolBytes, data);
        expect(parsed.get(id)).toBe(text);
        expect(parsed.count).toBe(2);
      }),
      { ...RUNS, numRuns: 10 },
    );
  });

  it('parses any bytes with MalformedPackageError or a pool whose every ID resolves or throws it', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.integer({ min: -2, max: MAX_SHORT_STRING_ID + 2 }), { maxLength: 20 }),
        (poolBytes, data, ids) => {
          onlyTypedErrors(() => {
            const pool = StringPool.parse(poolBytes, data);
            expect(pool.count).toBeLessThanOrEqual(poolBytes.length / 4);
            for (const id of ids) onlyTypedErrors(() => pool.resolve(id));
          });
        },
      ),
      RUNS,
    );
  });
});

// ---- tables --------------------------------------------------------------------------------

const { VALID, NON_BINARY, STRING, NULLABLE, KEY } = ColumnTypeBits;
const columnType = fc.oneof(
  fc.constant(VALID | NON_BINARY | 2), // i2
  fc.constant(VALID | 4), // i4
  fc.constant(VALID | NON_BINARY | STRING | 72), // s72
  fc.constant(VALID | STRING), // v0 (binary)
  fc.integer({ min: 0, max: 0xffff }), // anything the file says
);
const columnsArb = fc
  .array(fc.record({ type: columnType, key: fc.boolean(), nullable: fc.boolean() }), {
    minLength: 1,
    maxLength: 8,
  })
  .map((specs): ColumnDefinition[] =>
    specs.map((s, i) => ({
      number: i + 1,
      name: `C${i}`,
      type: (s.type | (s.key ? KEY : 0) | (s.nullable ? NULLABLE : 0)) & 0xffff,
    })),
  );

function cellMax(column: ColumnDefinition, width: 2 | 3): number {
  switch (columnKind(column.type)) {
    case 'int32':
      return 0xffffffff;
    case 'string':
      return width === 3 ? 0xffffff : 0xffff;
    default:
      return 0xffff;
  }
}

describe('MSI table streams', () => {
  it('decode(encode(rows)) = the rows in key order', () => {
    fc.assert(
      fc.property(
        columnsArb,
        fc.constantFrom(2 as const, 3 as const),
        fc.array(fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), { maxLength: 30 }),
        (columns, width, seeds) => {
          const rows = seeds.map((cells) =>
            columns.map((column, c) => cells[c]! % (cellMax(column, width) + 1)),
          );
          const bytes = encodeTableStream(columns, rows, width);
          expect(bytes.length).toBe(rows.length * rowSize(columns, width));
          const decoded = decodeTableStream('T', bytes, columns, width);
          expect(decoded).toEqual(sortRowsByKey(columns, rows));
        },
      ),
      RUNS,
    );
  });

  it('decodes any stream, columns and pool with MalformedPackageError or rows', () => {
    fc.assert(
      fc.property(
        columnsArb,
        fc.constantFrom(2 as const, 3 as const),
        fc.uint8Array({ maxLength: 600 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 64 }),
        (columns, width, bytes, poolBytes, data) => {
          onlyTypedErrors(() => {
            const raw = decodeTableStream('T', bytes, columns, width, { maxRows: 1000 });
            const pool = StringPool.parse(
              Buffer.concat([
                Buffer.from([0xe4, 0x04, 0, 0]),
                poolBytes.subarray(0, poolBytes.length & ~3),
              ]),
              data,
            );
            decodeRows('T', columns, raw, pool);
          });
        },
      ),
      RUNS,
    );
  });

  it('builds a catalog from any _Tables and _Columns rows, or throws MalformedPackageError', () => {
    const cells = (count: number) =>
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: count, maxLength: count });
    fc.assert(
      fc.property(
        fc.array(cells(1), { maxLength: 8 }),
        fc.array(cells(4), { maxLength: 30 }),
        fc.array(fc.constantFrom('T', 'U', 'Name', '_Tables', '_Columns', 'Value', 'x'), {
          maxLength: 10,
        }),
        (tablesRows, columnsRows, strings) => {
          const pool = StringPool.create(1252);
          for (const s of strings) pool.intern(s);
          onlyTypedErrors(() => {
            const catalog = Catalog.parse(tablesRows, columnsRows, pool);
            for (const name of catalog.tableNames) {
              const columns = catalog.columns(name)!;
              expect(columns.map((c) => c.number)).toEqual(columns.map((_, i) => i + 1));
            }
          });
        },
      ),
      RUNS,
    );
  });

  it('opens a database of arbitrary catalog and table bytes with typed errors only', async () => {
    const base = buildDatabaseStreams({
      tables: [
        {
          name: 'Property',
          columns: [
            { name: 'Property', idt: 's72', key: true },
            { name: 'Value', idt: 'l0' },
          ],
          rows: [['ProductCode', '{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}']],
        },
        {
          name: 'MsiDigitalCertificate',
          columns: [
            { name: 'DigitalCertificate', idt: 's72', key: true },
            { name: 'CertData', idt: 'v0' },
          ],
          rows: [['Cert1', Buffer.from('certificate')]],
        },
      ],
    });
    const names = [...base.keys()];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            stream: fc.constantFrom(...names),
            at: fc.nat(),
            value: fc.nat(255),
            cut: fc.boolean(),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        async (edits) => {
          const streams = new Map([...base].map(([k, v]) => [k, Buffer.from(v)]));
          for (const { stream, at, value, cut } of edits) {
            const bytes = streams.get(stream)!;
            if (cut) streams.set(stream, bytes.subarray(0, at % (bytes.length + 1)));
            else if (bytes.length > 0) bytes[at % bytes.length] = value;
          }
          await onlyTypedErrorsAsync(async () => {
            const db = await openMsiDatabase(memoryCompoundFile(streams));
            await readProperties(db);
            await readDigitalCertificates(db);
            await readPatchCertificates(db);
            await readMedia(db);
            await readDigitalSignatures(db);
          });
        },
      ),
      RUNS,
    );
  });
});

describe('MSI summary information', () => {
  it('parses any bytes with MalformedPackageError or a value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, plausible) => {
        const input = Buffer.from(bytes);
        if (plausible && input.length >= 48) {
          input.writeUInt16LE(0xfffe, 0);
          input.writeUInt32LE(1, 24);
          Buffer.from('e0859ff2f94f6810ab9108002b27b3d9', 'hex').copy(input, 28);
          input.writeUInt32LE(48, 44);
        }
        onlyTypedErrors(() => parseSummaryInformation(input));
      }),
      RUNS,
    );
  });
});
