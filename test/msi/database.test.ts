import { describe, expect, it } from 'vitest';
import { MalformedPackageError } from '../../src/errors.js';
import { openMsiDatabase } from '../../src/msi/database.js';
import { encodeStreamName } from '../../src/msi/stream-name.js';
import {
  SUMMARY_INFORMATION_STREAM,
  SummaryPropertyId,
} from '../../src/msi/summary-information.js';
import { BinaryRef } from '../../src/msi/table.js';
import { buildDatabaseStreams, type DatabaseSpec } from './support/build-database.js';
import { memoryCompoundFile } from './support/memory-compound-file.js';

const table = (name: string): string => encodeStreamName(name, true);

const spec: DatabaseSpec = {
  tables: [
    {
      name: 'Property',
      columns: [
        { name: 'Property', idt: 's72', key: true },
        { name: 'Value', idt: 'l0' },
      ],
      rows: [
        ['ProductCode', '{11111111-2222-3333-4444-555555555555}'],
        ['ProductName', 'Café'],
        ['Empty', null],
      ],
    },
    {
      name: 'Binary',
      columns: [
        { name: 'Name', idt: 's72', key: true },
        { name: 'Data', idt: 'v0' },
      ],
      rows: [['Blob', Buffer.from('binary bytes')]],
    },
    { name: 'Unused', columns: [{ name: 'Id', idt: 'i2', key: true }] },
  ],
  summary: new Map([[SummaryPropertyId.TITLE, { type: 'string', value: 'Installation Database' }]]),
};

describe('openMsiDatabase', () => {
  it('reads the catalog, tables, binary streams and summary of a database', async () => {
    const db = await openMsiDatabase(memoryCompoundFile(buildDatabaseStreams(spec)));
    expect(db.tableNames).toEqual(['Property', 'Binary', 'Unused']);
    expect(db.hasTable('_Tables')).toBe(true);
    expect(db.hasTable('_Columns')).toBe(true);
    expect(db.hasTable('Media')).toBe(false);
    expect(db.columns('Binary')).toEqual([
      { number: 1, name: 'Name', type: 0x2d48 },
      { number: 2, name: 'Data', type: 0x0900 },
    ]);
    expect((await db.readTable('Property'))!.map((row) => ({ ...row }))).toEqual([
      { Property: 'ProductCode', Value: '{11111111-2222-3333-4444-555555555555}' },
      { Property: 'ProductName', Value: 'Café' },
      { Property: 'Empty', Value: null },
    ]);
    const [binary] = (await db.readTable('Binary'))!;
    expect(binary!.Data).toBeInstanceOf(BinaryRef);
    expect((await db.readBinary(binary!.Data as BinaryRef)).toString()).toBe('binary bytes');
    expect(await db.readTable('Unused')).toEqual([]);
    expect(await db.readTable('Media')).toBeUndefined();
    expect(db.summaryInformation?.title).toBe('Installation Database');
    expect((await db.readTable('_Tables'))!.map((row) => row.Name)).toEqual([
      'Property',
      'Binary',
      'Unused',
    ]);
    expect((await db.readTable('_Columns'))!.length).toBe(5);
  });

  it('lists root streams with decoded names', async () => {
    const db = await openMsiDatabase(memoryCompoundFile(buildDatabaseStreams(spec)));
    const names = db
      .streams()
      .map((stream) => `${stream.isTable ? 'table' : 'stream'}:${stream.name}`)
      .sort();
    expect(names).toEqual(
      [
        'stream:Binary.Blob',
        `stream:${SUMMARY_INFORMATION_STREAM}`,
        'table:Binary',
        'table:Property',
        'table:_Columns',
        'table:_StringData',
        'table:_StringPool',
        'table:_Tables',
      ].sort(),
    );
  });

  it('reads tables only when asked, once', async () => {
    const cfb = memoryCompoundFile(buildDatabaseStreams(spec));
    const db = await openMsiDatabase(cfb);
    expect(cfb.reads).not.toContain(table('Property'));
    await db.readTable('Property');
    await db.readTable('Property');
    await db.readRawTable('Property');
    expect(cfb.reads.filter((name) => name === table('Property'))).toHaveLength(1);
  });

  it('reads databases with 3-byte string references', async () => {
    const db = await openMsiDatabase(
      memoryCompoundFile(buildDatabaseStreams({ ...spec, longStringReferences: true })),
    );
    expect(db.stringPool.referenceWidth).toBe(3);
    expect((await db.readTable('Property'))!.map((row) => row.Property)).toEqual([
      'ProductCode',
      'ProductName',
      'Empty',
    ]);
  });

  it('works without summary information', async () => {
    const db = await openMsiDatabase(
      memoryCompoundFile(buildDatabaseStreams({ tables: spec.tables })),
    );
    expect(db.summaryInformation).toBeUndefined();
  });

  describe('damaged databases', () => {
    const damaged = async (change: (streams: Map<string, Buffer>) => void): Promise<unknown> => {
      const streams = buildDatabaseStreams(spec);
      change(streams);
      const db = await openMsiDatabase(memoryCompoundFile(streams));
      return db.readTable('Property');
    };

    it('rejects a package without a string pool', async () => {
      await expect(damaged((s) => s.delete(table('_StringPool')))).rejects.toThrow(
        MalformedPackageError,
      );
      await expect(damaged((s) => s.delete(table('_StringData')))).rejects.toThrow(
        MalformedPackageError,
      );
    });

    it('rejects a truncated table stream', async () => {
      await expect(
        damaged((s) => s.set(table('Property'), s.get(table('Property'))!.subarray(0, 11))),
      ).rejects.toThrow(MalformedPackageError);
    });

    it('rejects a truncated _Columns stream', async () => {
      await expect(
        damaged((s) => s.set(table('_Columns'), s.get(table('_Columns'))!.subarray(0, 7))),
      ).rejects.toThrow(MalformedPackageError);
    });

    it('rejects a string ID beyond the pool', async () => {
      await expect(
        damaged((s) => {
          const stream = Buffer.from(s.get(table('Property'))!);
          stream.writeUInt16LE(0xfff0, 0);
          s.set(table('Property'), stream);
        }),
      ).rejects.toThrow(MalformedPackageError);
    });

    it('rejects pool lengths beyond _StringData', async () => {
      await expect(
        damaged((s) => s.set(table('_StringData'), s.get(table('_StringData'))!.subarray(0, 10))),
      ).rejects.toThrow(MalformedPackageError);
    });

    it('rejects a stream larger than the table limit before reading it', async () => {
      const streams = buildDatabaseStreams(spec);
      streams.set(table('Property'), Buffer.alloc(6 * 1000));
      const cfb = memoryCompoundFile(streams);
      const db = await openMsiDatabase(cfb, { maxTableBytes: 4096 });
      await expect(db.readTable('Property')).rejects.toThrow(MalformedPackageError);
      expect(cfb.reads).not.toContain(table('Property'));
    });

    it('rejects tables with more rows than the row limit', async () => {
      const streams = buildDatabaseStreams(spec);
      await expect(openMsiDatabase(memoryCompoundFile(streams), { maxRows: 2 })).rejects.toThrow(
        /_Tables has 3 rows/,
      );
      streams.set(table('Property'), Buffer.alloc(6 * 10));
      const db = await openMsiDatabase(memoryCompoundFile(streams), { maxRows: 9 });
      await expect(db.readTable('Property')).rejects.toThrow(MalformedPackageError);
    });

    it('rejects a binary cell whose stream is missing', async () => {
      const streams = buildDatabaseStreams(spec);
      streams.delete(encodeStreamName('Binary.Blob', false));
      const db = await openMsiDatabase(memoryCompoundFile(streams));
      const [row] = (await db.readTable('Binary'))!;
      await expect(db.readBinary(row!.Data as BinaryRef)).rejects.toThrow(MalformedPackageError);
    });

    it('rejects a table stream that is a storage', async () => {
      const streams = buildDatabaseStreams(spec);
      streams.delete(table('Property'));
      const db = await openMsiDatabase(
        memoryCompoundFile(streams, { storages: [table('Property')] }),
      );
      await expect(db.readTable('Property')).rejects.toThrow(MalformedPackageError);
    });

    it('rejects a damaged summary information stream', async () => {
      await expect(
        damaged((s) => s.set(SUMMARY_INFORMATION_STREAM, Buffer.alloc(20))),
      ).rejects.toThrow(MalformedPackageError);
    });
  });
});
