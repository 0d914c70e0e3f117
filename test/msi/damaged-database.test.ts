/**
 * Random damage to any database stream must end in a typed format error or a successful read,
 * never in another exception (docs/formats.md §8; architecture "bounded everything").
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFormatError } from '../../src/errors.js';
import { openMsiDatabase } from '../../src/msi/database.js';
import {
  readDigitalCertificates,
  readDigitalSignatures,
  readMedia,
  readPatchCertificates,
  readProperties,
} from '../../src/msi/signing-tables.js';
import { SummaryPropertyId } from '../../src/msi/summary-information.js';
import { buildDatabaseStreams } from './support/build-database.js';
import { memoryCompoundFile } from './support/memory-compound-file.js';

const original = buildDatabaseStreams({
  tables: [
    {
      name: 'Property',
      columns: [
        { name: 'Property', idt: 's72', key: true },
        { name: 'Value', idt: 'l0' },
      ],
      rows: [
        ['ProductCode', '{11111111-2222-3333-4444-555555555555}'],
        ['ProductName', 'Product'],
      ],
    },
    {
      name: 'Media',
      columns: [
        { name: 'DiskId', idt: 'i2', key: true },
        { name: 'LastSequence', idt: 'i4' },
        { name: 'Cabinet', idt: 'S255' },
      ],
      rows: [[1, 3, '#a.cab']],
    },
    {
      name: 'MsiDigitalCertificate',
      columns: [
        { name: 'DigitalCertificate', idt: 's72', key: true },
        { name: 'CertData', idt: 'v0' },
      ],
      rows: [['Cert1', Buffer.from('certificate')]],
    },
    {
      name: 'MsiPatchCertificate',
      columns: [
        { name: 'PatchCertificate', idt: 's72', key: true },
        { name: 'DigitalCertificate_', idt: 's72' },
      ],
      rows: [['Patch1', 'Cert1']],
    },
    {
      name: 'MsiDigitalSignature',
      columns: [
        { name: 'Table', idt: 's32', key: true },
        { name: 'SignObject', idt: 's72', key: true },
        { name: 'DigitalCertificate_', idt: 's72' },
        { name: 'Hash', idt: 'V0' },
      ],
      rows: [['Media', '1', 'Cert1', Buffer.alloc(20, 1)]],
    },
  ],
  summary: new Map([
    [SummaryPropertyId.CODEPAGE, { type: 'int16', value: 1252 }],
    [SummaryPropertyId.TEMPLATE, { type: 'string', value: 'Intel;1033' }],
  ]),
});
const names = [...original.keys()];

async function readEverything(streams: Map<string, Buffer>): Promise<void> {
  const db = await openMsiDatabase(memoryCompoundFile(streams), { maxRows: 10_000 });
  for (const table of ['_Tables', '_Columns', ...db.tableNames]) await db.readTable(table);
  await readProperties(db);
  await readMedia(db);
  await readDigitalCertificates(db);
  await readPatchCertificates(db);
  await readDigitalSignatures(db);
}

async function expectFormatErrorOrSuccess(streams: Map<string, Buffer>): Promise<void> {
  try {
    await readEverything(streams);
  } catch (error) {
    if (!isFormatError(error)) throw error;
  }
}

describe('damaged databases', () => {
  it('reads the undamaged database', async () => {
    await expect(readEverything(new Map(original))).resolves.toBeUndefined();
  });

  it('fails only with format errors when bytes of a stream change', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (name, edits) => {
          const streams = new Map(original);
          const bytes = Buffer.from(streams.get(name)!);
          if (bytes.length === 0) return;
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          streams.set(name, bytes);
          await expectFormatErrorOrSuccess(streams);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('fails only with format errors when a stream is cut, extended or dropped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.oneof(fc.constant(-1), fc.nat({ max: 300 })),
        fc.uint8Array({ maxLength: 16 }),
        async (name, cut, extra) => {
          const streams = new Map(original);
          if (cut < 0) streams.delete(name);
          else streams.set(name, Buffer.concat([streams.get(name)!.subarray(0, cut), extra]));
          await expectFormatErrorOrSuccess(streams);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('fails only with format errors when a 32-bit field anywhere becomes huge', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.nat(),
        fc.constantFrom(0xffffffff, 0x7fffffff, 0x80000000, 0x0000ffff, 0x00010000),
        async (name, at, value) => {
          const streams = new Map(original);
          const bytes = Buffer.from(streams.get(name)!);
          if (bytes.length < 4) return;
          bytes.writeUInt32LE(value, at % (bytes.length - 3));
          streams.set(name, bytes);
          await expectFormatErrorOrSuccess(streams);
        },
      ),
      { numRuns: 400 },
    );
  });
});
