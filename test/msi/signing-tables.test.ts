import { describe, expect, it } from 'vitest';
import { MalformedPackageError } from '../../src/errors.js';
import { openMsiDatabase } from '../../src/msi/database.js';
import {
  readDigitalCertificates,
  readDigitalSignatures,
  readMedia,
  readPatchCertificates,
  readPatchMetadata,
  readPatchSequence,
  readProperties,
} from '../../src/msi/signing-tables.js';
import { encodeStreamName } from '../../src/msi/stream-name.js';
import { buildDatabaseStreams, type TableSpec } from './support/build-database.js';
import { memoryCompoundFile } from './support/memory-compound-file.js';

const certOne = Buffer.from('3082 first certificate');
const certTwo = Buffer.from('3082 second certificate');
const cabHash = Buffer.alloc(32, 0xab);

const TABLES = {
  property: {
    name: 'Property',
    columns: [
      { name: 'Property', idt: 's72', key: true },
      { name: 'Value', idt: 'l0' },
    ],
    rows: [
      ['ProductCode', '{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}'],
      ['NoValue', null],
    ],
  },
  media: {
    name: 'Media',
    columns: [
      { name: 'DiskId', idt: 'i2', key: true },
      { name: 'LastSequence', idt: 'i4' },
      { name: 'DiskPrompt', idt: 'L64' },
      { name: 'Cabinet', idt: 'S255' },
      { name: 'VolumeLabel', idt: 'S32' },
      { name: 'Source', idt: 'S72' },
    ],
    rows: [
      [2, 10, null, 'external.cab', 'DISK2', null],
      [1, 5, 'Disk 1', '#embedded.cab', null, null],
    ],
  },
  digitalCertificate: {
    name: 'MsiDigitalCertificate',
    columns: [
      { name: 'DigitalCertificate', idt: 's72', key: true },
      { name: 'CertData', idt: 'v0' },
    ],
    rows: [
      ['Cert1', certOne],
      ['Cert2', certTwo],
    ],
  },
  // Microsoft's definition: one key column
  patchCertificate: {
    name: 'MsiPatchCertificate',
    columns: [
      { name: 'PatchCertificate', idt: 's72', key: true },
      { name: 'DigitalCertificate_', idt: 's72' },
    ],
    rows: [['PatchCert1', 'Cert2']],
  },
  digitalSignature: {
    name: 'MsiDigitalSignature',
    columns: [
      { name: 'Table', idt: 's32', key: true },
      { name: 'SignObject', idt: 's72', key: true },
      { name: 'DigitalCertificate_', idt: 's72' },
      { name: 'Hash', idt: 'V0' },
    ],
    rows: [
      ['Media', '2', 'Cert1', cabHash],
      ['Media', '3', 'Cert1', null],
    ],
  },
} satisfies Record<string, TableSpec>;

async function open(tables: TableSpec[]) {
  return openMsiDatabase(memoryCompoundFile(buildDatabaseStreams({ tables })));
}

describe('signing tables (docs/formats.md §3.9–§3.11)', () => {
  it('reads every signing table of a package', async () => {
    const db = await open(Object.values(TABLES));
    expect(await readProperties(db)).toEqual(
      new Map([
        ['ProductCode', '{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}'],
        ['NoValue', ''],
      ]),
    );
    expect(await readMedia(db)).toEqual([
      {
        diskId: 1,
        lastSequence: 5,
        diskPrompt: 'Disk 1',
        cabinet: '#embedded.cab',
        volumeLabel: null,
        source: null,
        embeddedCabinetStream: 'embedded.cab',
      },
      {
        diskId: 2,
        lastSequence: 10,
        diskPrompt: null,
        cabinet: 'external.cab',
        volumeLabel: 'DISK2',
        source: null,
        embeddedCabinetStream: null,
      },
    ]);
    expect(await readDigitalCertificates(db)).toEqual([
      { id: 'Cert1', certData: certOne },
      { id: 'Cert2', certData: certTwo },
    ]);
    expect(await readPatchCertificates(db)).toEqual([
      { id: 'PatchCert1', digitalCertificate: 'Cert2' },
    ]);
    expect(await readDigitalSignatures(db)).toEqual([
      { table: 'Media', signObject: '2', digitalCertificate: 'Cert1', hash: cabHash },
      { table: 'Media', signObject: '3', digitalCertificate: 'Cert1', hash: null },
    ]);
  });

  it('tells an absent table (undefined) from an empty one ([])', async () => {
    const absent = await open([TABLES.property]);
    expect(await readMedia(absent)).toBeUndefined();
    expect(await readDigitalCertificates(absent)).toBeUndefined();
    expect(await readPatchCertificates(absent)).toBeUndefined();
    expect(await readDigitalSignatures(absent)).toBeUndefined();
    expect(await readPatchMetadata(absent)).toBeUndefined();
    expect(await readPatchSequence(absent)).toBeUndefined();

    const empty = await open([
      TABLES.property,
      { ...TABLES.patchCertificate, rows: [] },
      { ...TABLES.digitalCertificate, rows: [] },
    ]);
    expect(await readPatchCertificates(empty)).toEqual([]);
    expect(await readDigitalCertificates(empty)).toEqual([]);
  });

  it('reads an absent Property table as an empty map', async () => {
    expect(await readProperties(await open([TABLES.media]))).toEqual(new Map());
  });

  it('accepts the WiX MsiPatchCertificate definition with two key columns', async () => {
    const wix: TableSpec = {
      ...TABLES.patchCertificate,
      columns: [
        { name: 'PatchCertificate', idt: 's72', key: true },
        { name: 'DigitalCertificate_', idt: 's72', key: true },
      ],
      rows: [
        ['PatchCert1', 'Cert1'],
        ['PatchCert2', 'Cert2'],
      ],
    };
    const db = await open([TABLES.digitalCertificate, wix]);
    expect(await readPatchCertificates(db)).toEqual([
      { id: 'PatchCert1', digitalCertificate: 'Cert1' },
      { id: 'PatchCert2', digitalCertificate: 'Cert2' },
    ]);
  });

  it('reads the MSP tables MsiPatchMetadata and MsiPatchSequence', async () => {
    const db = await open([
      {
        name: 'MsiPatchMetadata',
        columns: [
          { name: 'Company', idt: 'S72', key: true },
          { name: 'Property', idt: 's72', key: true },
          { name: 'Value', idt: 'l0' },
        ],
        rows: [
          [null, 'AllowRemoval', '1'],
          ['Acme', 'Custom', 'x'],
        ],
      },
      {
        name: 'MsiPatchSequence',
        columns: [
          { name: 'PatchFamily', idt: 's72', key: true },
          { name: 'ProductCode', idt: 'S38', key: true },
          { name: 'Sequence', idt: 's72' },
          { name: 'Attributes', idt: 'I4' },
        ],
        rows: [['Family', '{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}', '1.2.3.4', 1]],
      },
    ]);
    expect(await readPatchMetadata(db)).toEqual([
      { company: null, property: 'AllowRemoval', value: '1' },
      { company: 'Acme', property: 'Custom', value: 'x' },
    ]);
    expect(await readPatchSequence(db)).toEqual([
      {
        patchFamily: 'Family',
        productCode: '{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}',
        sequence: '1.2.3.4',
        attributes: 1,
      },
    ]);
  });

  describe('damaged signing tables', () => {
    it('rejects a certificate row whose stream is missing', async () => {
      const streams = buildDatabaseStreams({ tables: [TABLES.digitalCertificate] });
      streams.delete(encodeStreamName('MsiDigitalCertificate.Cert2', false));
      const db = await openMsiDatabase(memoryCompoundFile(streams));
      await expect(readDigitalCertificates(db)).rejects.toThrow(MalformedPackageError);
    });

    it('rejects a NULL CertData', async () => {
      const db = await open([
        {
          ...TABLES.digitalCertificate,
          columns: [TABLES.digitalCertificate.columns[0], { name: 'CertData', idt: 'V0' }],
          rows: [['Cert1', null]],
        },
      ]);
      await expect(readDigitalCertificates(db)).rejects.toThrow(/CertData is NULL/);
    });

    it('rejects a certificate stream over 1 MiB', async () => {
      const db = await open([
        { ...TABLES.digitalCertificate, rows: [['Big', Buffer.alloc(1024 * 1024 + 1)]] },
      ]);
      await expect(readDigitalCertificates(db)).rejects.toThrow(MalformedPackageError);
    });

    it('rejects a table missing a column the reader needs', async () => {
      const db = await open([
        {
          name: 'MsiPatchCertificate',
          columns: [{ name: 'PatchCertificate', idt: 's72', key: true }],
          rows: [['P']],
        },
      ]);
      await expect(readPatchCertificates(db)).rejects.toThrow(/no DigitalCertificate_ column/);
    });

    it('rejects a column of the wrong kind', async () => {
      const db = await open([
        {
          name: 'Media',
          columns: [
            { name: 'DiskId', idt: 's72', key: true },
            { name: 'LastSequence', idt: 'i4' },
          ],
          rows: [['1', 1]],
        },
      ]);
      await expect(readMedia(db)).rejects.toThrow(/DiskId is a string column, not integer/);
    });
  });
});
